// The benchmark crawl (bench/README.md): list pages -> case pages -> PDFs.
//   cases_crawl BASE_URL OUT_DIR [WORKERS] [STEP_THREADS]
// (STEP_THREADS absent: DriverOptions' default, the cores minus one.)
// Writes one JSON object per case to OUT_DIR/items.jsonl, archives the PDFs
// under OUT_DIR/. A page that fails (503, reset, garbage) is recorded and the
// crawl goes on: the failures are counted by kind on stderr, and the exit code
// is 0 when the crawl completed, whatever failed on the way; 1 when it ended
// with an error (or items.jsonl could not be written); 2 for bad arguments.
// With CASES_CRAWL_STORE=DIR in the environment the run is kept in a new
// SQLite store DIR/run-<pid>.db (the benchmark of the durable run); with
// CASES_CRAWL_RESPONSES=1 as well, the store keeps every response
// (DriverOptions::store_responses).
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "uvscrape/driver.hpp"
#include "uvscrape/page.hpp"

using namespace uvscrape;

class CasesScraper : public Scraper<Json> {
 public:
  explicit CasesScraper(std::string base) : Scraper("CasesScraper"), base_(std::move(base)) {
    step("list", &CasesScraper::list);
    step("case_page", &CasesScraper::case_page);
    step("document", &CasesScraper::document);
  }
  std::vector<Request> get_entry() override {
    return {Request::get(base_ + "/cases/page/1.html").to("list")};
  }

 private:
  Step list(const Response& r) {
    const Page& page = r.page();
    for (auto& href : page.checked_xpath_strings("//a[@class='case']/@href", "case links"))
      co_yield Request::get(href).to("case_page");
    for (auto& href : page.checked_xpath_strings("//a[@rel='next']/@href", "next page", 0, 1))
      co_yield Request::get(href).to("list").priority(2);  // keep discovering
  }
  Step case_page(const Response& r) {
    const Page& page = r.page();
    Json item = Json::object();
    for (const char* field : {"docket", "filed", "judge", "status"}) {
      const std::string xpath = std::string("//dd[@class='") + field + "']/text()";
      item[field] = page.checked_xpath_strings(xpath, field, 1, 1)[0];
    }
    co_yield item;
    for (auto& href : page.checked_xpath_strings("//a[@class='pdf']/@href", "document", 0, 1))
      co_yield Request::get(href).archive("pdf").to("document");
  }
  Step document(const Response&) { co_return; }  // the driver stored the file

  std::string base_;
};

int main(int argc, char** argv) {
  if (argc < 3)
    return std::fprintf(stderr, "usage: %s BASE_URL OUT_DIR [WORKERS] [STEP_THREADS]\n", argv[0]),
           2;
  std::string base = argv[1];
  while (!base.empty() && base.back() == '/') base.pop_back();
  DriverOptions options;
  options.storage_dir = argv[2];
  options.num_workers = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 32;
  if (argc > 4) options.step_threads = std::strtoul(argv[4], nullptr, 10);
  // The steps share nothing mutable, so the loop thread may run one too when
  // the step threads are busy (docs/performance.md, "Choosing step_threads").
  options.loop_helps_steps = true;
  if (const char* store_dir = std::getenv("CASES_CRAWL_STORE"))
    options.store_path = std::string(store_dir) + "/run-" + std::to_string(getpid()) + ".db";
  // CASES_CRAWL_STORE_URL=redis://...: the Redis store, shared by every
  // process given the same URL (bench/run --redis).
  if (const char* url = std::getenv("CASES_CRAWL_STORE_URL")) options.store_path = url;
  if (const char* keep = std::getenv("CASES_CRAWL_RESPONSES"))
    options.store_responses = !options.store_path.empty() && std::string(keep) == "1";
  CasesScraper scraper(base);
  try {
    Driver driver(scraper, options);
    std::FILE* items = std::fopen((options.storage_dir + "/items.jsonl").c_str(), "w");
    if (!items) return std::perror("items.jsonl"), 1;
    static char buffer[1 << 20];  // items are written in big blocks, never one by one
    std::setvbuf(items, buffer, _IOFBF, sizeof buffer);
    driver.on_data = [items](const Json& item) {
      std::string line = item.dump();
      line += '\n';
      std::fwrite(line.data(), 1, line.size(), items);
    };
    const RunResult result = driver.run();
    const bool written = std::fclose(items) == 0;
    std::fprintf(stderr, "%s: %" PRIu64 " requests, %" PRIu64 " items, %" PRIu64 " failed\n",
                 to_string(result.status), result.requests_completed, result.items_emitted,
                 result.requests_failed);
    for (size_t k = 0; k < kFailureKinds; ++k) {
      const auto kind = static_cast<FailureKind>(k);
      if (result.failure_counts[kind] != 0)
        std::fprintf(stderr, "  %s: %" PRIu64 "\n", to_string(kind), result.failure_counts[kind]);
    }
    return result.status == RunStatus::completed && written ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cases_crawl: %s\n", e.what());
    return 1;
  }
}
