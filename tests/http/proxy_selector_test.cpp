// Which proxy a request takes: proxy URLs, the no-proxy list (names, domain
// suffixes, IPs, CIDR blocks, "*"), per-request overrides, the environment.
#include "http/proxy_selector.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

#include "net/proxy_endpoint.hpp"
#include "uvscrape/errors.hpp"

namespace uvscrape::http {
namespace {

using net::ProxyEndpoint;

TEST(ProxyUrl, ParsesSchemesPortsAndCredentials) {
  ProxyEndpoint p = net::parse_proxy_url("http://alice:s%40cret@Proxy.Example:3128/", "u");
  EXPECT_EQ(p.kind, ProxyEndpoint::Kind::http);
  EXPECT_EQ(p.host, "proxy.example");
  EXPECT_EQ(p.port, 3128);
  EXPECT_EQ(p.user, "alice");
  EXPECT_EQ(p.password, "s@cret");
  EXPECT_EQ(p.display, "http://proxy.example:3128");  // no credentials in messages
  EXPECT_EQ(net::basic_proxy_authorization(p), "Basic YWxpY2U6c0BjcmV0");

  p = net::parse_proxy_url("socks5h://[::1]", "u");
  EXPECT_EQ(p.kind, ProxyEndpoint::Kind::socks5h);
  EXPECT_EQ(p.host, "::1");
  EXPECT_EQ(p.port, 1080);
  EXPECT_EQ(p.display, "socks5h://[::1]:1080");
  EXPECT_FALSE(p.has_credentials());

  p = net::parse_proxy_url("10.1.2.3:8080", "u");  // no scheme: http, as curl reads it
  EXPECT_EQ(p.kind, ProxyEndpoint::Kind::http);
  EXPECT_EQ(p.port, 8080);
  EXPECT_EQ(net::parse_proxy_url("http://p", "u").port, 80);

  for (const char* bad : {"https://p:443", "ftp://p", "http://", "http://p:0", "http://p:99999",
                          "http://p:12ab", "http://p/path", "http://[::1"}) {
    EXPECT_THROW(net::parse_proxy_url(bad, "http://site/"), UrlError) << bad;
  }
}

TEST(ProxySelector, NoProxyTable) {
  ProxySettings s;
  s.proxy = "http://proxy:3128";
  s.no_proxy = {"example.org", ".example.net", "10.0.0.0/8",
                "192.168.1.7", "fd00::/8",     " Mixed.Case "};
  const ProxySelector selector(s);
  struct Case {
    const char* host;
    bool direct;
  };
  for (const Case& c :
       {Case{"example.org", true}, Case{"www.example.org", true}, Case{"badexample.org", false},
        Case{"example.net", true}, Case{"a.b.example.net", true}, Case{"example.com", false},
        Case{"10.0.0.1", true}, Case{"10.255.255.255", true}, Case{"11.0.0.1", false},
        Case{"192.168.1.7", true}, Case{"192.168.1.8", false}, Case{"fd12::1", true},
        Case{"fe80::1", false}, Case{"mixed.case", true}, Case{"MIXED.case", true},
        Case{"10.example.org", true}}) {
    EXPECT_EQ(selector.bypasses(c.host), c.direct) << c.host;
  }
  ProxySettings all = s;
  all.no_proxy = {"*"};
  EXPECT_TRUE(ProxySelector(all).bypasses("anything.at.all"));
  ProxySettings loopback = s;
  loopback.no_proxy = {"127.0.0.0/8"};
  EXPECT_TRUE(ProxySelector(loopback).bypasses("127.3.4.5"));
  EXPECT_FALSE(ProxySelector(loopback).bypasses("localhost"));  // a name, not an address
}

TEST(ProxySelector, RequestChoiceWinsThenNoProxyThenTheRunProxy) {
  ProxySettings s;
  s.proxy = "http://proxy:3128";
  s.no_proxy = {"direct.example"};
  const ProxySelector selector(s);
  const Url site = Url::parse("https://site.example/x");
  const Url direct = Url::parse("http://direct.example/");
  ASSERT_TRUE(selector.choose(site, std::nullopt));
  EXPECT_EQ(selector.choose(site, std::nullopt)->display, "http://proxy:3128");
  EXPECT_FALSE(selector.choose(direct, std::nullopt));
  EXPECT_FALSE(selector.choose(site, std::string()));  // no_proxy() on the request
  // A request's own proxy applies even to a no-proxy host.
  EXPECT_EQ(selector.choose(direct, std::string("socks5://s:1"))->display, "socks5://s:1");
  EXPECT_THROW(selector.choose(site, std::string("gopher://x")), UrlError);
  EXPECT_FALSE(ProxySelector(ProxySettings{}).configured());
  EXPECT_FALSE(ProxySelector(ProxySettings{}).choose(site, std::nullopt));
}

TEST(ProxySelector, EnvironmentOnlyWhenAskedAndByScheme) {
  ::setenv("http_proxy", "http://plain:1", 1);
  ::setenv("HTTPS_PROXY", "http://secure:2", 1);
  ::setenv("no_proxy", "skip.example,other.example", 1);
  const Url http = Url::parse("http://site.example/");
  const Url https = Url::parse("https://site.example/");
  EXPECT_FALSE(ProxySelector(ProxySettings{}).configured());
  ProxySettings s;
  s.from_env = true;
  const ProxySelector selector(s);
  EXPECT_EQ(selector.choose(http, std::nullopt)->display, "http://plain:1");
  EXPECT_EQ(selector.choose(https, std::nullopt)->display, "http://secure:2");
  EXPECT_FALSE(selector.choose(Url::parse("http://skip.example/"), std::nullopt));
  EXPECT_FALSE(selector.choose(Url::parse("https://x.other.example/"), std::nullopt));
  // An explicit proxy beats the environment's.
  s.proxy = "http://mine:3";
  EXPECT_EQ(ProxySelector(s).choose(http, std::nullopt)->display, "http://mine:3");
  ::unsetenv("http_proxy");
  ::unsetenv("HTTPS_PROXY");
  ::unsetenv("no_proxy");
}

}  // namespace
}  // namespace uvscrape::http
