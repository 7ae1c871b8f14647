// TLS over libuv against an in-process TLS server (TlsServerSession) with
// certificates generated at test time.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <optional>
#include <string>

#include "loop_fixture.hpp"
#include "net/resolver.hpp"
#include "net/stream.hpp"
#include "net/tls_config.hpp"
#include "net/uv_util.hpp"
#include "tcp_server.hpp"
#include "tls/test_certificates.hpp"
#include "tls/tls_server_session.hpp"
#include "uvscrape/errors.hpp"

namespace uvscrape::net::testing {
namespace {

using namespace std::chrono_literals;
using uvscrape::testing::PemCertificate;
using uvscrape::testing::test_certificates;
using uvscrape::testing::TlsServerConfig;
using uvscrape::testing::TlsServerSession;

// Serves TLS with `certificate`; each decrypted chunk is answered by `app`.
// The SNI name of the last session goes to `*server_name` if given.
TcpTestServer::HandlerFactory tls_server(const PemCertificate& certificate,
                                         std::function<std::string(std::string_view)> app,
                                         bool close_notify_after_reply = false,
                                         std::shared_ptr<std::string> server_name = nullptr) {
  auto config = std::make_shared<TlsServerConfig>(certificate);
  return [config, app, close_notify_after_reply, server_name] {
    auto session = std::make_shared<TlsServerSession>(config);
    return [session, app, close_notify_after_reply, server_name](std::string_view in) {
      session->feed(in);
      if (server_name && session->handshake_done()) *server_name = session->server_name();
      std::string request = session->take_plaintext();
      if (!request.empty()) {
        session->write(app(request));
        if (close_notify_after_reply) session->close_notify();
      }
      return TcpTestServer::Reply{session->take_ciphertext(),
                                  session->failed() || session->peer_closed()};
    };
  };
}

template <class E>
std::optional<E> error_as(std::exception_ptr error) {
  try {
    if (error) std::rethrow_exception(error);
  } catch (const E& e) {
    return e;
  } catch (...) {
  }
  return std::nullopt;
}

std::string describe(std::exception_ptr error) {
  try {
    if (error) std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

class TlsTest : public LoopTest {
 protected:
  void SetUp() override {
    LoopTest::SetUp();
    resolver_.emplace(loop());
  }
  void TearDown() override {
    resolver_->close();
    resolver_.reset();
    uv_run(loop(), UV_RUN_DEFAULT);
    LoopTest::TearDown();
  }

  ConnectTarget target(const std::string& host, uint16_t port) {
    ConnectTarget t;
    t.url = "https://" + host + ":" + std::to_string(port) + "/secure";
    t.host = host;
    t.port = port;
    t.tls = true;
    t.ca_file = test_certificates().ca.cert_file;
    return t;
  }

  // Connects, sends "ping", and collects the reply until EOF or `expected` bytes.
  struct Exchange {
    bool connected = false;
    std::exception_ptr connect_error;
    std::string received;
    bool ended = false;
    std::exception_ptr end_error;
  };
  Exchange exchange(TcpTestServer& server, const ConnectTarget& t, size_t expected) {
    Exchange result;
    std::unique_ptr<Stream> stream;
    connect(loop(), *resolver_, tls_, t, [&](std::unique_ptr<Stream> s, std::exception_ptr e) {
      result.connect_error = e;
      if (e) return server.close();
      result.connected = true;
      stream = std::move(s);
      EXPECT_TRUE(stream->is_tls());
      auto done = [&] {
        stream->close();
        server.close();
      };
      stream->start_reading(
          [&, done](std::string_view bytes) {
            result.received += bytes;
            if (result.received.size() >= expected) done();
          },
          [&, done](std::exception_ptr error) {
            result.ended = true;
            result.end_error = error;
            done();
          });
      stream->write("ping", [](std::exception_ptr error) { EXPECT_FALSE(error); });
    });
    run(10s);
    return result;
  }

  std::optional<Resolver> resolver_;
  TlsConfigCache tls_;
};

std::string pong(std::string_view in) {
  return "pong:" + std::string(in);
}

TEST_F(TlsTest, TrustedCertificateIsAcceptedAndDataFlows) {
  TcpTestServer server(loop(), tls_server(test_certificates().valid, pong));
  auto result = exchange(server, target("127.0.0.1", server.port()), 9);
  EXPECT_TRUE(result.connected) << describe(result.connect_error);
  EXPECT_EQ(result.received, "pong:ping");
}

TEST_F(TlsTest, HostNameLocalhostMatchesAndIsSentAsSni) {
  auto server_name = std::make_shared<std::string>();
  TcpTestServer server(loop(), tls_server(test_certificates().valid, pong, false, server_name));
  auto result = exchange(server, target("localhost", server.port()), 9);
  EXPECT_TRUE(result.connected) << describe(result.connect_error);
  EXPECT_EQ(result.received, "pong:ping");
  EXPECT_EQ(*server_name, "localhost");
}

TEST_F(TlsTest, StreamMayBeDestroyedInsideItsDataCallback) {
  const std::string big(100 * 1024, 'z');  // several records: more would follow
  TcpTestServer server(
      loop(), tls_server(test_certificates().valid, [&](std::string_view) { return big; }));
  std::unique_ptr<Stream> stream;
  int chunks = 0;
  connect(loop(), *resolver_, tls_, target("127.0.0.1", server.port()),
          [&](std::unique_ptr<Stream> s, std::exception_ptr e) {
            ASSERT_FALSE(e) << describe(e);
            stream = std::move(s);
            stream->start_reading(
                [&](std::string_view) {
                  ++chunks;
                  stream.reset();  // no further callback may run
                  server.close();
                },
                [](std::exception_ptr) { ADD_FAILURE() << "end after destruction"; });
            stream->write("go", [](std::exception_ptr) {});
          });
  run(5s);
  EXPECT_EQ(chunks, 1);
}

TEST_F(TlsTest, WrongHostNameIsVerificationError) {
  TcpTestServer server(loop(), tls_server(test_certificates().wrong_host, pong));
  auto t = target("127.0.0.1", server.port());
  auto result = exchange(server, t, 9);
  auto error = error_as<TlsVerificationError>(result.connect_error);
  ASSERT_TRUE(error) << describe(result.connect_error);
  EXPECT_EQ(error->url(), t.url);
  EXPECT_NE(error->reason().find("CN"), std::string::npos) << error->reason();
}

TEST_F(TlsTest, ExpiredCertificateIsVerificationError) {
  TcpTestServer server(loop(), tls_server(test_certificates().expired, pong));
  auto result = exchange(server, target("127.0.0.1", server.port()), 9);
  auto error = error_as<TlsVerificationError>(result.connect_error);
  ASSERT_TRUE(error) << describe(result.connect_error);
  EXPECT_NE(error->reason().find("expired"), std::string::npos) << error->reason();
}

TEST_F(TlsTest, SelfSignedCertificateIsUntrusted) {
  TcpTestServer server(loop(), tls_server(test_certificates().self_signed, pong));
  auto result = exchange(server, target("127.0.0.1", server.port()), 9);
  auto error = error_as<TlsVerificationError>(result.connect_error);
  ASSERT_TRUE(error) << describe(result.connect_error);
  EXPECT_NE(error->reason().find("trusted CA"), std::string::npos) << error->reason();
}

TEST_F(TlsTest, SystemBundleDoesNotTrustTheTestCa) {
  TcpTestServer server(loop(), tls_server(test_certificates().valid, pong));
  auto t = target("127.0.0.1", server.port());
  t.ca_file.clear();  // the system bundle
  auto result = exchange(server, t, 9);
  EXPECT_TRUE(error_as<TlsVerificationError>(result.connect_error))
      << describe(result.connect_error);
}

TEST_F(TlsTest, VerifyFalseAcceptsSelfSigned) {
  TcpTestServer server(loop(), tls_server(test_certificates().self_signed, pong));
  auto t = target("127.0.0.1", server.port());
  t.verify = false;
  t.ca_file.clear();
  auto result = exchange(server, t, 9);
  EXPECT_TRUE(result.connected) << describe(result.connect_error);
  EXPECT_EQ(result.received, "pong:ping");
}

TEST_F(TlsTest, CloseNotifyIsACleanEnd) {
  TcpTestServer server(loop(), tls_server(test_certificates().valid, pong, true));
  auto result = exchange(server, target("127.0.0.1", server.port()), 1000);
  EXPECT_EQ(result.received, "pong:ping");
  EXPECT_TRUE(result.ended);
  EXPECT_FALSE(result.end_error) << describe(result.end_error);
}

TEST_F(TlsTest, SilentServerTimesOutInTheHandshake) {
  TcpTestServer server(loop(), [](std::string_view) { return std::string(); });
  auto t = target("127.0.0.1", server.port());
  t.tls_timeout = 200ms;
  auto result = exchange(server, t, 9);
  auto error = error_as<RequestTimeoutException>(result.connect_error);
  ASSERT_TRUE(error) << describe(result.connect_error);
  EXPECT_EQ(error->phase(), TimeoutPhase::tls_handshake);
  EXPECT_DOUBLE_EQ(error->timeout_seconds(), 0.2);
  EXPECT_EQ(error->url(), t.url);
}

TEST_F(TlsTest, PeerCloseDuringHandshakeIsHandshakeError) {
  TcpTestServer server(loop(), TcpTestServer::HandlerFactory([] {
                         return [](std::string_view) { return TcpTestServer::Reply{"", true}; };
                       }));
  auto result = exchange(server, target("127.0.0.1", server.port()), 9);
  auto error = error_as<TlsHandshakeError>(result.connect_error);
  ASSERT_TRUE(error) << describe(result.connect_error);
  EXPECT_NE(error->reason().find("handshake"), std::string::npos) << error->reason();
}

TEST_F(TlsTest, PlainHttpServerIsHandshakeError) {
  TcpTestServer server(loop(), TcpTestServer::HandlerFactory([] {
                         return [](std::string_view) {
                           return TcpTestServer::Reply{
                               "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", false};
                         };
                       }));
  auto result = exchange(server, target("127.0.0.1", server.port()), 9);
  EXPECT_TRUE(error_as<TlsHandshakeError>(result.connect_error)) << describe(result.connect_error);
}

TEST_F(TlsTest, StopReadingHoldsPlaintextBackUntilResumed) {
  const std::string big(300 * 1024, 'y');
  TcpTestServer server(
      loop(), tls_server(test_certificates().valid, [&](std::string_view) { return big; }));
  std::unique_ptr<Stream> stream;
  size_t received = 0;
  size_t received_while_paused = 0;
  bool paused = false;
  bool resumed = false;
  Timer resume(loop());
  std::function<void(std::string_view)> on_data = [&](std::string_view bytes) {
    if (paused) received_while_paused += bytes.size();
    received += bytes.size();
    if (received == big.size()) {
      stream->close();
      server.close();
      return;
    }
    if (!resumed && !paused && received >= 16 * 1024) {
      paused = true;
      stream->stop_reading();
      resume.start(100, [&] {
        paused = false;
        resumed = true;
        stream->start_reading(on_data, [](std::exception_ptr) {});
      });
    }
  };
  connect(loop(), *resolver_, tls_, target("127.0.0.1", server.port()),
          [&](std::unique_ptr<Stream> s, std::exception_ptr e) {
            ASSERT_FALSE(e) << describe(e);
            stream = std::move(s);
            stream->start_reading(on_data, [](std::exception_ptr) {});
            stream->write("go", [](std::exception_ptr) {});
          });
  run(10s);
  EXPECT_TRUE(resumed);
  EXPECT_EQ(received, big.size());
  EXPECT_EQ(received_while_paused, 0u);
}

TEST_F(TlsTest, CancelDuringHandshake) {
  TcpTestServer server(loop(), [](std::string_view) { return std::string(); });
  std::exception_ptr error;
  bool called = false;
  auto cancel = connect(loop(), *resolver_, tls_, target("127.0.0.1", server.port()),
                        [&](std::unique_ptr<Stream> s, std::exception_ptr e) {
                          called = true;
                          error = e;
                          EXPECT_FALSE(s);
                        });
  Timer later(loop());
  later.start(50, [&] {
    cancel();
    server.close();
  });
  run(5s);
  EXPECT_TRUE(called);
  EXPECT_TRUE(error_as<CancelledError>(error)) << describe(error);
}

TEST(TlsConfigCacheTest, SharesOneConfigPerSettings) {
  TlsConfigCache cache;
  const auto& ca = test_certificates().ca.cert_file;
  auto a = cache.get(true, ca, "https://a/");
  auto b = cache.get(true, ca, "https://b/");
  auto c = cache.get(false, "", "https://c/");
  auto d = cache.get(false, ca, "https://d/");  // verification off: the CA file is irrelevant
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(c, d);
  EXPECT_EQ(cache.size(), 2u);
  auto system = cache.get(true, "", "https://e/");
  EXPECT_NE(system, a);
}

TEST(TlsConfigCacheTest, MissingCaFileIsVerificationError) {
  TlsConfigCache cache;
  try {
    cache.get(true, "/nonexistent/ca.pem", "https://x/");
    FAIL() << "expected TlsVerificationError";
  } catch (const TlsVerificationError& e) {
    EXPECT_EQ(e.url(), "https://x/");
    EXPECT_NE(e.reason().find("/nonexistent/ca.pem"), std::string::npos);
  }
}

TEST(TestCertificatesTest, FilesMatchMemory) {
  const auto& certs = test_certificates();
  for (const auto* cert :
       {&certs.ca, &certs.valid, &certs.wrong_host, &certs.expired, &certs.self_signed}) {
    EXPECT_EQ(cert->cert_pem.rfind("-----BEGIN CERTIFICATE-----", 0), 0u);
    EXPECT_NE(cert->key_pem.find("PRIVATE KEY"), std::string::npos);
    std::ifstream file(cert->cert_file);
    std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    EXPECT_EQ(text, cert->cert_pem);
  }
}

}  // namespace
}  // namespace uvscrape::net::testing
