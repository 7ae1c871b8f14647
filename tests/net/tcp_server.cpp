#include "tcp_server.hpp"

#include <algorithm>
#include <cstring>
#include <memory>

#include "net/address.hpp"

namespace uvscrape::net::testing {

struct TcpTestServer::Connection {
  uv_tcp_t tcp{};
  TcpTestServer* server = nullptr;
  ConnectionHandler handler;
  char buffer[16384];

  void close() {
    if (server) {
      auto& list = server->connections_;
      list.erase(std::remove(list.begin(), list.end(), this), list.end());
      server = nullptr;
    }
    if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(&tcp)))
      uv_close(reinterpret_cast<uv_handle_t*>(&tcp),
               [](uv_handle_t* h) { delete static_cast<Connection*>(h->data); });
  }
};

TcpTestServer::TcpTestServer(uv_loop_t* loop, Handler handler, const char* host)
    : TcpTestServer(loop, HandlerFactory([handler] {
                      return [handler](std::string_view in) { return Reply{handler(in), false}; };
                    }),
                    host) {}

TcpTestServer::TcpTestServer(uv_loop_t* loop, HandlerFactory factory, const char* host)
    : loop_(loop), factory_(std::move(factory)), listener_(new uv_tcp_t{}) {
  uv_tcp_init(loop_, listener_);
  listener_->data = this;
  auto address = parse_numeric_host(host, 0);
  uv_tcp_bind(listener_, address->get(), 0);
  uv_listen(reinterpret_cast<uv_stream_t*>(listener_), 128, &TcpTestServer::on_connection);
  sockaddr_storage bound{};
  int len = sizeof bound;
  uv_tcp_getsockname(listener_, reinterpret_cast<sockaddr*>(&bound), &len);
  Address a;
  a.storage = bound;
  port_ = a.port();
}

TcpTestServer::~TcpTestServer() {
  close();
}

void TcpTestServer::close() {
  if (listener_ == nullptr) return;
  while (!connections_.empty()) connections_.back()->close();
  uv_close(reinterpret_cast<uv_handle_t*>(listener_),
           [](uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); });
  listener_ = nullptr;
}

void TcpTestServer::on_connection(uv_stream_t* listener, int status) {
  auto* self = static_cast<TcpTestServer*>(listener->data);
  if (status != 0) return;
  auto* conn = new Connection;
  conn->server = self;
  conn->tcp.data = conn;
  conn->handler = self->factory_();
  uv_tcp_init(self->loop_, &conn->tcp);
  if (uv_accept(listener, reinterpret_cast<uv_stream_t*>(&conn->tcp)) != 0) {
    conn->close();
    return;
  }
  self->connections_.push_back(conn);
  ++self->accepted_;
  uv_read_start(
      reinterpret_cast<uv_stream_t*>(&conn->tcp),
      [](uv_handle_t* h, size_t, uv_buf_t* buf) {
        auto* c = static_cast<Connection*>(h->data);
        *buf = uv_buf_init(c->buffer, sizeof c->buffer);
      },
      [](uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
        auto* c = static_cast<Connection*>(s->data);
        if (nread < 0) return c->close();
        if (nread == 0 || c->server == nullptr) return;
        c->server->bytes_received_ += static_cast<size_t>(nread);
        Reply reply = c->handler(std::string_view(buf->base, static_cast<size_t>(nread)));
        if (reply.bytes.empty()) {
          if (reply.close) c->close();
          return;
        }
        struct Write {
          uv_write_t req;
          std::string bytes;
          Connection* connection;
          bool close;
        };
        auto* w = new Write{{}, std::move(reply.bytes), c, reply.close};
        uv_buf_t out = uv_buf_init(w->bytes.data(), static_cast<unsigned>(w->bytes.size()));
        w->req.data = w;
        uv_write(&w->req, s, &out, 1, [](uv_write_t* req, int) {
          std::unique_ptr<Write> write(static_cast<Write*>(req->data));
          if (write->close) write->connection->close();
        });
      });
}

}  // namespace uvscrape::net::testing
