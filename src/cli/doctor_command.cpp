// uvscrape doctor STORE: what looks wrong in a run.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <iostream>
#include <map>

#include "cli/cli_support.hpp"
#include "cli/commands.hpp"
#include "dashboard/slowest_hosts.hpp"

namespace uvscrape::cli {
namespace {

// Whether a run holds the store now (its flock on STORE.lock). Probes with a
// shared lock released at once.
bool run_holds(const std::string& path) {
  const int fd = ::open((path + ".lock").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0;
  ::close(fd);
  return held;
}

// The slowest hosts are ranked over this many of the latest timed requests
// (as the dashboard ranks them), so that a huge run is read quickly.
constexpr std::int64_t kTimedSample = 20000;

constexpr const char* kNotRecorded =
    "not recorded by the store (made before schema version 5: a run of this uvscrape "
    "records them)";

// The selectors table, by step and selector, each row an object.
std::vector<Json> selector_rows(StoreDb& db, const std::string& where) {
  std::vector<Json> rows;
  for (const auto& r : db.query("SELECT step, kind, selector, responses, matched FROM selectors" +
                                where + " ORDER BY step, kind, selector"))
    rows.push_back({{"step", r[0]},
                    {"kind", r[1]},
                    {"selector", r[2]},
                    {"responses", r[3]},
                    {"matched", r[4]}});
  return rows;
}

}  // namespace

int doctor_command(Context& ctx) {
  const auto line = parse_command(
      ctx.args,
      {"usage: uvscrape doctor STORE [--selectors] [--format table|json|jsonl]\n"
       "  ghosts: done requests whose step yielded nothing (no item, request or file);\n"
       "  stuck: in-flight rows while no run holds the store; the hosts with the most\n"
       "  failures; the slowest hosts (mean fetch time of the latest 20000 timed\n"
       "  requests, schema version 6 on); the selectors (XPath, CSS) a step\n"
       "  evaluated that matched nothing on any response, by step (recorded by\n"
       "  stores of schema version 5 on).\n"
       "  --selectors: every recorded selector instead, with the responses it was\n"
       "  evaluated on and the responses it matched something on.\n",
       {"--format"},
       {"--selectors"}},
      ctx.out);
  if (!line) return kExitOk;
  const Format format = line->format;
  StoreDb db(line->store);
  const bool recorded =
      db.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'selectors'") > 0;
  if (line->args.get("--selectors")) {
    if (!recorded)
      throw CliError("run store " + db.path() + ": " + kNotRecorded);
    print_records(ctx.out, format, {"step", "kind", "selector", "responses", "matched"},
                  selector_rows(db, ""));
    return kExitOk;
  }
  std::map<std::string, std::pair<std::int64_t, std::string>> ghosts;  // step -> count, example
  for (const auto& r :
       db.query("SELECT r.body FROM requests r WHERE r.state = 2 "
                "AND NOT EXISTS (SELECT 1 FROM items i WHERE i.request = r.id) "
                "AND NOT EXISTS (SELECT 1 FROM requests c WHERE c.parent = r.id) "
                "AND NOT EXISTS (SELECT 1 FROM files f WHERE f.request = r.id) ORDER BY r.id")) {
    const Json body = Json::parse(r[0].get<std::string>());
    auto& g = ghosts[body.value("continuation", "")];
    if (g.first++ == 0) g.second = body.value("url", "");
  }
  Json report = Json::object();
  Json ghost_list = Json::array();
  for (const auto& [step, g] : ghosts)
    ghost_list.push_back({{"step", step}, {"count", g.first}, {"example", g.second}});
  report["ghosts"] = ghost_list;
  const std::int64_t in_flight = db.scalar("SELECT count(*) FROM requests WHERE state = 1");
  const bool live = in_flight > 0 && run_holds(db.path());
  report["in_flight"] = in_flight;
  report["stuck"] = live ? 0 : in_flight;
  Json hosts = Json::array();
  std::map<std::string, std::int64_t> by_host;
  for (const auto& r : db.query("SELECT url FROM failures"))
    ++by_host[host_of(r[0].get<std::string>())];
  std::vector<std::pair<std::int64_t, std::string>> ranked;
  for (const auto& [h, n] : by_host) ranked.emplace_back(-n, h);
  std::sort(ranked.begin(), ranked.end());
  for (std::size_t i = 0; i < ranked.size() && i < 10; ++i)
    hosts.push_back({{"host", ranked[i].second}, {"failures", -ranked[i].first}});
  report["failing_hosts"] = hosts;
  const Json slowest =
      dashboard::slowest_hosts(dashboard::times_by_host(db.latest_fetch_times(kTimedSample)), 10);
  report["slowest_hosts"] = slowest;
  Json never = Json::array();
  if (recorded) {
    for (auto& r : selector_rows(db, " WHERE matched = 0")) {
      r.erase("matched");
      never.push_back(std::move(r));
    }
    report["selectors_recorded"] = db.scalar("SELECT count(*) FROM selectors");
    report["selectors_never_matched"] = never;
  } else {
    report["selectors_never_matched"] = kNotRecorded;
  }
  if (format != Format::table) {
    print_object(ctx.out, format, report);
    return kExitOk;
  }
  ctx.out << "ghosts (done, yielded nothing): ";
  if (ghost_list.empty())
    ctx.out << "none\n";
  else {
    ctx.out << "\n";
    print_records(ctx.out, format, {"step", "count", "example"}, ghost_list);
  }
  ctx.out << "in flight: " << in_flight;
  if (in_flight)
    ctx.out << (live ? " (a run holds the store: being fetched)"
                     : " (stuck: no run holds the store; the next run fetches them again)");
  ctx.out << "\nhosts with the most failures: ";
  if (hosts.empty())
    ctx.out << "none\n";
  else {
    ctx.out << "\n";
    print_records(ctx.out, format, {"host", "failures"}, hosts);
  }
  ctx.out << "slowest hosts (fetch time): ";
  if (slowest.empty())
    ctx.out << "none timed\n";
  else {
    ctx.out << "\n";
    print_records(ctx.out, format, {"host", "timed", "mean_ms", "p95_ms", "max_ms"}, slowest);
  }
  ctx.out << "selectors that never matched: ";
  if (!recorded) {
    ctx.out << kNotRecorded << "\n";
  } else if (never.empty()) {
    ctx.out << "none (" << report["selectors_recorded"] << " recorded)\n";
  } else {
    ctx.out << "\n";
    print_records(ctx.out, format, {"step", "kind", "selector", "responses"}, never);
  }
  return kExitOk;
}

}  // namespace uvscrape::cli
