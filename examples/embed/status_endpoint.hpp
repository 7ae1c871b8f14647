// A tiny HTTP status endpoint on a libuv loop: GET /status answers the JSON
// a callback returns; anything else is 404. One request per connection.
// It stands for whatever an existing libuv program already serves.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <string>

namespace embed {

class StatusEndpoint {
 public:
  using StatusFn = std::function<std::string()>;

  // Listens on host:port (port 0: a free one) before returning; throws
  // std::runtime_error if it cannot.
  StatusEndpoint(uv_loop_t* loop, const std::string& host, int port, StatusFn status);
  ~StatusEndpoint();  // close()
  StatusEndpoint(const StatusEndpoint&) = delete;
  StatusEndpoint& operator=(const StatusEndpoint&) = delete;

  int port() const noexcept { return port_; }
  std::uint64_t requests_answered() const noexcept { return answered_; }

  // Stops listening and closes open connections (their handles free themselves).
  void close();

 private:
  struct Connection;
  static void on_connection(uv_stream_t* server, int status);

  uv_loop_t* loop_;
  uv_tcp_t* listener_ = nullptr;  // heap: freed by its close callback
  StatusFn status_;
  int port_ = 0;
  std::uint64_t answered_ = 0;
  Connection* connections_ = nullptr;  // intrusive list of open connections
};

}  // namespace embed
