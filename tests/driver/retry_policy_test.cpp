// Backoff with full jitter, the retry budget, and Retry-After in both forms.
#include "driver/retry_policy.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace uvscrape::driver {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::chrono::system_clock::time_point at(int y, unsigned mo, unsigned d, int h, int mi, int s) {
  return std::chrono::sys_days{std::chrono::year{y} / mo / d} + std::chrono::hours{h} +
         std::chrono::minutes{mi} + seconds{s};
}

TEST(RetryAfter, DeltaSeconds) {
  const auto now = at(2026, 12, 1, 12, 0, 0);
  EXPECT_EQ(parse_retry_after("2", now), milliseconds{2000});
  EXPECT_EQ(parse_retry_after(" 120 ", now), milliseconds{120'000});
  EXPECT_EQ(parse_retry_after("0", now), milliseconds{0});
  EXPECT_EQ(parse_retry_after("", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("-1", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("1.5", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("soon", now), std::nullopt);
  EXPECT_GE(*parse_retry_after("99999999999999999999", now), seconds{86400});  // no overflow
}

TEST(RetryAfter, HttpDateInEveryForm) {
  const auto now = at(1994, 11, 6, 8, 49, 30);
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now), milliseconds{7000});
  EXPECT_EQ(parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", now), milliseconds{7000});
  EXPECT_EQ(parse_retry_after("Sun Nov  6 08:49:37 1994", now), milliseconds{7000});
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now), milliseconds{0});  // past
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), at(1994, 11, 6, 8, 49, 37));
  EXPECT_EQ(parse_http_date("Tue, 01 Dec 2026 17:00:00 GMT"), at(2026, 12, 1, 17, 0, 0));
}

TEST(RetryAfter, MalformedDatesAreRejected) {
  for (const char* bad : {"Sun, 06 Nov 1994 08:49:37", "Sun, 31 Feb 1994 08:49:37 GMT",
                          "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT",
                          "06 Nov 1994 08:49:37 GMT", "Sun, 6 Nov 1994 08:49:37 GMT",
                          "Sun Nov  6 08:49:37 1994 extra"}) {
    EXPECT_EQ(parse_http_date(bad), std::nullopt) << bad;
  }
}

TEST(RetryPolicy, FullJitterStaysUnderTheDoublingCeiling) {
  RetryPolicy policy({.max_retries = 10, .base = milliseconds{1000}, .cap = milliseconds{60'000}},
                     42);
  for (int retry = 1; retry <= 10; ++retry) {
    const auto ceiling = std::min<long>(60'000, 1000L << (retry - 1));
    milliseconds lowest{1'000'000}, highest{0};
    for (int i = 0; i < 2000; ++i) {
      const milliseconds w = policy.backoff(retry);
      ASSERT_GE(w.count(), 0);
      ASSERT_LE(w.count(), ceiling) << "retry " << retry;
      lowest = std::min(lowest, w);
      highest = std::max(highest, w);
    }
    // Full jitter: the draws spread over the whole range, not around its top.
    EXPECT_LT(lowest.count(), ceiling / 10) << "retry " << retry;
    EXPECT_GT(highest.count(), ceiling * 9 / 10) << "retry " << retry;
  }
}

TEST(RetryPolicy, SameSeedSameWaits) {
  RetryPolicy a({}, 7), b({}, 7);
  for (int i = 1; i <= 3; ++i) EXPECT_EQ(a.backoff(i), b.backoff(i));
}

TEST(RetryPolicy, BudgetFromSettingsOrTheRequest) {
  RetryPolicy policy({.max_retries = 3}, 1);
  EXPECT_TRUE(policy.next_wait(1, std::nullopt, std::nullopt));
  EXPECT_TRUE(policy.next_wait(3, std::nullopt, std::nullopt));
  EXPECT_FALSE(policy.next_wait(4, std::nullopt, std::nullopt));  // 1 attempt + 3 retries
  EXPECT_FALSE(policy.next_wait(1, 0, std::nullopt));             // no-retry request
  EXPECT_TRUE(policy.next_wait(5, 5, std::nullopt));
  EXPECT_FALSE(policy.next_wait(6, 5, std::nullopt));
  RetryPolicy never({.max_retries = 0}, 1);
  EXPECT_FALSE(never.next_wait(1, std::nullopt, std::nullopt));
}

TEST(RetryPolicy, RetryAfterReplacesTheDrawAndIsCapped) {
  RetryPolicy policy({.max_retries = 3, .retry_after_max = milliseconds{30'000}}, 1);
  EXPECT_EQ(policy.next_wait(1, std::nullopt, milliseconds{2000}), milliseconds{2000});
  EXPECT_EQ(policy.next_wait(1, std::nullopt, milliseconds{3'600'000}), milliseconds{30'000});
  EXPECT_FALSE(policy.next_wait(4, std::nullopt, milliseconds{2000}));  // budget still holds
}

}  // namespace
}  // namespace uvscrape::driver
