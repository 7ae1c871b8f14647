// Proxy URLs (see proxy_endpoint.hpp).
#include "net/proxy_endpoint.hpp"

#include <mbedtls/base64.h>

#include <charconv>

#include "common/ascii.hpp"
#include "uvscrape/errors.hpp"

namespace uvscrape::net {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int high = hex_value(text[i + 1]);
      const int low = hex_value(text[i + 2]);
      if (high >= 0 && low >= 0) {
        out.push_back(static_cast<char>(high * 16 + low));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

std::string to_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

}  // namespace

std::string ProxyEndpoint::key() const {
  std::string out = display;
  if (has_credentials()) {
    out += '|';
    out += user;
    out += ':';
    out += password;
  }
  return out;
}

ProxyEndpoint parse_proxy_url(std::string_view text, const std::string& url_for_errors) {
  const auto bad = [&](const std::string& why) {
    return UrlError(url_for_errors, "invalid proxy URL: " + why);
  };
  ProxyEndpoint proxy;
  std::string_view rest = text;
  const size_t scheme_end = rest.find("://");
  std::string scheme = "http";
  if (scheme_end != std::string_view::npos) {
    scheme = to_lower(rest.substr(0, scheme_end));
    rest.remove_prefix(scheme_end + 3);
  }
  if (scheme == "http") {
    proxy.kind = ProxyEndpoint::Kind::http;
    proxy.port = 80;
  } else if (scheme == "socks5") {
    proxy.kind = ProxyEndpoint::Kind::socks5;
    proxy.port = 1080;
  } else if (scheme == "socks5h") {
    proxy.kind = ProxyEndpoint::Kind::socks5h;
    proxy.port = 1080;
  } else {
    throw bad("scheme '" + scheme + "' is not http, socks5 or socks5h");
  }
  // The authority ends at the first '/', '?' or '#'; nothing may follow but "/".
  const size_t authority_end = rest.find_first_of("/?#");
  std::string_view after =
      authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  if (!after.empty() && after != "/") throw bad("a proxy URL has no path or query");
  std::string_view authority = rest.substr(0, authority_end);
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority.remove_prefix(at + 1);
    const size_t colon = userinfo.find(':');
    proxy.user = percent_decode(userinfo.substr(0, colon));
    if (colon != std::string_view::npos)
      proxy.password = percent_decode(userinfo.substr(colon + 1));
  }
  std::string_view port_text;
  if (authority.starts_with('[')) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) throw bad("unterminated IPv6 address");
    proxy.host = std::string(authority.substr(1, close - 1));
    std::string_view tail = authority.substr(close + 1);
    if (!tail.empty()) {
      if (tail[0] != ':') throw bad("junk after the IPv6 address");
      port_text = tail.substr(1);
    }
  } else {
    const size_t colon = authority.rfind(':');
    proxy.host = to_lower(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (proxy.host.empty()) throw bad("no host");
  if (!port_text.empty()) {
    unsigned port = 0;
    const auto [end, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535)
      throw bad("bad port '" + std::string(port_text) + "'");
    proxy.port = static_cast<uint16_t>(port);
  }
  const bool ipv6 = proxy.host.find(':') != std::string::npos;
  proxy.display = scheme + "://" + (ipv6 ? "[" + proxy.host + "]" : proxy.host) + ":" +
                  std::to_string(proxy.port);
  return proxy;
}

std::string basic_proxy_authorization(const ProxyEndpoint& proxy) {
  const std::string plain = proxy.user + ":" + proxy.password;
  size_t length = 0;
  mbedtls_base64_encode(nullptr, 0, &length, reinterpret_cast<const unsigned char*>(plain.data()),
                        plain.size());
  std::string encoded(length, '\0');
  mbedtls_base64_encode(reinterpret_cast<unsigned char*>(encoded.data()), encoded.size(), &length,
                        reinterpret_cast<const unsigned char*>(plain.data()), plain.size());
  encoded.resize(length);  // without the terminating NUL it counted
  return "Basic " + encoded;
}

}  // namespace uvscrape::net
