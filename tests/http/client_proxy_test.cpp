// The client through real proxies on 127.0.0.1: Debian's tinyproxy (absolute
// form for http, CONNECT for https, Basic authentication) and our minimal
// SOCKS5 server (tests/support/socks5_server.hpp), in front of the in-process
// test server (plain and TLS with the test CA).
#include <cstdlib>

#include "child_process.hpp"  // pick_free_loopback_port
#include "client_fixture.hpp"
#include "socks5_server.hpp"
#include "tinyproxy_fixture.hpp"
#include "tls/test_certificates.hpp"
#include "tls/tls_server_session.hpp"

namespace uvscrape::http::test {
namespace {

using uvscrape::testing::pick_free_loopback_port;
using uvscrape::testing::Socks5Server;
using uvscrape::testing::test_certificates;
using uvscrape::testing::TinyproxyFixture;
using uvscrape::testing::TinyproxyOptions;
using uvscrape::testing::TlsServerConfig;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class ProxyTest : public ClientTest {
 protected:
  void SetUp() override {
    ClientTest::SetUp();
    server().respond("GET", "/hello", ServerResponse::text("hello"));
    TestServerOptions tls_options;
    tls_options.tls = std::make_shared<TlsServerConfig>(test_certificates().valid);
    tls_options.url_host = "localhost";  // verified against the origin's name
    tls_server_ = std::make_unique<TestServer>(loop(), tls_options);
    tls_server_->respond("GET", "/secret", ServerResponse::text("over tls"));
  }
  void TearDown() override {
    if (tls_server_) tls_server_->close();
    ClientTest::TearDown();
    tls_server_.reset();
  }

  TestServer& tls_server() { return *tls_server_; }

  HttpRequest request_to(std::string url) {
    HttpRequest r;
    r.url = std::move(url);
    r.options.ca_file = test_certificates().ca.cert_file;
    return r;
  }

  static ClientOptions via(std::string proxy) {
    ClientOptions o;
    o.proxy = std::move(proxy);
    return o;
  }

 private:
  std::unique_ptr<TestServer> tls_server_;
};

TEST_F(ProxyTest, HttpGoesToTheProxyInAbsoluteForm) {
  TinyproxyFixture proxy;
  const Result r = fetch(request_to(server().url("/hello")), 10s, via(proxy.url()));
  EXPECT_EQ(ok(r).body, "hello");
  EXPECT_EQ(proxy.requests_seen(), 1u) << proxy.log();
  EXPECT_TRUE(contains(proxy.log(), "GET " + server().url("/hello") + " HTTP/1.1")) << proxy.log();
  ASSERT_EQ(server().requests().size(), 1u);
  // tinyproxy forwards with a Via header of its own: the request came through it.
  EXPECT_TRUE(contains(server().requests()[0].header("Via").value_or(""), "tinyproxy"));
}

TEST_F(ProxyTest, HttpsTunnelsWithConnectAndVerifiesTheOrigin) {
  TinyproxyOptions options;
  options.connect_ports = {tls_server().port()};
  TinyproxyFixture proxy(options);
  const Result r = fetch(request_to(tls_server().url("/secret")), 10s, via(proxy.url()));
  EXPECT_EQ(ok(r).body, "over tls");
  EXPECT_EQ(proxy.connects_seen(), 1u) << proxy.log();
  EXPECT_TRUE(contains(proxy.log(), "CONNECT localhost:" + std::to_string(tls_server().port())))
      << proxy.log();
  ASSERT_EQ(tls_server().requests().size(), 1u);
  EXPECT_TRUE(tls_server().requests()[0].tls);
  // Inside the tunnel the proxy sees nothing: no Via, the origin's own Host.
  EXPECT_FALSE(tls_server().requests()[0].header("Via"));
}

TEST_F(ProxyTest, CertificateOfTheOriginIsCheckedThroughTheTunnel) {
  TestServerOptions o;
  o.tls = std::make_shared<TlsServerConfig>(test_certificates().wrong_host);
  o.url_host = "localhost";
  TestServer wrong(loop(), o);
  TinyproxyOptions options;
  options.connect_ports = {wrong.port()};
  TinyproxyFixture proxy(options);
  const Result r = fetch(request_to(wrong.url("/")), 10s, via(proxy.url()));
  expect_error<TlsVerificationError>(r);
  EXPECT_EQ(proxy.connects_seen(), 1u);
  wrong.close();
}

TEST_F(ProxyTest, ConnectRefusedByTheProxyIsAProxyErrorNamingProxyAndTarget) {
  TinyproxyFixture proxy;  // CONNECT allowed to no port we use
  const Result r = fetch(request_to(tls_server().url("/secret")), 10s, via(proxy.url()));
  const std::string message = expect_error<ProxyError>(r);
  EXPECT_TRUE(contains(message, proxy.url())) << message;
  EXPECT_TRUE(contains(message, "CONNECT localhost:" + std::to_string(tls_server().port())))
      << message;
  EXPECT_EQ(tls_server().requests().size(), 0u);
}

TEST_F(ProxyTest, ProxyAuthentication) {
  TinyproxyOptions options;
  options.connect_ports = {tls_server().port()};
  options.basic_auth = {"alice", "s3cret"};
  TinyproxyFixture proxy(options);

  // Without credentials: 407, for http and for https (at CONNECT).
  for (const std::string& url : {server().url("/hello"), tls_server().url("/secret")}) {
    HttpRequest r = request_to(url);
    r.options.proxy = proxy.url();
    const Result result = fetch(std::move(r), 10s);
    const std::string message = expect_error<ProxyError>(result);
    EXPECT_TRUE(contains(message, "407")) << message;
    EXPECT_TRUE(contains(message, proxy.url())) << message;
    try {
      std::rethrow_exception(result.error);
    } catch (const ProxyError& e) {
      EXPECT_EQ(e.status(), 407);
      EXPECT_EQ(e.proxy(), proxy.url());
    } catch (...) {
    }
  }
  // Wrong credentials: tinyproxy answers 401. At CONNECT that is the proxy
  // refusing; the password is not in the message.
  const std::string wrong = "http://alice:wrong@127.0.0.1:" + std::to_string(proxy.port());
  {
    HttpRequest r = request_to(tls_server().url("/secret"));
    r.options.proxy = wrong;
    const std::string message = expect_error<ProxyError>(fetch(std::move(r), 10s));
    EXPECT_TRUE(contains(message, "answered 401")) << message;
    EXPECT_FALSE(contains(message, "wrong")) << message;
  }
  // For plain http a 401 from the proxy cannot be told from the site's own: a
  // response, which never reached the site.
  {
    HttpRequest r = request_to(server().url("/hello"));
    r.options.proxy = wrong;
    EXPECT_EQ(ok(fetch(std::move(r), 10s)).status, 401);
  }
  EXPECT_EQ(server().requests().size(), 0u);
  // With them, both work.
  for (const std::string& url : {server().url("/hello"), tls_server().url("/secret")}) {
    HttpRequest r = request_to(url);
    r.options.proxy = proxy.url(true);
    const Result result = fetch(std::move(r), 10s);
    EXPECT_EQ(ok(result).status, 200) << url;
  }
  EXPECT_EQ(server().requests().size(), 1u);
  EXPECT_EQ(tls_server().requests().size(), 1u);
}

TEST_F(ProxyTest, DeadProxyIsATransientConnectionErrorNamingTheProxy) {
  const std::string dead = "http://127.0.0.1:" + std::to_string(pick_free_loopback_port());
  for (const std::string& url : {server().url("/hello"), tls_server().url("/secret")}) {
    const Result r = fetch(request_to(url), 10s, via(dead));
    const std::string message = expect_error<ConnectionError>(r);
    EXPECT_TRUE(contains(message, "proxy " + dead)) << message;
    EXPECT_TRUE(contains(message, "ECONNREFUSED")) << message;
    try {
      std::rethrow_exception(r.error);
    } catch (const TransientException&) {
    } catch (...) {
      ADD_FAILURE() << "not transient";
    }
  }
  EXPECT_EQ(server().requests().size(), 0u);
}

TEST_F(ProxyTest, NoProxyHostsAndRequestsThatOptOutGoDirect) {
  TinyproxyOptions options;
  options.connect_ports = {tls_server().port()};
  TinyproxyFixture proxy(options);
  ClientOptions o = via(proxy.url());
  o.no_proxy = {"10.0.0.0/8", "127.0.0.0/8"};  // 127.0.0.1, not "localhost"
  EXPECT_EQ(ok(fetch(request_to(server().url("/hello")), 10s, o)).body, "hello");
  EXPECT_EQ(proxy.requests_seen(), 0u) << proxy.log();
  ASSERT_EQ(server().requests().size(), 1u);
  EXPECT_FALSE(server().requests()[0].header("Via"));

  // "localhost" is not in a CIDR block: through the proxy.
  EXPECT_EQ(ok(fetch(request_to(tls_server().url("/secret")), 10s, o)).body, "over tls");
  EXPECT_EQ(proxy.connects_seen(), 1u);

  // One request may opt out ("" = direct), whatever the client's rules say.
  HttpRequest direct = request_to(tls_server().url("/secret"));
  direct.options.proxy = "";
  EXPECT_EQ(ok(fetch(std::move(direct), 10s, o)).body, "over tls");
  EXPECT_EQ(proxy.connects_seen(), 1u) << proxy.log();
}

TEST_F(ProxyTest, ProxiedAndDirectConnectionsArePooledApart) {
  TinyproxyFixture proxy;
  // Per request proxy on a client without one: direct, then proxied, then direct again.
  EXPECT_EQ(ok(fetch(request_to(server().url("/hello")), 10s)).body, "hello");
  HttpRequest proxied = request_to(server().url("/hello"));
  proxied.options.proxy = proxy.url();
  EXPECT_EQ(ok(fetch(std::move(proxied), 10s)).body, "hello");
  EXPECT_EQ(ok(fetch(request_to(server().url("/hello")), 10s)).body, "hello");
  EXPECT_EQ(proxy.requests_seen(), 1u) << proxy.log();
  const auto requests = server().requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_FALSE(requests[0].header("Via"));
  EXPECT_TRUE(requests[1].header("Via"));
  EXPECT_FALSE(requests[2].header("Via"));
  // The direct connection was kept alive and reused: the proxied request did not take it.
  EXPECT_EQ(requests[2].connection_id, requests[0].connection_id);
  EXPECT_NE(requests[1].connection_id, requests[0].connection_id);
}

TEST_F(ProxyTest, EnvironmentIsReadOnlyWhenAskedFor) {
  TinyproxyFixture proxy;
  ::setenv("http_proxy", proxy.url().c_str(), 1);
  ::setenv("NO_PROXY", "example.org, .example.net", 1);
  ::unsetenv("no_proxy");
  // The fixture's client does not read the environment.
  EXPECT_EQ(ok(fetch(request_to(server().url("/hello")), 10s)).body, "hello");
  EXPECT_EQ(proxy.requests_seen(), 0u) << "the environment was read without proxy_from_env";

  ClientOptions from_env;
  from_env.proxy_from_env = true;
  Client reading(loop(), from_env);
  std::optional<Result> out;
  reading.fetch(request_to(server().url("/hello")), [&](Result r) { out = std::move(r); });
  run_for(10s, [&] { return out.has_value(); });
  ASSERT_TRUE(out);
  EXPECT_EQ(ok(*out).body, "hello");
  EXPECT_EQ(proxy.requests_seen(), 1u) << proxy.log();
  bool closed = false;
  reading.close([&] { closed = true; });
  run_for(5s, [&] { return closed; });
  ::unsetenv("http_proxy");
  ::unsetenv("NO_PROXY");
}

// --- SOCKS5 -------------------------------------------------------------------

TEST_F(ProxyTest, Socks5ResolvesHereAndCarriesHttpAndHttps) {
  Socks5Server socks;
  EXPECT_EQ(ok(fetch(request_to(server().url("/hello")), 10s, via(socks.url()))).body, "hello");
  // https to "localhost": the name is resolved here, the address sent, and
  // TLS verified against "localhost" through the tunnel.
  HttpRequest secure = request_to(tls_server().url("/secret"));
  secure.options.proxy = socks.url("socks5");
  EXPECT_EQ(ok(fetch(std::move(secure), 10s)).body, "over tls");
  const auto seen = socks.requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].address_type, 1);
  EXPECT_EQ(seen[0].host, "127.0.0.1");
  EXPECT_EQ(seen[0].port, server().port());
  EXPECT_EQ(seen[1].address_type, 1);
  EXPECT_EQ(seen[1].host, "127.0.0.1");
  EXPECT_EQ(seen[1].port, tls_server().port());
  ASSERT_EQ(server().requests().size(), 1u);
  EXPECT_EQ(server().requests()[0].target, "/hello");  // origin form: SOCKS is a tunnel
  EXPECT_EQ(tls_server().requests().size(), 1u);
}

TEST_F(ProxyTest, Socks5hSendsTheNameForTheProxyToResolve) {
  Socks5Server socks;
  const std::string url = "http://localhost:" + std::to_string(server().port()) + "/hello";
  EXPECT_EQ(ok(fetch(request_to(url), 10s, via(socks.url("socks5h")))).body, "hello");
  HttpRequest secure = request_to(tls_server().url("/secret"));
  secure.options.proxy = socks.url("socks5h");
  EXPECT_EQ(ok(fetch(std::move(secure), 10s)).body, "over tls");
  const auto seen = socks.requests();
  ASSERT_EQ(seen.size(), 2u);
  for (const auto& connect : seen) {
    EXPECT_EQ(connect.address_type, 3);
    EXPECT_EQ(connect.host, "localhost");
  }
}

TEST_F(ProxyTest, Socks5UserAndPassword) {
  Socks5Server socks({{"alice", "s3cret"}});
  // Right credentials.
  EXPECT_EQ(ok(fetch(request_to(server().url("/hello")), 10s, via(socks.url("socks5", true)))).body,
            "hello");
  ASSERT_EQ(socks.requests().size(), 1u);
  EXPECT_EQ(socks.requests()[0].user, "alice");
  // Wrong ones.
  HttpRequest wrong = request_to(server().url("/hello"));
  wrong.options.proxy = "socks5://alice:nope@127.0.0.1:" + std::to_string(socks.port());
  std::string message = expect_error<ProxyError>(fetch(std::move(wrong), 10s));
  EXPECT_TRUE(contains(message, "rejected the user name or password")) << message;
  EXPECT_TRUE(contains(message, socks.url())) << message;
  EXPECT_FALSE(contains(message, "nope")) << message;
  EXPECT_EQ(socks.failed_authentications(), 1u);
  // None at all.
  HttpRequest none = request_to(server().url("/hello"));
  none.options.proxy = socks.url();
  message = expect_error<ProxyError>(fetch(std::move(none), 10s));
  EXPECT_TRUE(contains(message, "requires authentication")) << message;
  EXPECT_EQ(socks.requests().size(), 1u);
  EXPECT_EQ(server().requests().size(), 1u);
}

TEST_F(ProxyTest, Socks5ReplyFailureNamesProxyAndTarget) {
  Socks5Server socks;
  const uint16_t closed_port = pick_free_loopback_port();
  const std::string url = "http://127.0.0.1:" + std::to_string(closed_port) + "/";
  const std::string message =
      expect_error<ProxyError>(fetch(request_to(url), 10s, via(socks.url())));
  EXPECT_TRUE(contains(message, "connection refused")) << message;
  EXPECT_TRUE(contains(message, "127.0.0.1:" + std::to_string(closed_port))) << message;
  EXPECT_TRUE(contains(message, socks.url())) << message;
}

TEST_F(ProxyTest, BadProxyUrlIsAUrlError) {
  HttpRequest r = request_to(server().url("/hello"));
  r.options.proxy = "ftp://127.0.0.1:21";
  const std::string message = expect_error<UrlError>(fetch(std::move(r), 10s));
  EXPECT_TRUE(contains(message, "invalid proxy URL")) << message;
  EXPECT_EQ(server().requests().size(), 0u);
}

}  // namespace
}  // namespace uvscrape::http::test
