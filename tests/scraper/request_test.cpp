// Requests: fields kept as given, defaults, deep copies, permanent headers and
// cookies (docs/design.md §4, §7).
#include <gtest/gtest.h>

#include "scraper/request_internals.hpp"
#include "scraper/resolution_internals.hpp"
#include "uvscrape/uvscrape.hpp"

namespace {

using namespace uvscrape;

TEST(Request, KeepsUrlContinuationMethodAndFormDataAsGiven) {
  Request r =
      Request::post("http://h/search?x=1").to("parse_results").form({{"b", "2"}, {"a", "1"}});
  EXPECT_EQ(r.method(), HttpMethod::POST);
  EXPECT_EQ(r.url(), "http://h/search?x=1");
  EXPECT_EQ(r.to(), "parse_results");
  ASSERT_TRUE(std::holds_alternative<NameValueList>(r.body()));
  EXPECT_EQ(std::get<NameValueList>(r.body()), (NameValueList{{"b", "2"}, {"a", "1"}}));
}

TEST(Request, EveryMethodHasAFactoryAndAName) {
  EXPECT_EQ(Request::get("u").method(), HttpMethod::GET);
  EXPECT_EQ(Request::post("u").method(), HttpMethod::POST);
  EXPECT_EQ(Request::put("u").method(), HttpMethod::PUT);
  EXPECT_EQ(Request::patch("u").method(), HttpMethod::PATCH);
  EXPECT_EQ(Request::del("u").method(), HttpMethod::DELETE);
  EXPECT_EQ(Request::head("u").method(), HttpMethod::HEAD);
  EXPECT_EQ(Request::options("u").method(), HttpMethod::OPTIONS);
  for (auto m : {HttpMethod::GET, HttpMethod::OPTIONS, HttpMethod::POST, HttpMethod::PUT,
                 HttpMethod::DELETE, HttpMethod::PATCH, HttpMethod::HEAD})
    EXPECT_EQ(parse_http_method(to_string(m)), m);
  EXPECT_EQ(to_string(HttpMethod::DELETE), "DELETE");
  EXPECT_FALSE(parse_http_method("get"));
}

TEST(Request, WithoutContextHasNoLocationNoParentAndEmptyData) {
  Request r = Request::get("http://h/").to("s");
  EXPECT_EQ(r.current_location(), "");
  EXPECT_EQ(r.previous_request(), nullptr);
  EXPECT_EQ(r.accumulated_data(), Json::object());
  EXPECT_TRUE(r.is_navigating());
  EXPECT_FALSE(r.is_speculative());
  EXPECT_FALSE(r.speculation_id());
  EXPECT_EQ(r.dedup_mode(), DedupMode::automatic);
  EXPECT_TRUE(r.verify());
  EXPECT_FALSE(r.timeout());
  EXPECT_FALSE(r.json());
  EXPECT_TRUE(std::holds_alternative<std::monostate>(r.body()));
}

TEST(Request, AccumulatedDataIsADeepCopy) {
  Json source = {{"case", {{"docket", "A"}}}, {"n", 1}};
  Request first = Request::get("http://h/1").to("s").accumulated_data(source);
  Request second = Request::get("http://h/2").to("s").accumulated_data(source);
  source["case"]["docket"] = "changed";
  source["n"] = 2;
  EXPECT_EQ(first.accumulated_data()["case"]["docket"], "A");
  EXPECT_EQ(first.accumulated_data()["n"], 1);
  // Siblings built from one map do not share it.
  Request copy = first;
  copy.accumulated_data({{"case", {{"docket", "B"}}}});
  EXPECT_EQ(first.accumulated_data()["case"]["docket"], "A");
  EXPECT_EQ(second.accumulated_data()["case"]["docket"], "A");
  EXPECT_NE(&first.accumulated_data(), &second.accumulated_data());
}

TEST(Request, DefaultPriorityIsNineAndArchiveDefaultIsOne) {
  EXPECT_EQ(Request::get("u").priority(), 9);
  EXPECT_FALSE(Request::get("u").explicit_priority());
  EXPECT_EQ(Request::get("u").archive("pdf").priority(), 1);
  // Nullable priority: an explicit 9 on an archive request is kept (jkent).
  EXPECT_EQ(Request::get("u").archive().priority(9).priority(), 9);
  EXPECT_EQ(Request::get("u").priority(3).priority(), 3);
  EXPECT_EQ(Request::get("u").priority(3).explicit_priority(), 3);
}

TEST(Request, KindsAndArchiveType) {
  Request nav = Request::get("u");
  Request api = Request::get("u").nonnavigating();
  Request file = Request::get("u").archive("pdf");
  EXPECT_TRUE(nav.is_navigating());
  EXPECT_TRUE(api.is_nonnavigating());
  EXPECT_FALSE(api.is_navigating());
  EXPECT_TRUE(file.is_archive());
  EXPECT_FALSE(file.is_navigating());
  EXPECT_EQ(file.expected_type(), "pdf");
  EXPECT_FALSE(nav.expected_type());
  EXPECT_EQ(Request::get("u").expected_type("audio").expected_type(), "audio");
}

// docs/design.md §4: params and json are fields a driver sends (query string, JSON body).
TEST(Request, ParamsJsonBodyHeadersCookiesTimeoutVerifyAreKept) {
  Request r = Request::put("http://h/api?z=0")
                  .params({{"q", "a b"}})
                  .param("page", "2")
                  .json({{"k", {1, 2}}})
                  .header("X-A", "1")
                  .cookie("session", "s1")
                  .timeout(12.5)
                  .verify(false);
  EXPECT_EQ(r.params(), (NameValueList{{"q", "a b"}, {"page", "2"}}));
  ASSERT_TRUE(r.json());
  EXPECT_EQ(*r.json(), (Json{{"k", {1, 2}}}));
  EXPECT_EQ(r.json_text(), R"({"k":[1,2]})");
  EXPECT_EQ(r.headers(), (NameValueList{{"X-A", "1"}}));
  EXPECT_EQ(r.cookies(), (NameValueList{{"session", "s1"}}));
  EXPECT_EQ(r.timeout(), 12.5);
  EXPECT_FALSE(r.verify());
  EXPECT_EQ(r.url_with_params(), "http://h/api?z=0&q=a+b&page=2");
  EXPECT_EQ(Request::get("http://h/p#frag").param("a", "1").url_with_params(),
            "http://h/p?a=1#frag");
  EXPECT_EQ(Request::get("http://h/p").url_with_params(), "http://h/p");
}

TEST(Request, FormAndRawBodyReplaceEachOther) {
  Request r = Request::post("u").form({{"a", "1"}});
  r.body("raw bytes\x01");
  ASSERT_TRUE(std::holds_alternative<std::string>(r.body()));
  EXPECT_EQ(std::get<std::string>(r.body()), "raw bytes\x01");
  r.form({{"b", "2"}});
  EXPECT_TRUE(std::holds_alternative<NameValueList>(r.body()));
}

TEST(Request, HeaderSettersReplaceSameNameCaseInsensitively) {
  Request r = Request::get("u").header("Accept", "a").header("accept", "b").header("X", "1");
  EXPECT_EQ(r.headers(), (NameValueList{{"Accept", "b"}, {"X", "1"}}));
  r.cookie("c", "1").cookie("C", "2").cookie("c", "3");
  EXPECT_EQ(r.cookies(), (NameValueList{{"c", "3"}, {"C", "2"}}));
}

// Copies share the extras block until one of them changes it.
TEST(Request, CopiesAreIndependent) {
  Request a = Request::get("u").header("X", "1").params({{"p", "1"}});
  Request b = a;
  b.header("X", "2").param("q", "2");
  EXPECT_EQ(a.headers(), (NameValueList{{"X", "1"}}));
  EXPECT_EQ(a.params(), (NameValueList{{"p", "1"}}));
  EXPECT_EQ(b.headers(), (NameValueList{{"X", "2"}}));
  EXPECT_EQ(b.params(), (NameValueList{{"p", "1"}, {"q", "2"}}));
}

// docs/design.md §7, within one request: an explicit header beats a permanent one.
TEST(Request, ExplicitHeaderWinsOverPermanentHeader) {
  Request r = Request::get("u")
                  .permanent_header("Authorization", "perm")
                  .permanent_header("X-Session", "s")
                  .header("authorization", "explicit")
                  .permanent_cookie("sid", "p")
                  .cookie("sid", "e")
                  .permanent_cookie("lang", "en");
  EXPECT_EQ(r.permanent_headers(), (NameValueList{{"Authorization", "perm"}, {"X-Session", "s"}}));
  EXPECT_EQ(r.effective_headers(),
            (NameValueList{{"Authorization", "explicit"}, {"X-Session", "s"}}));
  EXPECT_EQ(r.effective_cookies(), (NameValueList{{"sid", "e"}, {"lang", "en"}}));
}

TEST(Request, PermanentMapsGivenToSiblingsAreNotShared) {
  Request a = Request::get("u1").permanent_header("X", "1");
  Request b = a;  // a sibling built from the same permanent data
  b.permanent_header("X", "2").permanent_cookie("c", "v");
  EXPECT_EQ(a.permanent_headers(), (NameValueList{{"X", "1"}}));
  EXPECT_TRUE(a.permanent_cookies().empty());
  EXPECT_EQ(b.permanent_headers(), (NameValueList{{"X", "2"}}));
}

TEST(Request, SpeculativeMarker) {
  Request r = Request::get("http://h/cases/5");
  detail::RequestAccess::set_speculative(r, {"fetch_case:0", 0, 5});
  EXPECT_TRUE(r.is_speculative());
  ASSERT_TRUE(r.speculation_id());
  EXPECT_EQ(r.speculation_id()->state_key, "fetch_case:0");
  EXPECT_EQ(r.speculation_id()->id, 5);
}

TEST(Request, ContinuationNamesAreInternedNotCopied) {
  Request a = Request::get("u").to("a_rather_long_step_name_for_sso");
  Request b = Request::get("v").to(std::string("a_rather_long_step_name_for_sso"));
  EXPECT_EQ(&a.to(), &b.to());
  EXPECT_EQ(Request::get("u").to(), "");
}

TEST(Request, BuilderWorksOnLvaluesAndRvalues) {
  Request r = Request::get("u");
  Request& same = r.to("s").priority(2);
  EXPECT_EQ(&same, &r);
  Request moved = Request::get("v").to("t").priority(4);
  EXPECT_EQ(moved.to(), "t");
  EXPECT_EQ(moved.priority(), 4);
}

// A request is plain data; every field survives a round trip.
TEST(Request, RoundTripsThroughJson) {
  Request r = Request::post("http://h/api?x=1")
                  .to("parse_api")
                  .current_location("http://h/list")
                  .params({{"q", "a b"}})
                  .body(std::string("\x00\xff raw", 6))
                  .header("X-A", "1")
                  .cookie("c", "2")
                  .permanent_header("Authorization", "t")
                  .permanent_cookie("sid", "s")
                  .timeout(2.5)
                  .verify(false)
                  .accumulated_data({{"docket", "A"}, {"n", {1, 2}}})
                  .priority(9)
                  .archive("pdf")
                  .nonnavigating()
                  .dedup_key("explicit-key");
  detail::RequestAccess::set_speculative(r, {"fetch_case:0", 0, 7});
  Json saved = r;
  EXPECT_EQ(saved["method"], "POST");
  EXPECT_EQ(saved["continuation"], "parse_api");
  EXPECT_EQ(saved["body_hex"], "00ff20726177");
  Request again = request_from_json(Json::parse(saved.dump()));
  EXPECT_EQ(Json(again), saved);
  EXPECT_EQ(again.priority(), 9);  // explicit 9 on an archive request stays 9
  EXPECT_EQ(std::get<std::string>(again.body()), std::string("\x00\xff raw", 6));
  EXPECT_EQ(again.dedup_key(), "explicit-key");
  EXPECT_EQ(again.speculation_id()->id, 7);
  EXPECT_EQ(again.effective_headers(), r.effective_headers());

  Request plain = Request::get("http://h/").to("s").form({{"a", "1"}}).json({{"k", 1}});
  Request plain_again = request_from_json(Json(plain));
  EXPECT_EQ(Json(plain_again), Json(plain));
  EXPECT_FALSE(plain_again.explicit_priority());
  EXPECT_EQ(plain_again.dedup_key(), plain.dedup_key());
  EXPECT_EQ(Json(Request::get("u").dedup_key(skip_deduplication))["dedup_mode"], "skip");
}

TEST(Request, MalformedJsonIsAConfigError) {
  EXPECT_THROW(request_from_json(Json::array()), ScraperConfigError);
  EXPECT_THROW(request_from_json({{"method", "FETCH"}, {"url", "u"}}), ScraperConfigError);
  EXPECT_THROW(request_from_json({{"url", "u"}, {"headers", {{"a"}}}}), ScraperConfigError);
  EXPECT_THROW(request_from_json({{"url", "u"}, {"body_hex", "abc"}}), ScraperConfigError);
  EXPECT_THROW(request_from_json({{"url", "u"}, {"priority", "high"}}), ScraperConfigError);
}

// Found by the request_json fuzz target: 1e300 as an int field was converted with
// undefined behaviour (UBSan: float-cast-overflow), 4294967296 silently wrapped to 0.
TEST(Request, OutOfRangeNumbersInJsonAreConfigErrors) {
  EXPECT_THROW(request_from_json({{"url", "u"}, {"priority", 1e300}}), ScraperConfigError);
  EXPECT_THROW(request_from_json({{"url", "u"}, {"priority", 4294967296u}}), ScraperConfigError);
  EXPECT_THROW(request_from_json({{"url", "u"}, {"priority", -2147483649}}), ScraperConfigError);
  EXPECT_THROW(request_from_json({{"url", "u"}, {"priority", true}}), ScraperConfigError);
  EXPECT_THROW(
      request_from_json({{"url", "u"}, {"speculation_id", {{"state_key", "s"}, {"id", 1.5e19}}}}),
      ScraperConfigError);
  EXPECT_THROW(request_from_json(
                   {{"url", "u"}, {"speculation_id", {{"state_key", "s"}, {"param_index", 3e9}}}}),
               ScraperConfigError);
  EXPECT_EQ(request_from_json({{"url", "u"}, {"priority", -2147483648}}).priority(), -2147483648);
  EXPECT_EQ(request_from_json({{"url", "u"}, {"priority", 7.0}}).priority(), 7);
  EXPECT_EQ(
      request_from_json(
          {{"url", "u"}, {"speculation_id", {{"state_key", "s"}, {"id", 9007199254740992.0}}}})
          .speculation_id()
          ->id,
      9007199254740992L);
}

// The common case stays small: the benchmark queues a million requests.
TEST(Request, InlineSizeIsSmall) {
  static_assert(sizeof(Request) <= 136, "Request grew: keep rare fields in the extras block");
  EXPECT_LE(sizeof(Request), 136u);
}

}  // namespace

namespace {

// docs/design.md §21: a named jar is inherited, kept in the request's JSON,
// and part of the dedup key (the default jar leaves keys as they were).
TEST(Request, CookieJarIsInheritedSavedAndKeyed) {
  auto parent = std::make_shared<const Request>(
      Request::get("http://h/login").cookie_jar("alice").permanent_cookie("lang", "en"));
  auto base = std::make_shared<const std::string>("http://h/login");
  Request child = resolve_against(Request::get("/cases/1"), parent, base);
  EXPECT_EQ(child.cookie_jar(), "alice");
  EXPECT_EQ(child.permanent_cookies(), (NameValueList{{"lang", "en"}}));
  Request other = resolve_against(Request::get("/cases/1").cookie_jar("bob"), parent, base);
  EXPECT_EQ(other.cookie_jar(), "bob");
  EXPECT_EQ(Request::get("http://h/").cookie_jar(), "");

  EXPECT_NE(child.dedup_key(), other.dedup_key());
  Request default_jar = Request::get("http://h/cases/1");
  Request named_empty = Request::get("http://h/cases/1").cookie_jar("");
  EXPECT_EQ(default_jar.dedup_key(), named_empty.dedup_key());
  EXPECT_NE(default_jar.dedup_key(), child.dedup_key());

  Json saved = child;
  EXPECT_EQ(saved["permanent"]["cookie_jar"], "alice");
  Request again = request_from_json(Json::parse(saved.dump()));
  EXPECT_EQ(again.cookie_jar(), "alice");
  EXPECT_EQ(Json(again), saved);
  EXPECT_FALSE(Json(default_jar)["permanent"].contains("cookie_jar"));
  EXPECT_THROW(request_from_json({{"url", "u"}, {"permanent", {{"cookie_jar", 3}}}}),
               ScraperConfigError);
}

}  // namespace
