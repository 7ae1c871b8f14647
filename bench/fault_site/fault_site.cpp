// fault_site: serves a site written by bench/gen_site.py with deterministic
// faults by path (fault_plan.hpp) on the project's HTTP/1.1 server core
// (tests/support), until SIGINT or SIGTERM. bench/fault_crawl and the `bench`
// test suite crawl it.
//
//   fault_site SITE_DIR [--host 127.0.0.1] [--port 0] [--port-file FILE] [--plan FILE]
//              [--stall-ms 3000] [--reliable-prefix /cases/page/] [--plan-only] [--quiet]
//
// SITE_DIR/paths.txt lists the paths served. Every file is read into memory
// before the server listens, so no request touches the disk on the loop thread.
// --port 0 (the default) picks a free port; the base URL is printed on stdout
// and, with --port-file, written to FILE (atomically). --plan FILE writes one
// line per path, "PATH FAULT SERVABLE" (servable: yes/no), from which a
// verifier computes what a complete crawl gets. Paths under --reliable-prefix
// only get the faults that end (fault_plan.hpp). --plan-only writes the plan
// and exits without serving.
//
// Attempts are counted per path for the life of the process ("503 twice, then
// the page"): start a fresh server for each crawl so every crawler meets the
// same faults. On exit it prints the requests it answered, by fault.
#include <uv.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <unordered_map>

#include "fault_plan.hpp"
#include "test_server.hpp"

namespace {

using uvscrape::bench::Fault;
using uvscrape::bench::PathFault;
using uvscrape::testing::Disconnect;
using uvscrape::testing::ServerRequest;
using uvscrape::testing::ServerResponse;
using uvscrape::testing::TestServer;
using uvscrape::testing::TestServerOptions;

struct Options {
  std::string site_dir;
  std::string host = "127.0.0.1";
  int port = 0;
  std::string port_file;
  std::string plan_file;
  int stall_ms = 3000;
  std::string reliable_prefix = "/cases/page/";
  bool plan_only = false;
  bool quiet = false;
};

[[noreturn]] void usage(const std::string& message) {
  if (!message.empty()) std::cerr << "fault_site: " << message << "\n";
  std::cerr << "usage: fault_site SITE_DIR [--host ADDR] [--port N] [--port-file FILE] "
               "[--plan FILE] [--stall-ms N] [--reliable-prefix PATH] [--plan-only] [--quiet]\n";
  std::exit(message.empty() ? 0 : 2);
}

int parse_int(const std::string& text, const std::string& option, long low, long high) {
  char* end = nullptr;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || value < low || value > high)
    usage(option + " takes " + std::to_string(low) + ".." + std::to_string(high));
  return static_cast<int>(value);
}

Options parse_args(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage("missing value for " + arg);
      return argv[++i];
    };
    if (arg == "--host") {
      options.host = value();
    } else if (arg == "--port") {
      options.port = parse_int(value(), arg, 0, 65535);
    } else if (arg == "--port-file") {
      options.port_file = value();
    } else if (arg == "--plan") {
      options.plan_file = value();
    } else if (arg == "--stall-ms") {
      options.stall_ms = parse_int(value(), arg, 0, 600'000);
    } else if (arg == "--reliable-prefix") {
      options.reliable_prefix = value();
    } else if (arg == "--plan-only") {
      options.plan_only = true;
    } else if (arg == "--quiet") {
      options.quiet = true;
    } else if (arg == "--help" || arg == "-h") {
      usage("");
    } else if (!arg.empty() && arg[0] != '-' && options.site_dir.empty()) {
      options.site_dir = arg;
    } else {
      usage("unknown argument " + arg);
    }
  }
  if (options.site_dir.empty()) usage("SITE_DIR is required");
  if (options.plan_only && options.plan_file.empty()) usage("--plan-only needs --plan FILE");
  return options;
}

// One path of the site: its bytes, its fault, and how often it was asked for.
struct Page {
  std::shared_ptr<const std::string> body;
  std::string content_type;
  PathFault fault;
  unsigned attempts = 0;  // touched on the loop thread only
};

std::string content_type_of(const std::string& path) {
  auto ends_with = [&](const char* suffix) {
    const std::string s = suffix;
    return path.size() >= s.size() && path.compare(path.size() - s.size(), s.size(), s) == 0;
  };
  if (ends_with(".html")) return "text/html; charset=utf-8";
  if (ends_with(".pdf")) return "application/pdf";
  return "application/octet-stream";
}

// Reads SITE_DIR/paths.txt and every file it names (before the loop runs).
std::unordered_map<std::string, Page> load_site(const Options& options) {
  const std::string list = options.site_dir + "/paths.txt";
  std::ifstream paths(list);
  if (!paths) throw std::runtime_error("cannot read " + list);
  std::unordered_map<std::string, Page> site;
  for (std::string path; std::getline(paths, path);) {
    if (path.empty()) continue;
    if (path[0] != '/') throw std::runtime_error(list + ": not an absolute path: " + path);
    std::ifstream file(options.site_dir + path, std::ios::binary);
    std::ostringstream bytes;
    bytes << file.rdbuf();
    if (!file) throw std::runtime_error("cannot read " + options.site_dir + path);
    Page page;
    page.body = std::make_shared<const std::string>(std::move(bytes).str());
    page.content_type = content_type_of(path);
    const bool reliable =
        !options.reliable_prefix.empty() &&
        path.compare(0, options.reliable_prefix.size(), options.reliable_prefix) == 0;
    page.fault = uvscrape::bench::fault_for(path, reliable);
    site.emplace(path, std::move(page));
  }
  if (site.empty()) throw std::runtime_error(list + " lists no path");
  return site;
}

// Written to a temporary name and renamed, so a reader never sees half a file.
bool write_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    if (!out) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

std::string plan_text(const std::unordered_map<std::string, Page>& site) {
  std::string text = "# path fault servable\n";
  for (const auto& [path, page] : site) {
    text += path + ' ' + to_string(page.fault.fault);
    if (page.fault.fault == Fault::unavailable_then_ok)
      text += 'x' + std::to_string(page.fault.failures);
    text += page.fault.servable() ? " yes\n" : " no\n";
  }
  return text;
}

constexpr size_t kFaults = static_cast<size_t>(Fault::stall) + 1;

struct Served {
  std::array<unsigned long, kFaults> by_fault{};  // answers that carried the fault
  unsigned long requests = 0;
  unsigned long not_found = 0;
};

ServerResponse answer(Page& page, const std::chrono::milliseconds stall, Served& served) {
  ++served.requests;
  ServerResponse r;
  r.status = 200;
  r.shared_body = page.body;
  r.header("Content-Type", page.content_type);
  const unsigned attempt = ++page.attempts;
  const Fault fault = page.fault.fault;
  if (fault == Fault::stall) {
    r.delay_before_headers = stall;
  } else if (page.fault.fails_attempt(attempt)) {
    switch (fault) {
      case Fault::unavailable_then_ok:
      case Fault::unavailable: r = ServerResponse::text("busy, try again later\n", 503); break;
      case Fault::truncated_body: r.disconnect = Disconnect::mid_body; break;
      case Fault::connection_reset:
        r.disconnect = Disconnect::before_response;
        r.disconnect_with_reset = true;
        break;
      case Fault::garbage_status_line: r.invalid_status_line = true; break;
      case Fault::bad_chunked_encoding:
        r.chunked = true;
        r.bad_chunk_size = true;
        break;
      case Fault::none:
      case Fault::stall: break;
    }
  } else {
    return r;
  }
  ++served.by_fault[static_cast<size_t>(fault)];
  return r;
}

struct ServerApp {
  TestServer* server = nullptr;
  uv_signal_t sigint{};
  uv_signal_t sigterm{};
};

void on_signal(uv_signal_t* handle, int) {
  auto* app = static_cast<ServerApp*>(handle->data);
  app->server->close();
  uv_close(reinterpret_cast<uv_handle_t*>(&app->sigint), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&app->sigterm), nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse_args(argc, argv);
  std::unordered_map<std::string, Page> site;
  try {
    site = load_site(options);
  } catch (const std::exception& e) {
    std::cerr << "fault_site: " << e.what() << "\n";
    return 1;
  }
  if (!options.plan_file.empty() && !write_atomically(options.plan_file, plan_text(site))) {
    std::cerr << "fault_site: cannot write " << options.plan_file << "\n";
    return 1;
  }
  if (options.plan_only) return 0;

  uv_loop_t loop;
  uv_loop_init(&loop);
  int status = 0;
  Served served;
  {
    TestServerOptions server_options;
    server_options.bind_host = options.host;
    server_options.bind_port = static_cast<uint16_t>(options.port);
    server_options.url_host = options.host;
    server_options.linger = std::chrono::milliseconds(200);
    server_options.record_requests = false;  // a long-running server keeps no request log
    ServerApp app;
    try {
      TestServer server(&loop, server_options);
      app.server = &server;
      const std::chrono::milliseconds stall(options.stall_ms);
      server.route("GET", "/*",
                   [&site, &served, stall](const ServerRequest& req, ServerResponse& res) {
                     auto it = site.find(req.path);
                     if (it == site.end()) {
                       ++served.not_found;
                       res = ServerResponse::text("not found: " + req.path + "\n", 404);
                       return;
                     }
                     res = answer(it->second, stall, served);
                   });
      const std::string url = server.url("");
      if (!options.quiet) std::cout << "fault site listening on " << url << std::endl;
      if (!options.port_file.empty() && !write_atomically(options.port_file, url + "\n")) {
        std::cerr << "fault_site: cannot write " << options.port_file << "\n";
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
      std::cerr << "fault_site: " << e.what() << "\n";
      status = 1;
      uv_run(&loop, UV_RUN_DEFAULT);  // let close callbacks run
    }
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  if (uv_loop_close(&loop) != 0 && status == 0) status = 1;
  if (!options.quiet) {
    std::cerr << "fault_site: answered " << served.requests << " requests";
    for (size_t k = 1; k < kFaults; ++k)
      if (served.by_fault[k] != 0)
        std::cerr << ", " << served.by_fault[k] << " " << to_string(static_cast<Fault>(k));
    if (served.not_found != 0) std::cerr << ", " << served.not_found << " not found";
    std::cerr << "\n";
  }
  return status;
}
