// Retries (docs/design.md §18) measured at a real server: Retry-After in both
// forms, pages that fail transiently and then succeed, the retry budget and
// its per-request override, a waiting request holding no worker, and a stop
// during backoff waits keeping the accounting whole.
#include <map>
#include <mutex>

#include "driver_test_support.hpp"

namespace uvscrape::driver_test {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Arrival times of every request, by path (handlers run on the server thread).
class Arrivals {
 public:
  void note(const std::string& path) {
    std::lock_guard<std::mutex> lock(mutex_);
    times_[path].push_back(Clock::now());
    order_.push_back(path);
  }
  std::vector<Clock::time_point> of(const std::string& path) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = times_.find(path);
    return it == times_.end() ? std::vector<Clock::time_point>{} : it->second;
  }
  size_t count(const std::string& path) const { return of(path).size(); }
  std::vector<std::string> order() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return order_;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::vector<Clock::time_point>> times_;
  std::vector<std::string> order_;
};

// A scraper fetching `paths` of `server` and yielding each page's path.
void page_scraper(LambdaScraper& scraper, const ThreadedTestServer& server,
                  const std::vector<std::string>& paths) {
  for (const auto& p : paths) scraper.entries.push_back(Request::get(server.url(p)).to("page"));
  scraper.add_step("page", [](const Response& r) -> Step {
    Json item = r.url;
    co_yield std::move(item);
  });
}

DriverOptions fast_retries(const std::string& name, size_t workers) {
  DriverOptions o = test_options(name, workers);
  o.retry_backoff_base = milliseconds{20};
  o.retry_backoff_cap = milliseconds{100};
  return o;
}

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

TEST(DriverRetry, RetryAfterSecondsIsWaitedAtLeast) {
  ThreadedTestServer server;
  Arrivals arrivals;
  server->route("GET", "/busy", [&](const ServerRequest& req, ServerResponse& res) {
    arrivals.note(req.path);
    if (arrivals.count(req.path) == 1) {
      res = ServerResponse::with_status(503);
      res.headers.emplace_back("Retry-After", "2");
    } else {
      res = ServerResponse::html("<p>ok</p>");
    }
  });
  LambdaScraper scraper;
  page_scraper(scraper, server, {"/busy"});
  Driver driver(scraper, fast_retries("retry-after-seconds", 4));
  std::vector<Json> items;
  driver.on_data = [&](const Json& item) { items.push_back(item); };
  Deadline deadline(std::chrono::seconds(30));
  const RunResult r = driver.run();
  EXPECT_EQ(r.status, RunStatus::completed);
  ASSERT_EQ(items.size(), 1u);
  const auto times = arrivals.of("/busy");
  ASSERT_EQ(times.size(), 2u);
  EXPECT_GE(seconds_between(times[0], times[1]), 2.0);
  EXPECT_LT(seconds_between(times[0], times[1]), 3.0);  // and not much later
  EXPECT_EQ(driver.progress().retries, 1u);
  EXPECT_EQ(driver.progress().requests_waiting, 0u);
}

std::string http_date(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char text[64];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return text;
}

TEST(DriverRetry, RetryAfterHttpDateIsWaitedFor) {
  ThreadedTestServer server;
  std::mutex mutex;
  std::vector<std::chrono::system_clock::time_point> seen;
  std::chrono::system_clock::time_point not_before{};
  server->route("GET", "/busy", [&](const ServerRequest&, ServerResponse& res) {
    std::lock_guard<std::mutex> lock(mutex);
    const auto now = std::chrono::system_clock::now();
    seen.push_back(now);
    if (seen.size() == 1) {
      // Two whole seconds on, truncated to the second as an HTTP-date is.
      not_before = std::chrono::floor<std::chrono::seconds>(now) + std::chrono::seconds{2};
      res = ServerResponse::with_status(503);
      res.headers.emplace_back("Retry-After", http_date(not_before));
    } else {
      res = ServerResponse::html("<p>ok</p>");
    }
  });
  LambdaScraper scraper;
  page_scraper(scraper, server, {"/busy"});
  Driver driver(scraper, fast_retries("retry-after-date", 2));
  int items = 0;
  driver.on_data = [&](const Json&) { ++items; };
  Deadline deadline(std::chrono::seconds(30));
  driver.run();
  EXPECT_EQ(items, 1);
  std::lock_guard<std::mutex> lock(mutex);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_GE(seen[1], not_before);
  EXPECT_LT(seen[1], not_before + std::chrono::seconds{1});
}

// Page i fails i % 3 times (a 503, then a body cut short), then serves.
TEST(DriverRetry, TransientlyFailingPagesSucceedOnTheirSecondOrThirdAttempt) {
  ThreadedTestServer server;
  Arrivals arrivals;
  server->route("GET", "/p/*", [&](const ServerRequest& req, ServerResponse& res) {
    arrivals.note(req.path);
    const int i = std::atoi(req.path.c_str() + 3);
    const size_t attempt = arrivals.count(req.path);
    if (attempt <= static_cast<size_t>(i % 3)) {
      if (attempt == 1) {
        res = ServerResponse::with_status(503);
      } else {
        // Cut mid-body: the client cannot resend on its own, the driver retries.
        res = ServerResponse::html(std::string(1000, 'x'));
        res.disconnect = testing::Disconnect::mid_body;
        res.disconnect_after_body_bytes = 100;
      }
      return;
    }
    res = ServerResponse::html("<p>" + std::to_string(i) + "</p>");
  });
  std::vector<std::string> paths;
  for (int i = 0; i < 30; ++i) paths.push_back("/p/" + std::to_string(i));
  LambdaScraper scraper;
  page_scraper(scraper, server, paths);
  Driver driver(scraper, fast_retries("retry-succeed", 8));
  std::set<std::string> items;
  int transient_callbacks = 0;
  driver.on_data = [&](const Json& item) {
    EXPECT_TRUE(items.insert(item.get<std::string>()).second);
  };
  driver.on_transient_exception = [&](const TransientException&) {
    ++transient_callbacks;
    return true;
  };
  Deadline deadline(std::chrono::seconds(60));
  const RunResult r = driver.run();
  EXPECT_EQ(r.status, RunStatus::completed);
  EXPECT_EQ(items.size(), 30u);
  EXPECT_EQ(transient_callbacks, 0);  // asked only after the last attempt
  for (int i = 0; i < 30; ++i)
    EXPECT_EQ(arrivals.count(paths[static_cast<size_t>(i)]), static_cast<size_t>(i % 3 + 1)) << i;
  EXPECT_EQ(driver.progress().retries, 30u);  // 10 pages x 1 + 10 pages x 2
}

TEST(DriverRetry, BudgetAndPerRequestOverride) {
  ThreadedTestServer server;
  Arrivals arrivals;
  server->route("GET", "/down/*", [&](const ServerRequest& req, ServerResponse& res) {
    arrivals.note(req.path);
    res = ServerResponse::with_status(503);
  });
  LambdaScraper scraper;
  scraper.entries = {Request::get(server.url("/down/default")).to("page"),
                     Request::get(server.url("/down/none")).no_retry().to("page"),
                     Request::get(server.url("/down/five")).retries(5).to("page")};
  scraper.add_step("page", [](const Response&) -> Step { co_return; });
  DriverOptions o = fast_retries("retry-budget", 4);
  o.max_retries = 2;
  Driver driver(scraper, o);
  std::vector<std::string> asked;
  driver.on_transient_exception = [&](const TransientException& e) {
    asked.emplace_back(e.what());
    return true;
  };
  Deadline deadline(std::chrono::seconds(30));
  driver.run();
  EXPECT_EQ(arrivals.count("/down/default"), 3u);
  EXPECT_EQ(arrivals.count("/down/none"), 1u);
  EXPECT_EQ(arrivals.count("/down/five"), 6u);
  EXPECT_EQ(asked.size(), 3u);  // once per request, after its last attempt
  EXPECT_EQ(driver.progress().retries, 7u);
}

// One worker: while /slow waits out its Retry-After, every other page is fetched.
TEST(DriverRetry, AWaitingRequestHoldsNoWorker) {
  ThreadedTestServer server;
  Arrivals arrivals;
  server->route("GET", "/w/*", [&](const ServerRequest& req, ServerResponse& res) {
    arrivals.note(req.path);
    if (req.path == "/w/slow" && arrivals.count(req.path) == 1) {
      res = ServerResponse::with_status(429);
      res.headers.emplace_back("Retry-After", "1");
      return;
    }
    res = ServerResponse::html("<p>ok</p>");
  });
  std::vector<std::string> paths{"/w/slow"};
  for (int i = 0; i < 20; ++i) paths.push_back("/w/" + std::to_string(i));
  LambdaScraper scraper;
  page_scraper(scraper, server, paths);
  Driver driver(scraper, fast_retries("retry-no-worker", 1));
  int items = 0;
  driver.on_data = [&](const Json&) { ++items; };
  Deadline deadline(std::chrono::seconds(30));
  driver.run();
  EXPECT_EQ(items, 21);
  const auto order = arrivals.order();
  ASSERT_EQ(order.size(), 22u);
  EXPECT_EQ(order.front(), "/w/slow");
  EXPECT_EQ(order.back(), "/w/slow");  // the retry came after all the others
}

// A stop while requests wait out their backoff discards them; the run ends at
// once and completed + failed + discarded = enqueued.
TEST(DriverRetry, StopDuringBackoffWaitsKeepsTheAccounting) {
  ThreadedTestServer server;
  server->route("GET", "/s/*", [&](const ServerRequest& req, ServerResponse& res) {
    if (req.path.rfind("/s/busy", 0) == 0) {
      res = ServerResponse::with_status(503);
      res.headers.emplace_back("Retry-After", "30");
      return;
    }
    res = ServerResponse::html("<p>ok</p>");
  });
  std::vector<std::string> paths;
  for (int i = 0; i < 5; ++i) paths.push_back("/s/busy" + std::to_string(i));
  for (int i = 0; i < 10; ++i) paths.push_back("/s/ok" + std::to_string(i));
  LambdaScraper scraper;
  page_scraper(scraper, server, paths);
  Driver driver(scraper, fast_retries("retry-stop", 4));
  int items = 0;
  driver.on_data = [&](const Json&) {
    if (++items == 10) {
      // Every fine page is done; the busy ones wait (30 s) for their retry.
      EXPECT_EQ(driver.progress().requests_waiting, 5u);
      driver.stop();
    }
  };
  Deadline deadline(std::chrono::seconds(20));
  const auto start = Clock::now();
  const RunResult r = driver.run();
  EXPECT_LT(seconds_between(start, Clock::now()), 10.0);  // nobody waited the 30 s
  EXPECT_EQ(r.status, RunStatus::stopped);
  EXPECT_EQ(items, 10);
  EXPECT_EQ(r.requests_discarded, 5u);
  const DriverProgress p = driver.progress();
  EXPECT_EQ(p.requests_waiting, 0u);
  EXPECT_EQ(p.retries, 5u);
  EXPECT_EQ(p.requests_completed + r.requests_discarded, paths.size());
}

}  // namespace
}  // namespace uvscrape::driver_test
