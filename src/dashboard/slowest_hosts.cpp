// See slowest_hosts.hpp.
#include "dashboard/slowest_hosts.hpp"

#include <algorithm>
#include <map>

namespace uvscrape::dashboard {

std::vector<HostTimes> times_by_host(
    const std::vector<std::pair<std::string, std::int64_t>>& host_and_ms) {
  std::map<std::string, std::vector<std::int64_t>> by_host;
  for (const auto& [host, ms] : host_and_ms) by_host[host].push_back(ms);
  std::vector<HostTimes> out;
  for (auto& [host, times] : by_host) {
    std::sort(times.begin(), times.end());
    HostTimes h;
    h.host = host;
    h.timed = static_cast<std::int64_t>(times.size());
    for (const auto t : times) h.sum_ms += t;
    h.max_ms = times.back();
    // Nearest rank: the smallest time at least 95% of the times are at or below.
    const std::size_t rank = (times.size() * 95 + 99) / 100;
    h.p95_ms = times[std::max<std::size_t>(rank, 1) - 1];
    out.push_back(std::move(h));
  }
  return out;
}

Json slowest_hosts(std::vector<HostTimes> hosts, std::size_t limit) {
  std::erase_if(hosts, [](const HostTimes& h) { return h.timed <= 0; });
  // Means compared as sum_a / n_a > sum_b / n_b without rounding.
  std::sort(hosts.begin(), hosts.end(), [](const HostTimes& a, const HostTimes& b) {
    const auto left = static_cast<long double>(a.sum_ms) * static_cast<long double>(b.timed);
    const auto right = static_cast<long double>(b.sum_ms) * static_cast<long double>(a.timed);
    return left != right ? left > right : a.host < b.host;
  });
  Json rows = Json::array();
  for (std::size_t i = 0; i < hosts.size() && i < limit; ++i) {
    const HostTimes& h = hosts[i];
    Json row = {{"host", h.host},
                {"timed", h.timed},
                {"mean_ms", (h.sum_ms + h.timed / 2) / h.timed},
                {"max_ms", h.max_ms}};
    if (h.p95_ms) row["p95_ms"] = *h.p95_ms;
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace uvscrape::dashboard
