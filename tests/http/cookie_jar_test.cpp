// The cookie jar's RFC 6265 rules, one table per step of §5: parsing (§5.2),
// dates (§5.1.1), domain and path matching (§5.1.3, §5.1.4), the storage model
// (§5.3), the Cookie header (§5.4), limits, expiry on the jar's clock, JSON.
#include "http/cookie_jar.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "uvscrape/errors.hpp"
#include "uvscrape/json.hpp"
#include "uvscrape/url.hpp"

namespace uvscrape::http {
namespace {

using Clock = std::chrono::system_clock;
using std::chrono::seconds;

int64_t unix_seconds(Clock::time_point t) {
  return std::chrono::duration_cast<seconds>(t.time_since_epoch()).count();
}

// --- §5.2 parsing -----------------------------------------------------------------

struct ParseCase {
  const char* header;
  bool ignored;
  const char* name;
  const char* value;
  size_t attributes;
};

TEST(SetCookieParse, FollowsSection52) {
  const ParseCase cases[] = {
      {"sid=abc", false, "sid", "abc", 0},
      {"sid=\"quoted value\"", false, "sid", "\"quoted value\"", 0},  // quotes kept
      {"  sid  =  a b  ; Path=/", false, "sid", "a b", 1},            // WSP trimmed, inner kept
      {"sid=", false, "sid", "", 0},                                  // empty value is a cookie
      {"sid=a=b=c", false, "sid", "a=b=c", 0},                        // split at the first '='
      {"noequals", true, "", "", 0},                                  // no '=': ignored
      {"noequals; Path=/", true, "", "", 0},                          // '=' only in attributes
      {"=value", true, "", "", 0},                                    // empty name: ignored
      {"   =value", true, "", "", 0},
      {"a=1; Secure; HttpOnly; Path=/x; Domain=.example.org", false, "a", "1", 4},
      {"a=1;;; Secure", false, "a", "1", 1},  // empty cookie-avs skipped
      {"a=1\t;\tMax-Age = 10 ", false, "a", "1", 1},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.header);
    auto parsed = parse_set_cookie(c.header);
    ASSERT_EQ(!parsed.has_value(), c.ignored);
    if (!parsed) continue;
    EXPECT_EQ(parsed->name, c.name);
    EXPECT_EQ(parsed->value, c.value);
    EXPECT_EQ(parsed->attributes.size(), c.attributes);
  }
  auto av = parse_set_cookie("a=1\t;\tMax-Age = 10 ");
  ASSERT_TRUE(av);
  EXPECT_EQ(av->attributes[0].name, "Max-Age");
  EXPECT_EQ(av->attributes[0].value, "10");
}

// --- §5.1.1 dates ------------------------------------------------------------------

struct DateCase {
  const char* text;
  int64_t unix;  // -1: the algorithm fails
};

TEST(CookieDate, FollowsSection511) {
  const DateCase cases[] = {
      {"Wed, 21 Oct 2015 07:28:00 GMT", 1445412480},
      {"Wednesday, 21-Oct-15 07:28:00 GMT", 1445412480},  // RFC 850, two-digit year
      {"Wed Oct 21 07:28:00 2015", 1445412480},           // asctime
      {"21 oct 2015 07:28:00", 1445412480},               // month case-insensitive
      {"Thu, 01 Jan 1970 00:00:00 GMT", 0},
      {"Sun, 06 Nov 94 08:49:37 GMT", 784111777},    // 70..99 -> 19xx
      {"Sat, 01 Jan 22 00:00:00 GMT", 1640995200},   // 0..69 -> 20xx
      {"Tue, 29 Feb 2000 12:00:00 GMT", 951825600},  // a leap day
      {"Wed, 21 Oct 2015 7:8:9 GMT", 1445411289},    // one-digit time fields
      {"Wed, 21 Oct 2015 07:28:00", 1445412480},     // no zone
      {"Wed, 21 Oct 2015", -1},                      // no time
      {"Wed, 32 Oct 2015 07:28:00 GMT", -1},         // day out of range
      {"Wed, 21 Foo 2015 07:28:00 GMT", -1},         // no month
      {"Wed, 21 Oct 2015 24:00:00 GMT", -1},         // hour out of range
      {"Wed, 21 Oct 2015 07:60:00 GMT", -1},
      {"Wed, 21 Oct 1600 07:28:00 GMT", -1},  // before 1601
      {"Thu, 30 Feb 2017 00:00:00 GMT", -1},  // no such day
      {"garbage", -1},
      {"", -1},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    auto date = parse_cookie_date(c.text);
    if (c.unix < 0) {
      EXPECT_FALSE(date.has_value());
    } else {
      ASSERT_TRUE(date.has_value());
      EXPECT_EQ(unix_seconds(*date), c.unix);
    }
  }
}

// --- §5.1.3, §5.1.4 -----------------------------------------------------------------

TEST(CookieMatching, DomainAndPath) {
  EXPECT_TRUE(domain_match("example.org", "example.org", false));
  EXPECT_TRUE(domain_match("www.example.org", "example.org", false));
  EXPECT_FALSE(domain_match("badexample.org", "example.org", false));
  EXPECT_FALSE(domain_match("example.org", "www.example.org", false));
  EXPECT_TRUE(domain_match("127.0.0.1", "127.0.0.1", true));
  EXPECT_FALSE(domain_match("127.0.0.1", "0.0.1", true));

  EXPECT_EQ(default_path(""), "/");
  EXPECT_EQ(default_path("/"), "/");
  EXPECT_EQ(default_path("/login"), "/");
  EXPECT_EQ(default_path("/app/login"), "/app");
  EXPECT_EQ(default_path("/app/sub/"), "/app/sub");

  EXPECT_TRUE(path_match("/app", "/app"));
  EXPECT_TRUE(path_match("/app/x", "/app"));
  EXPECT_TRUE(path_match("/app/x", "/app/"));
  EXPECT_FALSE(path_match("/application", "/app"));
  EXPECT_FALSE(path_match("/", "/app"));
  EXPECT_TRUE(path_match("/anything", "/"));
}

TEST(CookieMatching, PublicSuffixes) {
  for (const char* d : {"co.uk", "gov.uk", "github.io", "com", "org"}) {
    EXPECT_TRUE(is_public_suffix(d)) << d;
  }
  for (const char* d : {"example.co.uk", "user.github.io", "example.org"}) {
    EXPECT_FALSE(is_public_suffix(d)) << d;
  }
}

// --- §5.3 storage, §5.4 the Cookie header ---------------------------------------------

// A jar whose clock the test moves.
struct JarTest : ::testing::Test {
  Clock::time_point now = Clock::time_point(seconds(1'700'000'000));
  CookieJar jar;
  void SetUp() override {
    jar.set_clock([this] { return now; });
  }
  std::string header(const char* url) { return jar.cookie_header(Url::parse(url)); }
  bool store(const char* url, const char* set_cookie) {
    return jar.store(Url::parse(url), set_cookie);
  }
};

// changes() moves only when what to_json() writes moves: a durable run
// exports the jars then, and not for a cookie sent again on every page.
TEST_F(JarTest, ChangesCountsWhatTheExportWouldShow) {
  EXPECT_EQ(jar.changes(), 0u);
  EXPECT_TRUE(store("http://example.org/", "sid=1; Path=/"));
  const auto after_first = jar.changes();
  EXPECT_GT(after_first, 0u);
  EXPECT_TRUE(store("http://example.org/", "sid=1; Path=/"));  // the same again
  EXPECT_EQ(jar.changes(), after_first);
  header("http://example.org/");  // reading (a last-access update) is no change
  EXPECT_EQ(jar.changes(), after_first);
  EXPECT_TRUE(store("http://example.org/", "sid=2; Path=/"));  // a new value
  EXPECT_GT(jar.changes(), after_first);
  const auto after_second = jar.changes();
  EXPECT_TRUE(store("http://example.org/", "sid=2; Path=/; Max-Age=0"));  // deleted
  EXPECT_GT(jar.changes(), after_second);
  EXPECT_TRUE(jar.empty());
}

TEST_F(JarTest, HostOnlyCookieStaysOnItsHost) {
  EXPECT_TRUE(store("http://www.example.org/", "a=1"));
  EXPECT_EQ(header("http://www.example.org/x"), "a=1");
  EXPECT_EQ(header("http://sub.www.example.org/"), "");
  EXPECT_EQ(header("http://example.org/"), "");
  ASSERT_EQ(jar.all().size(), 1u);
  EXPECT_TRUE(jar.all()[0].host_only);
}

TEST_F(JarTest, DomainCookieWithLeadingDotReachesSubdomains) {
  EXPECT_TRUE(store("http://www.example.org/", "a=1; Domain=.Example.ORG"));
  EXPECT_EQ(header("http://example.org/"), "a=1");
  EXPECT_EQ(header("http://deep.www.example.org/"), "a=1");
  EXPECT_EQ(header("http://example.com/"), "");
  EXPECT_EQ(jar.all()[0].domain, "example.org");
  EXPECT_FALSE(jar.all()[0].host_only);
}

TEST_F(JarTest, DomainOutsideTheHostIsRefused) {
  EXPECT_FALSE(store("http://www.example.org/", "a=1; Domain=other.org"));
  EXPECT_FALSE(store("http://example.org/", "a=1; Domain=www.example.org"));
  EXPECT_TRUE(jar.empty());
}

TEST_F(JarTest, PublicSuffixDomainsAreRefused) {
  EXPECT_FALSE(store("http://shop.example.co.uk/", "a=1; Domain=.co.uk"));
  EXPECT_FALSE(store("http://service.agency.gov.uk/", "a=1; Domain=gov.uk"));
  EXPECT_FALSE(store("http://user.github.io/", "a=1; Domain=github.io"));
  EXPECT_TRUE(jar.empty());
  // The registrable domain below the suffix is fine.
  EXPECT_TRUE(store("http://shop.example.co.uk/", "a=1; Domain=example.co.uk"));
  EXPECT_EQ(header("http://www.example.co.uk/"), "a=1");
  // A host that is itself a suffix gets a host-only cookie (§5.3 step 5).
  EXPECT_TRUE(store("http://github.io/", "b=2; Domain=github.io"));
  EXPECT_EQ(header("http://github.io/"), "b=2");
  EXPECT_EQ(header("http://user.github.io/"), "");
}

TEST_F(JarTest, IpHostsGetHostOnlyCookies) {
  EXPECT_TRUE(store("http://127.0.0.1:8080/", "a=1; Domain=127.0.0.1"));
  EXPECT_FALSE(store("http://127.0.0.1:8080/", "b=2; Domain=0.0.1"));
  ASSERT_EQ(jar.all().size(), 1u);
  EXPECT_TRUE(jar.all()[0].host_only);
  EXPECT_EQ(header("http://127.0.0.1:9090/"), "a=1");  // ports do not separate cookies
  EXPECT_EQ(header("http://127.0.0.2/"), "");
  EXPECT_TRUE(store("http://[::1]/", "c=3"));
  EXPECT_EQ(header("http://[::1]/"), "c=3");
}

TEST_F(JarTest, PathDefaultsToTheRequestDirectory) {
  EXPECT_TRUE(store("http://h.test/app/login", "a=1"));
  EXPECT_TRUE(store("http://h.test/app/login", "b=2; Path=/"));
  EXPECT_TRUE(store("http://h.test/app/login", "c=3; Path=relative"));  // -> default path
  EXPECT_EQ(header("http://h.test/app/page"), "a=1; c=3; b=2");
  EXPECT_EQ(header("http://h.test/application"), "b=2");
  EXPECT_EQ(header("http://h.test/"), "b=2");
}

TEST_F(JarTest, HeaderOrderIsLongerPathFirstThenEarlierCreation) {
  store("http://h.test/", "root=1; Path=/");
  now += seconds(1);
  store("http://h.test/", "deep=2; Path=/a/b");
  now += seconds(1);
  store("http://h.test/", "mid=3; Path=/a");
  now += seconds(1);
  store("http://h.test/", "root2=4; Path=/");
  EXPECT_EQ(header("http://h.test/a/b/c"), "deep=2; mid=3; root=1; root2=4");
  // Replacing a cookie keeps its creation time, so its place.
  now += seconds(1);
  store("http://h.test/", "root=changed; Path=/");
  EXPECT_EQ(header("http://h.test/a/b/c"), "deep=2; mid=3; root=changed; root2=4");
}

TEST_F(JarTest, SecureCookiesOnlyOverHttps) {
  EXPECT_TRUE(store("https://h.test/", "s=1; Secure"));
  EXPECT_TRUE(store("https://h.test/", "p=2"));
  EXPECT_EQ(header("http://h.test/"), "p=2");
  EXPECT_EQ(header("https://h.test/"), "s=1; p=2");
}

TEST_F(JarTest, AttributesAreCaseInsensitiveAndKept) {
  EXPECT_TRUE(store("https://h.test/", "a=1; SECURE; httponly; samesite=strict; pAtH=/"));
  const Cookie c = jar.all().at(0);
  EXPECT_TRUE(c.secure);
  EXPECT_TRUE(c.http_only);
  EXPECT_EQ(c.same_site, SameSite::strict);
  EXPECT_EQ(c.path, "/");
  EXPECT_FALSE(c.expires.has_value());  // a session cookie
}

TEST_F(JarTest, MaxAgeWinsOverExpiresWhateverTheOrder) {
  store("http://h.test/", "a=1; Max-Age=60; Expires=Wed, 21 Oct 2015 07:28:00 GMT");
  store("http://h.test/", "b=2; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Max-Age=60");
  EXPECT_EQ(header("http://h.test/"), "a=1; b=2");
  for (const Cookie& c : jar.all()) EXPECT_EQ(*c.expires, now + seconds(60)) << c.name;
  now += seconds(60);
  EXPECT_EQ(header("http://h.test/"), "");  // expired on the jar's clock
}

TEST_F(JarTest, PastDateOrNonPositiveMaxAgeDeletes) {
  store("http://h.test/", "a=1");
  store("http://h.test/", "b=1");
  store("http://h.test/", "c=1");
  EXPECT_TRUE(store("http://h.test/", "a=gone; Expires=Thu, 01 Jan 1970 00:00:01 GMT"));
  EXPECT_TRUE(store("http://h.test/", "b=gone; Max-Age=0"));
  EXPECT_TRUE(store("http://h.test/", "c=gone; Max-Age=-5"));
  EXPECT_TRUE(store("http://h.test/", "d=never; Max-Age=0"));  // never stored
  EXPECT_EQ(header("http://h.test/"), "");
  EXPECT_TRUE(jar.empty());
}

TEST_F(JarTest, BadAttributesAreIgnoredNotTheCookie) {
  // A bad date, a Max-Age that is not a number: the cookie stays a session cookie.
  EXPECT_TRUE(store("http://h.test/", "a=1; Expires=not a date"));
  EXPECT_TRUE(store("http://h.test/", "b=2; Max-Age=12abc"));
  EXPECT_TRUE(store("http://h.test/", "c=3; Domain="));  // empty Domain: host-only
  for (const Cookie& c : jar.all()) {
    EXPECT_FALSE(c.expires.has_value()) << c.name;
    EXPECT_TRUE(c.host_only) << c.name;
  }
  EXPECT_EQ(header("http://h.test/"), "a=1; b=2; c=3");
}

TEST_F(JarTest, EveryHeaderOfAResponseIsStored) {
  Headers headers;
  headers.add("Set-Cookie", "a=1");
  headers.add("Content-Type", "text/html");
  headers.add("set-cookie", "b=2; Path=/");
  headers.add("Set-Cookie", "broken");
  EXPECT_EQ(jar.store(Url::parse("http://h.test/"), headers), 2u);
  EXPECT_EQ(header("http://h.test/"), "a=1; b=2");
}

TEST_F(JarTest, SameNameDifferentPathsAreTwoCookies) {
  store("http://h.test/", "a=root; Path=/");
  store("http://h.test/", "a=sub; Path=/sub");
  EXPECT_EQ(header("http://h.test/sub/x"), "a=sub; a=root");
  EXPECT_EQ(jar.size(), 2u);
}

TEST_F(JarTest, OversizedCookiesAreIgnored) {
  std::string big = "a=" + std::string(CookieJar::max_cookie_bytes, 'x');
  EXPECT_FALSE(jar.store(Url::parse("http://h.test/"), big));
  std::string fits = "a=" + std::string(CookieJar::max_cookie_bytes - 1, 'x');
  EXPECT_TRUE(jar.store(Url::parse("http://h.test/"), fits));
}

TEST(CookieJarLimits, PerDomainAndTotalEvictTheLeastRecentlyUsed) {
  Clock::time_point now = Clock::time_point(seconds(1'700'000'000));
  CookieJar jar(3, 5);
  jar.set_clock([&] { return now; });
  const Url a = Url::parse("http://a.test/");
  const Url b = Url::parse("http://b.test/");
  for (const char* c : {"a1=1", "a2=2", "a3=3"}) {
    jar.store(a, c);
    now += seconds(1);
  }
  EXPECT_EQ(jar.cookie_header(a), "a1=1; a2=2; a3=3");  // all used now; a1 was created first
  now += seconds(1);
  jar.store(a, "a4=4");  // a.test is over 3: the least recently used goes
  EXPECT_EQ(jar.size(), 3u);
  EXPECT_EQ(jar.cookie_header(a), "a2=2; a3=3; a4=4");
  now += seconds(1);
  for (const char* c : {"b1=1", "b2=2", "b3=3"}) {
    jar.store(b, c);
    now += seconds(1);
  }
  EXPECT_EQ(jar.size(), 5u);  // over the total: a2, the least recently used, went
  EXPECT_EQ(jar.cookie_header(b), "b1=1; b2=2; b3=3");
  EXPECT_EQ(jar.cookie_header(a), "a3=3; a4=4");
}

TEST(CookieJarLimits, DefaultsAre50PerDomainAnd3000InAll) {
  CookieJar jar;
  const Url url = Url::parse("http://h.test/");
  for (int i = 0; i < 60; ++i) jar.store(url, "c" + std::to_string(i) + "=v");
  EXPECT_EQ(jar.size(), 50u);
  for (int h = 0; h < 70; ++h) {
    const Url host = Url::parse("http://h" + std::to_string(h) + ".test/");
    for (int i = 0; i < 50; ++i) jar.store(host, "c" + std::to_string(i) + "=v");
  }
  EXPECT_EQ(jar.size(), 3000u);
}

// --- JSON -----------------------------------------------------------------------------

TEST_F(JarTest, JsonRoundTripKeepsEveryField) {
  store("https://www.example.org/app/x",
        "sid=\"q\"; Domain=example.org; Secure; HttpOnly; "
        "SameSite=Lax; Max-Age=3600");
  now += seconds(1);
  store("https://www.example.org/app/x", "plain=1");
  const Json document = jar.to_json();
  EXPECT_EQ(document["format"], "uvscrape-cookies");
  EXPECT_EQ(document["version"], 1);
  ASSERT_EQ(document["cookies"].size(), 2u);
  const Json& first = document["cookies"][0];
  EXPECT_EQ(first["name"], "sid");
  EXPECT_EQ(first["value"], "\"q\"");
  EXPECT_EQ(first["domain"], "example.org");
  EXPECT_EQ(first["path"], "/app");
  EXPECT_EQ(first["host_only"], false);
  EXPECT_EQ(first["secure"], true);
  EXPECT_EQ(first["http_only"], true);
  EXPECT_EQ(first["same_site"], "Lax");
  EXPECT_EQ(first["expires"], 1'700'000'000 + 3600);
  EXPECT_TRUE(document["cookies"][1]["expires"].is_null());

  CookieJar copy;
  copy.set_clock([this] { return now; });
  copy.from_json(Json::parse(document.dump()));
  EXPECT_EQ(copy.to_json(), document);
  EXPECT_EQ(copy.cookie_header(Url::parse("https://sub.example.org/app/y")), "sid=\"q\"");
  EXPECT_EQ(copy.cookie_header(Url::parse("https://www.example.org/app/y")), "sid=\"q\"; plain=1");
}

// A Latin-1 cookie is bytes, not UTF-8: the export writes it in hex rather
// than throwing (a fuzzer finding), and the import gives back the same bytes.
TEST_F(JarTest, JsonKeepsCookiesThatAreNotUtf8) {
  store("http://portal.example.gov/login", "ASP.NET\x9a\xac=x1\xe9; Path=/caf\xe9");
  const Json document = jar.to_json();
  ASSERT_EQ(document["cookies"].size(), 1u);
  const Json& entry = document["cookies"][0];
  EXPECT_EQ(entry["name_hex"], "4153502e4e45549aac");
  EXPECT_EQ(entry["value_hex"], "7831e9");
  EXPECT_EQ(entry["path_hex"], "2f636166e9");
  EXPECT_FALSE(entry.contains("name"));

  CookieJar copy;
  copy.set_clock([this] { return now; });
  copy.from_json(Json::parse(document.dump()));
  EXPECT_EQ(copy.to_json(), document);
  EXPECT_EQ(copy.cookie_header(Url::parse("http://portal.example.gov/caf%C3%A9/x")),
            jar.cookie_header(Url::parse("http://portal.example.gov/caf%C3%A9/x")));
  EXPECT_EQ(copy.all().front().name, "ASP.NET\x9a\xac");
  EXPECT_EQ(copy.all().front().value, "x1\xe9");

  Json bad = document;
  bad["cookies"][0]["value_hex"] = "7g";
  EXPECT_THROW(copy.from_json(bad), ScraperConfigError);
}

TEST(CookieJarJson, BadDocumentsNameWhatIsWrong) {
  CookieJar jar;
  const auto message = [&](const char* text) {
    try {
      jar.from_json(Json::parse(text));
    } catch (const ScraperConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message("[]").find("not an object"), std::string::npos);
  EXPECT_NE(message(R"({"format":"x","version":1,"cookies":[]})").find("format"),
            std::string::npos);
  EXPECT_NE(message(R"({"format":"uvscrape-cookies","version":2,"cookies":[]})").find("version"),
            std::string::npos);
  EXPECT_NE(message(R"({"format":"uvscrape-cookies","version":1,"cookies":[{"name":"a"}]})")
                .find("cookies[0] has no \"value\""),
            std::string::npos);
  EXPECT_NE(message(R"({"format":"uvscrape-cookies","version":1,"cookies":[
                   {"name":"a","value":"1","domain":"h.test","secure":"yes"}]})")
                .find("cookies[0].secure"),
            std::string::npos);
  EXPECT_TRUE(jar.empty());  // nothing of a bad document is taken
}

}  // namespace
}  // namespace uvscrape::http
