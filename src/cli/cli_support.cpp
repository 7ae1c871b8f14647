// See cli_support.hpp.
#include "cli/cli_support.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <iostream>

#include "cli/display_width.hpp"
#include "store/redis_snapshot.hpp"
#include "store/redis_url.hpp"
#include "uvscrape/errors.hpp"

namespace uvscrape::cli {

namespace {

// The reader's StoreError ("run store PATH: reason") as the CLI's error.
template <class F>
auto as_cli_error(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const StoreError& e) {
    throw CliError(e.what());
  }
}

store::StoreReader::Access access(bool writable) {
  return writable ? store::StoreReader::Access::read_write : store::StoreReader::Access::read_only;
}

}  // namespace

// A redis:// STORE is read from a snapshot: the run copied into a temporary
// store file (store/redis_snapshot.hpp; it blocks, which the CLI may), opened
// read-only and unlinked once open (the open handle keeps it readable, and
// nothing is left behind). A command that changes the store is refused.
StoreDb::Source::Source(const std::string& path, bool writable) : shown(path), file(path) {
  if (!store::is_redis_url(path)) return;
  const store::RedisAddress address = store::parse_redis_url(path);
  shown = address.url;  // the password masked
  if (writable)
    throw CliError("run store " + shown +
                   ": this command changes the store, and a Redis store is only read (from a "
                   "snapshot) here; run it on a SQLite store");
  static int snapshots = 0;
  file = (std::filesystem::temp_directory_path() /
          ("uvscrape-redis-" + std::to_string(::getpid()) + "-" + std::to_string(++snapshots) +
           ".sqlite"))
             .string();
  temporary = true;
  std::filesystem::remove(file);
  try {
    store::snapshot_redis_run(address, file);
  } catch (const StoreError& e) {
    throw CliError("run store " + shown + ": " + e.reason());
  }
}

StoreDb::Source::~Source() {
  std::error_code ignored;
  if (temporary) std::filesystem::remove(file, ignored);
}

StoreDb::StoreDb(const std::string& path, bool writable) try
    : source_(path, writable), reader_(source_.file, access(writable)) {
  if (source_.temporary) std::filesystem::remove(source_.file);
  reader_.require_run_store();
} catch (const StoreError& e) {
  throw CliError(e.what());
}

std::vector<Json> StoreDb::query(const std::string& sql, const std::vector<Value>& params) {
  return as_cli_error([&] { return reader_.query(sql, params); });
}

std::int64_t StoreDb::scalar(const std::string& sql, const std::vector<Value>& params) {
  return as_cli_error([&] { return reader_.scalar(sql, params); });
}

void StoreDb::exec(const std::string& sql) {
  as_cli_error([&] { reader_.exec(sql); });
}

std::optional<std::string> StoreDb::meta(const std::string& key) {
  return as_cli_error([&] { return reader_.meta(key); });
}

std::vector<std::pair<std::string, std::int64_t>> StoreDb::latest_fetch_times(
    std::int64_t limit) {
  return as_cli_error([&] { return reader_.latest_fetch_times(limit); });
}

std::optional<std::string> Args::get(const std::string& name) const {
  std::optional<std::string> v;
  for (const auto& [k, value] : options)
    if (k == name) v = value;
  return v;
}

std::vector<std::string> Args::all(const std::string& name) const {
  std::vector<std::string> v;
  for (const auto& [k, value] : options)
    if (k == name) v.push_back(value);
  return v;
}

Args parse_args(const std::vector<std::string>& argv, const std::vector<std::string>& valued,
                const std::vector<std::string>& flags) {
  Args args;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "--help" || a == "-h") {
      args.help = true;
    } else if (a.size() > 2 && a.rfind("--", 0) == 0) {
      std::string name = a, value;
      const auto eq = a.find('=');
      const bool inline_value = eq != std::string::npos;
      if (inline_value) name = a.substr(0, eq), value = a.substr(eq + 1);
      if (std::find(valued.begin(), valued.end(), name) != valued.end()) {
        if (!inline_value) {
          if (i + 1 >= argv.size()) throw UsageError("missing value for " + name);
          value = argv[++i];
        }
        args.options.emplace_back(name, value);
      } else if (std::find(flags.begin(), flags.end(), name) != flags.end() && !inline_value) {
        args.options.emplace_back(name, "1");
      } else {
        throw UsageError("unknown option " + name);
      }
    } else {
      args.positional.push_back(a);
    }
  }
  return args;
}

Format format_of(const Args& args) {
  const auto f = args.get("--format").value_or("table");
  if (f == "table") return Format::table;
  if (f == "json") return Format::json;
  if (f == "jsonl") return Format::jsonl;
  throw UsageError("--format takes table, json or jsonl (got " + f + ")");
}

std::optional<CommandLine> parse_command(const std::vector<std::string>& argv,
                                         const CommandSpec& spec, std::ostream& out) {
  CommandLine line;
  line.args = parse_args(argv, spec.valued, spec.flags);
  if (line.args.help) {
    out << spec.help;
    return std::nullopt;
  }
  if (spec.table_formats) line.format = format_of(line.args);
  std::vector<std::string> words = line.args.positional;
  std::string argument_name;  // the verb's, if it takes one
  if (!spec.verbs.empty()) {
    std::string names;
    for (std::size_t i = 0; i < spec.verbs.size(); ++i)
      names += (i == 0 ? "" : i + 1 == spec.verbs.size() ? " or " : ", ") +
               spec.verbs[i].substr(0, spec.verbs[i].find(' '));
    if (words.empty()) throw UsageError("takes " + names);
    for (const auto& v : spec.verbs) {
      const auto space = v.find(' ');
      if (v.substr(0, space) != words[0]) continue;
      line.verb = words[0];
      if (space != std::string::npos) argument_name = v.substr(space + 1);
    }
    if (line.verb.empty()) throw UsageError("unknown verb " + words[0] + " (" + names + ")");
    words.erase(words.begin());
  }
  const std::string who = line.verb.empty() ? "" : line.verb + " ";
  const std::size_t wanted = argument_name.empty() ? 1 : 2;
  if (words.size() != wanted)
    throw UsageError(who + (argument_name.empty() ? "takes one STORE" : "takes STORE " + argument_name));
  line.store = words[0];
  if (wanted == 2) line.argument = words[1];
  return line;
}

namespace {

std::string cell_text(const Json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

// 0: no limit (not a terminal and no COLUMNS).
std::size_t terminal_width(std::ostream& out) {
  if (&out == &std::cout && isatty(STDOUT_FILENO)) {
    winsize ws{};
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  }
  if (const char* c = std::getenv("COLUMNS")) {
    const long n = std::strtol(c, nullptr, 10);
    if (n > 0) return static_cast<std::size_t>(n);
  }
  return 0;
}

bool colour(std::ostream& out) {
  return &out == &std::cout && isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
}

}  // namespace

void print_records(std::ostream& out, Format format, const std::vector<std::string>& columns,
                   const std::vector<Json>& records) {
  if (format == Format::json) {
    out << Json(records).dump(2) << "\n";
    return;
  }
  if (format == Format::jsonl) {
    for (const auto& r : records) out << r.dump() << "\n";
    return;
  }
  std::vector<std::vector<std::string>> cells;
  std::vector<std::size_t> widths;
  for (const auto& c : columns) widths.push_back(display_width(c));
  for (const auto& r : records) {
    std::vector<std::string> row;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      std::string t = r.contains(columns[i]) ? cell_text(r[columns[i]]) : "";
      std::replace(t.begin(), t.end(), '\n', ' ');
      widths[i] = std::max(widths[i], display_width(t));
      row.push_back(std::move(t));
    }
    cells.push_back(std::move(row));
  }
  // Shrink the widest column until the table fits (two spaces between columns).
  if (const std::size_t limit = terminal_width(out); limit > 0 && !widths.empty()) {
    auto total = [&] {
      std::size_t t = 2 * (widths.size() - 1);
      for (auto w : widths) t += w;
      return t;
    };
    while (total() > limit) {
      auto widest = std::max_element(widths.begin(), widths.end());
      if (*widest <= 4) break;
      --*widest;
    }
  }
  const bool bold = colour(out);
  auto line = [&](const std::vector<std::string>& row, bool header) {
    std::string text;
    for (std::size_t i = 0; i < row.size(); ++i) {
      std::string c = fit_to_width(row[i], widths[i]);
      if (i + 1 == row.size()) c.erase(c.find_last_not_of(' ') + 1);
      text += (i ? "  " : "") + c;
    }
    if (header && bold) text = "\033[1m" + text + "\033[0m";
    out << text << "\n";
  };
  line(columns, true);
  for (const auto& row : cells) line(row, false);
}

void print_object(std::ostream& out, Format format, const Json& object) {
  if (format == Format::json) {
    out << object.dump(2) << "\n";
    return;
  }
  if (format == Format::jsonl) {
    out << object.dump() << "\n";
    return;
  }
  std::size_t key_width = 0;
  for (const auto& [k, v] : object.items()) key_width = std::max(key_width, k.size());
  for (const auto& [k, v] : object.items()) {
    std::string text;
    if (v.is_object() && !v.empty()) {
      bool first = true;
      for (const auto& [k2, v2] : v.items()) {
        text += (first ? "" : ", ") + k2 + " " + cell_text(v2);
        first = false;
      }
    } else if (v.is_object() || (v.is_array() && v.empty())) {
      text = "-";
    } else {
      text = cell_text(v);
    }
    out << k << ":" << std::string(key_width - k.size() + 1, ' ') << text << "\n";
  }
}

std::string iso_time(std::int64_t epoch_ms) {
  const std::time_t t = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::int64_t to_int(const std::string& text, const std::string& option) {
  char* end = nullptr;
  const long long n = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || n < 0) throw UsageError(option + " takes a number");
  return n;
}

}  // namespace uvscrape::cli
