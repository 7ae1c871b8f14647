// The `uvscrape` command as a function, for a program that exposes its
// scrapers to it (docs/operating-a-crawl.md):
//
//   int main(int argc, char** argv) {
//     MyScraper scraper;
//     return uvscrape::cli::main(argc, argv, {&scraper});
//   }
//
// Link uvscrape_cli (pkg-config uvscrape-cli). The store-only subcommands
// (info, requests, responses, results, failures, doctor, serve) need no
// scraper; run, resume and replay run one of `scrapers` (the driver calls its
// steps, hence not const). Returns the exit code: 0 ok, 1 runtime error, 2
// usage error; run/resume: 0 completed with no failure, 1 failures or an
// error, 2 usage, 130 interrupted; replay: 0 no differences, 1 differences,
// 2 error.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "uvscrape/json.hpp"
#include "uvscrape/scraper.hpp"

namespace uvscrape::cli {

// What a program adds to `run` and `resume` (all optional; loop thread).
struct RunHooks {
  // The JSON line written to --out for an item (default: the item itself).
  std::function<Json(const Json& item)> result_line;
  // Text appended to the end-of-run summary (lines ending in a newline).
  std::function<std::string()> summary;
  // Lines appended to `run --help` for options the program takes itself.
  std::string options_help;
};

int main(int argc, char** argv, std::vector<ScraperBase*> scrapers = {}, RunHooks hooks = {});

// The scheme://host[:port] of a stored run's first entry request, for a
// program whose scraper takes its site as a setting (the demo's --base-url)
// and must match the stored URLs to replay them; nullopt when the file holds
// no such request or cannot be read.
std::optional<std::string> stored_origin(const std::string& store);

// Whether `word` names a subcommand (so a program can hand argv over to main).
bool is_subcommand(const char* word);

}  // namespace uvscrape::cli
