// uvscrape responses show|body STORE REQUEST: a stored response (runs with
// DriverOptions::store_responses), read through the store's own reader.
#include <iostream>

#include "cli/cli_support.hpp"
#include "cli/commands.hpp"
#include "store/stored_responses.hpp"

namespace uvscrape::cli {

int responses_command(Context& ctx) {
  const auto line = parse_command(
      ctx.args,
      {"usage: uvscrape responses show STORE REQUEST [--format table|json|jsonl]\n"
       "       uvscrape responses body STORE REQUEST\n"
       "  show: status, final URL, step, headers and size; body: the bytes the step\n"
       "  saw, to stdout. Only runs with store_responses keep responses.\n",
       {"--format"},
       {},
       {"show REQUEST", "body REQUEST"}},
      ctx.out);
  if (!line) return kExitOk;
  const Format format = line->format;
  const std::string& verb = line->verb;
  const std::int64_t id = to_int(line->argument, "REQUEST");
  { StoreDb check(line->store); }  // the CLI's one-line errors for a bad file
  store::StoredResponses responses(line->store);
  auto r = responses.get(static_cast<store::RequestId>(id));
  if (!r)
    throw CliError("run store " + line->store + ": no stored response for request " +
                   std::to_string(id));
  if (verb == "body") {
    ctx.out << r->body;
    return kExitOk;
  }
  Json headers = Json::array();
  for (const auto& h : r->headers.items()) headers.push_back(h.first + ": " + h.second);
  Json o = {{"request", id}, {"step", r->step},        {"status", r->status},
            {"url", r->url}, {"size", r->body.size()}, {"headers", headers}};
  if (format == Format::table) {
    std::string text;
    for (const auto& h : headers) text += (text.empty() ? "" : "; ") + h.get<std::string>();
    o["headers"] = text;
  }
  print_object(ctx.out, format, o);
  return kExitOk;
}

}  // namespace uvscrape::cli
