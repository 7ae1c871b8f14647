// The `uvscrape` command as a function, for a program that exposes its
// scrapers to it (docs/operating-a-crawl.md):
//
//   int main(int argc, char** argv) {
//     MyScraper scraper;
//     return uvscrape::cli::main(argc, argv, {&scraper});
//   }
//
// Link uvscrape_cli (pkg-config uvscrape-cli). The store-only subcommands
// (info, requests, responses, results, failures, doctor) need no scraper.
// Returns the exit code: 0 ok, 1 runtime error, 2 usage error.
#pragma once

#include <vector>

#include "uvscrape/scraper.hpp"

namespace uvscrape::cli {

int main(int argc, char** argv, std::vector<const ScraperBase*> scrapers = {});

// Whether `word` names a subcommand (so a program can hand argv over to main).
bool is_subcommand(const char* word);

}  // namespace uvscrape::cli
