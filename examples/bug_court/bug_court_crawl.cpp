// bug_court_crawl: crawls a Bug Civil Court site with the demo scraper and
// writes one JSON object per item.
//
//   bug_court_crawl [--base-url URL] [--workers N] [--out results.jsonl]
//                   [--storage DIR] [--seed JSON|@FILE] [--store FILE] [--quiet]
//                   [--add-seed JSON|@FILE]
//                   [--store-responses]
//   bug_court_crawl info|requests|responses|results|failures|doctor|replay STORE ...
//
// --store FILE keeps the run in a SQLite file: run the same command again
// after a crash or a Ctrl-C and it continues where it was (results are then
// appended to --out; the store's items table holds them all exactly once).
//
// Progress goes to stderr (a live line on a terminal, a plain line every few
// seconds otherwise), then a summary. Ctrl-C stops gracefully (requests in
// flight finish); a second Ctrl-C aborts. Exit status: 0 the crawl completed
// without errors, 1 it failed or recorded errors, 130 interrupted.
#include <unistd.h>
#include <uv.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <uvscrape/cli.hpp>
#include <uvscrape/driver.hpp>

#include "bug_court_scraper.hpp"
#include "crawl_report.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string base_url = "http://127.0.0.1:8080";
  std::size_t workers = 8;
  std::string out = "results.jsonl";
  std::string storage = "files";
  std::optional<uvscrape::Json> seed;
  std::optional<uvscrape::Json> add_seed;  // entries added to the stored run
  std::string store;                       // empty: in memory
  bool store_responses = false;
  bool quiet = false;
};

[[noreturn]] void usage(const std::string& message) {
  if (!message.empty()) std::cerr << "bug_court_crawl: " << message << "\n";
  std::cerr
      << "usage: bug_court_crawl [--base-url URL] [--workers N] [--out FILE|-]\n"
         "                       [--storage DIR] [--seed JSON|@FILE] [--store FILE] [--quiet]\n"
         "                       [--add-seed JSON|@FILE]\n"
         "  --store keeps the run in a SQLite file; the same command resumes it.\n"
         "  --add-seed adds entry parameters to the stored run (a completed one\n"
         "    continues with them); entries the run has already seen are skipped.\n"
         "  --store-responses keeps each response in it too (uvscrape responses show).\n"
         "  bug_court_crawl info|requests|responses|results|failures|doctor|replay STORE:\n"
         "  the uvscrape command (bug_court_crawl info --help); replay runs this scraper\n"
         "  over a run's stored responses, no network (bug_court_crawl replay --help).\n"
         "  --seed takes entry parameters as in the reference's initial_seed, e.g.\n"
         "  '[{\"fetch_case\": {\"case_id\": {\"year\": 2025, \"min\": 1, \"gap\": 3}}}]'\n"
         "  Without --seed the parameterless entries run (get_justices, "
         "get_oral_arguments).\n";
  std::exit(message.empty() ? 0 : 2);
}

uvscrape::Json parse_seed(const std::string& text) {
  std::string json = text;
  if (!text.empty() && text[0] == '@') {
    std::ifstream in(text.substr(1));
    if (!in) usage("cannot read seed file " + text.substr(1));
    std::stringstream buffer;
    buffer << in.rdbuf();
    json = buffer.str();
  }
  try {
    return uvscrape::Json::parse(json);
  } catch (const std::exception& e) {
    usage(std::string("--seed is not valid JSON: ") + e.what());
  }
}

Options parse_args(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage("missing value for " + arg);
      return argv[++i];
    };
    if (arg == "--base-url") {
      options.base_url = value();
    } else if (arg == "--workers") {
      std::string text = value();
      char* end = nullptr;
      long n = std::strtol(text.c_str(), &end, 10);
      if (*end != '\0' || n < 1 || n > 4096) usage("--workers takes 1..4096");
      options.workers = static_cast<std::size_t>(n);
    } else if (arg == "--out") {
      options.out = value();
    } else if (arg == "--storage") {
      options.storage = value();
    } else if (arg == "--seed") {
      options.seed = parse_seed(value());
    } else if (arg == "--add-seed") {
      options.add_seed = parse_seed(value());
    } else if (arg == "--store") {
      options.store = value();
    } else if (arg == "--store-responses") {
      options.store_responses = true;
    } else if (arg == "--quiet" || arg == "-q") {
      options.quiet = true;
    } else if (arg == "--help" || arg == "-h") {
      usage("");
    } else {
      usage("unknown option " + arg);
    }
  }
  return options;
}

// Everything the loop callbacks share.
struct CrawlApp {
  uvscrape::Driver* driver = nullptr;
  std::ostream* results = nullptr;
  bug_court::CrawlTally tally;
  Clock::time_point started = Clock::now();
  bool quiet = false;
  bool tty = false;
  bool interrupted = false;
  bool progress_shown = false;
  std::optional<uvscrape::RunResult> result;
  uv_timer_t progress_timer{};
  uv_signal_t sigint{};
  uv_signal_t sigterm{};

  void show_progress() {
    std::string line = bug_court::progress_line(driver->progress(), Clock::now() - started);
    if (tty) {
      std::cerr << "\r\033[K" << line << std::flush;
      progress_shown = true;
    } else {
      std::cerr << line << "\n";
    }
  }
  void clear_progress() {
    if (tty && progress_shown) std::cerr << "\r\033[K" << std::flush;
    progress_shown = false;
  }
  void note(const std::string& message) {
    if (quiet) return;
    clear_progress();
    std::cerr << message << "\n";
  }
};

void on_progress_tick(uv_timer_t* timer) {
  static_cast<CrawlApp*>(timer->data)->show_progress();
}

void on_signal(uv_signal_t* handle, int) {
  auto* app = static_cast<CrawlApp*>(handle->data);
  if (app->interrupted) {
    // Second interrupt: abort now, keeping what was written.
    app->results->flush();
    app->clear_progress();
    std::cerr << "bug_court_crawl: aborted\n";
    std::_Exit(130);
  }
  app->interrupted = true;
  app->note("bug_court_crawl: stopping after the requests in flight (Ctrl-C again to abort)");
  app->driver->stop();
}

void close_handles(CrawlApp& app) {
  for (uv_handle_t* h :
       {reinterpret_cast<uv_handle_t*>(&app.progress_timer),
        reinterpret_cast<uv_handle_t*>(&app.sigint), reinterpret_cast<uv_handle_t*>(&app.sigterm)})
    if (!uv_is_closing(h)) uv_close(h, nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  // `bug_court_crawl info STORE`, `... failures list STORE`, ...: the uvscrape
  // command with the demo scraper (docs/operating-a-crawl.md).
  if (argc > 1 && uvscrape::cli::is_subcommand(argv[1])) {
    // A replay must ask for the stored URLs: the scraper's site is the one
    // the stored run crawled (the demo server's port changes every run).
    std::string base_url = "http://127.0.0.1:8080";
    if (std::string(argv[1]) == "replay") {
      for (int i = 2; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg.rfind("--", 0) == 0) {
          if (arg.find('=') == std::string::npos && arg != "--help") ++i;  // its value
          continue;
        }
        if (auto origin = uvscrape::cli::stored_origin(arg)) base_url = *origin;
        break;
      }
    }
    bug_court::BugCourtScraper scraper(base_url);
    return uvscrape::cli::main(argc, argv, {&scraper});
  }
  Options options = parse_args(argc, argv);

  std::ofstream file;
  if (options.out != "-") {
    // A durable run may be a resumed one: keep the results of its earlier part.
    file.open(options.out, options.store.empty() ? std::ios::trunc : std::ios::app);
    if (!file) {
      std::cerr << "bug_court_crawl: cannot write " << options.out << "\n";
      return 1;
    }
  }

  bug_court::BugCourtScraper scraper(options.base_url);
  uvscrape::DriverOptions driver_options;
  driver_options.num_workers = options.workers;
  driver_options.storage_dir = options.storage;
  driver_options.seed_params = options.seed;
  driver_options.store_path = options.store;
  if (options.add_seed && options.store.empty()) usage("--add-seed needs --store");
  driver_options.add_seed_params = options.add_seed;
  driver_options.store_responses = options.store_responses;

  CrawlApp app;
  app.quiet = options.quiet;
  app.tty = isatty(STDERR_FILENO) != 0;
  app.results = options.out == "-" ? static_cast<std::ostream*>(&std::cout) : &file;

  std::optional<uvscrape::Driver> driver;
  try {
    driver.emplace(scraper, driver_options);
  } catch (const std::exception& e) {
    std::cerr << "bug_court_crawl: " << e.what() << "\n";
    return 1;
  }
  app.driver = &*driver;

  driver->on_data = [&app](const uvscrape::Json& item) {
    std::string type = bug_court::item_type(item);
    ++app.tally.items_by_type[type];
    uvscrape::Json line = {{"_type", type}};
    line.update(item);
    *app.results << line.dump() << "\n";
  };
  driver->on_invalid_data = [&app](const uvscrape::DeferredItem& item) {
    ++app.tally.errors_by_type["DataFormatAssumptionException"];
    try {
      item.confirm_json();
    } catch (const std::exception& e) {
      app.note(std::string("invalid item: ") + e.what());
    }
  };
  // Every request that failed for good (a 404, a reset, a page that is not
  // what the scraper expects, ...) is counted; the crawl goes on.
  driver->on_failure = [&app](const uvscrape::Failure& failure) {
    ++app.tally.errors_by_type[bug_court::error_type_name(failure.error)];
  };
  driver->on_structural_error = [&app](const uvscrape::ScraperAssumptionException& e) {
    app.note(std::string("page skipped: ") + e.what());
    return true;  // abandon that page only
  };
  driver->on_transient_exception = [&app](const uvscrape::TransientException& e) {
    app.note(std::string("request dropped: ") + e.what());
    return true;
  };
  driver->on_persistent_exception = [&app](const uvscrape::PersistentException& e) {
    app.note(std::string("request failed: ") + e.what());
    return true;
  };

  uv_loop_t loop;
  uv_loop_init(&loop);
  uv_timer_init(&loop, &app.progress_timer);
  uv_signal_init(&loop, &app.sigint);
  uv_signal_init(&loop, &app.sigterm);
  app.progress_timer.data = app.sigint.data = app.sigterm.data = &app;
  uv_signal_start(&app.sigint, on_signal, SIGINT);
  uv_signal_start(&app.sigterm, on_signal, SIGTERM);
  if (!options.quiet) {
    uint64_t period = app.tty ? 200 : 2000;
    uv_timer_start(&app.progress_timer, on_progress_tick, period, period);
  }

  app.started = Clock::now();
  driver->start(&loop, [&app](const uvscrape::RunResult& result) {
    app.result = result;
    close_handles(app);
  });
  uv_run(&loop, UV_RUN_DEFAULT);
  close_handles(app);
  uv_run(&loop, UV_RUN_DEFAULT);
  int loop_close = uv_loop_close(&loop);

  app.results->flush();
  app.clear_progress();
  if (!app.result) {
    std::cerr << "bug_court_crawl: the crawl did not report its end\n";
    return 1;
  }
  const uvscrape::RunResult& result = *app.result;
  if (result.error) ++app.tally.errors_by_type[bug_court::error_type_name(result.error)];
  if (!options.quiet) {
    std::cerr << bug_court::summary_text(result, driver->progress(), app.tally,
                                         Clock::now() - app.started);
    if (options.out != "-") std::cerr << "  results: " << options.out << "\n";
    std::cerr << "  archive: " << options.storage << "\n";
    if (!options.store.empty())
      std::cerr << "  store: " << options.store
                << (result.already_finished ? " (the run had already completed: nothing to do)"
                    : result.resumed        ? " (resumed)"
                                            : "")
                << "\n";
  } else if (result.error) {
    std::cerr << bug_court::summary_text(result, driver->progress(), app.tally,
                                         Clock::now() - app.started);
  }
  if (loop_close != 0) std::cerr << "bug_court_crawl: handles left open on the loop\n";

  if (app.interrupted && result.status != uvscrape::RunStatus::error) return 130;
  if (result.status != uvscrape::RunStatus::completed || app.tally.error_count() > 0) return 1;
  return 0;
}
