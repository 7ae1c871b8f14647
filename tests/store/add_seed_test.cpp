// Entries added to a stored run (DriverOptions::add_seed_params, --add-seed):
// a completed run reopened with new entry parameters continues with them and
// fetches nothing it already did; the same addition made again adds nothing.
#include <set>
#include <string>

#include "store_test_support.hpp"
#include "uvscrape/driver.hpp"

namespace uvscrape::store_test {
namespace {

// One list page per seed, no "next" links: the seed decides what is crawled.
class PagedScraper : public Scraper<Json> {
 public:
  explicit PagedScraper(std::string base) : Scraper<Json>("Paged"), base_(std::move(base)) {
    entry("cases", &PagedScraper::cases, {"page"});
    step("list", [](const Response& r) -> Step {
      for (const auto& href :
           r.page().checked_xpath_strings("//a[@class='case']/@href", "cases", 0)) {
        Request child = Request::get(href).to("case");
        co_yield std::move(child);
      }
    });
    step("case", [](const Response& r) -> Step {
      Json item = {
          {"case", r.page().checked_xpath_strings("//p[@class='id']/text()", "id", 1, 1).at(0)}};
      co_yield std::move(item);
    });
  }
  Request cases(int page) {
    return Request::get(base_ + "/list/" + std::to_string(page)).to("list");
  }

 private:
  std::string base_;
};

struct Outcome {
  RunResult result;
  std::set<std::string> items;
};

Outcome run(const ThreadedTestServer& server, const std::string& store, std::optional<Json> add) {
  PagedScraper scraper("http://127.0.0.1:" + std::to_string(server.port()));
  DriverOptions o;
  o.num_workers = 4;
  o.store_path = store;
  o.seed_params = Json::parse(R"([{"cases": {"page": 1}}])");
  o.add_seed_params = std::move(add);
  Driver driver(scraper, o);
  Outcome out;
  driver.on_data = [&](const Json& item) { out.items.insert(item.at("case").get<std::string>()); };
  out.result = driver.run();
  return out;
}

std::set<std::string> cases_of(int page) {
  std::set<std::string> out;
  for (int i = 0; i < kPerPage; ++i) out.insert(std::to_string(page) + "-" + std::to_string(i));
  return out;
}

TEST(AddSeed, ACompletedRunContinuesWithTheAddedEntriesOnly) {
  ThreadedTestServer server;
  serve_store_site(server, false);
  const auto dir = fresh_dir("add-seed");
  const std::string store = (dir / "run.db").string();
  const Outcome first = run(server, store, std::nullopt);
  ASSERT_EQ(first.result.status, RunStatus::completed);
  EXPECT_EQ(first.items, cases_of(1));
  const size_t after_first = server->request_count();

  const Json page2 = Json::parse(R"([{"cases": {"page": 2}}])");
  const Outcome added = run(server, store, page2);
  EXPECT_EQ(added.result.status, RunStatus::completed);
  EXPECT_TRUE(added.result.resumed);
  EXPECT_FALSE(added.result.already_finished);
  EXPECT_EQ(added.items, cases_of(2));  // page 1 is not fetched again
  EXPECT_EQ(server->request_count(), after_first + 1 + kPerPage);
  const size_t after_added = server->request_count();

  const Outcome again = run(server, store, page2);  // the same addition: a duplicate entry
  EXPECT_EQ(again.result.status, RunStatus::completed);
  EXPECT_TRUE(again.items.empty());
  EXPECT_EQ(server->request_count(), after_added);

  const Outcome plain = run(server, store, std::nullopt);
  EXPECT_TRUE(plain.result.already_finished);
  {
    StoreFile f(store);
    EXPECT_EQ(f.number("SELECT count(*) FROM items"), 2 * kPerPage);
    EXPECT_EQ(f.one("SELECT value FROM meta WHERE key = 'status'"), "completed");
  }
  server.stop();
  EXPECT_EQ(server.loop_close_result(), 0);
}

}  // namespace
}  // namespace uvscrape::store_test
