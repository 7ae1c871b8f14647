// The installed `uvscrape` binary: the store-only subcommands, no scrapers.
#include "uvscrape/cli.hpp"

int main(int argc, char** argv) {
  return uvscrape::cli::main(argc, argv);
}
