// See retry_policy.hpp.
#include "driver/retry_policy.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>

namespace uvscrape::driver {
namespace {

using std::chrono::milliseconds;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A small cursor over the date text: every reader returns false on a mismatch.
struct Cursor {
  std::string_view s;
  bool literal(char c) {
    if (s.empty() || s.front() != c) return false;
    s.remove_prefix(1);
    return true;
  }
  bool digits(size_t min, size_t max, int& out) {
    size_t n = 0;
    int value = 0;
    while (n < s.size() && n < max && std::isdigit(static_cast<unsigned char>(s[n]))) {
      value = value * 10 + (s[n] - '0');
      ++n;
    }
    if (n < min) return false;
    s.remove_prefix(n);
    out = value;
    return true;
  }
  bool word(std::string_view& out) {
    size_t n = 0;
    while (n < s.size() && std::isalpha(static_cast<unsigned char>(s[n]))) ++n;
    if (n == 0) return false;
    out = s.substr(0, n);
    s.remove_prefix(n);
    return true;
  }
  bool spaces() {
    if (!literal(' ')) return false;
    while (literal(' ')) {
    }
    return true;
  }
};

bool month_number(std::string_view name, int& month) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (name == kMonths[i]) {
      month = static_cast<int>(i) + 1;
      return true;
    }
  }
  return false;
}

bool time_of_day(Cursor& c, int& h, int& m, int& s) {
  return c.digits(2, 2, h) && c.literal(':') && c.digits(2, 2, m) && c.literal(':') &&
         c.digits(2, 2, s) && h < 24 && m < 60 && s < 61;
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text) {
  Cursor c{trim(text)};
  std::string_view weekday, month_name;
  int day = 0, month = 0, year = 0, h = 0, m = 0, s = 0;
  if (!c.word(weekday)) return std::nullopt;
  if (c.literal(',')) {
    if (!c.spaces() || !c.digits(2, 2, day)) return std::nullopt;
    if (c.literal(' ')) {  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
      if (!c.word(month_name) || !c.literal(' ') || !c.digits(4, 4, year)) return std::nullopt;
    } else {  // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
      if (!c.literal('-') || !c.word(month_name) || !c.literal('-') || !c.digits(2, 2, year))
        return std::nullopt;
      year += year < 70 ? 2000 : 1900;  // two-digit years: 70-99 are 19xx
    }
    if (!c.spaces() || !time_of_day(c, h, m, s) || !c.spaces() || c.s != "GMT") return std::nullopt;
  } else {  // asctime: Sun Nov  6 08:49:37 1994
    if (!c.spaces() || !c.word(month_name) || !c.spaces() || !c.digits(1, 2, day) || !c.spaces() ||
        !time_of_day(c, h, m, s) || !c.spaces() || !c.digits(4, 4, year) || !c.s.empty())
      return std::nullopt;
  }
  if (!month_number(month_name, month)) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year{year},
                                         std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok()) return std::nullopt;
  return std::chrono::sys_days{date} + std::chrono::hours{h} + std::chrono::minutes{m} +
         std::chrono::seconds{s};
}

std::optional<milliseconds> parse_retry_after(std::string_view value,
                                              std::chrono::system_clock::time_point now) {
  const std::string_view v = trim(value);
  if (v.empty()) return std::nullopt;
  if (std::all_of(v.begin(), v.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
    if (v.size() > 9) return milliseconds{std::chrono::hours{24 * 365}};  // absurd: capped later
    long seconds = 0;
    for (char ch : v) seconds = seconds * 10 + (ch - '0');
    return milliseconds{seconds * 1000};
  }
  const auto when = parse_http_date(v);
  if (!when) return std::nullopt;
  if (*when <= now) return milliseconds{0};
  return std::chrono::ceil<milliseconds>(*when - now);
}

RetryPolicy::RetryPolicy(RetrySettings settings, std::uint64_t seed)
    : settings_(settings), random_(seed) {}

milliseconds RetryPolicy::backoff(int retry) {
  const int doublings = std::clamp(retry - 1, 0, 40);
  const long double ceiling_ms =
      std::min<long double>(static_cast<long double>(settings_.cap.count()),
                            static_cast<long double>(settings_.base.count()) *
                                static_cast<long double>(1ull << doublings));
  const auto ceiling = static_cast<std::int64_t>(ceiling_ms);
  if (ceiling <= 0) return milliseconds{0};
  std::uniform_int_distribution<std::int64_t> draw(0, ceiling);
  return milliseconds{draw(random_)};
}

std::optional<milliseconds> RetryPolicy::next_wait(int attempts, std::optional<int> request_retries,
                                                   std::optional<milliseconds> retry_after) {
  const int allowed = request_retries ? *request_retries : settings_.max_retries;
  if (attempts > allowed) return std::nullopt;  // attempts = 1 + retries made so far
  if (retry_after) return std::min(*retry_after, settings_.retry_after_max);
  return backoff(attempts);
}

}  // namespace uvscrape::driver
