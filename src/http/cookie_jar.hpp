// The parts of the cookie jar (include/uvscrape/cookie_jar.hpp) that follow
// RFC 6265 §5 step by step, exposed so tests can check each rule on its own.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "uvscrape/cookie_jar.hpp"

namespace uvscrape::http {

// One Set-Cookie header as §5.2 reads it: name and value trimmed, attributes
// in order, names as sent (compared case-insensitively), values trimmed.
struct SetCookie {
  struct Attribute {
    std::string name;
    std::string value;
  };
  std::string name;
  std::string value;
  std::vector<Attribute> attributes;
};

// §5.2: nullopt when the header is ignored (no '=' in the name-value pair, an
// empty name).
std::optional<SetCookie> parse_set_cookie(std::string_view header);

// §5.1.1: the cookie-date algorithm; nullopt when it fails (a missing part, a
// day, hour, minute or second out of range, a year before 1601, a date that
// does not exist).
std::optional<std::chrono::system_clock::time_point> parse_cookie_date(std::string_view text);

// §5.1.3: `domain` (lower-case) domain-matches `host` (lower-case, canonical);
// only identical strings match when `host_is_ip`.
bool domain_match(std::string_view host, std::string_view domain, bool host_is_ip);
// §5.1.4
std::string default_path(std::string_view request_path);
bool path_match(std::string_view request_path, std::string_view cookie_path);

// The Public Suffix List (libpsl's built-in copy): "co.uk", "github.io", "com".
bool is_public_suffix(std::string_view domain);
// An IPv4 or IPv6 address, as Url::host() writes them.
bool is_ip_host(const Url& url);

}  // namespace uvscrape::http
