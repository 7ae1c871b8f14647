// A proxy as a URL names it: http://[user:password@]host[:port],
// socks5://... (the target's name resolved here) or socks5h://... (the name
// sent to the proxy, which resolves it).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace uvscrape::net {

struct ProxyEndpoint {
  enum class Kind { http, socks5, socks5h };
  Kind kind = Kind::http;
  std::string host;  // DNS name or numeric address (IPv6 without brackets)
  uint16_t port = 0;
  std::string user;      // percent-decoded; empty: no authentication
  std::string password;  // percent-decoded
  // "http://host:port" without credentials: what error messages show.
  std::string display;

  bool is_http() const { return kind == Kind::http; }
  bool has_credentials() const { return !user.empty() || !password.empty(); }
  // Identifies the proxy and the credentials used with it (pool keys).
  std::string key() const;
};

// Parses a proxy URL. Default ports: 80 for http, 1080 for socks5(h). A URL
// without a scheme is an http proxy ("127.0.0.1:3128", as curl reads it).
// Throws UrlError(url_for_errors, ...) for anything else (https:// proxies
// included: a TLS connection to the proxy itself is not supported).
ProxyEndpoint parse_proxy_url(std::string_view proxy_url, const std::string& url_for_errors);

// "Basic <base64(user:password)>", the Proxy-Authorization value.
std::string basic_proxy_authorization(const ProxyEndpoint& proxy);

}  // namespace uvscrape::net
