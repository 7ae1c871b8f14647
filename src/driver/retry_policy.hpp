// When a transient failure is tried again, and after how long.
//
// Exponential backoff with full jitter: the wait before retry n (1 for the
// first) is uniform in [0, min(cap, base * 2^(n-1))], so a crowd of requests
// failing together does not come back together. A server's Retry-After
// (delta-seconds or an HTTP-date) replaces the drawn wait, capped by
// `retry_after_max`. Pure: the random source is seeded by the caller and the
// current time is passed in.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string_view>

namespace uvscrape::driver {

struct RetrySettings {
  int max_retries = 3;  // retries after the first attempt; 0: never retry
  std::chrono::milliseconds base{1'000};
  std::chrono::milliseconds cap{60'000};               // the longest drawn wait
  std::chrono::milliseconds retry_after_max{120'000};  // the longest Retry-After obeyed
};

// A Retry-After header value as a wait from `now`: "120" (delta-seconds) or an
// HTTP-date (IMF-fixdate, RFC 850 or asctime form, RFC 9110 §5.6.7). A date in
// the past is a wait of 0. nullopt for anything else.
std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now);

// An HTTP-date as a time point, or nullopt.
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text);

class RetryPolicy {
 public:
  explicit RetryPolicy(RetrySettings settings = {}, std::uint64_t seed = std::random_device{}());

  const RetrySettings& settings() const noexcept { return settings_; }

  // The drawn wait before retry `retry` (1 for the first retry).
  std::chrono::milliseconds backoff(int retry);

  // After `attempts` attempts (1 after the first) failed transiently: the wait
  // before the next one, or nullopt when the request has had its retries.
  // `request_retries` is the request's own override (Request::retries), if any;
  // `retry_after` the server's, already parsed.
  std::optional<std::chrono::milliseconds> next_wait(
      int attempts, std::optional<int> request_retries,
      std::optional<std::chrono::milliseconds> retry_after);

 private:
  RetrySettings settings_;
  std::mt19937_64 random_;
};

}  // namespace uvscrape::driver
