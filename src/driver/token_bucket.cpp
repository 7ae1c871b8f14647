// See token_bucket.hpp.
#include "driver/token_bucket.hpp"

#include <algorithm>
#include <cmath>

namespace uvscrape::driver {

TokenBucket::TokenBucket(double rate_per_second, double burst)
    : rate_(rate_per_second > 0 ? rate_per_second : 0),
      burst_(std::max(1.0, burst)),
      tokens_(burst_) {}

double TokenBucket::tokens_at(FrontierTime now) const noexcept {
  if (!started_ || now <= updated_) return started_ ? tokens_ : burst_;
  const double elapsed = std::chrono::duration<double>(now - updated_).count();
  return std::min(burst_, tokens_ + elapsed * rate_);
}

bool TokenBucket::available(FrontierTime now) const noexcept {
  return unlimited() || tokens_at(now) >= 1.0;
}

bool TokenBucket::try_take(FrontierTime now) noexcept {
  if (unlimited()) return true;
  const double tokens = tokens_at(now);
  if (tokens < 1.0) return false;
  tokens_ = tokens - 1.0;
  updated_ = std::max(updated_, now);
  started_ = true;
  return true;
}

FrontierTime TokenBucket::next_available(FrontierTime now) const noexcept {
  if (unlimited()) return now;
  const double tokens = tokens_at(now);
  if (tokens >= 1.0) return now;
  const double wait_s = (1.0 - tokens) / rate_;
  // Rounded up, so that at the returned time the token is really there.
  const auto wait =
      std::chrono::ceil<FrontierClock::duration>(std::chrono::duration<double>(wait_s));
  return std::max(now, updated_) + wait;
}

void TokenBucket::set_rate(double rate_per_second, FrontierTime now) noexcept {
  if (started_) {
    tokens_ = tokens_at(now);
    updated_ = std::max(updated_, now);
  }
  rate_ = rate_per_second > 0 ? rate_per_second : 0;
}

}  // namespace uvscrape::driver
