// uvscrape serve STORE: the live dashboard over a store file, until Ctrl-C.
#include <uv.h>

#include <fstream>
#include <iostream>
#include <memory>

#include "cli/cli_support.hpp"
#include "cli/commands.hpp"
#include "dashboard/dashboard.hpp"
#include "dashboard/redis_run_snapshot.hpp"
#include "store/redis_url.hpp"
#include "uvscrape/errors.hpp"

namespace uvscrape::cli {
namespace {

constexpr const char* kHelp =
    "usage: uvscrape serve STORE [--port N] [--bind ADDR] [--allow-control] [--port-file FILE]\n"
    "  Serves the live dashboard of the run in STORE (a file, or a redis:// URL):\n"
    "  one page (counts, throughput over time, failures by kind with examples,\n"
    "  hosts, the slowest hosts, recent items) that polls a JSON snapshot\n"
    "  (GET /api/snapshot). The store is only read, so a crawl may be writing\n"
    "  it. Ctrl-C stops the server.\n"
    "  --port N          the port (default 8340; 0: any free port)\n"
    "  --bind ADDR       the address to listen on (default 127.0.0.1)\n"
    "  --allow-control   a retry button per failure kind (as `failures retry\n"
    "                    --kind`), accepted only from loopback; otherwise read-only\n"
    "                    (a SQLite store only)\n"
    "  --port-file FILE  writes the URL served to FILE once listening\n";

constexpr std::uint16_t kDefaultPort = 8340;

// The retry action: the body names what to retry as `failures retry` does.
Json retry_action(const std::string& path, const Json& body) {
  Args args;
  if (body.value("all", false)) args.options.emplace_back("--all", "1");
  for (const char* key : {"kind", "step", "host"})
    if (body.contains(key) && body[key].is_string())
      args.options.emplace_back(std::string("--") + key, body[key].get<std::string>());
  if (body.contains("id") && body["id"].is_number_integer())
    args.options.emplace_back("--id", body["id"].dump());
  if (args.options.empty()) throw CliError("retry needs all, id, kind, step or host");
  const RetryOutcome r = retry_failures(path, args, false);
  return {{"retried", r.retried}, {"skipped", r.skipped}};
}

}  // namespace

int serve_command(Context& ctx) {
  const auto line =
      parse_command(ctx.args, {kHelp, {"--port", "--bind", "--port-file"}, {"--allow-control"}},
                    ctx.out);
  if (!line) return kExitOk;
  const Args& args = line->args;
  const std::string& path = line->store;
  std::int64_t port = kDefaultPort;
  if (auto p = args.get("--port")) port = to_int(*p, "--port");
  if (port > 65535) throw UsageError("--port takes 0 to 65535");
  std::string shown = path;
  if (store::is_redis_url(path)) {
    if (args.get("--allow-control"))
      throw UsageError("--allow-control changes the store, and a Redis store is only read here");
    // Blocks (a hiredis connection), before the loop runs: a Redis that
    // cannot be reached or holds no run is refused here, not per poll.
    try {
      const store::RedisAddress address = store::parse_redis_url(path);
      shown = address.url;  // the password masked
      dashboard::read_redis_snapshot(address, 0);
    } catch (const StoreError& e) {
      throw CliError("run store " + shown + ": " + e.reason());
    }
  } else {
    StoreDb check(path);  // a missing, foreign or newer store is refused here, not per poll
  }

  dashboard::DashboardOptions options;
  options.store_path = path;
  options.port = static_cast<std::uint16_t>(port);
  if (auto b = args.get("--bind")) options.bind = *b;
  if (args.get("--allow-control"))
    options.actions.push_back(
        {"retry", [path](const Json& body) { return retry_action(path, body); }});

  uv_loop_t loop;
  if (int rc = uv_loop_init(&loop); rc != 0)
    throw CliError(std::string("uv_loop_init: ") + uv_strerror(rc));
  std::unique_ptr<dashboard::Dashboard> board;
  try {
    board = std::make_unique<dashboard::Dashboard>(&loop, options);
  } catch (...) {
    uv_run(&loop, UV_RUN_DEFAULT);  // the failed listener's close
    uv_loop_close(&loop);
    throw;
  }
  ctx.out << "serving " << shown << " at " << board->url() << " (Ctrl-C stops)" << std::endl;
  if (auto f = args.get("--port-file")) {
    std::ofstream(*f) << board->url() << "\n";  // a small file, once, before the loop runs
  }

  // SIGINT and SIGTERM close the dashboard and the signal handles: the loop ends.
  struct Stop {
    uv_signal_t sigint{}, sigterm{};
    dashboard::Dashboard* board = nullptr;
    bool stopping = false;
  } stop;
  stop.board = board.get();
  for (uv_signal_t* s : {&stop.sigint, &stop.sigterm}) {
    uv_signal_init(&loop, s);
    s->data = &stop;
  }
  auto on_signal = [](uv_signal_t* handle, int) {
    auto* st = static_cast<Stop*>(handle->data);
    if (st->stopping) return;
    st->stopping = true;
    uv_close(reinterpret_cast<uv_handle_t*>(&st->sigint), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&st->sigterm), nullptr);
    st->board->close([] {});
  };
  uv_signal_start(&stop.sigint, on_signal, SIGINT);
  uv_signal_start(&stop.sigterm, on_signal, SIGTERM);
  uv_run(&loop, UV_RUN_DEFAULT);
  board.reset();
  const int closed = uv_loop_close(&loop);
  ctx.out << "stopped" << std::endl;
  return closed == 0 ? kExitOk : kExitError;
}

}  // namespace uvscrape::cli
