// Helpers of the Redis store tests: the store site's items, and a blocking
// client for the test thread (never a loop thread) that reads a run back.
#pragma once

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "redis_fixture.hpp"
#include "store/redis_blocking.hpp"
#include "store/redis_url.hpp"
#include "store_test_support.hpp"

namespace uvscrape::redis_test {

// Every item of the store site's first `pages`, with its lineage (what the
// steps saw of previous_request(), rebuilt from Redis for a request taken
// from it).
inline std::multiset<std::string> expected_items(int pages = store_test::kPages) {
  return store_test::expected_items(pages);
}

// Reads a run back from the test's Redis (blocking: the test thread only).
class RedisClient {
 public:
  explicit RedisClient(uint16_t port)
      : redis_(store::parse_redis_url("redis://127.0.0.1:" + std::to_string(port) + "/0")) {}

  long long integer(const std::vector<std::string>& args) { return redis_.command(args)->integer; }
  std::string text(const std::vector<std::string>& args) {
    const auto r = redis_.command(args);
    return r->str ? std::string(r->str, r->len) : "";
  }
  std::vector<std::string> list(const std::vector<std::string>& args) {
    return redis_.strings(args);
  }
  // The run's stored items' values, as on_data saw them (dumped).
  std::multiset<std::string> items(const std::string& prefix) {
    std::multiset<std::string> out;
    for (const std::string& s : list({"LRANGE", prefix + ":items", "0", "-1"}))
      out.insert(Json::parse(s).at("value").dump());
    return out;
  }

 private:
  store::BlockingRedis redis_;
};

}  // namespace uvscrape::redis_test
