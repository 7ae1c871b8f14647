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

// The path of an absolute URL ("/list/3" of "http://127.0.0.1:80/list/3").
inline std::string path_of(const std::string& url) {
  const auto host = url.find("//");
  const auto slash = url.find('/', host == std::string::npos ? 0 : host + 2);
  return slash == std::string::npos ? "/" : url.substr(slash);
}

// The items, with what each step saw of previous_request(): a case of list p
// names that list and counts its ancestors (list p-1, ..., list 1: p in all);
// a document names its case. A request read back from the store (on resume,
// or refilled into a small window) must have them as the run that yielded it.
inline Json case_item(int p, int i) {
  return {{"case", std::to_string(p) + "-" + std::to_string(i)},
          {"from", "/list/" + std::to_string(p)},
          {"depth", p}};
}
inline Json doc_item(const std::string& id) {
  return {{"doc", id + ".pdf"}, {"from", "/case/" + id}};
}

// The scraper: list pages fan out; each case yields case_item(); each
// document yields doc_item().
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
      Json item = {{"case", id}, {"from", nullptr}, {"depth", 0}};
      if (const auto& list = r.request->previous_request()) item["from"] = path_of(list->url());
      int depth = 0;
      for (auto q = r.request->previous_request(); q; q = q->previous_request()) ++depth;
      item["depth"] = depth;
      co_yield std::move(item);
      for (const auto& href : r.page().checked_xpath_strings("//a[@class='pdf']/@href", "pdf", 0)) {
        Request doc = Request::get(href).archive("pdf").to("doc");
        co_yield std::move(doc);
      }
    });
    step("doc", [](const Response& r) -> Step {
      const std::string path(*r.local_filepath());
      Json item = {{"doc", path.substr(path.rfind('/') + 1)}, {"from", nullptr}};
      if (const auto& page = r.request->previous_request()) item["from"] = path_of(page->url());
      co_yield std::move(item);
    });
  }
  std::vector<Request> get_entry() override { return {Request::get(base_ + "/list/1").to("list")}; }

 private:
  std::string base_;
};

}  // namespace uvscrape::store_test
