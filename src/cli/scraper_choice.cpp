// Which of the program's scrapers run, resume and replay use.
#include "cli/cli_support.hpp"
#include "cli/commands.hpp"

namespace uvscrape::cli {

ScraperBase& choose_scraper(const Context& ctx, const std::string& command, const Args& args,
                            const std::string& stored) {
  if (ctx.scrapers.empty())
    throw UsageError("needs a scraper, and this program has none: run " + command +
                     " from a program that passes its scrapers to uvscrape::cli::main (e.g. "
                     "bug_court_crawl " +
                     command + (command == "run" ? " --store FILE" : " STORE") + ")");
  std::string names;
  for (const ScraperBase* s : ctx.scrapers) names += (names.empty() ? "" : ", ") + s->name();
  const auto wanted = args.get("--scraper");
  for (ScraperBase* s : ctx.scrapers)
    if (s->name() == (wanted ? *wanted : stored)) return *s;
  if (wanted) throw UsageError("no scraper named " + *wanted + " (this program has " + names + ")");
  if (ctx.scrapers.size() == 1) return *ctx.scrapers[0];
  throw UsageError((stored.empty() ? std::string("this program has ")
                                   : "the store's scraper " + stored + " is not among ") +
                   names + ": choose one with --scraper");
}

}  // namespace uvscrape::cli
