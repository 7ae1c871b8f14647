// Failures that do not end a crawl (docs/design.md §17), against a fault site:
// list pages link to case pages; some case pages fail in every way the test
// server can (503, 404, reset, truncation, garbage status, bad chunk, a stall
// past the timeout, a page that is not what the step expects, a bad link).
// Every servable item arrives once, every failure is recorded with its kind.
#include <map>
#include <set>

#include "driver_test_support.hpp"

namespace uvscrape::driver_test {
namespace {

constexpr int kPages = 5;
constexpr int kPerPage = 20;

// The fault of case `n` ("" for a good page); every 10th case has one.
std::string fault_of(int n) {
  static const char* const kFaults[] = {"503",   "404",   "reset", "truncated", "garbage",
                                        "chunk", "stall", "odd",   "",          ""};
  return n % 10 == 3 ? kFaults[(n / 10) % 10] : "";
}

void serve_fault_site(ThreadedTestServer& server) {
  server->route("GET", "/list/*", [](const ServerRequest& req, ServerResponse& res) {
    const int p = std::atoi(req.path.c_str() + 6);
    std::string html = "<html><body>";
    for (int i = 0; i < kPerPage; ++i)
      html += "<a class='case' href='/case/" + std::to_string(p * kPerPage + i) + "'>c</a>";
    if (p == 0) html += "<a class='case' href='javascript:alert(1)'>bad</a>";
    if (p + 1 < kPages) html += "<a rel='next' href='/list/" + std::to_string(p + 1) + "'>n</a>";
    res = ServerResponse::html(html + "</body></html>");
  });
  server->route("GET", "/case/*", [](const ServerRequest& req, ServerResponse& res) {
    const int n = std::atoi(req.path.c_str() + 6);
    const std::string fault = fault_of(n);
    res = ServerResponse::html("<html><body><p class='docket'>C-" + std::to_string(n) + "</p>" +
                               std::string(2000, ' ') + "</body></html>");
    if (fault == "503") res = ServerResponse::with_status(503);
    if (fault == "404") res = ServerResponse::with_status(404);
    if (fault == "reset") {
      res.disconnect = testing::Disconnect::before_response;
      res.disconnect_with_reset = true;
    }
    if (fault == "truncated") res.disconnect = testing::Disconnect::mid_body;
    if (fault == "garbage") res.invalid_status_line = true;
    if (fault == "chunk") {
      res.chunked = true;
      res.bad_chunk_size = true;
    }
    if (fault == "stall") res.delay_before_headers = std::chrono::milliseconds(3000);
    if (fault == "odd") res = ServerResponse::html("<html><body>no docket</body></html>");
  });
}

struct FaultCrawl {
  RunResult result;
  std::multiset<std::string> items;
  std::vector<Failure> seen;  // on_failure
  DriverProgress progress;
};

FaultCrawl crawl_fault_site(ThreadedTestServer& server, size_t workers,
                            size_t failures_kept = DriverOptions{}.failures_kept) {
  LambdaScraper scraper;
  scraper.entries = {Request::get(server.url("/list/0")).to("list")};
  scraper.add_step("list", [](const Response& r) -> Step {
    for (const auto& href : links(r, "//a[@class='case']/@href"))
      co_yield Request::get(href).to("case");
    for (const auto& href : links(r, "//a[@rel='next']/@href"))
      co_yield Request::get(href).to("list").priority(1);
  });
  scraper.add_step("case", [](const Response& r) -> Step {
    co_yield Json(
        page_of(r).checked_xpath_strings("//p[@class='docket']/text()", "docket", 1, 1)[0]);
  });
  DriverOptions o = test_options("failures", workers);
  o.first_byte_timeout = std::chrono::milliseconds(1000);  // the stalls time out
  o.failures_kept = failures_kept;
  Driver driver(scraper, o);
  FaultCrawl out;
  driver.on_data = [&](const Json& item) { out.items.insert(item.get<std::string>()); };
  driver.on_failure = [&](const Failure& f) { out.seen.push_back(f); };
  Deadline deadline(std::chrono::seconds(60));
  out.result = driver.run();
  out.progress = driver.progress();
  return out;
}

void expect_every_servable_item_and_every_failure(const FaultCrawl& crawl) {
  EXPECT_EQ(crawl.result.status, RunStatus::completed);
  std::multiset<std::string> servable;
  std::map<std::string, FailureKind> expected_kind = {{"503", FailureKind::http_status_transient},
                                                      {"404", FailureKind::http_status_persistent},
                                                      {"reset", FailureKind::connection},
                                                      {"truncated", FailureKind::connection},
                                                      {"garbage", FailureKind::protocol},
                                                      {"chunk", FailureKind::protocol},
                                                      {"stall", FailureKind::timeout},
                                                      {"odd", FailureKind::structural}};
  std::map<std::string, FailureKind> expected;  // URL path -> kind
  for (int n = 0; n < kPages * kPerPage; ++n) {
    const std::string fault = fault_of(n);
    if (fault.empty())
      servable.insert("C-" + std::to_string(n));
    else
      expected["/case/" + std::to_string(n)] = expected_kind.at(fault);
  }
  EXPECT_EQ(crawl.items, servable);  // every servable item, none twice
  EXPECT_EQ(crawl.result.items_emitted, servable.size());

  std::map<std::string, FailureKind> got;
  size_t bad_links = 0;
  for (const Failure& f : crawl.result.failures) {
    if (f.kind == FailureKind::invalid_url) {
      ++bad_links;
      EXPECT_EQ(f.url, "javascript:alert(1)");
      EXPECT_EQ(f.step, "list");
      EXPECT_NE(f.page_url.find("/list/0"), std::string::npos);
      continue;
    }
    const std::string path = f.url.substr(f.url.find("/case/"));
    got[path] = f.kind;
    EXPECT_EQ(f.step, "case");
    // Transient failures were retried (docs/design.md §18) before they counted.
    const bool transient = f.kind == FailureKind::http_status_transient ||
                           f.kind == FailureKind::connection || f.kind == FailureKind::timeout;
    const unsigned retries = static_cast<unsigned>(DriverOptions{}.max_retries);
    EXPECT_EQ(f.attempts, transient ? 1u + retries : 1u) << path;
    EXPECT_NE(f.message.find(path), std::string::npos) << f.message;  // names the URL
    EXPECT_NE(f.error, nullptr);
    ASSERT_NE(f.request, nullptr);
    EXPECT_EQ(f.request->url(), f.url);
    EXPECT_NE(f.page_url.find("/list/"), std::string::npos) << f.page_url;
  }
  EXPECT_EQ(bad_links, 1u);
  EXPECT_EQ(got, expected);
  EXPECT_EQ(crawl.result.requests_failed, expected.size() + 1);
  EXPECT_EQ(crawl.seen.size(), crawl.result.failures.size());
  EXPECT_EQ(crawl.result.failures_not_kept, 0u);

  // Counted by kind, the same in RunResult and in the progress figures.
  FailureCounts want;
  for (const auto& [path, kind] : expected) ++want.by_kind[static_cast<size_t>(kind)];
  ++want.by_kind[static_cast<size_t>(FailureKind::invalid_url)];
  EXPECT_EQ(crawl.result.failure_counts.by_kind, want.by_kind);
  EXPECT_EQ(crawl.progress.failure_counts.by_kind, want.by_kind);
  EXPECT_EQ(crawl.progress.requests_failed, crawl.result.requests_failed);
  EXPECT_EQ(crawl.result.failure_counts.total(), crawl.result.failures.size());
}

TEST(DriverFailures, FaultSiteWithOneWorker) {
  ThreadedTestServer server;
  serve_fault_site(server);
  expect_every_servable_item_and_every_failure(crawl_fault_site(server, 1));
}

TEST(DriverFailures, FaultSiteWithSixteenWorkers) {
  ThreadedTestServer server;
  serve_fault_site(server);
  expect_every_servable_item_and_every_failure(crawl_fault_site(server, 16));
}

// RunResult keeps the first failures_kept; the rest are counted and seen by
// on_failure, so memory does not grow with a failing site.
TEST(DriverFailures, RunResultKeepsOnlyTheFirstFailuresButCountsAll) {
  ThreadedTestServer server;
  serve_fault_site(server);
  const FaultCrawl crawl = crawl_fault_site(server, 4, 3);
  EXPECT_EQ(crawl.result.status, RunStatus::completed);
  size_t faults = 1;  // the bad link
  for (int n = 0; n < kPages * kPerPage; ++n) faults += !fault_of(n).empty();
  EXPECT_EQ(crawl.result.requests_failed, faults);
  EXPECT_EQ(crawl.seen.size(), faults);
  EXPECT_EQ(crawl.result.failure_counts.total(), faults);
  ASSERT_EQ(crawl.result.failures.size(), 3u);
  EXPECT_EQ(crawl.result.failures_not_kept, faults - 3);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(crawl.result.failures[i].url, crawl.seen[i].url);
}

TEST(DriverFailures, PerKindCallbacksStillSeeTheErrorAndTheirFalseStops) {
  ThreadedTestServer server;
  serve_fault_site(server);
  LambdaScraper scraper;
  scraper.entries = {Request::get(server.url("/case/13")).to("case"),  // 404
                     Request::get(server.url("/case/1")).to("case")};
  scraper.add_step("case", [](const Response& r) -> Step { co_yield Json(r.url); });
  Driver driver(scraper, test_options("failures-stop"));
  int failures = 0;
  int persistent = 0;
  driver.on_failure = [&](const Failure&) { ++failures; };
  driver.on_persistent_exception = [&](const PersistentException&) {
    ++persistent;
    return false;
  };
  Deadline deadline(std::chrono::seconds(30));
  const RunResult r = driver.run();
  EXPECT_EQ(r.status, RunStatus::stopped);
  EXPECT_EQ(failures, 1);
  EXPECT_EQ(persistent, 1);
  EXPECT_EQ(r.requests_discarded, 1u);
}

TEST(DriverFailures, AnOnFailureThatThrowsEndsTheRunWithError) {
  ThreadedTestServer server;
  serve_fault_site(server);
  LambdaScraper scraper;
  scraper.entries = {Request::get(server.url("/case/13")).to("case")};
  scraper.add_step("case", [](const Response& r) -> Step { co_yield Json(r.url); });
  Driver driver(scraper, test_options("failures-throw"));
  driver.on_failure = [](const Failure&) { throw std::runtime_error("bug in on_failure"); };
  RunStatus status = RunStatus::completed;
  driver.on_run_complete = [&](auto&, RunStatus s, auto, auto, auto) { status = s; };
  Deadline deadline(std::chrono::seconds(30));
  EXPECT_THROW(driver.run(), std::runtime_error);
  EXPECT_EQ(status, RunStatus::error);
}

TEST(DriverFailures, FailFastEndsTheRunAtTheFirstFailureWithoutACallback) {
  ThreadedTestServer server;
  serve_fault_site(server);
  LambdaScraper scraper;
  scraper.entries = {Request::get(server.url("/case/13")).to("case")};
  scraper.add_step("case", [](const Response& r) -> Step { co_yield Json(r.url); });
  DriverOptions o = test_options("failures-fast");
  o.fail_fast = true;
  Driver driver(scraper, o);
  int failures = 0;
  driver.on_failure = [&](const Failure&) { ++failures; };  // sees it, does not decide
  Deadline deadline(std::chrono::seconds(30));
  EXPECT_THROW(driver.run(), PersistentHTTPResponseException);
  EXPECT_EQ(failures, 1);
}

}  // namespace
}  // namespace uvscrape::driver_test
