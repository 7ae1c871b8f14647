// The driver's queue: a binary min-heap keyed (priority, counter).
//
// The counter is assigned on push and only grows, so equal priorities come out
// in push order (FIFO) and the order is the same on every run. Everything runs on
// the loop thread, so there are no locks. The payload is whatever the driver
// stores per queued request (a compact encoding, see queued_request.hpp); the
// heap moves entries around, so payloads should be cheap to move.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace uvscrape::driver {

template <class Payload>
class RequestHeap {
 public:
  struct Entry {
    int priority;
    uint64_t counter;
    Payload payload;
  };

  // Pushes with the next counter value; returns that counter.
  uint64_t push(int priority, Payload payload) {
    const uint64_t counter = next_counter_++;
    entries_.push_back(Entry{priority, counter, std::move(payload)});
    sift_up(entries_.size() - 1);
    return counter;
  }

  bool empty() const noexcept { return entries_.empty(); }
  size_t size() const noexcept { return entries_.size(); }
  const Entry& top() const { return entries_.front(); }

  // Removes and returns the entry with the smallest (priority, counter).
  Entry pop() {
    Entry out = std::move(entries_.front());
    if (entries_.size() > 1) {
      entries_.front() = std::move(entries_.back());
      entries_.pop_back();
      sift_down(0);
    } else {
      entries_.pop_back();
    }
    return out;
  }

  // Drops everything still queued (a stop); returns how many entries were dropped.
  size_t discard_all() {
    const size_t n = entries_.size();
    std::vector<Entry>().swap(entries_);
    return n;
  }

  uint64_t next_counter() const noexcept { return next_counter_; }
  void reserve(size_t n) { entries_.reserve(n); }
  // Bytes the heap array itself holds (not what the payloads point to).
  size_t array_bytes() const noexcept { return entries_.capacity() * sizeof(Entry); }

 private:
  static bool before(const Entry& a, const Entry& b) noexcept {
    return a.priority != b.priority ? a.priority < b.priority : a.counter < b.counter;
  }

  void sift_up(size_t i) {
    Entry moving = std::move(entries_[i]);
    while (i > 0) {
      const size_t parent = (i - 1) / 2;
      if (!before(moving, entries_[parent])) break;
      entries_[i] = std::move(entries_[parent]);
      i = parent;
    }
    entries_[i] = std::move(moving);
  }

  void sift_down(size_t i) {
    const size_t n = entries_.size();
    Entry moving = std::move(entries_[i]);
    for (;;) {
      size_t child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && before(entries_[child + 1], entries_[child])) ++child;
      if (!before(entries_[child], moving)) break;
      entries_[i] = std::move(entries_[child]);
      i = child;
    }
    entries_[i] = std::move(moving);
  }

  std::vector<Entry> entries_;
  uint64_t next_counter_ = 0;
};

}  // namespace uvscrape::driver
