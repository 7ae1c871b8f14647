// TinyproxyFixture: Debian's tinyproxy (/usr/bin/tinyproxy, package
// `tinyproxy`) in the foreground (-d) on a free loopback port, with a config
// generated in a temp dir. A real HTTP proxy for the client's proxy tests:
// absolute-form requests, CONNECT to the ports allowed, Basic authentication.
//
//   TinyproxyOptions options;
//   options.connect_ports = {tls_server.port()};  // CONNECT is refused to other ports
//   options.basic_auth = {"alice", "s3cret"};     // 407 without them
//   TinyproxyFixture proxy(options);              // starts; throws with the log on failure
//   client_options.proxy = proxy.url();           // "http://127.0.0.1:<port>"
//   EXPECT_EQ(proxy.requests_seen(), 1);          // from tinyproxy's log
//
// tinyproxy missing is a hard failure (never a skip): the constructor throws.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "child_process.hpp"

namespace uvscrape::testing {

struct TinyproxyOptions {
  std::string binary = "/usr/bin/tinyproxy";
  std::vector<uint16_t> connect_ports;  // ports CONNECT may reach (none: CONNECT refused)
  std::optional<std::pair<std::string, std::string>> basic_auth;  // user, password
};

class TinyproxyFixture {
 public:
  explicit TinyproxyFixture(TinyproxyOptions options = {});
  ~TinyproxyFixture();  // stop(), then removes the temp dir
  TinyproxyFixture(const TinyproxyFixture&) = delete;
  TinyproxyFixture& operator=(const TinyproxyFixture&) = delete;

  // SIGTERM, then waits for it to exit (SIGKILL after 5 s). Idempotent.
  void stop();

  uint16_t port() const { return port_; }
  // "http://127.0.0.1:<port>", or "http://user:password@127.0.0.1:<port>".
  std::string url(bool with_credentials = false) const;
  // The log so far, and how many requests (absolute-form or CONNECT) it records.
  std::string log() const;
  size_t requests_seen() const;
  size_t connects_seen() const;

 private:
  bool try_start(std::string& failure, bool& port_taken);

  TinyproxyOptions options_;
  std::filesystem::path dir_;
  uint16_t port_ = 0;
  ChildProcess child_;
};

}  // namespace uvscrape::testing
