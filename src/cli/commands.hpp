// The subcommands of `uvscrape`, one file per group; cli_main.cpp holds the
// table that dispatches to them (a new group adds a row there).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "uvscrape/scraper.hpp"

namespace uvscrape::cli {

struct Context {
  std::vector<std::string> args;  // after the subcommand's name
  std::vector<ScraperBase*> scrapers;
  std::ostream& out;
  std::ostream& err;
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
int replay_command(Context& ctx);

}  // namespace uvscrape::cli
