// embed_status: a libuv program with its own timer and status endpoint that
// runs a Bug Civil Court crawl on the same loop (see embed_app.hpp).
//
//   embed_status --base-url URL [--status-port N] [--port-file FILE]
//                [--workers N] [--storage DIR] [--out FILE] [--seed JSON] [--exit-when-done]
//
//   curl http://127.0.0.1:<status port>/status      while it runs
//   Ctrl-C                                           stops the crawl gracefully, then exits
#include <uv.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>

#include "embed_app.hpp"

namespace {

[[noreturn]] void usage(const std::string& message) {
  if (!message.empty()) std::cerr << "embed_status: " << message << "\n";
  std::cerr << "usage: embed_status --base-url URL [--status-port N] [--port-file FILE]\n"
               "                    [--workers N] [--storage DIR] [--out FILE] [--seed JSON]\n"
               "                    [--exit-when-done]\n";
  std::exit(message.empty() ? 0 : 2);
}

}  // namespace

int main(int argc, char** argv) {
  embed::EmbedOptions options;
  std::string port_file;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage("missing value for " + arg);
      return argv[++i];
    };
    if (arg == "--base-url")
      options.base_url = value();
    else if (arg == "--status-port")
      options.status_port = std::atoi(value().c_str());
    else if (arg == "--port-file")
      port_file = value();
    else if (arg == "--workers")
      options.workers = static_cast<std::size_t>(std::atoi(value().c_str()));
    else if (arg == "--storage")
      options.storage_dir = value();
    else if (arg == "--out")
      options.out = value();
    else if (arg == "--exit-when-done")
      options.exit_when_done = true;
    else if (arg == "--seed") {
      try {
        options.seed = uvscrape::Json::parse(value());
      } catch (const std::exception& e) {
        usage(std::string("--seed is not valid JSON: ") + e.what());
      }
    } else if (arg == "--help" || arg == "-h")
      usage("");
    else
      usage("unknown option " + arg);
  }
  if (options.workers == 0) usage("--workers takes a positive number");

  uv_loop_t* loop = uv_default_loop();
  int exit_code = 0;
  {
    std::optional<embed::EmbedApp> app;
    try {
      app.emplace(loop, options);
    } catch (const std::exception& e) {
      std::cerr << "embed_status: " << e.what() << "\n";
      uv_run(loop, UV_RUN_DEFAULT);
      return 1;
    }
    std::string status_url =
        "http://" + options.status_host + ":" + std::to_string(app->status_port()) + "/status";
    std::cout << "status endpoint: " << status_url << std::endl;
    if (!port_file.empty()) {
      std::ofstream(port_file + ".tmp") << status_url << "\n";
      std::rename((port_file + ".tmp").c_str(), port_file.c_str());
    }
    app->on_crawl_done = [&](const uvscrape::RunResult& result) {
      std::cout << "crawl " << uvscrape::to_string(result.status) << ": "
                << result.requests_completed << " requests, " << result.items_emitted << " items"
                << std::endl;
      if (result.status == uvscrape::RunStatus::error) exit_code = 1;
    };
    app->start();
    uv_run(loop, UV_RUN_DEFAULT);
    std::cout << "status requests answered: " << app->status_requests_answered() << std::endl;
  }
  if (uv_loop_close(loop) != 0) {
    std::cerr << "embed_status: handles left open\n";
    return 1;
  }
  return exit_code;
}
