// Micro-benchmarks: the driver's frontier (src/driver/frontier.hpp), one queue
// per host keyed (priority, counter). Measured at a steady size: one push and
// one take + finished per iteration, the pattern of a crawl in full flow; on
// one host and spread over 10,000 hosts.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "driver/frontier.hpp"
#include "uvscrape/request.hpp"

namespace {

using uvscrape::driver::Frontier;
using uvscrape::driver::FrontierClock;

// Priorities as a crawl yields them: mostly the default, some list pages first.
int priority_of(uint64_t i) {
  return i % 50 == 0 ? 1 : 9;
}

template <class Payload, class Make>
void steady_push_take(benchmark::State& state, uint64_t hosts, Make make) {
  Frontier<Payload> frontier;
  std::vector<typename Frontier<Payload>::HostId> ids;
  for (uint64_t h = 0; h < hosts; ++h) ids.push_back(frontier.host("h" + std::to_string(h), {}));
  const auto now = FrontierClock::now();
  const auto size = static_cast<uint64_t>(state.range(0));
  const auto any = [](const Payload&) { return true; };
  uint64_t i = 0;
  for (; i < size; ++i) frontier.push(ids[i % hosts], priority_of(i), make(i), now);
  for (auto _ : state) {
    frontier.push(ids[i % hosts], priority_of(i), make(i), now);
    ++i;
    auto taken = frontier.take(now, any);
    frontier.finished(taken->host, now);
    benchmark::DoNotOptimize(taken);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

// The frontier's own cost: an 8-byte payload.
void BM_QueuePushPopIndex(benchmark::State& state) {
  steady_push_take<uint64_t>(state, 1, [](uint64_t i) { return i; });
}
BENCHMARK(BM_QueuePushPopIndex)->Arg(1'000)->Arg(100'000)->Arg(1'000'000);

void BM_QueuePushPopIndex10kHosts(benchmark::State& state) {
  steady_push_take<uint64_t>(state, 10'000, [](uint64_t i) { return i; });
}
BENCHMARK(BM_QueuePushPopIndex10kHosts)->Arg(100'000)->Arg(1'000'000);

// A URL string as payload (building the string is included): the queue then
// moves 32-byte strings at every sift step.
void BM_QueuePushPopUrl(benchmark::State& state) {
  steady_push_take<std::string>(state, 1, [](uint64_t i) {
    return "http://127.0.0.1:8080/cases/" + std::to_string(i) + ".html";
  });
}
BENCHMARK(BM_QueuePushPopUrl)->Arg(1'000)->Arg(100'000)->Arg(1'000'000);

// What the driver queues: whole Requests (Driver::Run's frontier holds Requests).
void BM_QueuePushPopRequest(benchmark::State& state) {
  steady_push_take<uvscrape::Request>(state, 1, [](uint64_t i) {
    return uvscrape::Request::get("http://127.0.0.1:8080/cases/" + std::to_string(i) + ".html")
        .to("case_page");
  });
}
BENCHMARK(BM_QueuePushPopRequest)->Arg(1'000)->Arg(100'000)->Arg(1'000'000);

}  // namespace
