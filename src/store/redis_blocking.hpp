// A synchronous hiredis connection to Redis, for a thread that runs no loop
// (the CLI's snapshot of a Redis run, store/redis_snapshot.hpp; tests).
// Every call blocks: never on a loop thread, where the store's own
// asynchronous connection (store/redis_connection.hpp) serves.
#pragma once

#include <hiredis/hiredis.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/redis_url.hpp"

namespace uvscrape::store {

using RedisReplyPtr = std::unique_ptr<redisReply, void (*)(void*)>;

class BlockingRedis {
 public:
  // Connects (5 s at most), AUTH and SELECT; throws StoreError naming the URL.
  explicit BlockingRedis(RedisAddress address);
  ~BlockingRedis();
  BlockingRedis(const BlockingRedis&) = delete;
  BlockingRedis& operator=(const BlockingRedis&) = delete;

  // The reply; throws StoreError on a lost connection or an error reply.
  RedisReplyPtr command(const std::vector<std::string>& args);
  // A hash's fields and values, or a list's or set's members, as strings.
  std::vector<std::string> strings(const std::vector<std::string>& args);
  std::optional<std::string> hget(const std::string& key, const std::string& field);

 private:
  const RedisAddress address_;
  redisContext* context_ = nullptr;
};

}  // namespace uvscrape::store
