// Helpers of the Redis store tests: a blocking hiredis client for the test
// thread (never a loop thread) that reads a run back from Redis.
#pragma once

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "redis_fixture.hpp"
#include "store_test_support.hpp"

namespace uvscrape::redis_test {

// Every item of the store site's first `pages`, with its lineage (what the
// steps saw of previous_request(), rebuilt from Redis for a request taken
// from it).
inline std::multiset<std::string> expected_items(int pages = store_test::kPages) {
  return store_test::expected_items(pages);
}

class RedisClient {
 public:
  explicit RedisClient(uint16_t port) {
    context_ = redisConnect("127.0.0.1", port);
    if (!context_ || context_->err)
      throw std::runtime_error("cannot connect to the test's redis-server");
  }
  ~RedisClient() { redisFree(context_); }
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  long long integer(const std::vector<std::string>& args) {
    redisReply* r = command(args);
    const long long v = r->integer;
    freeReplyObject(r);
    return v;
  }
  std::string text(const std::vector<std::string>& args) {
    redisReply* r = command(args);
    std::string v = r->str ? std::string(r->str, r->len) : "";
    freeReplyObject(r);
    return v;
  }
  std::vector<std::string> list(const std::vector<std::string>& args) {
    redisReply* r = command(args);
    std::vector<std::string> out;
    for (size_t i = 0; i < r->elements; ++i)
      out.emplace_back(r->element[i]->str ? r->element[i]->str : "", r->element[i]->len);
    freeReplyObject(r);
    return out;
  }
  // The run's stored items' values, as on_data saw them (dumped).
  std::multiset<std::string> items(const std::string& prefix) {
    std::multiset<std::string> out;
    for (const std::string& s : list({"LRANGE", prefix + ":items", "0", "-1"}))
      out.insert(Json::parse(s).at("value").dump());
    return out;
  }

 private:
  redisReply* command(const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const auto& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    auto* r = static_cast<redisReply*>(
        redisCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), lens.data()));
    if (!r) throw std::runtime_error("redis command failed: " + args.at(0));
    return r;
  }

  redisContext* context_ = nullptr;
};

}  // namespace uvscrape::redis_test
