// Resolver: c-ares on the loop, without needing the internet.
#include "net/resolver.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <optional>
#include <sstream>

#include "loop_fixture.hpp"
#include "net/uv_util.hpp"
#include "uvscrape/errors.hpp"

namespace uvscrape::net::testing {
namespace {

using namespace std::chrono_literals;

struct Answer {
  int calls = 0;
  std::shared_ptr<const AddressList> addresses;
  std::exception_ptr error;
  // `then` runs after recording, from inside the resolver's callback.
  Resolver::ResolveCallback callback(std::function<void()> then = {}) {
    return [this, then](std::shared_ptr<const AddressList> a, std::exception_ptr e) {
      ++calls;
      addresses = std::move(a);
      error = std::move(e);
      if (then) then();
    };
  }
  bool has(const std::string& text) const {
    if (!addresses) return false;
    for (const auto& a : *addresses)
      if (a.to_string() == text) return true;
    return false;
  }
  std::string describe() const {
    std::string out;
    if (addresses)
      for (const auto& a : *addresses) out += a.to_string() + " ";
    try {
      if (error) std::rethrow_exception(error);
    } catch (const std::exception& e) {
      out += e.what();
    }
    return out;
  }
};

template <class E>
bool error_is(const std::exception_ptr& error) {
  try {
    if (error) std::rethrow_exception(error);
  } catch (const E&) {
    return true;
  } catch (...) {
  }
  return false;
}

class ResolverTest : public LoopTest {
 protected:
  // Closes the resolver, then lets the loop finish its handles.
  void close_and_run(Resolver& resolver, std::chrono::milliseconds deadline = 10s) {
    bool closed = false;
    resolver.close([&] { closed = true; });
    run(deadline);
    EXPECT_TRUE(closed);
  }
};

TEST_F(ResolverTest, NumericHostsSkipDns) {
  Resolver resolver(loop());
  Answer v4, v6;
  resolver.resolve("192.0.2.7", "http://192.0.2.7/", v4.callback());
  resolver.resolve("2001:db8::1", "http://[2001:db8::1]/", v6.callback());
  EXPECT_EQ(v4.calls, 0);  // known at once, answered from the loop
  EXPECT_EQ(v6.calls, 0);
  uv_run(loop(), UV_RUN_NOWAIT);
  EXPECT_EQ(v4.calls, 1);  // on the next loop turn
  EXPECT_EQ(v6.calls, 1);
  EXPECT_TRUE(v4.has("192.0.2.7:0")) << v4.describe();
  EXPECT_TRUE(v6.has("[2001:db8::1]:0")) << v6.describe();
  EXPECT_EQ(resolver.queries_started(), 0u);
  close_and_run(resolver);
}

TEST_F(ResolverTest, LocalhostResolvesToLoopback) {
  Resolver resolver(loop());
  Answer answer;
  resolver.resolve("localhost", "http://localhost/", answer.callback([&] { resolver.close(); }));
  run(5s);
  ASSERT_EQ(answer.calls, 1);
  EXPECT_FALSE(answer.error) << answer.describe();
  EXPECT_TRUE(answer.has("127.0.0.1:0")) << answer.describe();
}

// Every IPv4 name in /etc/hosts resolves to the address listed there.
TEST_F(ResolverTest, HonoursEtcHosts) {
  std::ifstream hosts("/etc/hosts");
  std::string line, name, ip;
  while (std::getline(hosts, line)) {
    std::istringstream fields(line.substr(0, line.find('#')));
    std::string address, first;
    if (!(fields >> address >> first)) continue;
    if (address.find(':') != std::string::npos || first == "localhost") continue;
    ip = address;
    name = first;
    break;
  }
  if (name.empty()) GTEST_SKIP() << "/etc/hosts lists no IPv4 name besides localhost";
  Resolver resolver(loop());
  Answer answer;
  resolver.resolve(name, "http://" + name + "/", answer.callback([&] { resolver.close(); }));
  run(5s);
  ASSERT_EQ(answer.calls, 1);
  EXPECT_TRUE(answer.has(ip + ":0")) << name << " -> " << answer.describe();
}

TEST_F(ResolverTest, UnknownNameIsDnsErrorNamingHostAndUrl) {
  // Offline, c-ares fails fast (no server reachable); online, NXDOMAIN. Either
  // way a DnsError, well within the deadline (2 tries x 1 s at most).
  Resolver resolver(loop(), ResolverOptions{.query_timeout = 1000ms, .tries = 2});
  Answer answer;
  const std::string url = "http://nonexistent.invalid/x";
  resolver.resolve("nonexistent.invalid", url, answer.callback([&] { resolver.close(); }));
  run(8s);
  ASSERT_EQ(answer.calls, 1);
  try {
    std::rethrow_exception(answer.error);
  } catch (const DnsError& e) {
    EXPECT_EQ(e.url(), url);
    EXPECT_EQ(e.reason().rfind("nonexistent.invalid: ", 0), 0u) << e.reason();
    EXPECT_NE(std::string(e.what()).find(url), std::string::npos);
  } catch (...) {
    ADD_FAILURE() << "expected DnsError, got " << answer.describe();
  }
}

TEST_F(ResolverTest, CachedAnswersSkipTheQuery) {
  // Hosts-file answers carry TTL 0; min_ttl makes them cacheable.
  Resolver resolver(loop(), ResolverOptions{.min_ttl = 60s});
  Answer first, second;
  resolver.resolve("localhost", "http://localhost/1", first.callback([&] {
    EXPECT_EQ(resolver.cache_hits(), 0u);
    resolver.resolve("localhost", "http://localhost/2", second.callback([&] { resolver.close(); }));
    EXPECT_EQ(second.calls, 0) << "a cache hit answered inside resolve()";
    EXPECT_EQ(resolver.cache_hits(), 1u);
    EXPECT_EQ(resolver.queries_started(), 1u);
  }));
  run(5s);
  EXPECT_EQ(second.calls, 1);
  EXPECT_TRUE(second.addresses);
  EXPECT_EQ(first.describe(), second.describe());
}

TEST_F(ResolverTest, ConcurrentLookupsShareOneQuery) {
  Resolver resolver(loop(), ResolverOptions{.query_timeout = 1000ms, .tries = 1});
  Answer a, b;
  resolver.resolve("nonexistent.invalid", "http://nonexistent.invalid/a", a.callback());
  resolver.resolve("nonexistent.invalid", "http://nonexistent.invalid/b",
                   b.callback([&] { resolver.close(); }));
  EXPECT_EQ(resolver.queries_started(), 1u);
  run(8s);
  EXPECT_EQ(a.calls, 1);
  EXPECT_EQ(b.calls, 1);
  EXPECT_NE(a.describe().find("http://nonexistent.invalid/a"), std::string::npos) << a.describe();
  EXPECT_NE(b.describe().find("http://nonexistent.invalid/b"), std::string::npos) << b.describe();
}

TEST_F(ResolverTest, NegativeAnswersAreCachedBriefly) {
  Resolver resolver(loop(), ResolverOptions{.query_timeout = 1000ms, .tries = 1});
  Answer first, second;
  resolver.resolve("nonexistent.invalid", "http://nonexistent.invalid/", first.callback([&] {
    resolver.resolve("nonexistent.invalid", "http://nonexistent.invalid/2",
                     second.callback([&] { resolver.close(); }));
  }));
  run(8s);
  ASSERT_EQ(second.calls, 1);
  bool is_dns_error = false;
  try {
    std::rethrow_exception(second.error);
  } catch (const DnsError& e) {
    is_dns_error = true;
    EXPECT_EQ(e.url(), "http://nonexistent.invalid/2");
  } catch (...) {
  }
  EXPECT_TRUE(is_dns_error) << second.describe();
  // Only "no such name" answers are cached; a failure to reach any server is not.
  if (first.describe().find("Domain name not found") != std::string::npos) {
    EXPECT_EQ(resolver.cache_hits(), 1u);
  }
}

TEST_F(ResolverTest, CloseCancelsPendingLookups) {
  Resolver resolver(loop(), ResolverOptions{.query_timeout = 5000ms, .tries = 3});
  Answer answer;
  resolver.resolve("pending.nonexistent.invalid", "http://pending.nonexistent.invalid/",
                   answer.callback());
  ASSERT_EQ(answer.calls, 0) << "the query is in flight";
  bool closed = false;
  resolver.close([&] { closed = true; });
  EXPECT_EQ(answer.calls, 1) << "close() answers pending lookups at once";
  bool cancelled = false;
  try {
    std::rethrow_exception(answer.error);
  } catch (const CancelledError& e) {
    cancelled = true;
    EXPECT_EQ(e.url(), "http://pending.nonexistent.invalid/");
  } catch (...) {
  }
  EXPECT_TRUE(cancelled) << answer.describe();
  run(5s);
  EXPECT_TRUE(closed);
  Answer after;
  resolver.resolve("localhost", "http://localhost/", after.callback());
  EXPECT_EQ(after.calls, 0) << "answered inside resolve()";
  run(5s);
  EXPECT_EQ(after.calls, 1);
  EXPECT_TRUE(error_is<CancelledError>(after.error)) << "resolve() after close() fails";
}

// Pinned names, cached answers (positive and negative) and numeric hosts are
// known at once, yet answered from the loop: a caller never sees its callback
// run inside its own call, and can still cancel.
TEST_F(ResolverTest, KnownAnswersComeFromTheLoopAndCanBeCancelled) {
  Resolver resolver(loop());
  resolver.pin("pinned.test", AddressList{*parse_numeric_host("127.0.0.9")});
  Answer pinned, numeric, cancelled;
  resolver.resolve("pinned.test", "http://pinned.test/", pinned.callback());
  resolver.resolve("127.0.0.1", "http://127.0.0.1/", numeric.callback());
  auto cancel = resolver.resolve("pinned.test", "http://pinned.test/c", cancelled.callback());
  EXPECT_EQ(pinned.calls + numeric.calls + cancelled.calls, 0);
  cancel();
  uv_run(loop(), UV_RUN_NOWAIT);
  EXPECT_EQ(pinned.calls, 1);
  EXPECT_TRUE(pinned.has("127.0.0.9:0")) << pinned.describe();
  EXPECT_EQ(numeric.calls, 1);
  EXPECT_EQ(cancelled.calls, 0);
  EXPECT_EQ(resolver.cache_hits(), 2u);
  // Answers still waiting when the resolver closes are cancelled, like lookups.
  Answer late;
  resolver.resolve("pinned.test", "http://pinned.test/late", late.callback());
  close_and_run(resolver);
  EXPECT_EQ(late.calls, 1);
  EXPECT_TRUE(error_is<CancelledError>(late.error)) << late.describe();
}

TEST_F(ResolverTest, CancelledLookupNeverAnswers) {
  Resolver resolver(loop(), ResolverOptions{.query_timeout = 500ms, .tries = 1});
  Answer answer;
  auto cancel =
      resolver.resolve("nonexistent.invalid", "http://nonexistent.invalid/", answer.callback());
  cancel();
  Timer later(loop());
  later.start(300, [&] { resolver.close(); });
  run(5s);
  EXPECT_EQ(answer.calls, 0);
  cancel();  // after close: harmless
}

}  // namespace
}  // namespace uvscrape::net::testing
