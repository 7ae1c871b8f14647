// TLS mode of the test server and of the nginx fixture, checked with curl (an
// OpenSSL client no one here wrote): the valid certificate is accepted, the
// wrong-host, expired and self-signed ones are refused, and the fault-free
// keep-alive path works through TLS.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <memory>
#include <string>

#include "nginx_fixture.hpp"
#include "threaded_test_server.hpp"
#include "tls/test_certificates.hpp"
#include "tls/tls_server_session.hpp"

namespace uvscrape::testing {
namespace {

struct CurlResult {
  int exit_code = -1;
  std::string output;
};

// Runs curl with a 10 s limit; stderr is folded into the output.
CurlResult curl(const std::string& args) {
  const std::string command = "curl -sS --max-time 10 " + args + " 2>&1";
  CurlResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return result;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) result.output.append(buf, n);
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

TestServerOptions tls_options(const PemCertificate& certificate) {
  TestServerOptions options;
  options.tls = std::make_shared<TlsServerConfig>(certificate);
  return options;
}

TEST(TlsMode, CurlSeesTheValidCertificateAndKeepAlive) {
  ASSERT_EQ(curl("--version").exit_code, 0)
      << "curl is needed (scripts/install-deps.sh installs it)";
  const auto& certs = test_certificates();
  ThreadedTestServer server(tls_options(certs.valid));
  ServerResponse r = ServerResponse::text("secure body\n");
  r.encoding = ContentEncoding::gzip;
  r.chunked = true;
  r.chunk_size = 3;
  server->respond("GET", "/s", r);
  EXPECT_EQ(server.url("/s").rfind("https://127.0.0.1:", 0), 0u);

  const CurlResult got = curl("--compressed --cacert " + certs.ca.cert_file + " " +
                              server.url("/s") + " " + server.url("/s"));
  EXPECT_EQ(got.exit_code, 0) << got.output;
  EXPECT_EQ(got.output, "secure body\nsecure body\n");
  ASSERT_EQ(server->request_count(), 2u);
  EXPECT_TRUE(server->requests()[0].tls);
  EXPECT_EQ(server->connections_accepted(), 1u);
  server.stop();
  EXPECT_EQ(server.loop_close_result(), 0);
}

TEST(TlsMode, BadCertificatesAreRefusedAndInsecureAcceptsSelfSigned) {
  const auto& certs = test_certificates();
  for (const PemCertificate* bad : {&certs.wrong_host, &certs.expired, &certs.self_signed}) {
    ThreadedTestServer server(tls_options(*bad));
    server->respond("GET", "/", ServerResponse::text("should not be read"));
    const CurlResult got = curl("--cacert " + certs.ca.cert_file + " " + server.url("/"));
    EXPECT_NE(got.exit_code, 0) << bad->cert_file;
    EXPECT_EQ(got.output.find("should not be read"), std::string::npos);
    EXPECT_EQ(server->request_count(), 0u);
    server.stop();
    EXPECT_EQ(server.loop_close_result(), 0);
  }
  ThreadedTestServer self_signed(tls_options(certs.self_signed));
  self_signed->respond("GET", "/", ServerResponse::text("insecure ok"));
  const CurlResult got = curl("--insecure " + self_signed.url("/"));
  EXPECT_EQ(got.exit_code, 0) << got.output;
  EXPECT_EQ(got.output, "insecure ok");
}

TEST(TlsMode, FaultsStillApplyUnderTls) {
  const auto& certs = test_certificates();
  ThreadedTestServer server(tls_options(certs.valid));
  ServerResponse cut = ServerResponse::text(std::string(1000, 'c'));
  cut.disconnect = Disconnect::mid_body;
  server->respond("GET", "/cut", cut);
  const CurlResult got = curl("--cacert " + certs.ca.cert_file + " " + server.url("/cut"));
  EXPECT_NE(got.exit_code, 0) << got.output;  // curl 18: partial file
  EXPECT_NE(got.output.find(std::string(500, 'c')), std::string::npos);
}

TEST(NginxTls, ServesWithTheTestCaCertificate) {
  const auto& certs = test_certificates();
  NginxOptions options;
  options.tls = NginxTlsFiles{certs.valid.cert_pem, certs.valid.key_pem};
  NginxFixture nginx(options);
  nginx.write_file("t.txt", "tls via nginx\n");
  nginx.start();
  const CurlResult got = curl("--cacert " + certs.ca.cert_file + " " + nginx.tls_url("/t.txt"));
  EXPECT_EQ(got.exit_code, 0) << got.output;
  EXPECT_EQ(got.output, "tls via nginx\n");
  const CurlResult plain = curl(nginx.url("/t.txt"));
  EXPECT_EQ(plain.output, "tls via nginx\n");
}

}  // namespace
}  // namespace uvscrape::testing
