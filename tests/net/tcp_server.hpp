// A tiny libuv TCP server for net tests: echo, or accept-and-hold, on 127.0.0.1.
#pragma once

#include <uv.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace uvscrape::net::testing {

class TcpTestServer {
 public:
  // Called with each accepted connection's received bytes; returns what to send back.
  using Handler = std::function<std::string(std::string_view received)>;
  // What a connection handler answers: bytes to send, then maybe close.
  struct Reply {
    std::string bytes;
    bool close = false;
  };
  using ConnectionHandler = std::function<Reply(std::string_view received)>;
  // Makes the handler of each newly accepted connection (state per connection).
  using HandlerFactory = std::function<ConnectionHandler()>;

  // Listens on 127.0.0.1 (or `host`) on an ephemeral port.
  TcpTestServer(uv_loop_t* loop, Handler handler, const char* host = "127.0.0.1");
  TcpTestServer(uv_loop_t* loop, HandlerFactory factory, const char* host = "127.0.0.1");
  ~TcpTestServer();  // close()s
  uint16_t port() const { return port_; }
  size_t accepted() const { return accepted_; }
  size_t bytes_received() const { return bytes_received_; }
  // Stops listening and closes every connection.
  void close();

 private:
  struct Connection;
  static void on_connection(uv_stream_t* server, int status);

  uv_loop_t* loop_;
  HandlerFactory factory_;
  uv_tcp_t* listener_;
  uint16_t port_ = 0;
  size_t accepted_ = 0;
  size_t bytes_received_ = 0;
  std::vector<Connection*> connections_;
};

}  // namespace uvscrape::net::testing
