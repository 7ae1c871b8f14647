// The test server checked from the wire with a raw socket client: each fault
// mode produces exactly the bytes (or the connection end) it promises.
#include <gtest/gtest.h>
#include <zlib.h>

#include <chrono>
#include <string>

#include "raw_client.hpp"
#include "response_plan.hpp"
#include "threaded_test_server.hpp"

namespace uvscrape::testing {
namespace {

using namespace std::chrono_literals;
using End = RawClient::End;
constexpr auto kDeadline = 5s;

std::string get(std::string_view path, std::string_view extra = "") {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: t\r\n" + std::string(extra) + "\r\n";
}

std::string body_of(const std::string& response) {
  const size_t at = response.find("\r\n\r\n");
  return at == std::string::npos ? std::string() : response.substr(at + 4);
}

std::string gunzip(const std::string& in) {
  z_stream zs{};
  inflateInit2(&zs, 15 + 16);
  std::string out(1 << 20, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  inflateEnd(&zs);
  return rc == Z_STREAM_END ? out : "<inflate failed>";
}

class TestServerWire : public ::testing::Test {
 protected:
  void TearDown() override {
    server.stop();
    EXPECT_EQ(server.loop_close_result(), 0);
  }
  ThreadedTestServer server;
};

TEST_F(TestServerWire, KeepAlivePipeliningAndRecording) {
  server->respond("GET", "/a", ServerResponse::text("alpha"));
  server->route("POST", "/echo/*", [](const ServerRequest& req, ServerResponse& res) {
    res = ServerResponse::text(req.method + " " + req.path + " " + req.query + " " + req.body);
  });
  RawClient c(server.port());
  c.send(get("/a", "X-Test: 1\r\n") +
         "POST /echo/x?q=1 HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello" +
         get("/missing"));
  ASSERT_TRUE(c.read_until("not found: /missing\n", kDeadline)) << c.received();
  const std::string& r = c.received();
  EXPECT_EQ(r.find("HTTP/1.1 200 OK\r\n"), 0u);
  EXPECT_NE(r.find("\r\n\r\nalpha"), std::string::npos);
  EXPECT_NE(r.find("POST /echo/x q=1 hello"), std::string::npos);
  EXPECT_NE(r.find("HTTP/1.1 404 Not Found\r\n"), std::string::npos);

  ASSERT_TRUE(server->wait_for_requests(3, kDeadline));
  const auto reqs = server->requests();
  EXPECT_EQ(reqs[0].header("x-test"), "1");
  EXPECT_EQ(reqs[1].method, "POST");
  EXPECT_EQ(reqs[1].target, "/echo/x?q=1");
  EXPECT_EQ(reqs[1].body, "hello");
  EXPECT_EQ(reqs[2].index_on_connection, 3u);
  EXPECT_EQ(server->connections_accepted(), 1u);
  EXPECT_EQ(server->responses_completed(), 3u);
}

TEST_F(TestServerWire, CatchAllAndChunkedGzip) {
  TestServerOptions options;
  options.catch_all_ok = true;
  ThreadedTestServer ok(options);
  RawClient a(ok.port());
  a.send(get("/anything", "Connection: close\r\n"));
  EXPECT_EQ(a.read(kDeadline), End::eof);
  EXPECT_EQ(body_of(a.received()), "<html><body>ok</body></html>");

  ServerResponse gz = ServerResponse::text(std::string(10000, 'z'));
  gz.encoding = ContentEncoding::gzip;
  gz.chunked = true;
  gz.chunk_size = 7;
  server->respond("GET", "/gz", gz);
  RawClient c(server.port());
  c.send(get("/gz"));
  ASSERT_TRUE(c.read_until("\r\n0\r\n\r\n", kDeadline));
  EXPECT_NE(c.received().find("Transfer-Encoding: chunked\r\n"), std::string::npos);
  EXPECT_NE(c.received().find("Content-Encoding: gzip\r\n"), std::string::npos);
  // De-chunk by hand: every chunk is 7 bytes except the last.
  std::string framed = body_of(c.received()), joined;
  for (size_t at = 0;;) {
    const size_t eol = framed.find("\r\n", at);
    const size_t n = std::stoul(framed.substr(at, eol - at), nullptr, 16);
    if (n == 0) break;
    EXPECT_LE(n, 7u);
    joined += framed.substr(eol + 2, n);
    at = eol + 2 + n + 2;
  }
  EXPECT_EQ(gunzip(joined), std::string(10000, 'z'));
}

TEST_F(TestServerWire, DelaysAndSlowDrip) {
  ServerResponse slow = ServerResponse::text("0123456789");
  slow.delay_before_headers = 150ms;
  slow.chunk_size = 5;
  slow.delay_between_chunks = 100ms;
  server->respond("GET", "/slow", slow);
  ServerResponse drip = ServerResponse::text("abcdefghij");
  drip.drip_interval = 5ms;
  server->respond("GET", "/drip", drip);

  RawClient c(server.port());
  const auto t0 = std::chrono::steady_clock::now();
  c.send(get("/slow"));
  EXPECT_EQ(c.read(100ms), End::timeout);
  EXPECT_TRUE(c.received().empty());
  ASSERT_TRUE(c.read_until("01234", kDeadline));
  EXPECT_EQ(c.received().find("56789"), std::string::npos);  // second piece still waiting
  ASSERT_TRUE(c.read_until("0123456789", kDeadline));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 240ms);  // libuv timers: ms granularity

  c.clear();
  const auto t1 = std::chrono::steady_clock::now();
  c.send(get("/drip"));
  ASSERT_TRUE(c.read_until("abcdefghij", kDeadline));
  // ~80 response bytes, 5 ms apart.
  EXPECT_GE(std::chrono::steady_clock::now() - t1, 5ms * (c.received().size() - 1) / 2);
}

TEST_F(TestServerWire, DisconnectsMidHeadersMidBodyAndReset) {
  ServerResponse mid_headers = ServerResponse::text("body");
  mid_headers.disconnect = Disconnect::mid_headers;
  server->respond("GET", "/mh", mid_headers);
  ServerResponse mid_body = ServerResponse::text(std::string(1000, 'b'));
  mid_body.disconnect = Disconnect::mid_body;
  mid_body.disconnect_after_body_bytes = 300;
  server->respond("GET", "/mb", mid_body);
  ServerResponse reset = ServerResponse::text("never");
  reset.disconnect = Disconnect::before_response;
  reset.disconnect_with_reset = true;
  server->respond("GET", "/rst", reset);

  RawClient a(server.port());
  a.send(get("/mh"));
  EXPECT_EQ(a.read(kDeadline), End::eof);
  EXPECT_EQ(a.received().find("HTTP/1.1 200"), 0u);
  EXPECT_EQ(a.received().find("\r\n\r\n"), std::string::npos);

  RawClient b(server.port());
  b.send(get("/mb"));
  EXPECT_EQ(b.read(kDeadline), End::eof);
  EXPECT_NE(b.received().find("Content-Length: 1000\r\n"), std::string::npos);
  EXPECT_EQ(body_of(b.received()), std::string(300, 'b'));

  RawClient c(server.port());
  c.send(get("/rst"));
  EXPECT_EQ(c.read(kDeadline), End::reset);
  EXPECT_TRUE(c.received().empty());
}

TEST_F(TestServerWire, MalformedResponses) {
  ServerResponse bad_status = ServerResponse::text("x");
  bad_status.invalid_status_line = true;
  server->respond("GET", "/status", bad_status);
  ServerResponse bad_chunk = ServerResponse::text("hello");
  bad_chunk.chunked = true;
  bad_chunk.bad_chunk_size = true;
  server->respond("GET", "/chunk", bad_chunk);
  ServerResponse big = ServerResponse::text("x");
  big.oversized_headers = 100'000;
  server->respond("GET", "/big", big);
  server->respond("GET", "/teapot", ServerResponse::with_status(418));

  RawClient c(server.port());
  c.send(get("/status") + get("/chunk") + get("/big") + get("/teapot"));
  ASSERT_TRUE(c.read_until("HTTP/1.1 418 Unknown\r\n", kDeadline));
  const std::string& r = c.received();
  EXPECT_EQ(r.find("HTTP/1.1 OOPS not-a-status\r\n"), 0u);
  EXPECT_NE(r.find("\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"), std::string::npos);
  const size_t big_at = r.find("X-Padding-0: ");
  const size_t big_end = r.find("\r\n\r\n", big_at);
  EXPECT_GE(big_end - big_at, 99'000u);
  EXPECT_LE(big_end - big_at, 100'100u);
}

TEST_F(TestServerWire, EndlessBodyNeverRespondAndCloseAfterN) {
  ServerResponse endless;
  endless.endless_body = true;
  server->respond("GET", "/endless", endless);
  ServerResponse silent;
  silent.never_respond = true;
  server->respond("GET", "/silent", silent);

  {
    RawClient e(server.port());
    e.send(get("/endless"));
    EXPECT_EQ(e.read(kDeadline, 4u << 20), End::open);  // 4 MiB and still going
    EXPECT_EQ(e.received().find("Content-Length"), std::string::npos);
  }  // the client closes; the server stops writing
  RawClient s(server.port());
  s.send(get("/silent"));
  EXPECT_EQ(s.read(300ms), End::timeout);
  EXPECT_TRUE(s.received().empty());

  TestServerOptions options;
  options.max_requests_per_connection = 2;
  ThreadedTestServer capped(options);
  capped->respond("GET", "/", ServerResponse::text("hi"));
  RawClient k(capped.port());
  k.send(get("/") + get("/") + get("/"));
  EXPECT_EQ(k.read(kDeadline), End::eof);
  const std::string& r = k.received();
  const size_t second = r.find("HTTP/1.1", 1);
  EXPECT_EQ(r.substr(0, second).find("Connection: close"), std::string::npos);
  EXPECT_NE(r.find("Connection: close\r\n", second), std::string::npos);
  EXPECT_EQ(r.find("HTTP/1.1", second + 1), std::string::npos);  // the third is never answered
  capped.stop();
  EXPECT_EQ(capped.loop_close_result(), 0);
}

TEST_F(TestServerWire, IdleTimeoutClosesKeptAliveConnections) {
  TestServerOptions options;
  options.idle_timeout = 100ms;
  ThreadedTestServer idle(options);
  idle->respond("GET", "/", ServerResponse::text("hi"));
  RawClient c(idle.port());
  c.send(get("/"));
  ASSERT_TRUE(c.read_until("\r\n\r\nhi", kDeadline));
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(c.read(kDeadline), End::eof);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 50ms);  // not at once
  EXPECT_EQ(idle->responses_completed(), 1u);
  idle.stop();
  EXPECT_EQ(idle.loop_close_result(), 0);
}

TEST_F(TestServerWire, RedirectChainAndLoop) {
  EXPECT_EQ(server->redirect_chain("/c", 3, "/done"), "/c/0");
  EXPECT_EQ(server->redirect_loop("/l"), "/l/0");
  RawClient c(server.port());
  c.send(get("/c/0") + get("/c/2") + get("/l/1"));
  ASSERT_TRUE(c.read_until("Location: /l/0\r\n", kDeadline));
  EXPECT_NE(c.received().find("HTTP/1.1 302 Found\r\nLocation: /c/1\r\n"), std::string::npos);
  EXPECT_NE(c.received().find("Location: /done\r\n"), std::string::npos);
}

TEST_F(TestServerWire, InformationalResponsesComeFirst) {
  ServerResponse r = ServerResponse::text("final");
  r.informational = {100, 103};
  server->respond("GET", "/info", r);
  RawClient c(server.port());
  c.send(get("/info"));
  ASSERT_TRUE(c.read_until("final", kDeadline));
  EXPECT_EQ(c.received().find("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\n\r\n"
                              "HTTP/1.1 200 OK\r\n"),
            0u);
}

TEST(ResponsePlan, HeadGetsHeadersOnlyAndSharedBodyIsNotCopied) {
  ServerRequest head;
  head.method = "HEAD";
  ServerResponse r;
  r.shared_body = std::make_shared<const std::string>(5000, 's');
  const ResponsePlan plan = build_response_plan(r, head, false);
  EXPECT_EQ(plan.flatten(), "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n");

  ServerRequest get_req;
  get_req.method = "GET";
  const ResponsePlan full = build_response_plan(r, get_req, true);
  ASSERT_EQ(full.segments.size(), 1u);
  EXPECT_EQ(full.segments[0].bufs.back().base, r.shared_body->data());
  EXPECT_EQ(full.finish, ResponsePlan::Finish::close);
}

}  // namespace
}  // namespace uvscrape::testing
