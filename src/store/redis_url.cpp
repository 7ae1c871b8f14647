// See redis_url.hpp.
#include "store/redis_url.hpp"

#include <arpa/inet.h>

#include <charconv>

#include "uvscrape/errors.hpp"

namespace uvscrape::store {
namespace {

long long number(const std::string& text, const std::string& masked, const char* what,
                 long long min, long long max) {
  long long v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < min || v > max)
    throw StoreError(masked, std::string("bad ") + what + " '" + text + "'");
  return v;
}

std::string percent_decoded(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

bool is_redis_url(const std::string& path) {
  return path.rfind("redis://", 0) == 0 || path.rfind("rediss://", 0) == 0;
}

RedisAddress parse_redis_url(const std::string& url) {
  RedisAddress a;
  std::string rest = url.substr(url.find("://") + 3);
  // The password never appears in an error message: until the URL is
  // parsed, errors name it without its user info and query.
  const auto at = rest.find('@');
  a.url = url.substr(0, url.find("://") + 3) + rest.substr(at == std::string::npos ? 0 : at + 1);
  a.url = a.url.substr(0, a.url.find('?'));
  if (url.rfind("rediss://", 0) == 0)
    throw StoreError(a.url,
                     "TLS to Redis (rediss://) is not supported: Debian 12's hiredis 0.14 "
                     "has no TLS; reach Redis over a trusted network or a tunnel");
  if (at != std::string::npos) {
    std::string userinfo = rest.substr(0, at);
    const auto colon = userinfo.find(':');
    a.password =
        percent_decoded(colon == std::string::npos ? userinfo : userinfo.substr(colon + 1));
    rest = rest.substr(at + 1);
  }
  std::string query;
  if (const auto q = rest.find('?'); q != std::string::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string hostport = rest;
  if (const auto slash = rest.find('/'); slash != std::string::npos) {
    hostport = rest.substr(0, slash);
    const std::string db = rest.substr(slash + 1);
    if (!db.empty()) a.db = static_cast<int>(number(db, a.url, "database number", 0, 1 << 20));
  }
  if (const auto colon = hostport.rfind(':'); colon != std::string::npos) {
    a.port = static_cast<int>(number(hostport.substr(colon + 1), a.url, "port", 1, 65535));
    hostport = hostport.substr(0, colon);
  }
  a.host = hostport == "localhost" ? "127.0.0.1" : hostport;
  unsigned char addr[16];
  if (inet_pton(AF_INET, a.host.c_str(), addr) != 1 &&
      inet_pton(AF_INET6, a.host.c_str(), addr) != 1)
    throw StoreError(a.url,
                     "the host must be an IP address or localhost (a name would be "
                     "resolved with a blocking call on the loop thread)");
  a.url = "redis://" + hostport + ":" + std::to_string(a.port) + "/" + std::to_string(a.db);
  for (std::size_t start = 0; start < query.size();) {
    std::size_t end = query.find('&', start);
    if (end == std::string::npos) end = query.size();
    const std::string pair = query.substr(start, end - start);
    start = end + 1;
    const auto eq = pair.find('=');
    const std::string key = pair.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : percent_decoded(pair.substr(eq + 1));
    if (key == "prefix") {
      if (value.empty()) throw StoreError(a.url, "an empty prefix");
      a.prefix = value;
    } else if (key == "password") {
      a.password = value;
    } else if (key == "lease_ms") {
      a.lease = std::chrono::milliseconds(number(value, a.url, "lease_ms", 200, 86400000));
    } else if (key == "window") {
      a.window = static_cast<std::size_t>(number(value, a.url, "window", 1, 1000000));
    } else if (!key.empty()) {
      throw StoreError(a.url, "unknown parameter '" + key + "'");
    }
  }
  a.url += "?prefix=" + a.prefix;
  return a;
}

}  // namespace uvscrape::store
