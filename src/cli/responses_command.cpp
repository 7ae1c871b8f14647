// uvscrape responses show|body STORE REQUEST: a stored response (runs with
// DriverOptions::store_responses), read through the store's own reader.
#include <iostream>

#include "cli/cli_support.hpp"
#include "cli/commands.hpp"
#include "store/stored_responses.hpp"

namespace uvscrape::cli {

int responses_command(Context& ctx) {
  Args args = parse_args(ctx.args, {"--format"});
  if (args.help || args.positional.empty()) {
    if (!args.help) throw UsageError("takes show or body");
    ctx.out << "usage: uvscrape responses show STORE REQUEST [--format table|json|jsonl]\n"
               "       uvscrape responses body STORE REQUEST\n"
               "  show: status, final URL, step, headers and size; body: the bytes the step\n"
               "  saw, to stdout. Only runs with store_responses keep responses.\n";
    return kExitOk;
  }
  const Format format = format_of(args);
  const std::string verb = args.positional[0];
  if (verb != "show" && verb != "body")
    throw UsageError("unknown verb " + verb + " (show or body)");
  if (args.positional.size() != 3) throw UsageError(verb + " takes STORE REQUEST");
  const std::int64_t id = to_int(args.positional[2], "REQUEST");
  { StoreDb check(args.positional[1]); }  // the CLI's one-line errors for a bad file
  store::StoredResponses responses(args.positional[1]);
  auto r = responses.get(static_cast<store::RequestId>(id));
  if (!r)
    throw CliError("run store " + args.positional[1] + ": no stored response for request " +
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
