// Every fault the test server can inject, each asserting the exact error type.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client_fixture.hpp"
#include "blackhole.hpp"

namespace uvscrape::http::test {
namespace {

class ClientFaults : public ClientTest {
 protected:
  // A body big enough to be cut in the middle.
  static ServerResponse with_body() { return ServerResponse::text(std::string(20'000, 'b')); }

  Result get_with(const std::string& path, ClientOptions options,
                  std::chrono::milliseconds deadline = 5s) {
    HttpRequest r;
    r.url = server().url(path);
    return fetch(std::move(r), deadline, std::move(options));
  }
};

TEST_F(ClientFaults, DelayBeforeHeadersHitsTheFirstByteTimeout) {
  ServerResponse resp = with_body();
  resp.delay_before_headers = 2s;
  server().respond("GET", "/slow", resp);
  ClientOptions o;
  o.first_byte_timeout = 100ms;
  const Result r = get_with("/slow", o);
  expect_error<RequestTimeoutException>(r);
  try {
    std::rethrow_exception(r.error);
  } catch (const RequestTimeoutException& e) {
    EXPECT_EQ(e.phase(), TimeoutPhase::first_byte);
    EXPECT_DOUBLE_EQ(e.timeout_seconds(), 0.1);
    EXPECT_EQ(e.url(), server().url("/slow"));
  }
}

TEST_F(ClientFaults, NeverRespondingHitsTheFirstByteTimeout) {
  ServerResponse resp;
  resp.never_respond = true;
  server().respond("GET", "/never", resp);
  ClientOptions o;
  o.first_byte_timeout = 100ms;
  const Result r = get_with("/never", o);
  expect_error<RequestTimeoutException>(r);
}

TEST_F(ClientFaults, DelayBetweenChunksHitsTheIdleReadTimeout) {
  ServerResponse resp = with_body();
  resp.chunked = true;
  resp.chunk_size = 1000;
  resp.delay_between_chunks = 1s;
  server().respond("GET", "/stall", resp);
  ClientOptions o;
  o.idle_timeout = 100ms;
  const Result r = get_with("/stall", o);
  expect_error<RequestTimeoutException>(r);
  try {
    std::rethrow_exception(r.error);
  } catch (const RequestTimeoutException& e) {
    EXPECT_EQ(e.phase(), TimeoutPhase::idle_read);
  }
}

TEST_F(ClientFaults, SlowDripHitsTheTotalTimeout) {
  ServerResponse resp = with_body();
  resp.drip_interval = 5ms;
  server().respond("GET", "/drip", resp);
  ClientOptions o;
  o.total_timeout = 200ms;
  const Result r = get_with("/drip", o);
  expect_error<RequestTimeoutException>(r);
  try {
    std::rethrow_exception(r.error);
  } catch (const RequestTimeoutException& e) {
    EXPECT_EQ(e.phase(), TimeoutPhase::total);
  }
}

// A 103 Early Hints every 50 ms, forever: every one is a byte that re-arms the
// idle timer, so no timeout ends it; the bound on interim responses does.
TEST_F(ClientFaults, EndlessEarlyHintsFailInBoundedTime) {
  ServerResponse resp = ServerResponse::text("never");
  resp.endless_early_hints = 50ms;
  server().respond("GET", "/hints", resp);
  const uint64_t start = uv_now(loop());
  const Result r = get_with("/hints", ClientOptions{});  // default timeouts: 30 s
  const std::string what = expect_error<LimitExceededError>(r);
  EXPECT_NE(what.find("interim (1xx) responses"), std::string::npos) << what;
  EXPECT_NE(what.find(server().url("/hints")), std::string::npos) << what;
  EXPECT_LT(uv_now(loop()) - start, 3000u);  // 16 hints take 0.8 s
}

TEST_F(ClientFaults, PerRequestTimeoutOverridesTheClients) {
  ServerResponse resp = with_body();
  resp.delay_before_headers = 300ms;
  server().respond("GET", "/slowish", resp);
  HttpRequest r;
  r.url = server().url("/slowish");
  r.options.first_byte_timeout = 50ms;
  expect_error<RequestTimeoutException>(fetch(std::move(r)));
  HttpRequest patient;
  patient.url = server().url("/slowish");
  patient.options.first_byte_timeout = 3s;
  EXPECT_EQ(ok(fetch(std::move(patient))).status, 200);
}

TEST_F(ClientFaults, DisconnectBeforeResponseIsConnectionError) {
  ServerResponse resp = with_body();
  resp.disconnect = Disconnect::before_response;
  server().respond("GET", "/drop", resp);
  expect_error<ConnectionError>(get("/drop"));
}

TEST_F(ClientFaults, DisconnectMidHeadersIsConnectionError) {
  ServerResponse resp = with_body();
  resp.disconnect = Disconnect::mid_headers;
  server().respond("GET", "/mid-headers", resp);
  const std::string what = expect_error<ConnectionError>(get("/mid-headers"));
  EXPECT_NE(what.find(server().url("/mid-headers")), std::string::npos) << what;
}

TEST_F(ClientFaults, DisconnectMidBodyIsConnectionError) {
  for (bool chunked : {false, true}) {
    ServerResponse resp = with_body();
    resp.chunked = chunked;
    resp.disconnect = Disconnect::mid_body;
    server().respond("GET", "/mid-body", resp);
    expect_error<ConnectionError>(get("/mid-body"));
  }
}

TEST_F(ClientFaults, ResetIsConnectionError) {
  ServerResponse resp = with_body();
  resp.disconnect = Disconnect::mid_body;
  resp.disconnect_with_reset = true;
  server().respond("GET", "/reset", resp);
  expect_error<ConnectionError>(get("/reset"));
  ServerResponse early = with_body();
  early.disconnect = Disconnect::before_response;
  early.disconnect_with_reset = true;
  server().respond("GET", "/reset-early", early);
  expect_error<ConnectionError>(get("/reset-early"));
}

TEST_F(ClientFaults, InvalidStatusLineIsProtocolError) {
  ServerResponse resp = with_body();
  resp.invalid_status_line = true;
  server().respond("GET", "/bad-status", resp);
  const std::string what = expect_error<ProtocolError>(get("/bad-status"));
  EXPECT_NE(what.find(server().url("/bad-status")), std::string::npos) << what;
}

TEST_F(ClientFaults, BadChunkSizeIsProtocolError) {
  ServerResponse resp = with_body();
  resp.chunked = true;
  resp.bad_chunk_size = true;
  server().respond("GET", "/bad-chunk", resp);
  expect_error<ProtocolError>(get("/bad-chunk"));
}

TEST_F(ClientFaults, RawGarbageIsProtocolError) {
  ServerResponse resp;
  resp.raw = std::string("\x16\x03\x01 this is not http\r\n\r\n");
  server().respond("GET", "/garbage", resp);
  expect_error<ProtocolError>(get("/garbage"));
}

TEST_F(ClientFaults, OversizedHeadersAreLimitExceeded) {
  ServerResponse resp = with_body();
  resp.oversized_headers = 100'000;
  server().respond("GET", "/fat", resp);
  expect_error<LimitExceededError>(get("/fat"));
}

TEST_F(ClientFaults, EndlessBodyIsLimitExceeded) {
  for (bool chunked : {false, true}) {
    ServerResponse resp = with_body();
    resp.endless_body = true;
    resp.chunked = chunked;
    server().respond("GET", "/endless", resp);
    ClientOptions o;
    o.max_body_bytes = 2 * 1024 * 1024;
    HttpRequest r;
    r.url = server().url("/endless");
    expect_error<LimitExceededError>(fetch(std::move(r), 10s, o));
  }
}

TEST_F(ClientFaults, ContentLengthAboveTheBodyLimitFailsAtOnce) {
  ServerResponse resp = ServerResponse::text(std::string(5000, 'x'));
  server().respond("GET", "/big", resp);
  ClientOptions o;
  o.max_body_bytes = 1000;
  HttpRequest r;
  r.url = server().url("/big");
  expect_error<LimitExceededError>(fetch(std::move(r), 5s, o));
}

TEST_F(ClientFaults, DecompressionBombIsLimitExceeded) {
  ServerResponse resp = ServerResponse::text(std::string(30 * 1024 * 1024, '\0'));
  resp.encoding = ContentEncoding::gzip;
  server().respond("GET", "/bomb", resp);
  ClientOptions o;
  o.max_decoded_bytes = 1024 * 1024;
  HttpRequest r;
  r.url = server().url("/bomb");
  expect_error<LimitExceededError>(fetch(std::move(r), 10s, o));
}

TEST_F(ClientFaults, CorruptCompressedBodyIsProtocolError) {
  ServerResponse resp = ServerResponse::text("this is not gzip at all");
  resp.headers = {{"Content-Encoding", "gzip"}};
  server().respond("GET", "/corrupt", resp);
  expect_error<ProtocolError>(get("/corrupt"));
}

TEST_F(ClientFaults, ContentLengthLongerThanTheBodyIsConnectionErrorAtClose) {
  ServerResponse resp = ServerResponse::text("short");
  resp.headers = {{"Content-Length", "100"}};
  resp.close_connection = true;
  server().respond("GET", "/liar", resp);
  expect_error<ConnectionError>(get("/liar"));
}

TEST_F(ClientFaults, RefusedConnectionIsConnectionError) {
  // A port that was just free: bind, note, close.
  uv_tcp_t probe;
  uv_tcp_init(loop(), &probe);
  sockaddr_in addr{};
  uv_ip4_addr("127.0.0.1", 0, &addr);
  uv_tcp_bind(&probe, reinterpret_cast<const sockaddr*>(&addr), 0);
  sockaddr_storage bound{};
  int len = sizeof(bound);
  uv_tcp_getsockname(&probe, reinterpret_cast<sockaddr*>(&bound), &len);
  const int port = ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  uv_close(reinterpret_cast<uv_handle_t*>(&probe), nullptr);
  uv_run(loop(), UV_RUN_NOWAIT);
  HttpRequest r;
  r.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  expect_error<ConnectionError>(fetch(std::move(r)));
}

TEST_F(ClientFaults, UnknownHostIsDnsError) {
  HttpRequest r;
  r.url = "http://no-such-host.invalid/";
  // Room for c-ares to give up on an unreachable name server (tries x timeout).
  r.options.connect_timeout = 15s;
  const std::string what = expect_error<DnsError>(fetch(std::move(r), 20s));
  EXPECT_NE(what.find("no-such-host.invalid"), std::string::npos) << what;
}

TEST_F(ClientFaults, UnansweredConnectHitsTheConnectTimeout) {
  // A connect to it neither succeeds nor fails: only the connect timeout ends it.
  const testing::BlackholePort blackhole;
  ClientOptions o;
  o.connect_timeout = 200ms;
  HttpRequest r;
  r.url = "http://127.0.0.1:" + std::to_string(blackhole.port()) + "/";
  const Result res = fetch(std::move(r), 5s, o);
  expect_error<RequestTimeoutException>(res);
  try {
    std::rethrow_exception(res.error);
  } catch (const RequestTimeoutException& e) {
    EXPECT_EQ(e.phase(), TimeoutPhase::connect);
    EXPECT_DOUBLE_EQ(e.timeout_seconds(), 0.2);
  }
}

TEST_F(ClientFaults, AfterEveryFaultTheClientStillWorks) {
  ServerResponse bad = with_body();
  bad.invalid_status_line = true;
  server().respond("GET", "/bad", bad);
  server().respond("GET", "/good", ServerResponse::text("fine"));
  expect_error<ProtocolError>(get("/bad"));
  EXPECT_EQ(ok(get("/good")).body, "fine");
  EXPECT_EQ(client().stats().requests_failed, 1u);
}

}  // namespace
}  // namespace uvscrape::http::test
