// Reading a Redis store's URL (store/redis_url.hpp).
#include "store/redis_url.hpp"

#include <gtest/gtest.h>

#include "uvscrape/errors.hpp"

namespace uvscrape::store {
namespace {

TEST(RedisUrl, ReadsEveryPartAndMasksThePassword) {
  const RedisAddress a =
      parse_redis_url("redis://:s3cret@127.0.0.1:7000/3?prefix=courts&lease_ms=2000&window=16");
  EXPECT_EQ(a.host, "127.0.0.1");
  EXPECT_EQ(a.port, 7000);
  EXPECT_EQ(a.db, 3);
  EXPECT_EQ(a.prefix, "courts");
  EXPECT_EQ(a.password, "s3cret");
  EXPECT_EQ(a.lease, std::chrono::milliseconds(2000));
  EXPECT_EQ(a.window, 16u);
  EXPECT_EQ(a.url, "redis://127.0.0.1:7000/3?prefix=courts");
  const RedisAddress d = parse_redis_url("redis://localhost?password=p%40ss");
  EXPECT_EQ(d.host, "127.0.0.1");
  EXPECT_EQ(d.port, 6379);
  EXPECT_EQ(d.db, 0);
  EXPECT_EQ(d.prefix, "uvscrape");
  EXPECT_EQ(d.password, "p@ss");
  EXPECT_TRUE(is_redis_url("redis://x"));
  EXPECT_FALSE(is_redis_url("run.db"));
}

TEST(RedisUrl, RefusesWhatItCannotDoWithoutBlockingOrSafely) {
  auto reason = [](const std::string& url) {
    try {
      parse_redis_url(url);
    } catch (const StoreError& e) {
      EXPECT_EQ(e.file().find("secret"), std::string::npos) << e.file();
      return e.reason();
    }
    return std::string("no error");
  };
  EXPECT_NE(reason("redis://redis.example:6379").find("IP address"), std::string::npos);
  EXPECT_NE(reason("rediss://:secret@127.0.0.1").find("TLS"), std::string::npos);
  EXPECT_NE(reason("redis://127.0.0.1:99999").find("port"), std::string::npos);
  EXPECT_NE(reason("redis://127.0.0.1?secret=1").find("unknown"), std::string::npos);
  EXPECT_NE(reason("redis://127.0.0.1?lease_ms=5").find("lease_ms"), std::string::npos);
}

}  // namespace
}  // namespace uvscrape::store
