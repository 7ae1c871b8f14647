// Scale figure: a latency-bound crawl. The test server delays every response by
// 100 ms; 5,000 pages with 500 workers can at best take 10 rounds of 100 ms =
// 1.0 s. The figure is how close the driver gets (target <= 1.05 s): it shows
// whether workers, the connection pool and the queue keep 500 requests in
// flight, or serialise somewhere.
//
//   latency_crawl [PAGES] [WORKERS] [DELAY_MS]     (default 5000 500 100)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "threaded_test_server.hpp"
#include "uvscrape/driver.hpp"
#include "uvscrape/scraper.hpp"

namespace {

using uvscrape::Json;
using uvscrape::Request;
using uvscrape::Response;
using uvscrape::Step;

// Every page is an entry request (nothing to discover), so the crawl is the
// fetches alone; each step yields one small item, as a real step would.
class DelayedPagesScraper : public uvscrape::Scraper<Json> {
 public:
  DelayedPagesScraper(std::string base, int pages) : base_(std::move(base)), pages_(pages) {
    step("parse_page", &DelayedPagesScraper::parse_page);
  }

  std::vector<Request> get_entry() override {
    std::vector<Request> requests;
    requests.reserve(static_cast<size_t>(pages_));
    for (int i = 0; i < pages_; ++i)
      requests.push_back(
          Request::get(base_ + "/page/" + std::to_string(i) + ".html").to("parse_page"));
    return requests;
  }

  Step parse_page(const Response& response) {
    Json item = Json::object();
    item["url"] = response.url;
    item["bytes"] = response.content.size();
    co_yield std::move(item);
  }

 private:
  std::string base_;
  int pages_;
};

}  // namespace

int main(int argc, char** argv) {
  const int pages = argc > 1 ? std::atoi(argv[1]) : 5000;
  const int workers = argc > 2 ? std::atoi(argv[2]) : 500;
  const int delay_ms = argc > 3 ? std::atoi(argv[3]) : 100;
  // Absent: DriverOptions' default (the cores minus one).
  const int step_threads = argc > 4
                               ? std::atoi(argv[4])
                               : static_cast<int>(uvscrape::DriverOptions::default_step_threads());
  if (pages <= 0 || workers <= 0 || delay_ms < 0 || step_threads < 0) {
    std::fprintf(stderr, "usage: latency_crawl [PAGES] [WORKERS] [DELAY_MS] [STEP_THREADS]\n");
    return 2;
  }

  uvscrape::testing::TestServerOptions server_options;
  server_options.record_requests = false;  // measure the driver, not the server's request log
  uvscrape::testing::ThreadedTestServer server(server_options);
  auto page =
      uvscrape::testing::ServerResponse::html("<!DOCTYPE html><html><body><h1>A slow page</h1><p>" +
                                              std::string(2000, 'x') + "</p></body></html>");
  page.delay_before_headers = std::chrono::milliseconds(delay_ms);
  server->respond("GET", "/page/*", page);

  DelayedPagesScraper scraper("http://127.0.0.1:" + std::to_string(server.port()), pages);
  uvscrape::DriverOptions options;
  options.num_workers = static_cast<size_t>(workers);
  options.step_threads = static_cast<size_t>(step_threads);
  // One origin: let every worker have its own connection, as the crawl intends.
  options.max_connections_per_origin = static_cast<size_t>(workers);
  options.max_connections_total = static_cast<size_t>(workers);
  uvscrape::Driver driver(scraper, options);
  size_t items = 0;
  std::chrono::steady_clock::time_point first_item, last_item;
  driver.on_data = [&](const Json&) {
    last_item = std::chrono::steady_clock::now();
    if (items++ == 0) first_item = last_item;
  };

  const auto start = std::chrono::steady_clock::now();
  const uvscrape::RunResult result = driver.run();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto end = std::chrono::steady_clock::now();
  // Where the time over the ideal goes: before the first response (seeding,
  // 500 connects, the first requests), and after the last item (closing).
  const auto ms = [&](auto t) {
    return std::chrono::duration<double, std::milli>(t - start).count();
  };
  std::fprintf(
      stderr,
      "latency_crawl: first item after %.1f ms, last item after %.1f ms, run ended after %.1f ms\n",
      ms(first_item), ms(last_item), ms(end));
  const uint64_t connections = server->connections_accepted();
  const size_t requests_served = server->request_count();
  server.stop();

  const int rounds = (pages + workers - 1) / workers;
  const double ideal = rounds * delay_ms / 1000.0;
  const double target = 1.05 * ideal;
  std::printf(
      "latency-bound crawl: %d pages, %d workers, %d step threads, every response delayed %d ms: "
      "%.3f s "
      "(ideal %.1f s, %.2fx), %llu connections; target <= %.2f s %s\n",
      pages, workers, step_threads, delay_ms, seconds, ideal, seconds / ideal,
      static_cast<unsigned long long>(connections), target, seconds <= target ? "PASS" : "FAIL");
  if (result.status != uvscrape::RunStatus::completed || items != static_cast<size_t>(pages) ||
      requests_served != static_cast<size_t>(pages)) {
    std::fprintf(stderr,
                 "latency_crawl: FAIL: status %s, %zu items and %zu requests served of %d\n",
                 uvscrape::to_string(result.status), items, requests_served, pages);
    return 1;
  }
  return 0;
}
