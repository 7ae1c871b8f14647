// The Url class: components, request-line pieces, and the error for each kind
// of bad input.
#include "uvscrape/url.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "uvscrape/errors.hpp"

namespace uvscrape {
namespace {

TEST(UrlComponents, PlainHttp) {
  const Url u = Url::parse("HTTP://Example.com/a/b?x=1&y=2#top");
  EXPECT_EQ(u.scheme(), "http");
  EXPECT_EQ(u.host(), "example.com");
  EXPECT_EQ(u.port(), 80);
  EXPECT_EQ(u.path(), "/a/b");
  EXPECT_EQ(u.query(), "x=1&y=2");
  EXPECT_EQ(u.fragment(), "top");
  EXPECT_TRUE(u.has_query());
  EXPECT_TRUE(u.has_fragment());
  EXPECT_FALSE(u.is_https());
  EXPECT_EQ(u.str(), "http://example.com/a/b?x=1&y=2#top");
  EXPECT_EQ(u.str_without_fragment(), "http://example.com/a/b?x=1&y=2");
  EXPECT_EQ(u.request_target(), "/a/b?x=1&y=2");
  EXPECT_EQ(u.host_header(), "example.com");
  EXPECT_EQ(u.origin(), "http://example.com:80");
}

TEST(UrlComponents, HttpsWithPortAndUserinfo) {
  const Url u = Url::parse("https://user:pw@Host.Example:8443");
  EXPECT_TRUE(u.is_https());
  EXPECT_EQ(u.userinfo(), "user:pw");
  EXPECT_EQ(u.host(), "host.example");
  EXPECT_EQ(u.port(), 8443);
  EXPECT_EQ(u.path(), "/");
  EXPECT_FALSE(u.has_query());
  EXPECT_EQ(u.request_target(), "/");
  EXPECT_EQ(u.host_header(), "host.example:8443");
  EXPECT_EQ(u.origin(), "https://host.example:8443");
  EXPECT_EQ(u.str(), "https://user:pw@host.example:8443/");
  EXPECT_EQ(u.username(), "user");
  EXPECT_EQ(u.password(), "pw");
}

TEST(UrlComponents, DefaultPortsAreEffectiveButHidden) {
  const Url u = Url::parse("https://h:443/x");
  EXPECT_EQ(u.port(), 443);
  EXPECT_EQ(u.str(), "https://h/x");
  EXPECT_EQ(u.host_header(), "h");
  EXPECT_EQ(u.origin(), "https://h:443");
}

TEST(UrlComponents, Ipv6Literal) {
  const Url u = Url::parse("http://[::1]:8080/p?q");
  EXPECT_TRUE(u.is_ipv6());
  EXPECT_EQ(u.host(), "::1");
  EXPECT_EQ(u.port(), 8080);
  EXPECT_EQ(u.host_header(), "[::1]:8080");
  EXPECT_EQ(u.origin(), "http://[::1]:8080");
  EXPECT_EQ(u.request_target(), "/p?q");
  EXPECT_EQ(u.str(), "http://[::1]:8080/p?q");

  const Url v = Url::parse("https://[2001:DB8::A]/");
  EXPECT_EQ(v.host(), "2001:db8::a");
  EXPECT_EQ(v.host_header(), "[2001:db8::a]");
  EXPECT_EQ(v.origin(), "https://[2001:db8::a]:443");
}

TEST(UrlComponents, Ipv4AndLocalhost) {
  const Url u = Url::parse("http://127.0.0.1:3000/cases/2024/1");
  EXPECT_EQ(u.host(), "127.0.0.1");
  EXPECT_EQ(u.port(), 3000);
  EXPECT_EQ(u.host_header(), "127.0.0.1:3000");
}

TEST(UrlComponents, EmptyQueryIsKeptInTheRequestTarget) {
  const Url u = Url::parse("http://h/p?");
  EXPECT_TRUE(u.has_query());
  EXPECT_EQ(u.query(), "");
  EXPECT_EQ(u.request_target(), "/p?");
}

TEST(UrlComponents, ResolveKeepsTheUrlType) {
  const Url base = Url::parse("http://127.0.0.1:8080/cases");
  const Url child = base.resolve("/cases/2024/1");
  EXPECT_EQ(child.str(), "http://127.0.0.1:8080/cases/2024/1");
  EXPECT_EQ(child.port(), 8080);
  EXPECT_EQ(base.resolve("https://other/x").origin(), "https://other:443");
  EXPECT_EQ(Url::parse("http://h/a"), base.resolve("http://H:80/a"));
}

// Asserts the exact error type and that the message names the URL.
void expect_url_error(const std::string& text, const std::string& reason_part) {
  try {
    (void)Url::parse(text);
    ADD_FAILURE() << "no error for " << text;
  } catch (const UrlError& e) {
    EXPECT_EQ(typeid(e), typeid(UrlError));
    EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
    EXPECT_EQ(e.url(), text);
    EXPECT_NE(e.reason().find(reason_part), std::string::npos) << e.reason();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong error type for " << text << ": " << e.what();
  }
}

TEST(UrlErrors, MissingScheme) {
  expect_url_error("example.com/path", "missing scheme");
  expect_url_error("/cases/1", "missing scheme");
  expect_url_error("//host/x", "missing scheme");
  expect_url_error("", "missing scheme");
}

TEST(UrlErrors, UnsupportedScheme) {
  expect_url_error("ftp://h/x", "unsupported scheme 'ftp'");
  expect_url_error("mailto:a@b.c", "unsupported scheme 'mailto'");
  expect_url_error("javascript:void(0)", "unsupported scheme");
  expect_url_error("localhost:8080/x", "unsupported scheme 'localhost'");
}

TEST(UrlErrors, BadPort) {
  expect_url_error("http://h:65536/", "port out of range");
  expect_url_error("http://h:99999999999999999999/", "port out of range");
  expect_url_error("http://h:8x/", "invalid port '8x'");
  expect_url_error("http://h:-1/", "invalid port");
}

TEST(UrlErrors, BadHost) {
  expect_url_error("http://exa mple.com/", "forbidden character (byte 0x20)");
  expect_url_error("http:///", "empty host");
  expect_url_error("http://?x", "empty host");
  expect_url_error("http://", "empty host");
  expect_url_error("http://user@:80/", "empty host");
  expect_url_error("http://user@/", "missing host after the credentials");
  expect_url_error("http://a^b.com/", "forbidden character ('^')");
  expect_url_error("http://a%20b/", "forbidden character (byte 0x20)");
  expect_url_error("http://a%2Fb/", "forbidden character ('/')");
  expect_url_error("http://\xE2\x98\x83\xEF\xBF\xBD.com/", "not a valid international domain name");
  expect_url_error("http://xn--a.com/", "not a valid international domain name");
  expect_url_error("http://[::1/", "unterminated IPv6 address");
  expect_url_error("http://[v1.x]/", "invalid IPv6 address");
  expect_url_error("http://[1:2:3:4:5:6:7:8:9]/", "invalid IPv6 address");
  expect_url_error("http://256.0.0.1/", "invalid IPv4 address");
  expect_url_error("http://1.2.3.4.5/", "invalid IPv4 address");
}

TEST(UrlErrors, ResolveToANonHttpUrl) {
  const Url base = Url::parse("http://h/");
  EXPECT_THROW((void)base.resolve("mailto:x@y.z"), UrlError);
  EXPECT_THROW((void)base.resolve("http://bad host/"), UrlError);
  EXPECT_THROW((void)resolve_url("relative/base", "x"), UrlError);
  try {
    (void)resolve_url("http://h/p", "http://bad host/");
    ADD_FAILURE();
  } catch (const UrlError& e) {
    EXPECT_EQ(e.url(), "http://bad host/");
    EXPECT_NE(std::string(e.what()).find("http://bad host/"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("resolving against \"http://h/p\""), std::string::npos)
        << e.what();
  }
}

// Random bytes and random mutations of real URLs: every call either returns
// or throws UrlError; nothing crashes (the ASan build checks memory too).
TEST(UrlRobustness, RandomInputNeverCrashes) {
  std::mt19937 rng(12345);
  const std::string alphabet = "ab:/?#[]@%25 .-_~!$&'()*+,;=09AFz\x01\x7f\xc3\xa9\t\n";
  const std::vector<std::string> seeds = {"http://a/b/c/d;p?q", "https://[::1]:8443/x?y#z",
                                          "//h:80/../a", "../g?y#s", "http://u:p@h/%41"};
  const Url base = Url::parse("http://a/b/c/d;p?q");
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    if (i % 2 == 0) {
      const size_t len = rng() % 24;
      for (size_t j = 0; j < len; ++j) {
        text += (i % 4 == 0) ? static_cast<char>(rng() & 0xFF) : alphabet[rng() % alphabet.size()];
      }
    } else {
      text = seeds[rng() % seeds.size()];
      for (int m = 0; m < 3; ++m) {
        const size_t at = rng() % (text.size() + 1);
        text.insert(at, 1, alphabet[rng() % alphabet.size()]);
      }
    }
    try {
      const std::string n = normalise_url(text);
      EXPECT_EQ(normalise_url(n), n) << "not idempotent: " << text;
    } catch (const UrlError&) {
    }
    try {
      const Url u = base.resolve(text);
      EXPECT_FALSE(u.host().empty());
      EXPECT_EQ(u.request_target().front(), '/');
      EXPECT_EQ(Url::parse(u.str()).str(), u.str()) << "not stable: " << text;
      EXPECT_EQ(resolve_url("http://a/b/c/d;p?q", text), u.str());
      ++accepted;
    } catch (const UrlError&) {
    }
    try {
      (void)Url::parse(text);
    } catch (const UrlError&) {
    }
  }
  EXPECT_GT(accepted, 1000);
}

}  // namespace
}  // namespace uvscrape
