// uvscrape replay STORE: a (possibly changed) scraper over the stored
// responses of a run, with no network, and the difference of its results
// from the stored run's (cli/result_diff.hpp).
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "cli/cli_support.hpp"
#include "cli/commands.hpp"
#include "cli/result_diff.hpp"
#include "uvscrape/cli.hpp"
#include "uvscrape/driver.hpp"
#include "uvscrape/request_json.hpp"
#include "uvscrape/url.hpp"

namespace uvscrape::cli {
namespace {

constexpr const char* kHelp =
    "usage: uvscrape replay STORE [--scraper NAME] [--miss fail|skip|pending]\n"
    "                             [--output NEW_STORE] [--workers N] [--format table|json|jsonl]\n"
    "  Runs the scraper over the responses STORE kept (a run with store_responses)\n"
    "  instead of the network -- no connection is made -- and prints how its\n"
    "  results differ from the stored run's: items added, removed and changed\n"
    "  (with the changed fields), by step and model. An item is identified by the\n"
    "  request that yielded it (method, URL, body) and its index among that\n"
    "  request's items.\n"
    "  --scraper   which of the program's scrapers (default: the one named in the\n"
    "              store, or the only one)\n"
    "  --miss      a request the stored run has no response for: fail (a failure,\n"
    "              the default), skip (dropped), pending (left pending in the new\n"
    "              store, for a live run)\n"
    "  --output    keep the replay's run in this new store file (default: a\n"
    "              temporary file, removed afterwards)\n"
    "  --workers   requests answered at once (default 8)\n"
    "  Needs a scraper: run it from a program that passes its scrapers to\n"
    "  uvscrape::cli::main (the installed uvscrape binary has none).\n"
    "  Exit status: 0 no differences, 1 differences, 2 error.\n";

// A temporary directory for the replay's store, removed on every way out.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "uvscrape-replay.XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw CliError("cannot make a temporary directory");
    path = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

Json group_record(const ResultDiff::Group& g) {
  return {{"step", g.step},       {"model", g.model},     {"added", g.added},
          {"removed", g.removed}, {"changed", g.changed}, {"unchanged", g.unchanged}};
}

// "-title +rank" style: a field gone, one new, one whose value changed.
std::string fields_text(const Json& fields) {
  std::string text;
  for (const auto& f : fields) {
    const char* mark = f["new"].is_null() ? "-" : f["old"].is_null() ? "+" : "~";
    text += (text.empty() ? "" : " ") + std::string(mark) + f["field"].get<std::string>();
  }
  return text;
}

int replay(Context& ctx, const CommandLine& line) {
  const Args& args = line.args;
  const Format format = line.format;
  const std::string& path = line.store;
  DriverOptions options;
  const std::string miss = args.get("--miss").value_or("fail");
  if (miss == "fail")
    options.replay_miss = ReplayMiss::fail;
  else if (miss == "skip")
    options.replay_miss = ReplayMiss::skip;
  else if (miss == "pending")
    options.replay_miss = ReplayMiss::pending;
  else
    throw UsageError("--miss takes fail, skip or pending (got " + miss + ")");
  options.num_workers =
      static_cast<std::size_t>(to_int(args.get("--workers").value_or("8"), "--workers"));
  if (options.num_workers == 0) throw UsageError("--workers takes 1 or more");

  StoreDb db(path);
  if (db.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'responses'") == 0 ||
      db.scalar("SELECT count(*) FROM responses") == 0)
    throw CliError("run store " + path +
                   ": keeps no responses (replay needs a run made with store_responses)");
  ScraperBase& scraper = choose_scraper(ctx, "replay", args, db.meta("scraper").value_or(""));
  const auto seed = db.meta("seed_params");
  if (seed && *seed != "null") options.seed_params = Json::parse(*seed);
  // Entries the stored run was given later (add_seed_params), seeded as it was.
  if (auto added = db.meta("added_seed_params")) options.add_seed_params = Json::parse(*added);

  TempDir temp;
  std::string output = (temp.path / "replay.db").string();
  if (auto o = args.get("--output")) {
    if (std::filesystem::exists(*o))
      throw UsageError("--output " + *o + " exists (replay writes a new store)");
    output = *o;
  }
  options.replay_from = path;
  options.store_path = output;
  options.storage_dir = (temp.path / "files").string();  // a replay downloads nothing

  Driver driver(scraper, options);
  const RunResult result = driver.run();  // throws the run's error (exit 2)

  StoreDb after(output);
  const ResultDiff diff = diff_results(stored_items(db), stored_items(after));
  Json run = {{"store", path},
              {"scraper", scraper.name()},
              {"requests", result.requests_completed},
              {"items", result.items_emitted},
              {"failures", result.requests_failed},
              {"no_stored_response", result.failure_counts[FailureKind::no_stored_response]},
              {"skipped", result.replay_skipped},
              {"left_pending", result.replay_left_pending},
              {"differences", diff.differences.size()}};
  if (args.get("--output")) run["output"] = output;
  if (format == Format::jsonl) {
    for (const auto& d : diff.differences) ctx.out << d.dump() << "\n";
  } else if (format == Format::json) {
    Json groups = Json::array();
    for (const auto& g : diff.groups) groups.push_back(group_record(g));
    ctx.out
        << Json({{"replay", run}, {"by_step", groups}, {"differences", diff.differences}}).dump(2)
        << "\n";
  } else {
    ctx.out << "replayed " << result.requests_completed << " requests of " << path << " with "
            << scraper.name() << ": " << result.items_emitted << " items, "
            << result.requests_failed << " failures ("
            << result.failure_counts[FailureKind::no_stored_response]
            << " with no stored response), " << result.replay_skipped << " skipped, "
            << result.replay_left_pending << " left pending\n\n";
    std::vector<Json> groups;
    bool models = false;
    for (const auto& g : diff.groups) models = models || !g.model.empty();
    for (const auto& g : diff.groups) groups.push_back(group_record(g));
    std::vector<std::string> columns = {"step", "added", "removed", "changed", "unchanged"};
    if (models) columns.insert(columns.begin() + 1, "model");
    print_records(ctx.out, format, columns, groups);
    if (diff.differences.empty()) {
      ctx.out << "\nno differences\n";
    } else {
      ctx.out << "\n"
              << diff.differences.size()
              << (diff.differences.size() == 1 ? " difference\n" : " differences\n");
      std::vector<Json> rows;
      for (const auto& d : diff.differences) {
        Json row = d;
        row["fields"] = d.contains("fields") ? fields_text(d["fields"]) : d["item"].dump();
        rows.push_back(std::move(row));
      }
      // Changed: the fields (-gone +new ~changed); added, removed: the item.
      print_records(ctx.out, format, {"change", "step", "request", "index", "fields"}, rows);
    }
  }
  return diff.differences.empty() ? kExitOk : kExitError;
}

}  // namespace

int replay_command(Context& ctx) {
  const auto line = parse_command(
      ctx.args, {kHelp, {"--format", "--scraper", "--miss", "--output", "--workers"}}, ctx.out);
  if (!line) return kExitOk;
  // Exit 1 means "differences", so every error is 2 here.
  try {
    return replay(ctx, *line);
  } catch (const UsageError&) {
    throw;
  } catch (const std::exception& e) {
    ctx.err << "uvscrape replay: " << e.what() << "\n";
    return kExitUsage;
  }
}

std::optional<std::string> stored_origin(const std::string& store) {
  try {
    StoreDb db(store);
    const auto rows = db.query("SELECT body FROM requests WHERE parent = 0 ORDER BY id LIMIT 1");
    if (rows.empty()) return std::nullopt;
    const Url url = Url::parse(request_from_json(Json::parse(rows[0][0].get<std::string>())).url());
    return std::string(url.scheme()) + "://" + url.host_header();
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace uvscrape::cli
