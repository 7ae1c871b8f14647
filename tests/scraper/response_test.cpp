// Responses: fields, page() and json() caching, and the one charset rule
// (docs/design.md §12).
#include <gtest/gtest.h>

#include "scraper/response_internals.hpp"
#include "uvscrape/uvscrape.hpp"

namespace {

using namespace uvscrape;

TEST(Response, FieldsAreStoredVerbatimAndTheRequestIsTheSameObject) {
  auto q = std::make_shared<const Request>(Request::get("http://h/a").to("s"));
  Headers headers;
  headers.add("Content-Type", "text/html");
  Response r(201, headers, "body\xff", "http://h/final", q);
  r.redirect_chain = {"http://h/a", "http://h/b"};
  EXPECT_EQ(r.status_code, 201);
  EXPECT_EQ(r.headers.items(), headers.items());
  EXPECT_EQ(r.content, "body\xff");
  EXPECT_EQ(r.text(), "body\xEF\xBF\xBD");  // text is UTF-8; the content stays as sent
  EXPECT_EQ(r.url, "http://h/final");
  EXPECT_EQ(r.request.get(), q.get());
  EXPECT_EQ(r.redirect_chain.size(), 2u);
  EXPECT_FALSE(r.local_filepath());
  EXPECT_EQ(r.accumulated_data(), Json::object());
  auto with_data = std::make_shared<const Request>(Request::get("u").accumulated_data({{"k", 1}}));
  EXPECT_EQ(Response(200, {}, "", "u", with_data).accumulated_data()["k"], 1);
  EXPECT_EQ(Response().accumulated_data(), Json::object());
}

TEST(Response, ArchiveResponseIsAResponseWithTheStoredPath) {
  auto q = std::make_shared<const Request>(Request::get("http://h/doc.pdf").archive("pdf").to("s"));
  ArchiveResponse a(Response(200, {}, "", "http://h/doc.pdf", q), "/tmp/store/doc.pdf");
  const Response& as_base = a;
  EXPECT_EQ(a.file_path, "/tmp/store/doc.pdf");
  EXPECT_EQ(as_base.local_filepath(), "/tmp/store/doc.pdf");
  EXPECT_EQ(as_base.url, "http://h/doc.pdf");
}

TEST(Response, JsonIsParsedOnceAndFailuresAreAssumptionErrors) {
  Response r(200, {}, R"({"a": [1, 2]})", "http://h/api", nullptr);
  const Json& first = r.json();
  EXPECT_EQ(first["a"][1], 2);
  EXPECT_EQ(&r.json(), &first);
  Response bad(200, {}, "<html>", "http://h/api", nullptr);
  try {
    bad.json();
    FAIL() << "no exception";
  } catch (const ScraperAssumptionException& e) {
    EXPECT_NE(e.message().find("Failed to parse JSON"), std::string::npos);
    EXPECT_EQ(e.request_url(), "http://h/api");
  }
}

TEST(Response, PageIsParsedOnceAndKeepsTheUrl) {
  Response r(200, {}, "<html><body><p class='x'>hi</p></body></html>", "http://h/p", nullptr);
  const Page& page = r.page();
  EXPECT_EQ(&r.page(), &page);
  auto found = page.checked_xpath("//p[@class='x']", "paragraph", 1, 1);
  EXPECT_EQ(found.size(), 1u);
  try {
    page.checked_xpath("//table", "case table");
    FAIL() << "no exception";
  } catch (const HTMLStructuralAssumptionException& e) {
    EXPECT_EQ(e.request_url(), "http://h/p");
  }
}

// --- the one charset rule, identical for text(), page() and json() ---------------

Response html_response(std::string body, std::string content_type = "text/html") {
  Headers headers;
  headers.add("Content-Type", std::move(content_type));
  return Response(200, std::move(headers), std::move(body), "http://h/p", nullptr);
}

// The <p> of the page, as page() reads it; text() must hold the same text.
std::string paragraph(const Response& r) {
  const std::string p = r.page().checked_xpath_strings("//p/text()", "paragraph", 1, 1)[0];
  EXPECT_NE(r.text().find(">" + p + "</p>"), std::string::npos) << r.text();
  return p;
}

TEST(ResponseCharset, Iso88591HeaderDecodesTextAndPage) {
  const Response r = html_response("<p>caf\xE9</p>", "text/html; charset=iso-8859-1");
  EXPECT_EQ(r.text(), "<p>caf\xC3\xA9</p>");
  EXPECT_EQ(paragraph(r), "caf\xC3\xA9");
}

TEST(ResponseCharset, Windows1252HeaderDecodesTextAndPage) {
  // 0x80 and 0x93/0x94 are windows-1252 only (C1 controls in ISO-8859-1).
  const Response r = html_response("<p>\x80 \x93q\x94</p>", "text/html; charset=windows-1252");
  EXPECT_EQ(paragraph(r), "\xE2\x82\xAC \xE2\x80\x9Cq\xE2\x80\x9D");
  // iso-8859-1 is read as windows-1252 too, as browsers do.
  EXPECT_EQ(paragraph(html_response("<p>\x80</p>", "text/html; charset=ISO-8859-1")),
            "\xE2\x82\xAC");
}

TEST(ResponseCharset, UsAsciiIsWindows1252) {
  const Response r = html_response("<p>\xE9t\xE9</p>", "text/html; charset=us-ascii");
  EXPECT_EQ(r.text(), "<p>\xC3\xA9t\xC3\xA9</p>");
  EXPECT_EQ(paragraph(r), "\xC3\xA9t\xC3\xA9");
}

TEST(ResponseCharset, MetaOnly) {
  const Response r =
      html_response("<html><head><meta charset=\"windows-1251\"></head><body><p>\xCF\xF0</p>");
  EXPECT_EQ(paragraph(r), "\xD0\x9F\xD1\x80");
  const Response pragma = html_response(
      "<meta http-equiv=Content-Type content='text/html; charset=koi8-r'><p>\xF0\xD2</p>");
  EXPECT_EQ(paragraph(pragma), "\xD0\x9F\xD1\x80");
}

TEST(ResponseCharset, BomOnly) {
  const Response r = html_response("\xEF\xBB\xBF<p>caf\xC3\xA9</p>");
  EXPECT_EQ(r.text(), "<p>caf\xC3\xA9</p>");  // the BOM is not text
  EXPECT_EQ(paragraph(r), "caf\xC3\xA9");
  const Response utf16 = html_response(std::string("\xFF\xFE<\0p\0>\0\xE9\0<\0/\0p\0>\0", 18));
  EXPECT_EQ(paragraph(utf16), "\xC3\xA9");
  // A BOM wins over the header, as in browsers.
  EXPECT_EQ(paragraph(html_response("\xEF\xBB\xBF<p>\xC3\xA9</p>", "text/html; charset=latin1")),
            "\xC3\xA9");
}

// page() trusts text() to be valid UTF-8 only when this very call decoded it:
// `content` changed after an earlier text() is checked (and repaired) again.
TEST(ResponseCharset, ContentChangedAfterTextIsCheckedAgainByPage) {
  Response r = html_response("<p>caf\xC3\xA9</p>");
  EXPECT_EQ(&r.text(), &r.content);  // valid UTF-8: the body itself
  // Not UTF-8 (a surrogate), and text() is still `content`. Unchecked, libxml2
  // would drop the three bytes; checked, each becomes U+FFFD.
  r.content = "<p>a\xED\xA0\x80z</p>";
  EXPECT_EQ(r.page().checked_xpath_strings("//p/text()", "paragraph", 1, 1)[0],
            "a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDz");
}

TEST(ResponseCharset, HeaderWinsOverADisagreeingMeta) {
  // Valid UTF-8 bytes and a UTF-8 <meta>, but the server says Latin-1: the header wins.
  const Response r =
      html_response("<meta charset=utf-8><p>caf\xC3\xA9</p>", "text/html; charset=ISO-8859-1");
  EXPECT_EQ(paragraph(r), "caf\xC3\x83\xC2\xA9");
  const Response other_way =
      html_response("<meta charset=iso-8859-1><p>caf\xC3\xA9</p>", "text/html; charset=utf-8");
  EXPECT_EQ(paragraph(other_way), "caf\xC3\xA9");
}

TEST(ResponseCharset, AnUnknownLabelIsIgnoredAndTheNextRuleDecides) {
  // Not a WHATWG label: the header is ignored, so the <meta> decides.
  const Response meta =
      html_response("<meta charset=latin1><p>caf\xE9</p>", "text/html; charset=klingon");
  EXPECT_EQ(paragraph(meta), "caf\xC3\xA9");
  // Nothing else: UTF-8, bad bytes replaced.
  const Response none = html_response("<p>caf\xE9</p>", "text/html; charset=klingon");
  EXPECT_EQ(none.text(), "<p>caf\xEF\xBF\xBD</p>");
  EXPECT_EQ(paragraph(none), "caf\xEF\xBF\xBD");
}

TEST(ResponseCharset, Utf7IsNotHonouredByTextOrPage) {
  // In UTF-7, "+ADw-" is '<': honoured, this text would turn into a <script> element.
  const Response r = html_response("<p>+ADw-script+AD4-x</p>", "text/html; charset=utf-7");
  EXPECT_EQ(r.text(), "<p>+ADw-script+AD4-x</p>");
  EXPECT_EQ(paragraph(r), "+ADw-script+AD4-x");
  EXPECT_EQ(r.page().xpath("//script").size(), 0u);
  const Response by_meta = html_response("<meta charset=utf-7><p>+ADw-b+AD4-x</p>");
  EXPECT_EQ(paragraph(by_meta), "+ADw-b+AD4-x");
}

TEST(ResponseCharset, InvalidUtf8IsReplacedEverywhere) {
  const Response r =
      html_response("<meta charset=utf-8><p title='t\xFF'>a\xC3\x28z\xED\xA0\x80</p>",
                    "text/html; charset=utf-8");
  const std::string replaced = "a\xEF\xBF\xBD(z\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD";
  EXPECT_EQ(paragraph(r), replaced);
  const Element p = r.page().checked_css("p", "p", 1, 1)[0];
  EXPECT_EQ(p.text(), replaced);
  EXPECT_EQ(p.attr("title"), "t\xEF\xBF\xBD");
  EXPECT_EQ(r.page().checked_xpath_strings("//p/@title", "title", 1, 1)[0], "t\xEF\xBF\xBD");
  EXPECT_EQ(r.page().checked_xpath_strings("string(//p)", "string", 1, 1)[0], replaced);
  Json item = {{"p", p.text()}, {"text", r.text()}};
  EXPECT_NO_THROW((void)item.dump());
}

TEST(ResponseCharset, Utf8TextIsTheContentItself) {
  const Response r = html_response("<p>caf\xC3\xA9</p>", "text/html; charset=utf-8");
  EXPECT_EQ(&r.text(), &r.content);  // no copy of a valid UTF-8 body
  const Response ascii = html_response("<p>x</p>", "text/html; charset=iso-8859-1");
  EXPECT_EQ(&ascii.text(), &ascii.content);  // nor of ASCII under a legacy label
}

TEST(ResponseCharset, JsonUsesTheSameText) {
  Headers headers;
  headers.add("Content-Type", "application/json; charset=iso-8859-1");
  const Response r(200, headers, "{\"name\": \"caf\xE9\"}", "http://h/api", nullptr);
  EXPECT_EQ(r.json()["name"], "caf\xC3\xA9");
}

TEST(Response, SharedUrlFollowsTheUrl) {
  Response r(200, {}, "", "http://h/a", nullptr);
  auto first = detail::ResponseAccess::shared_url(r);
  EXPECT_EQ(*first, "http://h/a");
  EXPECT_EQ(detail::ResponseAccess::shared_url(r), first);
  r.url = "http://h/b";
  EXPECT_EQ(*detail::ResponseAccess::shared_url(r), "http://h/b");
}

}  // namespace
