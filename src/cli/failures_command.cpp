// uvscrape failures list|summary|retry STORE.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "cli/cli_support.hpp"
#include "cli/commands.hpp"
#include "store/redis_url.hpp"

namespace uvscrape::cli {
namespace {

constexpr const char* kHelp =
    "usage: uvscrape failures list STORE [--kind KIND] [--step NAME] [--host HOST] [--format F]\n"
    "       uvscrape failures summary STORE [--format F]\n"
    "       uvscrape failures retry STORE (--all | --id REQUEST... | --kind KIND | --step NAME)\n"
    "                                      [--dry-run]\n"
    "  retry puts the chosen failed requests back to pending (attempts reset) and\n"
    "  removes their failure records, so the next run on the store (the same\n"
    "  program, same store) fetches them; a completed run becomes stopped. It\n"
    "  refuses while a run holds the store (STORE.lock).\n";

constexpr const char* kSelect =
    "SELECT f.request, f.kind, f.step, f.url, f.attempts, f.time, f.message, r.state "
    "FROM failures f LEFT JOIN requests r ON r.id = f.request";

Json record(const Json& row) {
  return {{"request", row[0]}, {"kind", row[1]},     {"step", row[2]},
          {"url", row[3]},     {"attempts", row[4]}, {"time", iso_time(row[5].get<std::int64_t>())},
          {"message", row[6]}};
}

std::vector<Json> select(StoreDb& db, const Args& args) {
  std::vector<Json> out;
  const auto kind = args.get("--kind");
  const auto step = args.get("--step");
  const auto host = args.get("--host");
  const auto ids = args.all("--id");
  for (const auto& row : db.query(std::string(kSelect) + " ORDER BY f.id")) {
    if (kind && row[1] != *kind) continue;
    if (step && row[2] != *step) continue;
    if (host && host_of(row[3].get<std::string>()) != *host) continue;
    if (!ids.empty() && std::find(ids.begin(), ids.end(), row[0].dump()) == ids.end()) continue;
    out.push_back(row);
  }
  return out;
}

}  // namespace

RetryOutcome retry_failures(const std::string& path, const Args& args, bool dry_run) {
  // The run's own lock: a run holding the store would not see the change.
  const std::string lock_path = path + ".lock";
  // A Redis store is only read here: StoreDb refuses to open it for writing,
  // before a lock file is made next to a URL.
  if (store::is_redis_url(path)) StoreDb refused(path, /*writable=*/true);
  StoreDb check(path);  // refuses a missing or foreign file before anything is created
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw CliError("cannot open " + lock_path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    throw CliError("run store " + path + ": in use by another run (" + lock_path +
                   " is locked); stop it first");
  }
  RetryOutcome outcome;
  try {
    StoreDb db(path, true);
    std::vector<Json> chosen;
    for (const auto& row : select(db, args)) {
      if (row[7] == 3)
        chosen.push_back(row);
      else
        ++outcome
              .skipped;  // the request itself is done (a step failure): retrying would repeat items
    }
    outcome.retried = static_cast<std::int64_t>(chosen.size());
    if (!dry_run && !chosen.empty()) {
      db.exec("BEGIN IMMEDIATE");
      for (const auto& row : chosen) {
        const std::int64_t id = row[0].get<std::int64_t>();
        db.query("UPDATE requests SET state = 0, attempts = 0, not_before = NULL WHERE id = ?1",
                 {id});
        db.query("DELETE FROM failures WHERE request = ?1", {id});
      }
      db.query("UPDATE meta SET value = 'stopped' WHERE key = 'status' AND value = 'completed'");
      db.exec("COMMIT");
    }
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
  return outcome;
}

int failures_command(Context& ctx) {
  const auto line = parse_command(ctx.args,
                                  {kHelp,
                                   {"--format", "--kind", "--step", "--host", "--id"},
                                   {"--all", "--dry-run"},
                                   {"list", "summary", "retry"}},
                                  ctx.out);
  if (!line) return kExitOk;
  const Args& args = line->args;
  const Format format = line->format;
  const std::string& verb = line->verb;
  const std::string& path = line->store;
  if (verb == "list") {
    StoreDb db(path);
    std::vector<Json> records;
    for (const auto& row : select(db, args)) records.push_back(record(row));
    print_records(ctx.out, format, {"request", "kind", "step", "attempts", "url", "message"},
                  records);
    return kExitOk;
  }
  if (verb == "summary") {
    StoreDb db(path);
    std::vector<Json> records;
    for (const auto& r : db.query("SELECT kind, step, count(*), min(message) FROM failures "
                                  "GROUP BY kind, step ORDER BY 3 DESC, 1, 2"))
      records.push_back({{"kind", r[0]}, {"step", r[1]}, {"count", r[2]}, {"example", r[3]}});
    print_records(ctx.out, format, {"kind", "step", "count", "example"}, records);
    return kExitOk;
  }
  {  // retry
    if (!args.get("--all") && args.all("--id").empty() && !args.get("--kind") &&
        !args.get("--step"))
      throw UsageError("retry needs --all, --id, --kind or --step");
    const RetryOutcome r = retry_failures(path, args, args.get("--dry-run").has_value());
    ctx.out << (args.get("--dry-run") ? "would put " : "put ") << r.retried
            << " failed request(s) back to pending";
    if (r.skipped)
      ctx.out << " (" << r.skipped << " failure(s) of requests not in state failed left)";
    ctx.out << "\n";
    return kExitOk;
  }
}

}  // namespace uvscrape::cli
