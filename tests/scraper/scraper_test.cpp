// Scrapers: step registration and the run_step seam, entries and seeding,
// status classification (contract §3, checklist 75-76 adapted).
#include <gtest/gtest.h>

#include "uvscrape/uvscrape.hpp"

namespace {

using namespace uvscrape;

struct CaseData {
  std::string docket;
  Date date_filed;
  std::optional<std::string> judge;
};
UVSCRAPE_MODEL(CaseData, docket, date_filed, judge)

struct DateRange {
  Date start;
  Date end;
};
UVSCRAPE_MODEL(DateRange, start, end)

class CourtScraper : public Scraper<CaseData> {
 public:
  CourtScraper() {
    entry("get_cases", &CourtScraper::get_cases);
    entry("get_justices", &CourtScraper::get_justices);
    entry("fetch_case", &CourtScraper::fetch_case, {"case_id"});
    entry("cases_by_date", &CourtScraper::cases_by_date, {"range", "court", "page"});
    step("parse_list", &CourtScraper::parse_list);
    step("parse_case", &CourtScraper::parse_case, {.priority = 3});
  }

  std::vector<Request> get_cases() { return {Request::get("http://h/cases").to("parse_list")}; }
  Request get_justices() { return Request::get("http://h/api/justices").nonnavigating().to("parse_list"); }
  Request fetch_case(SpeculativeRange id) {
    return Request::get("http://h/cases/" + std::to_string(id.min)).to("parse_case");
  }
  std::vector<Request> cases_by_date(DateRange range, std::string court, int page) {
    return {Request::get("http://h/search")
                .params({{"from", range.start.iso()}, {"to", range.end.iso()}, {"court", court},
                         {"page", std::to_string(page)}})
                .to("parse_list")};
  }

  Step parse_list(const Response& response) {
    co_yield Request::get("/cases/1").to("parse_case");
    co_yield Request::get("/cases/2").to("parse_case").priority(7);
    Json item{{"list", response.url}};
    co_yield std::move(item);
    EstimateData estimate;
    estimate.expected_types = {"CaseData"};
    co_yield estimate;
  }
  Step parse_case(const Response& response) {
    Json raw{{"docket", "BCC-1"}, {"date_filed", "2024-01-02"}};
    co_yield deferred<CaseData>(std::move(raw), response.url);
    CaseData typed{"BCC-2", {2024, 2, 3}, "Ant"};
    co_yield ParsedData(std::move(typed));
    if (response.status_code == 500) throw ScraperAssumptionException("boom", response.url);
  }
};

Response response_for(std::shared_ptr<const Request> r, int status = 200) {
  return Response(status, {}, "<html></html>", r->url(), r);
}

TEST(Scraper, NameIsTheClassNameWithoutNamespaces) {
  CourtScraper s;
  EXPECT_EQ(s.name(), "CourtScraper");
}

TEST(Scraper, RunStepCollectsYieldsInOrder) {
  CourtScraper s;
  auto q = std::make_shared<const Request>(Request::get("http://h/cases").to("parse_list"));
  auto yields = run_step(s, "parse_list", response_for(q));
  ASSERT_EQ(yields.size(), 4u);
  ASSERT_TRUE(yields[0].is_request());
  EXPECT_EQ(yields[0].request().url(), "/cases/1");
  // Target step's priority fills an unset priority; an explicit one stays.
  EXPECT_EQ(yields[0].request().priority(), 3);
  EXPECT_EQ(yields[1].request().priority(), 7);
  ASSERT_TRUE(yields[2].is_data());
  EXPECT_EQ(yields[2].data().value()["list"], "http://h/cases");
  EXPECT_TRUE(yields[3].is_estimate());
}

TEST(Scraper, DataYieldsConvertToJson) {
  CourtScraper s;
  auto q = std::make_shared<const Request>(Request::get("http://h/cases/1").to("parse_case"));
  auto yields = run_step(s, "parse_case", response_for(q));
  ASSERT_EQ(yields.size(), 2u);
  ASSERT_TRUE(yields[0].data().is_deferred());
  EXPECT_EQ(yields[0].data().deferred()->model_name(), "CaseData");
  EXPECT_EQ(yields[0].data().confirm(),
            (Json{{"docket", "BCC-1"}, {"date_filed", "2024-01-02"}, {"judge", nullptr}}));
  EXPECT_FALSE(yields[1].data().is_deferred());
  EXPECT_EQ(yields[1].data().value(),
            (Json{{"docket", "BCC-2"}, {"date_filed", "2024-02-03"}, {"judge", "Ant"}}));
}

TEST(Scraper, StepThatThrowsReturnsNothing) {
  CourtScraper s;
  auto q = std::make_shared<const Request>(Request::get("http://h/cases/1").to("parse_case"));
  EXPECT_THROW(run_step(s, "parse_case", response_for(q, 500)), ScraperAssumptionException);
}

TEST(Scraper, UnknownContinuationIsAConfigErrorNamingTheStep) {
  CourtScraper s;
  auto q = std::make_shared<const Request>(Request::get("http://h/x").to("parse_nothing"));
  try {
    run_step(s, "parse_nothing", response_for(q));
    FAIL() << "no exception";
  } catch (const ScraperConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("parse_nothing"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("http://h/x"), std::string::npos);
  }
}

}  // namespace
