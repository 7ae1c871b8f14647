// Speculation end to end (docs/design.md, "Speculation", §10): probes
// continue while IDs exist, a soft 404 or a persistent status counts as a
// failure, and a persistent status on a probe does not run its step.
#include <set>

#include "driver_test_support.hpp"

namespace uvscrape::driver_test {
namespace {

class ProbingScraper : public Scraper<Json> {
 public:
  explicit ProbingScraper(std::string base) : Scraper("ProbingScraper"), base_(std::move(base)) {
    entry("fetch_case", &ProbingScraper::fetch_case, {"case_id"});
    step("case_page", &ProbingScraper::case_page);
  }
  Request fetch_case(SpeculativeRange case_id) {
    return Request::get(base_ + "/case/" + std::to_string(case_id.min)).to("case_page");
  }
  Step case_page(const Response& r) {
    ++steps_run;
    if (r.content.find("not found") != std::string::npos) co_return;
    co_yield Json(std::atoi(r.url.substr(r.url.rfind('/') + 1).c_str()));
  }
  bool fails_successfully(const Response& r) const override {
    return r.content.find("not found") == std::string::npos;
  }
  int steps_run = 0;

 private:
  std::string base_;
};

// /case/<id> exists for ids in `existing`; others answer a soft 404 (200) or,
// with `hard_404`, a real 404.
void serve_cases(ThreadedTestServer& server, std::set<int> existing, bool hard_404) {
  server->route("GET", "/case/*",
                [existing, hard_404](const ServerRequest& req, ServerResponse& res) {
                  const int id = std::atoi(req.path.c_str() + 6);
                  if (existing.count(id)) {
                    res = ServerResponse::html("<h1>Case " + std::to_string(id) + "</h1>");
                  } else {
                    res = ServerResponse::html("<p>Case not found</p>", hard_404 ? 404 : 200);
                  }
                });
}

struct SpecRun {
  std::set<int> items;
  std::set<int> fetched;
  RunResult result;
  int steps_run = 0;
};

SpecRun run_speculation(std::set<int> existing, bool hard_404, Json case_id, size_t workers = 1) {
  ThreadedTestServer server;
  serve_cases(server, existing, hard_404);
  const std::string root = server.url("/");
  ProbingScraper scraper(root.substr(0, root.size() - 1));
  DriverOptions o = test_options("speculation", workers);
  Json seed = Json::array();
  Json invocation = Json::object();
  invocation["fetch_case"]["case_id"] = case_id;
  seed.push_back(invocation);
  o.seed_params = seed;
  Driver driver(scraper, o);
  SpecRun out;
  driver.on_data = [&](const Json& j) { out.items.insert(j.get<int>()); };
  Deadline deadline(std::chrono::seconds(30));
  out.result = driver.run();
  for (const auto& r : server->requests()) out.fetched.insert(std::atoi(r.path.c_str() + 6));
  out.steps_run = scraper.steps_run;
  return out;
}

Json range(long min, long gap, long soft_max = 0) {
  Json j = Json::object();
  j["min"] = min;
  j["gap"] = gap;
  j["soft_max"] = soft_max;
  return j;
}

TEST(DriverSpeculation, StopsAfterGapConsecutiveSoft404s) {
  const SpecRun r = run_speculation({1, 2, 3}, false, range(1, 2));
  EXPECT_EQ(r.result.status, RunStatus::completed);
  EXPECT_EQ(r.items, (std::set<int>{1, 2, 3}));
  EXPECT_TRUE(r.fetched.count(4) && r.fetched.count(5));  // the two misses that stop it
  EXPECT_LE(*r.fetched.rbegin(), 7);                      // and not much further
}

TEST(DriverSpeculation, InterleavedSuccessesResetTheCounter) {
  const SpecRun r = run_speculation({1, 2, 4, 5, 7, 8}, false, range(1, 2));
  EXPECT_EQ(r.items, (std::set<int>{1, 2, 4, 5, 7, 8}));
  for (int id = 1; id <= 8; ++id) EXPECT_TRUE(r.fetched.count(id)) << id;
}

TEST(DriverSpeculation, PersistentStatusIsAFailureAndSkipsTheStep) {  // docs/design.md §10
  const SpecRun r = run_speculation({1, 2, 3}, true, range(1, 2));
  EXPECT_EQ(r.result.status, RunStatus::completed);  // not an error
  EXPECT_EQ(r.items, (std::set<int>{1, 2, 3}));
  EXPECT_EQ(r.steps_run, 3);  // only the 2xx probes ran their step
  EXPECT_LE(*r.fetched.rbegin(), 7);
}

TEST(DriverSpeculation, SameOutcomeWithManyWorkers) {
  const SpecRun r = run_speculation({1, 2, 4, 5, 7, 8, 9, 10, 11}, false, range(1, 3), 8);
  EXPECT_EQ(r.items, (std::set<int>{1, 2, 4, 5, 7, 8, 9, 10, 11}));
}

// A durable run stopped early, before the probes went past the first window,
// and resumed by a new scraper object (a new process): the restored tracker
// extends the window again and every case arrives once.
TEST(DriverSpeculation, AResumeInANewProcessGoesOnProbingPastTheStoredCeiling) {
  ThreadedTestServer server;
  std::set<int> existing;
  for (int id = 1; id <= 12; ++id) existing.insert(id);
  serve_cases(server, existing, false);
  const std::string root = server.url("/");
  const std::string base = root.substr(0, root.size() - 1);
  const auto dir = fresh_dir("speculation-resume");
  DriverOptions o = test_options("speculation-resume", 1);
  Json invocation = Json::object();
  invocation["fetch_case"]["case_id"] = range(1, 2);
  o.seed_params = Json::array({invocation});
  o.store_path = (dir / "run.db").string();
  std::multiset<int> items;
  StopSignal signal;
  {
    ProbingScraper first(base);
    DriverOptions stopping = o;
    stopping.stop_signal = signal;
    Driver driver(first, stopping);
    driver.on_data = [&](const Json& j) {
      items.insert(j.get<int>());
      if (items.size() == 2) signal.request_stop();
    };
    Deadline deadline(std::chrono::seconds(30));
    EXPECT_EQ(driver.run().status, RunStatus::stopped);
  }
  ASSERT_LT(items.size(), existing.size());
  ProbingScraper second(base);  // no templates yet, as in a new process
  Driver driver(second, o);
  driver.on_data = [&](const Json& j) { items.insert(j.get<int>()); };
  Deadline deadline(std::chrono::seconds(30));
  EXPECT_EQ(driver.run().status, RunStatus::completed);
  EXPECT_EQ(items, std::multiset<int>(existing.begin(), existing.end()));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace uvscrape::driver_test
