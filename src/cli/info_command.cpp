// uvscrape info STORE: the run at a glance.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <optional>

#include "cli/cli_support.hpp"
#include "cli/commands.hpp"

namespace uvscrape::cli {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Requests a second lately: the last minute's (the last hour's when the last
// minute saw none), over the part of that window the run has been going.
double recent_rate(std::int64_t minute, std::int64_t hour, std::int64_t now, std::int64_t started) {
  const auto window = [&](std::int64_t ms) {
    const std::int64_t ran = started > 0 ? now - started : ms;
    return static_cast<double>(std::clamp<std::int64_t>(ran, 1000, ms)) / 1000.0;
  };
  return minute > 0 ? static_cast<double>(minute) / window(60'000)
                    : static_cast<double>(hour) / window(3'600'000);
}

// Requests settled in the last minute and hour (from requests.settled_at,
// schema version 4), the whole run's rate, and the ETA for what is left at
// the most recent rate there is. None for a store without completion times.
std::optional<Json> throughput(StoreDb& db, std::int64_t now) {
  if (db.scalar("SELECT count(*) FROM pragma_table_info('requests') WHERE name = 'settled_at'") ==
      0)
    return std::nullopt;
  const std::int64_t minute = db.scalar(
      "SELECT count(*) FROM requests WHERE settled_at >= ?1 AND state IN (2, 3)", {now - 60'000});
  const std::int64_t hour =
      db.scalar("SELECT count(*) FROM requests WHERE settled_at >= ?1 AND state IN (2, 3)",
                {now - 3'600'000});
  Json t = Json::object();
  t["last_minute"] = minute;
  t["last_hour"] = hour;
  const auto span = db.query(
      "SELECT min(settled_at), max(settled_at), count(*) FROM requests WHERE settled_at IS NOT "
      "NULL");
  const auto started = db.meta("started");
  if (!span.empty() && span[0][2].get<std::int64_t>() > 0 && started) {
    const double seconds =
        static_cast<double>(span[0][1].get<std::int64_t>() - std::stoll(*started)) / 1000.0;
    if (seconds > 0)
      t["run_per_second"] =
          std::round(static_cast<double>(span[0][2].get<std::int64_t>()) / seconds * 10) / 10;
  }
  // What is left: pending and in flight (an in-flight row of a stopped run
  // goes back to pending when it resumes).
  const std::int64_t left = db.scalar("SELECT count(*) FROM requests WHERE state IN (0, 1)");
  t["left"] = left;
  const double rate = recent_rate(minute, hour, now, started ? std::stoll(*started) : 0);
  if (left > 0 && rate > 0) {
    t["recent_per_second"] = std::round(rate * 100) / 100;
    const auto eta = static_cast<std::int64_t>(std::ceil(static_cast<double>(left) / rate));
    t["eta_seconds"] = eta;
    t["eta"] = iso_time(now + eta * 1000);
  }
  return t;
}

}  // namespace

int info_command(Context& ctx) {
  const auto line = parse_command(
      ctx.args,
      {"usage: uvscrape info STORE [--format table|json|jsonl]\n"
       "  The scraper, status, start and end, requests by state, items by model,\n"
       "  failures by kind, archived files and stored responses; throughput (requests\n"
       "  settled in the last minute and the last hour, and per second over the\n"
       "  whole run) and, while requests are pending and some settled in the last\n"
       "  hour, an ETA: pending / the recent rate. A store made before schema\n"
       "  version 4 has no completion times, so no throughput is shown.\n",
       {"--format"}},
      ctx.out);
  if (!line) return kExitOk;
  const Format format = line->format;
  StoreDb db(line->store);
  Json info = Json::object();
  info["store"] = db.path();
  info["scraper"] = db.meta("scraper").value_or("");
  info["status"] = db.meta("status").value_or("");
  if (auto s = db.meta("started")) info["started"] = iso_time(std::stoll(*s));
  if (auto s = db.meta("ended")) info["ended"] = iso_time(std::stoll(*s));
  Json states = Json::object();
  for (int s = 0; s < 4; ++s) states[state_name(s)] = 0;
  for (const auto& r : db.query("SELECT state, count(*) FROM requests GROUP BY state"))
    states[state_name(r[0].get<std::int64_t>())] = r[1];
  info["requests"] = states;
  info["items"] = db.scalar("SELECT count(*) FROM items");
  info["invalid_items"] = db.scalar("SELECT count(*) FROM items WHERE valid = 0");
  Json failures = Json::object();
  for (const auto& r :
       db.query("SELECT kind, count(*) FROM failures GROUP BY kind ORDER BY 2 DESC"))
    failures[r[0].get<std::string>()] = r[1];
  info["failures"] = failures;
  info["files"] = db.scalar("SELECT count(*) FROM files");
  info["file_bytes"] = db.scalar("SELECT coalesce(sum(size), 0) FROM files");
  info["responses"] = db.scalar("SELECT count(*) FROM responses");
  info["response_bytes"] = db.scalar("SELECT coalesce(sum(size), 0) FROM responses");
  if (auto t = throughput(db, now_ms())) info["throughput"] = *t;
  print_object(ctx.out, format, info);
  return kExitOk;
}

}  // namespace uvscrape::cli
