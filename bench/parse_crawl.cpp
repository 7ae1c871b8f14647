// The parse-heavy crawl (bench/README.md): an index page links PAGES pages of
// ~100 KiB of HTML; each page's step parses it, counts its rows and reads
// every row's fields, so the crawl's CPU is libxml2's parse and XPath.
//   parse_crawl BASE_URL STEP_THREADS [WORKERS] [PAGES] [LOOP_HELPS]
// LOOP_HELPS 0 keeps steps off the loop thread (DriverOptions::loop_helps_steps).
// Exits 0 when every page (PAGES of them, when given) was crawled and every
// row count matched the page's own <meta name="rows">, 1 otherwise, 2 for bad
// arguments.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "uvscrape/driver.hpp"
#include "uvscrape/page.hpp"

using namespace uvscrape;

class ParseScraper : public Scraper<Json> {
 public:
  explicit ParseScraper(std::string base) : Scraper("ParseScraper"), base_(std::move(base)) {
    step("index", &ParseScraper::index);
    step("page", &ParseScraper::page);
  }
  std::vector<Request> get_entry() override {
    return {Request::get(base_ + "/parse/index.html").to("index")};
  }

 private:
  Step index(const Response& r) {
    for (auto& href : r.page().checked_xpath_strings("//a[@class='page']/@href", "pages"))
      co_yield Request::get(href).to("page");
  }
  Step page(const Response& r) {
    const Page& page = r.page();
    const auto declared = page.checked_xpath_strings("//meta[@name='rows']/@content", "rows", 1, 1);
    const auto ids = page.checked_xpath_strings("//tr/td[@class='id']/text()", "ids");
    const auto links = page.checked_xpath_strings("//tr/td[@class='name']/a/@href", "links");
    const auto values = page.checked_xpath_strings("//tr/td[@class='v']/text()", "values");
    long sum = 0;
    for (const auto& v : values) sum += std::atol(v.c_str());
    Json item = Json::object();
    item["url"] = r.url;
    item["rows"] = ids.size();
    item["ok"] = std::to_string(ids.size()) == declared[0] && links.size() == ids.size() &&
                 values.size() == ids.size();
    item["sum"] = sum;
    co_yield std::move(item);
  }

  std::string base_;
};

int main(int argc, char** argv) {
  if (argc < 3)
    return std::fprintf(stderr, "usage: %s BASE_URL STEP_THREADS [WORKERS] [PAGES] [LOOP_HELPS]\n", argv[0]), 2;
  ParseScraper scraper(argv[1]);
  DriverOptions options;
  options.step_threads = std::strtoul(argv[2], nullptr, 10);
  options.num_workers = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 8;
  options.loop_helps_steps = argc > 5 ? std::strtoul(argv[5], nullptr, 10) != 0 : true;
  Driver driver(scraper, options);
  size_t items = 0, bad = 0;
  driver.on_data = [&](const Json& item) {
    ++items;
    if (!item["ok"].get<bool>()) ++bad;
  };
  const RunResult result = driver.run();
  const size_t pages = argc > 4
                           ? std::strtoul(argv[4], nullptr, 10)
                           : (result.requests_completed > 0 ? result.requests_completed - 1 : 0);
  if (result.status != RunStatus::completed || items != pages || bad != 0 ||
      result.requests_failed != 0) {
    std::fprintf(
        stderr, "parse_crawl: FAIL: status %s, %zu items of %zu pages, %zu wrong, %zu failed\n",
        to_string(result.status), items, pages, bad, static_cast<size_t>(result.requests_failed));
    return 1;
  }
  return 0;
}
