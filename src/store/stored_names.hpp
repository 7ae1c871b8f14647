// How a store's readers name what it holds: a request's state (the requests
// table's numbers, docs/design.md §20) and the host a URL goes to. One
// definition for the `uvscrape` command, the dashboard and the driver, which
// records fetch times per host under the same name the readers group by.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace uvscrape::store {

// "pending", "in_flight", "done", "failed" (states 0 to 3), else "unknown".
const char* state_name(std::int64_t state);
// The inverse of state_name; none for a name that is not a state.
std::optional<int> state_number(std::string_view name);
// The URL's authority as written ("example.org", "127.0.0.1:8080"): what
// follows "://" up to the path, query or fragment.
std::string host_of(std::string_view url);

}  // namespace uvscrape::store
