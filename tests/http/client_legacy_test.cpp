// Servers that bend the rules, against the in-process test server: llhttp's
// lenient flags (duplicate chunked, Transfer-Encoding with Content-Length,
// control characters and LF-only lines) and TLS settings (versions, cipher
// suites, mutual TLS with the test CA). Each refusal names the option that
// would accept it; with the option set the same server is read.
#include "client_fixture.hpp"
#include "tls/test_certificates.hpp"
#include "tls/tls_server_session.hpp"

namespace uvscrape::http::test {
namespace {

using uvscrape::testing::test_certificates;
using uvscrape::testing::TlsServerConfig;
using uvscrape::testing::TlsServerOptions;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

ServerResponse raw(std::string bytes) {
  ServerResponse r;
  r.raw = std::move(bytes);
  r.close_connection = true;
  return r;
}

class LegacyFixture : public ClientTest {
 public:
  Result fetch_with(ClientOptions options, HttpRequest request) {
    Client c(loop(), std::move(options));
    std::optional<Result> out;
    c.fetch(std::move(request), [&](Result r) { out = std::move(r); });
    run_for(10s, [&] { return out.has_value(); });
    bool closed = false;
    c.close([&] { closed = true; });
    run_for(5s, [&] { return closed; });
    return out ? std::move(*out) : Result{};
  }
  HttpRequest to(const std::string& url) {
    HttpRequest r;
    r.url = url;
    r.options.ca_file = test_certificates().ca.cert_file;
    return r;
  }
};

TEST_F(LegacyFixture, ChunkedTwiceNeedsLenientTransferEncoding) {
  for (const std::string& framing :
       {std::string("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"),
        std::string("Transfer-Encoding: chunked, chunked\r\n")}) {
    server().respond("GET", "/twice",
                     raw("HTTP/1.1 200 OK\r\n" + framing + "\r\n5\r\nhello\r\n0\r\n\r\n"));
    const std::string message =
        expect_error<ProtocolError>(fetch_with({}, to(server().url("/twice"))));
    EXPECT_TRUE(contains(message, "set DriverOptions::lenient_transfer_encoding to accept this"))
        << message;
    ClientOptions o;
    o.lenient.transfer_encoding = true;
    EXPECT_EQ(ok(fetch_with(o, to(server().url("/twice")))).body, "hello");
  }
}

TEST_F(LegacyFixture, ContentLengthBesideChunkedNeedsLenientChunkedLength) {
  server().respond("GET", "/both",
                   raw("HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "5\r\nhello\r\n0\r\n\r\n"));
  const std::string message =
      expect_error<ProtocolError>(fetch_with({}, to(server().url("/both"))));
  EXPECT_TRUE(contains(message, "set DriverOptions::lenient_chunked_length to accept this"))
      << message;
  ClientOptions o;
  o.lenient.chunked_length = true;
  EXPECT_EQ(ok(fetch_with(o, to(server().url("/both")))).body, "hello");
}

TEST_F(LegacyFixture, LfOnlyLinesAndControlCharactersNeedLenientHeaders) {
  server().respond("GET", "/lf", raw("HTTP/1.1 200 OK\nContent-Length: 5\nX-Old: yes\n\nhello"));
  server().respond("GET", "/ctl",
                   raw("HTTP/1.1 200 OK\r\nX-Odd: a\x01z\r\nContent-Length: 5\r\n\r\nhello"));
  for (const char* path : {"/lf", "/ctl"}) {
    const std::string message = expect_error<ProtocolError>(fetch_with({}, to(server().url(path))));
    EXPECT_TRUE(contains(message, "set DriverOptions::lenient_headers to accept this")) << message;
  }
  ClientOptions o;
  o.lenient.headers = true;
  const HttpResponse lf = ok(fetch_with(o, to(server().url("/lf"))));
  EXPECT_EQ(lf.body, "hello");
  EXPECT_EQ(lf.headers.get("X-Old"), "yes");
  EXPECT_EQ(ok(fetch_with(o, to(server().url("/ctl")))).body, "hello");
}

// --- TLS settings -------------------------------------------------------------------

constexpr const char* kLegacyCipher = "TLS-ECDHE-ECDSA-WITH-AES-128-CBC-SHA";

TEST_F(LegacyFixture, Tls12OnlyServerWithOneCipher) {
  TlsServerOptions strict;
  strict.min_minor = 3;  // TLS 1.2 only
  strict.max_minor = 3;
  strict.ciphers = {"TLS-ECDHE-ECDSA-WITH-AES-128-CBC-SHA256"};
  TestServerOptions so;
  so.tls = std::make_shared<TlsServerConfig>(test_certificates().valid, strict);
  so.url_host = "localhost";
  TestServer tls12(loop(), so);
  tls12.respond("GET", "/", ServerResponse::text("tls 1.2"));

  ClientOptions matching;
  matching.tls.max_version = "1.2";
  matching.tls.ciphers = {"TLS-ECDHE-ECDSA-WITH-AES-128-CBC-SHA256"};
  EXPECT_EQ(ok(fetch_with(matching, to(tls12.url("/")))).body, "tls 1.2");

  // A client that stops at TLS 1.1 cannot meet it.
  ClientOptions old;
  old.tls.min_version = "1.0";
  old.tls.max_version = "1.1";
  std::string message = expect_error<TlsHandshakeError>(fetch_with(old, to(tls12.url("/"))));
  EXPECT_TRUE(contains(message, "tls_min_version, tls_max_version or tls_ciphers")) << message;

  // Nor one whose cipher list does not include the server's one.
  ClientOptions other_cipher;
  other_cipher.tls.ciphers = {"TLS-ECDHE-ECDSA-WITH-AES-256-GCM-SHA384"};
  message = expect_error<TlsHandshakeError>(fetch_with(other_cipher, to(tls12.url("/"))));
  EXPECT_TRUE(contains(message, "tls_ciphers")) << message;
  EXPECT_EQ(tls12.requests().size(), 1u);
  tls12.close();
}

TEST_F(LegacyFixture, Tls10ServerNeedsTlsMinVersion) {
  TlsServerOptions legacy;
  legacy.min_minor = 1;  // TLS 1.0 only, as old county servers speak
  legacy.max_minor = 1;
  legacy.ciphers = {kLegacyCipher};
  TestServerOptions so;
  so.tls = std::make_shared<TlsServerConfig>(test_certificates().valid, legacy);
  so.url_host = "localhost";
  TestServer tls10(loop(), so);
  tls10.respond("GET", "/", ServerResponse::text("tls 1.0"));

  const std::string message = expect_error<TlsHandshakeError>(fetch_with({}, to(tls10.url("/"))));
  EXPECT_TRUE(contains(message, "DriverOptions::tls_min_version")) << message;
  ClientOptions o;
  o.tls.min_version = "1.0";
  EXPECT_EQ(ok(fetch_with(o, to(tls10.url("/")))).body, "tls 1.0");
  tls10.close();
}

TEST_F(LegacyFixture, MutualTlsWithTheTestCa) {
  TlsServerOptions mutual;
  mutual.client_ca_file = test_certificates().ca.cert_file;
  TestServerOptions so;
  so.tls = std::make_shared<TlsServerConfig>(test_certificates().valid, mutual);
  so.url_host = "localhost";
  TestServer strict(loop(), so);
  strict.respond("GET", "/", ServerResponse::text("you are known"));

  // No client certificate: refused, and the message names the options.
  std::string message = expect_error<TlsHandshakeError>(fetch_with({}, to(strict.url("/"))));
  EXPECT_TRUE(contains(message, "tls_client_cert_file")) << message;
  // A certificate the server's CA did not sign: refused too.
  ClientOptions stranger;
  stranger.tls.client_cert_file = test_certificates().self_signed.cert_file;
  stranger.tls.client_key_file = test_certificates().self_signed.key_file;
  expect_error<TlsHandshakeError>(fetch_with(stranger, to(strict.url("/"))));
  // One it did: in.
  ClientOptions known;
  known.tls.client_cert_file = test_certificates().valid.cert_file;
  known.tls.client_key_file = test_certificates().valid.key_file;
  EXPECT_EQ(ok(fetch_with(known, to(strict.url("/")))).body, "you are known");
  EXPECT_EQ(strict.requests().size(), 1u);
  strict.close();
}

TEST_F(LegacyFixture, SettingsThatCannotApplyAreConfigErrors) {
  TestServerOptions so;
  so.tls = std::make_shared<TlsServerConfig>(test_certificates().valid);
  so.url_host = "localhost";
  TestServer secure(loop(), so);
  ClientOptions bad_cipher;
  bad_cipher.tls.ciphers = {"TLS-NO-SUCH-CIPHER"};
  std::string message =
      expect_error<ScraperConfigError>(fetch_with(bad_cipher, to(secure.url("/"))));
  EXPECT_TRUE(contains(message, "TLS-NO-SUCH-CIPHER")) << message;
  ClientOptions bad_version;
  bad_version.tls.min_version = "1.3";
  message = expect_error<ScraperConfigError>(fetch_with(bad_version, to(secure.url("/"))));
  EXPECT_TRUE(contains(message, "tls_min_version")) << message;
  ClientOptions missing_key;
  missing_key.tls.client_cert_file = test_certificates().valid.cert_file;
  missing_key.tls.client_key_file = "/nonexistent/key.pem";
  message = expect_error<ScraperConfigError>(fetch_with(missing_key, to(secure.url("/"))));
  EXPECT_TRUE(contains(message, "/nonexistent/key.pem")) << message;
  EXPECT_EQ(secure.requests().size(), 0u);
  secure.close();
}

}  // namespace
}  // namespace uvscrape::http::test
