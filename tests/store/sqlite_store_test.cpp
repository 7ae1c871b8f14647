// The SQLite run store through the Driver (docs/design.md §20): a durable run
// gives the in-memory run's items; a stop leaves the rest pending and a resume
// finishes it without fetching anything twice; a completed run reopened does
// nothing; a second opener, another scraper, a full disk and an old schema.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <thread>

#include "store/schema.hpp"
#include "store_test_support.hpp"
#include "uvscrape/driver.hpp"

namespace uvscrape::store_test {
namespace {

TEST(SqliteStore, DurableRunGivesEveryItemAndReopenedDoesNothing) {
  ThreadedTestServer server;
  serve_store_site(server, true);
  const auto dir = fresh_dir("full");
  const std::string store = (dir / "run.db").string();
  const Crawl first = crawl(server, store, (dir / "files").string());
  EXPECT_EQ(first.result.status, RunStatus::completed);
  EXPECT_FALSE(first.result.resumed);
  EXPECT_EQ(first.items, expected_items()) << item_difference(first.items, expected_items());
  {
    StoreFile f(store);
    EXPECT_EQ(f.number("SELECT count(*) FROM items"), static_cast<long>(expected_items().size()));
    EXPECT_EQ(f.number("SELECT count(*) FROM requests WHERE state <> 2"), 0);
    EXPECT_EQ(f.number("SELECT count(*) FROM files"), kPages * kPerPage / 5);
    EXPECT_EQ(f.one("SELECT value FROM meta WHERE key = 'status'"), "completed");
    EXPECT_EQ(f.one("PRAGMA integrity_check"), "ok");
  }
  const size_t requests = server->request_count();
  const Crawl again = crawl(server, store, (dir / "files").string());
  EXPECT_EQ(again.result.status, RunStatus::completed);
  EXPECT_TRUE(again.result.already_finished);
  EXPECT_TRUE(again.items.empty());
  EXPECT_EQ(server->request_count(), requests);  // nothing fetched
  server.stop();
  EXPECT_EQ(server.loop_close_result(), 0);
}

TEST(SqliteStore, StopLeavesThePendingAndResumeFinishesWithoutRepeats) {
  ThreadedTestServer server;
  serve_store_site(server, true);
  const auto dir = fresh_dir("stop");
  const std::string store = (dir / "run.db").string();
  const Crawl stopped = crawl(server, store, (dir / "files").string(), 4, 50);
  ASSERT_EQ(stopped.result.status, RunStatus::stopped);
  {
    StoreFile f(store);
    EXPECT_EQ(f.one("SELECT value FROM meta WHERE key = 'status'"), "stopped");
    EXPECT_GT(f.number("SELECT count(*) FROM requests WHERE state = 0"), 0);
    EXPECT_EQ(f.number("SELECT count(*) FROM items"), static_cast<long>(stopped.items.size()));
  }
  const Crawl resumed = crawl(server, store, (dir / "files").string(), 8);
  EXPECT_EQ(resumed.result.status, RunStatus::completed);
  EXPECT_TRUE(resumed.result.resumed);
  std::multiset<std::string> all = stopped.items;
  all.insert(resumed.items.begin(), resumed.items.end());
  EXPECT_EQ(all, expected_items()) << item_difference(all, expected_items());
  // The entry was not seeded again: /list/1 was fetched once.
  size_t entry_fetches = 0;
  for (const auto& r : server->requests())
    if (r.path == "/list/1") ++entry_fetches;
  EXPECT_EQ(entry_fetches, 1u);
}

// A window far smaller than the site (2,500 requests, 8 in memory while a list page yields 21):
// children beyond it stay pending in the file and are read back by refills; every item comes once,
// every request is fetched once, none is left pending.
TEST(SqliteStore, ASmallWindowRefillsFromTheStoreAndFetchesEachRequestOnce) {
  ThreadedTestServer server;
  serve_store_site(server, true);
  const auto dir = fresh_dir("window");
  const std::string store = (dir / "run.db").string();
  const Crawl run = crawl(server, store, (dir / "files").string(), 4, -1, false, 8);
  EXPECT_EQ(run.result.status, RunStatus::completed);
  EXPECT_EQ(run.items, expected_items()) << item_difference(run.items, expected_items());
  StoreFile f(store);
  EXPECT_EQ(f.number("SELECT count(*) FROM requests WHERE state <> 2"), 0);
  // Each request once; a flaky case page twice (its 503, then its retry).
  std::map<std::string, size_t> fetches;
  for (const auto& r : server->requests()) ++fetches[r.path];
  for (const auto& [path, n] : fetches) {
    size_t expected = 1;
    if (path.rfind("/case/", 0) == 0) {
      const int p = std::atoi(path.c_str() + 6);
      const int i = std::atoi(path.c_str() + path.find('-') + 1);
      if ((p * kPerPage + i) % 7 == 3) expected = 2;
    }
    EXPECT_EQ(n, expected) << path;
  }
  EXPECT_EQ(fetches.size(), static_cast<size_t>(f.number("SELECT count(*) FROM requests")));
}

// The driver's memory is bounded by the window, not by the run: over a crawl
// of 2,500 requests with store_window 16, the frontier (queued and waiting
// requests, as Driver::progress() counts them) never holds more than 16,
// sampled at every item (each comes right after its completion's children
// entered the frontier). The same crawl in memory queues far more.
TEST(SqliteStore, TheDriversFrontierNeverHoldsMoreThanTheWindow) {
  ThreadedTestServer server;
  serve_store_site(server, false);  // a retry may exceed the window (by the workers at most)
  const auto dir = fresh_dir("window-bound");
  constexpr size_t kWindow = 16;
  auto largest_frontier = [&](const std::string& store, size_t& items) {
    StoreSiteScraper scraper("http://127.0.0.1:" + std::to_string(server.port()));
    DriverOptions o;
    o.num_workers = 4;
    o.store_path = store;
    o.storage_dir = (dir / "files").string();
    o.store_window = kWindow;
    o.retry_backoff_base = std::chrono::milliseconds(2);
    o.retry_backoff_cap = std::chrono::milliseconds(10);
    Driver driver(scraper, o);
    std::uint64_t largest = 0;
    items = 0;
    driver.on_data = [&](const Json&) {
      ++items;
      const DriverProgress p = driver.progress();
      largest = std::max(largest, p.requests_queued + p.requests_waiting);
    };
    EXPECT_EQ(driver.run().status, RunStatus::completed);
    return largest;
  };
  size_t items = 0;
  const std::uint64_t stored = largest_frontier((dir / "run.db").string(), items);
  EXPECT_EQ(items, expected_items().size());
  EXPECT_LE(stored, kWindow);
  EXPECT_GT(stored, 0u);
  const std::uint64_t in_memory = largest_frontier("", items);
  EXPECT_EQ(items, expected_items().size());
  EXPECT_GT(in_memory, 4 * kWindow);  // what the window bounds
}

// A stop with most requests outside the window, then a resume that hands
// over only a window's worth on open and refills the rest.
TEST(SqliteStore, AResumeWithASmallWindowFinishesWithoutRepeats) {
  ThreadedTestServer server;
  serve_store_site(server, true);
  const auto dir = fresh_dir("window-stop");
  const std::string store = (dir / "run.db").string();
  const Crawl stopped = crawl(server, store, (dir / "files").string(), 4, 300, false, 8);
  ASSERT_EQ(stopped.result.status, RunStatus::stopped);
  {
    StoreFile f(store);
    EXPECT_GT(f.number("SELECT count(*) FROM requests WHERE state = 0"), 32);
  }
  const Crawl resumed = crawl(server, store, (dir / "files").string(), 8, -1, false, 8);
  EXPECT_EQ(resumed.result.status, RunStatus::completed);
  std::multiset<std::string> all = stopped.items;
  all.insert(resumed.items.begin(), resumed.items.end());
  EXPECT_EQ(all, expected_items()) << item_difference(all, expected_items());
  StoreFile f(store);
  EXPECT_EQ(f.number("SELECT count(*) FROM requests WHERE state <> 2"), 0);
}

TEST(SqliteStore, ASecondOpenerGetsAnErrorNamingTheFile) {
  ThreadedTestServer server;
  serve_store_site(server, false);
  const auto dir = fresh_dir("lock");
  const std::string store = (dir / "run.db").string();
  const int fd = ::open((store + ".lock").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);  // another "process" has the run open
  try {
    crawl(server, store, (dir / "files").string());
    ADD_FAILURE() << "the second opener ran";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.file(), store);
    EXPECT_NE(std::string(e.what()).find("in use"), std::string::npos) << e.what();
  }
  ::close(fd);
  EXPECT_EQ(server->request_count(), 0u);
  EXPECT_EQ(crawl(server, store, (dir / "files").string()).result.status, RunStatus::completed);
}

TEST(SqliteStore, AnotherScrapersRunIsRefusedUnlessForced) {
  ThreadedTestServer server;
  serve_store_site(server, false);
  const auto dir = fresh_dir("identity");
  const std::string store = (dir / "run.db").string();
  crawl(server, store, (dir / "files").string(), 4, 10);  // stopped: resumable
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(store.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "UPDATE meta SET value = 'Other' WHERE key = 'scraper'", nullptr,
                           nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  try {
    crawl(server, store, (dir / "files").string());
    ADD_FAILURE() << "a run of another scraper was resumed";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("'Other'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(store), std::string::npos) << e.what();
  }
  const Crawl forced = crawl(server, store, (dir / "files").string(), 4, -1, true);
  EXPECT_EQ(forced.result.status, RunStatus::completed);
  EXPECT_TRUE(forced.result.resumed);
}

// A store made with schema version 1 opens with the current one: migrated,
// and its run goes on.
TEST(SqliteStore, AVersionOneStoreIsMigrated) {
  ThreadedTestServer server;
  serve_store_site(server, false);
  const auto dir = fresh_dir("migrate");
  const std::string store = (dir / "run.db").string();
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(store.c_str(), &db), SQLITE_OK);
    store::schema::create_version_1(db, store);
    ASSERT_EQ(store::schema::user_version(db, store), 1);
    sqlite3_close(db);
  }
  const Crawl c = crawl(server, store, (dir / "files").string());
  EXPECT_EQ(c.result.status, RunStatus::completed);
  EXPECT_EQ(c.items, expected_items());
  StoreFile f(store);
  EXPECT_EQ(f.number("PRAGMA user_version"), store::schema::kCurrentVersion);
  EXPECT_EQ(f.number("SELECT count(*) FROM sqlite_master WHERE name = 'requests_by_state'"), 1);
}

// Every request that settled (done or failed) records when, inside the run's
// time; pending ones have no time. A migrated version 1 store gains the
// column and records it too.
TEST(SqliteStore, SettledRequestsRecordWhen) {
  ThreadedTestServer server;
  serve_store_site(server, true);
  for (const bool from_version_1 : {false, true}) {
    const auto dir = fresh_dir(from_version_1 ? "settled-v1" : "settled");
    const std::string store = (dir / "run.db").string();
    if (from_version_1) {
      sqlite3* db = nullptr;
      ASSERT_EQ(sqlite3_open(store.c_str(), &db), SQLITE_OK);
      store::schema::create_version_1(db, store);
      sqlite3_close(db);
    }
    const auto ms = [](std::chrono::system_clock::time_point t) {
      return static_cast<long>(
          std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
    };
    const long before = ms(std::chrono::system_clock::now());
    const Crawl c = crawl(server, store, (dir / "files").string());
    const long after = ms(std::chrono::system_clock::now());
    ASSERT_EQ(c.result.status, RunStatus::completed);
    StoreFile f(store);
    const long settled = f.number("SELECT count(*) FROM requests WHERE state IN (2, 3)");
    EXPECT_GT(settled, 0);
    EXPECT_EQ(f.number("SELECT count(*) FROM requests WHERE settled_at IS NOT NULL"), settled);
    EXPECT_GE(f.number("SELECT min(settled_at) FROM requests"), before);
    EXPECT_LE(f.number("SELECT max(settled_at) FROM requests"), after);
    EXPECT_EQ(f.number("SELECT count(*) FROM sqlite_master WHERE name = 'requests_by_settled_at'"),
              1);
  }
}

// A store of version 5 (before fetch times) is migrated when its stopped run
// resumes: it gains requests.fetch_ms; the requests settled before have no
// time, every one settled after has one (the store site answers them all).
TEST(SqliteStore, AVersionFiveStoreGainsFetchTimesForWhatSettlesAfterIt) {
  ThreadedTestServer server;
  serve_store_site(server, true);
  const auto dir = fresh_dir("fetch-ms-v5");
  const std::string store = (dir / "run.db").string();
  ASSERT_EQ(crawl(server, store, (dir / "files").string(), 4, 50).result.status,
            RunStatus::stopped);
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(store.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "ALTER TABLE requests DROP COLUMN fetch_ms; PRAGMA user_version = 5",
                           nullptr, nullptr, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
  std::string old_ids;
  {
    StoreFile f(store);
    for (const auto& id : f.column("SELECT id FROM requests WHERE state IN (2, 3)"))
      old_ids += (old_ids.empty() ? "" : ",") + id;
  }
  ASSERT_FALSE(old_ids.empty());
  const Crawl resumed = crawl(server, store, (dir / "files").string());
  ASSERT_EQ(resumed.result.status, RunStatus::completed);
  StoreFile f(store);
  EXPECT_EQ(f.number("PRAGMA user_version"), 6);
  const std::string old_rows = "id IN (" + old_ids + ")";
  EXPECT_EQ(
      f.number(("SELECT count(*) FROM requests WHERE " + old_rows + " AND fetch_ms IS NOT NULL")
                   .c_str()),
      0);
  const long later =
      f.number(("SELECT count(*) FROM requests WHERE state IN (2, 3) AND NOT " + old_rows).c_str());
  EXPECT_GT(later, 0);
  EXPECT_EQ(f.number(("SELECT count(*) FROM requests WHERE state IN (2, 3) AND fetch_ms >= 0 "
                      "AND fetch_ms < 10000 AND NOT " +
                      old_rows)
                         .c_str()),
            later);
}

TEST(SqliteStore, ANewerSchemaIsRefused) {
  ThreadedTestServer server;
  serve_store_site(server, false);
  const auto dir = fresh_dir("newer");
  const std::string store = (dir / "run.db").string();
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(store.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  try {
    crawl(server, store, (dir / "files").string());
    ADD_FAILURE() << "a newer store was opened";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();
  }
}

// A full disk (RLIMIT_FSIZE in the crawler child): a StoreError naming the
// file; what was committed stays, and the run finishes once there is room.
TEST(SqliteStore, AFullDiskFailsWithTheFileNamedAndKeepsWhatWasCommitted) {
  ThreadedTestServer server;
  serve_store_site(server, false);
  const auto dir = fresh_dir("full-disk");
  const std::string store = (dir / "run.db").string();
  const std::string files = (dir / "files").string();
  const std::string port = std::to_string(server.port());
  const std::string command = std::string(STORE_CRAWL_CHILD) + " " + port + " " + store + " " +
                              files + " fsize_limit=400000";
  FILE* child = ::popen(command.c_str(), "r");
  ASSERT_NE(child, nullptr);
  char line[4096] = {};
  const bool got = std::fgets(line, sizeof line, child) != nullptr;
  const int status = ::pclose(child);
  ASSERT_TRUE(got);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 3) << line;
  EXPECT_NE(std::string(line).find("StoreError: run store " + store), std::string::npos) << line;
  const long delivered = std::atol(line + 6);  // "items N ..."
  {
    StoreFile f(store);
    EXPECT_EQ(f.one("PRAGMA integrity_check"), "ok");
    EXPECT_GE(f.number("SELECT count(*) FROM items"), delivered);
  }
  const Crawl rest = crawl(server, store, files);
  EXPECT_EQ(rest.result.status, RunStatus::completed);
  StoreFile f(store);
  EXPECT_EQ(f.number("SELECT count(*) FROM items"), static_cast<long>(expected_items().size()));
  EXPECT_EQ(f.number("SELECT count(DISTINCT body) FROM items"),
            static_cast<long>(expected_items().size()));
}

// A scraper of two pages: /a yields an item and a link to /b; /b yields an item.
class TwoPageScraper : public Scraper<Json> {
 public:
  explicit TwoPageScraper(std::string base) : Scraper<Json>("TwoPages"), base_(std::move(base)) {
    step("a", [](const Response& r) -> Step {
      Json item = {{"page", "a"}};
      co_yield std::move(item);
      Request b = Request::get(r.url.substr(0, r.url.rfind('/')) + "/b").to("b");
      co_yield std::move(b);
    });
    step("b", [](const Response&) -> Step {
      Json item = {{"page", "b"}};
      co_yield std::move(item);
    });
  }
  std::vector<Request> get_entry() override { return {Request::get(base_ + "/a").to("a")}; }

 private:
  std::string base_;
};

// A stop while a request waits out its retry keeps it pending with its wait:
// the next run sends it once the wait (Retry-After: 1) is over.
TEST(SqliteStore, AStopDuringARetryWaitKeepsTheWait) {
  ThreadedTestServer server;
  std::atomic<bool> b_fails{true};
  std::atomic<int> b_asked{0};
  server->route("GET", "/a", [](const ServerRequest&, ServerResponse& res) {
    res = ServerResponse::html("<html></html>");
  });
  server->route("GET", "/b", [&](const ServerRequest&, ServerResponse& res) {
    ++b_asked;
    if (b_fails) {
      res = ServerResponse::with_status(503);
      res.header("Retry-After", "1");
    } else {
      res = ServerResponse::html("<html></html>");
    }
  });
  const auto dir = fresh_dir("retry-wait");
  const std::string store = (dir / "run.db").string();
  TwoPageScraper scraper("http://127.0.0.1:" + std::to_string(server.port()));
  DriverOptions o;
  o.store_path = store;
  o.storage_dir = (dir / "files").string();
  std::vector<std::string> items;
  {
    Driver driver(scraper, o);
    driver.on_data = [&](const Json& item) { items.push_back(item.dump()); };
    std::thread stopper([&] {
      while (b_asked == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      std::this_thread::sleep_for(std::chrono::milliseconds(100));  // /b now waits
      driver.stop();
    });
    const RunResult r = driver.run();
    stopper.join();
    EXPECT_EQ(r.status, RunStatus::stopped);
    EXPECT_TRUE(r.failures.empty());
  }
  EXPECT_EQ(b_asked, 1);
  {
    StoreFile f(store);
    EXPECT_EQ(f.number("SELECT count(*) FROM requests WHERE state = 0 AND not_before IS NOT NULL"),
              1);
  }
  b_fails = false;
  Driver driver(scraper, o);
  driver.on_data = [&](const Json& item) { items.push_back(item.dump()); };
  const auto started = std::chrono::steady_clock::now();
  const RunResult r = driver.run();
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(r.status, RunStatus::completed);
  EXPECT_TRUE(r.resumed);
  EXPECT_EQ(b_asked, 2);
  EXPECT_EQ(items, (std::vector<std::string>{R"({"page":"a"})", R"({"page":"b"})"}));
  // The wait was kept: about a second after the 503, not at once (the
  // first run took >= 100 ms of it).
  EXPECT_GE(took, std::chrono::milliseconds(500));
}

// robots.txt with a store: requests pass the gate with their store ids, a
// refused one settles in the file as failed (a RobotsDisallowedError), and a
// resume fetches robots.txt again (its rules are not stored; the fetch is
// not a stored request) before its pending requests go out. The cases of
// list 3 are disallowed: across a stop and a resume none is fetched, each is
// recorded once as a failure, every other item comes exactly once.
TEST(SqliteStore, ObeyingRobotsTxtWorksAcrossAStopAndAResume) {
  ThreadedTestServer server;
  serve_store_site(server, true);
  std::atomic<int> robots_fetches{0};
  server->route("GET", "/robots.txt", [&](const ServerRequest&, ServerResponse& res) {
    ++robots_fetches;
    res = ServerResponse::text("User-agent: *\nDisallow: /case/3-\n");
  });
  const auto dir = fresh_dir("robots");
  StoreSiteScraper scraper("http://127.0.0.1:" + std::to_string(server.port()));
  DriverOptions o;
  o.num_workers = 4;
  o.store_path = (dir / "run.db").string();
  o.storage_dir = (dir / "files").string();
  o.obey_robots_txt = true;
  o.store_window = 64;  // refills go through the gate too
  o.retry_backoff_base = std::chrono::milliseconds(2);
  o.retry_backoff_cap = std::chrono::milliseconds(10);
  std::multiset<std::string> items;
  size_t refused = 0;
  auto run = [&](int stop_after) {
    Driver driver(scraper, o);
    driver.on_data = [&](const Json& item) {
      items.insert(item.dump());
      if (static_cast<int>(items.size()) == stop_after) driver.stop();
    };
    driver.on_failure = [&](const Failure& f) {
      if (f.kind == FailureKind::robots_disallowed) ++refused;
    };
    return driver.run();
  };
  const RunResult first = run(300);
  ASSERT_EQ(first.status, RunStatus::stopped);
  EXPECT_EQ(robots_fetches.load(), 1);
  {
    StoreFile f(o.store_path);
    EXPECT_GT(f.number("SELECT count(*) FROM requests WHERE state = 0"), 0);
  }
  const RunResult resumed = run(-1);
  EXPECT_EQ(resumed.status, RunStatus::completed);
  EXPECT_TRUE(resumed.resumed);
  EXPECT_EQ(robots_fetches.load(), 2);

  std::multiset<std::string> want;
  for (const std::string& item : expected_items()) {
    const Json j = Json::parse(item);
    const std::string id =
        j.contains("case") ? j["case"].get<std::string>() : j["doc"].get<std::string>();
    if (id.rfind("3-", 0) != 0) want.insert(item);
  }
  EXPECT_EQ(items, want) << item_difference(items, want);
  EXPECT_EQ(refused, static_cast<size_t>(kPerPage));
  for (const auto& r : server->requests())
    EXPECT_NE(r.path.rfind("/case/3-", 0), 0u) << r.path << " was fetched";
  StoreFile f(o.store_path);
  EXPECT_EQ(f.number("SELECT count(*) FROM failures WHERE kind = 'RobotsDisallowedError' AND url "
                     "LIKE '%/case/3-%'"),
            kPerPage);
  EXPECT_EQ(f.number("SELECT count(*) FROM failures"), kPerPage);
  EXPECT_EQ(f.number("SELECT count(*) FROM requests WHERE state = 3"), kPerPage);
  EXPECT_EQ(f.number("SELECT count(*) FROM requests WHERE state < 2"), 0);
}

}  // namespace
}  // namespace uvscrape::store_test
