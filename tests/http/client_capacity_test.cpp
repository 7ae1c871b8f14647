// has_capacity() and set_on_capacity(): the driver dispatches a request only
// when the client can give it a connection at once, and is told when a slot
// frees up.
#include <deque>

#include "client_fixture.hpp"

namespace uvscrape::http::test {
namespace {

class CapacityTest : public ClientTest {
 protected:
  ServerResponse slow(std::string body) {
    ServerResponse r = ServerResponse::text(std::move(body));
    r.delay_before_headers = 30ms;
    return r;
  }
};

TEST_F(CapacityTest, CountsFetchedRequestsAgainstThePerOriginCap) {
  server().respond("GET", "/s", slow("s"));
  ClientOptions o;
  o.max_connections_per_origin = 2;
  Client& c = client(o);
  const std::string url = server().url("/s");
  EXPECT_TRUE(c.has_capacity(url));
  int done = 0;
  auto count = [&done](Result r) {
    ok(r);
    ++done;
  };
  HttpRequest r1;
  r1.url = url;
  c.fetch(std::move(r1), count);
  EXPECT_TRUE(c.has_capacity(url));  // one of two slots taken (not yet started)
  HttpRequest r2;
  r2.url = url;
  c.fetch(std::move(r2), count);
  EXPECT_FALSE(c.has_capacity(url));  // both taken before either started
  // The same origin spelt otherwise (upper-case scheme, a path with a query) is the same key.
  const std::string shouted = "HTTP" + url.substr(4) + "/other?q=1";
  EXPECT_FALSE(c.has_capacity(shouted));
  // Another origin is not held back by this one's cap.
  TestServer other(loop());
  EXPECT_TRUE(c.has_capacity(other.url("/x")));
  // Running: still at the cap until a response ends.
  run_for(2s, [&] { return server().request_count() == 2; });
  EXPECT_FALSE(c.has_capacity(url));
  run_for(5s, [&] { return done == 2; });
  EXPECT_TRUE(c.has_capacity(url));  // two idle connections
  EXPECT_TRUE(c.has_capacity(shouted));
  other.close();
}

TEST_F(CapacityTest, AnIdleConnectionElsewhereCountsUnderTheTotalCap) {
  TestServer other(loop());
  server().respond("GET", "/a", slow("a"));
  other.respond("GET", "/b", ServerResponse::text("b"));
  ClientOptions o;
  o.max_connections_total = 1;
  Client& c = client(o);
  const std::string b = other.url("/b");
  std::optional<Result> first;
  HttpRequest a;
  a.url = server().url("/a");
  c.fetch(std::move(a), [&](Result r) { first = std::move(r); });
  EXPECT_FALSE(c.has_capacity(b));  // the one slot is taken by a busy request
  run_for(5s, [&] { return first.has_value(); });
  ok(*first);
  EXPECT_TRUE(c.has_capacity(b));  // its connection is idle now: evictable
  HttpRequest rb;
  rb.url = b;
  EXPECT_EQ(ok(fetch(std::move(rb))).body, "b");
  EXPECT_EQ(c.stats().connections_open, 1u);
  other.close();
}

// Stats::requests_starting: fetched and not yet sent. Two requests on a cap
// of one connection: the second waits for the slot, which is not starting.
TEST_F(CapacityTest, RequestsStartingCountsThoseNotYetSent) {
  server().respond("GET", "/a", slow("a"));
  ClientOptions o;
  o.max_connections_total = 1;
  Client& c = client(o);
  std::optional<Result> first, second;
  HttpRequest a, b;
  a.url = b.url = server().url("/a");
  c.fetch(std::move(a), [&](Result r) { first = std::move(r); });
  c.fetch(std::move(b), [&](Result r) { second = std::move(r); });
  EXPECT_EQ(c.stats().requests_starting, 2u);  // both accepted, neither begun
  // Sent, answered 30 ms later: nothing is starting any more once it is written.
  run_for(5s, [&] { return c.stats().requests_starting == 0; });
  EXPECT_EQ(c.stats().requests_starting, 0u);
  EXPECT_FALSE(first.has_value());
  run_for(5s, [&] { return first.has_value() && second.has_value(); });
  ok(*first);
  ok(*second);
  EXPECT_EQ(c.stats().requests_starting, 0u);
}

TEST_F(CapacityTest, ListenerRunsAfterASlotFreesNeverInsideACall) {
  server().respond("GET", "/s", slow("s"));
  ClientOptions o;
  o.max_connections_per_origin = 1;
  Client& c = client(o);
  bool in_call = false;
  int calls = 0;
  int done = 0;
  c.set_on_capacity([&] {
    EXPECT_FALSE(in_call) << "the listener ran inside a Client call";
    ++calls;
  });
  HttpRequest r;
  r.url = server().url("/s");
  in_call = true;
  c.fetch(r, [&](Result res) {
    ok(res);
    ++done;
  });
  in_call = false;
  run_for(5s, [&] { return done == 1; });
  run_for(1s, [&] { return calls >= 1; });
  EXPECT_EQ(calls, 1);  // the connection went back to the pool: one call
  // A cancelled request frees its reservation (and the cancel is a call).
  in_call = true;
  const RequestId id = c.fetch(r, [&](Result res) {
    expect_error<CancelledError>(res);
    ++done;
  });
  c.cancel(id);
  in_call = false;
  run_for(5s, [&] { return done == 2; });
  run_for(1s, [&] { return calls >= 2; });
  EXPECT_EQ(calls, 2);
  // An empty listener clears it.
  c.set_on_capacity({});
  HttpRequest again = r;
  ok(fetch(std::move(again)));
  uv_run(loop(), UV_RUN_NOWAIT);
  EXPECT_EQ(calls, 2);
}

// What the driver does: dispatch while has_capacity(), and again from the
// listener. No request ever waits inside the client, and the work finishes.
TEST_F(CapacityTest, ADispatcherDrivenByTheListenerStaysWithinTheCap) {
  server().respond("GET", "/s", slow("s"));
  ClientOptions o;
  o.max_connections_per_origin = 2;
  Client& c = client(o);
  std::deque<std::string> todo;
  for (int i = 0; i < 20; ++i) todo.push_back(server().url("/s"));
  size_t in_flight = 0;
  size_t peak = 0;
  size_t completed = 0;
  std::function<void()> dispatch = [&] {
    while (!todo.empty() && c.has_capacity(todo.front())) {
      HttpRequest r;
      r.url = todo.front();
      todo.pop_front();
      ++in_flight;
      peak = std::max(peak, in_flight);
      c.fetch(std::move(r), [&](Result res) {
        ok(res);
        --in_flight;
        ++completed;
      });
    }
  };
  c.set_on_capacity(dispatch);
  dispatch();
  EXPECT_EQ(in_flight, 2u);
  run_for(10s, [&] { return completed == 20; });
  EXPECT_EQ(peak, 2u);
  EXPECT_EQ(c.stats().connections_opened, 2u);
  EXPECT_EQ(c.stats().connections_reused, 18u);
}

TEST_F(CapacityTest, NoCapacityAfterClose) {
  Client& c = client();
  EXPECT_TRUE(c.has_capacity(server().url("/")));
  c.close();
  EXPECT_FALSE(c.has_capacity(server().url("/")));
}

}  // namespace
}  // namespace uvscrape::http::test
