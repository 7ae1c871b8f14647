// The frontier as a window of the run store's pending requests (docs/
// design.md §20): with a store whose window() is bounded, the driver's
// frontier holds at most that many requests; further admitted children stay
// pending only in the store, and when the frontier runs low (half the
// window) the driver asks the store for the next best-ranked ones.
//
// The window keeps the ids it holds, so that a refill can exclude them. A
// request taken for sending leaves the window; the store knows it is in
// flight (started() precedes the refill), so it is not handed out again.
// While a refill is on its way, admitted children are left in the store: the
// refill (or the next one) reads them, so none is held twice.
// Loop thread only.
#pragma once

#include <cstddef>
#include <unordered_set>
#include <vector>

#include "store/run_store.hpp"

namespace uvscrape::driver {

class StoreWindow {
 public:
  // `limit` 0: unbounded (the in-memory store); nothing is tracked then.
  // `shared`: the store is shared with other processes; every committed
  // child stays in the store and comes back by refill.
  explicit StoreWindow(std::size_t limit = 0, bool shared = false)
      : limit_(limit), shared_(shared) {}

  bool bounded() const noexcept { return limit_ > 0; }

  // A committed child, or a retry put back: true if it goes into the frontier,
  // false if it stays pending in the store only.
  bool admit(store::RequestId id) {
    if (!bounded()) return true;
    if (shared_ || refilling_ || held_.size() >= limit_) {
      more_ = true;
      return false;
    }
    held_.insert(id);
    return true;
  }
  // A request the frontier holds whatever the limit (a resumed or refilled
  // one, or a retry waiting for its time).
  void hold(store::RequestId id) {
    if (bounded()) held_.insert(id);
  }
  // Taken from the frontier (for sending, or discarded).
  void release(store::RequestId id) {
    if (bounded()) held_.erase(id);
  }
  void clear() { held_.clear(); }

  // The store holds pending requests the frontier does not.
  void set_more(bool more) { more_ = more; }
  bool more() const noexcept { return bounded() && (more_ || refilling_); }

  bool wants_refill() const noexcept {
    return bounded() && more_ && !refilling_ && held_.size() <= limit_ / 2;
  }
  // Starts a refill: how many to ask for, and the ids to exclude.
  std::size_t begin_refill(std::vector<store::RequestId>& exclude) {
    refilling_ = true;
    more_ = false;  // set again by a spill meanwhile, or by the answer
    exclude.assign(held_.begin(), held_.end());
    return limit_ - held_.size();
  }
  void end_refill(bool more) {
    refilling_ = false;
    more_ = more_ || more;
  }
  bool holds(store::RequestId id) const { return held_.count(id) > 0; }

 private:
  std::size_t limit_;
  bool shared_;
  std::unordered_set<store::RequestId> held_;
  bool more_ = false;
  bool refilling_ = false;
};

}  // namespace uvscrape::driver
