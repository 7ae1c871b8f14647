// ProgressReporter's log-line mode over a crawl of the test server: every line
// parses, the counts never go down and reach the run's, and the summary
// matches the RunResult. The status-line mode rewrites one line in place.
#include "uvscrape/progress_reporter.hpp"

#include <algorithm>
#include <optional>
#include <regex>
#include <sstream>

#include "driver_test_support.hpp"

namespace uvscrape::driver_test {
namespace {

struct Figures {
  std::uint64_t done, queued, in_flight, items, failures;
};

// 3 list pages of 10 items, each item slow enough that a 30 ms log interval
// sees the crawl half-way; item 2-3 is a 404 (one failure).
void slow_site(ThreadedTestServer& server, LambdaScraper& scraper) {
  server->route("GET", "/list/*", [](const ServerRequest& req, ServerResponse& res) {
    const int p = std::atoi(req.path.c_str() + 6);
    std::string html = "<html><body>";
    for (int i = 0; i < 10; ++i)
      html +=
          "<a class='item' href='/item/" + std::to_string(p) + "-" + std::to_string(i) + "'>i</a>";
    if (p < 3) html += "<a rel='next' href='/list/" + std::to_string(p + 1) + "'>next</a>";
    res = ServerResponse::html(html + "</body></html>");
  });
  server->route("GET", "/item/*", [](const ServerRequest& req, ServerResponse& res) {
    res = req.path == "/item/2-3" ? ServerResponse::with_status(404)
                                  : ServerResponse::html("<p>" + req.path + "</p>");
    res.delay_before_headers = std::chrono::milliseconds(15);
  });
  scraper.entries = {Request::get(server.url("/list/1")).to("list")};
  scraper.add_step("list", [](const Response& r) -> Step {
    for (const auto& href : links(r, "//a[@class='item']/@href")) {
      Request item = Request::get(href).to("item");
      co_yield std::move(item);
    }
    for (const auto& href : links(r, "//a[@rel='next']/@href")) {
      Request next = Request::get(href).to("list").priority(1);
      co_yield std::move(next);
    }
  });
  scraper.add_step("item", [](const Response& r) -> Step { co_yield Json(r.url); });
}

TEST(ProgressReporter, LogLinesRiseToTheRunAndTheSummaryMatches) {
  ThreadedTestServer server;
  LambdaScraper scraper;
  slow_site(server, scraper);
  Driver driver(scraper, test_options("progress-log", 2));
  std::string out;
  ProgressReporterOptions o;
  o.mode = ProgressReporterOptions::Mode::log_lines;
  o.log_interval = std::chrono::milliseconds(30);
  o.write = [&out](std::string_view text) { out += text; };
  ProgressReporter progress(driver, o);
  EXPECT_FALSE(progress.status_line_mode());

  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  std::optional<RunResult> result;
  progress.start(&loop);
  driver.start(&loop, [&](const RunResult& r) {
    result = r;
    progress.report_now();  // the last line shows the finished counts
    progress.stop();
  });
  Deadline deadline(std::chrono::seconds(30));
  uv_run(&loop, UV_RUN_DEFAULT);
  ASSERT_TRUE(result);
  EXPECT_EQ(uv_loop_close(&loop), 0);
  EXPECT_EQ(result->status, RunStatus::completed);
  EXPECT_EQ(result->requests_completed, 33u);
  EXPECT_EQ(result->items_emitted, 29u);
  EXPECT_EQ(result->requests_failed, 1u);

  const std::regex line_re(
      R"(requests (\d+) done, (\d+) queued, (\d+) in flight \| items (\d+) \| failures (\d+) \| )"
      R"((\d+\.\d) req/s \| ETA (\d+:\d\d|\?) \| (\d+\.\d)s)");
  std::vector<Figures> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(line, m, line_re)) << "unparsed line: " << line;
    lines.push_back({std::stoull(m[1]), std::stoull(m[2]), std::stoull(m[3]), std::stoull(m[4]),
                     std::stoull(m[5])});
  }
  // 32 items at 15 ms on 2 workers take >= 240 ms: several 30 ms reports.
  ASSERT_GE(lines.size(), 4u) << out;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    EXPECT_GE(lines[i].done, lines[i - 1].done);
    EXPECT_GE(lines[i].items, lines[i - 1].items);
    EXPECT_GE(lines[i].failures, lines[i - 1].failures);
  }
  // Some report saw the crawl under way, and the counts rose past it.
  bool midway = false;
  for (const Figures& f : lines) midway |= f.done > 0 && f.done < 33 && f.queued + f.in_flight > 0;
  EXPECT_TRUE(midway) << out;
  EXPECT_LT(lines.front().done, lines.back().done);
  const Figures& last = lines.back();
  EXPECT_EQ(last.done, result->requests_completed);
  EXPECT_EQ(last.items, result->items_emitted);
  EXPECT_EQ(last.failures, result->requests_failed);
  EXPECT_EQ(last.queued + last.in_flight, 0u);

  const std::string summary = progress.summary(*result);
  EXPECT_TRUE(summary.starts_with("run completed in ")) << summary;
  EXPECT_NE(summary.find(": 33 requests ("), std::string::npos) << summary;
  EXPECT_NE(summary.find(", 29 items, 1 failures, 0 discarded, 0 cancelled\n"), std::string::npos)
      << summary;
  EXPECT_NE(summary.find("  PersistentHTTPResponseException: 1\n"), std::string::npos) << summary;
}

TEST(ProgressReporter, StatusLineIsRewrittenInPlaceAndErasedOnStop) {
  ThreadedTestServer server;
  LambdaScraper scraper;
  slow_site(server, scraper);
  Driver driver(scraper, test_options("progress-tty", 2));
  std::string out;
  ProgressReporterOptions o;
  o.mode = ProgressReporterOptions::Mode::status_line;
  o.status_interval = std::chrono::milliseconds(20);
  o.write = [&out](std::string_view text) { out += text; };
  ProgressReporter progress(driver, o);
  EXPECT_TRUE(progress.status_line_mode());
  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  bool noted = false;
  driver.on_data = [&](const Json&) {
    if (!noted) progress.note("first item");
    noted = true;
  };
  progress.start(&loop);
  driver.start(&loop, [&](const RunResult&) { progress.stop(); });
  Deadline deadline(std::chrono::seconds(30));
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_EQ(uv_loop_close(&loop), 0);
  // No newline but the note's: the line is rewritten ("\r" + erase) each time.
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  EXPECT_NE(out.find("first item\n"), std::string::npos);
  EXPECT_GE(std::count(out.begin(), out.end(), '\r'), 4) << out;
  EXPECT_TRUE(out.ends_with("\r\033[K")) << "the status line is erased at the end";
}

TEST(ProgressReporter, EtaFromTheRate) {
  DriverProgress p;
  p.requests_completed = 100;
  p.requests_queued = 150;
  p.requests_in_flight = 50;
  EXPECT_EQ(ProgressReporter::format_line(p, std::chrono::seconds(10)),
            "requests 100 done, 150 queued, 50 in flight | items 0 | failures 0 | 10.0 req/s | "
            "ETA 0:20 | 10.0s");
  p.requests_completed = 0;
  EXPECT_NE(ProgressReporter::format_line(p, std::chrono::seconds(1)).find("ETA ?"),
            std::string::npos);
}

}  // namespace
}  // namespace uvscrape::driver_test
