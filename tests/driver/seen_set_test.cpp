// The built-in dedup set (docs/design.md §3): membership and bytes per key at 10 million keys.
#include "store/seen_set.hpp"

#include <gtest/gtest.h>

#include <charconv>
#include <string>

namespace uvscrape::store {
namespace {

TEST(SeenSet, InsertReportsNewKeysOnce) {
  SeenSet seen;
  EXPECT_TRUE(seen.insert("http://h/a"));
  EXPECT_FALSE(seen.insert("http://h/a"));
  EXPECT_TRUE(seen.insert("http://h/b"));
  EXPECT_TRUE(seen.contains("http://h/b"));
  EXPECT_FALSE(seen.contains("http://h/c"));
  EXPECT_TRUE(seen.insert(""));
  EXPECT_FALSE(seen.insert(""));
  EXPECT_EQ(seen.size(), 3u);
}

TEST(SeenSet, HashSeparatesNearKeys) {
  // Keys that differ in one byte, in length only, or in trailing zero bytes.
  EXPECT_NE(hash_key("a"), hash_key("b"));
  EXPECT_NE(hash_key("abcdefgh"), hash_key(std::string_view("abcdefgh\0", 9)));
  EXPECT_NE(hash_key(std::string_view("\0", 1)), hash_key(""));
  EXPECT_NE(hash_key("http://h/cases/1.html"), hash_key("http://h/cases/2.html"));
}

TEST(SeenSet, TenMillionKeysUnder32BytesEach) {
  constexpr size_t kKeys = 10'000'000;
  SeenSet seen;
  char buf[48] = "https://example.org/cases/";
  const size_t prefix = std::char_traits<char>::length(buf);
  for (size_t i = 0; i < kKeys; ++i) {
    auto [end, ec] = std::to_chars(buf + prefix, buf + sizeof buf, i);
    ASSERT_TRUE(seen.insert(std::string_view(buf, static_cast<size_t>(end - buf)))) << i;
  }
  ASSERT_EQ(seen.size(), kKeys);
  const double bytes_per_key = static_cast<double>(seen.memory_bytes()) / kKeys;
  RecordProperty("bytes_per_key", std::to_string(bytes_per_key));
  std::printf("seen-set: %zu keys, %.1f bytes/key\n", kKeys, bytes_per_key);
  EXPECT_LE(bytes_per_key, 32.0);
  // Every key is still found, repeats are refused.
  size_t found = 0;
  for (size_t i = 0; i < kKeys; i += 997) {
    auto [end, ec] = std::to_chars(buf + prefix, buf + sizeof buf, i);
    found += seen.insert(std::string_view(buf, static_cast<size_t>(end - buf))) ? 0 : 1;
  }
  EXPECT_EQ(found, (kKeys + 996) / 997);
}

}  // namespace
}  // namespace uvscrape::store
