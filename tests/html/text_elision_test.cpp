// TextElision: a page parsed with its long text runs cut out and put back
// gives the tree libxml2 builds from the whole page, node for node; where a
// placeholder cannot be put back, Page::parse falls back to the full parse.
#include "html/text_elision.hpp"

#include <gtest/gtest.h>
#include <libxml/HTMLparser.h>

#include <random>
#include <string>
#include <vector>

#include "html/document.hpp"
#include "tests/html/tree_dump.hpp"
#include "uvscrape/page.hpp"

namespace uvscrape::html_detail {
namespace {

constexpr const char* kUrl = "http://127.0.0.1:8080/cases/1.html";

xmlDocPtr read(std::string_view html) {
  ensure_quiet_libxml();
  return htmlReadMemory(html.data(), static_cast<int>(html.size()), kUrl, "UTF-8",
                        kHtmlParseOptions);
}

struct Outcome {
  bool cut = false;
  bool restored = false;
  std::string full;    // the tree of the whole page
  std::string short_;  // the tree of the shortened page, runs put back
};

Outcome parse_both(const std::string& html) {
  Outcome o;
  xmlDocPtr full = read(html);
  o.full = tree_of(full);
  xmlFreeDoc(full);
  // One for every page, as Page::parse keeps one per thread: what a page left
  // in its buffers must not leak into the next.
  static TextElision elision;
  o.cut = elision.cut(html);
  if (o.cut) {
    xmlDocPtr shortened = read(elision.shortened());
    o.restored = elision.restore(shortened);
    o.short_ = tree_of(shortened);
    xmlFreeDoc(shortened);
  }
  return o;
}

std::string words(size_t n, const char* word = "lorem") {
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    if (i) s += ' ';
    s += word;
  }
  return s;
}

const std::string kRun = words(20);  // 119 bytes

void expect_same_tree(const std::string& html, bool expect_restored = true) {
  SCOPED_TRACE(html);
  const Outcome o = parse_both(html);
  ASSERT_TRUE(o.cut);
  EXPECT_EQ(o.restored, expect_restored);
  if (o.restored) {
    EXPECT_EQ(o.short_, o.full);
  }
  // Page::parse answers from the whole page either way.
  const Page page = Page::parse(html, kUrl);
  xmlDocPtr full = read(html);
  xmlChar* expected = xmlNodeGetContent(reinterpret_cast<xmlNodePtr>(full));
  EXPECT_EQ(page.checked_xpath_strings("string(/)", "everything", 1, 1).at(0),
            reinterpret_cast<const char*>(expected));
  xmlFree(expected);
  xmlFreeDoc(full);
}

TEST(TextElision, BenchmarkCasePageKeepsItsTree) {
  const std::string summary = words(880, "appeal");
  const std::string html =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Case 1</title></head>\n"
      "<body><div class=\"case-details\"><h1>Beetle v. Ant, No. 1</h1>\n<dl>\n"
      "<dt>Docket</dt><dd class=\"docket\">BCC-000001</dd>\n</dl>\n<p class=\"summary\">" +
      summary + "</p>\n</div></body></html>\n";
  const Outcome o = parse_both(html);
  ASSERT_TRUE(o.cut);
  ASSERT_TRUE(o.restored);
  EXPECT_EQ(o.short_, o.full);
  EXPECT_NE(o.full.find(summary), std::string::npos);
  const Page page = Page::parse(html, kUrl);
  EXPECT_EQ(page.checked_xpath_strings("//p[@class='summary']/text()", "summary", 1, 1).at(0),
            summary);
}

TEST(TextElision, ShortOrMarkupBearingTextIsNotCut) {
  TextElision elision;
  EXPECT_FALSE(elision.cut("<p>" + std::string(TextElision::kMinRun - 1, 'x') + "</p>"));
  EXPECT_TRUE(elision.cut("<p>" + std::string(TextElision::kMinRun, 'x') + "</p>"));
  EXPECT_FALSE(elision.cut("<p>" + kRun + " &amp; " + kRun + "</p>"));  // an entity inside
  EXPECT_FALSE(elision.cut("<p>" + kRun + "\r\n" + kRun + "</p>"));
  EXPECT_FALSE(elision.cut("<p>" + kRun + std::string(1, '\0') + kRun + "</p>"));
  EXPECT_FALSE(elision.cut("<p>" + kRun + "\xEF\xBF\xBF" + kRun + "</p>"));  // U+FFFF
  // A page that already holds a placeholder's bytes is left alone.
  EXPECT_FALSE(elision.cut("<p>" + kRun + "</p><p>\xEF\xB7\x90</p>"));
  EXPECT_FALSE(elision.cut("<p>" + kRun + "</p><p>\xEF\xB7\x91</p>"));
  // Text after the last tag is never a candidate (nothing ends it).
  EXPECT_FALSE(elision.cut("<p>" + kRun));
}

TEST(TextElision, EveryContextKeepsItsTree) {
  const std::string r = kRun;
  for (const std::string& html : std::vector<std::string>{
           "<p>" + r + "</p>",
           "<html><body>" + r + "</body></html>",               // text right in body
           "<html><head>" + r + "</head><body></body></html>",  // implies body and p
           "<html>" + r + "<head></head></html>",
           "<html><body></body></html>" + r + "<p>x</p>",  // after the end
           "<div>  \n\t " + r + "  \n </div>",             // blanks kept around
           "<div>" + std::string(1500, ' ') + r + std::string(1200, '\n') + "</div>",
           "<pre>\n" + r + "</pre>",
           "<textarea>" + r + "</textarea><title>" + r + "</title>",
           "<script>var a = 1 >" + r + "</script><p>x</p>",
           "<script>if (a > b) { " + r + " }</script>",
           "<style>p > a { " + r + " }</style>",
           "<!-- note > " + r + " <b> -->" + "<p>x</p>",
           "<p>x</p>" + r + "<!-- c -->",
           "<p><?php echo 1 > " + r + "<x ?></p>",
           "<p>a > " + r + "<br>b</p>",          // a bare '>' in text
           "<p>x <3 " + r + " > " + r + "</p>",  // '<' that opens no tag
           "<p>" + r + " it's \"quoted\" " + r + "</p>",
           "<p>caf\xC3\xA9 " + r + " \xE2\x82\xAC \xF0\x9F\x98\x80</p>",
           "<ul><li>" + r + "<li>" + r + "</ul>",        // implied end tags
           "<table><tr>" + r + "<td>" + r + "</table>",  // text where a table has none
           "<p>" + r + "</p><p>" + r + "</p><p>" + r + "</p>",
           "<![CDATA[ x > " + r + " < ]]><p>y</p>",
           "<p>" + r + "</p>" + "<p>" + words(400) + "</p>",
       })
    expect_same_tree(html);
}

TEST(TextElision, PlaceholderInsideAnAttributeFallsBackToTheFullParse) {
  const std::string r = kRun;
  for (const std::string& html : std::vector<std::string>{
           "<a title=\"1 > " + r + " < 2\" href=\"/x\">link</a>",
           "<a title='1 > " + r + "' alt=\"" + r + " < 2\">link</a>",
           "<!DOCTYPE html PUBLIC \"-//A > " + r + " <\" \"x\"><p>y</p>",
       })
    expect_same_tree(html, /*expect_restored=*/false);
  const Page page = Page::parse("<a title=\"1 > " + r + " < 2\" href=\"/x\">link</a>", kUrl);
  EXPECT_EQ(page.checked_xpath_strings("//a/@title", "title", 1, 1).at(0), "1 > " + r + " < 2");
}

// Pages assembled at random from pieces that move libxml2's tokenizer between
// its states (tags, quotes, comments, scripts, stray '<' and '>'), around
// long runs: wherever the runs are put back, the tree is the full parse's.
TEST(TextElision, RandomPagesKeepTheirTrees) {
  const std::vector<std::string> pieces = {"<p>",
                                           "</p>",
                                           "<div class=\"a\">",
                                           "</div>",
                                           "<br>",
                                           "<li>",
                                           "<td>",
                                           "<table>",
                                           "<script>",
                                           "</script>",
                                           "<style>",
                                           "</style>",
                                           "<!--",
                                           "-->",
                                           "--",
                                           "<?pi ",
                                           "?>",
                                           "\"",
                                           "'",
                                           "=",
                                           ">",
                                           "<",
                                           "< ",
                                           "&amp;",
                                           "&",
                                           "/>",
                                           "<a href=",
                                           "<a title=\"",
                                           " ",
                                           "\n",
                                           "<title>",
                                           "</title>",
                                           "<head>",
                                           "<body>",
                                           "</body>",
                                           "</html>",
                                           "<html>",
                                           "<!DOCTYPE html>",
                                           "<textarea>",
                                           "</textarea>",
                                           "<pre>",
                                           "caf\xC3\xA9",
                                           "it's",
                                           "\t",
                                           "\xEF\xBF\xBF",
                                           "\x01",
                                           "\r",
                                           kRun,
                                           kRun,
                                           kRun,
                                           words(12, "ab"),
                                           "x > " + kRun};
  std::mt19937 rng(16);
  std::uniform_int_distribution<size_t> pick(0, pieces.size() - 1);
  std::uniform_int_distribution<int> length(3, 40);
  int restored = 0, refused = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string html;
    for (int n = length(rng); n > 0; --n) html += pieces[pick(rng)];
    const Outcome o = parse_both(html);
    if (!o.cut) continue;
    if (!o.restored) {
      ++refused;
      continue;
    }
    ++restored;
    ASSERT_EQ(o.short_, o.full) << html;
  }
  // Both paths were exercised, many times.
  EXPECT_GT(restored, 500);
  EXPECT_GT(refused, 20);
}

}  // namespace
}  // namespace uvscrape::html_detail
