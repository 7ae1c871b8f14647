// One accepted connection of the test server: parses requests with llhttp
// (keep-alive and pipelining: requests queue and are answered in order) and
// plays each response plan, waits and faults included.
//
// The object owns its libuv handles and deletes itself once both are closed, so
// it may outlive the TestServer that accepted it by a loop iteration.
#pragma once

#include <llhttp.h>
#include <uv.h>

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "http_exchange.hpp"
#include "response_plan.hpp"

namespace uvscrape::testing {

class TlsServerConfig;  // tls/tls_server_session.hpp
class TlsServerSession;

// What a connection needs from its server. Called on the loop thread only.
class ConnectionHost {
 public:
  virtual ~ConnectionHost() = default;
  virtual void record(const ServerRequest& request) = 0;
  virtual ServerResponse handle(const ServerRequest& request) = 0;
  virtual void response_completed() = 0;
  virtual void connection_closed(class ServerConnection* connection) = 0;
  virtual size_t max_requests_per_connection() const = 0;
  virtual uint64_t linger_ms() const = 0;
  virtual uint64_t idle_timeout_ms() const = 0;  // 0: kept-alive connections stay open
  // Non-null: the connection speaks TLS with this config.
  virtual std::shared_ptr<TlsServerConfig> tls_config() const = 0;
};

class ServerConnection {
 public:
  // Accepts a pending connection from `listener`; nullptr if accept fails.
  static ServerConnection* accept(uv_stream_t* listener, ConnectionHost* host, uint64_t id);

  // Server shutdown: forget the host and close at once. `on_closed` runs when
  // the handles are really closed.
  void abort(std::function<void()> on_closed);

 private:
  ServerConnection(ConnectionHost* host, uint64_t id);
  ~ServerConnection();

  struct Pending {
    ServerRequest request;
    bool keep_alive = true;
    bool parse_error = false;
  };
  enum class State { idle, responding, hanging, lingering, closing };

  // reading and parsing
  static void on_alloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buf);
  static void on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  void parse(const char* data, size_t size);
  void on_peer_eof();
  static int on_message_begin(llhttp_t* parser);
  static int on_url(llhttp_t* parser, const char* at, size_t length);
  static int on_header_field(llhttp_t* parser, const char* at, size_t length);
  static int on_header_value(llhttp_t* parser, const char* at, size_t length);
  static int on_body(llhttp_t* parser, const char* at, size_t length);
  static int on_message_complete(llhttp_t* parser);

  // responding
  void start_next_response();
  void arm_idle_timer();
  void run_plan();
  void write_bufs(const uv_buf_t* bufs, size_t count, void (*then)(ServerConnection*));
  static void on_write(uv_write_t* req, int status);
  void wait(uint64_t ms, void (*then)(ServerConnection*));
  static void on_timer(uv_timer_t* timer);
  void drip_next();
  void finish_plan();
  void count_served();

  // closing
  // TLS mode (server_connection_tls.cpp): ciphertext in, plaintext to the parser;
  // plaintext out, encrypted and written in heap-owned write requests.
  void on_ciphertext(const char* data, size_t size);
  void tls_write(const uv_buf_t* bufs, size_t count);
  bool send_ciphertext(bool continue_plan);
  static void on_tls_write(uv_write_t* req, int status);

  void close_gracefully();
  void close_with_reset();
  void close_now();
  static void on_shutdown(uv_shutdown_t* req, int status);
  static void on_handle_closed(uv_handle_t* handle);

  ConnectionHost* host_;
  const uint64_t id_;
  uv_tcp_t tcp_{};
  uv_timer_t timer_{};
  uv_write_t write_req_{};
  uv_shutdown_t shutdown_req_{};
  int open_handles_ = 0;
  std::function<void()> on_closed_;

  std::unique_ptr<TlsServerSession> tls_;

  llhttp_t parser_{};
  llhttp_settings_t settings_{};
  ServerRequest building_;
  bool header_value_last_ = false;
  bool parse_failed_ = false;
  bool peer_eof_ = false;
  uint64_t requests_parsed_ = 0;
  uint64_t responses_started_ = 0;
  std::deque<Pending> pending_;

  State state_ = State::idle;
  std::optional<ResponsePlan> plan_;
  size_t segment_ = 0;
  bool segment_waited_ = false;
  bool served_counted_ = false;
  std::string drip_bytes_;
  size_t drip_at_ = 0;
  void (*after_write_)(ServerConnection*) = nullptr;
  void (*after_timer_)(ServerConnection*) = nullptr;

  std::array<char, 64 * 1024> read_buffer_;  // not zeroed: 500 connections at once would each clear 64 KiB
};

}  // namespace uvscrape::testing
