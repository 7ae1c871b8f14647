// The selectors each step evaluated, counted per response and committed to
// the run store with the request (schema v5's selectors table): responses
// evaluated and responses matched, per step and selector, the same with step
// threads, and counted once across a stop and a resume.
#include <sqlite3.h>

#include <map>
#include <optional>
#include <tuple>

#include "driver_test_support.hpp"

namespace uvscrape::driver_test {
namespace {

constexpr int kPages = 12;

// /list links kPages pages; page n has an h1, a span.odd when n is odd, and
// never a p.missing.
void site(ThreadedTestServer& server, LambdaScraper& scraper) {
  server->route("GET", "/list", [](const ServerRequest&, ServerResponse& res) {
    std::string html = "<html><body>";
    for (int i = 1; i <= kPages; ++i)
      html += "<a class='page' href='/page/" + std::to_string(i) + "'>p</a>";
    res = ServerResponse::html(html + "</body></html>");
  });
  server->route("GET", "/page/*", [](const ServerRequest& req, ServerResponse& res) {
    const int n = std::atoi(req.path.c_str() + 6);
    res = ServerResponse::html("<html><body><h1>" + std::to_string(n) + "</h1>" +
                               (n % 2 ? "<span class='odd'>odd</span>" : "") + "</body></html>");
    res.delay_before_headers = std::chrono::milliseconds(5);
  });
  scraper.entries = {Request::get(server.url("/list")).to("list")};
  scraper.add_step("list", [](const Response& r) -> Step {
    for (const auto& href : links(r, "//a[@class='page']/@href")) {
      Request page = Request::get(href).to("page");
      co_yield std::move(page);
    }
  });
  scraper.add_step("page", [](const Response& r) -> Step {
    const Page& page = r.page();
    const auto title = page.checked_css("h1", "the title", 1, 1)[0].trimmed_text();
    const bool odd = !page.css("span.odd").empty();
    const bool missing = !page.xpath("//p[@class='missing']").empty();
    static_cast<void>(page.css("h1"));  // the same selector again: one response, counted once
    Json item = {{"page", title}, {"odd", odd}, {"missing", missing}};
    co_yield std::move(item);
  });
}

using Key = std::tuple<std::string, std::string, std::string>;  // step, kind, selector
using Counts = std::map<Key, std::pair<long, long>>;            // responses, matched

Counts stored_counts(const std::string& path) {
  Counts out;
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, "SELECT step, kind, selector, responses, matched FROM selectors",
                               -1, &stmt, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(db);
  while (stmt && sqlite3_step(stmt) == SQLITE_ROW) {
    auto text = [&](int c) { return std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, c))); };
    out[{text(0), text(1), text(2)}] = {sqlite3_column_int64(stmt, 3), sqlite3_column_int64(stmt, 4)};
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

const Counts& expected_counts() {
  static const Counts counts = {
      {{"list", "xpath", "//a[@class='page']/@href"}, {1, 1}},
      {{"page", "css", "h1"}, {kPages, kPages}},
      {{"page", "css", "span.odd"}, {kPages, kPages / 2}},
      {{"page", "xpath", "//p[@class='missing']"}, {kPages, 0}},
  };
  return counts;
}

RunResult crawl(ThreadedTestServer& server, const std::string& name, const std::string& store,
                std::size_t step_threads, std::optional<std::size_t> stop_after = {}) {
  LambdaScraper scraper;
  site(server, scraper);
  DriverOptions o = test_options(name, 2);
  o.store_path = store;
  o.step_threads = step_threads;
  Driver driver(scraper, o);
  std::size_t items = 0;
  driver.on_data = [&](const Json&) {
    if (stop_after && ++items == *stop_after) driver.stop();
  };
  return driver.run();
}

TEST(SelectorCounts, EachStepsSelectorsAreCountedPerResponse) {
  for (const std::size_t threads : {0u, 2u}) {
    ThreadedTestServer server;
    const std::string name = "selectors-" + std::to_string(threads);
    const std::string store = (fresh_dir(name + "-store") / "run.db").string();
    const RunResult result = crawl(server, name, store, threads);
    ASSERT_EQ(result.status, RunStatus::completed);
    EXPECT_EQ(result.items_emitted, static_cast<std::uint64_t>(kPages));
    EXPECT_EQ(stored_counts(store), expected_counts()) << "step threads: " << threads;
  }
}

TEST(SelectorCounts, AStoppedRunResumedCountsEachResponseOnce) {
  ThreadedTestServer server;
  const std::string store = (fresh_dir("selectors-resume-store") / "run.db").string();
  const RunResult stopped = crawl(server, "selectors-stop", store, 0, 4);
  ASSERT_EQ(stopped.status, RunStatus::stopped);
  const auto part = stored_counts(store);
  ASSERT_TRUE(part.count({"page", "css", "h1"}));
  EXPECT_LT(part.at({"page", "css", "h1"}).first, kPages);
  const RunResult resumed = crawl(server, "selectors-resume", store, 0);
  ASSERT_EQ(resumed.status, RunStatus::completed);
  EXPECT_TRUE(resumed.resumed);
  EXPECT_EQ(stored_counts(store), expected_counts());
}

}  // namespace
}  // namespace uvscrape::driver_test
