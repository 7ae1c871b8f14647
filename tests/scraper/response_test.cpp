// Responses (contract §2, checklist 6 and 11; DESIGN decision 12).
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
  EXPECT_EQ(r.text(), "body\xff");
  EXPECT_EQ(r.url, "http://h/final");
  EXPECT_EQ(r.request.get(), q.get());
  EXPECT_EQ(r.redirect_chain.size(), 2u);
  EXPECT_FALSE(r.local_filepath());
  EXPECT_EQ(r.accumulated_data(), Json::object());
  auto with_data = std::make_shared<const Request>(Request::get("u").accumulated_data({{"k", 1}}));
  EXPECT_EQ(Response(200, {}, "", "u", with_data).accumulated_data()["k"], 1);
  EXPECT_EQ(Response().accumulated_data(), Json::object());
  detail::ResponseAccess::set_text(r, "decoded");
  EXPECT_EQ(r.text(), "decoded");
  EXPECT_EQ(r.content, "body\xff");
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

TEST(Response, PageHonoursTheContentTypeCharset) {
  Headers headers;
  headers.add("Content-Type", "text/html; charset=ISO-8859-1");
  // Valid UTF-8 bytes, but the server says Latin-1: the header wins, as in a browser.
  Response r(200, headers, "<html><body><p>caf\xc3\xa9</p></body></html>", "http://h/p", nullptr);
  EXPECT_EQ(r.page().checked_xpath_strings("//p/text()", "text", 1, 1)[0], "caf\xc3\x83\xc2\xa9");
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
