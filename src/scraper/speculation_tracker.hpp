// Speculation tracking: pure bookkeeping the driver consults; it never fetches
// anything. Internal to the library (not installed): a scraper only declares
// speculative entries (uvscrape/speculative_range.hpp).
//
// A speculative entry probes IDs upwards; a probe succeeds when its status is
// 2xx and the scraper's fails_successfully() agrees, and `max_gap` consecutive
// failures above the highest success end that run of IDs.
//
//   SpeculationTracker tracker(scraper);          // after entry_requests()/initial_seed()
//   for (auto& probe : tracker.seed()) push(probe);       // not resolved, not deduplicated
//   ... a probe's response arrives:
//   for (auto& more : tracker.record_response(response)) push(more);   // then run its step
//   ... a probe got a persistent HTTP status (docs/design.md §10): do not run its step, and
//   for (auto& more : tracker.record(*probe.speculation_id(), false)) push(more);
//   ... a transient error on a probe is not recorded.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "uvscrape/entry.hpp"
#include "uvscrape/json.hpp"
#include "uvscrape/request.hpp"
#include "uvscrape/response.hpp"
#include "uvscrape/scraper.hpp"

namespace uvscrape {

struct SpeculationState {
  std::string key;  // "<entry>:<param_index>"
  SpeculativeTemplate tpl;
  long highest_successful_id = 0;
  long consecutive_failures = 0;
  long current_ceiling = 0;
  bool stopped = false;
};

class SpeculationTracker {
 public:
  // One state per stored template: entries alphabetical, templates in order.
  // The scraper must outlive the tracker (probes are built by its entries).
  explicit SpeculationTracker(const ScraperBase& scraper);

  // The seeding plan: for every state not stopped, the seed range IDs then the
  // first advance window, ascending.
  std::vector<Request> seed();
  // Records a probe's outcome; returns the probes that extend the window.
  // Unknown state keys are ignored. Failures at or below the highest success
  // are ignored; `max_gap` consecutive failures above it stop the state.
  std::vector<Request> record(const SpeculationId& id, bool success);
  // A probe succeeded when its status is 2xx and the scraper's
  // fails_successfully() agrees (a soft 404 is a failure).
  bool is_success(const Response& response) const;
  // record(id, is_success(response)) for a speculative response's request;
  // nothing for non-speculative ones.
  std::vector<Request> record_response(const Response& response);

  // The progress of every state as JSON (for the run store), and back: a
  // restored tracker goes on where the saved one was; its seed() is not used
  // again (the probes it sent are the store's pending requests).
  Json save() const;
  void restore(const Json& saved);

  const std::vector<SpeculationState>& states() const noexcept { return states_; }
  const SpeculationState* state(std::string_view key) const;
  bool empty() const noexcept { return states_.empty(); }

 private:
  std::vector<Request> extend(SpeculationState& state);
  Request probe(const SpeculationState& state, long id) const;

  const ScraperBase& scraper_;
  std::vector<SpeculationState> states_;
};

}  // namespace uvscrape
