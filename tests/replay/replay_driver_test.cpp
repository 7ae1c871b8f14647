// Replay (DriverOptions::replay_from) over a store a live crawl of the test
// server wrote: the same scraper gets the same items without a connection,
// an archive request gets the stored file, and each miss policy.
#include <sqlite3.h>

#if defined(__SANITIZE_ADDRESS__)
#define UVSCRAPE_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UVSCRAPE_TEST_ASAN 1
#endif
#endif
#ifdef UVSCRAPE_TEST_ASAN
#include <sanitizer/allocator_interface.h>
#else
#include <malloc.h>
#endif

#include <algorithm>
#include <set>

#include "driver_test_support.hpp"

namespace uvscrape::driver_test {
namespace {

// A small site: /list/1 and /list/2 link three items each; /list/1 links a
// file to archive.
void serve_site(ThreadedTestServer& server) {
  serve_fanout(server, 2, 3);
  server->respond("GET", "/media/brief.pdf", ServerResponse::text("%PDF-1.4 brief"));
}

// The scraper; `extra` makes item 1-0 also link /extra, which the live run
// never fetched (the replay's miss).
void build(LambdaScraper& scraper, const std::string& entry, bool extra) {
  scraper.entries = {Request::get(entry).to("list")};
  scraper.add_step("list", [](const Response& r) -> Step {
    for (const std::string& href : links(r, "//a[@class='item']/@href")) {
      Request item = Request::get(href).to("item");
      co_yield std::move(item);
    }
    for (const std::string& href : links(r, "//a[@rel='next']/@href")) {
      Request next = Request::get(href).to("list");
      co_yield std::move(next);
    }
    if (r.url.ends_with("/list/1")) {
      Request file = Request::get("/media/brief.pdf").archive("pdf").to("stored");
      co_yield std::move(file);
    }
  });
  scraper.add_step("item", [extra](const Response& r) -> Step {
    const std::string v = page_of(r).checked_xpath_strings("//p[@class='v']/text()", "v", 1, 1)[0];
    Json item = {{"v", v}, {"status", r.status_code}};
    co_yield DataItem(std::move(item));
    if (extra && v == "1-0") {
      Request more = Request::get("/extra").to("item");
      co_yield std::move(more);
    }
  });
  scraper.add_step("stored", [](const Response& r) -> Step {
    Json item = {{"file", std::string(*r.local_filepath())}};
    co_yield DataItem(std::move(item));
  });
}

struct Crawl {
  RunResult result;
  std::multiset<std::string> items;  // each item's JSON text
};

Crawl crawl(LambdaScraper& scraper, const DriverOptions& options) {
  Driver driver(scraper, options);
  Crawl c;
  driver.on_data = [&c](const Json& item) { c.items.insert(item.dump()); };
  Deadline deadline(std::chrono::seconds(60));
  c.result = driver.run();
  return c;
}

// One column of the first row of `sql` over the store file (an integer or text).
std::string query(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &q, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  std::string value;
  if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0))
    value = reinterpret_cast<const char*>(sqlite3_column_text(q, 0));
  sqlite3_finalize(q);
  sqlite3_close(db);
  return value;
}

class Replay : public ::testing::Test {
 protected:
  void SetUp() override {
    serve_site(server);
    dir = fresh_dir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    live_store = (dir / "live.db").string();
    LambdaScraper scraper("ReplaySite");
    build(scraper, server.url("/list/1"), false);
    DriverOptions o = test_options("replay-live", 2);
    o.storage_dir = (dir / "files").string();
    o.store_path = live_store;
    o.store_responses = true;
    live = crawl(scraper, o);
    ASSERT_EQ(live.result.status, RunStatus::completed);
    ASSERT_EQ(live.items.size(), 7u);  // six items and the file
    accepted = server->connections_accepted();
    received = server->request_count();
  }

  DriverOptions replay_options(const std::string& name) {
    DriverOptions o = test_options("replay-" + name, 2);
    o.storage_dir = (dir / "files").string();
    o.replay_from = live_store;
    o.store_path = (dir / (name + ".db")).string();
    return o;
  }

  // The server saw nothing since the live run.
  void expect_no_network() {
    EXPECT_EQ(server->connections_accepted(), accepted);
    EXPECT_EQ(server->request_count(), received);
  }

  ThreadedTestServer server;
  std::filesystem::path dir;
  std::string live_store;
  Crawl live;
  uint64_t accepted = 0;
  size_t received = 0;
};

TEST_F(Replay, TheSameScraperGetsTheSameItemsWithoutAConnection) {
  LambdaScraper scraper("ReplaySite");
  build(scraper, server.url("/list/1"), false);
  const Crawl replayed = crawl(scraper, replay_options("same"));
  EXPECT_EQ(replayed.result.status, RunStatus::completed);
  EXPECT_EQ(replayed.result.requests_failed, 0u);
  EXPECT_EQ(replayed.items, live.items);
  expect_no_network();
  // The archive request got the stored run's file, recorded with its hash.
  const std::string replay_store = (dir / "same.db").string();
  EXPECT_EQ(query(replay_store, "SELECT path FROM files"),
            query(live_store, "SELECT path FROM files"));
  EXPECT_EQ(query(replay_store, "SELECT sha256 FROM files"),
            query(live_store, "SELECT sha256 FROM files"));
  EXPECT_EQ(query(replay_store, "SELECT count(*) FROM items"), "7");
}

TEST_F(Replay, AStoppedServerIsNeverNeeded) {
  const std::string entry = server.url("/list/1");
  server.stop();  // the port is closed: a connection attempt would fail the requests
  LambdaScraper scraper("ReplaySite");
  build(scraper, entry, false);
  const Crawl replayed = crawl(scraper, replay_options("stopped"));
  EXPECT_EQ(replayed.result.status, RunStatus::completed);
  EXPECT_EQ(replayed.result.requests_failed, 0u);
  EXPECT_EQ(replayed.items, live.items);
}

TEST_F(Replay, AMissFailsNamingTheUrl) {
  LambdaScraper scraper("ReplaySite");
  build(scraper, server.url("/list/1"), true);
  const Crawl replayed = crawl(scraper, replay_options("fail"));
  EXPECT_EQ(replayed.result.status, RunStatus::completed);
  ASSERT_EQ(replayed.result.failures.size(), 1u);
  const Failure& f = replayed.result.failures[0];
  EXPECT_EQ(f.kind, FailureKind::no_stored_response);
  EXPECT_EQ(f.url, server.url("/extra"));
  EXPECT_NE(f.message.find("no stored response for " + server.url("/extra")), std::string::npos)
      << f.message;
  EXPECT_NE(f.message.find(live_store), std::string::npos) << f.message;
  EXPECT_EQ(replayed.result.failure_counts[FailureKind::no_stored_response], 1u);
  EXPECT_EQ(replayed.items, live.items);
  expect_no_network();
}

TEST_F(Replay, AMissIsSkippedAndCounted) {
  LambdaScraper scraper("ReplaySite");
  build(scraper, server.url("/list/1"), true);
  DriverOptions o = replay_options("skip");
  o.replay_miss = ReplayMiss::skip;
  const Crawl replayed = crawl(scraper, o);
  EXPECT_EQ(replayed.result.status, RunStatus::completed);
  EXPECT_EQ(replayed.result.requests_failed, 0u);
  EXPECT_EQ(replayed.result.replay_skipped, 1u);
  EXPECT_EQ(replayed.result.replay_left_pending, 0u);
  EXPECT_EQ(replayed.result.requests_completed, live.result.requests_completed);
  EXPECT_EQ(replayed.items, live.items);
  expect_no_network();
}

TEST_F(Replay, AMissLeftPendingIsFetchedByALaterLiveRun) {
  LambdaScraper scraper("ReplaySite");
  build(scraper, server.url("/list/1"), true);
  DriverOptions o = replay_options("pending");
  o.replay_miss = ReplayMiss::pending;
  const Crawl replayed = crawl(scraper, o);
  EXPECT_EQ(replayed.result.status, RunStatus::completed);
  EXPECT_EQ(replayed.result.requests_failed, 0u);
  EXPECT_EQ(replayed.result.replay_left_pending, 1u);
  expect_no_network();
  const std::string replay_store = (dir / "pending.db").string();
  EXPECT_EQ(query(replay_store, "SELECT count(*) FROM requests WHERE state = 0"), "1");
  EXPECT_NE(query(replay_store, "SELECT body FROM requests WHERE state = 0").find("/extra"),
            std::string::npos);

  // A live run on the replay's store fetches just that request.
  server->respond("GET", "/extra", ServerResponse::html("<p class='v'>extra</p>"));
  LambdaScraper again("ReplaySite");
  build(again, server.url("/list/1"), true);
  DriverOptions live_again = test_options("replay-pending-live", 1);
  live_again.storage_dir = (dir / "files").string();
  live_again.store_path = replay_store;
  const Crawl resumed = crawl(again, live_again);
  EXPECT_TRUE(resumed.result.resumed);
  EXPECT_EQ(resumed.result.status, RunStatus::completed);
  const Json extra = {{"v", "extra"}, {"status", 200}};  // the step's field order
  EXPECT_EQ(resumed.items, std::multiset<std::string>{extra.dump()});
  EXPECT_EQ(server->request_count(), received + 1);
  EXPECT_EQ(query(replay_store, "SELECT count(*) FROM requests WHERE state = 0"), "0");
}

// The bytes the heap holds now (every arena; ASan's own count in an ASan
// build, where freed blocks wait in its quarantine and RSS says nothing).
std::size_t live_heap_bytes() {
#ifdef UVSCRAPE_TEST_ASAN
  return __sanitizer_get_current_allocated_bytes();
#else
  const struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;
#endif
}

// The replay's index of the stored requests is not held in memory: a stored
// run with 20,000 more requests of 4 KB URLs (80 MB of identities, which a
// map of them would hold) replays with the same items while the heap holds
// far less than that more than before (sampled at each item, once the
// index is built: the first lookup builds it).
TEST_F(Replay, TheIndexOfStoredRequestsIsNotHeldInMemory) {
  constexpr int kExtra = 20000;
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(live_store.c_str(), &db), SQLITE_OK);
    Json body = Json::parse(query(live_store, "SELECT body FROM requests WHERE id = 1"));
    const std::string pad(4000, 'x');
    sqlite3_stmt* q = nullptr;
    ASSERT_EQ(sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_prepare_v2(db,
                                 "INSERT INTO requests (id, state, priority, attempts, parent, "
                                 "body) VALUES (?1, 2, 0, 1, 0, ?2)",
                                 -1, &q, nullptr),
              SQLITE_OK);
    for (int i = 0; i < kExtra; ++i) {
      body["url"] = server.url("/unvisited/" + std::to_string(i) + "?pad=" + pad);
      const std::string text = body.dump();
      sqlite3_bind_int64(q, 1, 1'000'000 + i);
      sqlite3_bind_text(q, 2, text.c_str(), -1, SQLITE_TRANSIENT);
      ASSERT_EQ(sqlite3_step(q), SQLITE_DONE) << sqlite3_errmsg(db);
      sqlite3_reset(q);
    }
    sqlite3_finalize(q);
    ASSERT_EQ(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  LambdaScraper scraper("ReplaySite");
  build(scraper, server.url("/list/1"), false);
  const std::size_t before = live_heap_bytes();
  std::size_t peak = before;
  Driver driver(scraper, replay_options("big"));
  std::multiset<std::string> items;
  driver.on_data = [&](const Json& item) {
    items.insert(item.dump());
    peak = std::max(peak, live_heap_bytes());
  };
  Deadline deadline(std::chrono::seconds(120));
  const RunResult result = driver.run();
  EXPECT_EQ(result.status, RunStatus::completed);
  EXPECT_EQ(result.requests_failed, 0u);
  EXPECT_EQ(items, live.items);
  const std::size_t grown = peak - before;
  EXPECT_LT(grown, std::size_t{16} << 20) << "the heap held " << grown << " bytes more";
  expect_no_network();
}

// A request that failed for good in the stored run (a 404) fails again in
// the replay with the stored failure's kind and message, not as a request
// with no stored response, and the items are the stored run's.
TEST(ReplayOfFailures, ARequestThatFailedInTheStoredRunFailsAgainAsIt) {
  ThreadedTestServer server;
  serve_fanout(server, 1, 2);
  server->respond("GET", "/gone", ServerResponse::with_status(404));
  const auto dir = fresh_dir("replay-failed-stores");
  auto build_failing = [&](LambdaScraper& scraper) {
    scraper.entries = {Request::get(server.url("/list/1")).to("list"),
                       Request::get(server.url("/gone")).to("item")};
    scraper.add_step("list", [](const Response& r) -> Step {
      for (const std::string& href : links(r, "//a[@class='item']/@href")) {
        Request item = Request::get(href).to("item");
        co_yield std::move(item);
      }
    });
    scraper.add_step("item", [](const Response& r) -> Step {
      Json item = {{"url", r.url}};
      co_yield DataItem(std::move(item));
    });
  };
  LambdaScraper live_scraper("ReplayFailures");
  build_failing(live_scraper);
  DriverOptions o = test_options("replay-failed-live", 2);
  o.store_path = (dir / "live.db").string();
  o.store_responses = true;
  const Crawl live = crawl(live_scraper, o);
  ASSERT_EQ(live.result.status, RunStatus::completed);
  ASSERT_EQ(live.result.failure_counts[FailureKind::http_status_persistent], 1u);
  const std::uint64_t received = server->request_count();

  LambdaScraper replay_scraper("ReplayFailures");
  build_failing(replay_scraper);
  DriverOptions r = test_options("replay-failed", 2);
  r.replay_from = (dir / "live.db").string();
  r.store_path = (dir / "replay.db").string();
  const Crawl replayed = crawl(replay_scraper, r);
  EXPECT_EQ(replayed.result.status, RunStatus::completed);
  EXPECT_EQ(replayed.items, live.items);
  EXPECT_EQ(replayed.result.requests_failed, 1u);
  EXPECT_EQ(replayed.result.failure_counts[FailureKind::http_status_persistent], 1u);
  EXPECT_EQ(replayed.result.failure_counts[FailureKind::no_stored_response], 0u);
  ASSERT_EQ(replayed.result.failures.size(), 1u);
  EXPECT_EQ(replayed.result.failures[0].url, server.url("/gone"));
  EXPECT_NE(replayed.result.failures[0].message.find("failed in the stored run"),
            std::string::npos)
      << replayed.result.failures[0].message;
  EXPECT_EQ(server->request_count(), received);  // nothing sent
}

// Two POSTs to one URL differ only by their bodies: each gets its own answer,
// whatever the order the replay asks them in.
TEST(ReplayIdentity, TheBodyIsPartOfIt) {
  ThreadedTestServer server;
  server->route("POST", "/search", [](const ServerRequest& req, ServerResponse& res) {
    res = ServerResponse::html("<p class='v'>" + req.body + "</p>");
  });
  const auto dir = fresh_dir("replay-post");
  auto make = [&server](LambdaScraper& scraper, std::vector<std::string> bodies) {
    for (const std::string& body : bodies)
      scraper.entries.push_back(Request::post(server.url("/search")).body(body).to("result"));
    scraper.add_step("result", [](const Response& r) -> Step {
      // What was asked and what answered: a body matched to another's answer shows.
      Json item = {{"asked", std::get<std::string>(r.request->body())},
                   {"answer", links(r, "//p/text()").at(0)}};
      co_yield DataItem(std::move(item));
    });
  };
  LambdaScraper live_scraper("Posts");
  make(live_scraper, {"q=1", "q=2"});
  DriverOptions o = test_options("replay-post-live");
  o.store_path = (dir / "live.db").string();
  o.store_responses = true;
  const Crawl live = crawl(live_scraper, o);
  const Json one = {{"asked", "q=1"}, {"answer", "q=1"}},
             two = {{"asked", "q=2"}, {"answer", "q=2"}};
  ASSERT_EQ(live.items, (std::multiset<std::string>{one.dump(), two.dump()}));
  const size_t received = server->request_count();

  LambdaScraper replay_scraper("Posts");
  make(replay_scraper, {"q=2", "q=1"});  // the other order
  DriverOptions r = test_options("replay-post-again");
  r.replay_from = (dir / "live.db").string();
  const Crawl replayed = crawl(replay_scraper, r);
  EXPECT_EQ(replayed.result.requests_failed, 0u);
  EXPECT_EQ(replayed.items, live.items);
  EXPECT_EQ(server->request_count(), received);
}

TEST_F(Replay, CannotObeyRobotsTxt) {
  LambdaScraper scraper("ReplaySite");
  build(scraper, server.url("/list/1"), false);
  DriverOptions o = replay_options("robots");
  o.store_path.clear();
  o.obey_robots_txt = true;
  // Driver::run() throws the run's error.
  EXPECT_THROW(crawl(scraper, o), ScraperConfigError);
  expect_no_network();
}

}  // namespace
}  // namespace uvscrape::driver_test
