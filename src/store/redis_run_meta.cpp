// See redis_run_meta.hpp. Blocking (the CLI's thread only).
#include "store/redis_run_meta.hpp"

#include "store/redis_blocking.hpp"
#include "uvscrape/errors.hpp"

namespace uvscrape::store {

RedisRunMeta read_redis_run_meta(const RedisAddress& address) {
  BlockingRedis redis(address);
  const std::string p = address.prefix + ":";
  RedisRunMeta out;
  const auto flat = redis.strings({"HGETALL", p + "meta"});
  for (std::size_t i = 0; i + 1 < flat.size(); i += 2) out.meta[flat[i]] = flat[i + 1];
  if (out.meta.empty())
    throw StoreError(address.url, "holds no run under prefix " + address.prefix);
  const auto items = redis.command({"LLEN", p + "items"});
  out.items = items->type == REDIS_REPLY_INTEGER ? static_cast<std::int64_t>(items->integer) : 0;
  return out;
}

}  // namespace uvscrape::store
