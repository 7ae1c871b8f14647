// bug_court_server: serves the Bug Civil Court demo site over HTTP/1.1 on
// libuv + llhttp (the project's own server core), until SIGINT or SIGTERM.
//
//   bug_court_server [--host 127.0.0.1] [--port 8080] [--port-file FILE] [--delay-ms N]
//                    [--quiet]
//
// --port 0 picks a free port; the URL is printed on stdout and, with
// --port-file, written to FILE (atomically) so scripts can find it.
#include <uv.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>

#include "site_handler.hpp"
#include "test_server.hpp"

namespace {

using uvscrape::testing::ServerRequest;
using uvscrape::testing::ServerResponse;
using uvscrape::testing::TestServer;
using uvscrape::testing::TestServerOptions;

struct Options {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string port_file;
  int delay_ms = 0;  // added before every response, to watch a crawl progress
  bool quiet = false;
};

[[noreturn]] void usage(const char* message) {
  if (message != nullptr) std::cerr << "bug_court_server: " << message << "\n";
  std::cerr << "usage: bug_court_server [--host ADDR] [--port N] [--port-file FILE] "
               "[--delay-ms N] [--quiet]\n";
  std::exit(message != nullptr ? 2 : 0);
}

Options parse_args(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(("missing value for " + arg).c_str());
      return argv[++i];
    };
    if (arg == "--host") {
      options.host = value();
    } else if (arg == "--port") {
      std::string text = value();
      char* end = nullptr;
      long port = std::strtol(text.c_str(), &end, 10);
      if (*end != '\0' || port < 0 || port > 65535) usage("--port takes 0..65535");
      options.port = static_cast<int>(port);
    } else if (arg == "--port-file") {
      options.port_file = value();
    } else if (arg == "--delay-ms") {
      options.delay_ms = std::atoi(value().c_str());
      if (options.delay_ms < 0) usage("--delay-ms takes a non-negative number");
    } else if (arg == "--quiet") {
      options.quiet = true;
    } else if (arg == "--help" || arg == "-h") {
      usage(nullptr);
    } else {
      usage(("unknown option " + arg).c_str());
    }
  }
  return options;
}

// Written to a temporary name and renamed, so a reader never sees half a URL.
bool write_port_file(const std::string& path, const std::string& url) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << url << "\n";
    if (!out) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

struct ServerApp {
  TestServer* server = nullptr;
  uv_signal_t sigint{};
  uv_signal_t sigterm{};
  bool quiet = false;
};

void on_signal(uv_signal_t* handle, int signum) {
  auto* app = static_cast<ServerApp*>(handle->data);
  if (!app->quiet) std::cerr << "bug_court_server: signal " << signum << ", shutting down\n";
  app->server->close();
  uv_close(reinterpret_cast<uv_handle_t*>(&app->sigint), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&app->sigterm), nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  Options options = parse_args(argc, argv);

  uv_loop_t loop;
  uv_loop_init(&loop);
  int status = 0;
  {
    TestServerOptions server_options;
    server_options.bind_host = options.host;
    server_options.bind_port = static_cast<uint16_t>(options.port);
    server_options.url_host = options.host;
    server_options.linger = std::chrono::milliseconds(200);
    server_options.record_requests = false;  // a long-running server keeps no request log

    ServerApp app;
    app.quiet = options.quiet;
    try {
      TestServer server(&loop, server_options);
      app.server = &server;
      const auto delay = std::chrono::milliseconds(options.delay_ms);
      server.route("*", "/*", [delay](const ServerRequest& request, ServerResponse& response) {
        bug_court::serve_site(request, response);
        response.delay_before_headers = delay;
      });

      std::string url = server.url("");
      std::cout << "Bug Civil Court demo server listening on " << url << std::endl;
      if (!options.port_file.empty() && !write_port_file(options.port_file, url)) {
        std::cerr << "bug_court_server: cannot write " << options.port_file << "\n";
        server.close();
        status = 1;
      } else {
        uv_signal_init(&loop, &app.sigint);
        uv_signal_init(&loop, &app.sigterm);
        app.sigint.data = app.sigterm.data = &app;
        uv_signal_start(&app.sigint, on_signal, SIGINT);
        uv_signal_start(&app.sigterm, on_signal, SIGTERM);
      }
      uv_run(&loop, UV_RUN_DEFAULT);
    } catch (const std::exception& e) {
      std::cerr << "bug_court_server: " << e.what() << "\n";
      status = 1;
      uv_run(&loop, UV_RUN_DEFAULT);  // let close callbacks run
    }
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  if (uv_loop_close(&loop) != 0 && status == 0) status = 1;
  return status;
}
