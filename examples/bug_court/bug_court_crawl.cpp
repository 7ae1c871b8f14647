// bug_court_crawl: crawls a Bug Civil Court site with the demo scraper and
// writes one JSON object per item -- the uvscrape command with the demo
// scraper (docs/operating-a-crawl.md):
//
//   bug_court_crawl [run] [--base-url URL] [--workers N] [--out results.jsonl]
//                   [--storage DIR] [--seed JSON|@FILE] [--store FILE] [--quiet]
//                   [--add-seed JSON|@FILE] [--store-responses] [--dashboard PORT]
//   bug_court_crawl resume STORE [...]
//   bug_court_crawl info|requests|responses|results|failures|doctor|replay|serve STORE ...
//
// Without a subcommand it is `run`. --store FILE keeps the run in a SQLite
// file: run the same command again (or `resume FILE`) after a crash or a
// Ctrl-C and it continues where it was (results are then appended to --out;
// the store's items table holds them all exactly once).
//
// Progress goes to stderr (a live line on a terminal, a plain line every 10 s
// otherwise), then a summary with the items by type. Ctrl-C stops gracefully
// (requests in flight finish); a second Ctrl-C aborts. Exit status: 0 the
// crawl completed without failures, 1 it failed or recorded failures, 2 usage,
// 130 interrupted.
#include <map>
#include <string>
#include <uvscrape/cli.hpp>
#include <vector>

#include "bug_court_scraper.hpp"

namespace {

constexpr const char* kDefaultBaseUrl = "http://127.0.0.1:8080";

// The first argument after the subcommand that is not an option or an
// option's value: the STORE of resume and replay.
const char* store_argument(int argc, char** argv) {
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0) return argv[i];
    if (arg.find('=') == std::string::npos && arg != "--help" && arg != "--quiet" &&
        arg != "--store-responses")
      ++i;  // its value
  }
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> args(argv, argv + argc);
  // No subcommand: a crawl (`bug_court_crawl --store run.db` is `bug_court_crawl run --store run.db`).
  static char run_word[] = "run";
  if (argc < 2 || !uvscrape::cli::is_subcommand(argv[1]))
    args.insert(args.begin() + 1, run_word);
  const std::string command = args[1];

  // The scraper's site: --base-url for a crawl; for a resume or a replay the
  // site the stored run crawled (the demo server's port changes every run).
  std::string base_url = kDefaultBaseUrl;
  if (command == "run") {
    for (std::size_t i = 2; i < args.size(); ++i) {
      const std::string arg = args[i];
      if (arg == "--base-url" && i + 1 < args.size()) {
        base_url = args[i + 1];
        args.erase(args.begin() + static_cast<std::ptrdiff_t>(i),
                   args.begin() + static_cast<std::ptrdiff_t>(i + 2));
        break;
      }
      if (arg.rfind("--base-url=", 0) == 0) {
        base_url = arg.substr(11);
        args.erase(args.begin() + static_cast<std::ptrdiff_t>(i));
        break;
      }
    }
  } else if (command == "resume" || command == "replay") {
    if (const char* store = store_argument(static_cast<int>(args.size()), args.data()))
      if (auto origin = uvscrape::cli::stored_origin(store)) base_url = *origin;
  }

  // Each result line names its model ("_type"), and the summary counts them.
  std::map<std::string, std::uint64_t> items_by_type;
  uvscrape::cli::RunHooks hooks;
  hooks.result_line = [&](const uvscrape::Json& item) {
    const std::string type = bug_court::item_type(item);
    ++items_by_type[type];
    uvscrape::Json line = {{"_type", type}};
    line.update(item);
    return line;
  };
  hooks.summary = [&] {
    std::string text = "  items by type:";
    if (items_by_type.empty()) text += " none";
    text += "\n";
    for (const auto& [type, count] : items_by_type)
      text += "    " + type + ": " + std::to_string(count) + "\n";
    return text;
  };
  hooks.options_help =
      "  --base-url URL     the Bug Civil Court site (default " + std::string(kDefaultBaseUrl) +
      "; resume and replay: the stored run's)\n"
      "  --seed takes entry parameters as in the reference's initial_seed, e.g.\n"
      "  '[{\"fetch_case\": {\"case_id\": {\"year\": 2025, \"min\": 1, \"gap\": 3}}}]';\n"
      "  without it the parameterless entries run (get_justices, get_oral_arguments).\n"
      "  bug_court_crawl help lists the other subcommands (info, doctor, replay, ...).\n";

  bug_court::BugCourtScraper scraper(base_url);
  return uvscrape::cli::main(static_cast<int>(args.size()), args.data(), {&scraper},
                             std::move(hooks));
}
