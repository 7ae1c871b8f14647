// NginxFixture: the system nginx (/usr/sbin/nginx, Debian package `nginx`) on a
// free loopback port with a generated config, serving a directory the test
// fills. For integration tests against a server no one here wrote.
//
//   NginxOptions options;
//   options.gzip = true;                 // gzip on, text/plain too, gzip_min_length 0
//   options.keepalive_requests = 3;      // nginx closes kept-alive connections after 3
//   NginxFixture nginx(options);         // temp dir + config; not started yet
//   nginx.write_file("a.txt", "hello");  // into nginx.root()
//   nginx.start();                       // throws std::runtime_error with nginx's log on failure
//   fetch(nginx.url("/a.txt"));          // http://127.0.0.1:<port>/a.txt
//   nginx.stop();                        // or the destructor (also removes the temp dir)
//
// Chunked responses: nginx sends `Transfer-Encoding: chunked` whenever it does
// not know the length up front. Two ways to get one:
//   * GET /chunked/<file>: the same file through SSI, which drops Content-Length;
//   * gzip = true and a request with `Accept-Encoding: gzip` for a text file
//     (text/plain, text/html, ...): gzip output is streamed chunked.
// A plain GET /<file> comes with Content-Length.
//
// TLS: set options.tls (PEM certificate chain + key, e.g. from the test CA in
// tests/support/tls); nginx then also listens with TLS on tls_port(), and
// tls_url(path) gives "https://127.0.0.1:<tls_port><path>" (the test certificates
// name 127.0.0.1 as well as localhost).
//
// nginx missing is a hard failure (never a skip): the constructor throws.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "child_process.hpp"

namespace uvscrape::testing {

struct NginxTlsFiles {
  std::string certificate_pem;  // server certificate (then any intermediates)
  std::string private_key_pem;
};

struct NginxOptions {
  std::string binary = "/usr/sbin/nginx";
  bool gzip = false;
  int keepalive_requests = 0;  // 0: nginx's default (1000)
  int keepalive_timeout_s = 30;
  std::optional<NginxTlsFiles> tls;
  std::string extra_server_config;  // appended inside every server { } block
};

class NginxFixture {
 public:
  // Creates the temp dir (docroot, logs, temp paths, config). Throws
  // std::runtime_error if the nginx binary is missing.
  explicit NginxFixture(NginxOptions options = {});
  ~NginxFixture();  // stop(), then removes the temp dir
  NginxFixture(const NginxFixture&) = delete;
  NginxFixture& operator=(const NginxFixture&) = delete;

  // The static directory nginx serves at "/".
  const std::filesystem::path& root() const { return root_; }
  // Writes `content` to root()/relative_path, creating directories.
  void write_file(std::string_view relative_path, std::string_view content) const;

  // Starts nginx on free loopback ports and waits until it accepts
  // connections. Picks new ports and retries if one was taken meanwhile.
  void start();
  // SIGTERM, then waits for nginx to exit (SIGKILL after 5 s). Idempotent.
  void stop();
  bool running() const { return child_.running(); }

  uint16_t port() const { return port_; }
  uint16_t tls_port() const { return tls_port_; }
  std::string url(std::string_view path = "/") const;
  std::string tls_url(std::string_view path = "/", std::string_view host = "127.0.0.1") const;

  // nginx's error log so far (for failure messages).
  std::string error_log() const;
  const std::filesystem::path& directory() const { return dir_; }

 private:
  std::string config_text() const;
  bool try_start(std::string& failure, bool& port_taken);

  NginxOptions options_;
  std::filesystem::path dir_;
  std::filesystem::path root_;
  uint16_t port_ = 0;
  uint16_t tls_port_ = 0;
  ChildProcess child_;
};

}  // namespace uvscrape::testing
