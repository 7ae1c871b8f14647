// Micro-benchmarks: HTML parse + XPath (include/uvscrape/page.hpp) on the pages
// of the crawl benchmark -- a ~6 KB case page with four fields and a list page
// with 50 links, shaped like bench/gen_site.py's.
#include <benchmark/benchmark.h>

#include <string>

#include "uvscrape/page.hpp"
#include "uvscrape/response.hpp"

namespace {

std::string case_page() {
  static const char* const kWords[] = {"lorem",    "ipsum",   "dolor",  "sit",    "amet",
                                       "court",    "motion",  "appeal", "brief",  "remand",
                                       "affirmed", "counsel", "record", "hearing"};
  std::string summary;
  for (int k = 0; k < 880; ++k) {
    if (k) summary += ' ';
    summary += kWords[(120 + k * k) % 14];
  }
  return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Case 120</title></head>\n"
         "<body><div class=\"case-details\"><h1>Beetle v. Ant, No. 120</h1>\n<dl>\n"
         "<dt>Docket</dt><dd class=\"docket\">BCC-000120</dd>\n"
         "<dt>Filed</dt><dd class=\"filed\">2024-07-09</dd>\n"
         "<dt>Judge</dt><dd class=\"judge\">Justice Moth</dd>\n"
         "<dt>Status</dt><dd class=\"status\">stayed</dd>\n"
         "</dl>\n<p class=\"summary\">" +
         summary +
         "</p>\n<div class=\"documents\"><a class=\"pdf\" href=\"/docs/120.pdf\">Opinion "
         "(PDF)</a></div>"
         "</div></body></html>\n";
}

std::string list_page() {
  std::string rows;
  for (int i = 101; i <= 150; ++i) {
    const std::string id = std::to_string(i);
    rows += "<tr><td><a class=\"case\" href=\"/cases/" + id + ".html\">Case " + id +
            "</a></td><td>2024-03-" + std::to_string(i % 28 + 1) + "</td></tr>\n";
  }
  return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Cases, page "
         "3</title></head>\n"
         "<body><table id=\"cases\">\n" +
         rows +
         "</table>\n<nav><a rel=\"next\" href=\"/cases/page/4.html\">Next "
         "page</a></nav></body></html>\n";
}

const std::string kCaseUrl = "http://127.0.0.1:8080/cases/120.html";
const std::string kListUrl = "http://127.0.0.1:8080/cases/page/3.html";

// What a case step does: four fields and the optional document link.
void extract_case(const uvscrape::Page& page, benchmark::State& state) {
  for (const char* field : {"docket", "filed", "judge", "status"}) {
    const std::string xpath = std::string("//dd[@class='") + field + "']/text()";
    benchmark::DoNotOptimize(page.checked_xpath_strings(xpath, field, 1, 1));
  }
  auto pdf = page.checked_xpath_strings("//a[@class='pdf']/@href", "document link", 0, 1);
  if (pdf.size() != 1) state.SkipWithError("document link not found");
}

void BM_ParseCasePage(benchmark::State& state) {
  const std::string html = case_page();
  for (auto _ : state) benchmark::DoNotOptimize(uvscrape::Page::parse(html, kCaseUrl));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * html.size()));
}
BENCHMARK(BM_ParseCasePage);

void BM_XPathCaseFields(benchmark::State& state) {
  const uvscrape::Page page = uvscrape::Page::parse(case_page(), kCaseUrl);
  for (auto _ : state) extract_case(page, state);
}
BENCHMARK(BM_XPathCaseFields);

// The same four fields with one query: the <dd> elements, then class and text
// of each (a scraper's choice; shows what a query over the whole page costs).
void BM_XPathCaseFieldsOneQuery(benchmark::State& state) {
  const uvscrape::Page page = uvscrape::Page::parse(case_page(), kCaseUrl);
  for (auto _ : state) {
    for (const uvscrape::Element& dd : page.checked_xpath("//dl/dd", "case fields", 4, 4)) {
      benchmark::DoNotOptimize(dd.attr("class"));
      benchmark::DoNotOptimize(dd.text());
    }
  }
}
BENCHMARK(BM_XPathCaseFieldsOneQuery);

// The whole per-page cost of the crawl's case step: parse, then extract.
void BM_ParseAndExtractCasePage(benchmark::State& state) {
  const std::string html = case_page();
  for (auto _ : state) extract_case(uvscrape::Page::parse(html, kCaseUrl), state);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * html.size()));
}
BENCHMARK(BM_ParseAndExtractCasePage);

void BM_ParseListPage(benchmark::State& state) {
  const std::string html = list_page();
  for (auto _ : state) benchmark::DoNotOptimize(uvscrape::Page::parse(html, kListUrl));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * html.size()));
}
BENCHMARK(BM_ParseListPage);

// A list step: parse, 50 case links, the next-page link.
void BM_ParseAndExtractListPage(benchmark::State& state) {
  const std::string html = list_page();
  for (auto _ : state) {
    const uvscrape::Page page = uvscrape::Page::parse(html, kListUrl);
    benchmark::DoNotOptimize(
        page.checked_xpath_strings("//a[@class='case']/@href", "case links", 1));
    benchmark::DoNotOptimize(
        page.checked_xpath_strings("//a[@rel='next']/@href", "next page", 0, 1));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * html.size()));
}
BENCHMARK(BM_ParseAndExtractListPage);

// A case step as the driver runs it: the charset decided and the page parsed
// from a Response (text() is the body itself for valid UTF-8), then extraction.
void BM_ResponsePageAndExtractCasePage(benchmark::State& state) {
  const std::string html = case_page();
  uvscrape::Headers headers;
  headers.add("Content-Type", "text/html; charset=utf-8");
  for (auto _ : state) {
    const uvscrape::Response response(200, headers, html, kCaseUrl, nullptr);
    extract_case(response.page(), state);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * html.size()));
}
BENCHMARK(BM_ResponsePageAndExtractCasePage);

// The same page declared windows-1252 with one non-ASCII byte: decoded once for
// both text() and page().
void BM_ResponseTextAndPageLatin1CasePage(benchmark::State& state) {
  std::string html = case_page();
  html.replace(html.find("Beetle"), 1, "\xC9");
  uvscrape::Headers headers;
  headers.add("Content-Type", "text/html; charset=windows-1252");
  for (auto _ : state) {
    const uvscrape::Response response(200, headers, html, kCaseUrl, nullptr);
    benchmark::DoNotOptimize(response.text().size());
    extract_case(response.page(), state);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * html.size()));
}
BENCHMARK(BM_ResponseTextAndPageLatin1CasePage);

}  // namespace
