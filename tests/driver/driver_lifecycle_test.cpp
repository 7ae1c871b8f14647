// Callbacks and lifecycle (docs/design.md §9, §15, §16):
// hooks fire in order with the scraper name and counts, run() and start() leave
// no handle on the loop, errors end the run with status "error" and never hang.
#include "driver_test_support.hpp"

namespace uvscrape::driver_test {
namespace {

// /start links to three items; each item page yields one data item.
void three_items(LambdaScraper& scraper, const ThreadedTestServer& server) {
  scraper.entries = {Request::get(server.url("/start")).to("list")};
  scraper.add_step("list", [](const Response& r) -> Step {
    for (const auto& href : links(r)) co_yield Request::get(href).to("item");
  });
  scraper.add_step("item", [](const Response& r) -> Step {
    Json item = Json::object();
    item["url"] = r.url;
    item["v"] = page_of(r).checked_xpath_strings("//p/text()", "value", 1, 1)[0];
    co_yield item;
  });
}

void serve_three(ThreadedTestServer& server) {
  server->respond(
      "GET", "/start",
      ServerResponse::html("<a href='/i/1'>1</a><a href='/i/2'>2</a><a href='/i/3'>3</a>"));
  server->route("GET", "/i/*", [](const ServerRequest& req, ServerResponse& res) {
    res = ServerResponse::html("<p>" + req.path.substr(3) + "</p>");
  });
}

TEST(DriverLifecycle, RunDeliversEveryItemAndFiresHooksInOrder) {
  ThreadedTestServer server;
  serve_three(server);
  LambdaScraper scraper("ThreeItems");
  three_items(scraper, server);
  Driver driver(scraper, test_options("lifecycle"));
  std::vector<std::string> events;
  driver.on_run_start = [&](const std::string& name) { events.push_back("start:" + name); };
  driver.on_data = [&](const Json& item) {
    events.push_back("data:" + item["v"].get<std::string>());
  };
  driver.on_run_complete = [&](const std::string& name, RunStatus status, uint64_t requests,
                               uint64_t items, std::exception_ptr error) {
    events.push_back("complete:" + name + ":" + to_string(status) + ":" + std::to_string(requests) +
                     ":" + std::to_string(items) + (error ? ":error" : ""));
  };
  Deadline deadline(std::chrono::seconds(30));
  RunResult result = driver.run();
  EXPECT_EQ(result.status, RunStatus::completed);
  EXPECT_EQ(result.requests_completed, 4u);
  EXPECT_EQ(result.items_emitted, 3u);
  EXPECT_FALSE(result.error);
  const std::vector<std::string> expected = {"start:ThreeItems", "data:1", "data:2", "data:3",
                                             "complete:ThreeItems:completed:4:3"};
  EXPECT_EQ(events, expected);
  EXPECT_EQ(server->request_count(), 4u);
  const DriverProgress p = driver.progress();
  EXPECT_EQ(p.requests_completed, 4u);
  EXPECT_EQ(p.items_emitted, 3u);
  EXPECT_EQ(p.requests_queued, 0u);
  EXPECT_EQ(p.requests_in_flight, 0u);
  EXPECT_GT(p.bytes_received, 0u);
}

TEST(DriverLifecycle, OnDataIsOptional) {
  ThreadedTestServer server;
  serve_three(server);
  LambdaScraper scraper;
  three_items(scraper, server);
  Driver driver(scraper, test_options("nodata"));
  Deadline deadline(std::chrono::seconds(30));
  EXPECT_EQ(driver.run().items_emitted, 3u);
}

TEST(DriverLifecycle, StartOnCallersLoopLeavesNoHandles) {
  ThreadedTestServer server;
  serve_three(server);
  LambdaScraper scraper;
  three_items(scraper, server);
  Driver driver(scraper, test_options("start", 4));
  std::vector<std::string> items;
  driver.on_data = [&](const Json& item) { items.push_back(item["v"]); };

  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  // A timer of the caller's that keeps ticking while the crawl runs.
  uv_timer_t ticker;
  uv_timer_init(&loop, &ticker);
  int ticks = 0;
  ticker.data = &ticks;
  uv_timer_start(
      &ticker, [](uv_timer_t* t) { ++*static_cast<int*>(t->data); }, 1, 1);
  std::optional<RunResult> done;
  bool returned = false;
  driver.start(&loop, [&](const RunResult& r) {
    EXPECT_TRUE(returned);  // start() returned before the run ended
    done = r;
    uv_close(reinterpret_cast<uv_handle_t*>(&ticker), nullptr);
  });
  returned = true;
  EXPECT_TRUE(driver.running());
  Deadline deadline(std::chrono::seconds(30));
  uv_run(&loop, UV_RUN_DEFAULT);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status, RunStatus::completed);
  EXPECT_FALSE(driver.running());
  std::sort(items.begin(), items.end());
  EXPECT_EQ(items, (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(uv_loop_alive(&loop), 0);
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

TEST(DriverLifecycle, OnDataThrowingPropagatesOutOfRunWithStatusError) {
  ThreadedTestServer server;
  serve_three(server);
  LambdaScraper scraper;
  three_items(scraper, server);
  Driver driver(scraper, test_options("datathrow", 4));
  driver.on_data = [](const Json&) { throw std::runtime_error("sink is full"); };
  RunStatus status = RunStatus::completed;
  std::exception_ptr reported;
  driver.on_run_complete = [&](const std::string&, RunStatus s, uint64_t, uint64_t,
                               std::exception_ptr e) {
    status = s;
    reported = e;
  };
  Deadline deadline(std::chrono::seconds(30));
  EXPECT_THROW(
      {
        try {
          driver.run();
        } catch (const std::runtime_error& e) {
          EXPECT_STREQ(e.what(), "sink is full");
          throw;
        }
      },
      std::runtime_error);
  EXPECT_EQ(status, RunStatus::error);
  EXPECT_TRUE(reported);
}

TEST(DriverLifecycle, OnRunStartThrowingIsGuarded) {
  ThreadedTestServer server;
  serve_three(server);
  LambdaScraper scraper;
  three_items(scraper, server);
  Driver driver(scraper, test_options("startthrow"));
  driver.on_run_start = [](const std::string&) { throw std::runtime_error("no start"); };
  RunStatus status = RunStatus::completed;
  driver.on_run_complete = [&](const std::string&, RunStatus s, uint64_t, uint64_t,
                               std::exception_ptr) { status = s; };
  Deadline deadline(std::chrono::seconds(30));
  EXPECT_THROW(driver.run(), std::runtime_error);
  EXPECT_EQ(status, RunStatus::error);  // docs/design.md §9: on_run_complete still fires
  EXPECT_EQ(server->request_count(), 0u);
}

TEST(DriverLifecycle, UnknownContinuationIsAConfigError) {
  ThreadedTestServer server;
  serve_three(server);
  LambdaScraper scraper;
  scraper.entries = {Request::get(server.url("/start")).to("no_such_step")};
  Driver driver(scraper, test_options("nostep"));
  Deadline deadline(std::chrono::seconds(30));
  try {
    driver.run();
    FAIL() << "run() should throw";
  } catch (const ScraperConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("no_such_step"), std::string::npos) << e.what();
  }
}

TEST(DriverLifecycle, StorageDirIsCreatedByTheConstructor) {
  LambdaScraper scraper;
  const auto root = fresh_dir("storage");
  DriverOptions o;
  o.storage_dir = (root / "a" / "b").string();
  Driver driver(scraper, o);
  EXPECT_TRUE(std::filesystem::is_directory(root / "a" / "b"));
  Driver defaulted(scraper);
  EXPECT_EQ(defaulted.options().storage_dir,
            (std::filesystem::temp_directory_path() / "uvscrape_files").string());
  EXPECT_TRUE(std::filesystem::is_directory(defaulted.options().storage_dir));
  std::filesystem::remove_all(root);
}

TEST(DriverLifecycle, RunTwiceOnOneDriver) {
  ThreadedTestServer server;
  serve_three(server);
  LambdaScraper scraper;
  three_items(scraper, server);
  Driver driver(scraper, test_options("twice", 2));
  Deadline deadline(std::chrono::seconds(30));
  EXPECT_EQ(driver.run().items_emitted, 3u);
  EXPECT_EQ(driver.run().items_emitted, 3u);
  EXPECT_EQ(server->request_count(), 8u);
}

}  // namespace
}  // namespace uvscrape::driver_test
