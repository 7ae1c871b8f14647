// What every `uvscrape` subcommand shares: the run store opened read-only,
// the arguments, and the output in a table (fitted to the terminal), JSON or
// JSON lines. The CLI runs no loop: its SQLite reads block, by design.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "store/store_reader.hpp"
#include "store/stored_names.hpp"
#include "uvscrape/json.hpp"

namespace uvscrape::cli {

// Exit codes: 0 ok, 1 runtime error, 2 usage error.
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;

// A mistake on the command line (exit 2).
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// Anything else that stops a command (exit 1); the message names the file.
struct CliError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

using Value = store::StoreReader::Param;

// A run store opened for the CLI (store::StoreReader, whose errors it turns
// into CliErrors). Read-only unless `writable`; refuses a missing file, a file
// that is not a run store, a corrupt file and a newer schema with a CliError
// naming the file.
class StoreDb {
 public:
  StoreDb(const std::string& path, bool writable = false);

  // Each row as a JSON array (integers, reals, text, null; blobs as null).
  std::vector<Json> query(const std::string& sql, const std::vector<Value>& params = {});
  std::int64_t scalar(const std::string& sql, const std::vector<Value>& params = {});
  void exec(const std::string& sql);
  std::optional<std::string> meta(const std::string& key);
  // store::StoreReader::latest_fetch_times.
  std::vector<std::pair<std::string, std::int64_t>> latest_fetch_times(std::int64_t limit);
  // The store as given (a Redis URL with its password masked).
  const std::string& path() const noexcept { return source_.shown; }

 private:
  // The file the reader opens: the store itself, or a Redis run's snapshot
  // (removed when done, also when the open fails).
  struct Source {
    Source(const std::string& path, bool writable);
    ~Source();
    Source(const Source&) = delete;
    Source& operator=(const Source&) = delete;
    std::string shown;
    std::string file;
    bool temporary = false;
  };
  Source source_;
  store::StoreReader reader_;
};

enum class Format { table, json, jsonl };

// Parsed options: flags with a value (--state done) and positionals.
struct Args {
  std::vector<std::string> positional;
  std::vector<std::pair<std::string, std::string>> options;
  bool help = false;
  std::optional<std::string> get(const std::string& name) const;
  std::vector<std::string> all(const std::string& name) const;
};
// `valued` names the options that take a value; any other --x is a usage error
// unless listed in `flags`.
Args parse_args(const std::vector<std::string>& argv, const std::vector<std::string>& valued,
                const std::vector<std::string>& flags = {});
Format format_of(const Args& args);

// The one shape of a subcommand's arguments: `COMMAND STORE [options]`, or
// `COMMAND VERB STORE [ARG] [options]` when `verbs` is not empty. A verb is
// written with the name of its argument when it takes one ("show ID").
struct CommandSpec {
  const char* help;                    // printed to stdout for --help
  std::vector<std::string> valued;     // options with a value (--format is one if listed)
  std::vector<std::string> flags = {};  // options without
  std::vector<std::string> verbs = {};
  bool table_formats = true;  // --format is table|json|jsonl (CommandLine::format)
};
struct CommandLine {
  Args args;
  Format format = Format::table;
  std::string verb;      // empty without verbs
  std::string store;
  std::string argument;  // the verb's ARG, when it takes one
};
// nullopt: --help was asked for, and `spec.help` written to `out`. A missing
// or unknown verb, a missing STORE or ARG and an extra word are UsageErrors.
std::optional<CommandLine> parse_command(const std::vector<std::string>& argv,
                                         const CommandSpec& spec, std::ostream& out);

// Records (JSON objects with the given columns) printed in `format`: a table
// fitted to the terminal width (colour only on a TTY), a JSON array, or one
// object a line.
void print_records(std::ostream& out, Format format, const std::vector<std::string>& columns,
                   const std::vector<Json>& records);
// One object: "key: value" lines in a table, else JSON.
void print_object(std::ostream& out, Format format, const Json& object);

using store::host_of;
using store::state_name;
using store::state_number;
std::string iso_time(std::int64_t epoch_ms);
std::int64_t to_int(const std::string& text, const std::string& option);

}  // namespace uvscrape::cli
