// The per-host frontier: priority order, hosts that wait never holding back
// others, concurrency caps, retries' not-before times, the global rate and the
// HTTP client's capacity seam.
#include "driver/frontier.hpp"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace uvscrape::driver {
namespace {

using std::chrono::milliseconds;
const FrontierTime t0 = FrontierTime{} + std::chrono::hours{1};
const auto always = [](const std::string&) { return true; };

TEST(HostKey, HostWithoutSchemePortOrUserInfo) {
  EXPECT_EQ(host_key("http://Example.ORG/a/b"), "example.org");
  EXPECT_EQ(host_key("https://user:pw@example.org:8443/x?y#z"), "example.org");
  EXPECT_EQ(host_key("http://127.0.0.2:8080"), "127.0.0.2");
  EXPECT_EQ(host_key("http://[::1]:80/"), "[::1]");
  EXPECT_EQ(host_key("http://a.example?q=@b"), "a.example");
  EXPECT_EQ(host_key("/relative"), "");
}

TEST(HostLimitsStricter, SmallerNonZeroWinsFieldByField) {
  const HostLimits a{.max_in_flight = 4, .rate = 0, .burst = 1};
  const HostLimits b{.max_in_flight = 0, .rate = 2, .burst = 5};
  const HostLimits c = stricter(a, b);
  EXPECT_EQ(c.max_in_flight, 4u);
  EXPECT_EQ(c.rate, 2);
  EXPECT_EQ(c.burst, 5);
  const HostLimits d = stricter(b, HostLimits{.rate = 1, .burst = 2});
  EXPECT_EQ(d.rate, 1);
  EXPECT_EQ(d.burst, 2);
}

TEST(Frontier, PriorityThenFifoAcrossHosts) {
  Frontier<std::string> f;
  const auto a = f.host("a", {});
  const auto b = f.host("b", {});
  EXPECT_EQ(f.host("a", {}), a);
  f.push(a, 9, "a9-1", t0);
  f.push(b, 9, "b9-1", t0);
  f.push(a, 1, "a1", t0);
  f.push(b, 5, "b5", t0);
  f.push(a, 9, "a9-2", t0);
  EXPECT_EQ(f.size(), 5u);
  std::vector<std::string> order;
  while (auto t = f.take(t0, always)) order.push_back(t->payload);
  EXPECT_EQ(order, (std::vector<std::string>{"a1", "b5", "a9-1", "b9-1", "a9-2"}));
  EXPECT_TRUE(f.empty());
}

TEST(Frontier, AHostWaitingForItsRateDoesNotHoldBackAnother) {
  Frontier<std::string> f;
  const auto slow = f.host("slow", {.rate = 1, .burst = 1});
  const auto fast = f.host("fast", {});
  for (int i = 0; i < 3; ++i) f.push(slow, 0, "slow" + std::to_string(i), t0);  // best priority
  for (int i = 0; i < 100; ++i) f.push(fast, 9, "fast" + std::to_string(i), t0);
  auto first = f.take(t0, always);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->payload, "slow0");
  f.finished(first->host, t0);
  for (int i = 0; i < 100; ++i) {
    auto t = f.take(t0, always);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->payload, "fast" + std::to_string(i));  // slow waits, fast flows
  }
  EXPECT_FALSE(f.take(t0, always));
  EXPECT_EQ(f.next_wake(t0), t0 + std::chrono::seconds{1});
  EXPECT_FALSE(f.take(t0 + milliseconds{999}, always));
  auto second = f.take(t0 + std::chrono::seconds{1}, always);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->payload, "slow1");
}

TEST(Frontier, ConcurrencyCapPerHost) {
  Frontier<int> f;
  const auto a = f.host("a", {.max_in_flight = 2});
  const auto b = f.host("b", {});
  for (int i = 0; i < 5; ++i) f.push(a, 1, i, t0);
  for (int i = 100; i < 103; ++i) f.push(b, 9, i, t0);
  const auto any = [](const int&) { return true; };
  EXPECT_EQ(f.take(t0, any)->payload, 0);
  EXPECT_EQ(f.take(t0, any)->payload, 1);
  EXPECT_EQ(f.in_flight(a), 2u);
  EXPECT_EQ(f.take(t0, any)->payload, 100);  // a is at its cap
  f.finished(a, t0);
  EXPECT_EQ(f.take(t0, any)->payload, 2);
  EXPECT_EQ(f.take(t0, any)->payload, 101);
  EXPECT_EQ(f.take(t0, any)->payload, 102);
  EXPECT_FALSE(f.take(t0, any));             // a is at its cap again
  EXPECT_EQ(f.next_wake(t0), std::nullopt);  // nothing timed: a waits for finished()
}

TEST(Frontier, RetryWaitsForItsNotBeforeTimeHoldingNothing) {
  Frontier<std::string> f;
  const auto a = f.host("a", {});
  f.push_after(a, 0, "retry", t0 + std::chrono::seconds{2});
  f.push(a, 9, "fresh", t0);
  EXPECT_EQ(f.size(), 2u);
  EXPECT_EQ(f.waiting(), 1u);
  EXPECT_EQ(f.take(t0, always)->payload, "fresh");
  EXPECT_FALSE(f.take(t0 + milliseconds{1999}, always));
  EXPECT_EQ(f.next_wake(t0), t0 + std::chrono::seconds{2});
  auto t = f.take(t0 + std::chrono::seconds{2}, always);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->payload, "retry");
  EXPECT_EQ(f.waiting(), 0u);
}

TEST(Frontier, GlobalRateOverEveryHost) {
  Frontier<int> f(10.0, 2.0);
  const auto any = [](const int&) { return true; };
  for (int h = 0; h < 50; ++h) f.push(f.host("h" + std::to_string(h), {}), 9, h, t0);
  EXPECT_TRUE(f.take(t0, any));
  EXPECT_TRUE(f.take(t0, any));
  EXPECT_FALSE(f.take(t0, any));
  EXPECT_EQ(f.next_wake(t0), t0 + milliseconds{100});
  EXPECT_TRUE(f.take(t0 + milliseconds{100}, any));
  EXPECT_FALSE(f.take(t0 + milliseconds{100}, any));
}

TEST(Frontier, HostWithoutAConnectionIsParkedUntilCapacityFrees) {
  Frontier<std::string> f;
  const auto a = f.host("a", {});
  const auto b = f.host("b", {});
  f.push(a, 1, "a1", t0);
  f.push(a, 2, "a2", t0);
  f.push(b, 5, "b5", t0);
  auto no_a = [](const std::string& s) { return s[0] != 'a'; };
  EXPECT_EQ(f.take(t0, no_a)->payload, "b5");  // a has no connection: b goes
  EXPECT_FALSE(f.take(t0, always));            // a stays parked until capacity frees
  f.capacity_freed(t0);
  EXPECT_EQ(f.take(t0, always)->payload, "a1");
  EXPECT_EQ(f.take(t0, always)->payload, "a2");
}

TEST(Frontier, AFullClientStopsTheSearchAfterAFewHosts) {
  Frontier<int> f;
  for (int h = 0; h < 1000; ++h) f.push(f.host("h" + std::to_string(h), {}), 9, h, t0);
  int asked = 0;
  auto none = [&asked](const int&) {
    ++asked;
    return false;
  };
  EXPECT_FALSE(f.take(t0, none));
  EXPECT_LE(asked, 4);  // not O(hosts)
  EXPECT_FALSE(f.take(t0, none));
  EXPECT_LE(asked, 4);  // still full: nobody asked until capacity frees
  f.capacity_freed(t0);
  EXPECT_EQ(f.take(t0, [](const int&) { return true; })->payload, 0);
}

TEST(Frontier, BetterRequestForAReadyHostMovesItUp) {
  Frontier<std::string> f;
  const auto a = f.host("a", {});
  const auto b = f.host("b", {});
  f.push(a, 9, "a9", t0);
  f.push(b, 5, "b5", t0);
  f.push(a, 1, "a1", t0);
  EXPECT_EQ(f.take(t0, always)->payload, "a1");
  EXPECT_EQ(f.take(t0, always)->payload, "b5");
  EXPECT_EQ(f.take(t0, always)->payload, "a9");
}

TEST(Frontier, LoweringAWaitingHostsRateMovesItsWake) {
  Frontier<int> f;
  const auto a = f.host("a", {.rate = 1, .burst = 1});
  const auto any = [](const int&) { return true; };
  f.push(a, 9, 1, t0);
  f.push(a, 9, 2, t0);
  EXPECT_TRUE(f.take(t0, any));
  EXPECT_EQ(f.next_wake(t0), t0 + std::chrono::seconds{1});
  f.set_host_rate(a, 0.5, t0);
  EXPECT_EQ(f.next_wake(t0), t0 + std::chrono::seconds{2});
  EXPECT_DOUBLE_EQ(f.host_rate(a), 0.5);
}

// A host whose rate is shared (the run store's bucket): each request waits
// for a permit, asked once at a time; a refusal holds the host until its
// time, and meanwhile another host flows.
TEST(Frontier, ASharedRateHostSendsOnlyWithAPermit) {
  Frontier<std::string> f;
  const auto shared = f.host("shared", {.rate = 100, .burst = 10});
  const auto other = f.host("other", {});
  f.share_rate(shared);
  for (int i = 0; i < 3; ++i) f.push(shared, 0, "s" + std::to_string(i), t0);
  f.push(other, 9, "o0", t0);
  EXPECT_EQ(f.permits_wanted(), std::vector<Frontier<std::string>::HostId>{shared});
  EXPECT_TRUE(f.permits_wanted().empty());  // listed once until answered
  EXPECT_EQ(f.take(t0, always)->payload, "o0");
  EXPECT_FALSE(f.take(t0, always));
  f.grant(shared, t0);
  const auto first = f.take(t0, always);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->payload, "s0");
  EXPECT_FALSE(f.take(t0, always));  // the permit is used up: ask again
  EXPECT_EQ(f.permits_wanted(), std::vector<Frontier<std::string>::HostId>{shared});
  f.refuse(shared, t0 + milliseconds{30}, t0);
  EXPECT_EQ(f.next_wake(t0), t0 + milliseconds{30});
  EXPECT_FALSE(f.take(t0 + milliseconds{29}, always));
  EXPECT_TRUE(f.permits_wanted().empty());
  EXPECT_FALSE(f.take(t0 + milliseconds{30}, always));  // its time: it asks again
  EXPECT_EQ(f.permits_wanted(), std::vector<Frontier<std::string>::HostId>{shared});
  f.grant(shared, t0 + milliseconds{31});
  EXPECT_EQ(f.take(t0 + milliseconds{31}, always)->payload, "s1");
}

TEST(Frontier, DiscardAllCountsQueuedAndWaiting) {
  Frontier<int> f;
  const auto a = f.host("a", {});
  for (int i = 0; i < 7; ++i) f.push(a, 9, i, t0);
  for (int i = 0; i < 3; ++i) f.push_after(a, 9, i, t0 + std::chrono::seconds{5});
  const auto d = f.discard_all();
  EXPECT_EQ(d.queued, 7u);
  EXPECT_EQ(d.waiting, 3u);
  EXPECT_TRUE(f.empty());
  EXPECT_FALSE(f.take(t0 + std::chrono::seconds{10}, [](const int&) { return true; }));
  f.push(a, 9, 42, t0);  // still usable
  EXPECT_EQ(f.take(t0, [](const int&) { return true; })->payload, 42);
}

TEST(Frontier, MoveOnlyPayloadsAndEqualPrioritiesFifo) {
  Frontier<std::unique_ptr<int>> f;
  const auto a = f.host("a", {});
  for (int i = 0; i < 100; ++i) f.push(a, i % 3, std::make_unique<int>(i), t0);
  std::vector<int> last(3, -1);
  int previous_priority = -1;
  const auto any = [](const std::unique_ptr<int>&) { return true; };
  while (auto t = f.take(t0, any)) {
    EXPECT_GE(t->priority, previous_priority);
    previous_priority = t->priority;
    EXPECT_GT(*t->payload, last[static_cast<size_t>(t->priority)]);
    last[static_cast<size_t>(t->priority)] = *t->payload;
  }
  EXPECT_TRUE(f.empty());
}

// Against a brute-force model: at every step the frontier gives the best
// (priority, push order) request among hosts that are under their cap and have
// a token, and nothing when there is none.
TEST(Frontier, MatchesABruteForceModelOnRandomTraffic) {
  std::mt19937 random(12345);
  struct Item {
    int priority;
    int seq;
  };
  struct ModelHost {
    HostLimits limits;
    TokenBucket bucket;
    std::vector<Item> items;
    size_t in_flight = 0;
  };
  constexpr int kHosts = 40;
  Frontier<Item> f;
  std::vector<ModelHost> model;
  std::vector<Frontier<Item>::HostId> ids;
  for (int h = 0; h < kHosts; ++h) {
    HostLimits limits;
    limits.max_in_flight = random() % 3 == 0 ? 1 + random() % 3 : 0;
    if (random() % 2) {
      limits.rate = 1 + random() % 20;
      limits.burst = 1 + random() % 4;
    }
    model.push_back({limits, TokenBucket(limits.rate, limits.burst), {}, 0});
    ids.push_back(f.host("host" + std::to_string(h), limits));
  }
  std::vector<std::pair<int, int>> in_flight;  // host, seq
  FrontierTime now = t0;
  int seq = 0;
  const auto any = [](const Item&) { return true; };
  for (int step = 0; step < 20'000; ++step) {
    const int action = static_cast<int>(random() % 10);
    if (action < 4) {
      const int h = static_cast<int>(random() % kHosts);
      const Item item{static_cast<int>(random() % 5), seq++};
      model[h].items.push_back(item);
      f.push(ids[h], item.priority, item, now);
    } else if (action < 7) {
      // Expected: best head over eligible hosts.
      int best_host = -1;
      size_t best_index = 0;
      for (int h = 0; h < kHosts; ++h) {
        ModelHost& m = model[h];
        if (m.items.empty()) continue;
        if (m.limits.max_in_flight && m.in_flight >= m.limits.max_in_flight) continue;
        if (!m.bucket.available(now)) continue;
        for (size_t i = 0; i < m.items.size(); ++i) {
          const Item& it = m.items[i];
          if (best_host < 0) {
            best_host = h;
            best_index = i;
            continue;
          }
          const Item& b = model[best_host].items[best_index];
          if (it.priority < b.priority || (it.priority == b.priority && it.seq < b.seq)) {
            best_host = h;
            best_index = i;
          }
        }
      }
      auto taken = f.take(now, any);
      if (best_host < 0) {
        ASSERT_FALSE(taken) << "step " << step;
        continue;
      }
      ASSERT_TRUE(taken) << "step " << step;
      ASSERT_EQ(taken->payload.seq, model[best_host].items[best_index].seq) << "step " << step;
      ModelHost& m = model[best_host];
      m.items.erase(m.items.begin() + static_cast<long>(best_index));
      m.bucket.try_take(now);
      ++m.in_flight;
      in_flight.emplace_back(best_host, taken->payload.seq);
    } else if (action < 9) {
      if (in_flight.empty()) continue;
      const size_t i = random() % in_flight.size();
      const int h = in_flight[i].first;
      in_flight.erase(in_flight.begin() + static_cast<long>(i));
      --model[h].in_flight;
      f.finished(ids[h], now);
    } else {
      now += milliseconds{random() % 200};
    }
  }
}

}  // namespace
}  // namespace uvscrape::driver
