// Scrapers: step registration and the run_step seam, entries and seeding,
// status classification (contract §3, checklist 75-76 adapted).
#include <gtest/gtest.h>

#include <algorithm>
#include <tuple>

#include "scraper/run_step.hpp"
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
  Request get_justices() {
    return Request::get("http://h/api/justices").nonnavigating().to("parse_list");
  }
  Request fetch_case(SpeculativeRange id) {
    return Request::get("http://h/cases/" + std::to_string(id.min)).to("parse_case");
  }
  std::vector<Request> cases_by_date(DateRange range, std::string court, int page) {
    return {Request::get("http://h/search")
                .params({{"from", range.start.iso()},
                         {"to", range.end.iso()},
                         {"court", court},
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

TEST(Scraper, StepsAndEntriesAreListedAlphabetically) {
  CourtScraper s;
  EXPECT_EQ(s.list_steps(), (std::vector<std::string>{"parse_case", "parse_list"}));
  EXPECT_EQ(s.list_entries(),
            (std::vector<std::string>{"cases_by_date", "fetch_case", "get_cases", "get_justices"}));
  EXPECT_TRUE(s.has_step("parse_case"));
  EXPECT_FALSE(s.has_step("nope"));
  EXPECT_EQ(s.step_options("parse_case").priority, 3);
}

TEST(Entries, RecordParameterTypesAndTheSpeculativeParameter) {
  CourtScraper s;
  const EntryInfo& spec = s.entry_info("fetch_case");
  EXPECT_TRUE(spec.is_speculative());
  EXPECT_EQ(spec.speculative_param, "case_id");
  ASSERT_EQ(spec.params.size(), 1u);
  EXPECT_EQ(spec.params[0].kind, EntryParamKind::speculative);
  EXPECT_EQ(spec.params[0].type_name, "SpeculativeRange");

  const EntryInfo& by_date = s.entry_info("cases_by_date");
  EXPECT_FALSE(by_date.is_speculative());
  ASSERT_EQ(by_date.params.size(), 3u);
  EXPECT_EQ(by_date.params[0].kind, EntryParamKind::model);
  EXPECT_EQ(by_date.params[0].type_name, "DateRange");
  EXPECT_EQ(by_date.params[1].kind, EntryParamKind::string);
  EXPECT_EQ(by_date.params[2].kind, EntryParamKind::integer);
  EXPECT_THROW(s.entry_info("nope"), ScraperConfigError);
}

// Unsupported parameter types are rejected when the scraper is compiled.
static_assert(EntryParameter<std::string> && EntryParameter<int> && EntryParameter<long> &&
              EntryParameter<Date> && EntryParameter<DateRange> &&
              EntryParameter<SpeculativeRange>);
static_assert(!EntryParameter<std::tuple<int, int>> && !EntryParameter<double> &&
              !EntryParameter<bool> && !EntryParameter<std::vector<int>>);
static_assert(Speculative<SpeculativeRange> && Speculative<YearlySpeculativeRange> &&
              !Speculative<DateRange>);

class BadScraper : public Scraper<> {
 public:
  explicit BadScraper(int variant) {
    if (variant == 0) entry("two", &BadScraper::two, {"only_one_name"});
    if (variant == 1) entry("unnamed", &BadScraper::two);
  }
  std::vector<Request> two(std::string, int) { return {}; }
};

TEST(Entries, EveryParameterMustBeNamed) {
  EXPECT_THROW(BadScraper(0), ScraperConfigError);
  EXPECT_THROW(BadScraper(1), ScraperConfigError);
}

TEST(Entries, ValidateParamsCoercesStringsIntsDatesAndModels) {
  CourtScraper s;
  Json out = s.validate_params(
      "cases_by_date",
      {{"range", {{"start", "2024-01-01"}, {"end", "2024-12-31"}}}, {"court", 42}, {"page", "7"}});
  EXPECT_EQ(out, (Json{{"range", {{"start", "2024-01-01"}, {"end", "2024-12-31"}}},
                       {"court", "42"},
                       {"page", 7}}));
}

TEST(Entries, ValidateParamsReportsEveryProblem) {
  CourtScraper s;
  try {
    s.validate_params(
        "cases_by_date",
        {{"range", {{"start", "2024-02-30"}}}, {"page", "seven"}, {"bogus", 1}, {"x", 2}});
    FAIL() << "no exception";
  } catch (const ScraperConfigError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("cases_by_date"), std::string::npos);
    EXPECT_NE(what.find("unexpected parameters: bogus, x"), std::string::npos);
    EXPECT_NE(what.find("missing parameter 'court'"), std::string::npos);
    EXPECT_NE(what.find("parameter 'page'"), std::string::npos);
    EXPECT_NE(what.find("invalid DateRange"), std::string::npos);
  }
  EXPECT_THROW(s.validate_params("get_cases", Json::array()), ScraperConfigError);
  EXPECT_EQ(s.validate_params("get_cases", nullptr), Json::object());
}

TEST(Entries, InitialSeedDispatchesSingleAndMultipleInvocations) {
  CourtScraper s;
  auto one = s.initial_seed(Json::array({{{"get_cases", Json::object()}}}));
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].url(), "http://h/cases");
  auto many =
      s.initial_seed(Json::array({{{"get_justices", Json::object()}},
                                  {{"cases_by_date",
                                    {{"range", {{"start", "2024-01-01"}, {"end", "2024-01-31"}}},
                                     {"court", "bcc"},
                                     {"page", 1}}},
                                   {"get_cases", Json::object()}}}));
  ASSERT_EQ(many.size(), 3u);
  EXPECT_EQ(many[0].url(), "http://h/api/justices");
  EXPECT_TRUE(many[0].is_nonnavigating());
  EXPECT_EQ(many[1].params()[0], (std::pair<std::string, std::string>{"from", "2024-01-01"}));
  EXPECT_EQ(many[2].url(), "http://h/cases");
  // Entry requests are never resolved: no location, no parent.
  for (const auto& r : many) {
    EXPECT_EQ(r.current_location(), "");
    EXPECT_EQ(r.previous_request(), nullptr);
  }
}

TEST(Entries, InitialSeedStoresSpeculativeTemplatesAndAccumulates) {
  CourtScraper s;
  EXPECT_TRUE(s.initial_seed(Json::array({{{"fetch_case", {{"case_id", {{"min", 5}}}}}}})).empty());
  s.initial_seed(Json::array({{{"fetch_case", {{"case_id", {{"min", 9}, {"gap", 2}}}}}}}));
  const auto& templates = s.speculative_templates().at("fetch_case");
  ASSERT_EQ(templates.size(), 2u);
  EXPECT_EQ(templates[0].param_index, 0);
  EXPECT_EQ(templates[1].param_index, 1);
  EXPECT_EQ(templates[1].seed_range, (IdRange{9, 0}));
  EXPECT_EQ(templates[1].max_gap, 2);
  EXPECT_EQ(templates[0].max_gap, 10);  // the template's default
  EXPECT_EQ(templates[0].make_probe(77).url(), "http://h/cases/77");
}

TEST(Entries, InitialSeedRejectsEmptyNullAndUnknown) {
  CourtScraper s;
  EXPECT_THROW(s.initial_seed(Json::array()), ScraperConfigError);
  EXPECT_THROW(s.initial_seed(nullptr), ScraperConfigError);
  EXPECT_THROW(s.initial_seed(Json::array({1})), ScraperConfigError);
  try {
    s.initial_seed(Json::array({{{"get_nothing", Json::object()}}}));
    FAIL() << "no exception";
  } catch (const ScraperConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("get_nothing"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("get_cases"), std::string::npos);  // available ones
  }
}

TEST(Entries, DefaultEntriesAreTheParameterlessOnesAlphabetically) {
  CourtScraper s;
  auto requests = s.entry_requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].url(), "http://h/cases");         // get_cases
  EXPECT_EQ(requests[1].url(), "http://h/api/justices");  // get_justices
  EXPECT_TRUE(s.speculative_templates().empty());
  // With seed params, only those run.
  auto seeded = s.entry_requests(Json::array({{{"get_justices", Json::object()}}}));
  ASSERT_EQ(seeded.size(), 1u);
  EXPECT_EQ(seeded[0].url(), "http://h/api/justices");
}

class LegacyScraper : public Scraper<> {
 public:
  std::vector<Request> get_entry() override { return {Request::get("http://h/legacy").to("s")}; }
};
class EmptyScraper : public Scraper<> {};

TEST(Entries, WithoutEntriesGetEntryIsUsed) {
  LegacyScraper legacy;
  ASSERT_EQ(legacy.entry_requests().size(), 1u);
  EmptyScraper empty;
  EXPECT_THROW(empty.entry_requests(), ScraperConfigError);
}

TEST(Entries, SchemaListsEveryEntry) {
  CourtScraper s;
  Json schema = s.entries_schema();
  ASSERT_EQ(schema.size(), 4u);
  EXPECT_EQ(schema[0]["name"], "cases_by_date");
  EXPECT_EQ(schema[0]["params"][0],
            (Json{{"name", "range"}, {"type", "DateRange"}, {"kind", "model"}}));
  EXPECT_EQ(schema[1]["speculative_param"], "case_id");
  EXPECT_EQ(schema[2]["speculative_param"], nullptr);
}

class LambdaScraper : public Scraper<> {
 public:
  LambdaScraper() : Scraper("custom-name") {
    step("plain", [](const Response& r) {
      std::vector<Yield> out;
      out.emplace_back(Json{{"url", r.url}});
      out.emplace_back(Request::get("next").to("plain"));
      return out;
    });
    step("vector_member", &LambdaScraper::vector_member);
  }
  std::vector<Yield> vector_member(const Response&) const { return {Json{{"v", 1}}}; }
};

TEST(Scraper, StepsMayBeLambdasOrFunctionsReturningVectors) {
  LambdaScraper s;
  EXPECT_EQ(s.name(), "custom-name");
  auto q = std::make_shared<const Request>(Request::get("http://h/").to("plain"));
  auto yields = run_step(s, "plain", response_for(q));
  ASSERT_EQ(yields.size(), 2u);
  EXPECT_EQ(yields[0].data().value()["url"], "http://h/");
  EXPECT_EQ(run_step(s, "vector_member", response_for(q)).size(), 1u);
}

class GeneratorEntryScraper : public Scraper<> {
 public:
  GeneratorEntryScraper() { entry("pages", &GeneratorEntryScraper::pages, {"count"}); }
  Generator<Request> pages(int count) {
    for (int i = 1; i <= count; ++i)
      co_yield Request::get("http://h/p/" + std::to_string(i)).to("s");
  }
};

TEST(Entries, MayBeGeneratorsOfRequests) {
  GeneratorEntryScraper s;
  auto requests = s.initial_seed(Json::array({{{"pages", {{"count", 3}}}}}));
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[2].url(), "http://h/p/3");
}

struct Counted {
  static inline int alive = 0;
  Counted() { ++alive; }
  Counted(const Counted&) { ++alive; }
  ~Counted() { --alive; }
};

Generator<int> counting(int n, bool fail_at_end) {
  Counted guard;
  for (int i = 0; i < n; ++i) co_yield i;
  if (fail_at_end) throw std::runtime_error("end");
}

TEST(Generator, YieldsInOrderRethrowsAndCleansUpWhenAbandoned) {
  EXPECT_EQ(counting(3, false).collect(), (std::vector<int>{0, 1, 2}));
  EXPECT_THROW(counting(2, true).collect(), std::runtime_error);
  {
    Generator<int> g = counting(5, false);
    auto it = g.begin();
    EXPECT_EQ(*it, 0);
    ++it;
    EXPECT_EQ(*it, 1);
    EXPECT_EQ(Counted::alive, 1);
  }  // abandoned half-way: the frame and its locals are destroyed
  EXPECT_EQ(Counted::alive, 0);
  Generator<int> moved = counting(1, false);
  Generator<int> target = std::move(moved);
  EXPECT_EQ(target.collect(), (std::vector<int>{0}));
  EXPECT_TRUE(moved.collect().empty());
}

TEST(StatusClassification, Defaults) {
  CourtScraper s;
  for (int c : {200, 201, 204, 208, 226, 304})
    EXPECT_EQ(s.classify_status(c, {}, ""), StatusClass::successful) << c;
  for (int c : {408, 425, 429, 502, 503, 504})
    EXPECT_EQ(s.classify_status(c, {}, ""), StatusClass::transient) << c;
  for (int c : {400, 401, 403, 404, 410, 418, 451, 500, 501, 505, 511})
    EXPECT_EQ(s.classify_status(c, {}, ""), StatusClass::persistent) << c;
  // Unknown codes are persistent (jkent): a 3xx not opted in, 520, 1xx.
  for (int c : {100, 301, 302, 419, 520, 599, 0, 999})
    EXPECT_EQ(s.classify_status(c, {}, ""), StatusClass::persistent) << c;
  EXPECT_FALSE(s.follow_redirects());
}

class PickyScraper : public Scraper<> {
 public:
  PickyScraper() {
    statuses().set({500}, StatusClass::transient).set({302, 404}, StatusClass::successful);
    statuses().set(503, StatusClass::persistent);
    set_follow_redirects(true);
  }
  StatusClass classify_status(int code, const Headers& headers,
                              std::string_view body) const override {
    if (code == 200 && body.find("rate limited") != std::string_view::npos)
      return StatusClass::transient;
    return ScraperBase::classify_status(code, headers, body);
  }
};

TEST(StatusClassification, OverridesPerScraper) {
  PickyScraper s;
  EXPECT_EQ(s.classify_status(500, {}, ""), StatusClass::transient);
  EXPECT_EQ(s.classify_status(302, {}, ""), StatusClass::successful);
  EXPECT_EQ(s.classify_status(404, {}, ""), StatusClass::successful);
  EXPECT_EQ(s.classify_status(503, {}, ""), StatusClass::persistent);
  EXPECT_EQ(s.classify_status(200, {}, "you are rate limited"), StatusClass::transient);
  EXPECT_EQ(s.classify_status(200, {}, "fine"), StatusClass::successful);
  EXPECT_TRUE(s.follow_redirects());
  const auto transient = s.status_classifier().codes(StatusClass::transient);
  EXPECT_NE(std::find(transient.begin(), transient.end(), 500), transient.end());
  EXPECT_EQ(std::find(transient.begin(), transient.end(), 503), transient.end());
}

TEST(Scraper, FailsSuccessfullyDefaultsToTrue) {
  CourtScraper s;
  auto q = std::make_shared<const Request>(Request::get("http://h/").to("parse_list"));
  EXPECT_TRUE(s.fails_successfully(response_for(q)));
}

}  // namespace
