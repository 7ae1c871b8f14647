// HTTP/1.1 request serialisation: request line, headers in order, body.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/client.hpp"
#include "uvscrape/url.hpp"

namespace uvscrape::http {

// The body a request sends, built once and reused for every redirect hop.
struct RequestBody {
  bool present = false;
  std::string bytes;
  std::string content_type;  // empty: leave it to the user's headers
};

// From HttpRequest::body / form / json (at most one may be set, else UrlError).
RequestBody make_request_body(const HttpRequest& request);

// "uvscrape/<version>".
std::string default_user_agent();

// `http://h/p` + params -> the URL to fetch first. Throws UrlError.
Url initial_url(const HttpRequest& request);

struct WriteSpec {
  std::string_view method;
  const Url* url = nullptr;
  const std::vector<std::pair<std::string, std::string>>* headers = nullptr;
  const std::vector<std::pair<std::string, std::string>>* cookies = nullptr;
  const RequestBody* body = nullptr;  // null or !present: no body
  std::string_view user_agent;
  bool drop_credentials = false;  // after a cross-origin redirect: no Authorization
  // To an http proxy: "GET http://host/path HTTP/1.1", and this
  // Proxy-Authorization value when not empty.
  bool absolute_form = false;
  std::string_view proxy_authorization;
};

// The cookies a hop sends: the jar's (already in Cookie-header order) except
// those the request names itself, then the request's own.
std::vector<std::pair<std::string, std::string>> with_jar_cookies(
    const std::vector<Cookie>& jar, const std::vector<std::pair<std::string, std::string>>& own);

// Throws UrlError for a header or cookie that would break the request framing
// (checked once at the start, before any connection is used).
void check_request_headers(const HttpRequest& request);

// Appends the request bytes to `out`. Defaults (Host first; User-Agent, Accept,
// Accept-Encoding) give way to user headers of the same name, compared
// case-insensitively; Content-Length and Transfer-Encoding are always ours.
// Cookies are appended to a user Cookie header with "; " or sent as a new one.
// Throws UrlError for a header name or value that would break the framing.
void write_request(const WriteSpec& spec, std::string& out);

}  // namespace uvscrape::http
