// The keep-alive pool: reuse, caps, idle timeout, servers that close kept-alive
// connections, and the retry of a pooled connection that died.
#include "client_fixture.hpp"
#include "net/uv_util.hpp"
#include "threaded_test_server.hpp"

namespace uvscrape::http::test {
namespace {

class PoolTest : public ClientTest {
 protected:
  // Fires `n` GETs at once and runs the loop until all are done.
  std::vector<Result> run_all(Client& c, const std::string& url, size_t n,
                              std::chrono::milliseconds deadline = 10s) {
    std::vector<Result> results;
    for (size_t i = 0; i < n; ++i) {
      HttpRequest r;
      r.url = url;
      c.fetch(std::move(r), [&results](Result res) { results.push_back(std::move(res)); });
    }
    run_for(deadline, [&] { return results.size() == n; });
    return results;
  }
};

TEST_F(PoolTest, SequentialRequestsReuseOneConnection) {
  server().respond("GET", "/r", ServerResponse::text("r"));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(ok(get("/r")).body, "r");
  EXPECT_EQ(server().connections_accepted(), 1u);
  const auto stats = client().stats();
  EXPECT_EQ(stats.connections_opened, 1u);
  EXPECT_EQ(stats.connections_reused, 4u);
  EXPECT_EQ(stats.connections_open, 1u);  // idle in the pool
}

TEST_F(PoolTest, PerOriginCapQueuesRequestsInOrder) {
  ServerResponse slow = ServerResponse::text("s");
  slow.delay_before_headers = 20ms;
  server().respond("GET", "/slow", slow);
  ClientOptions o;
  o.max_connections_per_origin = 3;
  Client& c = client(o);
  const auto results = run_all(c, server().url("/slow"), 12);
  ASSERT_EQ(results.size(), 12u);
  for (const Result& r : results) EXPECT_EQ(ok(r).status, 200);
  EXPECT_EQ(server().connections_accepted(), 3u);
  EXPECT_EQ(c.stats().connections_opened, 3u);
}

TEST_F(PoolTest, TotalCapAcrossOrigins) {
  TestServer other(loop());
  ServerResponse slow = ServerResponse::text("s");
  slow.delay_before_headers = 20ms;
  server().respond("GET", "/a", slow);
  other.respond("GET", "/b", slow);
  ClientOptions o;
  o.max_connections_per_origin = 4;
  o.max_connections_total = 2;
  Client& c = client(o);
  std::vector<Result> results;
  for (int i = 0; i < 8; ++i) {
    HttpRequest r;
    r.url = i % 2 == 0 ? server().url("/a") : other.url("/b");
    c.fetch(std::move(r), [&results](Result res) { results.push_back(std::move(res)); });
  }
  size_t peak = 0;
  run_for(10s, [&] {
    peak = std::max<size_t>(peak, c.stats().connections_open);
    return results.size() == 8;
  });
  for (const Result& r : results) EXPECT_EQ(ok(r).status, 200);
  EXPECT_LE(peak, 2u);
  EXPECT_GE(other.connections_accepted(), 1u);
  other.close();
}

TEST_F(PoolTest, AtTheTotalCapAnIdleConnectionElsewhereMakesRoom) {
  TestServer other(loop());
  server().respond("GET", "/a", ServerResponse::text("a"));
  other.respond("GET", "/b", ServerResponse::text("b"));
  ClientOptions o;
  o.max_connections_total = 1;
  Client& c = client(o);
  HttpRequest a;
  a.url = server().url("/a");
  EXPECT_EQ(ok(fetch(a)).body, "a");  // leaves an idle connection to `server`
  HttpRequest b;
  b.url = other.url("/b");
  EXPECT_EQ(ok(fetch(b)).body, "b");  // closes it to stay under the cap
  EXPECT_EQ(c.stats().connections_open, 1u);
  EXPECT_EQ(c.stats().connections_opened, 2u);
  run_for(2s, [&] { return server().open_connections() == 0; });
  other.close();
}

TEST_F(PoolTest, ServerClosingAfterNRequestsIsHandled) {
  server().respond("GET", "/k", ServerResponse::text("k"));
  // The fixture's server is plain; a second one closes after every 3 responses.
  TestServerOptions so;
  so.max_requests_per_connection = 3;
  TestServer limited(loop(), so);
  limited.respond("GET", "/k", ServerResponse::text("k"));
  for (int i = 0; i < 10; ++i) {
    HttpRequest r;
    r.url = limited.url("/k");
    EXPECT_EQ(ok(fetch(std::move(r))).body, "k");
  }
  EXPECT_EQ(limited.connections_accepted(), 4u);  // 3 + 3 + 3 + 1
  // Concurrent, too.
  Client& c = client();
  const auto results = run_all(c, limited.url("/k"), 30);
  for (const Result& r : results) EXPECT_EQ(ok(r).status, 200);
  limited.close();
}

TEST_F(PoolTest, IdleConnectionsCloseAfterThePoolIdleTimeout) {
  server().respond("GET", "/i", ServerResponse::text("i"));
  ClientOptions o;
  o.pool_idle_timeout = 50ms;
  Client& c = client(o);
  HttpRequest r;
  r.url = server().url("/i");
  ok(fetch(r));
  EXPECT_EQ(c.stats().connections_open, 1u);
  run_for(2s, [&] { return c.stats().connections_open == 0; });
  run_for(2s, [&] { return server().open_connections() == 0; });
  ok(fetch(r));
  EXPECT_EQ(server().connections_accepted(), 2u);
}

// An idle pooled connection is still read: when the server closes it, the
// pool drops it at once, and the next request opens a fresh connection
// instead of finding the dead one and retrying.
TEST_F(PoolTest, AnIdleConnectionTheServerClosesLeavesThePoolAtOnce) {
  TestServerOptions so;
  so.idle_timeout = 20ms;
  TestServer closing(loop(), so);
  closing.respond("GET", "/c", ServerResponse::text("c"));
  Client& c = client();
  HttpRequest r;
  r.url = closing.url("/c");
  ok(fetch(r));
  EXPECT_EQ(c.stats().connections_open, 1u);
  run_for(2s, [&] { return c.stats().connections_open == 0; });
  EXPECT_EQ(c.stats().connections_open, 0u);
  EXPECT_EQ(ok(fetch(r)).body, "c");
  EXPECT_EQ(c.stats().retries, 0u);
  EXPECT_EQ(closing.connections_accepted(), 2u);
  closing.close();
}

TEST_F(PoolTest, IdlePoolDoesNotKeepTheLoopAlive) {
  // A server on a thread of its own keeps the connection open, and nothing
  // of it is on this loop: only the client's idle (still read) connection and
  // its unref'd sweep timer remain, and uv_run must return without waiting
  // for the idle timeout.
  testing::ThreadedTestServer other;
  other->respond("GET", "/i", ServerResponse::text("i"));
  HttpRequest r;
  r.url = other.url("/i");
  ok(fetch(r));
  server().close();  // the fixture's own server, idle on this loop
  const auto start = uv_now(loop());
  uv_run(loop(), UV_RUN_DEFAULT);
  EXPECT_LT(uv_now(loop()) - start, 1000u);
  EXPECT_EQ(client().stats().connections_open, 1u);
  // Still alive and still pooled: the next request reuses it.
  ok(fetch(r));
  EXPECT_EQ(client().stats().connections_reused, 1u);
  EXPECT_EQ(other->connections_accepted(), 1u);
  other.stop();
}

TEST_F(PoolTest, DeadPooledConnectionIsRetriedOnceForIdempotentRequests) {
  // The second request on any connection is dropped before a response byte,
  // as a server does when its keep-alive timeout races our reuse.
  server().route("*", "/flaky", [](const ServerRequest& req, ServerResponse& res) {
    res = ServerResponse::text("fresh");
    if (req.index_on_connection >= 2) res.disconnect = Disconnect::before_response;
  });
  EXPECT_EQ(ok(get("/flaky")).body, "fresh");
  EXPECT_EQ(ok(get("/flaky")).body, "fresh");  // retried on a new connection
  EXPECT_EQ(client().stats().retries, 1u);
  EXPECT_EQ(server().connections_accepted(), 2u);

  // POST is not idempotent: no retry, the error surfaces.
  HttpRequest post;
  post.method = "POST";
  post.url = server().url("/flaky");
  post.body = "x";
  expect_error<ConnectionError>(fetch(std::move(post)));
  EXPECT_EQ(client().stats().retries, 1u);
}

TEST_F(PoolTest, RetryHappensOnlyOnce) {
  server().route("GET", "/dead", [](const ServerRequest& req, ServerResponse& res) {
    res = ServerResponse::text("first");
    if (req.index_on_connection >= 2 || req.connection_id >= 2)
      res.disconnect = Disconnect::before_response;
  });
  ok(get("/dead"));
  // Reused connection dies; the fresh one dies too: no second retry.
  expect_error<ConnectionError>(get("/dead"));
  EXPECT_EQ(client().stats().retries, 1u);
}

// Sixteen workers share two connections to a server that closes connections
// idle for 1 ms after a response, each pausing a little between its requests: kept-alive
// connections die just as they are reused, again and again. A request that
// found its reused connection dead gets a fresh one on that connection's slot
// (not the next kept-alive one, which may be as dead), so none is lost.
TEST_F(PoolTest, RequestsOnDeadKeptAliveConnectionsAreNotLostAtTheOriginsCap) {
  TestServerOptions so;
  so.idle_timeout = 1ms;
  TestServer closing(loop(), so);
  closing.respond("GET", "/k", ServerResponse::text("k"));
  ClientOptions o;
  o.max_connections_per_origin = 2;
  Client& c = client(o);
  constexpr size_t kRequests = 300;
  constexpr size_t kWorkers = 16;
  size_t issued = 0;
  size_t finished = 0;
  std::vector<std::string> failures;
  std::vector<std::unique_ptr<net::Timer>> pauses;
  for (size_t i = 0; i < kWorkers; ++i) pauses.push_back(std::make_unique<net::Timer>(loop()));
  std::function<void(size_t)> next = [&](size_t worker) {
    if (issued == kRequests) return;
    ++issued;
    HttpRequest r;
    r.url = closing.url("/k");
    c.fetch(std::move(r), [&, worker](Result res) {
      ++finished;
      if (res.error) {
        try {
          std::rethrow_exception(res.error);
        } catch (const std::exception& e) {
          failures.push_back(e.what());
        }
      }
      // A pause of 0-19 ms, different for every request: longer than the server's 1 ms.
      pauses[worker]->start((finished * 7919) % 20, [&, worker] { next(worker); });
    });
  };
  for (size_t i = 0; i < kWorkers; ++i) next(i);
  run_for(30s, [&] { return finished == kRequests; });
  EXPECT_EQ(finished, kRequests);
  EXPECT_TRUE(failures.empty()) << failures.size() << " failed, the first: "
                                << (failures.empty() ? "" : failures.front());
  EXPECT_GT(c.stats().retries, 0u);  // the race did happen
  pauses.clear();
  closing.close();
}

TEST_F(PoolTest, ConnectionCloseFromTheUserIsHonoured) {
  server().respond("GET", "/c", ServerResponse::text("c"));
  HttpRequest r;
  r.url = server().url("/c");
  r.headers = {{"Connection", "close"}};
  ok(fetch(r));
  ok(fetch(r));
  EXPECT_EQ(server().connections_accepted(), 2u);
}

}  // namespace
}  // namespace uvscrape::http::test
