// The site the store tests crawl: /list/<p> links to its cases
// /case/<p>-<i> and to /list/<p+1>; every 5th case links a document
// /doc/<p>-<i>.pdf (a few KiB, streamed in chunks). Shared by the test and the
// crawler child it kills.
#pragma once

#include <string>
#include <vector>

#include "uvscrape/uvscrape.hpp"

namespace uvscrape::store_test {

inline constexpr int kPages = 100;
inline constexpr int kPerPage = 20;  // 100 lists + 2,000 cases + 400 documents

inline bool has_document(int p, int i) {
  return (p * kPerPage + i) % 5 == 0;
}

// A document's bytes: deterministic, so the test can check every file.
inline std::string document_body(const std::string& name) {
  std::string body = "%PDF-1.4\n";
  unsigned x = 2166136261u;
  for (char c : name) x = (x ^ static_cast<unsigned char>(c)) * 16777619u;
  while (body.size() < 24 * 1024) {
    x = x * 1103515245u + 12345u;
    body += static_cast<char>('A' + (x >> 16) % 26);
  }
  return body;
}

// The scraper: list pages fan out; each case yields {"case": id}; each
// document yields {"doc": name, "bytes": size}.
class StoreSiteScraper : public Scraper<Json> {
 public:
  explicit StoreSiteScraper(std::string base) : Scraper<Json>("StoreSite"), base_(std::move(base)) {
    step("list", [](const Response& r) -> Step {
      for (const auto& href :
           r.page().checked_xpath_strings("//a[@class='case']/@href", "cases", 0)) {
        Request child = Request::get(href).to("case");
        co_yield std::move(child);
      }
      for (const auto& href : r.page().checked_xpath_strings("//a[@rel='next']/@href", "next", 0)) {
        Request next = Request::get(href).to("list").priority(1);
        co_yield std::move(next);
      }
    });
    step("case", [](const Response& r) -> Step {
      const std::string id =
          r.page().checked_xpath_strings("//p[@class='id']/text()", "id", 1, 1).at(0);
      Json item = {{"case", id}};
      co_yield std::move(item);
      for (const auto& href : r.page().checked_xpath_strings("//a[@class='pdf']/@href", "pdf", 0)) {
        Request doc = Request::get(href).archive("pdf").to("doc");
        co_yield std::move(doc);
      }
    });
    step("doc", [](const Response& r) -> Step {
      const std::string path(*r.local_filepath());
      Json item = {{"doc", path.substr(path.rfind('/') + 1)}};
      co_yield std::move(item);
    });
  }
  std::vector<Request> get_entry() override { return {Request::get(base_ + "/list/1").to("list")}; }

 private:
  std::string base_;
};

}  // namespace uvscrape::store_test
