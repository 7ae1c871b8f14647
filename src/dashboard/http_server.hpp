// A small HTTP/1.1 server on a libuv loop, for the dashboard: requests parsed
// by llhttp, one request per connection (every reply says Connection: close),
// replies that may come later (after work on the thread pool). It serves a
// page and a JSON endpoint to a browser on the same machine, not the web:
// connections, a request's head and body and the time a request may take to
// arrive are capped (HttpLimits), and a request whose Host header does not
// name the address it reached is refused, so that a page of another site
// (DNS rebinding) cannot read the answers.
#pragma once

#include <sys/socket.h>
#include <uv.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace uvscrape::dashboard {

struct HttpRequest {
  std::string method;                          // "GET", "POST", ...
  std::string target;                          // as sent: "/api/snapshot?x=1"
  std::string path;                            // the target without its query
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  bool from_loopback = false;  // the peer's address is 127.0.0.0/8 or ::1
};

// What the server accepts (docs/operating-a-crawl.md, "The dashboard").
struct HttpLimits {
  std::size_t max_connections = 64;   // one more is closed at once
  std::uint64_t timeout_ms = 10'000;  // to receive a whole request (else 408), and to write a reply
  std::size_t max_head_bytes = 16 * 1024;  // request line and headers (else 431)
  std::size_t max_body_bytes = 64 * 1024;  // (else 413)
};

// The peer's address is 127.0.0.0/8, ::1 or an IPv4-mapped 127.x address.
bool is_loopback(const sockaddr* address);

// The Host header values that name `local` (the address a connection reached,
// as getsockname() gives it): "ADDRESS:PORT" ("[ADDRESS]:PORT" for IPv6), and
// "localhost:PORT" when the address is loopback; without ":PORT" too for
// port 80. Lower case.
std::vector<std::string> hosts_naming(const sockaddr* local);

struct HttpReply {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  static HttpReply text(int status, std::string body);
  static HttpReply json(std::string body);
};

// Sends the reply; callable once, on the loop thread, at any later time. If
// the connection (or the server) is gone by then, the reply is dropped.
using Respond = std::function<void(HttpReply)>;
using Handler = std::function<void(const HttpRequest&, Respond)>;

class HttpServer {
 public:
  HttpServer(uv_loop_t* loop, Handler handler, HttpLimits limits = {});
  // The server must be closed (close()) and its callback run before this.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds `address` (IPv4 or IPv6 literal) and `port` (0: any free port) and
  // listens. Throws DashboardError naming the address on failure.
  void listen(const std::string& address, std::uint16_t port);
  // The port bound (after listen).
  std::uint16_t port() const noexcept { return port_; }
  // Closes the listener and every connection; `on_closed` runs on the loop
  // thread once every handle of the server is closed.
  void close(std::function<void()> on_closed);

 private:
  struct Connection;
  struct Core;
  static void accept(uv_stream_t* listener, int status);
  std::shared_ptr<Core> core_;
  std::uint16_t port_ = 0;
};

}  // namespace uvscrape::dashboard
