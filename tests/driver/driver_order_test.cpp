// Queue order (docs/design.md, "The shape", "Priority"): priorities,
// FIFO ties, num_workers = 1 equals a strictly sequential run, and the same set
// of items with 1, 4 and 64 workers on a 1,000-page fan-out.
#include <map>
#include <queue>
#include <set>
#include <tuple>

#include "driver_test_support.hpp"

namespace uvscrape::driver_test {
namespace {

// Paths requested, in arrival order, minus the entry page.
std::vector<std::string> fetched_paths(ThreadedTestServer& server) {
  std::vector<std::string> out;
  for (const auto& r : server->requests())
    if (r.path != "/entry") out.push_back(r.target);
  return out;
}

struct YieldSpec {
  std::string path;
  std::optional<int> priority;
  bool archive = false;
};

// The entry page's step yields `specs` in order; every other page is a leaf.
std::vector<std::string> run_yields(const std::vector<YieldSpec>& specs) {
  ThreadedTestServer server(catch_all());
  LambdaScraper scraper;
  scraper.entries = {Request::get(server.url("/entry")).to("entry")};
  scraper.add_step("entry", [specs](const Response&) -> Step {
    for (const auto& s : specs) {
      Request r = Request::get(s.path).to("leaf");
      if (s.archive) r.archive("pdf");
      if (s.priority) r.priority(*s.priority);
      co_yield r;
    }
  });
  scraper.add_step("leaf", [](const Response&) -> Step { co_return; });
  Driver driver(scraper, test_options("order"));
  Deadline deadline(std::chrono::seconds(30));
  EXPECT_EQ(driver.run().status, RunStatus::completed);
  return fetched_paths(server);
}

TEST(DriverOrder, LowerPriorityFirst) {
  EXPECT_EQ(run_yields({{"/nine", 9}, {"/one", 1}, {"/five", 5}}),
            (std::vector<std::string>{"/one", "/five", "/nine"}));
}

TEST(DriverOrder, DefaultArchiveBeforeDefaultNavigating) {
  EXPECT_EQ(run_yields({{"/page", std::nullopt}, {"/doc.pdf", std::nullopt, true}}),
            (std::vector<std::string>{"/doc.pdf", "/page"}));
}

TEST(DriverOrder, EqualPrioritiesFifo) {
  EXPECT_EQ(run_yields({{"/a", 4}, {"/b", 4}, {"/c", 4}, {"/d", 4}}),
            (std::vector<std::string>{"/a", "/b", "/c", "/d"}));
}

TEST(DriverOrder, ExplicitPrioritySurvivesResolution) {
  EXPECT_EQ(run_yields({{"/late", std::nullopt}, {"/early", 3}}),
            (std::vector<std::string>{"/early", "/late"}));
}

TEST(DriverOrder, ArchivesBeforeNavigating) {
  EXPECT_EQ(run_yields({{"/nav", std::nullopt},
                        {"/1.pdf", std::nullopt, true},
                        {"/2.pdf", std::nullopt, true},
                        {"/3.pdf", std::nullopt, true}}),
            (std::vector<std::string>{"/1.pdf", "/2.pdf", "/3.pdf", "/nav"}));
}

// A tree site with mixed priorities: /n/<id> yields an item and, above depth 3,
// four children whose priorities depend on the id.
constexpr int kBranching = 4;
constexpr int kDepth = 4;
int child_priority(int child_id) {
  return (child_id * 7) % 5 * 2 + 1;
}  // 1..9, mixed

void serve_tree(ThreadedTestServer& server) {
  server->route("GET", "/n/*", [](const ServerRequest& req, ServerResponse& res) {
    res = ServerResponse::html("<p>" + req.path.substr(3) + "</p>");
  });
}

std::vector<int> children_of(int id) {
  int depth = 0;
  for (int x = id; x > 0; x = (x - 1) / kBranching) ++depth;
  if (depth >= kDepth) return {};
  std::vector<int> out;
  for (int k = 1; k <= kBranching; ++k) out.push_back(id * kBranching + k);
  return out;
}

void tree_scraper(LambdaScraper& scraper, const ThreadedTestServer& server) {
  scraper.entries = {Request::get(server.url("/n/0")).to("node")};
  scraper.add_step("node", [](const Response& r) -> Step {
    const int id = std::atoi(r.url.substr(r.url.rfind('/') + 1).c_str());
    for (int child : children_of(id))
      co_yield Request::get("/n/" + std::to_string(child))
          .to("node")
          .priority(child_priority(child));
    Json item = Json::object();
    item["id"] = id;
    co_yield item;
  });
}

// The order a strictly sequential driver observes: pop (priority, counter),
// fetch, apply yields in order (children pushed, then the item delivered).
std::vector<std::string> sequential_events() {
  using Key = std::tuple<int, uint64_t, int>;  // priority, counter, id
  std::priority_queue<Key, std::vector<Key>, std::greater<Key>> queue;
  uint64_t counter = 0;
  queue.emplace(9, counter++, 0);
  std::vector<std::string> events;
  while (!queue.empty()) {
    const int id = std::get<2>(queue.top());
    queue.pop();
    events.push_back("fetch:" + std::to_string(id));
    for (int child : children_of(id)) queue.emplace(child_priority(child), counter++, child);
    events.push_back("data:" + std::to_string(id));
  }
  return events;
}

TEST(DriverOrder, OneWorkerEqualsSequentialRun) {
  ThreadedTestServer server;
  serve_tree(server);
  LambdaScraper scraper;
  tree_scraper(scraper, server);
  Driver driver(scraper, test_options("sequential", 1));
  std::vector<std::string> events;
  driver.on_data = [&](const Json& item) {
    // The fetch of this item's page is the latest request the server saw.
    events.push_back("fetch:" + server->requests().back().path.substr(3));
    events.push_back("data:" + std::to_string(item["id"].get<int>()));
  };
  Deadline deadline(std::chrono::seconds(60));
  const RunResult result = driver.run();
  EXPECT_EQ(result.status, RunStatus::completed);
  const std::vector<std::string> expected = sequential_events();
  EXPECT_EQ(expected.size(), 2u * (1 + 4 + 16 + 64 + 256));
  EXPECT_EQ(events, expected);
  // The server saw the same order.
  std::vector<std::string> fetches;
  for (const auto& r : server->requests()) fetches.push_back("fetch:" + r.path.substr(3));
  std::vector<std::string> expected_fetches;
  for (const auto& e : expected)
    if (e.rfind("fetch:", 0) == 0) expected_fetches.push_back(e);
  EXPECT_EQ(fetches, expected_fetches);
}

// Forty entries and one worker: the driver seeds the first entry, sends it,
// then seeds the other 39 (crawl_run.cpp, seed()). Every entry still comes
// before any child (one priority: first come, first served), and a link back
// to an entry seeded in the second part is a duplicate of it.
TEST(DriverOrder, ManyEntriesKeepTheirPlacesAndTheirKeys) {
  constexpr int kEntries = 40;
  ThreadedTestServer server(catch_all());
  LambdaScraper scraper;
  for (int i = 0; i < kEntries; ++i)
    scraper.entries.push_back(Request::get(server.url("/e/" + std::to_string(i))).to("entry"));
  scraper.add_step("entry", [](const Response& r) -> Step {
    const std::string id = r.url.substr(r.url.rfind('/') + 1);
    co_yield Request::get("/c/" + id).to("leaf");
    if (id == "0") co_yield Request::get("/e/30").to("leaf");  // an entry's page again
  });
  scraper.add_step("leaf", [](const Response&) -> Step { co_return; });
  Driver driver(scraper, test_options("many-entries", 1));
  Deadline deadline(std::chrono::seconds(30));
  const RunResult result = driver.run();
  EXPECT_EQ(result.status, RunStatus::completed);
  EXPECT_EQ(result.requests_completed, 2u * kEntries);
  std::vector<std::string> expected;
  for (const char* kind : {"/e/", "/c/"})
    for (int i = 0; i < kEntries; ++i) expected.push_back(kind + std::to_string(i));
  std::vector<std::string> fetched;
  for (const auto& r : server->requests()) fetched.push_back(r.target);
  EXPECT_EQ(fetched, expected);
}

std::set<std::string> fanout_items(ThreadedTestServer& server, size_t workers, uint64_t* requests) {
  LambdaScraper scraper;
  scraper.entries = {Request::get(server.url("/list/1")).to("list")};
  scraper.add_step("list", [](const Response& r) -> Step {
    for (const auto& href : links(r, "//a[@class='item']/@href"))
      co_yield Request::get(href).to("item");
    for (const auto& href : links(r, "//a[@rel='next']/@href"))
      co_yield Request::get(href).to("list").priority(1);
  });
  scraper.add_step("item", [](const Response& r) -> Step {
    co_yield Json(page_of(r).checked_xpath_strings("//p[@class='v']/text()", "value", 1, 1)[0]);
  });
  Driver driver(scraper, test_options("fanout", workers));
  std::set<std::string> items;
  size_t duplicates = 0;
  driver.on_data = [&](const Json& item) {
    if (!items.insert(item.get<std::string>()).second) ++duplicates;
  };
  Deadline deadline(std::chrono::seconds(90));
  const RunResult result = driver.run();
  EXPECT_EQ(result.status, RunStatus::completed);
  EXPECT_EQ(duplicates, 0u) << "an item was delivered twice with " << workers << " workers";
  EXPECT_EQ(result.items_emitted, items.size());
  *requests = result.requests_completed;
  return items;
}

TEST(DriverOrder, ThousandPageFanOutSameItemsWith1And4And64Workers) {
  ThreadedTestServer server;
  serve_fanout(server, 20, 50);
  uint64_t r1 = 0, r4 = 0, r64 = 0;
  const auto one = fanout_items(server, 1, &r1);
  const auto four = fanout_items(server, 4, &r4);
  const auto many = fanout_items(server, 64, &r64);
  EXPECT_EQ(one.size(), 1000u);
  EXPECT_EQ(one, four);
  EXPECT_EQ(one, many);
  EXPECT_EQ(r1, 1020u);
  EXPECT_EQ(r4, 1020u);
  EXPECT_EQ(r64, 1020u);
  EXPECT_EQ(server->request_count(), 3u * 1020u);  // every request made exactly once per run
}

}  // namespace
}  // namespace uvscrape::driver_test
