// The subcommands of `uvscrape`, one file per group; cli_main.cpp holds the
// table that dispatches to them (a new group adds a row there).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "uvscrape/cli.hpp"
#include "uvscrape/scraper.hpp"

namespace uvscrape::cli {

struct Context {
  std::vector<std::string> args;  // after the subcommand's name
  std::vector<ScraperBase*> scrapers;
  std::ostream& out;
  std::ostream& err;
  const RunHooks& hooks;
};

using CommandFn = int (*)(Context&);

struct Command {
  const char* name;
  const char* summary;
  CommandFn run;
};

int info_command(Context& ctx);
int requests_command(Context& ctx);
int responses_command(Context& ctx);
int results_command(Context& ctx);
int failures_command(Context& ctx);
int doctor_command(Context& ctx);
int serve_command(Context& ctx);

struct Args;
// `failures retry` (and the dashboard's retry button): puts the failures that
// `args` selects (--all, --id, --kind, --step, --host) whose requests failed
// back to pending and removes their records; refuses while a run holds the
// store's lock. Blocks on the disk.
struct RetryOutcome {
  std::int64_t retried = 0;
  std::int64_t skipped = 0;  // failures of requests that are done (a step's failure)
};
RetryOutcome retry_failures(const std::string& path, const Args& args, bool dry_run);
int replay_command(Context& ctx);
int run_command(Context& ctx);
// The scraper `command` runs: --scraper NAME, else the one named `stored`
// (the store's), else the program's only one; a UsageError otherwise.
ScraperBase& choose_scraper(const Context& ctx, const std::string& command, const Args& args,
                            const std::string& stored);
int resume_command(Context& ctx);

}  // namespace uvscrape::cli
