// Micro-benchmarks: the driver's queue, a binary heap keyed (priority, counter)
// (src/driver/request_heap.hpp). Measured at a steady size: one push and one
// pop per iteration, the pattern of a crawl in full flow.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#include "driver/request_heap.hpp"
#include "uvscrape/request.hpp"

namespace {

using uvscrape::driver::RequestHeap;

// Priorities as a crawl yields them: mostly the default, some list pages first.
int priority_of(uint64_t i) {
  return i % 50 == 0 ? 1 : 9;
}

template <class Payload, class Make>
void steady_push_pop(benchmark::State& state, Make make) {
  RequestHeap<Payload> heap;
  const auto size = static_cast<uint64_t>(state.range(0));
  uint64_t i = 0;
  for (; i < size; ++i) heap.push(priority_of(i), make(i));
  for (auto _ : state) {
    heap.push(priority_of(i), make(i));
    ++i;
    benchmark::DoNotOptimize(heap.pop());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

// The heap's own cost: an 8-byte payload.
void BM_QueuePushPopIndex(benchmark::State& state) {
  steady_push_pop<uint64_t>(state, [](uint64_t i) { return i; });
}
BENCHMARK(BM_QueuePushPopIndex)->Arg(1'000)->Arg(100'000)->Arg(1'000'000);

// A URL string as payload (building the string is included): the heap then
// moves 32-byte strings at every sift step.
void BM_QueuePushPopUrl(benchmark::State& state) {
  steady_push_pop<std::string>(state, [](uint64_t i) {
    return "http://127.0.0.1:8080/cases/" + std::to_string(i) + ".html";
  });
}
BENCHMARK(BM_QueuePushPopUrl)->Arg(1'000)->Arg(100'000)->Arg(1'000'000);

// What the driver queues: whole Requests (Driver::Run holds a RequestHeap<Request>).
void BM_QueuePushPopRequest(benchmark::State& state) {
  steady_push_pop<uvscrape::Request>(state, [](uint64_t i) {
    return uvscrape::Request::get("http://127.0.0.1:8080/cases/" + std::to_string(i) + ".html")
        .to("case_page");
  });
}
BENCHMARK(BM_QueuePushPopRequest)->Arg(1'000)->Arg(100'000)->Arg(1'000'000);

}  // namespace
