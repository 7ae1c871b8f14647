// Deduplication keys (docs/design.md §2, §23).
#include <gtest/gtest.h>

#include <unordered_set>

#include "uvscrape/uvscrape.hpp"

namespace {

using namespace uvscrape;

std::string key(const Request& r) {
  return r.dedup_key().value();
}

TEST(DedupKey, IsLowerCaseHexSha256) {
  const std::string k = key(Request::get("http://h/cases"));
  ASSERT_EQ(k.size(), 64u);
  EXPECT_EQ(k.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(DedupKey, SameUrlSameKeyDifferentUrlDifferentKey) {
  EXPECT_EQ(key(Request::get("http://h/cases/1")),
            key(Request::get("http://h/cases/1").to("other")));
  EXPECT_NE(key(Request::get("http://h/cases/1")), key(Request::get("http://h/cases/2")));
}

TEST(DedupKey, ParamValuesMatterButNotTheirOrder) {
  auto a = Request::get("http://h/s").params({{"page", "1"}, {"q", "test"}});
  auto b = Request::get("http://h/s").params({{"q", "test"}, {"page", "1"}});
  auto c = Request::get("http://h/s").params({{"q", "test"}, {"page", "2"}});
  EXPECT_EQ(key(a), key(b));
  EXPECT_NE(key(a), key(c));
}

TEST(DedupKey, QueryInTheUrlAndParamsAreTheSameThing) {
  EXPECT_EQ(key(Request::get("http://h/s?q=a%20b&page=1")),
            key(Request::get("http://h/s").params({{"page", "1"}, {"q", "a b"}})));
  EXPECT_EQ(key(Request::get("http://h/s?q=a+b")), key(Request::get("http://h/s?q=a%20b")));
  EXPECT_NE(key(Request::get("http://h/s?q=a%2Bb")), key(Request::get("http://h/s?q=a+b")));
  EXPECT_EQ(key(Request::get("http://h/s?b=2&a=1")), key(Request::get("http://h/s?a=1&b=2")));
}

TEST(DedupKey, FormDataAndJsonBodiesAreOrderInsensitive) {
  EXPECT_EQ(key(Request::post("http://h/f").form({{"a", "1"}, {"b", "2"}})),
            key(Request::post("http://h/f").form({{"b", "2"}, {"a", "1"}})));
  EXPECT_NE(key(Request::post("http://h/f").form({{"a", "1"}})),
            key(Request::post("http://h/f").form({{"a", "2"}})));
  EXPECT_EQ(key(Request::post("http://h/j").json({{"x", 1}, {"y", {{"b", 2}, {"a", 1}}}})),
            key(Request::post("http://h/j").json({{"y", {{"a", 1}, {"b", 2}}}, {"x", 1}})));
  EXPECT_NE(key(Request::post("http://h/j").json({{"x", 1}})),
            key(Request::post("http://h/j").json({{"x", 2}})));
}

TEST(DedupKey, BodyKindsAreDistinct) {
  const auto form = key(Request::post("http://h/f").form({{"a", "1"}}));
  const auto raw = key(Request::post("http://h/f").body("a=1"));
  const auto none = key(Request::post("http://h/f"));
  EXPECT_NE(form, raw);
  EXPECT_NE(form, none);
  EXPECT_NE(raw, none);
  // Raw bytes that are not UTF-8 still make a key.
  EXPECT_NE(key(Request::post("http://h/f").body(std::string("\xff\xfe", 2))), none);
}

// Decision 2: the method is part of the key (jkent).
TEST(DedupKey, MethodIsPartOfTheKey) {
  EXPECT_NE(key(Request::get("http://h/x")), key(Request::post("http://h/x")));
  EXPECT_NE(key(Request::get("http://h/x")), key(Request::head("http://h/x")));
}

TEST(DedupKey, FragmentHeadersCookiesAndFlagsAreNotPartOfTheKey) {
  const auto base = key(Request::get("http://h/x"));
  EXPECT_EQ(key(Request::get("http://h/x#section")), base);
  EXPECT_EQ(key(Request::get("http://h/x").header("A", "1").cookie("c", "1")), base);
  EXPECT_EQ(
      key(Request::get("http://h/x").nonnavigating().priority(1).accumulated_data({{"a", 1}})),
      base);
}

TEST(DedupKey, NormalisedUrlsShareAKey) {
  EXPECT_EQ(key(Request::get("HTTP://H:80/%7Euser/a%20b")),
            key(Request::get("http://h/~user/a b")));
}

// Docs/design.md §23: the key canonicalises further than what is sent.
TEST(DedupKey, UnreservedEscapesHexCaseAndDefaultPortsDoNotMakeANewPage) {
  auto page = std::make_shared<const Request>(Request::get("http://h/").to("s"));
  const Response on_page(200, {}, "", "http://h/", page);
  Request escaped = resolve_yielded(Request::get("/%7Euser/%41b%2d/x%2fy"), on_page);
  Request plain = resolve_yielded(Request::get("/~user/Ab-/x%2Fy"), on_page);
  // Sent as a browser sends them: escapes untouched.
  EXPECT_EQ(escaped.url(), "http://h/%7Euser/%41b%2d/x%2fy");
  EXPECT_EQ(plain.url(), "http://h/~user/Ab-/x%2Fy");
  // One page for dedup.
  EXPECT_EQ(key(escaped), key(plain));
  EXPECT_EQ(*escaped.dedup_fingerprint(), *plain.dedup_fingerprint());
  EXPECT_EQ(key(resolve_yielded(Request::get("http://h:80/~user/Ab-/x%2Fy"), on_page)), key(plain));
  EXPECT_EQ(key(Request::get("https://h:443/a")), key(Request::get("https://h/a")));
  // Reserved escapes stay distinct from the characters they encode.
  EXPECT_NE(key(Request::get("http://h/x%2Fy")), key(Request::get("http://h/x/y")));
  EXPECT_NE(key(Request::get("http://h/a%3Fb")), key(Request::get("http://h/a?b")));
  // Other ports and schemes are other pages.
  EXPECT_NE(key(Request::get("http://h:8080/a")), key(Request::get("http://h/a")));
  EXPECT_NE(key(Request::get("https://h/a")), key(Request::get("http://h/a")));
}

TEST(DedupKey, BrowserEquivalentHrefsShareAKey) {
  auto page = std::make_shared<const Request>(Request::get("http://h/cases/2024/x").to("s"));
  const Response on_page(200, {}, "", "http://h/cases/2024/x", page);
  const std::string k = key(resolve_yielded(Request::get("/cases/attachments/a.pdf"), on_page));
  for (const char* href :
       {"..\\attachments\\a.pdf", "\\cases\\attachments\\a.pdf", "http:../attachments/a.pdf",
        "//H/cases/%2e%2e/cases/attachments/a.pdf", "./../attachments/%61.pdf"}) {
    EXPECT_EQ(key(resolve_yielded(Request::get(href), on_page)), k) << href;
  }
}

// Decision 2: keys come from the resolved request, so one relative link on two
// pages gives two keys, and two links to one place give one key.
TEST(DedupKey, IsComputedAfterResolution) {
  auto page_a = std::make_shared<const Request>(Request::get("http://h/a/").to("s"));
  auto page_b = std::make_shared<const Request>(Request::get("http://h/b/").to("s"));
  Request from_a =
      resolve_yielded(Request::get("next"), Response(200, {}, "", "http://h/a/", page_a));
  Request from_b =
      resolve_yielded(Request::get("next"), Response(200, {}, "", "http://h/b/", page_b));
  EXPECT_NE(key(from_a), key(from_b));
  Request absolute =
      resolve_yielded(Request::get("/b/next"), Response(200, {}, "", "http://h/a/", page_a));
  EXPECT_EQ(key(absolute), key(from_b));
  EXPECT_EQ(key(from_a), key(Request::get("http://h/a/next")));
}

// An entry request (never resolved) and a link to the same page agree.
TEST(DedupKey, EntryAndResolvedLinkToTheSamePageAgree) {
  auto page = std::make_shared<const Request>(Request::get("http://h/x/").to("s"));
  Request link = resolve_yielded(Request::get("../a/./b/../c?x=1#top"),
                                 Response(200, {}, "", "http://h/x/", page));
  EXPECT_EQ(link.url(), "http://h/a/c?x=1#top");
  EXPECT_EQ(key(link), key(Request::get("HTTP://H:80/a/c?x=1")));
  EXPECT_EQ(*link.dedup_fingerprint(), *Request::get("http://h/a/./c?x=1").dedup_fingerprint());
}

TEST(DedupKey, ExplicitKeyIsVerbatimAndSurvivesResolution) {
  auto q = std::make_shared<const Request>(Request::get("http://h/").to("s"));
  Request r = Request::get("doc.pdf").archive("pdf").dedup_key("case-42/opinion");
  EXPECT_EQ(r.dedup_mode(), DedupMode::explicit_key);
  EXPECT_EQ(r.dedup_key(), "case-42/opinion");
  EXPECT_EQ(resolve_yielded(r, Response(200, {}, "", "http://h/", q)).dedup_key(),
            "case-42/opinion");
}

TEST(DedupKey, SkipHasNoKeyAndNoFingerprint) {
  Request r = Request::get("http://h/x").dedup_key(skip_deduplication);
  EXPECT_EQ(r.dedup_mode(), DedupMode::skip);
  EXPECT_FALSE(r.dedup_key());
  EXPECT_FALSE(r.dedup_fingerprint());
  // An explicit key given later wins again.
  r.dedup_key("k");
  EXPECT_EQ(r.dedup_key(), "k");
}

TEST(DedupFingerprint, FollowsTheKeyAndKeepsExplicitKeysApart) {
  auto f1 = Request::get("http://h/x").dedup_fingerprint();
  auto f2 = Request::get("http://h/x#y").dedup_fingerprint();
  auto f3 = Request::get("http://h/z").dedup_fingerprint();
  ASSERT_TRUE(f1 && f2 && f3);
  EXPECT_EQ(*f1, *f2);
  EXPECT_NE(*f1, *f3);
  // An explicit key equal to an automatic key's text is still a different entry.
  const std::string auto_key = key(Request::get("http://h/x"));
  EXPECT_NE(*Request::get("http://h/other").dedup_key(auto_key).dedup_fingerprint(), *f1);
  EXPECT_EQ(*Request::get("http://h/a").dedup_key("k").dedup_fingerprint(),
            *Request::get("http://h/b").dedup_key("k").dedup_fingerprint());
}

// A set-based check as a driver would do it: three identical yields, one kept;
// skip requests never consult it and do not use up the key.
TEST(DedupKey, SeenSetKeepsOneOfThreeIdenticalRequests) {
  std::unordered_set<DedupFingerprint, DedupFingerprintHash> seen;
  int kept = 0;
  auto offer = [&](const Request& r) {
    auto f = r.dedup_fingerprint();
    if (!f || seen.insert(*f).second) ++kept;
  };
  for (int i = 0; i < 3; ++i) offer(Request::get("http://h/dup").dedup_key(skip_deduplication));
  EXPECT_EQ(kept, 3);
  for (int i = 0; i < 3; ++i) offer(Request::get("http://h/dup"));
  EXPECT_EQ(kept, 4);
  offer(Request::get("http://h/dup").dedup_key("custom-1"));
  offer(Request::get("http://h/dup").dedup_key("custom-2"));
  offer(Request::get("http://h/other").dedup_key("custom-1"));
  EXPECT_EQ(kept, 6);
}

}  // namespace
