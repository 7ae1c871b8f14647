// Which proxy, if any, carries a request (docs/design.md §22).
//
// In order: the request's own choice (a proxy URL, or "" for a direct
// connection) wins; else a host on the no-proxy list goes direct; else the
// configured proxy; else, when reading the environment was asked for,
// http_proxy / https_proxy by the URL's scheme (lower-case names win over
// HTTP_PROXY / HTTPS_PROXY), with no_proxy / NO_PROXY added to the list.
//
// No-proxy entries (comma- or space-separated in the environment): "*" (every
// host), a host name ("example.org" and ".example.org" both cover the name and
// its subdomains, as curl reads them), an IP address, or a CIDR block
// ("10.0.0.0/8", "127.0.0.0/8", "fd00::/8"). Names compare case-insensitively;
// a CIDR block matches only hosts written as IP addresses.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/proxy_endpoint.hpp"
#include "uvscrape/url.hpp"

namespace uvscrape::http {

struct ProxySettings {
  std::string proxy;                  // every scheme; empty: none
  std::vector<std::string> no_proxy;  // hosts that go direct
  bool from_env = false;              // read http_proxy, https_proxy, no_proxy too
};

class ProxySelector {
 public:
  // Reads the environment now if `from_env` (getenv: no I/O).
  explicit ProxySelector(const ProxySettings& settings);

  // False when no request can go through a proxy unless it names one itself:
  // callers skip choose() on the hot path.
  bool configured() const { return configured_; }

  // The proxy for `url` (nullptr: direct). `request_proxy` is the request's own
  // choice. Throws UrlError (naming `url`) for a proxy URL that does not parse.
  std::shared_ptr<const net::ProxyEndpoint> choose(
      const Url& url, const std::optional<std::string>& request_proxy) const;

  // Whether `host` (as Url::host() writes it) is on the no-proxy list.
  bool bypasses(std::string_view host) const;

 private:
  struct Cidr {
    unsigned char bytes[16];
    int family;  // AF_INET / AF_INET6
    int prefix;  // bits
  };
  void add_no_proxy(std::string_view entry);
  std::shared_ptr<const net::ProxyEndpoint> parsed(const std::string& proxy_url,
                                                   const Url& url) const;

  bool configured_ = false;
  std::string http_proxy_;   // for http:// URLs
  std::string https_proxy_;  // for https:// URLs
  bool bypass_all_ = false;
  std::vector<std::string> suffixes_;  // lower-case names, without a leading dot
  std::vector<Cidr> blocks_;
  // Proxy URLs parsed once (the configured ones and those requests name).
  mutable std::map<std::string, std::shared_ptr<const net::ProxyEndpoint>, std::less<>> cache_;
};

}  // namespace uvscrape::http
