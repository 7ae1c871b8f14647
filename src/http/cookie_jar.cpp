// The cookie jar (include/uvscrape/cookie_jar.hpp): RFC 6265 §5, in the
// order the RFC gives its steps.
#include "http/cookie_jar.hpp"

#include <libpsl.h>

#include <algorithm>
#include <limits>

#include "common/ascii.hpp"
#include "common/hex.hpp"
#include "common/utf8.hpp"
#include "uvscrape/errors.hpp"
#include "uvscrape/json.hpp"
#include "uvscrape/url.hpp"

namespace uvscrape {

namespace http {

namespace {

using Clock = std::chrono::system_clock;

// system_clock counts nanoseconds in 64 bits: about 292 years either side of
// 1970. Times outside are clamped (a date before 1678 is as past as any).
constexpr int64_t kMaxSeconds = 9'000'000'000;  // about the year 2255

Clock::time_point from_unix_seconds(int64_t seconds) {
  seconds = std::clamp<int64_t>(seconds, -kMaxSeconds, kMaxSeconds);
  return Clock::time_point(std::chrono::seconds(seconds));
}

int64_t to_unix_seconds(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

bool is_wsp(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim_wsp(std::string_view s) {
  while (!s.empty() && is_wsp(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_wsp(s.back())) s.remove_suffix(1);
  return s;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

// §5.1.1 delimiter = %x09 / %x20-2F / %x3B-40 / %x5B-60 / %x7B-7E
bool is_date_delimiter(unsigned char c) {
  return c == 0x09 || (c >= 0x20 && c <= 0x2F) || (c >= 0x3B && c <= 0x40) ||
         (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E);
}

// Reads min..max digits at `pos`; they must not be followed by another digit.
std::optional<int> read_digits(std::string_view token, size_t& pos, size_t min, size_t max) {
  size_t n = 0;
  int value = 0;
  while (pos + n < token.size() && is_digit(token[pos + n])) {
    if (++n > max) return std::nullopt;
    value = value * 10 + (token[pos + n - 1] - '0');
  }
  if (n < min) return std::nullopt;
  pos += n;
  return value;
}

// hms-time ( non-digit *OCTET )
bool match_time(std::string_view token, int& h, int& m, int& s) {
  size_t pos = 0;
  auto a = read_digits(token, pos, 1, 2);
  if (!a || pos >= token.size() || token[pos++] != ':') return false;
  auto b = read_digits(token, pos, 1, 2);
  if (!b || pos >= token.size() || token[pos++] != ':') return false;
  auto c = read_digits(token, pos, 1, 2);
  if (!c) return false;
  h = *a, m = *b, s = *c;
  return true;  // read_digits made sure a non-digit (or nothing) follows
}

// 1*2DIGIT / 2*4DIGIT, then ( non-digit *OCTET )
std::optional<int> match_number(std::string_view token, size_t min, size_t max) {
  size_t pos = 0;
  return read_digits(token, pos, min, max);
}

std::optional<int> match_month(std::string_view token) {
  static constexpr std::string_view kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                                 "jul", "aug", "sep", "oct", "nov", "dec"};
  if (token.size() < 3) return std::nullopt;
  for (int i = 0; i < 12; ++i) {
    if (iequals(token.substr(0, 3), kMonths[i])) return i + 1;
  }
  return std::nullopt;
}

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// Max-Age: "-"? 1*DIGIT, saturating; nullopt when it is not that (§5.2.2).
std::optional<int64_t> parse_max_age(std::string_view value) {
  if (value.empty() || !(is_digit(value[0]) || value[0] == '-')) return std::nullopt;
  const bool negative = value[0] == '-';
  std::string_view digits = negative ? value.substr(1) : value;
  if (digits.empty()) return std::nullopt;
  int64_t n = 0;
  for (char c : digits) {
    if (!is_digit(c)) return std::nullopt;
    n = n > kMaxSeconds ? n : n * 10 + (c - '0');
  }
  return negative ? -n : n;
}

const psl_ctx_t* public_suffix_list() {
  // Debian's libpsl carries the list built in; without it, the system copy is
  // read once (a small file, on first use: the only disk read of the jar).
  static const psl_ctx_t* psl = psl_builtin() != nullptr ? psl_builtin() : psl_latest(nullptr);
  return psl;
}

SameSite parse_same_site(std::string_view value) {
  if (iequals(value, "strict")) return SameSite::strict;
  if (iequals(value, "lax")) return SameSite::lax;
  if (iequals(value, "none")) return SameSite::none;
  return SameSite::unset;
}

}  // namespace

std::optional<SetCookie> parse_set_cookie(std::string_view header) {
  // §5.2 steps 1-5.
  const size_t semicolon = header.find(';');
  std::string_view pair = header.substr(0, semicolon);
  std::string_view rest = semicolon == std::string_view::npos ? "" : header.substr(semicolon);
  const size_t equals = pair.find('=');
  if (equals == std::string_view::npos) return std::nullopt;
  SetCookie out;
  out.name = std::string(trim_wsp(pair.substr(0, equals)));
  out.value = std::string(trim_wsp(pair.substr(equals + 1)));
  if (out.name.empty()) return std::nullopt;
  // §5.2 attribute loop: each ";"-separated cookie-av, split at its first '='.
  while (!rest.empty()) {
    rest.remove_prefix(1);  // the ';'
    const size_t next = rest.find(';');
    std::string_view av = rest.substr(0, next);
    rest = next == std::string_view::npos ? "" : rest.substr(next);
    const size_t eq = av.find('=');
    SetCookie::Attribute attribute;
    attribute.name = std::string(trim_wsp(av.substr(0, eq)));
    if (eq != std::string_view::npos) attribute.value = std::string(trim_wsp(av.substr(eq + 1)));
    if (attribute.name.empty() && attribute.value.empty()) continue;  // ";;" or a trailing ';'
    out.attributes.push_back(std::move(attribute));
  }
  return out;
}

std::optional<Clock::time_point> parse_cookie_date(std::string_view text) {
  bool found_time = false, found_day = false, found_month = false, found_year = false;
  int hour = 0, minute = 0, second = 0, day = 0, month = 0, year = 0;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_date_delimiter(static_cast<unsigned char>(text[i]))) ++i;
    const size_t start = i;
    while (i < text.size() && !is_date_delimiter(static_cast<unsigned char>(text[i]))) ++i;
    std::string_view token = text.substr(start, i - start);
    if (token.empty()) continue;
    int h, m, s;
    if (!found_time && match_time(token, h, m, s)) {
      found_time = true, hour = h, minute = m, second = s;
    } else if (auto d = found_day ? std::nullopt : match_number(token, 1, 2)) {
      found_day = true, day = *d;
    } else if (auto mo = found_month ? std::nullopt : match_month(token)) {
      found_month = true, month = *mo;
    } else if (auto y = found_year ? std::nullopt : match_number(token, 2, 4)) {
      found_year = true, year = *y;
    }
  }
  if (found_year && year >= 70 && year <= 99) year += 1900;
  if (found_year && year >= 0 && year <= 69) year += 2000;
  if (!found_time || !found_day || !found_month || !found_year) return std::nullopt;
  if (day < 1 || day > 31 || year < 1601 || hour > 23 || minute > 59 || second > 59) {
    return std::nullopt;
  }
  if (day > days_in_month(year, month)) return std::nullopt;
  const int64_t days =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return from_unix_seconds(days * 86400 + hour * 3600 + minute * 60 + second);
}

bool domain_match(std::string_view host, std::string_view domain, bool host_is_ip) {
  if (host == domain) return true;
  if (host_is_ip || domain.empty() || host.size() <= domain.size()) return false;
  return host.substr(host.size() - domain.size()) == domain &&
         host[host.size() - domain.size() - 1] == '.';
}

std::string default_path(std::string_view request_path) {
  if (request_path.empty() || request_path[0] != '/') return "/";
  const size_t last = request_path.rfind('/');
  if (last == 0) return "/";
  return std::string(request_path.substr(0, last));
}

bool path_match(std::string_view request_path, std::string_view cookie_path) {
  if (request_path == cookie_path) return true;
  if (request_path.substr(0, cookie_path.size()) != cookie_path) return false;
  return cookie_path.back() == '/' || request_path[cookie_path.size()] == '/';
}

bool is_public_suffix(std::string_view domain) {
  const psl_ctx_t* psl = public_suffix_list();
  if (psl == nullptr) return false;
  const std::string text(domain);
  return psl_is_public_suffix2(psl, text.c_str(), PSL_TYPE_ANY) != 0;
}

bool is_ip_host(const Url& url) {
  if (url.is_ipv6()) return true;
  // The URL parser reads a host whose last label is a number as IPv4, so a
  // host ending in digits is an address.
  const std::string& host = url.host();
  return !host.empty() && is_digit(host.back());
}

}  // namespace http

// ---------------------------------------------------------------------------
// CookieJar

const char* to_string(SameSite value) noexcept {
  switch (value) {
    case SameSite::unset: return "";
    case SameSite::strict: return "Strict";
    case SameSite::lax: return "Lax";
    case SameSite::none: return "None";
  }
  return "";
}

size_t CookieJar::store(const Url& url, const Headers& response_headers) {
  size_t stored = 0;
  for (const auto& [name, value] : response_headers.items()) {
    if (iequals(name, "Set-Cookie") && store(url, value)) ++stored;
  }
  return stored;
}

// §5.3, steps 1-12.
bool CookieJar::store(const Url& url, std::string_view set_cookie) {
  auto parsed = http::parse_set_cookie(set_cookie);
  if (!parsed) return false;
  if (parsed->name.size() + parsed->value.size() > max_cookie_bytes) return false;
  const Clock::time_point t = now();
  Cookie cookie;
  cookie.name = std::move(parsed->name);
  cookie.value = std::move(parsed->value);
  cookie.created = cookie.last_access = t;

  std::optional<int64_t> max_age;
  std::optional<Clock::time_point> expires;
  std::optional<std::string> domain;
  std::optional<std::string> path;
  for (const auto& [name, value] : parsed->attributes) {
    if (iequals(name, "Expires")) {
      if (auto date = http::parse_cookie_date(value)) expires = date;
    } else if (iequals(name, "Max-Age")) {
      if (auto delta = http::parse_max_age(value)) max_age = delta;
    } else if (iequals(name, "Domain")) {
      if (value.empty()) continue;  // §5.2.3: ignore the attribute
      std::string_view d = value;
      if (d.front() == '.') d.remove_prefix(1);
      domain = http::lower(d);
    } else if (iequals(name, "Path")) {
      path = value.empty() || value[0] != '/' ? http::default_path(url.path()) : value;
    } else if (iequals(name, "Secure")) {
      cookie.secure = true;
    } else if (iequals(name, "HttpOnly")) {
      cookie.http_only = true;
    } else if (iequals(name, "SameSite")) {
      cookie.same_site = http::parse_same_site(value);
    }
  }
  // Step 3: Max-Age wins over Expires; Max-Age <= 0 is "the earliest time".
  if (max_age) {
    // Clamped so that the time stays representable (see kMaxSeconds).
    const int64_t room = http::kMaxSeconds - http::to_unix_seconds(t);
    cookie.expires = *max_age <= 0 ? Clock::time_point(std::chrono::seconds(0))
                                   : t + std::chrono::seconds(std::min(*max_age, room));
  } else if (expires) {
    cookie.expires = expires;
  }

  // Steps 4-6: host-only or domain cookie.
  const std::string& host = url.host();
  const bool ip = http::is_ip_host(url);
  std::string cookie_domain = domain.value_or(std::string());
  for (char c : cookie_domain) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;  // not a canonical host name
  }
  if (!cookie_domain.empty() && ip) {
    if (cookie_domain != host) return false;
    cookie_domain.clear();  // an address only ever gets host-only cookies
  }
  if (!cookie_domain.empty() && http::is_public_suffix(cookie_domain)) {
    if (cookie_domain != host) return false;
    cookie_domain.clear();
  }
  if (!cookie_domain.empty()) {
    if (!http::domain_match(host, cookie_domain, false)) return false;
    cookie.host_only = false;
    cookie.domain = std::move(cookie_domain);
  } else {
    cookie.host_only = true;
    cookie.domain = host;
  }
  // Step 7.
  cookie.path = path ? std::move(*path) : http::default_path(url.path());
  insert(std::move(cookie));
  return true;
}

// §5.3 steps 11-12: a cookie with the same name, domain and path is replaced
// (keeping its creation time, so its place in the Cookie header); an expired
// newcomer only deletes.
void CookieJar::insert(Cookie cookie) {
  const Clock::time_point t = now();
  auto old = std::find_if(cookies_.begin(), cookies_.end(), [&](const Cookie& c) {
    return c.name == cookie.name && c.domain == cookie.domain && c.path == cookie.path;
  });
  if (old != cookies_.end()) {
    ++changes_;
    if (cookie.expired(t)) {
      cookies_.erase(old);
      return;
    }
    // The same cookie sent again (as many sites do on every page) changes
    // nothing that to_json() writes: not a change.
    using std::chrono::seconds;
    const auto secs = [](const std::optional<Clock::time_point>& e) {
      return e ? std::optional<std::int64_t>(
                     std::chrono::duration_cast<seconds>(e->time_since_epoch()).count())
               : std::nullopt;
    };
    if (old->value == cookie.value && secs(old->expires) == secs(cookie.expires) &&
        old->host_only == cookie.host_only && old->secure == cookie.secure &&
        old->http_only == cookie.http_only && old->same_site == cookie.same_site)
      --changes_;
    cookie.created = old->created;
    *old = std::move(cookie);
    return;
  }
  if (cookie.expired(t)) return;
  ++changes_;
  const std::string domain = cookie.domain;
  // Creation order: imported cookies may be older than the newest stored one.
  auto at = std::upper_bound(
      cookies_.begin(), cookies_.end(), cookie.created,
      [](Clock::time_point created, const Cookie& c) { return created < c.created; });
  cookies_.insert(at, std::move(cookie));

  const auto count_domain = [&] {
    return static_cast<size_t>(std::count_if(cookies_.begin(), cookies_.end(),
                                             [&](const Cookie& c) { return c.domain == domain; }));
  };
  if (cookies_.size() <= max_total_ && count_domain() <= max_per_domain_) return;
  // Over a limit: expired cookies go first, then the least recently used.
  std::erase_if(cookies_, [&](const Cookie& c) { return c.expired(t); });
  const auto evict_lru = [&](auto&& in_scope) {
    auto victim = cookies_.end();
    for (auto it = cookies_.begin(); it != cookies_.end(); ++it) {
      if (in_scope(*it) && (victim == cookies_.end() || it->last_access < victim->last_access)) {
        victim = it;
      }
    }
    if (victim != cookies_.end()) cookies_.erase(victim);
  };
  while (count_domain() > max_per_domain_) {
    evict_lru([&](const Cookie& c) { return c.domain == domain; });
  }
  while (cookies_.size() > max_total_) {
    evict_lru([](const Cookie&) { return true; });
  }
}

// §5.4 step 1: the cookies a request to `url` gets.
template <typename Visit>
void CookieJar::matching(const Url& url, Clock::time_point t, Visit&& visit) const {
  const std::string& host = url.host();
  const bool ip = http::is_ip_host(url);
  const bool https = url.is_https();
  for (size_t i = 0; i < cookies_.size(); ++i) {
    const Cookie& c = cookies_[i];
    if (c.expired(t)) continue;
    if (c.host_only ? host != c.domain : !http::domain_match(host, c.domain, ip)) continue;
    if (!http::path_match(url.path(), c.path)) continue;
    if (c.secure && !https) continue;
    visit(i);
  }
}

namespace {

// §5.4 step 2: longer paths first, then earlier creation (the vector is in
// creation order, and the sort is stable).
void sort_for_header(std::vector<Cookie>& cookies) {
  std::stable_sort(cookies.begin(), cookies.end(),
                   [](const Cookie& a, const Cookie& b) { return a.path.size() > b.path.size(); });
}

}  // namespace

std::vector<Cookie> CookieJar::cookies_for(const Url& url) {
  const Clock::time_point t = now();
  std::vector<Cookie> out;
  if (cookies_.empty()) return out;
  matching(url, t, [&](size_t i) {
    cookies_[i].last_access = t;  // §5.4 step 3
    out.push_back(cookies_[i]);
  });
  sort_for_header(out);
  return out;
}

std::vector<Cookie> CookieJar::peek(const Url& url) const {
  std::vector<Cookie> out;
  if (cookies_.empty()) return out;
  matching(url, now(), [&](size_t i) { out.push_back(cookies_[i]); });
  sort_for_header(out);
  return out;
}

std::string CookieJar::cookie_header(const Url& url) {
  std::string header;
  for (const Cookie& c : cookies_for(url)) {
    if (!header.empty()) header.append("; ");
    header.append(c.name);
    header.push_back('=');
    header.append(c.value);
  }
  return header;
}

std::vector<Cookie> CookieJar::all() const {
  const Clock::time_point t = now();
  std::vector<Cookie> out;
  for (const Cookie& c : cookies_) {
    if (!c.expired(t)) out.push_back(c);
  }
  return out;
}

// ---------------------------------------------------------------------------
// JSON

namespace {

constexpr std::string_view kFormat = "uvscrape-cookies";

int64_t to_unix_micros(Cookie::Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

[[noreturn]] void bad_document(const std::string& what) {
  throw ScraperConfigError("cookie jar JSON: " + what);
}

// Cookies are bytes (RFC 6265 §5.2), JSON strings are UTF-8: a name, value or
// path that is not valid UTF-8 is written as "<key>_hex" so that the export
// neither throws nor loses a byte (a Latin-1 session cookie survives).
void put_bytes(Json& entry, const char* key, const std::string& bytes) {
  if (is_valid_utf8(bytes)) {
    entry[key] = bytes;
  } else {
    entry[std::string(key) + "_hex"] = hex_encode(bytes);
  }
}

std::optional<std::string> hex_decode(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int high = hex_digit_value(hex[i]);
    const int low = hex_digit_value(hex[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    out.push_back(static_cast<char>(high * 16 + low));
  }
  return out;
}

}  // namespace

Json CookieJar::to_json() const {
  Json list = Json::array();
  for (const Cookie& c : all()) {
    Json entry = Json::object();
    put_bytes(entry, "name", c.name);
    put_bytes(entry, "value", c.value);
    entry["domain"] = c.domain;
    put_bytes(entry, "path", c.path);
    entry["host_only"] = c.host_only;
    entry["secure"] = c.secure;
    entry["http_only"] = c.http_only;
    entry["same_site"] = to_string(c.same_site);
    entry["expires"] = c.expires ? Json(http::to_unix_seconds(*c.expires)) : Json(nullptr);
    entry["created"] = to_unix_micros(c.created);
    list.push_back(std::move(entry));
  }
  Json document = Json::object();
  document["format"] = kFormat;
  document["version"] = 1;
  document["cookies"] = std::move(list);
  return document;
}

void CookieJar::from_json(const Json& document) {
  if (!document.is_object()) bad_document("not an object");
  if (document.value("format", std::string()) != kFormat) {
    bad_document("\"format\" is not \"uvscrape-cookies\"");
  }
  if (!document.contains("version") || document["version"] != 1) {
    bad_document("\"version\" is not 1");
  }
  if (!document.contains("cookies") || !document["cookies"].is_array()) {
    bad_document("\"cookies\" is not a list");
  }
  const Clock::time_point t = now();
  std::vector<Cookie> read;
  const Json& list = document["cookies"];
  for (size_t i = 0; i < list.size(); ++i) {
    const Json& e = list[i];
    const std::string where = "cookies[" + std::to_string(i) + "]";
    if (!e.is_object()) bad_document(where + " is not an object");
    const auto text = [&](const char* key, bool required) {
      const std::string hex_key = std::string(key) + "_hex";
      if (e.contains(hex_key)) {
        if (!e[hex_key].is_string()) bad_document(where + "." + hex_key + " is not a string");
        auto bytes = hex_decode(e[hex_key].get<std::string>());
        if (!bytes) bad_document(where + "." + hex_key + " is not hex digits");
        return std::move(*bytes);
      }
      if (!e.contains(key)) {
        if (required) bad_document(where + " has no \"" + key + "\"");
        return std::string();
      }
      if (!e[key].is_string()) bad_document(where + "." + key + " is not a string");
      return e[key].get<std::string>();
    };
    const auto flag = [&](const char* key, bool fallback) {
      if (!e.contains(key)) return fallback;
      if (!e[key].is_boolean()) bad_document(where + "." + key + " is not true or false");
      return e[key].get<bool>();
    };
    Cookie c;
    c.name = text("name", true);
    c.value = text("value", true);
    c.domain = http::lower(text("domain", true));
    c.path = text("path", false);
    if (c.path.empty()) c.path = "/";
    if (c.name.empty()) bad_document(where + ".name is empty");
    if (c.domain.empty()) bad_document(where + ".domain is empty");
    if (c.path.front() != '/') bad_document(where + ".path does not start with '/'");
    c.host_only = flag("host_only", true);
    c.secure = flag("secure", false);
    c.http_only = flag("http_only", false);
    c.same_site = http::parse_same_site(text("same_site", false));
    if (e.contains("expires") && !e["expires"].is_null()) {
      if (!e["expires"].is_number()) bad_document(where + ".expires is not a number or null");
      c.expires = http::from_unix_seconds(e["expires"].get<int64_t>());
    }
    if (e.contains("created")) {
      if (!e["created"].is_number_integer()) bad_document(where + ".created is not an integer");
      c.created = Clock::time_point(std::chrono::duration_cast<Clock::duration>(
          std::chrono::microseconds(e["created"].get<int64_t>())));
    } else {
      c.created = t;
    }
    c.last_access = t;
    read.push_back(std::move(c));
  }
  // All or nothing: the document was read completely before anything changes.
  for (Cookie& c : read) insert(std::move(c));
}

}  // namespace uvscrape
