// net::connect over plain TCP against real sockets on 127.0.0.1.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "blackhole.hpp"
#include "loop_fixture.hpp"
#include "net/resolver.hpp"
#include "net/stream.hpp"
#include "net/tls_config.hpp"
#include "net/uv_util.hpp"
#include "tcp_server.hpp"
#include "uvscrape/errors.hpp"

namespace uvscrape::net::testing {
namespace {

using uvscrape::testing::BlackholePort;
using uvscrape::testing::closed_port;

using namespace std::chrono_literals;

class TcpConnectTest : public LoopTest {
 protected:
  void SetUp() override {
    LoopTest::SetUp();
    resolver_.emplace(loop());
  }
  void TearDown() override {
    resolver_->close();
    resolver_.reset();
    tls_.reset();
    uv_run(loop(), UV_RUN_DEFAULT);
    LoopTest::TearDown();
  }

  ConnectTarget target(const std::string& host, uint16_t port) {
    ConnectTarget t;
    t.url = "http://" + host + ":" + std::to_string(port) + "/page";
    t.host = host;
    t.port = port;
    return t;
  }

  std::optional<Resolver> resolver_;
  std::optional<TlsConfigCache> tls_{std::in_place};
};

// Remembers what connect reported.
struct Outcome {
  bool called = false;
  std::unique_ptr<Stream> stream;
  std::exception_ptr error;
  ConnectCallback callback() {
    return [this](std::unique_ptr<Stream> s, std::exception_ptr e) {
      EXPECT_FALSE(called) << "connect reported twice";
      called = true;
      stream = std::move(s);
      error = std::move(e);
    };
  }
};

template <class E>
const E* error_as(std::exception_ptr error) {
  try {
    if (error) std::rethrow_exception(error);
  } catch (const E& e) {
    static thread_local std::optional<E> copy;
    copy.emplace(e);
    return &*copy;
  } catch (...) {
  }
  return nullptr;
}

TEST_F(TcpConnectTest, EchoRoundTripOverNumericHost) {
  TcpTestServer server(loop(), [](std::string_view in) { return std::string(in); });
  std::string received;
  bool wrote = false;
  bool closed = false;
  Outcome out;
  connect(loop(), *resolver_, *tls_, target("127.0.0.1", server.port()),
          [&](std::unique_ptr<Stream> s, std::exception_ptr e) {
            ASSERT_FALSE(e);
            ASSERT_TRUE(s);
            EXPECT_FALSE(s->is_tls());
            out.stream = std::move(s);
            out.stream->start_reading(
                [&](std::string_view bytes) {
                  received += bytes;
                  if (received.size() == 11) {
                    out.stream->close([&] { closed = true; });
                    server.close();
                  }
                },
                [&](std::exception_ptr) { ADD_FAILURE() << "unexpected end"; });
            out.stream->write("hello world", [&](std::exception_ptr err) {
              EXPECT_FALSE(err);
              wrote = true;
            });
          });
  run(5s);
  EXPECT_TRUE(wrote);
  EXPECT_TRUE(closed);
  EXPECT_EQ(received, "hello world");
  out.stream.reset();
}

TEST_F(TcpConnectTest, LocalhostConnects) {
  TcpTestServer server(loop(), [](std::string_view) { return std::string(); });
  Outcome out;
  connect(loop(), *resolver_, *tls_, target("localhost", server.port()),
          [&](std::unique_ptr<Stream> s, std::exception_ptr e) {
            out.called = true;
            out.error = e;
            out.stream = std::move(s);
            if (out.stream) out.stream->close();
            server.close();
          });
  run(5s);
  ASSERT_TRUE(out.called);
  EXPECT_FALSE(out.error);
  EXPECT_TRUE(out.stream);
}

TEST_F(TcpConnectTest, RefusedPortIsConnectionErrorNamingTheUrl) {
  Outcome out;
  auto t = target("127.0.0.1", closed_port());
  connect(loop(), *resolver_, *tls_, t, out.callback());
  EXPECT_FALSE(out.called) << "connect must report asynchronously";
  run(5s);
  ASSERT_TRUE(out.called);
  auto* err = error_as<ConnectionError>(out.error);
  ASSERT_NE(err, nullptr);
  EXPECT_EQ(err->url(), t.url);
  EXPECT_NE(std::string(err->what()).find(t.url), std::string::npos);
  EXPECT_NE(err->reason().find("ECONNREFUSED"), std::string::npos) << err->reason();
}

TEST_F(TcpConnectTest, FallsBackToTheNextAddress) {
  // The server listens on IPv6 loopback only; the first address (IPv4) refuses.
  TcpTestServer server(
      loop(), [](std::string_view in) { return std::string(in); }, "::1");
  resolver_->pin("dual.test", {*parse_numeric_host("127.0.0.1"), *parse_numeric_host("::1")});
  Outcome out;
  connect(loop(), *resolver_, *tls_, target("dual.test", server.port()),
          [&](std::unique_ptr<Stream> s, std::exception_ptr e) {
            out.called = true;
            out.error = e;
            out.stream = std::move(s);
            server.close();
          });
  run(5s);
  ASSERT_TRUE(out.called);
  EXPECT_FALSE(out.error);
  EXPECT_TRUE(out.stream);
  EXPECT_EQ(server.accepted(), 1u);
}

TEST_F(TcpConnectTest, AllAddressesFailingNamesEachOne) {
  uint16_t port = closed_port();
  resolver_->pin("dual.test", {*parse_numeric_host("127.0.0.1"), *parse_numeric_host("::1")});
  Outcome out;
  connect(loop(), *resolver_, *tls_, target("dual.test", port), out.callback());
  run(5s);
  auto* err = error_as<ConnectionError>(out.error);
  ASSERT_NE(err, nullptr);
  EXPECT_NE(err->reason().find("127.0.0.1:" + std::to_string(port)), std::string::npos);
  EXPECT_NE(err->reason().find("[::1]:" + std::to_string(port)), std::string::npos);
}

TEST_F(TcpConnectTest, ConnectTimeoutIsTypedWithPhase) {
  BlackholePort blackhole;
  auto t = target("127.0.0.1", blackhole.port());
  t.connect_timeout = 150ms;
  Outcome out;
  auto started = uv_now(loop());
  connect(loop(), *resolver_, *tls_, t, out.callback());
  run(5s);
  ASSERT_TRUE(out.called);
  auto* err = error_as<RequestTimeoutException>(out.error);
  ASSERT_NE(err, nullptr);
  EXPECT_EQ(err->phase(), TimeoutPhase::connect);
  EXPECT_DOUBLE_EQ(err->timeout_seconds(), 0.15);
  EXPECT_EQ(err->url(), t.url);
  EXPECT_GE(uv_now(loop()) - started, 140u);
}

TEST_F(TcpConnectTest, CancelReportsCancelledErrorAtOnce) {
  BlackholePort blackhole;
  Outcome out;
  auto t = target("127.0.0.1", blackhole.port());
  auto cancel = connect(loop(), *resolver_, *tls_, t, out.callback());
  Timer later(loop());
  later.start(20, [&] {
    cancel();
    EXPECT_TRUE(out.called);
    cancel();  // a second cancel is harmless
  });
  run(5s);
  ASSERT_TRUE(out.called);
  auto* err = error_as<CancelledError>(out.error);
  ASSERT_NE(err, nullptr);
  EXPECT_EQ(err->url(), t.url);
}

TEST_F(TcpConnectTest, StopReadingHoldsDataBackUntilResumed) {
  const std::string big(512 * 1024, 'x');
  TcpTestServer server(loop(), [&](std::string_view) { return big; });
  Outcome out;
  size_t received = 0;
  size_t received_while_paused = 0;
  bool paused = false;
  Timer resume(loop());
  connect(loop(), *resolver_, *tls_, target("127.0.0.1", server.port()),
          [&](std::unique_ptr<Stream> s, std::exception_ptr e) {
            ASSERT_FALSE(e);
            out.stream = std::move(s);
            out.stream->write("go", [](std::exception_ptr) {});
            out.stream->start_reading(
                [&](std::string_view bytes) {
                  if (paused) received_while_paused += bytes.size();
                  received += bytes.size();
                  if (received == big.size()) {
                    out.stream->close();
                    server.close();
                  } else if (received < big.size() / 2 || paused) {
                    return;
                  }
                  // Half way: pause for 100 ms.
                  if (received < big.size()) {
                    paused = true;
                    out.stream->stop_reading();
                    resume.start(100, [&] {
                      paused = false;
                      out.stream->start_reading(
                          [&](std::string_view more) {
                            received += more.size();
                            if (received == big.size()) {
                              out.stream->close();
                              server.close();
                            }
                          },
                          [](std::exception_ptr) {});
                    });
                  }
                },
                [](std::exception_ptr) {});
          });
  run(5s);
  EXPECT_EQ(received, big.size());
  EXPECT_EQ(received_while_paused, 0u);
}

TEST_F(TcpConnectTest, PeerCloseIsCleanEndAndDestroyInCallbackIsSafe) {
  // The server closes every connection as soon as it reads from it.
  std::unique_ptr<TcpTestServer> server;
  server = std::make_unique<TcpTestServer>(loop(), [&](std::string_view) {
    Timer* t = new Timer(loop());
    t->start(0, [&, t] {
      server->close();
      delete t;
    });
    return std::string();
  });
  Outcome out;
  bool ended = false;
  connect(loop(), *resolver_, *tls_, target("127.0.0.1", server->port()),
          [&](std::unique_ptr<Stream> s, std::exception_ptr e) {
            ASSERT_FALSE(e);
            out.stream = std::move(s);
            out.stream->start_reading([](std::string_view) { ADD_FAILURE(); },
                                      [&](std::exception_ptr error) {
                                        EXPECT_FALSE(error);
                                        ended = true;
                                        out.stream.reset();  // destroy from inside a callback
                                      });
            out.stream->write("bye", [](std::exception_ptr) {});
          });
  run(5s);
  EXPECT_TRUE(ended);
  EXPECT_FALSE(out.stream);
}

TEST_F(TcpConnectTest, ReadingAfterTheEndFailsInsteadOfWaiting) {
  TcpTestServer server(loop(), TcpTestServer::HandlerFactory([] {
                         return [](std::string_view) { return TcpTestServer::Reply{"bye", true}; };
                       }));
  Outcome out;
  std::string received;
  bool first_end_clean = false;
  std::exception_ptr second_end;
  connect(loop(), *resolver_, *tls_, target("127.0.0.1", server.port()),
          [&](std::unique_ptr<Stream> s, std::exception_ptr e) {
            ASSERT_FALSE(e);
            out.stream = std::move(s);
            out.stream->write("hi", [](std::exception_ptr) {});
            out.stream->start_reading([&](std::string_view bytes) { received += bytes; },
                                      [&](std::exception_ptr error) {
                                        first_end_clean = !error;
                                        bool called_inside = true;
                                        out.stream->start_reading(
                                            [](std::string_view) { ADD_FAILURE(); },
                                            [&](std::exception_ptr again) {
                                              EXPECT_FALSE(called_inside);
                                              second_end = again;
                                              out.stream->close();
                                              server.close();
                                            });
                                        called_inside = false;
                                      });
          });
  run(5s);
  EXPECT_EQ(received, "bye");
  EXPECT_TRUE(first_end_clean);
  EXPECT_NE(error_as<ConnectionError>(second_end), nullptr);
}

TEST_F(TcpConnectTest, NumericIpv6HostConnects) {
  TcpTestServer server(
      loop(), [](std::string_view in) { return std::string(in); }, "::1");
  Outcome out;
  connect(loop(), *resolver_, *tls_, target("::1", server.port()),
          [&](std::unique_ptr<Stream> s, std::exception_ptr e) {
            out.called = true;
            out.error = e;
            out.stream = std::move(s);
            if (out.stream) out.stream->close();
            server.close();
          });
  run(5s);
  ASSERT_TRUE(out.called);
  EXPECT_FALSE(out.error);
  EXPECT_EQ(resolver_->queries_started(), 0u);
}

TEST_F(TcpConnectTest, UnknownHostIsDnsError) {
  Outcome out;
  auto t = target("nonexistent.invalid", 80);
  connect(loop(), *resolver_, *tls_, t, out.callback());
  run(8s);
  ASSERT_TRUE(out.called);
  auto* err = error_as<DnsError>(out.error);
  ASSERT_NE(err, nullptr);
  EXPECT_EQ(err->url(), t.url);
}

TEST_F(TcpConnectTest, ClosedResolverFailsWithCancelledError) {
  resolver_->close();
  Outcome out;
  connect(loop(), *resolver_, *tls_, target("localhost", 80), out.callback());
  EXPECT_FALSE(out.called);
  run(5s);
  EXPECT_NE(error_as<CancelledError>(out.error), nullptr);
}

}  // namespace
}  // namespace uvscrape::net::testing
