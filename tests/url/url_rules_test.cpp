// The URL rules, one table per category, without the WHATWG test data: what
// an href on a page resolves to is what a browser fetches for it. Expected
// values are a browser's answers (checked against Node's WHATWG URL, except
// '^' in a path, which the current standard and its test data encode as %5E).
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "uvscrape/errors.hpp"
#include "uvscrape/url.hpp"

namespace uvscrape {
namespace {

using namespace std::string_view_literals;

constexpr const char* kFails = nullptr;

// A page of the issue's table: the base of its rows.
constexpr const char* kCountyPage =
    "https://records.example-county.gov/cases/2024/docket.aspx?id=17";

struct Case {
  std::string_view base;
  std::string_view href;
  const char* expected;  // kFails: UrlError when the link is resolved
};

// Resolves like the driver does with a yielded link, then parses what will be
// sent like the request writer; both must agree with the expected URL.
void check(const std::vector<Case>& cases) {
  for (const auto& c : cases) {
    const std::string label = "href \"" + std::string(c.href) + "\" on " + std::string(c.base);
    if (c.expected == kFails) {
      try {
        const std::string got = resolve_url(c.base, c.href);
        ADD_FAILURE() << label << ": expected UrlError, got " << got;
      } catch (const UrlError& e) {
        EXPECT_EQ(e.url(), std::string(c.href)) << label;
        EXPECT_NE(e.reason().find(std::string(c.base)), std::string::npos)
            << label << ": the error names the base: " << e.what();
      }
      continue;
    }
    try {
      const std::string resolved = resolve_url(c.base, c.href);
      EXPECT_EQ(resolved, c.expected) << label;
      EXPECT_EQ(Url::parse(resolved).str(), resolved) << label << ": parse(serialise) changed it";
      EXPECT_EQ(Url::parse(c.href, Url::parse(c.base)).str(), resolved) << label;
    } catch (const UrlError& e) {
      ADD_FAILURE() << label << ": " << e.what();
    }
  }
}

const std::vector<Case> kWhitespace = {
    {"http://h/a/", "  \n\t/cases/1\n  ", "http://h/cases/1"},
    {"http://h/a/", "/cases/\n2024/1", "http://h/cases/2024/1"},
    {"http://h/a/", "\x00\x1f /x \x01"sv, "http://h/x"},
    {"http://h/a/", "ht\ttp://o\nther/p\ra", "http://other/pa"},
    {"http://h/a/", "/a b/ c", "http://h/a%20b/%20c"},
};

const std::vector<Case> kBackslash = {
    {kCountyPage, "..\\attachments\\exhibit A.pdf",
     "https://records.example-county.gov/cases/attachments/exhibit%20A.pdf"},
    {kCountyPage, "\\docs\\order.pdf", "https://records.example-county.gov/docs/order.pdf"},
    {kCountyPage, "\\\\cdn.example.com\\app.js", "https://cdn.example.com/app.js"},
    {"http://h/a/b", "c\\d\\..\\e", "http://h/a/c/e"},
    {"http://h/", "http:\\\\other\\x", "http://other/x"},
};

const std::vector<Case> kSchemeRelativeForms = {
    {kCountyPage, "http:next.html", "http://next.html/"},
    {kCountyPage, "https:next.html", "https://records.example-county.gov/cases/2024/next.html"},
    {kCountyPage, "https:/shop.example.com/cart",
     "https://records.example-county.gov/shop.example.com/cart"},
    {kCountyPage, "http:/shop.example.com/cart", "http://shop.example.com/cart"},
    {kCountyPage, "///cdn.example.com/app.js", "https://cdn.example.com/app.js"},
    {kCountyPage, "https:///cdn.example.com/app.js", "https://cdn.example.com/app.js"},
    {"http://h/a/b", "http:", "http://h/a/b"},
    {"http://h/a/b?q", "http:?x", "http://h/a/b?x"},
    {"http://h/a/b", "HTTP:c", "http://h/a/c"},
};

const std::vector<Case> kDotSegments = {
    {"http://h/a/b/c", "../../g", "http://h/g"},
    {"http://h/a/b/c", "../../../../g", "http://h/g"},
    {"http://h/a/b/c", "./g/.", "http://h/a/b/g/"},
    {"http://h/a/b/c", "%2e%2E/g", "http://h/a/g"},
    {"http://h/a/b/c", ".%2e/g", "http://h/a/g"},
    {"http://h/a/b/c", "g/%2e", "http://h/a/b/g/"},
    {"http://h/", "/a/./b/../c", "http://h/a/c"},
    {"http://h/", "/a/.../b", "http://h/a/.../b"},
    {"http://h/", "/a/..x/b", "http://h/a/..x/b"},
};

const std::vector<Case> kIpv4 = {
    {"http://h/", "http://0x7f.1/", "http://127.0.0.1/"},
    {"http://h/", "http://2130706433/", "http://127.0.0.1/"},
    {"http://h/", "http://0177.0.0.1/", "http://127.0.0.1/"},
    {"http://h/", "http://127.1/", "http://127.0.0.1/"},
    {"http://h/", "http://127.0.1/", "http://127.0.0.1/"},
    {"http://h/", "http://192.168.0.257/", kFails},
    {"http://h/", "http://0x7F.0X0.0.01/", "http://127.0.0.1/"},
    {"http://h/", "http://1.2.3.4./", "http://1.2.3.4/"},
    {"http://h/", "http://4294967295/", "http://255.255.255.255/"},
    {"http://h/", "http://0x/", "http://0.0.0.0/"},
    {"http://h/", "http://1.2.3.09.example/", "http://1.2.3.09.example/"},
};

const std::vector<Case> kIpv6 = {
    {"http://h/", "http://[::1]/", "http://[::1]/"},
    {"http://h/", "http://[0:0:0:0:0:0:0:1]:8080/", "http://[::1]:8080/"},
    {"http://h/", "http://[2001:DB8:0:0:1:0:0:1]/", "http://[2001:db8::1:0:0:1]/"},
    {"http://h/", "http://[::ffff:192.168.0.1]/", "http://[::ffff:c0a8:1]/"},
    {"http://h/", "http://[1:0::]/", "http://[1::]/"},
    {"http://h/", "http://[0:1:0:0:1:0:0:0]/", "http://[0:1:0:0:1::]/"},
    {"http://h/", "http://[::127.0.0.1]/", "http://[::7f00:1]/"},
};

const std::vector<Case> kIdna = {
    {kCountyPage,
     "https://www.m\xC3\xBC"
     "nchen.de/rathaus/",
     "https://www.xn--mnchen-3ya.de/rathaus/"},
    {"http://h/", "http://EXAMPLE.Com/", "http://example.com/"},
    {"http://h/",
     "http://B\xC3\xBC"
     "cher.example/",
     "http://xn--bcher-kva.example/"},
    {"http://h/", "http://xn--bcher-kva.example/", "http://xn--bcher-kva.example/"},
    {"http://h/",
     "http://\xEF\xBD\x85"
     "\xEF\xBD\x98"
     "\xEF\xBD\x81"
     "\xEF\xBD\x8D"
     "\xEF\xBD\x90"
     "\xEF\xBD\x8C"
     "\xEF\xBD\x85"
     "\xEF\xBC\x8E"
     "com/",
     "http://example.com/"},
    {"http://h/",
     "http://fa\xC3\x9F"
     ".de/",
     "http://xn--fa-hia.de/"},
    {"http://h/", "http://%65xample.com/", "http://example.com/"},
    {"http://h/",
     "http://example\xE3\x80\x82"
     "com/",
     "http://example.com/"},
    {"http://h/", "http://a.b-.c/", "http://a.b-.c/"},
};

const std::vector<Case> kPercentEncodeSets = {
    {kCountyPage, "/search?discount=50%&sort=price",
     "https://records.example-county.gov/search?discount=50%&sort=price"},
    {kCountyPage, "?filter[status]=open",
     "https://records.example-county.gov/cases/2024/docket.aspx?filter[status]=open"},
    {"http://h/", "/a b\"<>`{}^|[]/c", "http://h/a%20b%22%3C%3E%60%7B%7D%5E|[]/c"},
    {"http://h/", "/p?a b\"<>`{}^|[]'#f g\"<>`{}",
     "http://h/p?a%20b%22%3C%3E`{}^|[]%27#f%20g%22%3C%3E%60{}"},
    {"http://h/", "/%7Euser/%7euser/~user", "http://h/%7Euser/%7euser/~user"},
    {"http://h/", "/100%/%zz/%2F", "http://h/100%/%zz/%2F"},
    {"http://h/",
     "/\xC3\xA4"
     "?\xC3\xB6"
     "#\xC3\xBC"
     "",
     "http://h/%C3%A4?%C3%B6#%C3%BC"},
    {"http://h/", "/s?q=a%26b+c", "http://h/s?q=a%26b+c"},
    {"http://h/", "/a#b#c", "http://h/a#b#c"},
    {"http://h/", "/x?y?z", "http://h/x?y?z"},
};

const std::vector<Case> kPorts = {
    {"http://h/", "http://h:80/", "http://h/"},
    {"http://h/", "https://h:443/", "https://h/"},
    {"http://h/", "http://h:443/", "http://h:443/"},
    {"http://h/", "http://h:/", "http://h/"},
    {"http://h/", "http://h:0080/x", "http://h/x"},
    {"http://h/", "http://h:08080/x", "http://h:8080/x"},
    {"http://h/", "http://h:0/x", "http://h:0/x"},
    {"http://h/", "http://h:65535/x", "http://h:65535/x"},
};

const std::vector<Case> kUserinfo = {
    {"http://h/", "http://user:pass@host/", "http://user:pass@host/"},
    {"http://h/", "http://user@host/", "http://user@host/"},
    {"http://h/", "http://:pass@host/", "http://:pass@host/"},
    {"http://h/", "http://@host/", "http://host/"},
    {"http://h/", "http://a@b@host/", "http://a%40b@host/"},
    {"http://h/", "http://u:p:q@host/", "http://u:p%3Aq@host/"},
    {"http://h/", "http://us er:p[]@host/", "http://us%20er:p%5B%5D@host/"},
    {"http://h/", "https://user:@host/", "https://user@host/"},
};

const std::vector<Case> kFailures = {
    {"http://h/", "http://exa mple.com/", kFails},
    {"http://h/", "http:///", kFails},
    {"http://h/", "http://user@/", kFails},
    {"http://h/", "http://:80/", kFails},
    {"http://h/", "http://h:65536/", kFails},
    {"http://h/", "http://h:8x/", kFails},
    {"http://h/", "http://a^b/", kFails},
    {"http://h/", "http://a%25b/", kFails},
    {"http://h/", "http://[::1/", kFails},
    {"http://h/", "http://[1:2:3]/", kFails},
    {"http://h/", "http://256.256.256.256/", kFails},
    {"http://h/", "http://1.2.3.4.5/", kFails},
    {"http://h/", "http://09.1/", kFails},
    {"http://h/", "http://xn--a/", kFails},
    {"http://h/", "http://a<b/", kFails},
    {"http://h/", "mailto:x@y.z", kFails},
    {"http://h/", "javascript:void(0)", kFails},
    {"http://h/", "ftp://h/x", kFails},
};

TEST(UrlRules, WhitespaceIsStrippedAndTabsAndNewlinesRemoved) {
  check(kWhitespace);
}
TEST(UrlRules, BackslashIsASlash) {
  check(kBackslash);
}
TEST(UrlRules, SchemeWithoutSlashesFollowsTheBaseScheme) {
  check(kSchemeRelativeForms);
}
TEST(UrlRules, DotSegmentsIncludingEncodedDots) {
  check(kDotSegments);
}
TEST(UrlRules, Ipv4NumberForms) {
  check(kIpv4);
}
TEST(UrlRules, Ipv6CompressionAndEmbeddedIpv4) {
  check(kIpv6);
}
TEST(UrlRules, IdnaHostsAreMappedToAscii) {
  check(kIdna);
}
TEST(UrlRules, EachComponentHasItsPercentEncodeSet) {
  check(kPercentEncodeSets);
}
TEST(UrlRules, PortsDefaultsAndLeadingZeros) {
  check(kPorts);
}
TEST(UrlRules, UserinfoIsEncodedAndSplitAtTheFirstColon) {
  check(kUserinfo);
}
TEST(UrlRules, FailuresNameTheHrefAndTheBase) {
  check(kFailures);
}

// Every row of the issue's table, and what goes on the request line.
TEST(UrlRules, TheIssueTableFetchesWhatABrowserFetches) {
  const Url page = Url::parse(kCountyPage);
  struct Row {
    const char* href;
    const char* host;
    const char* target;
  };
  const Row rows[] = {
      {"..\\attachments\\exhibit A.pdf", "records.example-county.gov",
       "/cases/attachments/exhibit%20A.pdf"},
      {"\\docs\\order.pdf", "records.example-county.gov", "/docs/order.pdf"},
      {"https://www.m\xC3\xBCnchen.de/rathaus/", "www.xn--mnchen-3ya.de", "/rathaus/"},
      {"http:next.html", "next.html", "/"},
      {"https:/shop.example.com/cart", "records.example-county.gov", "/shop.example.com/cart"},
      {"///cdn.example.com/app.js", "cdn.example.com", "/app.js"},
      {"/search?discount=50%&sort=price", "records.example-county.gov",
       "/search?discount=50%&sort=price"},
      {"?filter[status]=open", "records.example-county.gov",
       "/cases/2024/docket.aspx?filter[status]=open"},
  };
  for (const auto& row : rows) {
    const Url sent = Url::parse(resolve_url(kCountyPage, row.href));
    EXPECT_EQ(sent.host(), row.host) << row.href;
    EXPECT_EQ(sent.request_target(), row.target) << row.href;
    EXPECT_EQ(sent, page.resolve(row.href)) << row.href;
  }
  // "http:next.html" on an https page leaves it: a browser goes to the host "next.html".
  EXPECT_FALSE(page.resolve("http:next.html").is_https());
}

TEST(UrlRules, EmptyBaseNeedsAnAbsoluteHttpUrl) {
  EXPECT_EQ(resolve_url("", "HTTP://H:80/a"), "http://h/a");
  EXPECT_THROW((void)resolve_url("", "/api/x?y=1"), UrlError);
  EXPECT_THROW((void)resolve_url("", "next"), UrlError);
}

TEST(UrlRules, ABaseThatIsNotAUrlIsNamedInTheError) {
  try {
    (void)resolve_url("relative/base", "x");
    ADD_FAILURE() << "no error";
  } catch (const UrlError& e) {
    EXPECT_EQ(e.url(), "x");
    EXPECT_NE(e.reason().find("relative/base"), std::string::npos) << e.what();
  }
}

TEST(UrlRules, SerialisationIsStable) {
  for (const char* text : {"http://h/a%20b?q=a%26b+c#f", "HTTP://H:80/%7e/a b/../c",
                           "https://[::1]:8443/x?y", "http://h/\xC3\xA4?\xC3\xB6=\xC3\xBC#%",
                           "http://0x7f.1/%2e%2E/x", "https://u:p@xn--bcher-kva.example:8/"}) {
    const std::string once = normalise_url(text);
    EXPECT_EQ(normalise_url(once), once) << text;
  }
}

TEST(FormEncoding, EncodesLikeAnHtmlForm) {
  EXPECT_EQ(encode_form({{"a", "1"}, {"b", "x y"}}), "a=1&b=x+y");
  EXPECT_EQ(encode_form({{"q", "a&b=c+d"}}), "q=a%26b%3Dc%2Bd");
  EXPECT_EQ(encode_form({{"k~-._", "/?#%"}}), "k~-._=%2F%3F%23%25");
  EXPECT_EQ(encode_form({{"\xC3\xA9", ""}}), "%C3%A9=");
  EXPECT_EQ(encode_form({}), "");
}

TEST(FormEncoding, WithQueryAppendsParams) {
  EXPECT_EQ(with_query("http://h/s", {{"from_date", "2024-01-01"}, {"to_date", "2024-12-31"}}),
            "http://h/s?from_date=2024-01-01&to_date=2024-12-31");
  EXPECT_EQ(with_query("http://h/s?a=1", {{"b", "2"}}), "http://h/s?a=1&b=2");
  EXPECT_EQ(with_query("http://h/s?a=1&", {{"b", "2"}}), "http://h/s?a=1&b=2");
  EXPECT_EQ(with_query("http://h/s?", {{"b", "2"}}), "http://h/s?b=2");
  EXPECT_EQ(with_query("http://h/s#frag", {{"b", "x y"}}), "http://h/s?b=x+y#frag");
  EXPECT_EQ(with_query("http://h/s", {}), "http://h/s");
}

TEST(FormEncoding, EncodedQuerySurvivesParsing) {
  const std::string url = with_query("http://h/s", {{"q", "a&b c~'"}});
  EXPECT_EQ(normalise_url(url), url);
}

}  // namespace
}  // namespace uvscrape
