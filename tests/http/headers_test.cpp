#include "uvscrape/headers.hpp"

#include <gtest/gtest.h>

#include "common/ascii.hpp"

namespace uvscrape {
namespace {

TEST(Headers, LookupIsCaseInsensitiveAndKeepsOrderAndRepeats) {
  Headers h;
  h.add("Set-Cookie", "a=1");
  h.add("Content-Type", "text/html");
  h.add("set-cookie", "b=2");
  EXPECT_EQ(h.get("content-type"), "text/html");
  EXPECT_EQ(h.get("SET-COOKIE"), "a=1");
  auto all = h.get_all("Set-Cookie");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0], "a=1");
  EXPECT_EQ(all[1], "b=2");
  EXPECT_FALSE(h.get("Location").has_value());
  EXPECT_TRUE(h.contains("CONTENT-TYPE"));
  EXPECT_EQ(h.size(), 3u);
  EXPECT_EQ(h.items()[2].first, "set-cookie");  // names kept as received
}

TEST(Headers, IequalsComparesAsciiOnly) {
  EXPECT_TRUE(iequals("Content-Length", "content-length"));
  EXPECT_FALSE(iequals("Content-Length", "content-lengt"));
  EXPECT_FALSE(iequals("a", "b"));
  EXPECT_TRUE(iequals("", ""));
}

}  // namespace
}  // namespace uvscrape
