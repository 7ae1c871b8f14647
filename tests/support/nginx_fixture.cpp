#include "nginx_fixture.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace uvscrape::testing {
namespace fs = std::filesystem;
namespace {

constexpr int kStartAttempts = 5;
constexpr auto kStartTimeout = std::chrono::seconds(10);
constexpr auto kStopTimeout = std::chrono::seconds(5);

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_text(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (!out) throw std::runtime_error("nginx fixture: cannot write " + path.string());
}

}  // namespace

NginxFixture::NginxFixture(NginxOptions options) : options_(std::move(options)) {
  if (::access(options_.binary.c_str(), X_OK) != 0) {
    throw std::runtime_error("nginx fixture: " + options_.binary +
                             " not found or not executable: install the Debian package `nginx` "
                             "(scripts/install-deps.sh installs it); integration tests need it");
  }
  std::string pattern = (fs::temp_directory_path() / "uvscrape-nginx-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("nginx fixture: mkdtemp failed: " + std::string(std::strerror(errno)));
  }
  dir_ = pattern;
  root_ = dir_ / "www";
  fs::create_directories(root_);
  fs::create_directories(dir_ / "temp");
  fs::create_directories(dir_ / "logs");
  // nginx's workers may run as another user: let them read the docroot.
  fs::permissions(dir_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                            fs::perms::others_read | fs::perms::others_exec);
  if (options_.tls) {
    write_text(dir_ / "server.crt", options_.tls->certificate_pem);
    write_text(dir_ / "server.key", options_.tls->private_key_pem);
  }
}

NginxFixture::~NginxFixture() {
  stop();
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

void NginxFixture::write_file(std::string_view relative_path, std::string_view content) const {
  const fs::path path = root_ / fs::path(relative_path).relative_path();
  fs::create_directories(path.parent_path());
  write_text(path, content);
}

std::string NginxFixture::url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

std::string NginxFixture::tls_url(std::string_view path, std::string_view host) const {
  return "https://" + std::string(host) + ":" + std::to_string(tls_port_) + std::string(path);
}

std::string NginxFixture::error_log() const {
  return read_text(dir_ / "logs" / "error.log");
}

std::string NginxFixture::config_text() const {
  const std::string d = dir_.string();
  std::ostringstream c;
  c << "daemon off;\n"
    << "master_process on;\n"
    << "worker_processes 1;\n"
    << "pid " << d << "/nginx.pid;\n"
    << "error_log " << d << "/logs/error.log notice;\n";
  // As root the workers would switch to `nobody` and could not read a test's
  // private temp dir; as another user nginx cannot switch, and this line would
  // only produce a warning, so it is left out.
  if (::geteuid() == 0) c << "user root root;\n";
  c << "events { worker_connections 1024; }\n"
    << "http {\n"
    << "  types { text/html html htm; text/plain txt; text/css css; application/json json;\n"
    << "          application/javascript js; image/png png; application/pdf pdf; }\n"
    << "  default_type application/octet-stream;\n"
    << "  access_log " << d << "/logs/access.log;\n"
    << "  client_body_temp_path " << d << "/temp/client_body;\n"
    << "  proxy_temp_path " << d << "/temp/proxy;\n"
    << "  fastcgi_temp_path " << d << "/temp/fastcgi;\n"
    << "  uwsgi_temp_path " << d << "/temp/uwsgi;\n"
    << "  scgi_temp_path " << d << "/temp/scgi;\n"
    << "  sendfile on;\n"
    << "  keepalive_timeout " << options_.keepalive_timeout_s << "s;\n";
  if (options_.keepalive_requests > 0)
    c << "  keepalive_requests " << options_.keepalive_requests << ";\n";
  if (options_.gzip) {
    c << "  gzip on;\n"
      << "  gzip_min_length 0;\n"
      << "  gzip_http_version 1.0;\n"
      << "  gzip_proxied any;\n"
      << "  gzip_vary on;\n"
      << "  gzip_types text/plain text/css application/json application/javascript text/xml;\n";
  }
  const auto server_body = [&] {
    std::ostringstream s;
    s << "    root " << root_.string() << ";\n"
      << "    location / { }\n"
      << "    location /chunked/ { alias " << root_.string() << "/; ssi on; ssi_types *; }\n"
      << options_.extra_server_config << "\n";
    return s.str();
  };
  c << "  server {\n"
    << "    listen 127.0.0.1:" << port_ << ";\n"
    << "    server_name localhost 127.0.0.1;\n"
    << server_body() << "  }\n";
  if (options_.tls) {
    c << "  server {\n"
      << "    listen 127.0.0.1:" << tls_port_ << " ssl;\n"
      << "    server_name localhost;\n"
      << "    ssl_certificate " << d << "/server.crt;\n"
      << "    ssl_certificate_key " << d << "/server.key;\n"
      << "    ssl_protocols TLSv1.2 TLSv1.3;\n"
      << server_body() << "  }\n";
  }
  c << "}\n";
  return c.str();
}

bool NginxFixture::try_start(std::string& failure, bool& port_taken) {
  port_taken = false;
  port_ = pick_free_loopback_port();
  tls_port_ = options_.tls ? pick_free_loopback_port() : 0;
  if (tls_port_ == port_) tls_port_ = pick_free_loopback_port();
  const fs::path conf = dir_ / "nginx.conf";
  write_text(conf, config_text());
  write_text(dir_ / "logs" / "error.log", "");

  const std::string prefix = dir_.string() + "/";
  const std::string conf_s = conf.string();
  const std::string early_log = (dir_ / "logs" / "error.log").string();
  const std::string output = (dir_ / "logs" / "stderr.log").string();
  return start_server(child_,
                      ServerStart{"nginx",
                                  {options_.binary, "-p", prefix, "-c", conf_s, "-e", early_log},
                                  output,
                                  tls_port_ ? std::vector<uint16_t>{port_, tls_port_}
                                            : std::vector<uint16_t>{port_},
                                  kStartTimeout,
                                  [this, output] { return error_log() + read_text(output); }},
                      failure, port_taken);
}

void NginxFixture::start() {
  if (running()) return;
  std::string failure;
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    bool port_taken = false;
    if (try_start(failure, port_taken)) return;
    if (!port_taken) break;
  }
  throw std::runtime_error("nginx fixture: cannot start nginx (config " +
                           (dir_ / "nginx.conf").string() + "): " + failure);
}

void NginxFixture::stop() {
  child_.stop(kStopTimeout);
}

}  // namespace uvscrape::testing
