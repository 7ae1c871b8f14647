// The live dashboard: the page (GET /), the run's snapshot as JSON
// (GET /api/snapshot) and, only when enabled and only from loopback, control
// actions (POST /api/control/ACTION). Served by `uvscrape serve STORE` and by
// a Driver with DriverOptions::dashboard_port, on the loop each already runs.
//
// The store is read on libuv's thread pool (uv_queue_work) with a read-only
// connection (SQLite) or a blocking hiredis one (Redis), made per snapshot;
// the loop thread only parses requests and writes replies.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dashboard/http_server.hpp"
#include "uvscrape/json.hpp"

namespace uvscrape::dashboard {

struct DashboardOptions {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port (Dashboard::port() tells which)
  // A SQLite store file or a Redis store's redis:// URL; "": no store (the
  // snapshot has only `live`).
  std::string store_path;
  // Called on the loop thread for every snapshot; its result is the
  // snapshot's "live" member (a Driver's counters). Absent: none.
  std::function<Json()> live;
  // Control actions by name ("retry", "stop"): run on the thread pool (they
  // may block), given the request's JSON body; the result is the reply. A
  // thrown exception is a 500 with its message. Empty: read-only, every
  // POST /api/control/... is refused with 403.
  struct Action {
    std::string name;
    std::function<Json(const Json& body)> run;
  };
  std::vector<Action> actions;
  // Connections, request sizes, the time a request may take (the defaults
  // are documented in docs/operating-a-crawl.md).
  HttpLimits limits;
};

class Dashboard {
 public:
  // Listens at once; throws DashboardError naming the address on failure.
  Dashboard(uv_loop_t* loop, DashboardOptions options);
  // close() must have completed before this.
  ~Dashboard();
  Dashboard(const Dashboard&) = delete;
  Dashboard& operator=(const Dashboard&) = delete;

  std::uint16_t port() const noexcept;
  // "http://127.0.0.1:8340/" (the loopback address when bound to 0.0.0.0 or ::)
  std::string url() const;
  // Stops serving; `on_closed` runs on the loop thread once every handle is
  // closed and no snapshot or action is still on the thread pool.
  void close(std::function<void()> on_closed);

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace uvscrape::dashboard
