// The progress counters of a Driver: written on the loop thread, read from any.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include "uvscrape/driver.hpp"

namespace uvscrape::detail {

struct DriverCounters {
  using Counter = std::atomic<std::uint64_t>;
  Counter requests_completed{0};
  Counter requests_queued{0};
  Counter requests_in_flight{0};
  Counter requests_discarded{0};
  Counter items_emitted{0};
  Counter invalid_items{0};
  Counter errors{0};
  Counter duplicates_dropped{0};
  Counter files_archived{0};
  Counter bytes_received{0};
  Counter retries{0};
  Counter requests_waiting{0};
  Counter requests_failed{0};
  Counter requests_cancelled{0};
  Counter robots_fetches{0};
  Counter requests_awaiting_robots{0};
  std::array<Counter, kFailureKinds> failures{};  // by FailureKind

  static void add(Counter& c, std::uint64_t n = 1) noexcept {
    c.fetch_add(n, std::memory_order_relaxed);
  }
  static void sub(Counter& c, std::uint64_t n = 1) noexcept {
    c.fetch_sub(n, std::memory_order_relaxed);
  }
  static void set(Counter& c, std::uint64_t n) noexcept { c.store(n, std::memory_order_relaxed); }
  void reset() noexcept;
  DriverProgress snapshot() const noexcept;
};

}  // namespace uvscrape::detail
