// The difference between two runs' results, for `uvscrape replay`.
//
// An item's identity is the request that yielded it -- its method, URL (with
// query parameters) and body, as a replay matches requests -- and its index
// among that request's items (in yield order). Items with the same identity
// in both runs are compared field by field (top-level fields of a JSON
// object; anything else as a whole). Grouped by the step the request went
// to and the item's model.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cli/cli_support.hpp"
#include "uvscrape/json.hpp"

namespace uvscrape::cli {

struct StoredItem {
  std::string step;
  std::string model;
  std::string request;  // "GET https://..." (the identity's first line)
  std::size_t index = 0;
  Json value;
};

// Every item of the store with its identity's parts, in commit order.
std::vector<StoredItem> stored_items(StoreDb& db);

struct ResultDiff {
  struct Group {
    std::string step, model;
    std::uint64_t added = 0, removed = 0, changed = 0, unchanged = 0;
  };
  std::vector<Group> groups;  // by step, then model
  // {"change": added|removed|changed, "step", "model", "request", "index",
  //  "fields": [{"field", "old", "new"}] (changed), "item" (added, removed)}
  std::vector<Json> differences;
};

ResultDiff diff_results(const std::vector<StoredItem>& before,
                        const std::vector<StoredItem>& after);

}  // namespace uvscrape::cli
