// Page::parse, parse_json, forms, malformed input, and libxml2 staying quiet.
#include "uvscrape/page.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "fixtures.hpp"
#include "uvscrape/errors.hpp"
#include "uvscrape/url.hpp"

namespace uvscrape {
namespace {

constexpr const char* kSearchUrl = "http://127.0.0.1:8080/cases/search";

TEST(PageParse, EmptyBodyFails) {
  for (const char* body : {"", "   \n\t "}) {
    try {
      (void)Page::parse(body, kSearchUrl);
      ADD_FAILURE() << "parsed an empty body";
    } catch (const ScraperAssumptionException& e) {
      EXPECT_EQ(typeid(e), typeid(ScraperAssumptionException));
      EXPECT_EQ(e.message().rfind("Failed to parse HTML: ", 0), 0u) << e.message();
      EXPECT_EQ(e.request_url(), kSearchUrl);
      ASSERT_EQ(e.context().size(), 1u);
      EXPECT_EQ(e.context()[0].first, "error");
      EXPECT_NE(std::string(e.what()).find("URL: http://127.0.0.1:8080/cases/search"),
                std::string::npos);
    }
  }
}

TEST(PageParse, FragmentsAndUtf8Text) {
  const Page text_only = Page::parse("just text", "http://h/");
  EXPECT_EQ(text_only.checked_xpath_strings("string(.)", "text", 1, 1).at(0), "just text");
  // The input is text, already decoded: a <meta> naming another charset is ignored.
  const char* declared_latin1 =
      "<html><head><meta charset=\"iso-8859-1\"></head><body><p>caf\xC3\xA9</p></body></html>";
  EXPECT_EQ(Page::parse(declared_latin1, "http://h/").checked_css("p", "p", 1, 1).at(0).text(),
            "caf\xC3\xA9");
  const Page utf8 = Page::parse("<p>caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x90\x9B</p>", "http://h/");
  EXPECT_EQ(utf8.checked_css("p", "p", 1, 1).at(0).text(),
            "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x90\x9B");
}

// Every string a step can take out of a page is valid UTF-8, bad bytes
// replaced by U+FFFD as a browser shows them, so nlohmann::json can dump it.
TEST(PageParse, InvalidUtf8BecomesReplacementCharacters) {
  const char* html =
      "<html><head><meta charset=\"utf-8\"></head><body>"
      "<p class='c\xFF'>caf\xE9 \xC3\x28 \xF0\x9F\x90</p><a href='/x\xFE'>l</a></body></html>";
  const Page page = Page::parse(html, "http://h/");
  const std::string r = "\xEF\xBF\xBD";
  const Element p = page.checked_css("p", "p", 1, 1).at(0);
  EXPECT_EQ(p.text(), "caf" + r + " " + r + "( " + r);
  EXPECT_EQ(p.attr("class"), "c" + r);
  EXPECT_EQ(page.checked_xpath_strings("//a/@href", "href", 1, 1).at(0), "/x" + r);
  EXPECT_EQ(page.checked_xpath_strings("//p/text()", "text", 1, 1).at(0), p.text());
  EXPECT_EQ(page.checked_xpath_strings("concat(//p, '|')", "concat", 1, 1).at(0), p.text() + "|");
  Json item = {{"text", p.text()}, {"class", *p.attr("class")}, {"all", page.text()}};
  EXPECT_NO_THROW((void)item.dump());
}

std::string deep_divs(size_t depth) {
  std::string html = "<html><body>";
  for (size_t i = 0; i < depth; ++i) html += "<div>";
  html += "deep";
  for (size_t i = 0; i < depth; ++i) html += "</div>";
  return html + "<a id='after' href='/after'>after</a></body></html>";
}

TEST(PageParse, DeeplyNestedDivsParseFully) {
  // libxml2 alone stops at depth 256 and drops the rest of the page.
  const Page page = Page::parse(deep_divs(300), "http://h/deep");
  EXPECT_EQ(page.checked_xpath_strings("//a[@id='after']/@href", "link after", 1, 1).at(0),
            "/after");
  EXPECT_EQ(page.checked_xpath("//div", "divs", 300, 300).size(), 300u);
}

TEST(PageParse, UnclosedSpansParseFully) {
  std::string html = "<html><body>";
  for (int i = 0; i < 300; ++i) html += "<span>s" + std::to_string(i);
  html += "<a href='/after'>after</a></body></html>";
  const Page page = Page::parse(html, "http://h/spans");
  EXPECT_EQ(page.checked_xpath_strings("//a/@href", "link after", 1, 1).at(0), "/after");
  EXPECT_EQ(page.checked_xpath("//span", "spans", 300, 300).size(), 300u);
}

TEST(PageParse, NestingBeyondTheBoundIsATypedError) {
  // <html> and <body> are two levels: this is exactly the bound, and parses.
  const Page at_bound = Page::parse(deep_divs(Page::kMaxNestingDepth - 2), "http://h/at");
  EXPECT_EQ(at_bound.checked_xpath_strings("//a/@href", "link after", 1, 1).at(0), "/after");
  try {
    (void)Page::parse(deep_divs(Page::kMaxNestingDepth - 1), "http://h/too-deep");
    FAIL() << "parsed a page nested past the bound";
  } catch (const ScraperAssumptionException& e) {
    EXPECT_EQ(typeid(e), typeid(ScraperAssumptionException));
    EXPECT_EQ(e.request_url(), "http://h/too-deep");
    EXPECT_EQ(e.message(), "Failed to parse HTML: elements nested deeper than " +
                               std::to_string(Page::kMaxNestingDepth));
    ASSERT_EQ(e.context().size(), 2u);
    EXPECT_EQ(e.context()[0],
              std::make_pair(std::string("limit"), std::to_string(Page::kMaxNestingDepth)));
    EXPECT_NE(std::string(e.what()).find("URL: http://h/too-deep"), std::string::npos);
  }
}

TEST(PageParse, MalformedHtmlIsRecovered) {
  const Page page = Page::parse(
      "<html><body><div class=a><p>one<p>two</div><table><tr><td>x</table>"
      "<a href='/x'>unterminated <b>bold</i></body>",
      "http://h/");
  EXPECT_EQ(page.checked_css("div.a p", "paragraphs", 2, 2).size(), 2u);
  EXPECT_EQ(page.checked_css("td", "cell", 1, 1).at(0).text(), "x");
  EXPECT_EQ(page.checked_xpath_strings("//a/@href", "href", 1, 1).at(0), "/x");
}

TEST(PageParse, RandomBytesNeverCrash) {
  std::mt19937 rng(7);
  const std::string pieces[] = {"<",        ">",         "</",       "<div",      "<a href=",
                                "'",        "\"",        "&amp;",    "&#",        "<!--",
                                "-->",      "<![CDATA[", "<script>", "</script>", "\xC3",
                                "\xFF",     "\0",        " ",        "x",         "<table><tr><td>",
                                "<?xml ?>", "<!DOCTYPE"};
  int parsed = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string body;
    const int n = static_cast<int>(rng() % 40);
    for (int j = 0; j < n; ++j) {
      if (rng() % 3 == 0) {
        body += static_cast<char>(rng() & 0xFF);
      } else {
        body += pieces[rng() % std::size(pieces)];
      }
    }
    try {
      const Page page = Page::parse(body, "http://h/fuzz");
      (void)page.xpath("//*");
      (void)page.css("div a, td");
      (void)page.text();
      ++parsed;
    } catch (const ScraperAssumptionException& e) {
      EXPECT_EQ(e.request_url(), "http://h/fuzz");
    }
  }
  EXPECT_GT(parsed, 1000);
}

TEST(PageParse, LibxmlPrintsNothing) {
  testing::internal::CaptureStderr();
  testing::internal::CaptureStdout();
  try {
    const Page page = Page::parse(
        "<html><body><p>unclosed <b>tags</i> &bogus; <unknowntag>x</unknowntag>"
        "<a href=\"x\" href=\"y\">dup</a></body></html>\xFF\xFE",
        "http://h/");
    (void)page.xpath("//p[");
  } catch (const HTMLStructuralAssumptionException&) {
  }
  try {
    (void)Page::parse("", "http://h/");
  } catch (const ScraperAssumptionException&) {
  }
  try {
    (void)Page::parse(deep_divs(Page::kMaxNestingDepth + 5), "http://h/");
  } catch (const ScraperAssumptionException&) {
  }
  const std::string err = testing::internal::GetCapturedStderr();
  const std::string out = testing::internal::GetCapturedStdout();
  EXPECT_EQ(err, "");
  EXPECT_EQ(out, "");
}

TEST(ParseJson, ParsesAndKeepsOrder) {
  const Json j = parse_json(R"({"b": 1, "a": [true, null, "x"]})", "http://h/api");
  EXPECT_EQ(j.dump(), R"({"b":1,"a":[true,null,"x"]})");
}

TEST(ParseJson, FailureIsAScraperAssumption) {
  for (const char* bad : {"", "{", "<html>", "{\"a\": }", "[1,]"}) {
    try {
      (void)parse_json(bad, "http://h/api/justices");
      ADD_FAILURE() << "parsed: " << bad;
    } catch (const ScraperAssumptionException& e) {
      EXPECT_EQ(typeid(e), typeid(ScraperAssumptionException));
      EXPECT_EQ(e.message().rfind("Failed to parse JSON: ", 0), 0u);
      EXPECT_EQ(e.request_url(), "http://h/api/justices");
      ASSERT_EQ(e.context().size(), 1u);
      EXPECT_EQ(e.context()[0].first, "error");
      EXPECT_FALSE(e.context()[0].second.empty());
    }
  }
}

TEST(Forms, DemoDateSearchForm) {
  const Page page = Page::parse(test_pages::kCaseList, kSearchUrl);
  Form form = page.form("form#date-search");
  EXPECT_EQ(form.method, "GET");
  EXPECT_EQ(form.action, "http://127.0.0.1:8080/cases/search");
  EXPECT_EQ(form.fields, (std::vector<std::pair<std::string, std::string>>{
                             {"from_date", ""}, {"to_date", ""}, {"page", "1"}}));
  form.set("from_date", "2024-01-01").set("to_date", "2024-06-30");
  EXPECT_EQ(form.get("to_date"), "2024-06-30");
  EXPECT_EQ(form.get("nope"), std::nullopt);
  EXPECT_EQ(form.get_url(),
            "http://127.0.0.1:8080/cases/search?from_date=2024-01-01&to_date=2024-06-30&page=1");
  EXPECT_EQ(with_query(form.action, form.fields), form.get_url());
  // A Url can be made of it directly.
  EXPECT_EQ(Url::parse(form.get_url()).request_target(),
            "/cases/search?from_date=2024-01-01&to_date=2024-06-30&page=1");
}

TEST(Forms, MissingFormIsStructural) {
  const Page page = Page::parse(test_pages::kCaseDetail, kSearchUrl);
  EXPECT_THROW((void)page.form("form#date-search"), HTMLStructuralAssumptionException);
  EXPECT_THROW((void)page.checked_css("h2", "h2", 1, 1).at(0).as_form(),
               ScraperAssumptionException);
}

TEST(Forms, ControlsLikeABrowser) {
  const Page page = Page::parse(R"(
<form method="POST" action="../submit?old=1#x">
  <input name="q" value="a b&c">
  <input name="noval">
  <input type="checkbox" name="cb1" checked>
  <input type="checkbox" name="cb2" value="yes" checked>
  <input type="checkbox" name="cb3" value="no">
  <input type="radio" name="r" value="1"><input type="radio" name="r" value="2" checked>
  <input name="off" value="x" disabled>
  <input value="nameless">
  <input type="submit" name="go" value="Go"><input type="file" name="f"><button name="b">B</button>
  <select name="s1"><option value="v1">One</option><option>  Two
     words </option></select>
  <select name="s2"><option value="a">A</option><option value="b" selected>B</option></select>
  <select name="s3" multiple><option selected>x</option><option>y</option><option selected>z</option></select>
  <textarea name="t">line1
line2</textarea>
  <input name="q" value="second">
</form>)",
                                "http://h/dir/page?x=1");
  const Form form = page.form("form");
  EXPECT_EQ(form.method, "POST");
  EXPECT_EQ(form.action, "http://h/submit?old=1#x");
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"q", "a b&c"}, {"noval", ""},         {"cb1", "on"},  {"cb2", "yes"},
      {"r", "2"},     {"s1", "v1"},          {"s2", "b"},    {"s3", "x"},
      {"s3", "z"},    {"t", "line1\nline2"}, {"q", "second"}};
  EXPECT_EQ(form.fields, expected);
  EXPECT_EQ(form.get_url().substr(0, 25), "http://h/submit?q=a+b%26c");
  Form edited = form;
  edited.set("q", "new");
  EXPECT_EQ(edited.fields.front(), (std::pair<std::string, std::string>{"q", "new"}));
  EXPECT_EQ(edited.fields.size(), expected.size() - 1);  // the second "q" is gone
  EXPECT_EQ(edited.encoded_fields().substr(0, 15), "q=new&noval=&cb");

  const Page bare = Page::parse(
      "<form><select name=s><option>  Only  one </option></select></form>", "http://h/p#frag");
  const Form defaults = bare.form("form");
  EXPECT_EQ(defaults.method, "GET");
  EXPECT_EQ(defaults.action, "http://h/p");
  EXPECT_EQ(defaults.get("s"), "Only one");
}

}  // namespace
}  // namespace uvscrape
