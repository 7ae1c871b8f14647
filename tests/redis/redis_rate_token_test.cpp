// The shared per-host token bucket of the Redis store (RunStore::
// acquire_rate_token, one Lua script on Redis's clock): four stores, each on
// its own connection as four processes would be, take tokens of one host as
// fast as they are let; together they never get more than burst + rate * T
// in T seconds, and they get close to that (the limit is not undershot).
#include <algorithm>
#include <memory>

#include "redis_test_support.hpp"
#include "store/redis_store.hpp"
#include "store/redis_url.hpp"

namespace uvscrape::redis_test {
namespace {

using Clock = std::chrono::steady_clock;
using testing::RedisFixture;

struct QuietListener : store::Listener {
  bool opened = false;
  bool closed = false;
  std::string failure;
  void store_opened(store::Opened) override { opened = true; }
  void store_committed(store::Completion) override {}
  void store_failed(std::exception_ptr error) override {
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      failure = e.what();
    }
  }
  void store_closed() override { closed = true; }
};

// One taker: asks again as soon as it is granted, or after the wait it is told.
struct Taker {
  Taker(uv_loop_t* loop, const std::string& url)
      : store(loop, store::parse_redis_url(url)), timer(new uv_timer_t) {
    uv_timer_init(loop, timer);
    timer->data = this;
  }
  void ask(Clock::time_point until) {
    if (Clock::now() >= until) return;
    store.acquire_rate_token("example.org", kRate, kBurst, [this, until](auto wait) {
      if (wait.count() == 0) {
        if (Clock::now() < until) ++granted;  // a grant answered after the end is not counted
        return ask(until);
      }
      ++refused;
      min_wait = std::min(min_wait, wait);
      this->until = until;
      uv_timer_start(
          timer,
          [](uv_timer_t* t) {
            auto* self = static_cast<Taker*>(t->data);
            self->ask(self->until);
          },
          static_cast<uint64_t>(wait.count()), 0);
    });
  }
  static constexpr double kRate = 50;
  static constexpr double kBurst = 5;
  store::RedisStore store;
  QuietListener listener;
  uv_timer_t* timer;  // freed by its close callback
  Clock::time_point until{};
  int granted = 0;
  int refused = 0;
  std::chrono::milliseconds min_wait{1'000'000};
};

TEST(RedisRateToken, ConcurrentTakersNeverExceedTheSharedRate) {
  RedisFixture redis;
  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  const std::string url = redis.url() + "?prefix=bucket";
  std::vector<std::unique_ptr<Taker>> takers;
  for (int i = 0; i < 4; ++i) takers.push_back(std::make_unique<Taker>(&loop, url));
  store::RunIdentity identity;
  identity.scraper = "RateTokens";
  for (auto& t : takers) t->store.open(identity, t->listener);
  const auto start = Clock::now();
  const auto until = start + std::chrono::seconds(2);
  for (auto& t : takers) t->ask(until);
  // The answers still due when the time is up come back and are not counted.
  uv_timer_t end;
  uv_timer_init(&loop, &end);
  end.data = &takers;
  uv_timer_start(
      &end,
      [](uv_timer_t* timer) {
        for (auto& t : *static_cast<std::vector<std::unique_ptr<Taker>>*>(timer->data)) {
          t->store.close("stopped");
          uv_close(reinterpret_cast<uv_handle_t*>(t->timer),
                   [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
        }
        uv_close(reinterpret_cast<uv_handle_t*>(timer), nullptr);
      },
      2200, 0);
  uv_run(&loop, UV_RUN_DEFAULT);
  const double seconds = std::chrono::duration<double>(until - start).count();
  int granted = 0;
  for (auto& t : takers) {
    EXPECT_TRUE(t->listener.opened) << t->listener.failure;
    EXPECT_TRUE(t->listener.closed);
    EXPECT_GT(t->refused, 0);  // each was held back...
    EXPECT_GE(t->min_wait.count(), 1);
    EXPECT_GT(t->granted, 0);  // ...and each got a share
    granted += t->granted;
  }
  EXPECT_LE(granted, Taker::kBurst + Taker::kRate * seconds);
  EXPECT_GE(granted, 0.85 * Taker::kRate * seconds);
  takers.clear();
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

}  // namespace
}  // namespace uvscrape::redis_test
