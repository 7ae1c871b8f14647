// Cancellation of single requests and close() of the whole client.
#include "client_fixture.hpp"

namespace uvscrape::http::test {
namespace {

TEST_F(ClientTest, CancelInFlightRequestGivesCancelledError) {
  ServerResponse never;
  never.never_respond = true;
  server().respond("GET", "/never", never);
  Client& c = client();
  std::optional<Result> result;
  HttpRequest r;
  r.url = server().url("/never");
  const RequestId id = c.fetch(std::move(r), [&](Result res) { result = std::move(res); });
  run_for(2s, [&] { return server().request_count() == 1; });
  c.cancel(id);
  run_for(2s, [&] { return result.has_value(); });
  ASSERT_TRUE(result);
  expect_error<CancelledError>(*result);
  c.cancel(id);                               // twice: ignored
  c.cancel(999999);                           // unknown: ignored
  EXPECT_EQ(c.stats().connections_open, 0u);  // the half-used connection was closed
}

TEST_F(ClientTest, CancelBeforeStartAndWhileQueued) {
  ServerResponse slow = ServerResponse::text("s");
  slow.delay_before_headers = 50ms;
  server().respond("GET", "/s", slow);
  ClientOptions o;
  o.max_connections_per_origin = 1;
  Client& c = client(o);
  std::vector<std::optional<Result>> results(3);
  std::vector<RequestId> ids;
  for (size_t i = 0; i < 3; ++i) {
    HttpRequest r;
    r.url = server().url("/s");
    ids.push_back(
        c.fetch(std::move(r), [&results, i](Result res) { results[i] = std::move(res); }));
  }
  c.cancel(ids[0]);                      // not started yet
  EXPECT_FALSE(results[0].has_value());  // never synchronously
  run_for(2s, [&] { return server().request_count() == 1; });
  c.cancel(ids[2]);  // queued behind ids[1]
  run_for(3s, [&] { return results[0] && results[1] && results[2]; });
  expect_error<CancelledError>(*results[0]);
  EXPECT_EQ(ok(*results[1]).status, 200);
  expect_error<CancelledError>(*results[2]);
  EXPECT_EQ(server().request_count(), 1u);
}

TEST_F(ClientTest, CancelFromInsideAnotherDoneCallback) {
  server().respond("GET", "/a", ServerResponse::text("a"));
  ServerResponse never;
  never.never_respond = true;
  server().respond("GET", "/never", never);
  Client& c = client();
  std::optional<Result> first, second;
  HttpRequest slow;
  slow.url = server().url("/never");
  const RequestId slow_id = c.fetch(std::move(slow), [&](Result r) { second = std::move(r); });
  HttpRequest fast;
  fast.url = server().url("/a");
  c.fetch(std::move(fast), [&](Result r) {
    first = std::move(r);
    c.cancel(slow_id);
  });
  run_for(3s, [&] { return first && second; });
  EXPECT_EQ(ok(*first).body, "a");
  expect_error<CancelledError>(*second);
}

TEST_F(ClientTest, CloseCancelsEverythingAndLeavesNoHandles) {
  ServerResponse never;
  never.never_respond = true;
  server().respond("GET", "/never", never);
  server().respond("GET", "/ok", ServerResponse::text("ok"));
  Client& c = client();
  ok(get("/ok"));  // one idle pooled connection
  int cancelled = 0;
  for (int i = 0; i < 5; ++i) {
    HttpRequest r;
    r.url = server().url("/never");
    c.fetch(std::move(r), [&](Result res) {
      try {
        std::rethrow_exception(res.error);
      } catch (const CancelledError&) {
        ++cancelled;
      } catch (...) {
      }
    });
  }
  run_for(2s, [&] { return server().request_count() >= 5; });
  bool closed = false;
  c.close([&] { closed = true; });
  EXPECT_EQ(cancelled, 0);  // never inside close()
  // A fetch after close() still completes, asynchronously, with CancelledError.
  std::optional<Result> late;
  HttpRequest r;
  r.url = server().url("/ok");
  c.fetch(std::move(r), [&](Result res) { late = std::move(res); });
  EXPECT_FALSE(late.has_value());
  run_for(3s, [&] { return closed && late.has_value(); });
  EXPECT_EQ(cancelled, 5);
  expect_error<CancelledError>(*late);
  server().close();
  run_for(3s, [&] { return uv_loop_alive(loop()) == 0; });
  EXPECT_EQ(uv_loop_alive(loop()), 0);
}

TEST_F(ClientTest, DestroyingAnUnclosedClientClosesIt) {
  server().respond("GET", "/ok", ServerResponse::text("ok"));
  {
    Client c(loop());
    HttpRequest r;
    r.url = server().url("/ok");
    bool done = false;
    c.fetch(std::move(r), [&](Result) { done = true; });
    run_for(2s, [&] { return done; });
  }  // leaves an idle connection behind; the destructor closes it
  server().close();
  run_for(3s, [&] { return uv_loop_alive(loop()) == 0; });
  EXPECT_EQ(uv_loop_alive(loop()), 0);
}

TEST_F(ClientTest, UnusedClientClosesCleanly) {
  bool closed = false;
  client().close([&] { closed = true; });
  run_for(2s, [&] { return closed; });
}

}  // namespace
}  // namespace uvscrape::http::test
