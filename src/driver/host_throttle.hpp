// The adaptive throttle of one host (off by default): slows a host that says it
// is overloaded and lets it recover slowly.
//
//   * a 429 or 503 halves the host's rate;
//   * latency rising to twice the host's best (smoothed) latency cuts it by a quarter;
//   * at most one cut per `cooldown`, so a volley of answers to requests sent
//     together counts once;
//   * each `cooldown` with healthy answers and no cut raises the rate by 5%,
//     up to the host's configured limit -- or, for a host with no limit, until
//     it is twice the rate of the first cut, where the limit is lifted again.
//
// A host without a limit is first cut from the rate it was answering at (the
// answers counted over the last `cooldown`). Pure: time is passed in.
#pragma once

#include <chrono>
#include <optional>

#include "driver/token_bucket.hpp"

namespace uvscrape::driver {

struct ThrottleSettings {
  double min_rate = 0.1;  // requests per second; never throttled below this
  std::chrono::milliseconds cooldown{1'000};
};

class HostThrottle {
 public:
  // `ceiling`: the host's rate from options and the scraper (0: none).
  HostThrottle(ThrottleSettings settings, double ceiling);

  // The rate the throttle allows now (0: no limit of its own).
  double rate() const noexcept { return rate_; }

  // One answer from the host; returns true when rate() changed.
  bool on_answer(int status, std::chrono::milliseconds latency, FrontierTime now);

 private:
  void cut(double factor, FrontierTime now);
  void count_answer(FrontierTime now);

  ThrottleSettings settings_;
  double ceiling_;
  double rate_;
  double recovered_at_ = 0;  // no ceiling: the rate at which the limit is lifted
  std::optional<double> smoothed_ms_;
  std::optional<double> best_ms_;
  std::optional<FrontierTime> last_change_;
  FrontierTime window_start_{};
  int window_answers_ = 0;
  double answer_rate_ = 0;  // answers per second over the last full window
};

}  // namespace uvscrape::driver
