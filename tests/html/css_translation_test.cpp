// The CSS subset's XPath translation, checked as text.
#include <gtest/gtest.h>

#include "html/css_to_xpath.hpp"
#include "html/document.hpp"

namespace uvscrape::html_detail {
namespace {

std::string translate(std::string_view css) {
  const CssTranslation t = css_to_xpath(css);
  EXPECT_TRUE(t.ok) << css << ": " << t.error;
  return t.xpath;
}

constexpr const char* kClassA =
    "[@class and contains(concat(' ', normalize-space(@class), ' '), ' a ')]";

TEST(CssTranslation, SimpleSelectors) {
  EXPECT_EQ(translate("div"), "descendant-or-self::div");
  EXPECT_EQ(translate("DiV"), "descendant-or-self::div");
  EXPECT_EQ(translate("*"), "descendant-or-self::*");
  EXPECT_EQ(translate(".a"), std::string("descendant-or-self::*") + kClassA);
  EXPECT_EQ(translate("#main"), "descendant-or-self::*[@id = 'main']");
  EXPECT_EQ(translate("[href]"), "descendant-or-self::*[@href]");
  EXPECT_EQ(translate("[HREF=x]"), "descendant-or-self::*[@href = 'x']");
  EXPECT_EQ(translate("a[ title = \"it's\" ]"), "descendant-or-self::a[@title = \"it's\"]");
}

TEST(CssTranslation, CompoundAndCombinators) {
  EXPECT_EQ(translate("p.a#b[c]"),
            std::string("descendant-or-self::p") + kClassA + "[@id = 'b'][@c]");
  EXPECT_EQ(translate("ul li"), "descendant-or-self::ul/descendant::li");
  EXPECT_EQ(translate("ul>li"), "descendant-or-self::ul/li");
  EXPECT_EQ(translate("  ul  >  li  a "), "descendant-or-self::ul/li/descendant::a");
  EXPECT_EQ(translate("a, b"), "descendant-or-self::a | descendant-or-self::b");
  EXPECT_EQ(translate("td.docket > a.case-link"),
            "descendant-or-self::td[@class and contains(concat(' ', normalize-space(@class), ' "
            "'), ' docket ')]/a[@class and contains(concat(' ', normalize-space(@class), ' '), ' "
            "case-link ')]");
}

TEST(CssTranslation, RejectsWhatIsNotSupported) {
  for (const char* bad : {"",        " ",
                          "a:hover", "a::before",
                          "a + b",   "a ~ b",
                          "a[x~=y]", "a[x|=y]",
                          "a[x*=y]", "a[x^=y]",
                          "a[x$=y]", "a[x",
                          "a[x=",    "a[x='y]",
                          "a,",      "a >",
                          "> a",     ".",
                          "#",       "..a",
                          "a..b",    "1a",
                          ".1a",     "#-1",
                          "a)",      "a[x=\"y\\\"\"]",
                          "a\\b"}) {
    const CssTranslation t = css_to_xpath(bad);
    EXPECT_FALSE(t.ok) << "accepted: " << bad << " -> " << t.xpath;
    EXPECT_FALSE(t.error.empty()) << bad;
  }
}

// Found by the html fuzz target: these were accepted but translated to XPath
// that libxml2 rejects, so the user saw "invalid XPath expression" for CSS.
TEST(CssTranslation, AcceptsOnlyWhatBecomesValidXPath) {
  using namespace std::string_literals;
  for (const std::string bad :
       {"tr>t\xfa"
        "d"s,
        "-"s, "-x"s, "--a"s, "a[-x]"s, "\xc3\xa9"s, "[\xc3\xa9=1]"s, "a[x='\x01']"s,
        "a[x=\"y\0z\"]"s, ".\xff"s, "#a\xc3"s, "[x=\xed\xa0\x80]"s}) {
    const CssTranslation t = css_to_xpath(bad);
    EXPECT_FALSE(t.ok) << "accepted: " << bad << " -> " << t.xpath;
    EXPECT_FALSE(t.error.empty()) << bad;
  }
  ASSERT_FALSE(is_valid_xpath("descendant-or-self::-"));  // what "-" translated to
  for (const std::string good :
       {".caf\xc3\xa9"s, "#\xe2\x82\xac"s, "a[title='\t\xc3\xa9']"s, "_x"s, "x-1"s}) {
    const CssTranslation t = css_to_xpath(good);
    ASSERT_TRUE(t.ok) << good << ": " << t.error;
    EXPECT_TRUE(is_valid_xpath(t.xpath)) << good << " -> " << t.xpath;
  }
}

}  // namespace
}  // namespace uvscrape::html_detail
