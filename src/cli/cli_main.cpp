// uvscrape::cli::main: the subcommand table, help and exit codes.
#include <cstring>
#include <iostream>

#include "cli/cli_support.hpp"
#include "cli/commands.hpp"
#include "uvscrape/cli.hpp"

namespace uvscrape::cli {
namespace {

// One row per subcommand group.
constexpr Command kCommands[] = {
    {"info", "the run: scraper, status, requests by state, items, failures, files", info_command},
    {"requests", "list|show|tree: the requests of the run", requests_command},
    {"responses", "show|body: a stored response", responses_command},
    {"results", "export|validate: the items of the run", results_command},
    {"failures", "list|summary|retry: requests that failed for good", failures_command},
    {"doctor", "what looks wrong: ghosts, stuck requests, failing hosts", doctor_command},
    {"serve", "the live dashboard: a web page over the store (127.0.0.1)", serve_command},
    {"replay", "the scraper over the stored responses, no network: what changed", replay_command},
    {"run", "crawl with the program's scraper, with progress and a summary", run_command},
    {"resume", "continue the run a store holds, with the scraper it names", resume_command},
};

void usage(std::ostream& out) {
  out << "usage: uvscrape COMMAND [STORE] [options]   (uvscrape COMMAND --help for more)\n\n";
  for (const auto& c : kCommands)
    out << "  " << c.name << std::string(11 - std::strlen(c.name), ' ') << c.summary << "\n";
  out << "\nExit status: 0 ok, 1 runtime error (bad store, nothing found), 2 usage error;\n"
         "run, resume: 0 completed with no failure, 1 failures or an error, 2 usage error,\n"
         "130 interrupted (Ctrl-C or SIGTERM); replay: 0 no differences, 1 differences, 2 error.\n";
}

}  // namespace

bool is_subcommand(const char* word) {
  for (const auto& c : kCommands)
    if (std::strcmp(c.name, word) == 0) return true;
  return false;
}

int main(int argc, char** argv, std::vector<ScraperBase*> scrapers, RunHooks hooks) {
  if (argc < 2) {
    usage(std::cerr);
    return kExitUsage;
  }
  const std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    usage(std::cout);
    return kExitOk;
  }
  for (const auto& c : kCommands) {
    if (name != c.name) continue;
    Context ctx{std::vector<std::string>(argv + 2, argv + argc), std::move(scrapers), std::cout,
                std::cerr, hooks};
    try {
      return c.run(ctx);
    } catch (const UsageError& e) {
      std::cerr << "uvscrape " << name << ": " << e.what() << " (uvscrape " << name << " --help)\n";
      return kExitUsage;
    } catch (const std::exception& e) {
      std::cerr << "uvscrape " << name << ": " << e.what() << "\n";
      return kExitError;
    }
  }
  std::cerr << "uvscrape: unknown command " << name << "\n";
  usage(std::cerr);
  return kExitUsage;
}

}  // namespace uvscrape::cli
