// Stop (docs/design.md §13): before the run nothing is fetched; during the run
// in-flight requests finish and their yields are applied, nothing new starts,
// the discarded queue is counted. Triggered from a callback, from another
// thread, and from a uv_signal_t. A stop is bounded: requests still in flight
// after stop_grace are cancelled and counted, at once on a second request.
#include <csignal>

#include "driver_test_support.hpp"

namespace uvscrape::driver_test {
namespace {

void fanout_scraper(LambdaScraper& scraper, const ThreadedTestServer& server) {
  scraper.entries = {Request::get(server.url("/list/1")).to("list")};
  scraper.add_step("list", [](const Response& r) -> Step {
    for (const auto& href : links(r, "//a[@class='item']/@href"))
      co_yield Request::get(href).to("item");
    for (const auto& href : links(r, "//a[@rel='next']/@href"))
      co_yield Request::get(href).to("list").priority(1);
  });
  scraper.add_step("item", [](const Response& r) -> Step { co_yield Json(r.url); });
}

TEST(DriverStop, SetBeforeRunFetchesNothing) {
  ThreadedTestServer server;
  serve_fanout(server, 2, 5);
  LambdaScraper scraper;
  fanout_scraper(scraper, server);
  StopSignal signal;
  signal.request_stop();
  DriverOptions o = test_options("stop-before");
  o.stop_signal = signal;
  Driver driver(scraper, o);
  std::vector<std::string> hooks;
  driver.on_run_start = [&](const std::string&) { hooks.push_back("start"); };
  driver.on_run_complete = [&](const std::string&, RunStatus status, uint64_t requests,
                               uint64_t items, std::exception_ptr) {
    hooks.push_back("complete:" + std::string(to_string(status)) + ":" + std::to_string(requests) +
                    ":" + std::to_string(items));
  };
  int items = 0;
  driver.on_data = [&](const Json&) { ++items; };
  Deadline deadline(std::chrono::seconds(30));
  const RunResult r = driver.run();
  EXPECT_EQ(r.status, RunStatus::stopped);
  EXPECT_EQ(items, 0);
  EXPECT_EQ(server->request_count(), 0u);
  EXPECT_EQ(hooks, (std::vector<std::string>{"start", "complete:stopped:0:0"}));
}

TEST(DriverStop, SetBeforeStartOnCallersLoop) {
  ThreadedTestServer server;
  serve_fanout(server, 2, 5);
  LambdaScraper scraper;
  fanout_scraper(scraper, server);
  Driver driver(scraper, test_options("stop-before-start", 4));
  driver.stop();
  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  std::optional<RunResult> result;
  driver.start(&loop, [&](const RunResult& r) { result = r; });
  Deadline deadline(std::chrono::seconds(30));
  uv_run(&loop, UV_RUN_DEFAULT);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, RunStatus::stopped);
  EXPECT_EQ(server->request_count(), 0u);
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

TEST(DriverStop, FromOnDataFinishesTheCurrentRequest) {
  ThreadedTestServer server;
  serve_fanout(server, 3, 10);
  LambdaScraper scraper;
  fanout_scraper(scraper, server);
  Driver driver(scraper, test_options("stop-ondata"));
  int items = 0;
  driver.on_data = [&](const Json&) {
    if (++items == 3) driver.stop();
  };
  Deadline deadline(std::chrono::seconds(30));
  const RunResult r = driver.run();
  EXPECT_EQ(r.status, RunStatus::stopped);
  EXPECT_EQ(items, 3);  // the request that stopped it finished, nothing new started
  EXPECT_EQ(r.items_emitted, 3u);
  // The list pages come first (priority 1), then three of the 30 items.
  EXPECT_EQ(r.requests_completed, 6u);
  EXPECT_EQ(server->request_count(), 6u);
  EXPECT_EQ(r.requests_discarded, 27u);  // the other item pages were queued
  EXPECT_EQ(driver.progress().requests_queued, 0u);
}

TEST(DriverStop, FromAnotherThreadMidCrawl) {  // docs/design.md §13
  ThreadedTestServer server;
  serve_fanout(server, 40, 50);  // 2,040 pages: far more than the stop lets through
  // Every item page takes a little while so that requests are in flight at the stop.
  server->route("GET", "/item/*", [](const ServerRequest& req, ServerResponse& res) {
    res = ServerResponse::html("<p class='v'>" + req.path.substr(6) + "</p>");
    res.delay_before_headers = std::chrono::milliseconds(5);
  });
  LambdaScraper scraper;
  fanout_scraper(scraper, server);
  StopSignal signal;
  DriverOptions o = test_options("stop-thread", 8);
  o.stop_signal = signal;
  Driver driver(scraper, o);
  uint64_t items = 0;
  driver.on_data = [&](const Json&) { ++items; };
  std::thread stopper([&] {
    server->wait_for_requests(100, std::chrono::seconds(20));
    signal.request_stop();
  });
  Deadline deadline(std::chrono::seconds(60));
  const RunResult r = driver.run();
  stopper.join();
  EXPECT_EQ(r.status, RunStatus::stopped);
  EXPECT_GE(r.requests_completed, 100u);
  EXPECT_LT(r.requests_completed, 2040u);
  // Every request that reached the server completed and had its yields applied.
  EXPECT_EQ(r.requests_completed, server->request_count());
  EXPECT_EQ(items, r.items_emitted);
  EXPECT_GT(r.requests_discarded, 0u);
  const DriverProgress p = driver.progress();
  EXPECT_EQ(p.requests_in_flight, 0u);
  EXPECT_EQ(p.requests_queued, 0u);
  EXPECT_EQ(p.requests_discarded, r.requests_discarded);
}

TEST(DriverStop, FromAUvSignalHandlerOnCallersLoop) {
  ThreadedTestServer server;
  serve_fanout(server, 40, 50);
  server->route("GET", "/item/*", [](const ServerRequest& req, ServerResponse& res) {
    res = ServerResponse::html("<p class='v'>" + req.path.substr(6) + "</p>");
    res.delay_before_headers = std::chrono::milliseconds(2);
  });
  LambdaScraper scraper;
  fanout_scraper(scraper, server);
  Driver driver(scraper, test_options("stop-signal", 4));
  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  uv_signal_t sig;
  uv_signal_init(&loop, &sig);
  sig.data = &driver;
  uv_signal_start(
      &sig, [](uv_signal_t* s, int) { static_cast<Driver*>(s->data)->stop(); }, SIGUSR2);
  uv_timer_t raiser;
  uv_timer_init(&loop, &raiser);
  uv_timer_start(
      &raiser, [](uv_timer_t*) { std::raise(SIGUSR2); }, 50, 0);
  std::optional<RunResult> result;
  driver.start(&loop, [&](const RunResult& r) {
    result = r;
    uv_close(reinterpret_cast<uv_handle_t*>(&sig), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&raiser), nullptr);
  });
  Deadline deadline(std::chrono::seconds(60));
  uv_run(&loop, UV_RUN_DEFAULT);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, RunStatus::stopped);
  EXPECT_LT(result->requests_completed, 2040u);
  EXPECT_EQ(result->requests_completed, server->request_count());
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

TEST(DriverStop, NeverSetProcessesEverything) {
  ThreadedTestServer server;
  serve_fanout(server, 2, 5);
  LambdaScraper scraper;
  fanout_scraper(scraper, server);
  DriverOptions o = test_options("stop-never", 2);
  o.stop_signal = StopSignal();
  Driver driver(scraper, o);
  Deadline deadline(std::chrono::seconds(30));
  const RunResult r = driver.run();
  EXPECT_EQ(r.status, RunStatus::completed);
  EXPECT_EQ(r.items_emitted, 10u);
  EXPECT_EQ(r.requests_discarded, 0u);
}

// A site whose item pages drip one byte every 0.3 s and would take minutes:
// the entry page links to `n` of them.
void serve_drip(ThreadedTestServer& server, int n) {
  server->route("GET", "/entry", [n](const ServerRequest&, ServerResponse& res) {
    std::string html = "<html><body>";
    for (int i = 0; i < n; ++i) html += "<a href='/drip/" + std::to_string(i) + "'>d</a>";
    res = ServerResponse::html(html + "</body></html>");
  });
  server->route("GET", "/drip/*", [](const ServerRequest&, ServerResponse& res) {
    res = ServerResponse::html(std::string(2000, 'x'));
    res.drip_interval = std::chrono::milliseconds(300);
  });
}

struct DripRun {
  RunResult result;
  double seconds_after_stop = 0;
};

// Crawls the drip site with 4 workers and stops once all 4 drips are on the
// wire (twice when `second_stop`).
DripRun crawl_drip_and_stop(std::chrono::milliseconds grace, bool second_stop) {
  ThreadedTestServer server;
  serve_drip(server, 6);
  LambdaScraper scraper;
  scraper.entries = {Request::get(server.url("/entry")).to("entry")};
  scraper.add_step("entry", [](const Response& r) -> Step {
    for (const auto& href : links(r)) co_yield Request::get(href).to("drip");
  });
  scraper.add_step("drip", [](const Response& r) -> Step { co_yield Json(r.url); });
  StopSignal signal;
  DriverOptions o = test_options("stop-drip", 4);
  o.stop_signal = signal;
  o.stop_grace = grace;
  Driver driver(scraper, o);
  std::chrono::steady_clock::time_point stopped_at;
  std::thread stopper([&] {
    server->wait_for_requests(5, std::chrono::seconds(20));  // entry + 4 drips
    stopped_at = std::chrono::steady_clock::now();
    signal.request_stop();
    if (second_stop) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      signal.request_stop();
    }
  });
  Deadline deadline(std::chrono::seconds(60));
  DripRun out;
  out.result = driver.run();
  out.seconds_after_stop =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - stopped_at).count();
  stopper.join();
  const DriverProgress p = driver.progress();
  EXPECT_EQ(p.requests_in_flight, 0u);
  EXPECT_EQ(p.requests_cancelled, out.result.requests_cancelled);
  return out;
}

TEST(DriverStop, InFlightRequestsAreCancelledAfterTheGracePeriod) {
  const DripRun run = crawl_drip_and_stop(std::chrono::milliseconds(1000), false);
  EXPECT_EQ(run.result.status, RunStatus::stopped);
  EXPECT_GE(run.seconds_after_stop, 0.9);  // the grace period was given
  EXPECT_LT(run.seconds_after_stop, 4.0);  // and then the drips were cut off
  EXPECT_EQ(run.result.requests_cancelled, 4u);
  EXPECT_EQ(run.result.requests_discarded, 2u);  // the two drips still queued
  EXPECT_EQ(run.result.requests_completed, 5u);  // entry + 4 cancelled
  EXPECT_EQ(run.result.items_emitted, 0u);
  EXPECT_TRUE(run.result.failures.empty());  // a cancellation is not a failure
}

TEST(DriverStop, ASecondStopCancelsAtOnce) {
  const DripRun run = crawl_drip_and_stop(std::chrono::seconds(60), true);
  EXPECT_EQ(run.result.status, RunStatus::stopped);
  EXPECT_LT(run.seconds_after_stop, 3.0);  // not the 60 s grace
  EXPECT_EQ(run.result.requests_cancelled, 4u);
}

TEST(DriverStop, RequestsThatFinishWithinTheGraceAreNotCancelled) {
  ThreadedTestServer server;
  serve_fanout(server, 1, 4);
  server->route("GET", "/item/*", [](const ServerRequest& req, ServerResponse& res) {
    res = ServerResponse::html("<p class='v'>" + req.path.substr(6) + "</p>");
    res.delay_before_headers = std::chrono::milliseconds(300);
  });
  LambdaScraper scraper;
  fanout_scraper(scraper, server);
  StopSignal signal;
  DriverOptions o = test_options("stop-grace-ok", 4);
  o.stop_signal = signal;
  o.stop_grace = std::chrono::seconds(10);
  Driver driver(scraper, o);
  std::thread stopper([&] {
    server->wait_for_requests(5, std::chrono::seconds(20));
    signal.request_stop();
  });
  Deadline deadline(std::chrono::seconds(30));
  const RunResult r = driver.run();
  stopper.join();
  EXPECT_EQ(r.status, RunStatus::stopped);
  EXPECT_EQ(r.requests_cancelled, 0u);
  EXPECT_EQ(r.items_emitted, 4u);  // the four slow items finished and their steps ran
}

TEST(StopSignalLevels, SecondRequestIsImmediate) {
  StopSignal s;
  EXPECT_FALSE(s.stop_requested());
  s.request_stop();
  EXPECT_TRUE(s.stop_requested());
  EXPECT_FALSE(s.immediate_stop_requested());
  s.request_stop();
  EXPECT_TRUE(s.immediate_stop_requested());
  s.reset();
  EXPECT_FALSE(s.stop_requested());
  s.request_immediate_stop();
  EXPECT_TRUE(s.stop_requested());
  EXPECT_TRUE(s.immediate_stop_requested());
}

}  // namespace
}  // namespace uvscrape::driver_test
