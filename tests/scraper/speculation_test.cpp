// Speculation tracking (contract §6, checklist 70-74; DESIGN decision 10).
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <set>

#include "scraper/speculation_tracker.hpp"
#include "uvscrape/uvscrape.hpp"

namespace {

using namespace uvscrape;

class CaseScraper : public Scraper<Json> {
 public:
  CaseScraper() {
    entry("fetch_case", &CaseScraper::fetch_case, {"case_id"});
    entry("fetch_yearly", &CaseScraper::fetch_yearly, {"court", "case_id"});
    entry("get_index", &CaseScraper::get_index);
    step("parse_case", &CaseScraper::parse_case);
  }
  Request fetch_case(SpeculativeRange case_id) {
    return Request::get("http://h/cases/" + std::to_string(case_id.min)).to("parse_case");
  }
  Request fetch_yearly(std::string court, YearlySpeculativeRange case_id) {
    return Request::get("http://h/" + court + "/" + std::to_string(case_id.year) + "/" +
                        std::to_string(case_id.min))
        .to("parse_case");
  }
  std::vector<Request> get_index() { return {Request::get("http://h/").to("parse_case")}; }
  Step parse_case(const Response&) { co_return; }

  bool fails_successfully(const Response& response) const override {
    return response.text().find("Case Not Found") == std::string::npos;
  }
};

std::vector<long> ids(const std::vector<Request>& probes) {
  std::vector<long> out;
  for (const auto& p : probes) out.push_back(p.speculation_id()->id);
  return out;
}

std::vector<long> seed_ids(Json tpl) {
  CaseScraper s;
  s.initial_seed(Json::array({{{"fetch_case", {{"case_id", std::move(tpl)}}}}}));
  SpeculationTracker t(s);
  return ids(t.seed());
}

TEST(Speculation, TemplatesGiveStatesKeyedByEntryAndIndex) {
  CaseScraper s;
  auto requests = s.initial_seed(Json::array(
      {{{"fetch_case", {{"case_id", {{"min", 1}}}}}},
       {{"fetch_yearly", {{"court", "bcc"}, {"case_id", {{"year", 2024}, {"min", 1}}}}}},
       {{"fetch_case", {{"case_id", {{"min", 100}}}}}, {"get_index", Json::object()}}}));
  // Speculative entries yield nothing; the plain one yields its request.
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].url(), "http://h/");
  SpeculationTracker t(s);
  ASSERT_EQ(t.states().size(), 3u);
  EXPECT_EQ(t.states()[0].key, "fetch_case:0");
  EXPECT_EQ(t.states()[1].key, "fetch_case:1");
  EXPECT_EQ(t.states()[2].key, "fetch_yearly:0");
  EXPECT_EQ(t.states()[1].tpl.seed_range, (IdRange{100, 0}));
  EXPECT_NE(t.state("fetch_yearly:0"), nullptr);
  EXPECT_EQ(t.state("nope:0"), nullptr);
}

TEST(Speculation, NoTemplatesNoState) {
  CaseScraper s;
  s.entry_requests();
  SpeculationTracker t(s);
  EXPECT_TRUE(t.empty());
  EXPECT_TRUE(t.seed().empty());
}

TEST(Speculation, SeedingPlan) {
  EXPECT_EQ(seed_ids({{"min", 5}, {"gap", 3}}), (std::vector<long>{5, 6, 7}));
  EXPECT_EQ(seed_ids({{"min", 1}, {"soft_max", 3}, {"gap", 2}}), (std::vector<long>{1, 2, 3, 4}));
  EXPECT_EQ(seed_ids({{"min", 1}, {"soft_max", 5}, {"gap", 0}}), (std::vector<long>{1, 2, 3, 4}));
  EXPECT_EQ(seed_ids({{"min", 5}, {"soft_max", 3}, {"gap", 0}}), (std::vector<long>{}));
  EXPECT_EQ(seed_ids({{"min", 1}, {"soft_max", 3}, {"should_advance", false}}),
            (std::vector<long>{1, 2}));
}

TEST(Speculation, SeedingSetsCeilingAndStopped) {
  CaseScraper s;
  s.initial_seed(
      Json::array({{{"fetch_case", {{"case_id", {{"min", 1}, {"soft_max", 5}, {"gap", 0}}}}}},
                   {{"fetch_case", {{"case_id", {{"min", 1}, {"soft_max", 3}, {"gap", 2}}}}}}}));
  SpeculationTracker t(s);
  auto probes = t.seed();
  EXPECT_TRUE(t.states()[0].stopped);
  EXPECT_EQ(t.states()[0].current_ceiling, 4);
  EXPECT_FALSE(t.states()[1].stopped);
  EXPECT_EQ(t.states()[1].current_ceiling, 4);
  for (const auto& p : probes) {
    EXPECT_TRUE(p.is_speculative());
    EXPECT_EQ(p.previous_request(), nullptr);  // probes are entry-like
  }
  EXPECT_EQ(probes[0].url(), "http://h/cases/1");
  EXPECT_EQ(probes[0].to(), "parse_case");
  EXPECT_EQ(probes[4].speculation_id()->state_key, "fetch_case:1");
  EXPECT_EQ(probes[4].speculation_id()->param_index, 1);
  // A stopped state is not seeded again.
  auto again = t.seed();
  for (const auto& p : again) EXPECT_EQ(p.speculation_id()->state_key, "fetch_case:1");
}

TEST(Speculation, YearlyTemplateKeepsItsOtherFields) {
  CaseScraper s;
  s.initial_seed(Json::array(
      {{{"fetch_yearly",
         {{"court", "bcc"}, {"case_id", {{"year", "2025"}, {"min", 7}, {"gap", 2}}}}}}}));
  SpeculationTracker t(s);
  auto probes = t.seed();
  ASSERT_EQ(probes.size(), 2u);
  EXPECT_EQ(probes[0].url(), "http://h/bcc/2025/7");
  EXPECT_EQ(probes[1].url(), "http://h/bcc/2025/8");
}

struct Tracked {
  CaseScraper scraper;
  std::unique_ptr<SpeculationTracker> tracker;
  explicit Tracked(Json tpl) {
    scraper.initial_seed(Json::array({{{"fetch_case", {{"case_id", std::move(tpl)}}}}}));
    tracker = std::make_unique<SpeculationTracker>(scraper);
  }
  const SpeculationState& state() const { return tracker->states().at(0); }
  SpeculationId id(long n) const { return {"fetch_case:0", 0, n}; }
};

TEST(Speculation, SuccessRaisesWatermarkAndResetsFailures) {
  Tracked t({{"min", 1}, {"gap", 3}});
  t.tracker->seed();  // 1..3, ceiling 3
  t.tracker->record(t.id(2), false);
  EXPECT_EQ(t.state().consecutive_failures, 1);
  auto more = t.tracker->record(t.id(1), true);
  EXPECT_EQ(t.state().highest_successful_id, 1);
  EXPECT_EQ(t.state().consecutive_failures, 0);
  // highest 1 >= ceiling 3 - gap 3: extend by one gap.
  EXPECT_EQ(ids(more), (std::vector<long>{4, 5, 6}));
  EXPECT_EQ(t.state().current_ceiling, 6);
}

TEST(Speculation, FailuresAboveTheWatermarkStopAtMaxGap) {
  Tracked t({{"min", 1}, {"gap", 2}});
  t.tracker->seed();
  t.tracker->record(t.id(1), true);  // extends to 3..4
  t.tracker->record(t.id(2), false);
  EXPECT_FALSE(t.state().stopped);
  t.tracker->record(t.id(3), false);
  EXPECT_TRUE(t.state().stopped);
  // Stopped: a later success brings no new probes.
  EXPECT_TRUE(t.tracker->record(t.id(4), true).empty());
}

TEST(Speculation, FailuresAtOrBelowTheWatermarkAreIgnored) {
  Tracked t({{"min", 1}, {"gap", 2}});
  t.tracker->seed();
  t.tracker->record(t.id(2), true);
  t.tracker->record(t.id(1), false);
  t.tracker->record(t.id(2), false);
  EXPECT_EQ(t.state().consecutive_failures, 0);
  EXPECT_FALSE(t.state().stopped);
}

TEST(Speculation, Extension) {
  Tracked t({{"min", 1}, {"soft_max", 3}, {"gap", 3}});
  t.tracker->seed();  // 1,2 then window 3..5: ceiling 5
  EXPECT_EQ(t.state().current_ceiling, 5);
  EXPECT_EQ(ids(t.tracker->record(t.id(3), true)), (std::vector<long>{6, 7, 8}));
  EXPECT_EQ(t.state().current_ceiling, 8);
  // Highest (3) far below ceiling (8) - gap (3): nothing.
  EXPECT_TRUE(t.tracker->record(t.id(2), true).empty());

  Tracked no_gap({{"min", 1}, {"soft_max", 3}, {"gap", 0}});
  no_gap.tracker->seed();
  EXPECT_TRUE(no_gap.tracker->record(no_gap.id(2), true).empty());
}

TEST(Speculation, SoftNotFoundOn200IsAFailure) {
  Tracked t({{"min", 1}, {"gap", 3}});
  auto probes = t.tracker->seed();
  auto q = std::make_shared<const Request>(probes[0]);
  EXPECT_TRUE(t.tracker->is_success(Response(200, {}, "<h2>Ant v. Bee</h2>", q->url(), q)));
  EXPECT_FALSE(t.tracker->is_success(Response(200, {}, "Case Not Found", q->url(), q)));
  EXPECT_FALSE(t.tracker->is_success(Response(302, {}, "", q->url(), q)));
  EXPECT_TRUE(t.tracker->record_response(Response(200, {}, "Case Not Found", q->url(), q)).empty());
  EXPECT_EQ(t.state().consecutive_failures, 1);
}

TEST(Speculation, NonSpeculativeResponsesAreIgnored) {
  Tracked t({{"min", 1}, {"gap", 3}});
  t.tracker->seed();
  auto q = std::make_shared<const Request>(Request::get("http://h/cases/1").to("parse_case"));
  EXPECT_TRUE(t.tracker->record_response(Response(200, {}, "ok", q->url(), q)).empty());
  EXPECT_EQ(t.state().highest_successful_id, 0);
  EXPECT_TRUE(t.tracker->record({"unknown:0", 0, 1}, true).empty());
}

// Decision 10: a persistent HTTP status on a probe is recorded as a failure
// (the driver does not run its step).
TEST(Speculation, PersistentStatusOnAProbeCountsAsFailure) {
  Tracked t({{"min", 1}, {"gap", 2}});
  auto probes = t.tracker->seed();
  CaseScraper& s = t.scraper;
  ASSERT_EQ(s.classify_status(404, {}, ""), StatusClass::persistent);
  t.tracker->record(*probes[0].speculation_id(), false);
  t.tracker->record(*probes[1].speculation_id(), false);
  EXPECT_TRUE(t.state().stopped);
}

// Simulated crawl: `exists(id)` decides; returns every ID whose probe ran.
std::set<long> crawl(long gap, const std::function<bool(long)>& exists) {
  Tracked t({{"min", 1}, {"gap", gap}});
  std::deque<Request> queue;
  for (auto& p : t.tracker->seed()) queue.push_back(std::move(p));
  std::set<long> processed;
  while (!queue.empty()) {
    Request probe = std::move(queue.front());
    queue.pop_front();
    const long id = probe.speculation_id()->id;
    EXPECT_TRUE(processed.insert(id).second) << "probed twice: " << id;
    for (auto& more : t.tracker->record(*probe.speculation_id(), exists(id)))
      queue.push_back(std::move(more));
    if (processed.size() > 1000) break;
  }
  EXPECT_TRUE(t.state().stopped);
  return processed;
}

TEST(Speculation, EndToEndStopsAfterTheLastExistingId) {
  auto processed = crawl(2, [](long id) { return id <= 3; });
  EXPECT_TRUE(processed.count(1) && processed.count(2) && processed.count(3));
  EXPECT_LE(*processed.rbegin(), 3 + 2 + 2);  // at most a window past the end
}

TEST(Speculation, EndToEndInterleavedSuccessesResetTheCounter) {
  auto processed = crawl(2, [](long id) { return id <= 8 && id % 2 == 0; });
  for (long id = 1; id <= 8; ++id) EXPECT_TRUE(processed.count(id)) << id;
}

// Contract §6 worked example: min 1, gap 3, IDs 1-10 exist.
TEST(Speculation, WorkedExample) {
  auto processed = crawl(3, [](long id) { return id <= 10; });
  EXPECT_EQ(processed, (std::set<long>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}));
}

}  // namespace
