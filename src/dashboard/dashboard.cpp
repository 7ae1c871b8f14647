// See dashboard.hpp.
#include "dashboard/dashboard.hpp"

#include <chrono>
#include <utility>

#include "dashboard/dashboard_page.hpp"
#include "dashboard/http_server.hpp"
#include "dashboard/redis_run_snapshot.hpp"
#include "dashboard/store_snapshot.hpp"
#include "store/redis_url.hpp"

namespace uvscrape::dashboard {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

HttpReply json_reply(int status, const Json& body) {
  HttpReply r = HttpReply::json(body.dump(-1, ' ', false, Json::error_handler_t::replace));
  r.status = status;
  return r;
}

HttpReply error_reply(int status, const std::string& message) {
  return json_reply(status, Json{{"error", message}});
}

// The snapshot of a SQLite store file or of a Redis run (a redis:// URL).
// Both block (the disk, the network): a pool thread's work.
Json read_snapshot(const std::string& path) {
  if (store::is_redis_url(path)) return read_redis_snapshot(store::parse_redis_url(path), now_ms());
  return read_store_snapshot(path, now_ms());
}

// The store as the page may show it: a Redis URL with its password masked.
std::string shown(const std::string& path) {
  if (!store::is_redis_url(path)) return path;
  try {
    return store::parse_redis_url(path).url;
  } catch (const std::exception&) {
    return "redis://…";  // a URL that does not parse: nothing of it, it may hold a password
  }
}

}  // namespace

struct Dashboard::State : std::enable_shared_from_this<Dashboard::State> {
  uv_loop_t* loop = nullptr;
  DashboardOptions options;
  std::unique_ptr<HttpServer> server;
  int on_pool = 0;  // jobs queued with uv_queue_work, not yet back
  bool closing = false;
  bool server_closed = false;
  std::function<void()> on_closed;

  // Work for the thread pool, answered on the loop thread.
  struct Job {
    uv_work_t req{};
    std::shared_ptr<State> state;
    std::function<HttpReply()> work;  // pool thread; never throws out (see run_job)
    HttpReply reply;
    Respond respond;
  };

  void queue(std::function<HttpReply()> work, Respond respond) {
    auto* job = new Job;
    job->state = shared_from_this();
    job->work = std::move(work);
    job->respond = std::move(respond);
    job->req.data = job;
    const int rc = uv_queue_work(
        loop, &job->req,
        [](uv_work_t* req) {
          auto* job = static_cast<Job*>(req->data);
          try {
            job->reply = job->work();
          } catch (const std::exception& e) {
            job->reply = error_reply(500, e.what());
          }
        },
        [](uv_work_t* req, int) {
          std::unique_ptr<Job> job(static_cast<Job*>(req->data));
          auto state = std::move(job->state);
          --state->on_pool;
          if (!state->closing) job->respond(std::move(job->reply));
          state->maybe_closed();
        });
    if (rc != 0) {
      delete job;
      respond(error_reply(503, "cannot queue work: " + std::string(uv_strerror(rc))));
      return;
    }
    ++on_pool;
  }

  void maybe_closed() {
    if (closing && server_closed && on_pool == 0 && on_closed) {
      auto done = std::move(on_closed);
      on_closed = nullptr;
      done();
    }
  }

  void handle(const HttpRequest& request, Respond respond) {
    const bool read = request.method == "GET" || request.method == "HEAD";
    if (request.path == "/" || request.path == "/index.html") {
      if (!read) return respond(error_reply(405, "GET only"));
      HttpReply page;
      page.content_type = "text/html; charset=utf-8";
      page.body = std::string(dashboard_page());
      return respond(std::move(page));
    }
    if (request.path == "/api/snapshot") {
      if (!read) return respond(error_reply(405, "GET only"));
      return snapshot(std::move(respond));
    }
    const std::string prefix = "/api/control/";
    if (request.path.rfind(prefix, 0) == 0) {
      if (request.method != "POST") return respond(error_reply(405, "POST only"));
      return control(request, request.path.substr(prefix.size()), std::move(respond));
    }
    respond(error_reply(404, "no such page: " + request.path));
  }

  void snapshot(Respond respond) {
    Json live = options.live ? options.live() : Json();  // loop thread
    Json control = Json::array();
    for (const auto& a : options.actions) control.push_back(a.name);
    const std::string path = options.store_path;
    queue(
        [path, live = std::move(live), control = std::move(control)]() {
          Json s = Json::object();
          if (!path.empty()) {
            try {
              s = read_snapshot(path);
            } catch (const std::exception& e) {
              s = {{"store", shown(path)}, {"error", e.what()}};
            }
          }
          if (!live.is_null()) s["live"] = live;
          s["control"] = control;
          return json_reply(200, s);
        },
        std::move(respond));
  }

  void control(const HttpRequest& request, const std::string& name, Respond respond) {
    if (options.actions.empty())
      return respond(error_reply(403, "read-only dashboard (start it with control enabled)"));
    if (!request.from_loopback) return respond(error_reply(403, "control only from loopback"));
    // A page of another site cannot send this header without a CORS
    // preflight, which this server never grants.
    if (!request.headers.count("x-uvscrape-control"))
      return respond(error_reply(403, "missing X-Uvscrape-Control header"));
    const DashboardOptions::Action* action = nullptr;
    for (const auto& a : options.actions)
      if (a.name == name) action = &a;
    if (!action) return respond(error_reply(404, "no such action: " + name));
    Json body = Json::object();
    if (!request.body.empty()) {
      body = Json::parse(request.body, nullptr, false);
      if (body.is_discarded() || !body.is_object())
        return respond(error_reply(400, "the body must be a JSON object"));
    }
    auto run = action->run;
    queue([run, body]() { return json_reply(200, run(body)); }, std::move(respond));
  }
};

Dashboard::Dashboard(uv_loop_t* loop, DashboardOptions options)
    : state_(std::make_shared<State>()) {
  state_->loop = loop;
  state_->options = std::move(options);
  std::weak_ptr<State> weak = state_;
  state_->server = std::make_unique<HttpServer>(
      loop,
      [weak](const HttpRequest& r, Respond send) {
        if (auto s = weak.lock()) s->handle(r, std::move(send));
      },
      state_->options.limits);
  try {
    state_->server->listen(state_->options.bind, state_->options.port);
  } catch (...) {
    // The listener's handle is closing; the server's state outlives it.
    state_->server->close([] {});
    throw;
  }
}

Dashboard::~Dashboard() = default;

std::uint16_t Dashboard::port() const noexcept {
  return state_->server->port();
}

std::string Dashboard::url() const {
  std::string a = state_->options.bind;
  const bool v6 = a.find(':') != std::string::npos;
  // Bound to every address: the loopback one, which this machine's browser
  // reaches under a name the Host rule accepts (0.0.0.0 is not one).
  if (a == "0.0.0.0") a = "127.0.0.1";
  if (a == "::") a = "::1";
  return "http://" + (v6 ? "[" + a + "]" : a) + ":" + std::to_string(port()) + "/";
}

void Dashboard::close(std::function<void()> on_closed) {
  auto state = state_;
  state->closing = true;
  state->on_closed = std::move(on_closed);
  state->server->close([state] {
    state->server_closed = true;
    state->maybe_closed();
  });
}

}  // namespace uvscrape::dashboard
