// See redis_fixture.hpp. Spawning and stopping are ChildProcess's.
#include "redis_fixture.hpp"

#include <unistd.h>

#include <cerrno>
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

}  // namespace

RedisFixture::RedisFixture(RedisOptions options) : options_(std::move(options)) {
  if (::access(options_.binary.c_str(), X_OK) != 0) {
    throw std::runtime_error(
        "redis fixture: " + options_.binary +
        " not found: install the Debian package `redis-server` "
        "(scripts/install-deps.sh installs it); the Redis store tests need it");
  }
  std::string pattern = (fs::temp_directory_path() / "uvscrape-redis-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr)
    throw std::runtime_error("redis fixture: mkdtemp failed: " + std::string(std::strerror(errno)));
  dir_ = pattern;
  std::string failure;
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    bool port_taken = false;
    port_ = pick_free_loopback_port();
    if (try_start(failure, port_taken)) return;
    if (!port_taken) break;
  }
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
  throw std::runtime_error("redis fixture: cannot start redis-server: " + failure);
}

RedisFixture::~RedisFixture() {
  stop();
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

bool RedisFixture::try_start(std::string& failure, bool& port_taken) {
  std::vector<std::string> args = {options_.binary,
                                   "--port",
                                   std::to_string(port_),
                                   "--bind",
                                   "127.0.0.1",
                                   "--dir",
                                   dir_.string(),
                                   "--daemonize",
                                   "no",
                                   "--save",
                                   "",
                                   "--appendonly",
                                   options_.appendonly ? "yes" : "no"};
  if (options_.appendonly) {
    args.push_back("--appendfsync");
    args.push_back("always");  // a restart must not lose the last writes
  }
  if (!options_.maxmemory.empty())
    args.insert(args.end(),
                {"--maxmemory", options_.maxmemory, "--maxmemory-policy", "noeviction"});
  return start_server(child_,
                      ServerStart{"redis-server",
                                  std::move(args),
                                  (dir_ / "redis.log").string(),
                                  {port_},
                                  kStartTimeout,
                                  [this] { return log(); }},
                      failure, port_taken);
}

void RedisFixture::stop() {
  child_.stop(kStopTimeout);
}

void RedisFixture::restart() {
  stop();
  std::string failure;
  bool port_taken = false;
  if (!try_start(failure, port_taken))
    throw std::runtime_error("redis fixture: cannot restart redis-server: " + failure);
}

std::string RedisFixture::url(int db) const {
  return "redis://127.0.0.1:" + std::to_string(port_) + "/" + std::to_string(db);
}

std::string RedisFixture::log() const {
  std::ifstream in(dir_ / "redis.log");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace uvscrape::testing
