// Normalisation (DESIGN decision 5) and form/query encoding.
#include <gtest/gtest.h>

#include <string>

#include "uvscrape/errors.hpp"
#include "uvscrape/url.hpp"

namespace uvscrape {
namespace {

TEST(Normalise, ReservedEscapesStayEscaped) {
  EXPECT_EQ(normalise_url("http://h/s?q=a%26b"), "http://h/s?q=a%26b");
  EXPECT_EQ(normalise_url("http://h/a%2Fb"), "http://h/a%2Fb");
  EXPECT_EQ(normalise_url("http://h/s?q=%3D%23"), "http://h/s?q=%3D%23");
}

TEST(Normalise, PlusInQueryIsKept) {
  EXPECT_EQ(normalise_url("http://h/s?q=a+b&r=1"), "http://h/s?q=a+b&r=1");
  EXPECT_EQ(normalise_url("http://h/s?q=a%2Bb"), "http://h/s?q=a%2Bb");
}

TEST(Normalise, UnreservedEscapesAreDecoded) {
  EXPECT_EQ(normalise_url("http://h/%41%62%30"), "http://h/Ab0");
  EXPECT_EQ(normalise_url("http://h/%7e%7Euser"), "http://h/~~user");
  EXPECT_EQ(normalise_url("http://h/a%2d%2E%5f"), "http://h/a-._");
  EXPECT_EQ(normalise_url("http://h/s?x=%41"), "http://h/s?x=A");
}

TEST(Normalise, EscapeHexIsUpperCased) {
  EXPECT_EQ(normalise_url("http://h/a%2fb%3a"), "http://h/a%2Fb%3A");
  EXPECT_EQ(normalise_url("http://h/s?q=%e2%82%ac"), "http://h/s?q=%E2%82%AC");
}

TEST(Normalise, UnsafeBytesAreEscaped) {
  EXPECT_EQ(normalise_url("http://h/a b"), "http://h/a%20b");
  EXPECT_EQ(normalise_url("http://h/\xE2\x82\xAC"), "http://h/%E2%82%AC");
  EXPECT_EQ(normalise_url("http://h/a\"<>\\^`{|}"), "http://h/a%22%3C%3E%5C%5E%60%7B%7C%7D");
  EXPECT_EQ(normalise_url("http://h/a\x01z"), "http://h/a%01z");
  EXPECT_EQ(normalise_url("http://h/100%"), "http://h/100%25");
  EXPECT_EQ(normalise_url("http://h/%zz"), "http://h/%25zz");
  EXPECT_EQ(normalise_url("http://h/a#b#c"), "http://h/a#b%23c");
  EXPECT_EQ(normalise_url("http://h/[x]"), "http://h/%5Bx%5D");
}

TEST(Normalise, SchemeAndHostAreLowerCased) {
  EXPECT_EQ(normalise_url("HTTP://Example.COM/Path"), "http://example.com/Path");
  EXPECT_EQ(normalise_url("HtTpS://WWW.Example.com/A?B=C#D"), "https://www.example.com/A?B=C#D");
}

TEST(Normalise, DefaultPortsAreRemoved) {
  EXPECT_EQ(normalise_url("http://h:80/"), "http://h/");
  EXPECT_EQ(normalise_url("https://h:443/"), "https://h/");
  EXPECT_EQ(normalise_url("http://h:443/"), "http://h:443/");
  EXPECT_EQ(normalise_url("https://h:80/"), "https://h:80/");
  EXPECT_EQ(normalise_url("http://h:/"), "http://h/");
  EXPECT_EQ(normalise_url("http://h:0080/x"), "http://h/x");
  EXPECT_EQ(normalise_url("http://h:08080/x"), "http://h:8080/x");
}

TEST(Normalise, EmptyHttpPathBecomesSlash) {
  EXPECT_EQ(normalise_url("http://h"), "http://h/");
  EXPECT_EQ(normalise_url("http://h?x=1"), "http://h/?x=1");
  EXPECT_EQ(normalise_url("http://h#f"), "http://h/#f");
}

TEST(Normalise, DotSegmentsGoFromAbsoluteUrlsOnly) {
  EXPECT_EQ(normalise_url("http://h/a/./b/../c"), "http://h/a/c");
  EXPECT_EQ(normalise_url("../a/./b"), "../a/./b");
}

// Found by the url fuzz target: "http:/..//g" normalised to "http://g", a host
// made from a path (and normalising that again gave "http://g/").
TEST(Normalise, DotSegmentsNeverTurnAPathIntoAnAuthority) {
  EXPECT_EQ(normalise_url("http:/..//g"), "http:/.//g");
  EXPECT_EQ(normalise_url("http:/.//g"), "http:/.//g");
  EXPECT_EQ(normalise_url("foo:/a/../..//g?q"), "foo:/.//g?q");
  EXPECT_THROW(Url::parse("http:/..//evil.example/x"), UrlError);
  EXPECT_EQ(normalise_url("http://h/a/..//g"), "http://h//g");  // an authority: nothing to add
}

TEST(Normalise, RelativeReferences) {
  EXPECT_EQ(normalise_url("/cases/a b?q=%7e x"), "/cases/a%20b?q=~%20x");
  EXPECT_EQ(normalise_url("?page=2"), "?page=2");
  EXPECT_EQ(normalise_url("#top"), "#top");
  EXPECT_EQ(normalise_url(""), "");
}

TEST(Normalise, IsIdempotent) {
  for (const char* text : {"http://h/a%20b?q=a%26b+c#f", "HTTP://H:80/%7e/a b/../c",
                           "https://[::1]:8443/x?y", "/rel/ä?ö=ü"}) {
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

TEST(FormEncoding, EncodedQuerySurvivesNormalisation) {
  const std::string url = with_query("http://h/s", {{"q", "a&b c~"}});
  EXPECT_EQ(normalise_url(url), url);
}

}  // namespace
}  // namespace uvscrape
