// What the two store snapshots (SQLite: store_snapshot.hpp, Redis:
// redis_run_snapshot.hpp) build alike: the hosts ranked by what needs
// attention, a recent item's row, and how many rows of each list they show.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "uvscrape/json.hpp"

namespace uvscrape::dashboard {

inline constexpr std::size_t kExamplesPerKind = 3;
inline constexpr std::size_t kHosts = 10;
inline constexpr std::size_t kRecentItems = 10;

struct HostCounts {
  std::int64_t failures = 0, pending = 0, recent = 0;
};

// At most kHosts hosts by failures, then pending, then recently settled
// requests (ties: the name), as [{host, failures, pending, recent}].
Json ranked_hosts(const std::map<std::string, HostCounts>& hosts);

// {model, body}: the item's JSON text cut at 400 bytes (on a code point's
// first byte, so the JSON stays UTF-8) with "…" when cut.
Json recent_item(const Json& model, std::string body);

}  // namespace uvscrape::dashboard
