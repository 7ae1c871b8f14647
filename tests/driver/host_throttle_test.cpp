// The adaptive throttle: cuts on 429/503 and rising latency, slow recovery.
#include "driver/host_throttle.hpp"

#include <gtest/gtest.h>

namespace uvscrape::driver {
namespace {

using std::chrono::milliseconds;
const FrontierTime t0 = FrontierTime{} + std::chrono::hours{1};

TEST(HostThrottle, HealthyHostWithoutLimitStaysUnlimited) {
  HostThrottle throttle({}, 0);
  for (int i = 0; i < 1000; ++i)
    throttle.on_answer(200, milliseconds{20}, t0 + milliseconds{i * 10});
  EXPECT_EQ(throttle.rate(), 0);
}

TEST(HostThrottle, A503HalvesAndAVolleyCountsOnce) {
  HostThrottle throttle({}, 10.0);
  EXPECT_EQ(throttle.rate(), 10.0);
  EXPECT_TRUE(throttle.on_answer(503, milliseconds{20}, t0));
  EXPECT_DOUBLE_EQ(throttle.rate(), 5.0);
  for (int i = 1; i < 20; ++i) throttle.on_answer(429, milliseconds{20}, t0 + milliseconds{i});
  EXPECT_DOUBLE_EQ(throttle.rate(), 5.0);  // within the cooldown
  EXPECT_TRUE(throttle.on_answer(429, milliseconds{20}, t0 + milliseconds{1000}));
  EXPECT_DOUBLE_EQ(throttle.rate(), 2.5);
}

TEST(HostThrottle, NeverBelowTheFloor) {
  HostThrottle throttle({.min_rate = 0.5}, 4.0);
  for (int s = 0; s < 20; ++s)
    throttle.on_answer(503, milliseconds{20}, t0 + std::chrono::seconds{s});
  EXPECT_DOUBLE_EQ(throttle.rate(), 0.5);
}

TEST(HostThrottle, RecoversSlowlyUpToTheCeiling) {
  HostThrottle throttle({}, 10.0);
  throttle.on_answer(503, milliseconds{20}, t0);
  ASSERT_DOUBLE_EQ(throttle.rate(), 5.0);
  // Healthy answers every 100 ms: +5% per second.
  for (int i = 1; i <= 30; ++i)
    throttle.on_answer(200, milliseconds{20}, t0 + milliseconds{100 * i});
  EXPECT_NEAR(throttle.rate(), 5.0 * 1.05 * 1.05 * 1.05, 1e-9);  // 3 seconds: 3 steps
  for (int i = 31; i <= 2000; ++i)
    throttle.on_answer(200, milliseconds{20}, t0 + milliseconds{100 * i});
  EXPECT_DOUBLE_EQ(throttle.rate(), 10.0);  // never above the configured limit
}

TEST(HostThrottle, RisingLatencyCutsByAQuarter) {
  HostThrottle throttle({}, 8.0);
  for (int i = 0; i < 10; ++i) throttle.on_answer(200, milliseconds{10}, t0 + milliseconds{i});
  EXPECT_DOUBLE_EQ(throttle.rate(), 8.0);
  FrontierTime now = t0 + std::chrono::seconds{1};
  for (int i = 0; i < 10; ++i) throttle.on_answer(200, milliseconds{200}, now + milliseconds{i});
  EXPECT_DOUBLE_EQ(throttle.rate(), 6.0);
}

TEST(HostThrottle, UnlimitedHostIsCutFromTheRateItAnsweredAtAndLiftedAfterRecovery) {
  HostThrottle throttle({}, 0);
  // 50 answers per second for 2 s, then a 429.
  FrontierTime now = t0;
  for (int i = 0; i < 100; ++i) {
    now = t0 + milliseconds{20 * i};
    throttle.on_answer(200, milliseconds{5}, now);
  }
  throttle.on_answer(429, milliseconds{5}, now + milliseconds{20});
  EXPECT_NEAR(throttle.rate(), 25.0, 3.0);
  // Long healthy: recovers to twice the cut rate, where the limit is lifted.
  for (int s = 1; s <= 60; ++s)
    throttle.on_answer(200, milliseconds{5}, now + std::chrono::seconds{s});
  EXPECT_EQ(throttle.rate(), 0);
}

}  // namespace
}  // namespace uvscrape::driver
