// Politeness figure: 100 hosts (127.0.0.10 ... 127.0.0.109, all loopback), each
// limited to 5 requests per second (burst 1), 20 pages each, crawled together.
// The ideal is the per-host schedule: 20 requests at 5/s start over 3.8 s, so
// about 4 s in all. The figures: wall time against that ideal (target within
// 10%), and the worst one-second window seen by any host at its server
// (target <= 6: the rate plus the burst).
//
//   politeness_crawl [HOSTS] [PAGES_PER_HOST] [RATE] [WORKERS]   (default 100 20 5 64)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "threaded_test_server.hpp"
#include "uvscrape/driver.hpp"
#include "uvscrape/scraper.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using uvscrape::Json;
using uvscrape::Request;
using uvscrape::Response;
using uvscrape::Step;

class PagesScraper : public uvscrape::Scraper<Json> {
 public:
  explicit PagesScraper(std::vector<std::string> urls) : urls_(std::move(urls)) {
    step("page", &PagesScraper::page);
  }
  std::vector<Request> get_entry() override {
    std::vector<Request> out;
    out.reserve(urls_.size());
    for (const auto& u : urls_) out.push_back(Request::get(u).to("page"));
    return out;
  }
  Step page(const Response& response) {
    Json item = response.url;
    co_yield std::move(item);
  }

 private:
  std::vector<std::string> urls_;
};

// One host's server and the arrival time of each request it got.
struct Host {
  explicit Host(const std::string& ip) : server(options(ip)) {
    server->route(
        "GET", "/p/*",
        [this](const uvscrape::testing::ServerRequest&, uvscrape::testing::ServerResponse& res) {
          {
            std::lock_guard<std::mutex> lock(mutex);
            arrivals.push_back(Clock::now());
          }
          res = uvscrape::testing::ServerResponse::html("<p>ok</p>");
        });
  }
  static uvscrape::testing::TestServerOptions options(const std::string& ip) {
    uvscrape::testing::TestServerOptions o;
    o.bind_host = ip;
    o.url_host = ip;
    o.record_requests = false;
    return o;
  }
  size_t worst_window() {
    std::lock_guard<std::mutex> lock(mutex);
    size_t worst = 0;
    for (size_t i = 0, j = 0; i < arrivals.size(); ++i) {
      while (arrivals[i] - arrivals[j] >= std::chrono::seconds{1}) ++j;
      worst = std::max(worst, i - j + 1);
    }
    return worst;
  }
  uvscrape::testing::ThreadedTestServer server;
  std::mutex mutex;
  std::vector<Clock::time_point> arrivals;
};

}  // namespace

int main(int argc, char** argv) {
  const int hosts = argc > 1 ? std::atoi(argv[1]) : 100;
  const int pages = argc > 2 ? std::atoi(argv[2]) : 20;
  const double rate = argc > 3 ? std::atof(argv[3]) : 5.0;
  const int workers = argc > 4 ? std::atoi(argv[4]) : 64;
  if (hosts <= 0 || hosts > 200 || pages <= 0 || rate <= 0 || workers <= 0) {
    std::fprintf(stderr, "usage: politeness_crawl [HOSTS<=200] [PAGES] [RATE] [WORKERS]\n");
    return 2;
  }
  std::vector<std::unique_ptr<Host>> servers;
  std::vector<std::string> urls;
  for (int h = 0; h < hosts; ++h) {
    servers.push_back(std::make_unique<Host>("127.0.0." + std::to_string(10 + h)));
  }
  // Interleaved by page, as a crawl of many sites discovers them.
  for (int p = 0; p < pages; ++p)
    for (auto& s : servers) urls.push_back(s->server.url("/p/" + std::to_string(p)));

  PagesScraper scraper(urls);
  uvscrape::DriverOptions options;
  options.num_workers = static_cast<size_t>(workers);
  options.per_host.rate = rate;
  options.per_host.burst = 1;
  uvscrape::Driver driver(scraper, options);
  size_t items = 0;
  driver.on_data = [&items](const Json&) { ++items; };
  const auto start = Clock::now();
  driver.run();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();

  size_t worst = 0;
  for (auto& s : servers) worst = std::max(worst, s->worst_window());
  for (auto& s : servers) s->server.stop();
  const double ideal = (pages - 1) / rate + 0.2;  // the schedule, plus a round trip's slack
  const bool on_time = seconds <= 1.1 * ideal;
  const auto allowed = static_cast<size_t>(rate) + 1;
  std::printf(
      "politeness crawl: %d hosts x %d pages at %.1f req/s per host, %d workers: %.2f s (ideal "
      "%.2f s, %.2fx; target within 10%% %s); worst one-second window on any host %zu requests "
      "(target <= %zu %s)\n",
      hosts, pages, rate, workers, seconds, ideal, seconds / ideal, on_time ? "PASS" : "FAIL",
      worst, allowed, worst <= allowed ? "PASS" : "FAIL");
  if (items != urls.size()) {
    std::fprintf(stderr, "politeness_crawl: FAIL: %zu items of %zu\n", items, urls.size());
    return 1;
  }
  return on_time && worst <= allowed ? 0 : 1;
}
