// Which selectors a step evaluated on one response, and whether each matched
// anything there, for `uvscrape doctor`'s "selectors that never matched".
//
// The step's run (run_step) installs a tally for the thread it runs on; the
// Element query methods record into it; the driver merges it into the
// request's completion on the loop thread and the store adds it up per step.
// A step evaluates a handful of selectors, so the tally is a short vector
// searched linearly: a query costs a thread-local load and a few compares.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace uvscrape::html_detail {

struct SelectorTally {
  struct Entry {
    const char* kind;  // "xpath" or "css" (static strings)
    std::string selector;
    bool matched;  // at least one node (or string) on this response
  };
  std::vector<Entry> entries;  // in first-evaluation order, each selector once

  void record(const char* kind, std::string_view selector, bool matched);
};

// The tally of the step running on this thread; null outside a step's run.
SelectorTally* current_selector_tally() noexcept;

// Makes `tally` the thread's current one for its lifetime (restoring the
// previous one after, for a step run inside another's).
class SelectorTallyScope {
 public:
  explicit SelectorTallyScope(SelectorTally& tally) noexcept;
  ~SelectorTallyScope();
  SelectorTallyScope(const SelectorTallyScope&) = delete;
  SelectorTallyScope& operator=(const SelectorTallyScope&) = delete;

 private:
  SelectorTally* previous_;
};

// Records into the current tally, if there is one.
inline void record_selector(const char* kind, std::string_view selector, bool matched) {
  if (SelectorTally* tally = current_selector_tally()) tally->record(kind, selector, matched);
}

}  // namespace uvscrape::html_detail
