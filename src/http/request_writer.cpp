#include "http/request_writer.hpp"

#include <algorithm>

#include "common/ascii.hpp"
#include "uvscrape/errors.hpp"
#include "uvscrape_version.h"

namespace uvscrape::http {

namespace {

constexpr std::string_view kAcceptEncoding = "gzip, deflate, br";

bool has_header(const std::vector<std::pair<std::string, std::string>>& headers,
                std::string_view name) {
  for (const auto& h : headers) {
    if (iequals(h.first, name)) return true;
  }
  return false;
}

bool is_token_char(char c) {
  if (c >= 'a' && c <= 'z') return true;
  if (c >= 'A' && c <= 'Z') return true;
  if (c >= '0' && c <= '9') return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

void check_header(const Url& url, std::string_view name, std::string_view value) {
  bool ok = !name.empty();
  for (char c : name) ok = ok && is_token_char(c);
  for (char c : value) ok = ok && c != '\r' && c != '\n' && c != '\0';
  if (!ok) throw UrlError(url.str(), "invalid request header '" + std::string(name) + "'");
}

void append_header(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ");
  out.append(value);
  out.append("\r\n");
}

bool method_expects_body(std::string_view method) {
  return method == "POST" || method == "PUT" || method == "PATCH";
}

}  // namespace

std::string default_user_agent() {
  return std::string("uvscrape/") + UVSCRAPE_VERSION;
}

RequestBody make_request_body(const HttpRequest& request) {
  const int forms =
      int(request.body.has_value()) + int(request.form.has_value()) + int(request.json.has_value());
  if (forms > 1) throw UrlError(request.url, "a request has at most one of body, form, json");
  RequestBody body;
  if (request.body) {
    body.present = true;
    body.bytes = *request.body;
  } else if (request.form) {
    body.present = true;
    body.bytes = encode_form(*request.form);
    body.content_type = "application/x-www-form-urlencoded";
  } else if (request.json) {
    body.present = true;
    body.bytes = *request.json;
    body.content_type = "application/json";
  }
  return body;
}

void check_request_headers(const HttpRequest& request) {
  std::string_view url = request.url;
  const auto check = [&](std::string_view name, std::string_view value) {
    bool ok = !name.empty();
    for (char c : name) ok = ok && is_token_char(c);
    for (char c : value) ok = ok && c != '\r' && c != '\n' && c != '\0';
    if (!ok) throw UrlError(std::string(url), "invalid request header '" + std::string(name) + "'");
  };
  for (const auto& [name, value] : request.headers) check(name, value);
  for (const auto& [name, value] : request.cookies) {
    check("Cookie", name);
    check("Cookie", value);
  }
}

std::vector<std::pair<std::string, std::string>> with_jar_cookies(
    const std::vector<Cookie>& jar, const std::vector<std::pair<std::string, std::string>>& own) {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(jar.size() + own.size());
  for (const Cookie& c : jar) {
    const bool overridden =
        std::any_of(own.begin(), own.end(), [&](const auto& pair) { return pair.first == c.name; });
    if (!overridden) out.emplace_back(c.name, c.value);
  }
  out.insert(out.end(), own.begin(), own.end());
  return out;
}

Url initial_url(const HttpRequest& request) {
  if (request.params.empty()) return Url::parse(request.url);
  return Url::parse(with_query(request.url, request.params));
}

void write_request(const WriteSpec& spec, std::string& out) {
  const Url& url = *spec.url;
  const auto& headers = *spec.headers;
  const bool has_body = spec.body != nullptr && spec.body->present;

  out.append(spec.method);
  out.push_back(' ');
  if (spec.absolute_form) {
    // The URL without user info or fragment (RFC 9112 §3.2.2).
    out.append(url.scheme());
    out.append("://");
    out.append(url.host_header());
  }
  out.append(url.request_target());
  out.append(" HTTP/1.1\r\n");

  if (!has_header(headers, "Host")) append_header(out, "Host", url.host_header());
  if (!spec.proxy_authorization.empty())
    append_header(out, "Proxy-Authorization", spec.proxy_authorization);

  std::string_view user_cookie;
  bool user_cookie_seen = false;
  for (const auto& [name, value] : headers) {
    check_header(url, name, value);
    if (iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding")) continue;
    if (spec.drop_credentials && iequals(name, "Authorization")) continue;
    if (!has_body && iequals(name, "Content-Type")) continue;
    if (iequals(name, "Cookie") && !user_cookie_seen) {
      // Merged with the request's cookies below.
      user_cookie = value;
      user_cookie_seen = true;
      continue;
    }
    append_header(out, name, value);
  }

  if (!has_header(headers, "User-Agent")) append_header(out, "User-Agent", spec.user_agent);
  if (!has_header(headers, "Accept")) append_header(out, "Accept", "*/*");
  if (!has_header(headers, "Accept-Encoding")) {
    append_header(out, "Accept-Encoding", kAcceptEncoding);
  }

  const bool have_cookies = spec.cookies != nullptr && !spec.cookies->empty();
  if (user_cookie_seen || have_cookies) {
    std::string cookie(user_cookie);
    if (have_cookies) {
      for (const auto& [name, value] : *spec.cookies) {
        check_header(url, "Cookie", name);
        check_header(url, "Cookie", value);
        if (!cookie.empty()) cookie.append("; ");
        cookie.append(name);
        cookie.push_back('=');
        cookie.append(value);
      }
    }
    append_header(out, "Cookie", cookie);
  }

  if (has_body) {
    if (!spec.body->content_type.empty() && !has_header(headers, "Content-Type")) {
      append_header(out, "Content-Type", spec.body->content_type);
    }
    append_header(out, "Content-Length", std::to_string(spec.body->bytes.size()));
  } else if (method_expects_body(spec.method)) {
    append_header(out, "Content-Length", "0");
  }
  out.append("\r\n");
  if (has_body) out.append(spec.body->bytes);
}

}  // namespace uvscrape::http
