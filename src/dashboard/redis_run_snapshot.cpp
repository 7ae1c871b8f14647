// See redis_run_snapshot.hpp. Blocking throughout (a pool thread's).
#include "dashboard/redis_run_snapshot.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "dashboard/slowest_hosts.hpp"
#include "dashboard/snapshot_rows.hpp"
#include "dashboard/throughput.hpp"
#include "store/redis_blocking.hpp"
#include "store/stored_names.hpp"
#include "uvscrape/errors.hpp"

namespace uvscrape::dashboard {
namespace {

constexpr int kFailureSample = 20000;
constexpr int kPendingSample = 1000;

std::int64_t number(const std::map<std::string, std::string>& hash, const std::string& field) {
  const auto it = hash.find(field);
  if (it == hash.end()) return 0;
  try {
    return std::stoll(it->second);
  } catch (const std::exception&) {
    return 0;
  }
}

std::map<std::string, std::string> hash(store::BlockingRedis& redis, const std::string& key) {
  const auto flat = redis.strings({"HGETALL", key});
  std::map<std::string, std::string> out;
  for (std::size_t i = 0; i + 1 < flat.size(); i += 2) out[flat[i]] = flat[i + 1];
  return out;
}

std::int64_t integer(store::BlockingRedis& redis, const std::vector<std::string>& command) {
  const auto reply = redis.command(command);
  return reply->type == REDIS_REPLY_INTEGER ? static_cast<std::int64_t>(reply->integer) : 0;
}

// From the commit script's settles per 10 s (field: ms / 10,000): the last
// hour's 361 fields, read at once.
Json throughput(store::BlockingRedis& redis, const std::string& key, std::int64_t now,
                std::int64_t started, std::int64_t left) {
  constexpr std::int64_t kSlot = 10'000;
  const std::int64_t last = now / kSlot, first = (now - 3'600'000) / kSlot;
  std::vector<std::string> get = {"HMGET", key};
  for (std::int64_t slot = first; slot <= last; ++slot) get.push_back(std::to_string(slot));
  const auto replies = redis.command(get);
  const ChartWindow window = chart_window(now, started, kSlot);
  Json counts = Json::array();
  for (int i = 0; i < ChartWindow::kBuckets; ++i) counts.push_back(0);
  std::int64_t minute = 0, hour = 0;
  for (std::size_t i = 0; i < replies->elements; ++i) {
    const redisReply* r = replies->element[i];
    if (r->type != REDIS_REPLY_STRING) continue;  // nil: nothing settled then
    const std::int64_t n = std::strtoll(r->str, nullptr, 10);
    const std::int64_t at = (first + static_cast<std::int64_t>(i)) * kSlot;
    hour += n;
    if (at + kSlot > now - 60'000) minute += n;  // the slots that reach into the last minute
    const std::int64_t bucket = (at - window.from) / window.bucket_ms;
    if (at >= window.from && bucket < ChartWindow::kBuckets)
      counts[static_cast<std::size_t>(bucket)] = counts[static_cast<std::size_t>(bucket)].get<std::int64_t>() + n;
  }
  return throughput_json(now, started, left, minute, hour, window, std::move(counts));
}

}  // namespace

Json read_redis_snapshot(const store::RedisAddress& address, std::int64_t now_ms) {
  store::BlockingRedis redis(address);
  const std::string p = address.prefix + ":";
  const auto meta = hash(redis, p + "meta");
  if (meta.empty()) throw StoreError(address.url, "holds no run under prefix " + address.prefix);
  Json s = Json::object();
  s["store"] = address.url;
  s["scraper"] = meta.count("scraper") ? meta.at("scraper") : "";
  s["status"] = meta.count("status") ? meta.at("status") : "";
  if (const auto started = number(meta, "started")) s["started"] = started;
  if (const auto ended = number(meta, "ended")) s["ended"] = ended;
  s["now"] = now_ms;
  s["requests"] = {{"pending", integer(redis, {"ZCARD", p + "pending"})},
                   {"in_flight", integer(redis, {"ZCARD", p + "leased"})},
                   {"done", number(meta, "done")},
                   {"failed", number(meta, "failed")}};
  s["items"] = integer(redis, {"LLEN", p + "items"});
  s["throughput"] = throughput(redis, p + "settled_10s", now_ms, number(meta, "started"),
                               s["requests"]["pending"].get<std::int64_t>() +
                                   s["requests"]["in_flight"].get<std::int64_t>());

  // Failures by kind (most frequent first, the latest examples), and per host.
  struct Kind {
    std::int64_t count = 0;
    Json examples = Json::array();
  };
  std::map<std::string, Kind> kinds;
  std::map<std::string, HostCounts> hosts;
  const auto failures =
      redis.strings({"LRANGE", p + "failures", std::to_string(-kFailureSample), "-1"});
  for (auto f = failures.rbegin(); f != failures.rend(); ++f) {  // the latest first
    const Json failure = Json::parse(*f, nullptr, false);
    if (!failure.is_object()) continue;
    const std::string url = failure.value("url", "");
    Kind& kind = kinds[failure.value("kind", "")];
    ++kind.count;
    if (kind.examples.size() < kExamplesPerKind)
      kind.examples.push_back({{"url", url}, {"message", failure.value("message", "")}});
    ++hosts[store::host_of(url)].failures;
  }
  std::vector<std::pair<std::string, Kind>> by_count(kinds.begin(), kinds.end());
  std::stable_sort(by_count.begin(), by_count.end(),
                   [](const auto& a, const auto& b) { return a.second.count > b.second.count; });
  Json failure_rows = Json::array();
  for (auto& [name, kind] : by_count)
    failure_rows.push_back({{"kind", name}, {"count", kind.count}, {"examples", kind.examples}});
  s["failures"] = failure_rows;

  const auto pending =
      redis.strings({"ZRANGE", p + "pending", "0", std::to_string(kPendingSample - 1)});
  if (!pending.empty()) {
    std::vector<std::string> get = {"HMGET", p + "req"};
    get.insert(get.end(), pending.begin(), pending.end());
    for (const auto& body : redis.strings(get)) {
      const Json request = Json::parse(body, nullptr, false);
      if (request.is_object() && request.contains("url") && request["url"].is_string())
        ++hosts[store::host_of(request["url"].get<std::string>())].pending;
    }
  }
  s["hosts"] = ranked_hosts(hosts);

  const auto counts = hash(redis, p + "fetch_count");
  const auto sums = hash(redis, p + "fetch_sum");
  const auto maxima = hash(redis, p + "fetch_max");
  std::vector<HostTimes> times;
  for (const auto& [host, count] : counts) {
    HostTimes t;
    t.host = host;
    t.timed = number(counts, host);
    t.sum_ms = number(sums, host);
    t.max_ms = number(maxima, host);
    times.push_back(std::move(t));
  }
  s["slowest_hosts"] = slowest_hosts(std::move(times), kHosts);

  Json recent = Json::array();
  const auto items =
      redis.strings({"LRANGE", p + "items", std::to_string(-static_cast<int>(kRecentItems)), "-1"});
  for (auto i = items.rbegin(); i != items.rend(); ++i) {
    const Json item = Json::parse(*i, nullptr, false);
    if (!item.is_object()) continue;
    recent.push_back(recent_item(item.value("model", ""),
                                 item.contains("value") ? item["value"].dump() : std::string()));
  }
  s["recent_items"] = recent;
  return s;
}

}  // namespace uvscrape::dashboard
