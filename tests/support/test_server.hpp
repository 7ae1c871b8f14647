// TestServer: an in-process HTTP/1.1 server on libuv + llhttp for tests, with
// scriptable routes and fault injection. Bound to 127.0.0.1:0.
//
//   #include "test_server.hpp"           // dependency: test_support_dep
//   using namespace uvscrape::testing;
//
//   uv_loop_t loop; uv_loop_init(&loop);
//   TestServer server(&loop);                       // listening at once
//   server.route("GET", "/hello", [](const ServerRequest& req, ServerResponse& res) {
//     res = ServerResponse::html("<p>hi " + req.query + "</p>");
//     res.encoding = ContentEncoding::gzip;        // compressed by the server
//   });
//   server.respond("*", "/slow/*", [] {            // "/x/*" is a prefix route
//     ServerResponse r = ServerResponse::text(std::string(100'000, 'a'));
//     r.chunked = true; r.chunk_size = 1000; r.delay_between_chunks = 10ms; return r; }());
//   std::string first = server.redirect_chain("/hop", 3, "/hello");  // "/hop/0" -> 3 hops
//   ... run your client against server.url("/hello") ...
//   EXPECT_EQ(server.requests().at(0).header("User-Agent"), "uvscrape/0.1.0");
//   server.close();                                 // or let the destructor do it
//   uv_run(&loop, UV_RUN_DEFAULT);                  // lets the close callbacks run
//   EXPECT_EQ(uv_loop_close(&loop), 0);
//
// For code whose run() owns a loop (the driver), use ThreadedTestServer
// (threaded_test_server.hpp): the same server on its own thread.
//
// Routes: route(method or "*", path, handler). `path` matches the request path
// (query excluded) exactly, or as a prefix when it ends in '*'. Exact routes
// win over prefixes; the longest prefix wins; a later route with the same
// method and path replaces the earlier one. Unknown paths get 404, or 200
// "<html><body>ok</body></html>" with TestServerOptions::catch_all_ok.
// Handlers run on the server's loop thread (for ThreadedTestServer, not the
// test's thread); an exception from a handler becomes a 500 response.
//
// Faults (fields of ServerResponse, see http_exchange.hpp): delay_before_headers,
// delay_between_chunks (+ chunk_size), disconnect = before_response / mid_headers /
// mid_body (FIN, or RST with disconnect_with_reset), invalid_status_line,
// bad_chunk_size, oversized_headers = N bytes, endless_body, drip_interval (slow
// drip, 1 byte per interval), any status, never_respond, raw bytes, Content-Length
// lies (set the header yourself), close_delimited bodies, close_connection.
// 1xx before the final response: informational = {100, 103}; endless_early_hints =
// 50ms sends a 103 that often, forever. Per connection
// (TestServerOptions): `Connection: close` after N requests
// (max_requests_per_connection = N) and closing idle kept-alive connections
// (idle_timeout). A handler can also fault only some requests, e.g. by
// req.index_on_connection (drop the 2nd request on a kept-alive connection).
//
// TLS mode: the same server, every connection over TLS (tests/support/tls):
//   #include "tls/test_certificates.hpp"
//   #include "tls/tls_server_session.hpp"
//   TestServerOptions o;
//   o.tls = std::make_shared<TlsServerConfig>(test_certificates().valid);  // or
//           // .wrong_host, .expired, .self_signed; trust test_certificates().ca.cert_file
//   TestServer server(&loop, o);   // url() is "https://127.0.0.1:<port>..."
// Faults apply to the plaintext; resets and cuts act on the TCP socket. A close
// sends close_notify first, unless ServerResponse::skip_close_notify.
//
// Every request is recorded (method, target, headers, body, connection id) and
// counted; requests(), connections_accepted(), responses_completed() are safe to
// call from any thread.
#pragma once

#include <uv.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "http_exchange.hpp"
#include "server_connection.hpp"

namespace uvscrape::testing {

class TlsServerConfig;  // TLS mode: tls/tls_server_session.hpp

// Set fields one by one: g++ 12 -Wextra (and so -Werror) rejects designated
// initializers that leave members out.
struct TestServerOptions {
  // Unknown paths answer 200 "<html><body>ok</body></html>" instead of 404.
  bool catch_all_ok = false;
  // N > 0: the Nth response on a connection carries `Connection: close` and the
  // server closes that connection after it.
  size_t max_requests_per_connection = 0;
  // After a graceful close (FIN) the server drains the client's bytes this long
  // before closing the socket, so no RST destroys a response in flight.
  std::chrono::milliseconds linger{2000};
  // > 0: a connection idle this long after a response (no request in progress)
  // is closed with a FIN, like nginx's keepalive_timeout; tests of a client's
  // pool use it.
  std::chrono::milliseconds idle_timeout{0};
  // TLS mode: every connection speaks TLS with this config, e.g.
  //   options.tls = std::make_shared<TlsServerConfig>(test_certificates().expired);
  // (tls/tls_server_session.hpp, tls/test_certificates.hpp). Use one config per
  // server: a config and its sessions stay on one thread.
  std::shared_ptr<TlsServerConfig> tls;
  // Host name url() puts in URLs ("localhost" for TLS certificate checks).
  std::string url_host = "127.0.0.1";
  // Where to listen (an IPv4 or IPv6 literal). The default is a free loopback
  // port; the demo server (examples/bug_court) takes both from its command line.
  std::string bind_host = "127.0.0.1";
  uint16_t bind_port = 0;
  // Keep every request for requests(); a long-running server turns this off
  // (request_count() and the other counters still count).
  bool record_requests = true;
};

class TestServer : private ConnectionHost {
 public:
  using Handler = std::function<void(const ServerRequest&, ServerResponse&)>;

  // Binds options.bind_host:bind_port (127.0.0.1:0) and listens on `loop`
  // before returning. Throws std::runtime_error if it cannot.
  explicit TestServer(uv_loop_t* loop, TestServerOptions options = {});
  // Closes (see close()); the loop must still run once for the close callbacks.
  ~TestServer() override;
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  uint16_t port() const { return port_; }
  // "http://127.0.0.1:<port><path>" ("https://<url_host>:..." in TLS mode).
  std::string url(std::string_view path = "/") const;
  uv_loop_t* loop() const { return loop_; }

  // ---- routes (any thread) ---------------------------------------------------
  void route(std::string method, std::string path, Handler handler);
  // A fixed response for every matching request.
  void respond(std::string method, std::string path, ServerResponse response);
  // Registers prefix/0 -> prefix/1 -> ... -> prefix/<hops-1> -> final_target
  // (`hops` redirects in all) and returns "prefix/0".
  std::string redirect_chain(const std::string& prefix, int hops, std::string final_target,
                             int status = 302);
  // Registers prefix/0 -> prefix/1 -> ... -> prefix/<length-1> -> prefix/0 and
  // returns "prefix/0".
  std::string redirect_loop(const std::string& prefix, int length = 2, int status = 302);

  // ---- what happened (any thread) ------------------------------------------
  std::vector<ServerRequest> requests() const;
  std::optional<ServerRequest> last_request() const;
  size_t request_count() const;  // requests received (counted even when not recorded)
  void clear_requests();         // forgets the recorded requests and resets request_count()
  // Blocks until `n` requests were received or the timeout passed. Only from a
  // thread other than the server's (ThreadedTestServer).
  bool wait_for_requests(size_t n, std::chrono::milliseconds timeout) const;
  uint64_t connections_accepted() const;
  // Responses sent whole (cut-off faults excluded), counted when the last byte
  // is handed to the socket: a client that read a response finds it counted.
  uint64_t responses_completed() const;
  size_t open_connections() const;

  // Stops listening and closes every connection at once (loop thread only).
  // `on_closed` runs when all handles are closed. Idempotent.
  void close(std::function<void()> on_closed = {});
  bool closed() const { return closed_; }

 private:
  struct Route {
    std::string method;
    std::string path;
    bool prefix = false;
    Handler handler;
  };
  struct CloseTracker;

  // ConnectionHost
  void record(const ServerRequest& request) override;
  ServerResponse handle(const ServerRequest& request) override;
  void response_completed() override;
  void connection_closed(ServerConnection* connection) override;
  size_t max_requests_per_connection() const override {
    return options_.max_requests_per_connection;
  }
  uint64_t linger_ms() const override { return static_cast<uint64_t>(options_.linger.count()); }
  std::shared_ptr<TlsServerConfig> tls_config() const override { return options_.tls; }
  uint64_t idle_timeout_ms() const override {
    return static_cast<uint64_t>(options_.idle_timeout.count());
  }

  static void on_connection(uv_stream_t* listener, int status);
  std::optional<Handler> find_handler(const ServerRequest& request) const;

  uv_loop_t* loop_;
  TestServerOptions options_;
  uv_tcp_t* listener_ = nullptr;  // heap: freed by its close callback
  uint16_t port_ = 0;
  bool closed_ = false;

  mutable std::mutex mutex_;  // guards everything below
  std::unordered_set<ServerConnection*> connections_;
  mutable std::condition_variable request_arrived_;
  std::vector<Route> routes_;
  std::vector<ServerRequest> requests_;
  size_t requests_received_ = 0;
  uint64_t connections_accepted_ = 0;
  uint64_t responses_completed_ = 0;
  uint64_t next_connection_id_ = 1;
};

}  // namespace uvscrape::testing
