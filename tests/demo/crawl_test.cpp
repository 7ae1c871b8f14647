// The demo scraper against the demo site on a real socket: the items must be
// the data set exactly, and the archived media must have the served bytes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <uvscrape/driver.hpp>
#include <vector>

#include "bug_court_scraper.hpp"
#include "court_data.hpp"
#include "court_media.hpp"
#include "site_handler.hpp"
#include "threaded_test_server.hpp"

namespace {

namespace fs = std::filesystem;
using uvscrape::Json;
using uvscrape::testing::ThreadedTestServer;

// Stops the driver (and fails the test) if a run outlives its deadline.
class Watchdog {
 public:
  Watchdog(uvscrape::Driver& driver, std::chrono::seconds limit)
      : thread_([this, &driver, limit] {
          std::unique_lock lock(mutex_);
          if (!done_cv_.wait_for(lock, limit, [this] { return done_; })) {
            fired_ = true;
            driver.stop();
          }
        }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    done_cv_.notify_all();
    thread_.join();
  }
  bool fired() const { return fired_; }

 private:
  std::mutex mutex_;
  std::condition_variable done_cv_;
  bool done_ = false;
  std::atomic<bool> fired_{false};
  std::thread thread_;
};

struct CrawlOutcome {
  uvscrape::RunResult result;
  std::map<std::string, std::vector<Json>> items;  // by model, in emission order
  std::vector<std::string> errors;
  bool watchdog_fired = false;
};

class DemoCrawl : public ::testing::Test {
 protected:
  void SetUp() override {
    bug_court::install_site(server_.server());
    storage_ = fs::temp_directory_path() /
               ("uvscrape-demo-test-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(storage_);
  }
  void TearDown() override {
    server_.stop();
    EXPECT_EQ(server_.loop_close_result(), 0);
    fs::remove_all(storage_);
  }

  std::string base_url() const { return server_.url(""); }

  CrawlOutcome crawl(std::optional<Json> seed, std::size_t workers = 4) {
    bug_court::BugCourtScraper scraper(base_url());
    uvscrape::DriverOptions options;
    options.num_workers = workers;
    options.storage_dir = storage_.string();
    options.seed_params = std::move(seed);
    uvscrape::Driver driver(scraper, options);
    CrawlOutcome out;
    driver.on_data = [&](const Json& item) {
      out.items[bug_court::item_type(item)].push_back(item);
    };
    driver.on_invalid_data = [&](const uvscrape::DeferredItem& item) {
      out.errors.push_back("invalid " + item.model_name() + ": " + item.raw_data().dump());
    };
    driver.on_structural_error = [&](const uvscrape::ScraperAssumptionException& e) {
      out.errors.push_back(e.what());
      return true;
    };
    driver.on_transient_exception = [&](const uvscrape::TransientException& e) {
      out.errors.push_back(e.what());
      return true;
    };
    Watchdog watchdog(driver, std::chrono::seconds(30));
    out.result = driver.run();
    out.watchdog_fired = watchdog.fired();
    return out;
  }

  // The fixture's items of one model, URLs made absolute for this server.
  std::vector<Json> expected(const std::string& model) const {
    const char* root = std::getenv("UVSCRAPE_SOURCE_ROOT");
    fs::path path = fs::path(root ? root : ".") / "examples" / "bug_court" / "expected_items.json";
    std::ifstream in(path);
    EXPECT_TRUE(in.good()) << "cannot read " << path;
    std::stringstream text;
    text << in.rdbuf();
    std::string body = text.str();
    const std::string placeholder = "{base_url}";
    for (auto pos = body.find(placeholder); pos != std::string::npos;
         pos = body.find(placeholder, pos))
      body.replace(pos, placeholder.size(), base_url());
    Json all = Json::parse(body);
    std::vector<Json> items;
    for (const auto& item : all.at(model)) items.push_back(item);
    return items;
  }

  ThreadedTestServer server_;
  fs::path storage_;
};

std::string sort_key(const Json& item) {
  return item.contains("docket") ? item["docket"].get<std::string>()
                                 : item.value("name", std::string());
}

std::vector<Json> sorted(std::vector<Json> items) {
  std::sort(items.begin(), items.end(),
            [](const Json& a, const Json& b) { return sort_key(a) < sort_key(b); });
  return items;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

// Checks each media item's archived file against the bytes the site serves,
// then drops local_path so the rest compares with the fixture.
std::vector<Json> check_and_strip_files(std::vector<Json> items, bool audio) {
  for (auto& item : items) {
    std::string docket = item.value("docket", std::string());
    bool has_path = item.contains("local_path") && item["local_path"].is_string();
    EXPECT_TRUE(has_path) << item.dump();
    if (!has_path) continue;
    std::string path = item["local_path"].get<std::string>();
    EXPECT_TRUE(fs::is_regular_file(path)) << path;
    std::string expected =
        audio ? bug_court::generate_wav(docket) : bug_court::generate_png(docket);
    EXPECT_TRUE(read_file(path) == expected)
        << "archived bytes differ for " << docket << " at " << path;
    item.erase("local_path");
  }
  return items;
}

Json full_seed() {
  Json seed = Json::array();
  for (int year : {2024, 2025, 2026})
    seed.push_back({{"fetch_case", {{"case_id", {{"year", year}, {"min", 1}, {"gap", 3}}}}}});
  seed.push_back({{"get_justices", Json::object()}});
  seed.push_back({{"get_oral_arguments", Json::object()}});
  return seed;
}

TEST_F(DemoCrawl, FullSeedEmitsTheDataSetExactly) {
  CrawlOutcome out = crawl(full_seed());
  ASSERT_FALSE(out.watchdog_fired);
  EXPECT_EQ(out.result.status, uvscrape::RunStatus::completed);
  EXPECT_TRUE(out.errors.empty()) << out.errors.front();

  EXPECT_EQ(sorted(out.items["CaseData"]), expected("CaseData"));
  EXPECT_EQ(sorted(out.items["JusticeData"]), sorted(expected("JusticeData")));
  EXPECT_EQ(check_and_strip_files(sorted(out.items["OpinionData"]), false),
            expected("OpinionData"));
  EXPECT_EQ(check_and_strip_files(sorted(out.items["OralArgumentData"]), true),
            expected("OralArgumentData"));
  EXPECT_EQ(out.items.count("unknown"), 0u);
  EXPECT_EQ(out.result.items_emitted, 30u + 7u + 15u + 17u);

  // Oral-argument pages are linked from the case pages and from the list; the
  // driver's built-in dedup fetches each once.
  std::map<std::string, int> fetches;
  for (const auto& request : server_->requests()) ++fetches[request.path];
  for (const auto& item : bug_court::cases()) {
    if (!item.has_oral_argument) continue;
    EXPECT_EQ(fetches["/oral-arguments/" + item.docket()], 1) << item.docket();
    EXPECT_EQ(fetches[item.oral_argument_audio_url()], 1) << item.docket();
  }
}

TEST_F(DemoCrawl, WithoutSeedTheParameterlessEntriesRun) {
  CrawlOutcome out = crawl(std::nullopt);
  ASSERT_FALSE(out.watchdog_fired);
  EXPECT_EQ(out.result.status, uvscrape::RunStatus::completed);
  EXPECT_TRUE(out.errors.empty()) << out.errors.front();
  EXPECT_EQ(sorted(out.items["JusticeData"]), sorted(expected("JusticeData")));
  EXPECT_EQ(check_and_strip_files(sorted(out.items["OralArgumentData"]), true),
            expected("OralArgumentData"));
  EXPECT_EQ(out.items.count("CaseData"), 0u);
  EXPECT_EQ(out.items.count("OpinionData"), 0u);
}

TEST_F(DemoCrawl, SpeculationStopsAfterTheGapOfSoft404s) {
  Json seed =
      Json::array({{{"fetch_case", {{"case_id", {{"year", 2025}, {"min", 1}, {"gap", 3}}}}}}});
  CrawlOutcome out = crawl(seed, 1);
  ASSERT_FALSE(out.watchdog_fired);
  EXPECT_EQ(out.result.status, uvscrape::RunStatus::completed);
  std::vector<std::string> dockets;
  for (const auto& item : out.items["CaseData"]) dockets.push_back(item["docket"]);
  std::sort(dockets.begin(), dockets.end());
  std::vector<std::string> want;
  for (const auto& item : bug_court::cases())
    if (item.year == 2025) want.push_back(item.docket());
  EXPECT_EQ(dockets, want);

  // Probes go past case 10 until three consecutive soft 404s, and not much further.
  long highest_probe = 0;
  for (const auto& request : server_->requests())
    if (request.path.rfind("/cases/2025/", 0) == 0)
      highest_probe = std::max(highest_probe, std::stol(request.path.substr(12)));
  EXPECT_GE(highest_probe, 13);
  EXPECT_LE(highest_probe, 16);
}

TEST_F(DemoCrawl, DateSearchSubmitsTheFormAndFollowsEveryResult) {
  Json seed = Json::array({{{"cases_by_date_filed",
                             {{"date_range", {{"start", "2025-01-01"}, {"end", "2025-06-30"}}}}}}});
  CrawlOutcome out = crawl(seed);
  ASSERT_FALSE(out.watchdog_fired);
  EXPECT_EQ(out.result.status, uvscrape::RunStatus::completed);
  EXPECT_TRUE(out.errors.empty()) << out.errors.front();
  std::set<std::string> dockets;
  for (const auto& item : out.items["CaseData"]) dockets.insert(item["docket"]);
  std::set<std::string> want;
  for (const auto& item : bug_court::cases())
    if (item.date_filed >= "2025-01-01" && item.date_filed <= "2025-06-30")
      want.insert(item.docket());
  EXPECT_EQ(dockets, want);
  EXPECT_EQ(want.size(), 7u);

  bool submitted = false;
  for (const auto& request : server_->requests())
    submitted |= request.target == "/cases/search?from_date=2025-01-01&to_date=2025-06-30";
  EXPECT_TRUE(submitted);
}

TEST_F(DemoCrawl, AnInvalidFieldReachesOnInvalidDataWithItsLocation) {
  // The same site, except that one case page carries a date that is not a date.
  server_->route("GET", "/cases/2024/2", [](const auto& request, auto& response) {
    bug_court::serve_site(request, response);
    auto pos = response.body.find("2024-01-22");
    response.body.replace(pos, 10, "22 Jan 2024");
  });
  bug_court::BugCourtScraper scraper(base_url());
  uvscrape::DriverOptions options;
  options.storage_dir = storage_.string();
  options.seed_params =
      Json::array({{{"fetch_case", {{"case_id", {{"year", 2024}, {"min", 1}, {"gap", 2}}}}}}});
  uvscrape::Driver driver(scraper, options);
  std::vector<std::string> invalid;
  std::uint64_t cases = 0;
  driver.on_data = [&](const Json& item) { cases += bug_court::item_type(item) == "CaseData"; };
  driver.on_invalid_data = [&](const uvscrape::DeferredItem& item) {
    try {
      item.confirm_json();
    } catch (const uvscrape::DataFormatAssumptionException& e) {
      invalid.push_back(item.model_name() + ":" +
                        e.errors().at(0).at("loc").at(0).get<std::string>());
    }
  };
  Watchdog watchdog(driver, std::chrono::seconds(30));
  auto result = driver.run();
  ASSERT_FALSE(watchdog.fired());
  EXPECT_EQ(result.status, uvscrape::RunStatus::completed);
  EXPECT_EQ(invalid, std::vector<std::string>{"CaseData:date_filed"});
  EXPECT_EQ(cases, 9u);
}

}  // namespace
