// Models and deferred validation (docs/design.md, "Deferred validation").
#include <gtest/gtest.h>

#include "uvscrape/uvscrape.hpp"

namespace court {

struct Party {
  std::string name;
  std::optional<std::string> role;
};
UVSCRAPE_MODEL(Party, name, role)

struct CaseData {
  std::string docket;
  std::string case_name;
  uvscrape::Date date_filed;
  int page_count = 0;
  double fee = 0;
  bool sealed = false;
  std::optional<std::string> judge;
  std::optional<uvscrape::Date> date_closed;
  std::vector<Party> parties;
  uvscrape::Json extra;
};
UVSCRAPE_MODEL(CaseData, docket, case_name, date_filed, page_count, fee, sealed, judge, date_closed,
               parties, extra)
UVSCRAPE_MODEL_DEFAULTS(CaseData, page_count, fee, sealed, parties, extra)

}  // namespace court

namespace {

using namespace uvscrape;
using court::CaseData;

Json valid_raw() {
  return {{"docket", "BCC-2024-001"},
          {"case_name", "Ant v. Grasshopper"},
          {"date_filed", "2024-03-15"},
          {"page_count", "12"},
          {"parties", {{{"name", "Ant"}, {"role", "plaintiff"}}, {{"name", "Grasshopper"}}}}};
}

TEST(Model, ValidatesAndCoerces) {
  CaseData c = validate<CaseData>(valid_raw());
  EXPECT_EQ(c.docket, "BCC-2024-001");
  EXPECT_EQ(c.date_filed, (Date{2024, 3, 15}));
  EXPECT_EQ(c.page_count, 12);  // "12" coerced
  EXPECT_FALSE(c.judge);
  EXPECT_FALSE(c.date_closed);
  ASSERT_EQ(c.parties.size(), 2u);
  EXPECT_EQ(c.parties[0].role, "plaintiff");
  EXPECT_FALSE(c.parties[1].role);
  EXPECT_FALSE(c.sealed);
}

TEST(Model, ConvertsToJson) {
  Json j = validate<CaseData>(valid_raw());
  EXPECT_EQ(j["date_filed"], "2024-03-15");
  EXPECT_EQ(j["page_count"], 12);
  EXPECT_EQ(j["judge"], nullptr);
  EXPECT_EQ(j["parties"][1], (Json{{"name", "Grasshopper"}, {"role", nullptr}}));
  // Field order is declaration order.
  EXPECT_EQ(j.begin().key(), "docket");
  EXPECT_EQ(model_name<CaseData>(), "CaseData");
}

TEST(Model, ListsEveryErrorWithLocMsgType) {
  Json raw = {{"case_name", 7},    {"date_filed", "2024-13-45"},   {"page_count", "twelve"},
              {"sealed", "maybe"}, {"parties", {{{"role", "x"}}}}, {"date_closed", 20240101}};
  try {
    validate<CaseData>(raw, "http://h/cases/1");
    FAIL() << "no exception";
  } catch (const DataFormatAssumptionException& e) {
    const Json& errors = e.errors();
    ASSERT_EQ(errors.size(), 7u) << errors.dump();
    auto find = [&](const Json& loc) -> Json {
      for (const auto& err : errors)
        if (err["loc"] == loc) return err;
      return nullptr;
    };
    EXPECT_EQ(find({"docket"})["type"], "missing");
    EXPECT_EQ(find({"docket"})["msg"], "Field required");
    EXPECT_EQ(find({"case_name"})["type"], "string_type");
    EXPECT_EQ(find({"date_filed"})["type"], "date_parsing");
    EXPECT_EQ(find({"page_count"})["type"], "int_parsing");
    EXPECT_EQ(find({"sealed"})["type"], "bool_parsing");
    EXPECT_EQ(find({"parties", 0, "name"})["type"], "missing");
    EXPECT_EQ(find({"date_closed"})["type"], "date_type");
    EXPECT_EQ(e.model_name(), "CaseData");
    EXPECT_EQ(e.request_url(), "http://h/cases/1");
    EXPECT_EQ(e.failed_doc(), raw);
    const std::string what = e.what();
    EXPECT_NE(what.find("Data validation failed for model 'CaseData'"), std::string::npos);
    EXPECT_NE(what.find("date_filed: Input should be a valid date"), std::string::npos);
    EXPECT_NE(what.find("error_count: 7"), std::string::npos);
  }
}

TEST(Model, NullableAndDefaultedFields) {
  Json raw = valid_raw();
  raw["judge"] = nullptr;
  raw["date_closed"] = "2025-01-31";
  raw["fee"] = "12.5";
  raw["sealed"] = true;
  raw["extra"] = {{"anything", {1, 2}}};
  CaseData c = validate<CaseData>(raw);
  EXPECT_FALSE(c.judge);
  EXPECT_EQ(c.date_closed, (Date{2025, 1, 31}));
  EXPECT_DOUBLE_EQ(c.fee, 12.5);
  EXPECT_TRUE(c.sealed);
  EXPECT_EQ(c.extra["anything"][1], 2);
}

TEST(Model, IntegersRejectFractionsAndOverflow) {
  Json raw = valid_raw();
  raw["page_count"] = 1.5;
  Json errors = Json::array();
  EXPECT_FALSE(try_validate<CaseData>(raw, errors));
  EXPECT_EQ(errors[0]["type"], "int_from_float");
  raw["page_count"] = 1e12;
  errors = Json::array();
  EXPECT_FALSE(try_validate<CaseData>(raw, errors));
  raw["page_count"] = 3.0;
  EXPECT_EQ(validate<CaseData>(raw).page_count, 3);
}

TEST(Model, NonObjectInputIsOneError) {
  Json errors = Json::array();
  EXPECT_FALSE(try_validate<CaseData>(Json::array(), errors));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0]["type"], "model_type");
}

TEST(Date, ParsesStrictIsoCalendarDays) {
  EXPECT_EQ(Date::parse_iso("2024-02-29"), (Date{2024, 2, 29}));
  EXPECT_FALSE(Date::parse_iso("2023-02-29"));
  EXPECT_FALSE(Date::parse_iso("2024-2-3"));
  EXPECT_FALSE(Date::parse_iso("2024-04-31"));
  EXPECT_FALSE(Date::parse_iso("24-04-01xx"));
  EXPECT_EQ((Date{2024, 1, 2}).iso(), "2024-01-02");
}

TEST(DeferredValidation, StoresRawDataAndModelName) {
  auto d = deferred<CaseData>(valid_raw(), "http://h/cases/1");
  EXPECT_EQ(d.model_name(), "CaseData");
  EXPECT_EQ(d.request_url(), "http://h/cases/1");
  Json copy = d.raw_data();
  copy["docket"] = "mutated";
  EXPECT_EQ(d.raw_data()["docket"], "BCC-2024-001");
}

TEST(DeferredValidation, ConfirmReturnsTheModelOrThrowsWithTheRawDoc) {
  auto good = deferred<CaseData>(valid_raw());
  EXPECT_EQ(good.confirm().docket, "BCC-2024-001");
  EXPECT_EQ(good.confirm().docket, "BCC-2024-001");  // twice is fine

  Json bad_raw = valid_raw();
  bad_raw.erase("docket");
  bad_raw["date_filed"] = "not a date";
  auto bad = deferred<CaseData>(bad_raw, "http://h/x");
  try {
    bad.confirm();
    FAIL() << "no exception";
  } catch (const DataFormatAssumptionException& e) {
    EXPECT_EQ(e.errors().size(), 2u);
    EXPECT_EQ(e.failed_doc(), bad_raw);
    EXPECT_EQ(e.request_url(), "http://h/x");
  }
  EXPECT_THROW(bad.confirm(), DataFormatAssumptionException);
}

// The driver's view: a DataItem with the wrapper; confirm() gives on_data's JSON.
TEST(DeferredValidation, DataItemConfirmsToJson) {
  DataItem item = DataItem::from(deferred<CaseData>(valid_raw()));
  ASSERT_TRUE(item.is_deferred());
  EXPECT_EQ(item.confirm()["page_count"], 12);
  const DeferredItem& erased = *item.deferred();
  EXPECT_EQ(erased.model_name(), "CaseData");
  EXPECT_EQ(erased.confirm_json()["docket"], "BCC-2024-001");

  DataItem plain = DataItem::from(Json{{"a", 1}});
  EXPECT_FALSE(plain.is_deferred());
  EXPECT_EQ(plain.confirm(), (Json{{"a", 1}}));
}

TEST(ParsedData, UnwrapReturnsTheHeldObject) {
  ParsedData<Json> p(Json{{"a", 1}});
  EXPECT_EQ(&p.unwrap(), &p.unwrap());
  EXPECT_EQ(p.unwrap()["a"], 1);
  static_assert(!std::is_assignable_v<decltype(p.unwrap()), Json>, "ParsedData is immutable");
}

}  // namespace
