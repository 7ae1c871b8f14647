#include "tinyproxy_fixture.hpp"

#include <unistd.h>

#include <chrono>
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

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

}  // namespace

TinyproxyFixture::TinyproxyFixture(TinyproxyOptions options) : options_(std::move(options)) {
  if (::access(options_.binary.c_str(), X_OK) != 0) {
    throw std::runtime_error("tinyproxy fixture: " + options_.binary +
                             " not found: install the Debian package `tinyproxy` "
                             "(scripts/install-deps.sh installs it); the proxy tests need it");
  }
  std::string pattern = (fs::temp_directory_path() / "uvscrape-tinyproxy-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr)
    throw std::runtime_error("tinyproxy fixture: mkdtemp failed: " +
                             std::string(std::strerror(errno)));
  dir_ = pattern;
  std::string failure;
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    bool port_taken = false;
    if (try_start(failure, port_taken)) return;
    if (!port_taken) break;
  }
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
  throw std::runtime_error("tinyproxy fixture: cannot start tinyproxy: " + failure);
}

TinyproxyFixture::~TinyproxyFixture() {
  stop();
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

bool TinyproxyFixture::try_start(std::string& failure, bool& port_taken) {
  port_ = pick_free_loopback_port();
  std::ostringstream conf;
  conf << "Port " << port_ << "\nListen 127.0.0.1\nTimeout 30\nAllow 127.0.0.1\n"
       << "MaxClients 50\nLogLevel Connect\n";
  for (uint16_t p : options_.connect_ports) conf << "ConnectPort " << p << "\n";
  // Without any ConnectPort line tinyproxy would allow CONNECT to every port.
  if (options_.connect_ports.empty()) conf << "ConnectPort 1\n";
  if (options_.basic_auth)
    conf << "BasicAuth " << options_.basic_auth->first << " " << options_.basic_auth->second
         << "\n";
  const fs::path conf_path = dir_ / "tinyproxy.conf";
  {
    std::ofstream out(conf_path, std::ios::trunc);
    out << conf.str();
    if (!out) throw std::runtime_error("tinyproxy fixture: cannot write " + conf_path.string());
  }
  const std::string log_path = (dir_ / "tinyproxy.log").string();
  return start_server(child_,
                      ServerStart{"tinyproxy",
                                  {options_.binary, "-d", "-c", conf_path.string()},
                                  log_path,
                                  {port_},
                                  kStartTimeout,
                                  [this] { return log(); }},
                      failure, port_taken);
}

void TinyproxyFixture::stop() {
  child_.stop(kStopTimeout);
}

std::string TinyproxyFixture::url(bool with_credentials) const {
  std::string auth;
  if (with_credentials && options_.basic_auth)
    auth = options_.basic_auth->first + ":" + options_.basic_auth->second + "@";
  return "http://" + auth + "127.0.0.1:" + std::to_string(port_);
}

std::string TinyproxyFixture::log() const {
  std::ifstream in(dir_ / "tinyproxy.log", std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

size_t TinyproxyFixture::requests_seen() const {
  return count(log(), "]: Request (file descriptor");
}

size_t TinyproxyFixture::connects_seen() const {
  return count(log(), "): CONNECT ");
}

}  // namespace uvscrape::testing
