// Deduplication (docs/design.md §2, §3): the
// built-in seen-set, duplicate_check replacing it, explicit and skip keys,
// entry requests never dropped.
#include <map>

#include "driver_test_support.hpp"

namespace uvscrape::driver_test {
namespace {

std::map<std::string, int> hits(ThreadedTestServer& server) {
  std::map<std::string, int> out;
  for (const auto& r : server->requests()) ++out[r.target];
  return out;
}

// The entry step yields `make()`'s requests; every other page is a leaf.
template <class Make>
RunResult crawl(ThreadedTestServer& server, Make make, DriverOptions options,
                std::function<void(Driver&)> setup = {}) {
  LambdaScraper scraper;
  scraper.entries = {Request::get(server.url("/entry")).to("entry")};
  scraper.add_step("entry", [make](const Response&) -> Step {
    for (Request& r : make()) co_yield std::move(r);
  });
  scraper.add_step("leaf", [](const Response&) -> Step { co_return; });
  Driver driver(scraper, std::move(options));
  if (setup) setup(driver);
  Deadline deadline(std::chrono::seconds(30));
  return driver.run();
}

std::vector<Request> three_same() {
  return {Request::get("/same").to("leaf"), Request::get("/same").to("leaf"),
          Request::get("/same").to("leaf")};
}

TEST(DriverDedup, BuiltInSeenSetIsOnByDefault) {  // docs/design.md §3
  ThreadedTestServer server(catch_all());
  const RunResult r = crawl(server, three_same, test_options("dedup-builtin"));
  EXPECT_EQ(hits(server)["/same"], 1);
  EXPECT_EQ(r.requests_completed, 2u);
}

TEST(DriverDedup, BuiltInCanBeTurnedOff) {
  ThreadedTestServer server(catch_all());
  DriverOptions o = test_options("dedup-off");
  o.builtin_dedup = false;
  crawl(server, three_same, o);
  EXPECT_EQ(hits(server)["/same"], 3);
}

TEST(DriverDedup, SetBasedDuplicateCheckKeepsOne) {
  ThreadedTestServer server(catch_all());
  std::set<std::string> seen;
  std::vector<std::string> asked;
  DriverOptions o = test_options("dedup-callback");
  o.builtin_dedup = false;
  crawl(server, three_same, o, [&](Driver& d) {
    d.duplicate_check = [&](const std::string& key) {
      asked.push_back(key);
      return seen.insert(key).second;
    };
  });
  EXPECT_EQ(hits(server)["/same"], 1);
  ASSERT_EQ(asked.size(), 3u);  // entry requests are not asked about
  EXPECT_EQ(asked[0], asked[1]);
  EXPECT_EQ(asked[0].size(), 64u);  // the automatic key: SHA-256 hex
}

TEST(DriverDedup, DuplicateCheckReplacesTheBuiltInSet) {  // docs/design.md §3
  ThreadedTestServer server(catch_all());
  crawl(server, three_same, test_options("dedup-replace"),
        [](Driver& d) { d.duplicate_check = [](const std::string&) { return true; }; });
  EXPECT_EQ(hits(server)["/same"], 3);
}

TEST(DriverDedup, CustomKeys) {
  ThreadedTestServer server(catch_all());
  std::vector<std::string> asked;
  crawl(
      server,
      [] {
        return std::vector<Request>{Request::get("/a").to("leaf").dedup_key("k1"),
                                    Request::get("/b").to("leaf").dedup_key("k1"),
                                    Request::get("/c?x=1").to("leaf").dedup_key("k2"),
                                    Request::get("/c?x=1").to("leaf").dedup_key("k3")};
      },
      test_options("dedup-custom"),
      [&](Driver& d) {
        std::set<std::string> seen;
        d.duplicate_check = [&asked, seen](const std::string& key) mutable {
          asked.push_back(key);
          return seen.insert(key).second;
        };
      });
  auto h = hits(server);
  EXPECT_EQ(h["/a"], 1);
  EXPECT_EQ(h["/b"], 0);      // same custom key as /a
  EXPECT_EQ(h["/c?x=1"], 2);  // different custom keys for the same URL
  EXPECT_EQ(asked, (std::vector<std::string>{"k1", "k1", "k2", "k3"}));
}

TEST(DriverDedup, SkipKeysBypassAndDoNotUseUpTheKey) {
  ThreadedTestServer server(catch_all());
  std::vector<std::string> asked;
  std::set<std::string> seen;
  crawl(
      server,
      [] {
        std::vector<Request> out;
        for (int i = 0; i < 3; ++i)
          out.push_back(Request::get("/s").to("leaf").dedup_key(skip_deduplication));
        out.push_back(Request::get("/s").to("leaf"));
        return out;
      },
      test_options("dedup-skip"),
      [&](Driver& d) {
        d.duplicate_check = [&](const std::string& key) {
          asked.push_back(key);
          return seen.insert(key).second;
        };
      });
  EXPECT_EQ(hits(server)["/s"], 4);
  EXPECT_EQ(asked.size(), 1u);  // only the normal request was asked about
}

TEST(DriverDedup, SkipKeysBypassTheBuiltInSetToo) {
  ThreadedTestServer server(catch_all());
  crawl(
      server,
      [] {
        return std::vector<Request>{Request::get("/s").to("leaf"),
                                    Request::get("/s").to("leaf").dedup_key(skip_deduplication),
                                    Request::get("/s").to("leaf")};
      },
      test_options("dedup-skip-builtin"));
  EXPECT_EQ(hits(server)["/s"], 2);
}

TEST(DriverDedup, EntriesAreNeverDroppedButALinkBackIs) {  // docs/design.md §3
  ThreadedTestServer server(catch_all());
  LambdaScraper scraper;
  scraper.entries = {Request::get(server.url("/entry")).to("entry"),
                     Request::get(server.url("/entry")).to("entry")};
  scraper.add_step("entry", [](const Response&) -> Step {
    co_yield Request::get("/entry").to("entry");  // a link back to the start page
    co_yield Request::get("/leaf").to("leaf");
  });
  scraper.add_step("leaf", [](const Response&) -> Step { co_return; });
  Driver driver(scraper, test_options("dedup-entry"));
  Deadline deadline(std::chrono::seconds(30));
  driver.run();
  auto h = hits(server);
  EXPECT_EQ(h["/entry"], 2);  // both entries fetched, the link back was not
  EXPECT_EQ(h["/leaf"], 1);
  EXPECT_EQ(driver.progress().duplicates_dropped, 3u);  // 2 links back + 1 leaf repeat
}

TEST(DriverDedup, RelativeLinksDedupAfterResolution) {  // docs/design.md §2
  ThreadedTestServer server(catch_all());
  LambdaScraper scraper;
  scraper.entries = {Request::get(server.url("/dir/")).to("entry")};
  scraper.add_step("entry", [](const Response&) -> Step {
    co_yield Request::get("x").to("leaf");           // /dir/x
    co_yield Request::get("/dir/x").to("leaf");      // the same page
    co_yield Request::get("../dir/./x").to("leaf");  // the same page again
  });
  scraper.add_step("leaf", [](const Response&) -> Step { co_return; });
  Driver driver(scraper, test_options("dedup-resolved"));
  Deadline deadline(std::chrono::seconds(30));
  driver.run();
  EXPECT_EQ(hits(server)["/dir/x"], 1);
}

}  // namespace
}  // namespace uvscrape::driver_test
