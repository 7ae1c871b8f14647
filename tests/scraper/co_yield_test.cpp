// What a step may co_yield, run under AddressSanitizer with both compilers
// (this executable is built with -fsanitize=address,undefined under g++ too,
// because g++ is the compiler that miscompiles aggregates inside co_yield; see
// uvscrape/generator.hpp). Every pattern here must run clean; the patterns g++
// cannot build run under clang only, and on g++ the refusal itself is checked.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "scraper/run_step.hpp"
#include "uvscrape/uvscrape.hpp"

// The compilers uvscrape/generator.hpp refuses rvalue aggregates for.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 14
#define UVSCRAPE_GCC_BREAKS_IN_PLACE 1
#else
#define UVSCRAPE_GCC_BREAKS_IN_PLACE 0
#endif

namespace uvscrape {
namespace {

// An aggregate model that owns heap memory: what g++ destroys twice when it is
// built inside co_yield.
struct Filing {
  std::string docket;
  std::vector<std::string> parties;
};
UVSCRAPE_MODEL(Filing, docket, parties)

// Long enough to live on the heap, so a double free or a stale copy is seen.
const std::string kLong(64, 'x');

class YieldScraper : public Scraper<Json> {
 public:
  YieldScraper() : Scraper("YieldScraper") {
    step("requests", &YieldScraper::requests);
    step("items", &YieldScraper::items);
    step("in_place", &YieldScraper::in_place);
  }

 private:
  // Request has constructors, so building one inside co_yield is safe everywhere.
  Step requests(const Response& response) {
    co_yield Request{HttpMethod::GET, response.url + "/" + kLong};
    co_yield Request(HttpMethod::POST, kLong).to("items");
    Json data = Json::object();
    data["docket"] = kLong;
    co_yield Request::get(kLong).to("items").accumulated_data(data);
  }

  // Aggregates and JSON through a local, as the generator's note says.
  Step items(const Response&) {
    Filing copied{kLong, {kLong, kLong}};
    co_yield copied;  // an lvalue: yielded by copy
    Filing moved{kLong + "m", {kLong}};
    co_yield ParsedData(std::move(moved));
    co_yield Json(kLong);
    Json object = Json::object();
    object["parties"] = Json::array({kLong, kLong});
    co_yield std::move(object);
  }

  // What only a compiler that builds aggregates and braced lists inside
  // co_yield correctly accepts (clang); under g++ the step yields nothing.
  Step in_place(const Response&) {
#if !UVSCRAPE_GCC_BREAKS_IN_PLACE
    co_yield Filing{kLong, { kLong, kLong }};
    co_yield Json{{"docket", kLong}, { "n", 3 }};
    co_yield Request::get(kLong).accumulated_data({{ "docket", kLong }});
#else
    co_return;
#endif
  }
};

Response response_for(std::string url) {
  return Response(200, {}, "", url, std::make_shared<const Request>(Request::get(url)));
}

TEST(CoYield, RequestsBuiltInsideCoYield) {
  YieldScraper s;
  auto yields = run_step(s, "requests", response_for("http://h/list"));
  ASSERT_EQ(yields.size(), 3u);
  EXPECT_EQ(yields[0].request().url(), "http://h/list/" + kLong);
  EXPECT_EQ(yields[1].request().method(), HttpMethod::POST);
  EXPECT_EQ(yields[1].request().to(), "items");
  EXPECT_EQ(yields[2].request().accumulated_data()["docket"], kLong);
}

TEST(CoYield, AggregatesAndJsonThroughALocal) {
  YieldScraper s;
  auto yields = run_step(s, "items", response_for("http://h/case"));
  ASSERT_EQ(yields.size(), 4u);
  EXPECT_EQ(yields[0].data().value()["docket"], kLong);
  EXPECT_EQ(yields[0].data().value()["parties"].size(), 2u);
  EXPECT_EQ(yields[1].data().value()["docket"], kLong + "m");
  EXPECT_EQ(yields[2].data().value(), kLong);
  EXPECT_EQ(yields[3].data().value()["parties"][1], kLong);
}

#if UVSCRAPE_GCC_BREAKS_IN_PLACE
// g++: yielding an rvalue aggregate is refused at compile time (the
// static_assert in yield_value); lvalues and classes with constructors are not.
static_assert(detail::yield_may_be_miscompiled<Filing>);
static_assert(detail::yield_may_be_miscompiled<Filing&&>);
static_assert(!detail::yield_may_be_miscompiled<Filing&>);
static_assert(!detail::yield_may_be_miscompiled<const Filing&>);
static_assert(!detail::yield_may_be_miscompiled<Request>);
static_assert(!detail::yield_may_be_miscompiled<Json>);
static_assert(!detail::yield_may_be_miscompiled<ParsedData<Filing>>);
struct Plain {
  int a;
  long b;
};  // nothing to destroy twice: allowed
static_assert(!detail::yield_may_be_miscompiled<Plain>);
#endif

TEST(CoYield, BuiltInPlaceWhereTheCompilerAllowsIt) {
  YieldScraper s;
  auto yields = run_step(s, "in_place", response_for("http://h/x"));
#if !UVSCRAPE_GCC_BREAKS_IN_PLACE
  ASSERT_EQ(yields.size(), 3u);
  EXPECT_EQ(yields[0].data().value()["parties"][1], kLong);
  EXPECT_EQ(yields[1].data().value()["docket"], kLong);
  EXPECT_EQ(yields[2].request().accumulated_data()["docket"], kLong);
#else
  EXPECT_TRUE(yields.empty());
#endif
}

}  // namespace
}  // namespace uvscrape
