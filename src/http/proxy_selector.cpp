// Proxy choice per request (see proxy_selector.hpp).
#include "http/proxy_selector.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstdlib>
#include <cstring>

#include "common/ascii.hpp"
#include "uvscrape/errors.hpp"

namespace uvscrape::http {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

std::string env(const char* lower_name, const char* upper_name) {
  // getenv reads the process's memory: no I/O, cannot block.
  if (const char* v = std::getenv(lower_name); v != nullptr && *v != '\0') return v;
  if (const char* v = std::getenv(upper_name); v != nullptr && *v != '\0') return v;
  return {};
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The address of a numeric host; false for a name.
bool numeric_address(std::string_view host, unsigned char out[16], int& family) {
  std::string text(host);
  if (text.size() > 2 && text.front() == '[' && text.back() == ']')
    text = text.substr(1, text.size() - 2);
  if (inet_pton(AF_INET, text.c_str(), out) == 1) {
    family = AF_INET;
    return true;
  }
  if (inet_pton(AF_INET6, text.c_str(), out) == 1) {
    family = AF_INET6;
    return true;
  }
  return false;
}

bool prefix_matches(const unsigned char* a, const unsigned char* b, int bits) {
  const int whole = bits / 8;
  if (std::memcmp(a, b, static_cast<size_t>(whole)) != 0) return false;
  const int rest = bits % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<unsigned char>(0xFF << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

}  // namespace

ProxySelector::ProxySelector(const ProxySettings& settings) {
  http_proxy_ = https_proxy_ = settings.proxy;
  for (const auto& entry : settings.no_proxy) add_no_proxy(entry);
  if (settings.from_env) {
    if (http_proxy_.empty()) http_proxy_ = env("http_proxy", "HTTP_PROXY");
    if (https_proxy_.empty()) https_proxy_ = env("https_proxy", "HTTPS_PROXY");
    const std::string list = env("no_proxy", "NO_PROXY");
    size_t at = 0;
    while (at <= list.size()) {
      const size_t end = list.find_first_of(", ", at);
      add_no_proxy(std::string_view(list).substr(at, end - at));
      if (end == std::string::npos) break;
      at = end + 1;
    }
  }
  configured_ = !http_proxy_.empty() || !https_proxy_.empty();
}

void ProxySelector::add_no_proxy(std::string_view raw) {
  const std::string_view entry = trim(raw);
  if (entry.empty()) return;
  if (entry == "*") {
    bypass_all_ = true;
    return;
  }
  if (const size_t slash = entry.find('/'); slash != std::string_view::npos) {
    Cidr block{};
    int bits = -1;
    const std::string_view length = entry.substr(slash + 1);
    std::from_chars(length.data(), length.data() + length.size(), bits);
    if (numeric_address(entry.substr(0, slash), block.bytes, block.family) && bits >= 0 &&
        bits <= (block.family == AF_INET ? 32 : 128)) {
      block.prefix = bits;
      blocks_.push_back(block);
    }
    return;  // a malformed block matches nothing
  }
  Cidr single{};
  if (numeric_address(entry, single.bytes, single.family)) {
    single.prefix = single.family == AF_INET ? 32 : 128;
    blocks_.push_back(single);
    return;
  }
  std::string name = lower(entry);
  if (name.starts_with('.')) name.erase(0, 1);
  suffixes_.push_back(std::move(name));
}

bool ProxySelector::bypasses(std::string_view host) const {
  if (bypass_all_) return true;
  unsigned char address[16];
  int family = 0;
  if (numeric_address(host, address, family)) {
    for (const Cidr& block : blocks_) {
      if (block.family == family && prefix_matches(address, block.bytes, block.prefix)) return true;
    }
    return false;
  }
  const std::string name = lower(host);
  for (const std::string& suffix : suffixes_) {
    if (name == suffix) return true;
    if (name.size() > suffix.size() && name.ends_with(suffix) &&
        name[name.size() - suffix.size() - 1] == '.')
      return true;
  }
  return false;
}

std::shared_ptr<const net::ProxyEndpoint> ProxySelector::parsed(const std::string& proxy_url,
                                                                const Url& url) const {
  if (auto it = cache_.find(proxy_url); it != cache_.end()) return it->second;
  auto endpoint = std::make_shared<const net::ProxyEndpoint>(
      net::parse_proxy_url(proxy_url, url.str_without_fragment()));
  cache_.emplace(proxy_url, endpoint);
  return endpoint;
}

std::shared_ptr<const net::ProxyEndpoint> ProxySelector::choose(
    const Url& url, const std::optional<std::string>& request_proxy) const {
  if (request_proxy) {
    if (request_proxy->empty()) return nullptr;
    return parsed(*request_proxy, url);
  }
  if (!configured_) return nullptr;
  const std::string& proxy = url.is_https() ? https_proxy_ : http_proxy_;
  if (proxy.empty() || bypasses(url.host())) return nullptr;
  return parsed(proxy, url);
}

}  // namespace uvscrape::http
