// See host_throttle.hpp.
#include "driver/host_throttle.hpp"

#include <algorithm>

namespace uvscrape::driver {

HostThrottle::HostThrottle(ThrottleSettings settings, double ceiling)
    : settings_(settings), ceiling_(ceiling > 0 ? ceiling : 0), rate_(ceiling_) {}

void HostThrottle::count_answer(FrontierTime now) {
  if (window_answers_ == 0 && window_start_ == FrontierTime{}) window_start_ = now;
  ++window_answers_;
  const auto elapsed = now - window_start_;
  if (elapsed >= settings_.cooldown) {
    answer_rate_ = window_answers_ / std::chrono::duration<double>(elapsed).count();
    window_answers_ = 0;
    window_start_ = now;
  }
}

void HostThrottle::cut(double factor, FrontierTime now) {
  if (last_change_ && now - *last_change_ < settings_.cooldown) return;
  if (rate_ <= 0) {  // no limit yet: start from the rate the host was answering at
    const double window_s =
        std::max(1e-3, std::chrono::duration<double>(now - window_start_).count());
    const double observed = std::max(answer_rate_, window_answers_ / window_s);
    rate_ = std::max(settings_.min_rate, observed);
    if (ceiling_ <= 0) recovered_at_ = 2 * rate_;
  }
  rate_ = std::max(settings_.min_rate, rate_ * factor);
  last_change_ = now;
}

bool HostThrottle::on_answer(int status, std::chrono::milliseconds latency, FrontierTime now) {
  const double before = rate_;
  count_answer(now);
  const double ms = static_cast<double>(latency.count());
  smoothed_ms_ = smoothed_ms_ ? 0.8 * *smoothed_ms_ + 0.2 * ms : ms;
  best_ms_ = best_ms_ ? std::min(*best_ms_, *smoothed_ms_) : *smoothed_ms_;

  if (status == 429 || status == 503) {
    cut(0.5, now);
  } else if (*smoothed_ms_ > 2 * std::max(1.0, *best_ms_)) {
    cut(0.75, now);
  } else if (rate_ > 0 && (!last_change_ || now - *last_change_ >= settings_.cooldown)) {
    rate_ *= 1.05;  // healthy for a whole cooldown: recover a little
    last_change_ = now;
    if (ceiling_ > 0 && rate_ >= ceiling_) rate_ = ceiling_;
    if (ceiling_ <= 0 && rate_ >= recovered_at_) rate_ = 0;  // fully recovered: no limit
  }
  return rate_ != before;
}

}  // namespace uvscrape::driver
