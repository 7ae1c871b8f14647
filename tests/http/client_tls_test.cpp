// The client over TLS against the test server's TLS mode: certificates
// accepted and refused, verify=false, https->http downgrade on redirect.
#include "client_fixture.hpp"
#include "tls/test_certificates.hpp"
#include "tls/tls_server_session.hpp"

namespace uvscrape::http::test {
namespace {

using uvscrape::testing::PemCertificate;
using uvscrape::testing::test_certificates;
using uvscrape::testing::TlsServerConfig;

class TlsClientTest : public ClientTest {
 protected:
  std::unique_ptr<TestServer> tls_server(const PemCertificate& certificate) {
    TestServerOptions o;
    o.tls = std::make_shared<TlsServerConfig>(certificate);
    auto s = std::make_unique<TestServer>(loop(), o);
    s->respond("GET", "/secure", ServerResponse::text("secret"));
    return s;
  }
  void close_server(std::unique_ptr<TestServer>& s) {
    s->close();
    run_for(
        3s, [&] { return s->open_connections() == 0; }, false);
  }
  HttpRequest request_to(const TestServer& s, const std::string& path, bool use_test_ca = true) {
    HttpRequest r;
    r.url = s.url(path);
    if (use_test_ca) r.options.ca_file = test_certificates().ca.cert_file;
    return r;
  }
};

TEST_F(TlsClientTest, ValidCertificateIsAcceptedAndTheConnectionKeptAlive) {
  auto s = tls_server(test_certificates().valid);
  ASSERT_EQ(s->url("/").rfind("https://", 0), 0u);
  EXPECT_EQ(ok(fetch(request_to(*s, "/secure"))).body, "secret");
  EXPECT_EQ(ok(fetch(request_to(*s, "/secure"))).body, "secret");
  EXPECT_EQ(s->connections_accepted(), 1u);
  EXPECT_TRUE(s->requests().at(0).tls);
  close_server(s);
}

TEST_F(TlsClientTest, ClientWideCaFileIsUsed) {
  auto s = tls_server(test_certificates().valid);
  ClientOptions o;
  o.ca_file = test_certificates().ca.cert_file;
  EXPECT_EQ(ok(fetch(request_to(*s, "/secure", false), 5s, o)).body, "secret");
  close_server(s);
}

TEST_F(TlsClientTest, WrongHostExpiredAndUntrustedAreVerificationErrors) {
  const auto& certs = test_certificates();
  for (const PemCertificate* bad : {&certs.wrong_host, &certs.expired, &certs.self_signed}) {
    auto s = tls_server(*bad);
    expect_error<TlsVerificationError>(fetch(request_to(*s, "/secure")));
    EXPECT_EQ(s->request_count(), 0u);
    close_server(s);
  }
}

TEST_F(TlsClientTest, SystemBundleDoesNotTrustTheTestCa) {
  auto s = tls_server(test_certificates().valid);
  expect_error<TlsVerificationError>(fetch(request_to(*s, "/secure", false)));
  close_server(s);
}

TEST_F(TlsClientTest, VerifyFalseAcceptsSelfSigned) {
  auto s = tls_server(test_certificates().self_signed);
  HttpRequest r = request_to(*s, "/secure", false);
  r.options.verify_tls = false;
  EXPECT_EQ(ok(fetch(std::move(r))).body, "secret");
  close_server(s);
}

TEST_F(TlsClientTest, HttpsToHttpRedirectIsRefusedUnlessAllowed) {
  auto s = tls_server(test_certificates().valid);
  server().respond("GET", "/plain", ServerResponse::text("plain"));
  s->respond("GET", "/down", ServerResponse::redirect(server().url("/plain"), 302));
  expect_error<RedirectRefusedError>(fetch(request_to(*s, "/down")));
  EXPECT_EQ(server().request_count(), 0u);
  HttpRequest allowed = request_to(*s, "/down");
  allowed.options.allow_https_downgrade = true;
  const HttpResponse r = ok(fetch(std::move(allowed)));
  EXPECT_EQ(r.body, "plain");
  EXPECT_EQ(r.redirect_chain, std::vector<std::string>{s->url("/down")});
  close_server(s);
}

TEST_F(TlsClientTest, HttpToHttpsRedirectIsFine) {
  auto s = tls_server(test_certificates().valid);
  server().respond("GET", "/up", ServerResponse::redirect(s->url("/secure"), 301));
  HttpRequest r;
  r.url = server().url("/up");
  r.options.ca_file = test_certificates().ca.cert_file;
  EXPECT_EQ(ok(fetch(std::move(r))).body, "secret");
  close_server(s);
}

TEST_F(TlsClientTest, FaultsOverTlsKeepTheirTypes) {
  auto s = tls_server(test_certificates().valid);
  ServerResponse cut = ServerResponse::text(std::string(50'000, 'c'));
  cut.disconnect = Disconnect::mid_body;
  s->respond("GET", "/cut", cut);
  ServerResponse bad = ServerResponse::text("x");
  bad.invalid_status_line = true;
  s->respond("GET", "/bad", bad);
  ServerResponse big = ServerResponse::text(std::string(300'000, 'g'));
  big.encoding = ContentEncoding::br;
  big.chunked = true;
  big.chunk_size = 4096;
  s->respond("GET", "/big", big);
  expect_error<ConnectionError>(fetch(request_to(*s, "/cut")));
  expect_error<ProtocolError>(fetch(request_to(*s, "/bad")));
  EXPECT_EQ(ok(fetch(request_to(*s, "/big"))).body.size(), 300'000u);
  close_server(s);
}

// A body that ends with the connection is only whole when TLS says so: a bare
// TCP close without close_notify may be an attacker's or a proxy's cut.
TEST_F(TlsClientTest, CloseDelimitedBodyEndsOnlyWithCloseNotify) {
  auto s = tls_server(test_certificates().valid);
  ServerResponse whole = ServerResponse::text(std::string(30'000, 'w'));
  whole.close_delimited = true;
  s->respond("GET", "/whole", whole);
  ServerResponse cut = whole;
  cut.skip_close_notify = true;
  s->respond("GET", "/cut", cut);
  ServerResponse framed = ServerResponse::text("framed");  // Content-Length
  framed.close_connection = true;
  framed.skip_close_notify = true;
  s->respond("GET", "/framed", framed);

  EXPECT_EQ(ok(fetch(request_to(*s, "/whole"))).body.size(), 30'000u);
  const std::string what = expect_error<ConnectionError>(fetch(request_to(*s, "/cut")));
  EXPECT_NE(what.find("close_notify"), std::string::npos) << what;
  EXPECT_NE(what.find(s->url("/cut")), std::string::npos) << what;
  // A response whose framing says it is whole is whole, however the peer closes.
  EXPECT_EQ(ok(fetch(request_to(*s, "/framed"))).body, "framed");
  close_server(s);
}

TEST_F(TlsClientTest, PlainHttpServerBehindAnHttpsUrlIsAHandshakeError) {
  // The plain server answers the ClientHello with an HTTP 400 (or a close).
  std::string url = server().url("/");
  url.replace(0, 4, "https");
  HttpRequest r;
  r.url = url;
  expect_error<TlsHandshakeError>(fetch(std::move(r)));
}

TEST_F(TlsClientTest, SilentPeerHitsTheTlsHandshakeTimeout) {
  // Accepts connections and never says a word.
  struct Silent {
    uv_tcp_t listener{};
    std::vector<uv_tcp_t*> accepted;
  } silent;
  uv_tcp_init(loop(), &silent.listener);
  silent.listener.data = &silent;
  sockaddr_in addr{};
  uv_ip4_addr("127.0.0.1", 0, &addr);
  ASSERT_EQ(uv_tcp_bind(&silent.listener, reinterpret_cast<const sockaddr*>(&addr), 0), 0);
  ASSERT_EQ(uv_listen(reinterpret_cast<uv_stream_t*>(&silent.listener), 8,
                      [](uv_stream_t* l, int) {
                        auto* s = static_cast<Silent*>(l->data);
                        auto* c = new uv_tcp_t{};
                        uv_tcp_init(l->loop, c);
                        uv_accept(l, reinterpret_cast<uv_stream_t*>(c));
                        s->accepted.push_back(c);
                      }),
            0);
  sockaddr_storage bound{};
  int len = sizeof bound;
  uv_tcp_getsockname(&silent.listener, reinterpret_cast<sockaddr*>(&bound), &len);
  const int port = ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  ClientOptions o;
  o.tls_timeout = 150ms;
  HttpRequest r;
  r.url = "https://127.0.0.1:" + std::to_string(port) + "/";
  const Result res = fetch(std::move(r), 5s, o);
  expect_error<RequestTimeoutException>(res);
  try {
    std::rethrow_exception(res.error);
  } catch (const RequestTimeoutException& e) {
    EXPECT_EQ(e.phase(), TimeoutPhase::tls_handshake);
  }
  for (uv_tcp_t* c : silent.accepted) {
    uv_close(reinterpret_cast<uv_handle_t*>(c),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); });
  }
  bool listener_closed = false;
  silent.listener.data = &listener_closed;
  uv_close(reinterpret_cast<uv_handle_t*>(&silent.listener),
           [](uv_handle_t* h) { *static_cast<bool*>(h->data) = true; });
  run_for(1s, [&] { return listener_closed; });
}

}  // namespace
}  // namespace uvscrape::http::test
