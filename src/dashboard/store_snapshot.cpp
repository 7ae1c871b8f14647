// See store_snapshot.hpp.
#include "dashboard/store_snapshot.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <vector>

#include "dashboard/slowest_hosts.hpp"
#include "dashboard/snapshot_rows.hpp"
#include "dashboard/throughput.hpp"
#include "store/store_reader.hpp"
#include "store/stored_names.hpp"

namespace uvscrape::dashboard {
namespace {

// Hosts by pending and by recently settled requests, and fetch times, are
// counted over at most this many rows (the best-ranked pending, the latest
// settled), so a snapshot of a huge run stays quick.
constexpr int kSample = 20000;

using store::host_of;
using store::state_name;
using store::StoreReader;

Json throughput(StoreReader& db, std::int64_t now, std::int64_t started, std::int64_t left) {
  const std::int64_t minute = db.scalar(
      "SELECT count(*) FROM requests WHERE settled_at >= ?1 AND state IN (2, 3)", {now - 60'000});
  const std::int64_t hour =
      db.scalar("SELECT count(*) FROM requests WHERE settled_at >= ?1 AND state IN (2, 3)",
                {now - 3'600'000});
  const ChartWindow window = chart_window(now, started);
  Json counts = Json::array();
  for (int i = 0; i < ChartWindow::kBuckets; ++i) counts.push_back(0);
  for (const auto& r : db.query("SELECT (settled_at - ?1) / ?2, count(*) FROM requests "
                                "WHERE settled_at >= ?1 AND state IN (2, 3) GROUP BY 1",
                                {window.from, window.bucket_ms})) {
    const auto i = r[0].get<std::int64_t>();
    if (i >= 0 && i < ChartWindow::kBuckets) counts[static_cast<std::size_t>(i)] = r[1];
  }
  return throughput_json(now, started, left, minute, hour, window, std::move(counts));
}

}  // namespace

Json read_store_snapshot(const std::string& path, std::int64_t now_ms) {
  Json s = Json::object();
  s["store"] = path;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    s["missing"] = true;
    return s;
  }
  StoreReader db(path);
  if (!db.initialised()) {
    s["missing"] = true;  // created but not yet initialised by its run
    return s;
  }
  db.require_run_store();
  std::map<std::string, std::string> meta;
  for (const auto& r : db.query("SELECT key, value FROM meta"))
    meta[r[0].get<std::string>()] = r[1].get<std::string>();
  s["scraper"] = meta["scraper"];
  s["status"] = meta["status"];
  const std::int64_t started = meta.count("started") ? std::stoll(meta["started"]) : 0;
  if (started) s["started"] = started;
  if (meta.count("ended")) s["ended"] = std::stoll(meta["ended"]);
  s["now"] = now_ms;

  Json states = Json::object();
  for (int i = 0; i < 4; ++i) states[state_name(i)] = 0;
  for (const auto& r : db.query("SELECT state, count(*) FROM requests GROUP BY state"))
    states[state_name(r[0].get<std::int64_t>())] = r[1];
  s["requests"] = states;
  s["items"] = db.scalar("SELECT count(*) FROM items");
  s["invalid_items"] = db.scalar("SELECT count(*) FROM items WHERE valid = 0");

  Json failures = Json::array();
  for (const auto& r :
       db.query("SELECT kind, count(*) FROM failures GROUP BY kind ORDER BY 2 DESC, 1")) {
    Json examples = Json::array();
    for (const auto& e :
         db.query("SELECT url, message FROM failures WHERE kind = ?1 ORDER BY id "
                  "DESC LIMIT ?2",
                  {r[0].get<std::string>(), static_cast<std::int64_t>(kExamplesPerKind)}))
      examples.push_back({{"url", e[0]}, {"message", e[1]}});
    failures.push_back({{"kind", r[0]}, {"count", r[1]}, {"examples", examples}});
  }
  s["failures"] = failures;

  const bool has_settled_at =
      db.scalar("SELECT count(*) FROM pragma_table_info('requests') WHERE name = 'settled_at'") > 0;
  if (has_settled_at)
    s["throughput"] =
        throughput(db, now_ms, started,
                   states["pending"].get<std::int64_t>() + states["in_flight"].get<std::int64_t>());

  // Hosts by failures, then by pending requests, then by recently settled
  // ones (what needs attention; the slowest hosts are ranked apart).
  std::map<std::string, HostCounts> hosts;
  for (const auto& r : db.query("SELECT url FROM failures"))
    ++hosts[host_of(r[0].get<std::string>())].failures;
  for (const auto& r : db.query("SELECT json_extract(body, '$.url') FROM requests WHERE state = 0 "
                                "ORDER BY priority, id LIMIT ?1",
                                {static_cast<std::int64_t>(kSample)}))
    if (r[0].is_string()) ++hosts[host_of(r[0].get<std::string>())].pending;
  if (has_settled_at)
    for (const auto& r : db.query("SELECT json_extract(body, '$.url') FROM requests WHERE "
                                  "settled_at IS NOT NULL ORDER BY settled_at DESC LIMIT ?1",
                                  {static_cast<std::int64_t>(kSample)}))
      if (r[0].is_string()) ++hosts[host_of(r[0].get<std::string>())].recent;
  s["hosts"] = ranked_hosts(hosts);

  // The latest settled requests' fetch times (schema v6), slowest hosts first.
  s["slowest_hosts"] = slowest_hosts(times_by_host(db.latest_fetch_times(kSample)), kHosts);

  Json recent = Json::array();
  for (const auto& r : db.query("SELECT model, body FROM items ORDER BY id DESC LIMIT ?1",
                                {static_cast<std::int64_t>(kRecentItems)})) {
    recent.push_back(recent_item(r[0], r[1].is_string() ? r[1].get<std::string>() : ""));
  }
  s["recent_items"] = recent;
  return s;
}

}  // namespace uvscrape::dashboard
