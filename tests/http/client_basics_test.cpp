// Requests and responses through the client against the in-process server.
#include "client_fixture.hpp"
#include "uvscrape_version.h"

namespace uvscrape::http::test {
namespace {

TEST_F(ClientTest, GetReturnsStatusHeadersBodyAndSendsDefaults) {
  server().respond("GET", "/hello",
                   ServerResponse::html("<p>hi</p>").header("X-Twice", "1").header("X-Twice", "2"));
  const Result r = get("/hello?a=1");
  const HttpResponse resp = ok(r);
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.body, "<p>hi</p>");
  EXPECT_EQ(resp.url, server().url("/hello?a=1"));
  EXPECT_TRUE(resp.redirect_chain.empty());
  ASSERT_EQ(resp.headers.get_all("x-twice").size(), 2u);
  EXPECT_EQ(resp.headers.get_all("x-twice")[1], "2");
  const auto req = server().last_request();
  ASSERT_TRUE(req);
  EXPECT_EQ(req->target, "/hello?a=1");
  EXPECT_EQ(req->header("User-Agent"), "uvscrape/" UVSCRAPE_VERSION);
  EXPECT_EQ(req->header("Accept-Encoding"), "gzip, deflate, br");
  EXPECT_EQ(req->header("Host"), "127.0.0.1:" + std::to_string(server().port()));
}

TEST_F(ClientTest, ParamsHeadersCookiesAndFormBodyReachTheServer) {
  server().respond("POST", "/form", ServerResponse::text("got it"));
  HttpRequest r;
  r.method = "POST";
  r.url = server().url("/form");
  r.params = {{"page", "2"}};
  r.headers = {{"X-Custom", "yes"}, {"User-Agent", "custom/1"}};
  r.cookies = {{"session", "s1"}};
  r.form =
      std::vector<std::pair<std::string, std::string>>{{"from_date", "2024-01-01"}, {"q", "a b"}};
  ok(fetch(std::move(r)));
  const auto req = server().last_request();
  ASSERT_TRUE(req);
  EXPECT_EQ(req->method, "POST");
  EXPECT_EQ(req->target, "/form?page=2");
  EXPECT_EQ(req->header("X-Custom"), "yes");
  EXPECT_EQ(req->header("User-Agent"), "custom/1");
  EXPECT_EQ(req->header("Cookie"), "session=s1");
  EXPECT_EQ(req->header("Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(req->body, "from_date=2024-01-01&q=a+b");
}

TEST_F(ClientTest, JsonAndRawBodies) {
  server().respond("*", "/api", ServerResponse::text("ok"));
  HttpRequest j;
  j.method = "PUT";
  j.url = server().url("/api");
  j.json = R"({"k":[1,2]})";
  ok(fetch(std::move(j)));
  EXPECT_EQ(server().last_request()->header("Content-Type"), "application/json");
  EXPECT_EQ(server().last_request()->body, R"({"k":[1,2]})");
  HttpRequest raw;
  raw.method = "PATCH";
  raw.url = server().url("/api");
  raw.body = std::string(100'000, 'z');
  ok(fetch(std::move(raw)));
  EXPECT_EQ(server().last_request()->body.size(), 100'000u);
}

TEST_F(ClientTest, EveryBodyFramingArrivesByteExact) {
  std::string body;
  for (int i = 0; i < 50'000; ++i) body += static_cast<char>('a' + i % 26);
  ServerResponse cl = ServerResponse::text(body);
  ServerResponse chunked = ServerResponse::text(body);
  chunked.chunked = true;
  chunked.chunk_size = 777;
  ServerResponse eof = ServerResponse::text(body);
  eof.close_delimited = true;
  server().respond("GET", "/cl", cl);
  server().respond("GET", "/chunked", chunked);
  server().respond("GET", "/eof", eof);
  EXPECT_EQ(ok(get("/cl")).body, body);
  EXPECT_EQ(ok(get("/chunked")).body, body);
  EXPECT_EQ(ok(get("/eof")).body, body);
  EXPECT_EQ(ok(get("/cl")).body, body);  // after a close-delimited one: a fresh connection
}

TEST_F(ClientTest, ContentEncodingsAreDecoded) {
  std::string body;
  for (int i = 0; i < 20'000; ++i) body += "beetle " + std::to_string(i % 97);
  int n = 0;
  for (ContentEncoding e : {ContentEncoding::gzip, ContentEncoding::deflate,
                            ContentEncoding::deflate_raw, ContentEncoding::br}) {
    ServerResponse resp = ServerResponse::text(body);
    resp.encoding = e;
    resp.chunked = (n % 2) == 1;
    resp.chunk_size = 1000;
    const std::string path = "/enc" + std::to_string(n++);
    server().respond("GET", path, resp);
    const HttpResponse got = ok(get(path));
    EXPECT_EQ(got.body.size(), body.size()) << path;
    EXPECT_TRUE(got.body == body) << path;
  }
}

TEST_F(ClientTest, NoBodyForHead204And304) {
  server().respond("HEAD", "/h", ServerResponse::text(std::string(1000, 'x')));
  server().respond("GET", "/204", ServerResponse::with_status(204));
  server().respond("GET", "/304", ServerResponse::with_status(304));
  server().respond("GET", "/after", ServerResponse::text("after"));
  HttpRequest head;
  head.method = "HEAD";
  head.url = server().url("/h");
  const HttpResponse h = ok(fetch(std::move(head)));
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.body, "");
  EXPECT_EQ(h.headers.get("Content-Length"), "1000");
  EXPECT_EQ(ok(get("/204")).status, 204);
  EXPECT_EQ(ok(get("/304")).status, 304);
  EXPECT_EQ(ok(get("/after")).body, "after");  // the connection stayed in sync
  EXPECT_EQ(server().connections_accepted(), 1u);
}

TEST_F(ClientTest, InformationalResponsesAreSkipped) {
  ServerResponse resp = ServerResponse::text("final");
  resp.informational = {100, 103};
  server().respond("POST", "/interim", resp);
  HttpRequest r;
  r.method = "POST";
  r.url = server().url("/interim");
  r.body = "payload";
  const HttpResponse got = ok(fetch(std::move(r)));
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body, "final");
  EXPECT_EQ(ok(get("/interim")).status, 404);  // the connection stayed in sync
  EXPECT_EQ(server().connections_accepted(), 1u);
}

TEST_F(ClientTest, AnyStatusIsAResponseNotAnError) {
  for (int status : {201, 400, 404, 429, 500, 503, 599}) {
    server().respond("GET", "/s" + std::to_string(status), ServerResponse::with_status(status));
    EXPECT_EQ(ok(get("/s" + std::to_string(status))).status, status);
  }
}

TEST_F(ClientTest, TextIsDecodedByCharset) {
  ServerResponse latin = ServerResponse::html("caf\xE9");
  latin.headers = {{"Content-Type", "text/html; charset=iso-8859-1"}};
  server().respond("GET", "/latin", latin);
  ServerResponse meta = ServerResponse::html("<meta charset=windows-1252>\x80");
  meta.headers = {{"Content-Type", "text/html"}};
  server().respond("GET", "/meta", meta);
  EXPECT_EQ(ok(get("/latin")).text(), "caf\xC3\xA9");
  EXPECT_EQ(ok(get("/meta")).text(), "<meta charset=windows-1252>\xE2\x82\xAC");
}

TEST_F(ClientTest, InvalidUrlFailsAsynchronouslyWithUrlError) {
  HttpRequest r;
  r.url = "ftp://example.com/x";
  expect_error<UrlError>(fetch(std::move(r)));
}

TEST_F(ClientTest, HeaderInjectionFailsBeforeAnyConnection) {
  HttpRequest r;
  r.url = server().url("/x");
  r.headers = {{"X-Evil", "a\r\nInjected: 1"}};
  expect_error<UrlError>(fetch(std::move(r)));
  EXPECT_EQ(server().connections_accepted(), 0u);
}

TEST_F(ClientTest, ManyRequestsEachDoneExactlyOnce) {
  server().respond("GET", "/n", ServerResponse::text("n"));
  Client& c = client();
  std::vector<int> calls(50, 0);
  for (int i = 0; i < 50; ++i) {
    HttpRequest r;
    r.url = server().url("/n");
    c.fetch(std::move(r), [&calls, i](Result res) {
      EXPECT_TRUE(res.response.has_value());
      ++calls[static_cast<size_t>(i)];
    });
  }
  run_for(5s, [&] {
    for (int n : calls)
      if (n == 0) return false;
    return true;
  });
  run_for(
      50ms, [] { return false; }, false);
  for (int n : calls) EXPECT_EQ(n, 1);
  EXPECT_EQ(c.stats().requests_completed, 50u);
}

}  // namespace
}  // namespace uvscrape::http::test
