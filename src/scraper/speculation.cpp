// Speculation bookkeeping: seeding plan, outcome tracking, extension.
#include <algorithm>

#include "scraper/request_internals.hpp"
#include "scraper/speculation_tracker.hpp"

namespace uvscrape {

SpeculationTracker::SpeculationTracker(const ScraperBase& scraper) : scraper_(scraper) {
  for (const auto& [entry, templates] : scraper.speculative_templates()) {
    for (const SpeculativeTemplate& tpl : templates) {
      SpeculationState state;
      state.key = entry + ":" + std::to_string(tpl.param_index);
      state.tpl = tpl;
      states_.push_back(std::move(state));
    }
  }
}

Request SpeculationTracker::probe(const SpeculationState& state, long id) const {
  Request r = state.tpl.make_probe(id);
  detail::RequestAccess::set_speculative(r, SpeculationId{state.key, state.tpl.param_index, id});
  return r;
}

std::vector<Request> SpeculationTracker::seed() {
  std::vector<Request> out;
  for (SpeculationState& s : states_) {
    if (s.stopped) continue;
    const IdRange seed = s.tpl.seed_range;
    // Resume support: never re-probe below an earlier ceiling.
    const long floor = s.current_ceiling > 0 ? s.current_ceiling + 1 : seed.start;
    for (long n = std::max(seed.start, floor); n < seed.stop; ++n) out.push_back(probe(s, n));
    const long advance = std::max({seed.start, seed.stop, floor});
    const long gap = s.tpl.max_gap;
    if (s.tpl.should_advance && gap > 0) {
      for (long n = advance; n < advance + gap; ++n) out.push_back(probe(s, n));
      s.current_ceiling = advance + gap - 1;
      s.stopped = false;
    } else {
      s.current_ceiling = advance - 1;
      s.stopped = true;
    }
  }
  return out;
}

std::vector<Request> SpeculationTracker::extend(SpeculationState& s) {
  std::vector<Request> out;
  const long gap = s.tpl.max_gap;
  if (s.stopped || gap == 0) return out;
  if (s.consecutive_failures >= gap) {
    s.stopped = true;
    return out;
  }
  if (s.highest_successful_id >= s.current_ceiling - gap) {
    for (long n = s.current_ceiling + 1; n <= s.current_ceiling + gap; ++n)
      out.push_back(probe(s, n));
    s.current_ceiling += gap;
  }
  return out;
}

std::vector<Request> SpeculationTracker::record(const SpeculationId& id, bool success) {
  auto it = std::find_if(states_.begin(), states_.end(),
                         [&](const SpeculationState& s) { return s.key == id.state_key; });
  if (it == states_.end()) return {};
  SpeculationState& s = *it;
  if (success) {
    s.highest_successful_id = std::max(s.highest_successful_id, id.id);
    s.consecutive_failures = 0;
    return extend(s);
  }
  // Failures at or below the highest success are gaps in the middle: ignored.
  if (id.id > s.highest_successful_id) {
    ++s.consecutive_failures;
    if (s.consecutive_failures >= s.tpl.max_gap) s.stopped = true;
  }
  return {};
}

bool SpeculationTracker::is_success(const Response& response) const {
  return response.status_code >= 200 && response.status_code < 300 &&
         scraper_.fails_successfully(response);
}

std::vector<Request> SpeculationTracker::record_response(const Response& response) {
  if (!response.request || !response.request->is_speculative() ||
      !response.request->speculation_id())
    return {};
  return record(*response.request->speculation_id(), is_success(response));
}

const SpeculationState* SpeculationTracker::state(std::string_view key) const {
  for (const auto& s : states_)
    if (s.key == key) return &s;
  return nullptr;
}

Json SpeculationTracker::save() const {
  Json out = Json::object();
  for (const SpeculationState& s : states_) {
    out[s.key] = {{"highest", s.highest_successful_id},
                  {"failures", s.consecutive_failures},
                  {"ceiling", s.current_ceiling},
                  {"stopped", s.stopped}};
  }
  return out;
}

// States are matched by key; a key the scraper no longer has is ignored.
void SpeculationTracker::restore(const Json& saved) {
  if (!saved.is_object()) return;
  for (SpeculationState& s : states_) {
    const auto it = saved.find(s.key);
    if (it == saved.end() || !it->is_object()) continue;
    s.highest_successful_id = it->value("highest", s.highest_successful_id);
    s.consecutive_failures = it->value("failures", s.consecutive_failures);
    s.current_ceiling = it->value("ceiling", s.current_ceiling);
    s.stopped = it->value("stopped", s.stopped);
  }
}

}  // namespace uvscrape
