// uvscrape results export|validate STORE: the items of the run, from the
// store (each committed item exactly once, in commit order).
#include <fstream>
#include <iostream>

#include "cli/cli_support.hpp"
#include "cli/commands.hpp"

namespace uvscrape::cli {
namespace {

constexpr const char* kHelp =
    "usage: uvscrape results export STORE [--format jsonl|csv] [--model NAME] [--out FILE]\n"
    "       uvscrape results validate STORE [--format table|json|jsonl]\n"
    "  export: every item of the run exactly once, in the order they were committed\n"
    "  (default jsonl to stdout; csv has one column per top-level field, nested\n"
    "  values as JSON). validate: checks that each stored item is a JSON object and\n"
    "  reports the items the run recorded as invalid for their model; exits 1 when\n"
    "  there is any.\n";

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

int results_command(Context& ctx) {
  // export's --format is jsonl|csv, validate's table|json|jsonl.
  const auto line = parse_command(
      ctx.args, {kHelp, {"--format", "--model", "--out"}, {}, {"export", "validate"}, false},
      ctx.out);
  if (!line) return kExitOk;
  const Args& args = line->args;
  const std::string& verb = line->verb;
  if (verb == "export") {
    const std::string format = args.get("--format").value_or("jsonl");
    if (format != "jsonl" && format != "csv") throw UsageError("--format takes jsonl or csv");
    StoreDb db(line->store);
    std::string sql = "SELECT body FROM items";
    std::vector<Value> params;
    if (auto m = args.get("--model")) sql += " WHERE model = ?1", params.emplace_back(*m);
    sql += " ORDER BY id";
    std::ofstream file;
    std::ostream* out = &ctx.out;
    if (auto path = args.get("--out")) {
      file.open(*path, std::ios::trunc);
      if (!file) throw CliError("cannot write " + *path);
      out = &file;
    }
    const auto rows = db.query(sql, params);
    if (format == "jsonl") {
      for (const auto& r : rows) *out << r[0].get<std::string>() << "\n";
    } else {
      std::vector<Json> items;
      std::vector<std::string> columns;
      for (const auto& r : rows) {
        Json item = Json::parse(r[0].get<std::string>());
        if (item.is_object())
          for (const auto& [k, v] : item.items())
            if (std::find(columns.begin(), columns.end(), k) == columns.end()) columns.push_back(k);
        items.push_back(std::move(item));
      }
      for (std::size_t i = 0; i < columns.size(); ++i)
        *out << (i ? "," : "") << csv_field(columns[i]);
      *out << "\n";
      for (const auto& item : items) {
        for (std::size_t i = 0; i < columns.size(); ++i) {
          std::string text;
          if (item.is_object() && item.contains(columns[i])) {
            const Json& v = item[columns[i]];
            text = v.is_string() ? v.get<std::string>() : v.is_null() ? "" : v.dump();
          }
          *out << (i ? "," : "") << csv_field(text);
        }
        *out << "\n";
      }
    }
    out->flush();
    if (!*out) throw CliError("writing the export failed");
    return kExitOk;
  }
  {  // validate
    const Format format = format_of(args);
    StoreDb db(line->store);
    std::vector<Json> bad;
    std::int64_t total = 0;
    for (const auto& r :
         db.query("SELECT id, request, model, valid, body FROM items ORDER BY id")) {
      ++total;
      std::string problem;
      try {
        if (!Json::parse(r[4].get<std::string>()).is_object()) problem = "not a JSON object";
      } catch (const std::exception&) {
        problem = "not JSON";
      }
      if (problem.empty() && r[3] == 0) problem = "recorded invalid for its model";
      if (problem.empty()) continue;
      bad.push_back({{"item", r[0]}, {"request", r[1]}, {"model", r[2]}, {"problem", problem}});
    }
    if (format == Format::table) ctx.out << total << " items, " << bad.size() << " invalid\n";
    if (!bad.empty() || format != Format::table)
      print_records(ctx.out, format, {"item", "request", "model", "problem"}, bad);
    return bad.empty() ? kExitOk : kExitError;
  }
}

}  // namespace uvscrape::cli
