#include "http_exchange.hpp"

#include <cctype>

namespace uvscrape::testing {

bool header_name_equals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::optional<std::string> find_header(const HeaderList& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (header_name_equals(key, name)) return value;
  }
  return std::nullopt;
}

ServerResponse ServerResponse::html(std::string body, int status) {
  ServerResponse r;
  r.status = status;
  r.body = std::move(body);
  r.header("Content-Type", "text/html; charset=utf-8");
  return r;
}

ServerResponse ServerResponse::text(std::string body, int status) {
  ServerResponse r;
  r.status = status;
  r.body = std::move(body);
  r.header("Content-Type", "text/plain; charset=utf-8");
  return r;
}

ServerResponse ServerResponse::redirect(std::string location, int status) {
  ServerResponse r;
  r.status = status;
  r.header("Location", std::move(location));
  return r;
}

ServerResponse ServerResponse::with_status(int status) {
  ServerResponse r;
  r.status = status;
  return r;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 103: return "Early Hints";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 410: return "Gone";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Unknown";
  }
}

}  // namespace uvscrape::testing
