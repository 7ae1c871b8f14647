// Checked XPath/CSS queries: counts, exception messages, nesting (docs/design.md,
// "Checked selectors" and "Error taxonomy").
#include <gtest/gtest.h>

#include <string>

#include "fixtures.hpp"
#include "uvscrape/errors.hpp"
#include "uvscrape/page.hpp"

namespace uvscrape {
namespace {

constexpr const char* kUrl = "http://127.0.0.1:8080/cases";

HTMLStructuralAssumptionException expect_structural(const std::function<void()>& query) {
  try {
    query();
  } catch (const HTMLStructuralAssumptionException& e) {
    EXPECT_EQ(typeid(e), typeid(HTMLStructuralAssumptionException));
    return e;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception: " << e.what();
    throw;
  }
  ADD_FAILURE() << "no exception";
  throw std::logic_error("no exception");
}

TEST(CheckedXPath, ReturnsMatchesInDocumentOrder) {
  const Page page = Page::parse(test_pages::kCaseList, kUrl);
  const auto rows = page.checked_xpath("//tr[contains(@class, 'case-row')]", "case rows");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].attr("data-docket"), "BCC-2024-001");
  EXPECT_EQ(rows[2].attr("data-docket"), "BCC-2024-003");
  EXPECT_EQ(rows[1].tag(), "tr");
  EXPECT_EQ(page.tag(), "html");
  EXPECT_EQ(page.url(), kUrl);
}

TEST(CheckedXPath, AtLeastMessageAndContext) {
  const Page page = Page::parse(test_pages::kCaseList, kUrl);
  const auto e =
      expect_structural([&] { page.checked_xpath("//table[@id='nope']", "results table"); });
  EXPECT_STREQ(
      e.what(),
      "HTML structure mismatch: Expected at least 1 elements for 'results table', but found 0\n"
      "URL: http://127.0.0.1:8080/cases\n"
      "Context:\n"
      "  selector: //table[@id='nope']\n"
      "  selector_type: xpath\n"
      "  expected_min: 1\n"
      "  expected_max: unlimited\n"
      "  actual_count: 0\n"
      "  is_element_query: True");
  EXPECT_EQ(e.actual_count(), 0);
  EXPECT_EQ(e.request_url(), kUrl);
}

TEST(CheckedXPath, ExactlyMessage) {
  const Page page = Page::parse(test_pages::kCaseList, kUrl);
  const auto e = expect_structural([&] { page.checked_xpath("//tr[@class]", "one row", 1, 1); });
  EXPECT_EQ(e.message(),
            "HTML structure mismatch: Expected exactly 1 elements for 'one row', but found 3");
  EXPECT_EQ(e.expected_max(), 1);
  EXPECT_EQ(e.actual_count(), 3);
}

TEST(CheckedXPath, BetweenMessage) {
  const Page page = Page::parse(test_pages::kCaseList, kUrl);
  const auto e = expect_structural([&] { page.checked_xpath("//td", "cells", 2, 5); });
  EXPECT_EQ(e.message(),
            "HTML structure mismatch: Expected between 2 and 5 elements for 'cells', but found 9");
  EXPECT_NE(std::string(e.what()).find("  expected_max: 5\n  actual_count: 9"), std::string::npos);
}

TEST(CheckedXPath, ZeroAllowedAndMaxBound) {
  const Page page = Page::parse(test_pages::kCaseDetail, kUrl);
  EXPECT_TRUE(page.checked_xpath("//div[@class='missing']", "optional", 0, 1).empty());
  EXPECT_EQ(page.checked_xpath("//a[@class='opinion-link']", "opinion", 0, 1).size(), 1u);
}

TEST(CheckedXPath, NestedQueriesKeepTheUrl) {
  const Page page = Page::parse(test_pages::kCaseList, kUrl);
  const auto rows = page.checked_xpath("//tr[@data-docket]", "rows");
  const auto links = rows[1].checked_xpath(".//a[@class='case-link']", "link", 1, 1);
  EXPECT_EQ(links[0].url(), kUrl);
  EXPECT_EQ(links[0].text(), "BCC-2024-002");
  const auto e = expect_structural([&] { links[0].checked_xpath("./span", "span inside link"); });
  EXPECT_EQ(e.request_url(), kUrl);
  // Elements outlive the Page object they came from.
  std::vector<Element> kept;
  {
    const Page temporary = Page::parse(test_pages::kCaseList, "http://h/tmp");
    kept = temporary.checked_xpath("//a[@class='case-link']", "links");
  }
  EXPECT_EQ(kept.at(2).attr("href"), "/cases/2024/3");
  EXPECT_EQ(kept.at(2).url(), "http://h/tmp");
}

TEST(CheckedXPath, StringsMode) {
  const Page page = Page::parse(test_pages::kCaseList, kUrl);
  EXPECT_EQ(page.checked_xpath_strings("//a[@class='case-link']/@href", "hrefs"),
            (std::vector<std::string>{"/cases/2024/1", "/cases/2024/2", "/cases/2024/3"}));
  EXPECT_EQ(page.checked_xpath_strings("//td[@class='case-name']/text()", "names", 3, 3).at(1),
            "Moth v. Flame");
  EXPECT_EQ(page.checked_xpath_strings("string(//title)", "title", 1, 1).at(0), "Cases");
  // Elements are filtered out, and the count is of strings.
  const auto e = expect_structural([&] { page.checked_xpath_strings("//td", "cells as strings"); });
  EXPECT_EQ(e.actual_count(), 0);
  EXPECT_FALSE(e.is_element_query());
  EXPECT_NE(std::string(e.what()).find("is_element_query: False"), std::string::npos);
}

TEST(CheckedXPath, InvalidExpression) {
  const Page page = Page::parse(test_pages::kCaseList, kUrl);
  for (const char* bad : {"//tr[", "//*[@", "///", "count(", "//a[@x='1']]", ""}) {
    const auto e = expect_structural([&] { page.checked_xpath(bad, "rows", 0); });
    EXPECT_EQ(e.actual_count(), 0) << bad;
    EXPECT_EQ(e.selector(), bad);
    EXPECT_EQ(e.selector_type(), "xpath");
    EXPECT_NE(std::string(e.what()).find("invalid XPath expression"), std::string::npos) << bad;
  }
  const auto s = expect_structural([&] { page.checked_xpath_strings("//@", "attr", 0); });
  EXPECT_FALSE(s.is_element_query());
}

TEST(CheckedXPath, Accessors) {
  const Page page = Page::parse(test_pages::kCaseDetail, kUrl);
  const auto dd = page.checked_xpath("//dd[@id='plaintiff']", "plaintiff", 1, 1).at(0);
  EXPECT_EQ(dd.text(), " Beetle ");
  EXPECT_EQ(dd.trimmed_text(), "Beetle");
  EXPECT_EQ(dd.attr("id"), "plaintiff");
  EXPECT_EQ(dd.attr("class"), std::nullopt);
  EXPECT_TRUE(dd.is_element());
  const auto attr = page.checked_xpath("//a/@href", "href node", 1, 1).at(0);
  EXPECT_FALSE(attr.is_element());
  EXPECT_EQ(attr.tag(), "href");
  EXPECT_EQ(attr.text(), "/opinions/BCC-2024-001");
  EXPECT_EQ(page.checked_xpath("//h2", "title").at(0).text(), "Beetle v. Ant");
}

TEST(CheckedCss, DemoSelectors) {
  const Page page = Page::parse(test_pages::kCaseList, kUrl);
  EXPECT_EQ(page.checked_css("tr.case-row", "rows").size(), 3u);
  EXPECT_EQ(page.checked_css("table#cases-table tr.case-row[data-docket]", "rows").size(), 3u);
  EXPECT_EQ(page.checked_css("td.docket > a.case-link", "links").size(), 3u);
  EXPECT_EQ(page.checked_css("tr.odd", "odd row", 1, 1).at(0).attr("data-docket"), "BCC-2024-002");
  EXPECT_EQ(page.checked_css("[data-docket='BCC-2024-003'] .case-name", "name", 1, 1).at(0).text(),
            "Wasp   v.  Bee");
  EXPECT_EQ(
      page.checked_css("form#date-search input[type=hidden]", "hidden", 1, 1).at(0).attr("name"),
      "page");
  EXPECT_EQ(page.checked_css("nav a, td.docket a", "all links").size(), 5u);
  // Tag names are case-insensitive; libxml2 adds no <tbody>.
  EXPECT_EQ(page.checked_css("TABLE > TR", "rows", 4, 4).size(), 4u);
  const auto rows = page.checked_css("tr.case-row", "rows");
  EXPECT_EQ(rows[0].checked_css("a", "nested", 1, 1).at(0).url(), kUrl);
  // Like cssselect, the context element itself can match.
  EXPECT_EQ(rows[0].checked_css("tr", "self", 1, 1).size(), 1u);
}

TEST(CheckedCss, StructuralMessageSaysCss) {
  const Page page = Page::parse(test_pages::kCaseList, kUrl);
  const auto e = expect_structural([&] { page.checked_css("div.case-details", "details", 1, 1); });
  EXPECT_EQ(e.selector_type(), "css");
  EXPECT_EQ(e.selector(), "div.case-details");
  EXPECT_EQ(e.message(),
            "HTML structure mismatch: Expected exactly 1 elements for 'details', but found 0");
}

TEST(CheckedCss, InvalidSelectors) {
  const Page page = Page::parse(test_pages::kCaseList, kUrl);
  for (const char* bad : {"", "tr.", "#", "a[href", "a[href^=x]", "a:first-child", "a + b", "a ~ b",
                          "> a", "a >", "a,", ",a", "a[='x']", "a[x='1]", ".2024", "a!"}) {
    const auto e = expect_structural([&] { page.checked_css(bad, "thing", 0); });
    EXPECT_EQ(e.selector_type(), "css") << bad;
    EXPECT_EQ(e.actual_count(), 0) << bad;
    EXPECT_NE(std::string(e.what()).find("invalid CSS selector"), std::string::npos) << bad;
  }
}

TEST(CheckedCss, QuotesInAttributeValues) {
  const Page page = Page::parse(R"(<p title="it's">a</p><p title='say "hi"'>b</p>)", kUrl);
  EXPECT_EQ(page.checked_css(R"(p[title="it's"])", "apostrophe", 1, 1).at(0).text(), "a");
  EXPECT_EQ(page.checked_css(R"(p[title='say "hi"'])", "quotes", 1, 1).at(0).text(), "b");
  EXPECT_EQ(page.checked_css("p[title=it]", "prefix only", 0, 0).size(), 0u);
}

}  // namespace
}  // namespace uvscrape

namespace uvscrape {
namespace {

// The per-thread caches of compiled XPath and translated CSS are bounded:
// thousands of distinct generated expressions still evaluate correctly.
TEST(QueryCaches, ManyDistinctExpressionsStayCorrect) {
  const Page page = Page::parse(test_pages::kCaseList, "http://h/");
  for (int i = 0; i < 5000; ++i) {
    const std::string n = std::to_string(i % 3 + 1);
    const std::string xpath =
        "//a[@href='/cases/2024/" + n + "' or @id='x" + std::to_string(i) + "']";
    ASSERT_EQ(page.checked_xpath(xpath, "link", 1, 1).at(0).text(), "BCC-2024-00" + n);
    const std::string css = "a[href='/cases/2024/" + n + "'], #y" + std::to_string(i);
    ASSERT_EQ(page.checked_css(css, "link", 1, 1).at(0).text(), "BCC-2024-00" + n);
  }
}

}  // namespace
}  // namespace uvscrape
