// The dashboard's "slowest hosts": hosts ranked by their mean fetch time
// (store::FetchTime), from whichever figures a store keeps: the SQLite store
// one time per settled request (so a p95 too), the Redis store a count, sum
// and maximum per host.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "uvscrape/json.hpp"

namespace uvscrape::dashboard {

struct HostTimes {
  std::string host;
  std::int64_t timed = 0;   // requests with a fetch time
  std::int64_t sum_ms = 0;  // of their times
  std::int64_t max_ms = 0;
  std::optional<std::int64_t> p95_ms;  // when the store keeps each time
};

// Per host, from individual times: count, sum, max and the 95th percentile
// (nearest rank).
std::vector<HostTimes> times_by_host(
    const std::vector<std::pair<std::string, std::int64_t>>& host_and_ms);

// At most `limit` hosts, slowest mean first (ties: the host's name), as
// [{host, timed, mean_ms, p95_ms?, max_ms}]; hosts with no timed request
// are left out.
Json slowest_hosts(std::vector<HostTimes> hosts, std::size_t limit);

}  // namespace uvscrape::dashboard
