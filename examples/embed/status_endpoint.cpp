#include "status_endpoint.hpp"

#include <stdexcept>

namespace embed {

// One accepted connection: reads the request head, writes one response, closes.
struct StatusEndpoint::Connection {
  uv_tcp_t tcp{};
  uv_write_t write{};
  StatusEndpoint* owner = nullptr;
  std::string request;
  std::string response;
  bool responded = false;
  Connection* prev = nullptr;
  Connection* next = nullptr;

  void unlink() {
    if (owner == nullptr) return;
    if (prev)
      prev->next = next;
    else
      owner->connections_ = next;
    if (next) next->prev = prev;
    owner = nullptr;
  }
  void close() {
    unlink();
    if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(&tcp)))
      uv_close(reinterpret_cast<uv_handle_t*>(&tcp),
               [](uv_handle_t* h) { delete static_cast<Connection*>(h->data); });
  }
};

namespace {

std::string http_response(int status, const char* reason, const std::string& type,
                          const std::string& body) {
  return "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\nContent-Type: " + type +
         "\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n" + body;
}

}  // namespace

StatusEndpoint::StatusEndpoint(uv_loop_t* loop, const std::string& host, int port, StatusFn status)
    : loop_(loop), status_(std::move(status)) {
  listener_ = new uv_tcp_t;
  uv_tcp_init(loop_, listener_);
  listener_->data = this;
  sockaddr_in addr{};
  int rc = uv_ip4_addr(host.c_str(), port, &addr);
  if (rc == 0) rc = uv_tcp_bind(listener_, reinterpret_cast<const sockaddr*>(&addr), 0);
  if (rc == 0) rc = uv_listen(reinterpret_cast<uv_stream_t*>(listener_), 64, on_connection);
  sockaddr_storage bound{};
  int len = sizeof bound;
  if (rc == 0) rc = uv_tcp_getsockname(listener_, reinterpret_cast<sockaddr*>(&bound), &len);
  if (rc != 0) {
    close();
    throw std::runtime_error("status endpoint: cannot listen on " + host + ":" +
                             std::to_string(port) + ": " + uv_strerror(rc));
  }
  port_ = ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
}

StatusEndpoint::~StatusEndpoint() {
  close();
}

void StatusEndpoint::close() {
  if (listener_ != nullptr) {
    uv_close(reinterpret_cast<uv_handle_t*>(listener_),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); });
    listener_ = nullptr;
  }
  while (connections_ != nullptr) connections_->close();
}

void StatusEndpoint::on_connection(uv_stream_t* server, int status) {
  auto* self = static_cast<StatusEndpoint*>(server->data);
  if (status < 0) return;
  auto* conn = new Connection;
  conn->owner = self;
  conn->tcp.data = conn;
  uv_tcp_init(self->loop_, &conn->tcp);
  conn->next = self->connections_;
  if (self->connections_) self->connections_->prev = conn;
  self->connections_ = conn;
  if (uv_accept(server, reinterpret_cast<uv_stream_t*>(&conn->tcp)) != 0) {
    conn->close();
    return;
  }
  uv_read_start(
      reinterpret_cast<uv_stream_t*>(&conn->tcp),
      [](uv_handle_t*, size_t suggested, uv_buf_t* buf) {
        buf->base = new char[suggested];
        buf->len = suggested;
      },
      [](uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
        auto* c = static_cast<Connection*>(stream->data);
        if (nread > 0) c->request.append(buf->base, static_cast<size_t>(nread));
        delete[] buf->base;
        if (nread < 0 || c->request.size() > 16 * 1024) {
          c->close();
          return;
        }
        if (c->responded || c->request.find("\r\n\r\n") == std::string::npos) return;
        c->responded = true;
        uv_read_stop(stream);
        StatusEndpoint* owner = c->owner;
        if (owner == nullptr) {
          c->close();
          return;
        }
        if (c->request.rfind("GET /status ", 0) == 0 || c->request.rfind("GET /status?", 0) == 0) {
          std::string body;
          try {
            body = owner->status_();
          } catch (...) {  // no exception may cross the libuv callback
            body = "{\"error\":\"status unavailable\"}";
          }
          c->response = http_response(200, "OK", "application/json", body + "\n");
          ++owner->answered_;
        } else {
          c->response = http_response(404, "Not Found", "text/plain", "try GET /status\n");
        }
        uv_buf_t out = uv_buf_init(c->response.data(), static_cast<unsigned>(c->response.size()));
        c->write.data = c;
        if (uv_write(&c->write, stream, &out, 1, [](uv_write_t* req, int) {
              static_cast<Connection*>(req->data)->close();
            }) != 0)
          c->close();
      });
}

}  // namespace embed
