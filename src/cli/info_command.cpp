// uvscrape info STORE: the run at a glance.
#include <iostream>

#include "cli/cli_support.hpp"
#include "cli/commands.hpp"

namespace uvscrape::cli {

int info_command(Context& ctx) {
  Args args = parse_args(ctx.args, {"--format"});
  if (args.help) {
    ctx.out << "usage: uvscrape info STORE [--format table|json|jsonl]\n"
               "  The scraper, status, start and end, requests by state, items by model,\n"
               "  failures by kind, archived files and stored responses. The store keeps no\n"
               "  completion times, so no throughput or ETA is shown.\n";
    return kExitOk;
  }
  const Format format = format_of(args);
  if (args.positional.size() != 1) throw UsageError("takes one STORE");
  StoreDb db(args.positional[0]);
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
  print_object(ctx.out, format, info);
  return kExitOk;
}

}  // namespace uvscrape::cli
