// See selector_tally.hpp.
#include "html/selector_tally.hpp"

#include <cstring>

namespace uvscrape::html_detail {
namespace {

thread_local SelectorTally* current = nullptr;

}  // namespace

void SelectorTally::record(const char* kind, std::string_view selector, bool matched) {
  for (Entry& e : entries) {
    if (e.selector == selector && std::strcmp(e.kind, kind) == 0) {
      e.matched = e.matched || matched;
      return;
    }
  }
  entries.push_back({kind, std::string(selector), matched});
}

SelectorTally* current_selector_tally() noexcept {
  return current;
}

SelectorTallyScope::SelectorTallyScope(SelectorTally& tally) noexcept : previous_(current) {
  current = &tally;
}

SelectorTallyScope::~SelectorTallyScope() {
  current = previous_;
}

}  // namespace uvscrape::html_detail
