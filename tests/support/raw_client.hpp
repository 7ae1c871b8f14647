// A blocking TCP client for checking the test server from the wire in
// self-tests: plain sockets with poll() deadlines, no HTTP logic at all.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace uvscrape::testing {

class RawClient {
 public:
  enum class End { open, eof, reset, timeout };

  explicit RawClient(uint16_t port);  // connects to 127.0.0.1:port; throws on failure
  RawClient(const std::string& ipv4, uint16_t port);  // another local address
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  void send(std::string_view bytes);
  void shutdown_write();
  // Reads until `stop_at` bytes were received in total (SIZE_MAX: until the
  // server closes), or the deadline. Returns how the read ended; received()
  // holds every byte so far.
  End read(std::chrono::milliseconds deadline, size_t stop_at = SIZE_MAX);
  // Reads until `marker` appears in the received bytes (or the deadline).
  bool read_until(std::string_view marker, std::chrono::milliseconds deadline);
  const std::string& received() const { return received_; }
  void clear() { received_.clear(); }

 private:
  int fd_ = -1;
  std::string received_;
};

}  // namespace uvscrape::testing
