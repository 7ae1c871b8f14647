// uvscrape requests list|show|tree STORE.
#include <iostream>

#include "cli/cli_support.hpp"
#include "cli/commands.hpp"

namespace uvscrape::cli {
namespace {

constexpr const char* kHelp =
    "usage: uvscrape requests list STORE [--state S] [--step NAME] [--host HOST]\n"
    "                                    [--error KIND] [--limit N] [--format F]\n"
    "       uvscrape requests show STORE ID [--format F]\n"
    "       uvscrape requests tree STORE ID [--format F]\n"
    "  list: the requests (state pending|in_flight|done|failed; --error: those with\n"
    "  a failure of that kind). show: one request in full. tree: its parents up to\n"
    "  the entry that seeded it. --format table (default), json or jsonl.\n";

Json record(const Json& row) {
  // id, state, priority, attempts, parent, body
  const Json body = Json::parse(row[5].get<std::string>());
  Json r = Json::object();
  r["id"] = row[0];
  r["state"] = state_name(row[1].get<std::int64_t>());
  r["step"] = body.value("continuation", "");
  r["attempts"] = row[3];
  r["parent"] = row[4];
  r["method"] = body.value("method", "");
  r["url"] = body.value("url", "");
  return r;
}

constexpr const char* kSelect = "SELECT id, state, priority, attempts, parent, body FROM requests";

}  // namespace

int requests_command(Context& ctx) {
  const auto line =
      parse_command(ctx.args,
                    {kHelp,
                     {"--format", "--state", "--step", "--host", "--error", "--limit"},
                     {},
                     {"list", "show ID", "tree ID"}},
                    ctx.out);
  if (!line) return kExitOk;
  const Args& args = line->args;
  const Format format = line->format;
  const std::string& verb = line->verb;
  const std::vector<std::string> columns = {"id", "state", "step", "attempts", "parent", "url"};
  if (verb == "list") {
    std::string sql = std::string(kSelect) + " WHERE 1";
    std::vector<Value> params;
    if (auto s = args.get("--state")) {
      auto n = state_number(*s);
      if (!n) throw UsageError("--state takes pending, in_flight, done or failed");
      sql += " AND state = ?" + std::to_string(params.size() + 1);
      params.emplace_back(std::int64_t{*n});
    }
    if (auto e = args.get("--error")) {
      sql += " AND id IN (SELECT request FROM failures WHERE kind = ?" +
             std::to_string(params.size() + 1) + ")";
      params.emplace_back(*e);
    }
    sql += " ORDER BY id";
    const auto step = args.get("--step");
    const auto host = args.get("--host");
    const std::int64_t limit = args.get("--limit") ? to_int(*args.get("--limit"), "--limit") : 0;
    StoreDb db(line->store);
    std::vector<Json> records;
    for (const auto& row : db.query(sql, params)) {
      Json r = record(row);
      if (step && r["step"] != *step) continue;
      if (host && host_of(r["url"].get<std::string>()) != *host) continue;
      records.push_back(std::move(r));
      if (limit > 0 && static_cast<std::int64_t>(records.size()) == limit) break;
    }
    print_records(ctx.out, format, columns, records);
    return kExitOk;
  }
  {  // show, tree
    std::int64_t id = to_int(line->argument, "ID");
    StoreDb db(line->store);
    if (verb == "show") {
      auto rows = db.query(std::string(kSelect) + " WHERE id = ?1", {id});
      if (rows.empty())
        throw CliError("run store " + db.path() + ": no request " + std::to_string(id));
      Json r = record(rows[0]);
      r["priority"] = rows[0][2];
      r["items"] = db.scalar("SELECT count(*) FROM items WHERE request = ?1", {id});
      r["children"] = db.scalar("SELECT count(*) FROM requests WHERE parent = ?1", {id});
      auto f = db.query("SELECT kind, message FROM failures WHERE request = ?1", {id});
      r["failure"] = f.empty()
                         ? Json("")
                         : Json(f[0][0].get<std::string>() + ": " + f[0][1].get<std::string>());
      auto resp = db.query("SELECT status, size FROM responses WHERE request = ?1", {id});
      r["response"] =
          resp.empty() ? Json("not stored")
                       : Json("status " + resp[0][0].dump() + ", " + resp[0][1].dump() + " bytes");
      r["request"] = Json::parse(rows[0][5].get<std::string>());
      if (format == Format::table) r["request"] = r["request"].dump();
      print_object(ctx.out, format, r);
      return kExitOk;
    }
    std::vector<Json> chain;
    for (std::int64_t at = id; at != 0;) {
      auto rows = db.query(std::string(kSelect) + " WHERE id = ?1", {at});
      if (rows.empty()) {
        if (chain.empty())
          throw CliError("run store " + db.path() + ": no request " + std::to_string(id));
        break;
      }
      chain.push_back(record(rows[0]));
      at = rows[0][4].is_number_integer() ? rows[0][4].get<std::int64_t>() : 0;
      if (chain.size() > 100000) break;  // a cycle would be a corrupt store
    }
    std::vector<Json> entry_first(chain.rbegin(), chain.rend());
    print_records(ctx.out, format, columns, entry_first);
    return kExitOk;
  }
}

}  // namespace uvscrape::cli
