// See snapshot_rows.hpp.
#include "dashboard/snapshot_rows.hpp"

#include <algorithm>
#include <tuple>
#include <vector>

namespace uvscrape::dashboard {
namespace {

constexpr std::size_t kItemChars = 400;

}  // namespace

Json ranked_hosts(const std::map<std::string, HostCounts>& hosts) {
  std::vector<std::pair<std::string, HostCounts>> ranked(hosts.begin(), hosts.end());
  const auto key = [](const HostCounts& c) {
    return std::make_tuple(c.failures, c.pending, c.recent);
  };
  std::sort(ranked.begin(), ranked.end(), [&](const auto& a, const auto& b) {
    return key(a.second) != key(b.second) ? key(a.second) > key(b.second) : a.first < b.first;
  });
  Json rows = Json::array();
  for (std::size_t i = 0; i < ranked.size() && i < kHosts; ++i)
    rows.push_back({{"host", ranked[i].first},
                    {"failures", ranked[i].second.failures},
                    {"pending", ranked[i].second.pending},
                    {"recent", ranked[i].second.recent}});
  return rows;
}

Json recent_item(const Json& model, std::string body) {
  if (body.size() > kItemChars) {
    std::size_t cut = kItemChars;
    while (cut > 0 && (static_cast<unsigned char>(body[cut]) & 0xC0) == 0x80) --cut;
    body = body.substr(0, cut) + "…";
  }
  return {{"model", model}, {"body", body}};
}

}  // namespace uvscrape::dashboard
