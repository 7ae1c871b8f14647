// See redis_blocking.hpp.
#include "store/redis_blocking.hpp"

#include <sys/time.h>

#include "uvscrape/errors.hpp"

namespace uvscrape::store {

BlockingRedis::BlockingRedis(RedisAddress address) : address_(std::move(address)) {
  const timeval timeout{5, 0};
  context_ = redisConnectWithTimeout(address_.host.c_str(), address_.port, timeout);
  if (!context_ || context_->err) {
    const std::string reason = context_ ? context_->errstr : "out of memory";
    redisFree(context_);
    throw StoreError(address_.url, "cannot connect to Redis: " + reason);
  }
  try {
    if (!address_.password.empty()) command({"AUTH", address_.password});
    command({"SELECT", std::to_string(address_.db)});
  } catch (...) {
    redisFree(context_);
    throw;
  }
}

BlockingRedis::~BlockingRedis() {
  redisFree(context_);
}

RedisReplyPtr BlockingRedis::command(const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* r = static_cast<redisReply*>(
      redisCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), lens.data()));
  if (!r) throw StoreError(address_.url, std::string("Redis: ") + context_->errstr);
  RedisReplyPtr reply(r, freeReplyObject);
  if (r->type == REDIS_REPLY_ERROR)
    throw StoreError(address_.url, "Redis replied: " + std::string(r->str, r->len));
  return reply;
}

std::vector<std::string> BlockingRedis::strings(const std::vector<std::string>& args) {
  const RedisReplyPtr r = command(args);
  std::vector<std::string> out;
  for (size_t i = 0; i < r->elements; ++i)
    out.emplace_back(r->element[i]->str ? r->element[i]->str : "", r->element[i]->len);
  return out;
}

std::optional<std::string> BlockingRedis::hget(const std::string& key, const std::string& field) {
  const RedisReplyPtr r = command({"HGET", key, field});
  if (r->type != REDIS_REPLY_STRING) return std::nullopt;
  return std::string(r->str, r->len);
}

}  // namespace uvscrape::store
