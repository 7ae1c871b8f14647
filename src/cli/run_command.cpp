// uvscrape run | resume: a crawl with one of the program's scrapers, its
// progress on stderr (ProgressReporter), its items on --out, a summary at the
// end; Ctrl-C or SIGTERM stops it after the requests in flight, a second one
// aborts.
#include <uv.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>

#include "cli/cli_support.hpp"
#include "cli/commands.hpp"
#include "store/redis_run_meta.hpp"
#include "store/redis_url.hpp"
#include "uvscrape/driver.hpp"
#include "uvscrape/errors.hpp"
#include "uvscrape/progress_reporter.hpp"

namespace uvscrape::cli {
namespace {

// A crawl ended by Ctrl-C or SIGTERM (128 + SIGINT, as a shell reports it).
constexpr int kExitInterrupted = 130;

constexpr const char* kRunUsage =
    "usage: uvscrape run [--scraper NAME] [--store FILE] [--seed JSON|@FILE] [--add-seed JSON|@FILE]\n"
    "                    [--workers N] [--out FILE|-] [--storage DIR] [--store-responses]\n"
    "                    [--dashboard PORT] [--quiet]\n";
constexpr const char* kResumeUsage =
    "usage: uvscrape resume STORE [--scraper NAME] [--add-seed JSON|@FILE] [--workers N]\n"
    "                             [--out FILE|-] [--storage DIR] [--store-responses]\n"
    "                             [--dashboard PORT] [--quiet]\n";
constexpr const char* kOptionsHelp =
    "  --scraper NAME     which of the program's scrapers (default: the only one;\n"
    "                     resume: the one the store names)\n"
    "  --store FILE       keep the run in this SQLite file: the same command (or\n"
    "                     resume FILE) continues it after a crash or a stop; without\n"
    "                     it the run is in memory\n"
    "  --seed JSON|@FILE  entry parameters (resume: the store's own)\n"
    "  --add-seed JSON|@FILE  entry parameters added to the stored run\n"
    "  --workers N        requests at once (default 8)\n"
    "  --out FILE|-       one JSON object per item (default results.jsonl; appended to\n"
    "                     when the run has a store, so a resumed run keeps the first\n"
    "                     part's items)\n"
    "  --storage DIR      archived files (default files)\n"
    "  --store-responses  keep every response in the store (uvscrape replay)\n"
    "  --dashboard PORT   serve the live dashboard on 127.0.0.1:PORT during the run\n"
    "  --quiet            no progress and no summary (except on an error)\n"
    "  Progress goes to stderr: a status line on a terminal, a plain line every 10 s\n"
    "  otherwise; then the summary. Ctrl-C (or SIGTERM) stops after the requests in\n"
    "  flight, and the store resumes from there; a second one aborts at once.\n"
    "  Exit status: 0 completed with no failure, 1 failures (requests failed for good,\n"
    "  invalid items) or an error, 2 usage error, 130 interrupted.\n";

const std::vector<std::string> kValued = {"--scraper", "--store",   "--seed",   "--add-seed",
                                          "--workers", "--out",     "--storage", "--dashboard"};
const std::vector<std::string> kFlags = {"--store-responses", "--quiet"};

Json seed_of(const std::string& option, const std::string& text) {
  std::string json = text;
  if (!text.empty() && text[0] == '@') {
    std::ifstream in(text.substr(1));
    if (!in) throw UsageError(option + ": cannot read " + text.substr(1));
    std::stringstream buffer;
    buffer << in.rdbuf();
    json = buffer.str();
  }
  try {
    return Json::parse(json);
  } catch (const std::exception& e) {
    throw UsageError(option + " is not valid JSON: " + e.what());
  }
}

std::string exception_text(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown error";
  }
}

// The loop callbacks' shared state.
struct Crawl {
  Driver* driver = nullptr;
  ProgressReporter* progress = nullptr;
  std::ostream* results = nullptr;
  bool quiet = false;
  bool interrupted = false;
  uv_signal_t sigint{};
  uv_signal_t sigterm{};

  void note(const std::string& message) const {
    if (!quiet) progress->note(message);
  }
  void close_signals() {
    for (uv_signal_t* s : {&sigint, &sigterm}) {
      auto* h = reinterpret_cast<uv_handle_t*>(s);
      if (!uv_is_closing(h)) uv_close(h, nullptr);
    }
  }
};

void on_signal(uv_signal_t* handle, int) {
  auto* crawl = static_cast<Crawl*>(handle->data);
  if (crawl->interrupted) {
    // The second one: now, keeping what was written.
    crawl->results->flush();
    crawl->progress->stop();
    std::cerr << "uvscrape run: aborted\n";
    std::_Exit(kExitInterrupted);
  }
  crawl->interrupted = true;
  crawl->progress->note("uvscrape run: stopping after the requests in flight (Ctrl-C again to abort)");
  crawl->driver->stop();
}

// What run and resume read of an existing store before crawling. A Redis
// run's are read straight from its meta (store/redis_run_meta.hpp), not from
// a snapshot of the whole run as the store-only commands read it.
struct StoredRun {
  std::string shown;  // the store as given (a Redis URL with its password masked)
  std::string scraper, status;
  std::optional<std::string> seed_params;
  std::int64_t items = 0;
};

// Throws CliError naming the store: missing, foreign, unreachable, no run.
StoredRun stored_run(const std::string& path) {
  StoredRun run;
  run.shown = path;
  if (store::is_redis_url(path)) {
    try {
      const store::RedisAddress address = store::parse_redis_url(path);
      run.shown = address.url;
      auto read = store::read_redis_run_meta(address);  // blocks; the CLI runs no loop yet
      run.scraper = read.meta["scraper"];
      run.status = read.meta["status"];
      if (read.meta.count("seed_params")) run.seed_params = read.meta["seed_params"];
      run.items = read.items;
    } catch (const StoreError& e) {
      throw CliError("run store " + run.shown + ": " + e.reason());
    }
    return run;
  }
  StoreDb db(path);
  run.scraper = db.meta("scraper").value_or("");
  run.status = db.meta("status").value_or("");
  run.seed_params = db.meta("seed_params");
  run.items = db.scalar("SELECT count(*) FROM items");
  return run;
}

int crawl(Context& ctx, const Args& args, ScraperBase& scraper, DriverOptions options) {
  const bool quiet = args.get("--quiet").has_value();
  const std::string out = args.get("--out").value_or("results.jsonl");
  std::ofstream file;
  if (out != "-") {
    // A durable run may be a resumed one: keep the results of its earlier part.
    file.open(out, options.store_path.empty() ? std::ios::trunc : std::ios::app);
    if (!file) throw CliError("cannot write " + out);
  }
  Driver driver(scraper, options);  // a store of another scraper or seed throws (exit 1)
  ProgressReporter progress(driver);
  Crawl state;
  state.driver = &driver;
  state.progress = &progress;
  state.results = out == "-" ? &ctx.out : &file;
  state.quiet = quiet;

  driver.on_data = [&](const Json& item) {
    const Json line = ctx.hooks.result_line ? ctx.hooks.result_line(item) : item;
    *state.results << line.dump() << "\n";
  };
  driver.on_invalid_data = [&](const DeferredItem& item) {
    try {
      item.confirm_json();
    } catch (const std::exception& e) {
      state.note(std::string("invalid item: ") + e.what());
    }
  };
  // Every failure is recorded and counted; the crawl goes on.
  driver.on_structural_error = [&](const ScraperAssumptionException& e) {
    state.note(std::string("page skipped: ") + e.what());
    return true;
  };
  driver.on_transient_exception = [&](const TransientException& e) {
    state.note(std::string("request dropped: ") + e.what());
    return true;
  };
  driver.on_persistent_exception = [&](const PersistentException& e) {
    state.note(std::string("request failed: ") + e.what());
    return true;
  };

  uv_loop_t loop;
  uv_loop_init(&loop);
  uv_signal_init(&loop, &state.sigint);
  uv_signal_init(&loop, &state.sigterm);
  state.sigint.data = state.sigterm.data = &state;
  uv_signal_start(&state.sigint, on_signal, SIGINT);
  uv_signal_start(&state.sigterm, on_signal, SIGTERM);
  if (!quiet) progress.start(&loop);

  std::optional<RunResult> result;
  std::optional<std::string> start_error;
  try {
    driver.start(&loop, [&](const RunResult& r) {
      result = r;
      progress.stop();
      state.close_signals();
    });
    if (options.dashboard_port)
      state.note("dashboard: http://127.0.0.1:" + std::to_string(options.dashboard_port) + "/");
  } catch (const std::exception& e) {  // a dashboard port in use, ...
    start_error = e.what();
    progress.stop();
    state.close_signals();
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  const int loop_close = uv_loop_close(&loop);
  state.results->flush();
  if (start_error) throw CliError(*start_error);
  if (!result) throw CliError("the run did not report its end");

  const bool failed = result->status == RunStatus::error;
  if (!quiet || failed) {
    std::string text = progress.summary(*result);
    if (ctx.hooks.summary) text += ctx.hooks.summary();
    if (out != "-") text += "  results: " + out + "\n";
    text += "  archive: " + options.storage_dir + "\n";
    if (!options.store_path.empty())
      text += "  store: " + options.store_path +
              (result->already_finished ? " (the run had already completed: nothing to do)"
               : result->resumed        ? " (resumed)"
                                        : "") +
              "\n";
    if (failed) text += "  run error: " + exception_text(result->error) + "\n";
    ctx.err << text;
  }
  if (loop_close != 0) ctx.err << "uvscrape run: handles left open on the loop\n";

  if (state.interrupted && !failed) return kExitInterrupted;
  if (result->status != RunStatus::completed) return kExitError;
  if (result->requests_failed > 0 || driver.progress().invalid_items > 0) return kExitError;
  return kExitOk;
}

DriverOptions common_options(const Args& args) {
  DriverOptions options;
  options.num_workers =
      static_cast<std::size_t>(to_int(args.get("--workers").value_or("8"), "--workers"));
  if (options.num_workers < 1 || options.num_workers > 4096)
    throw UsageError("--workers takes 1..4096");
  options.storage_dir = args.get("--storage").value_or("files");
  if (auto a = args.get("--add-seed")) options.add_seed_params = seed_of("--add-seed", *a);
  options.store_responses = args.get("--store-responses").has_value();
  if (auto d = args.get("--dashboard")) {
    const std::int64_t port = to_int(*d, "--dashboard");
    if (port < 1 || port > 65535) throw UsageError("--dashboard takes a port, 1..65535");
    options.dashboard_port = static_cast<std::uint16_t>(port);
  }
  return options;
}

}  // namespace

int run_command(Context& ctx) {
  Args args = parse_args(ctx.args, kValued, kFlags);
  if (args.help) {
    ctx.out << kRunUsage << "  Crawls with one of this program's scrapers.\n"
            << kOptionsHelp << ctx.hooks.options_help;
    return kExitOk;
  }
  if (!args.positional.empty()) throw UsageError("takes no " + args.positional[0]);
  DriverOptions options = common_options(args);
  options.store_path = args.get("--store").value_or("");
  if (options.add_seed_params && options.store_path.empty())
    throw UsageError("--add-seed needs --store");
  if (auto s = args.get("--seed")) options.seed_params = seed_of("--seed", *s);
  std::string stored;
  if (!options.store_path.empty()) {
    try {  // a store that exists already names its scraper
      stored = stored_run(options.store_path).scraper;
    } catch (const CliError&) {
      // Not there yet (the run creates it), or not readable: the driver says why.
    }
  }
  ScraperBase& scraper = choose_scraper(ctx, "run", args, stored);
  return crawl(ctx, args, scraper, std::move(options));
}

int resume_command(Context& ctx) {
  std::vector<std::string> valued = kValued;
  std::erase(valued, "--store");
  std::erase(valued, "--seed");
  const std::string help = std::string(kResumeUsage) +
                           "  Continues the run STORE holds with the scraper it names and its own\n"
                           "  entry parameters; a completed run says so and exits 0.\n" +
                           kOptionsHelp + ctx.hooks.options_help;
  const auto line = parse_command(ctx.args, {help.c_str(), valued, kFlags}, ctx.out);
  if (!line) return kExitOk;
  const Args& args = line->args;
  DriverOptions options = common_options(args);
  options.store_path = line->store;
  const StoredRun stored = stored_run(options.store_path);  // missing or foreign: exit 1
  if (stored.status == "completed" && !options.add_seed_params) {
    ctx.out << "run store " << stored.shown << ": the run has already completed (" << stored.items
            << " items); nothing to resume\n";
    return kExitOk;
  }
  if (stored.seed_params && *stored.seed_params != "null")
    options.seed_params = Json::parse(*stored.seed_params);
  ScraperBase& scraper = choose_scraper(ctx, "resume", args, stored.scraper);
  return crawl(ctx, args, scraper, std::move(options));
}

}  // namespace uvscrape::cli
