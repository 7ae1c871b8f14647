#include "test_server.hpp"

#include <cstring>
#include <stdexcept>

namespace uvscrape::testing {

// Counts the handles still closing so `on_closed` runs once, after the last;
// shared by the callbacks so it outlives the TestServer object if need be.
struct TestServer::CloseTracker {
  int pending = 0;
  std::function<void()> on_closed;
  void done() {
    if (--pending == 0 && on_closed) on_closed();
  }
};

TestServer::TestServer(uv_loop_t* loop, TestServerOptions options)
    : loop_(loop), options_(std::move(options)) {
  listener_ = new uv_tcp_t;
  uv_tcp_init(loop_, listener_);
  listener_->data = this;
  sockaddr_storage addr{};
  const char* host = options_.bind_host.c_str();
  int rc = uv_ip4_addr(host, options_.bind_port, reinterpret_cast<sockaddr_in*>(&addr));
  if (rc != 0) rc = uv_ip6_addr(host, options_.bind_port, reinterpret_cast<sockaddr_in6*>(&addr));
  if (rc == 0) rc = uv_tcp_bind(listener_, reinterpret_cast<const sockaddr*>(&addr), 0);
  if (rc == 0)
    rc = uv_listen(reinterpret_cast<uv_stream_t*>(listener_), 511, &TestServer::on_connection);
  sockaddr_storage bound{};
  int len = sizeof bound;
  if (rc == 0) rc = uv_tcp_getsockname(listener_, reinterpret_cast<sockaddr*>(&bound), &len);
  if (rc != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(listener_),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); });
    listener_ = nullptr;
    closed_ = true;
    throw std::runtime_error("test server: cannot listen on " + options_.bind_host + ":" +
                             std::to_string(options_.bind_port) + ": " + uv_strerror(rc));
  }
  port_ = bound.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                                      : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
}

TestServer::~TestServer() {
  close();
}

std::string TestServer::url(std::string_view path) const {
  const char* scheme = options_.tls ? "https://" : "http://";
  return scheme + options_.url_host + ":" + std::to_string(port_) + std::string(path);
}

// ---- routes -------------------------------------------------------------------

void TestServer::route(std::string method, std::string path, Handler handler) {
  Route r;
  r.prefix = !path.empty() && path.back() == '*';
  if (r.prefix) path.pop_back();
  r.method = std::move(method);
  r.path = std::move(path);
  r.handler = std::move(handler);
  std::lock_guard lock(mutex_);
  for (auto& existing : routes_) {
    if (existing.method == r.method && existing.path == r.path && existing.prefix == r.prefix) {
      existing = std::move(r);
      return;
    }
  }
  routes_.push_back(std::move(r));
}

void TestServer::respond(std::string method, std::string path, ServerResponse response) {
  // Every request gets a copy of the script: share the body instead of copying it.
  if (!response.shared_body && !response.body.empty()) {
    response.shared_body = std::make_shared<const std::string>(std::move(response.body));
    response.body.clear();
  }
  auto shared = std::make_shared<const ServerResponse>(std::move(response));
  route(std::move(method), std::move(path),
        [shared](const ServerRequest&, ServerResponse& out) { out = *shared; });
}

std::string TestServer::redirect_chain(const std::string& prefix, int hops,
                                       std::string final_target, int status) {
  for (int i = 0; i < hops; ++i) {
    const std::string next = i + 1 < hops ? prefix + "/" + std::to_string(i + 1) : final_target;
    respond("*", prefix + "/" + std::to_string(i), ServerResponse::redirect(next, status));
  }
  return hops > 0 ? prefix + "/0" : final_target;
}

std::string TestServer::redirect_loop(const std::string& prefix, int length, int status) {
  for (int i = 0; i < length; ++i) {
    respond("*", prefix + "/" + std::to_string(i),
            ServerResponse::redirect(prefix + "/" + std::to_string((i + 1) % length), status));
  }
  return prefix + "/0";
}

std::optional<TestServer::Handler> TestServer::find_handler(const ServerRequest& request) const {
  std::lock_guard lock(mutex_);
  const Route* best = nullptr;
  for (const auto& r : routes_) {
    if (r.method != "*" && r.method != request.method) continue;
    if (!r.prefix) {
      if (r.path != request.path) continue;
      if (!best || best->prefix || best->method == "*") best = &r;  // exact; a method beats "*"
      continue;
    }
    if (request.path.compare(0, r.path.size(), r.path) != 0) continue;
    if (!best || (best->prefix && (r.path.size() > best->path.size() ||
                                   (r.path.size() == best->path.size() && best->method == "*")))) {
      best = &r;
    }
  }
  if (!best) return std::nullopt;
  return best->handler;
}

// ---- ConnectionHost -------------------------------------------------------------

void TestServer::record(const ServerRequest& request) {
  {
    std::lock_guard lock(mutex_);
    ++requests_received_;
    if (options_.record_requests) requests_.push_back(request);
  }
  request_arrived_.notify_all();
}

ServerResponse TestServer::handle(const ServerRequest& request) {
  ServerResponse response;
  if (auto handler = find_handler(request)) {
    (*handler)(request, response);
  } else if (options_.catch_all_ok) {
    response = ServerResponse::html("<html><body>ok</body></html>");
  } else {
    response = ServerResponse::text("not found: " + request.path + "\n", 404);
  }
  return response;
}

void TestServer::response_completed() {
  std::lock_guard lock(mutex_);
  ++responses_completed_;
}

void TestServer::connection_closed(ServerConnection* connection) {
  std::lock_guard lock(mutex_);
  connections_.erase(connection);
}

void TestServer::on_connection(uv_stream_t* listener, int status) {
  auto* self = static_cast<TestServer*>(listener->data);
  if (status != 0 || self->closed_) return;
  uint64_t id;
  {
    std::lock_guard lock(self->mutex_);
    id = self->next_connection_id_++;
  }
  if (ServerConnection* c = ServerConnection::accept(listener, self, id)) {
    std::lock_guard lock(self->mutex_);
    self->connections_.insert(c);
    ++self->connections_accepted_;
  }
}

// ---- observation -----------------------------------------------------------------

std::vector<ServerRequest> TestServer::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::optional<ServerRequest> TestServer::last_request() const {
  std::lock_guard lock(mutex_);
  if (requests_.empty()) return std::nullopt;
  return requests_.back();
}

size_t TestServer::request_count() const {
  std::lock_guard lock(mutex_);
  return requests_received_;
}

void TestServer::clear_requests() {
  std::lock_guard lock(mutex_);
  requests_.clear();
  requests_received_ = 0;
}

bool TestServer::wait_for_requests(size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return request_arrived_.wait_for(lock, timeout, [&] { return requests_received_ >= n; });
}

uint64_t TestServer::connections_accepted() const {
  std::lock_guard lock(mutex_);
  return connections_accepted_;
}

uint64_t TestServer::responses_completed() const {
  std::lock_guard lock(mutex_);
  return responses_completed_;
}

size_t TestServer::open_connections() const {
  std::lock_guard lock(mutex_);
  return connections_.size();
}

// ---- closing ------------------------------------------------------------------------

void TestServer::close(std::function<void()> on_closed) {
  if (closed_) {
    if (on_closed) on_closed();
    return;
  }
  closed_ = true;
  auto tracker = std::make_shared<CloseTracker>();
  tracker->on_closed = std::move(on_closed);
  tracker->pending = 1 + static_cast<int>(connections_.size()) + 1;  // +1 guards the loop below
  // The tracker rides in a heap copy of the shared_ptr owned by the callback.
  auto* keep = new std::shared_ptr<CloseTracker>(tracker);
  listener_->data = keep;
  uv_close(reinterpret_cast<uv_handle_t*>(listener_), [](uv_handle_t* h) {
    auto* t = static_cast<std::shared_ptr<CloseTracker>*>(h->data);
    (*t)->done();
    delete t;
    delete reinterpret_cast<uv_tcp_t*>(h);
  });
  listener_ = nullptr;
  std::unordered_set<ServerConnection*> connections;
  {
    std::lock_guard lock(mutex_);
    connections.swap(connections_);
  }
  for (ServerConnection* c : connections) c->abort([tracker] { tracker->done(); });
  tracker->done();
}

}  // namespace uvscrape::testing
