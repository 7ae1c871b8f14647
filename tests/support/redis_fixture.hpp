// RedisFixture: Debian's redis-server (/usr/bin/redis-server, package
// `redis-server`) in the foreground on a free loopback port, its data in a
// temp dir: a real Redis for the Redis run-store tests.
//
//   RedisOptions options;
//   options.appendonly = true;   // restart() keeps the data
//   RedisFixture redis(options); // starts; throws with the log on failure
//   redis.url();                 // "redis://127.0.0.1:<port>/0"
//   redis.restart();             // stop, then start again on the same port
//
// redis-server missing is a hard failure (never a skip): the constructor throws.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "child_process.hpp"

namespace uvscrape::testing {

struct RedisOptions {
  std::string binary = "/usr/bin/redis-server";
  bool appendonly = false;  // off: `--save ""` and no AOF, nothing on disk
  std::string maxmemory;    // e.g. "4mb" (with noeviction); empty: none
};

class RedisFixture {
 public:
  explicit RedisFixture(RedisOptions options = {});
  ~RedisFixture();  // stop(), then removes the temp dir
  RedisFixture(const RedisFixture&) = delete;
  RedisFixture& operator=(const RedisFixture&) = delete;

  // SIGTERM (redis-server writes its AOF on it), SIGKILL after 5 s. Idempotent.
  void stop();
  // Starts again on the same port and data dir; throws with the log on failure.
  void restart();

  uint16_t port() const { return port_; }
  std::string url(int db = 0) const;
  std::string log() const;

 private:
  bool try_start(std::string& failure, bool& port_taken);

  RedisOptions options_;
  std::filesystem::path dir_;
  uint16_t port_ = 0;
  ChildProcess child_;
};

}  // namespace uvscrape::testing
