// The Redis store's cache of previous_request() chains (store/ancestor_cache.hpp):
// chains are found by id, the recent parents are named newest first without
// repeats, and trimming to the capacity drops the oldest but never a recent
// parent (the next refill's script stops walking at those).
#include <gtest/gtest.h>

#include <algorithm>

#include "store/ancestor_cache.hpp"

namespace uvscrape::store {
namespace {

std::shared_ptr<const Request> page(int i) {
  return std::make_shared<const Request>(Request::get("http://h/list/" + std::to_string(i)));
}

TEST(AncestorCache, FindsWhatWasAddedAndNamesRecentParentsNewestFirst) {
  AncestorCache cache;
  EXPECT_EQ(cache.find("1"), nullptr);
  cache.add("1", page(1));
  cache.add("2", page(2));
  ASSERT_NE(cache.find("2"), nullptr);
  EXPECT_EQ(cache.find("2")->url(), "http://h/list/2");
  cache.note_parent("1");
  cache.note_parent("1");  // siblings: named once
  cache.note_parent("2");
  cache.note_parent("1");
  cache.note_parent("9");  // not kept: never named
  cache.note_parent("");
  EXPECT_EQ(cache.recent_parents(), (std::deque<std::string>{"1", "2"}));
}

TEST(AncestorCache, TrimDropsTheOldestButKeepsTheRecentParents) {
  AncestorCache cache(3);
  for (int i = 0; i < 6; ++i) cache.add(std::to_string(i), page(i));
  cache.note_parent("0");
  cache.note_parent("1");
  cache.trim();
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_NE(cache.find("0"), nullptr);  // oldest, but a recent parent
  EXPECT_NE(cache.find("1"), nullptr);
  EXPECT_EQ(cache.find("2"), nullptr);
  EXPECT_EQ(cache.find("4"), nullptr);
  EXPECT_NE(cache.find("5"), nullptr);  // the newest stays
  // The recent parents are bounded, and what they name is always kept.
  AncestorCache many(1);
  for (int i = 0; i < 200; ++i) {
    many.add(std::to_string(i), page(i));
    many.note_parent(std::to_string(i));
  }
  many.trim();
  EXPECT_EQ(many.recent_parents().size(), AncestorCache::kRecentParents);
  EXPECT_EQ(many.size(), AncestorCache::kRecentParents);
  for (const std::string& id : many.recent_parents()) EXPECT_NE(many.find(id), nullptr) << id;
}

}  // namespace
}  // namespace uvscrape::store
