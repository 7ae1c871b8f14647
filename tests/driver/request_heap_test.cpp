// The driver queue: (priority, counter) order, FIFO ties, and its memory per entry.
#include "driver/request_heap.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

namespace uvscrape::driver {
namespace {

TEST(RequestHeap, PopsLowestPriorityFirst) {
  RequestHeap<std::string> heap;
  heap.push(9, "nine");
  heap.push(1, "one");
  heap.push(5, "five");
  ASSERT_EQ(heap.size(), 3u);
  EXPECT_EQ(heap.pop().payload, "one");
  EXPECT_EQ(heap.pop().payload, "five");
  EXPECT_EQ(heap.pop().payload, "nine");
  EXPECT_TRUE(heap.empty());
}

TEST(RequestHeap, EqualPrioritiesAreFifo) {
  RequestHeap<int> heap;
  for (int i = 0; i < 1000; ++i) heap.push(i % 3, i);
  std::vector<int> last(3, -1);
  int previous_priority = -1;
  while (!heap.empty()) {
    auto e = heap.pop();
    EXPECT_GE(e.priority, previous_priority);
    previous_priority = e.priority;
    EXPECT_GT(e.payload, last[static_cast<size_t>(e.priority)]);
    last[static_cast<size_t>(e.priority)] = e.payload;
  }
}

TEST(RequestHeap, MatchesSortedOrderOnRandomInterleavings) {
  std::mt19937 rng(42);
  RequestHeap<uint64_t> heap;
  std::vector<std::pair<int, uint64_t>> reference;
  for (int round = 0; round < 20000; ++round) {
    if (heap.empty() || rng() % 3 != 0) {
      const int priority = static_cast<int>(rng() % 10) - 2;
      const uint64_t counter = heap.push(priority, heap.next_counter());
      reference.emplace_back(priority, counter);
    } else {
      auto best = std::min_element(reference.begin(), reference.end());
      auto e = heap.pop();
      EXPECT_EQ(e.priority, best->first);
      EXPECT_EQ(e.counter, best->second);
      EXPECT_EQ(e.payload, best->second);
      reference.erase(best);
    }
  }
  EXPECT_EQ(heap.size(), reference.size());
}

TEST(RequestHeap, DiscardCountsAndEmpties) {
  RequestHeap<std::unique_ptr<int>> heap;
  for (int i = 0; i < 10; ++i) heap.push(i, std::make_unique<int>(i));
  heap.pop();
  EXPECT_EQ(heap.discard_all(), 9u);
  EXPECT_TRUE(heap.empty());
  EXPECT_EQ(heap.next_counter(), 10u);  // the counter never goes back
}

TEST(RequestHeap, EntryOverheadIsSmall) {
  // The array entry is what the heap adds per request; the payload pointer is it.
  EXPECT_LE(sizeof(RequestHeap<std::unique_ptr<int>>::Entry), 24u);
}

}  // namespace
}  // namespace uvscrape::driver
