// Proxies from the driver's options and per request (docs/design.md §22):
// DriverOptions::proxy through tinyproxy, Request::proxy() and no_proxy()
// overriding it, a dead proxy retried as a transient failure that names the
// proxy, and a 407 recorded once as a ProxyError failure.
#include "child_process.hpp"  // pick_free_loopback_port
#include "driver_test_support.hpp"
#include "socks5_server.hpp"
#include "tinyproxy_fixture.hpp"

namespace uvscrape::driver_test {
namespace {

using testing::Socks5Server;
using testing::TinyproxyFixture;
using testing::TinyproxyOptions;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

void page_step(LambdaScraper& scraper) {
  scraper.add_step("page", [](const Response& r) -> Step {
    Json item = r.url;
    co_yield std::move(item);
  });
}

TEST(DriverProxy, RunProxyAndPerRequestOverrides) {
  ThreadedTestServer server;
  server->respond("GET", "/a", ServerResponse::html("<p>a</p>"));
  server->respond("GET", "/b", ServerResponse::html("<p>b</p>"));
  server->respond("GET", "/c", ServerResponse::html("<p>c</p>"));
  TinyproxyFixture proxy;
  Socks5Server socks;
  LambdaScraper scraper;
  scraper.entries.push_back(Request::get(server.url("/a")).to("page"));
  scraper.entries.push_back(Request::get(server.url("/b")).to("page").no_proxy());
  scraper.entries.push_back(Request::get(server.url("/c")).to("page").proxy(socks.url("socks5h")));
  page_step(scraper);
  DriverOptions o = test_options("proxy-overrides");
  o.proxy = proxy.url();
  Driver driver(scraper, o);
  std::vector<Json> items;
  driver.on_data = [&](const Json& item) { items.push_back(item); };
  Deadline deadline(std::chrono::seconds(30));
  const RunResult r = driver.run();
  EXPECT_EQ(r.status, RunStatus::completed);
  EXPECT_EQ(items.size(), 3u);
  EXPECT_EQ(r.failures.size(), 0u);
  std::map<std::string, bool> via_tinyproxy;
  for (const auto& request : server->requests())
    via_tinyproxy[request.path] = request.header("Via").has_value();
  EXPECT_TRUE(via_tinyproxy["/a"]);
  EXPECT_FALSE(via_tinyproxy["/b"]);
  EXPECT_FALSE(via_tinyproxy["/c"]);
  EXPECT_EQ(proxy.requests_seen(), 1u) << proxy.log();
  ASSERT_EQ(socks.requests().size(), 1u);
  EXPECT_EQ(socks.requests()[0].host, "127.0.0.1");
}

TEST(DriverProxy, DeadProxyIsRetriedAndRecordedNamingTheProxy) {
  ThreadedTestServer server;
  LambdaScraper scraper;
  scraper.entries.push_back(Request::get(server.url("/a")).to("page"));
  page_step(scraper);
  DriverOptions o = test_options("proxy-dead");
  o.max_retries = 2;
  const std::string dead = "http://127.0.0.1:" + std::to_string(testing::pick_free_loopback_port());
  o.proxy = dead;
  Driver driver(scraper, o);
  Deadline deadline(std::chrono::seconds(30));
  const RunResult r = driver.run();
  EXPECT_EQ(r.status, RunStatus::completed);
  ASSERT_EQ(r.failures.size(), 1u);
  EXPECT_EQ(r.failures[0].kind, FailureKind::connection);
  EXPECT_EQ(r.failures[0].attempts, 3u);  // the first try and two retries
  EXPECT_TRUE(contains(r.failures[0].message, "proxy " + dead)) << r.failures[0].message;
  EXPECT_EQ(server->request_count(), 0u);
}

TEST(DriverProxy, ProxyAuthenticationFailureIsAPersistentProxyError) {
  ThreadedTestServer server;
  TinyproxyOptions options;
  options.basic_auth = {"alice", "s3cret"};
  TinyproxyFixture proxy(options);
  LambdaScraper scraper;
  scraper.entries.push_back(Request::get(server.url("/a")).to("page"));
  page_step(scraper);
  DriverOptions o = test_options("proxy-407");
  o.proxy = proxy.url();
  Driver driver(scraper, o);
  Deadline deadline(std::chrono::seconds(30));
  const RunResult r = driver.run();
  EXPECT_EQ(r.status, RunStatus::completed);
  ASSERT_EQ(r.failures.size(), 1u);
  EXPECT_EQ(r.failures[0].kind, FailureKind::proxy);
  EXPECT_EQ(r.failures[0].attempts, 1u);  // not retried
  EXPECT_EQ(r.failure_counts[FailureKind::proxy], 1u);
  EXPECT_TRUE(contains(r.failures[0].message, "407")) << r.failures[0].message;
  EXPECT_EQ(server->request_count(), 0u);
}

}  // namespace
}  // namespace uvscrape::driver_test
