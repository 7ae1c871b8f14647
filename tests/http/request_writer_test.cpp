#include "http/request_writer.hpp"

#include <gtest/gtest.h>

#include "uvscrape/errors.hpp"
#include "uvscrape_version.h"

namespace uvscrape::http {
namespace {

std::string serialise(const HttpRequest& request, std::string_view method = "",
                      bool drop_credentials = false) {
  const Url url = initial_url(request);
  const RequestBody body = make_request_body(request);
  WriteSpec spec;
  spec.method = method.empty() ? std::string_view(request.method) : method;
  spec.url = &url;
  spec.headers = &request.headers;
  spec.cookies = &request.cookies;
  spec.body = &body;
  static const std::string user_agent = default_user_agent();
  spec.user_agent = user_agent;
  spec.drop_credentials = drop_credentials;
  std::string out;
  write_request(spec, out);
  return out;
}

TEST(RequestWriter, GetWithDefaults) {
  HttpRequest r;
  r.url = "http://example.com/a/b?x=1#frag";
  EXPECT_EQ(serialise(r),
            "GET /a/b?x=1 HTTP/1.1\r\n"
            "Host: example.com\r\n"
            "User-Agent: uvscrape/" UVSCRAPE_VERSION
            "\r\n"
            "Accept: */*\r\n"
            "Accept-Encoding: gzip, deflate, br\r\n"
            "\r\n");
}

TEST(RequestWriter, HostCarriesNonDefaultPort) {
  HttpRequest r;
  r.url = "http://127.0.0.1:8080/";
  EXPECT_NE(serialise(r).find("\r\nHost: 127.0.0.1:8080\r\n"), std::string::npos);
  r.url = "https://example.com:443/";
  EXPECT_NE(serialise(r).find("\r\nHost: example.com\r\n"), std::string::npos);
}

TEST(RequestWriter, ParamsAreAppendedToTheQuery) {
  HttpRequest r;
  r.url = "http://h/search?page=1";
  r.params = {{"q", "a b&c"}, {"from", "2024-01-01"}};
  EXPECT_EQ(serialise(r).rfind("GET /search?page=1&q=a+b%26c&from=2024-01-01 HTTP/1.1\r\n", 0), 0u)
      << serialise(r);
}

TEST(RequestWriter, UserHeadersInOrderAndOverrideDefaultsCaseInsensitively) {
  HttpRequest r;
  r.url = "http://h/";
  r.headers = {
      {"X-B", "2"}, {"user-agent", "mine/1"}, {"X-A", "1"}, {"ACCEPT-ENCODING", "identity"}};
  const std::string s = serialise(r);
  EXPECT_EQ(s,
            "GET / HTTP/1.1\r\n"
            "Host: h\r\n"
            "X-B: 2\r\n"
            "user-agent: mine/1\r\n"
            "X-A: 1\r\n"
            "ACCEPT-ENCODING: identity\r\n"
            "Accept: */*\r\n"
            "\r\n");
}

TEST(RequestWriter, FormBody) {
  HttpRequest r;
  r.method = "POST";
  r.url = "http://h/submit";
  r.form = std::vector<std::pair<std::string, std::string>>{{"name", "Bug Court"}, {"x", "&="}};
  const std::string s = serialise(r);
  EXPECT_NE(s.find("Content-Type: application/x-www-form-urlencoded\r\n"), std::string::npos);
  EXPECT_NE(s.find("Content-Length: 23\r\n"), std::string::npos) << s;
  EXPECT_EQ(s.substr(s.size() - 23), "name=Bug+Court&x=%26%3D");
}

TEST(RequestWriter, JsonBody) {
  HttpRequest r;
  r.method = "PUT";
  r.url = "http://h/api";
  r.json = R"({"a":1})";
  const std::string s = serialise(r);
  EXPECT_NE(s.find("Content-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}"),
            std::string::npos)
      << s;
}

TEST(RequestWriter, RawBodyKeepsUserContentTypeAndIgnoresUserFraming) {
  HttpRequest r;
  r.method = "POST";
  r.url = "http://h/raw";
  r.body = std::string("\0\1\2", 3);
  r.headers = {{"content-type", "application/octet-stream"},
               {"Content-Length", "999"},
               {"Transfer-Encoding", "chunked"}};
  const std::string s = serialise(r);
  EXPECT_NE(s.find("content-type: application/octet-stream\r\n"), std::string::npos);
  EXPECT_EQ(s.find("999"), std::string::npos);
  EXPECT_EQ(s.find("chunked"), std::string::npos);
  EXPECT_NE(s.find("Content-Length: 3\r\n\r\n"), std::string::npos);
  EXPECT_EQ(s.substr(s.size() - 3), std::string("\0\1\2", 3));
}

TEST(RequestWriter, PostWithoutBodySendsZeroLength) {
  HttpRequest r;
  r.method = "POST";
  r.url = "http://h/";
  EXPECT_NE(serialise(r).find("Content-Length: 0\r\n"), std::string::npos);
  r.method = "DELETE";
  EXPECT_EQ(serialise(r).find("Content-Length"), std::string::npos);
}

TEST(RequestWriter, AtMostOneBodyForm) {
  HttpRequest r;
  r.url = "http://h/";
  r.body = "x";
  r.json = "{}";
  EXPECT_THROW(make_request_body(r), UrlError);
}

TEST(RequestWriter, CookiesRenderedAndMergedWithUserCookieHeader) {
  HttpRequest r;
  r.url = "http://h/";
  r.cookies = {{"session", "abc"}, {"lang", "en"}};
  EXPECT_NE(serialise(r).find("\r\nCookie: session=abc; lang=en\r\n"), std::string::npos);
  r.headers = {{"cookie", "a=1"}};
  EXPECT_NE(serialise(r).find("\r\nCookie: a=1; session=abc; lang=en\r\n"), std::string::npos);
}

TEST(RequestWriter, RejectsHeaderInjection) {
  HttpRequest r;
  r.url = "http://h/";
  r.headers = {{"X-Evil", "a\r\nInjected: yes"}};
  EXPECT_THROW(serialise(r), UrlError);
  r.headers = {{"Bad Name", "v"}};
  EXPECT_THROW(serialise(r), UrlError);
}

TEST(RequestWriter, RedirectWithoutBodyDropsContentTypeAndCredentialsAcrossOrigins) {
  HttpRequest r;
  r.method = "POST";
  r.url = "http://h/";
  r.headers = {{"Authorization", "Bearer x"}, {"Content-Type", "text/plain"}};
  const Url url = initial_url(r);
  RequestBody none;
  WriteSpec spec;
  spec.method = "GET";
  spec.url = &url;
  spec.headers = &r.headers;
  spec.cookies = &r.cookies;
  spec.body = &none;
  spec.user_agent = "ua";
  spec.drop_credentials = true;
  std::string out;
  write_request(spec, out);
  EXPECT_EQ(out.find("Authorization"), std::string::npos);
  EXPECT_EQ(out.find("Content-Type"), std::string::npos);
  EXPECT_EQ(out.find("Content-Length"), std::string::npos);
}

TEST(RequestWriter, InvalidUrlIsUrlError) {
  HttpRequest r;
  r.url = "ftp://h/file";
  EXPECT_THROW(initial_url(r), UrlError);
  r.url = "not a url";
  EXPECT_THROW(initial_url(r), UrlError);
}

}  // namespace
}  // namespace uvscrape::http
