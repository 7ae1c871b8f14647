// A plain TCP connection (uv_tcp_t) behind the net::Stream interface.
//
// The libuv handle and everything libuv callbacks touch live in a heap `Core`
// that is freed in the close callback, so the TcpStream object itself may be
// destroyed at any time, even from inside one of its own callbacks.
#pragma once

#include <sys/socket.h>
#include <uv.h>

#include <functional>
#include <memory>
#include <string>

#include "net/stream.hpp"

namespace uvscrape::net {

class TcpStream final : public Stream {
 public:
  // Creates an unconnected TCP handle; `url` names errors.
  TcpStream(uv_loop_t* loop, std::string url);
  ~TcpStream() override;  // closes the socket if still open; no callbacks run afterwards
  TcpStream(const TcpStream&) = delete;
  TcpStream& operator=(const TcpStream&) = delete;

  // Starts connecting to `address`. `done` gets 0 or a libuv error code, always
  // asynchronously; it never runs once the stream is closed or destroyed.
  void connect(const sockaddr* address, std::function<void(int status)> done);

  void start_reading(DataCallback on_data, EndCallback on_end) override;
  void stop_reading() override;
  void keep_loop_alive(bool keep) override;
  void write(std::string bytes, WriteCallback done) override;
  // After close() only `on_closed` runs: no data, end or write callbacks.
  void close(std::function<void()> on_closed = {}) override;
  bool is_tls() const override { return false; }

  uv_loop_t* loop() const { return loop_; }

 private:
  struct Core;
  Core* core_;           // freed by libuv's close callback after close()
  bool closed_ = false;  // after close() core_ must not be touched
  uv_loop_t* loop_;
};

}  // namespace uvscrape::net
