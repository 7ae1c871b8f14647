#include "http/pool_key.hpp"

#include <charconv>

#include "uvscrape/errors.hpp"

namespace uvscrape::http {
namespace {

void append_tls_settings(bool https, const RequestOptions& options, std::string& out) {
  if (!https) return;
  out += options.verify_tls ? "|verify|" : "|noverify|";
  out += options.ca_file;
}

void append_port(uint16_t port, std::string& out) {
  char digits[8];
  const auto end = std::to_chars(digits, digits + sizeof digits, port).ptr;
  out.append(digits, end);
}

// "http://host[:port]..." with a host of lower-case letters, digits, '-' and
// '.', as normalisation leaves most URLs: the origin without a full parse.
bool fast_origin(std::string_view url, std::string& out, bool& https) {
  size_t at;
  if (url.starts_with("http://")) {
    at = 7;
    https = false;
  } else if (url.starts_with("https://")) {
    at = 8;
    https = true;
  } else {
    return false;
  }
  const size_t host_begin = at;
  while (at < url.size()) {
    const char c = url[at];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) break;
    ++at;
  }
  const std::string_view host = url.substr(host_begin, at - host_begin);
  if (host.empty()) return false;
  unsigned port = https ? 443 : 80;
  if (at < url.size() && url[at] == ':') {
    const size_t port_begin = ++at;
    port = 0;
    while (at < url.size() && url[at] >= '0' && url[at] <= '9' && at - port_begin < 5) {
      port = port * 10 + static_cast<unsigned>(url[at] - '0');
      ++at;
    }
    if (at == port_begin || port > 65535) return false;
  }
  if (at < url.size() && url[at] != '/' && url[at] != '?' && url[at] != '#') return false;
  out.assign(https ? "https://" : "http://");
  out += host;
  out += ':';
  append_port(static_cast<uint16_t>(port), out);
  return true;
}

}  // namespace

void pool_key(const Url& url, const RequestOptions& options, std::string& out) {
  out = url.origin();
  append_tls_settings(url.is_https(), options, out);
}

bool pool_key(std::string_view url, const RequestOptions& options, std::string& out) {
  bool https = false;
  if (fast_origin(url, out, https)) {
    append_tls_settings(https, options, out);
    return true;
  }
  try {
    pool_key(Url::parse(url), options, out);  // anything unusual: the full rules
    return true;
  } catch (const UrlError&) {
    return false;
  }
}

}  // namespace uvscrape::http
