// A token bucket: at most `burst` requests at once, then `rate` per second.
//
// Pure: time is passed in, nothing here reads a clock or touches libuv, so the
// frontier and the tests drive it with any time they like. A rate of 0 means
// "no limit" (every take succeeds). Over any window of T seconds a bucket lets
// through at most burst + rate * T requests: that is the bound the politeness
// tests measure at the server.
#pragma once

#include <chrono>

namespace uvscrape::driver {

using FrontierClock = std::chrono::steady_clock;
using FrontierTime = FrontierClock::time_point;

class TokenBucket {
 public:
  TokenBucket() = default;  // unlimited
  // `burst` below 1 is taken as 1 (one request must always be possible).
  TokenBucket(double rate_per_second, double burst);

  bool unlimited() const noexcept { return rate_ <= 0; }
  double rate() const noexcept { return rate_; }
  double burst() const noexcept { return burst_; }

  // True when a token is there at `now` (nothing taken).
  bool available(FrontierTime now) const noexcept;
  // Takes one token if there is one at `now`.
  bool try_take(FrontierTime now) noexcept;
  // The earliest time a token is there (`now` if one is).
  FrontierTime next_available(FrontierTime now) const noexcept;
  // Changes the rate from `now` on (tokens already earned are kept, within the burst).
  // 0 lifts the limit.
  void set_rate(double rate_per_second, FrontierTime now) noexcept;

 private:
  double tokens_at(FrontierTime now) const noexcept;

  double rate_ = 0;
  double burst_ = 1;
  double tokens_ = 1;       // at `updated_`
  FrontierTime updated_{};  // a fresh bucket is full whatever time it is first asked
  bool started_ = false;
};

}  // namespace uvscrape::driver
