// The client against nginx, a server no one here wrote: static files, gzip,
// chunked responses, keepalive_requests 3, TLS with a test-CA certificate.
#include "client_fixture.hpp"
#include "nginx_fixture.hpp"
#include "tls/test_certificates.hpp"

namespace uvscrape::http::test {
namespace {

using uvscrape::testing::NginxFixture;
using uvscrape::testing::NginxOptions;
using uvscrape::testing::NginxTlsFiles;
using uvscrape::testing::test_certificates;

std::string file_body(size_t n, unsigned seed) {
  std::string s(n, '\0');
  uint32_t x = seed;
  for (auto& c : s) {
    x = x * 1664525u + 1013904223u;
    c = static_cast<char>('a' + (x >> 27));  // text, so gzip applies
  }
  return s;
}

class NginxTest : public ClientTest {
 protected:
  std::vector<Result> fetch_many(const std::vector<std::string>& urls,
                                 std::chrono::milliseconds deadline = 20s,
                                 ClientOptions options = {}) {
    Client& c = client(std::move(options));
    std::vector<Result> results(urls.size());
    size_t done = 0;
    for (size_t i = 0; i < urls.size(); ++i) {
      HttpRequest r;
      r.url = urls[i];
      r.options.ca_file = test_certificates().ca.cert_file;
      c.fetch(std::move(r), [&results, &done, i](Result res) {
        results[i] = std::move(res);
        ++done;
      });
    }
    run_for(deadline, [&] { return done == urls.size(); });
    return results;
  }
};

TEST_F(NginxTest, StaticFilesByteExactWithContentLength) {
  NginxFixture nginx;
  const std::string small = "hello nginx\n", big = file_body(3 * 1024 * 1024 + 17, 1);
  nginx.write_file("small.txt", small);
  nginx.write_file("dir/big.bin", big);
  nginx.write_file("empty.txt", "");
  nginx.start();
  HttpRequest r;
  r.url = nginx.url("/dir/big.bin");
  const HttpResponse b = ok(fetch(std::move(r), 10s));
  EXPECT_EQ(b.headers.get("Content-Length"), std::to_string(big.size()));
  EXPECT_TRUE(b.body == big);
  const auto results =
      fetch_many({nginx.url("/small.txt"), nginx.url("/empty.txt"), nginx.url("/missing")});
  EXPECT_EQ(ok(results[0]).body, small);
  EXPECT_EQ(ok(results[1]).body, "");
  EXPECT_EQ(ok(results[2]).status, 404);
}

TEST_F(NginxTest, GzipAndChunkedResponsesAreDecoded) {
  NginxOptions o;
  o.gzip = true;
  NginxFixture nginx(o);
  const std::string text = file_body(500'000, 2);
  nginx.write_file("page.txt", text);
  nginx.start();
  const auto results = fetch_many({nginx.url("/page.txt"), nginx.url("/chunked/page.txt")});
  const HttpResponse gz = ok(results[0]);
  EXPECT_EQ(gz.headers.get("Content-Encoding"), "gzip");
  EXPECT_EQ(gz.headers.get("Transfer-Encoding"), "chunked");
  EXPECT_TRUE(gz.body == text);
  const HttpResponse ch = ok(results[1]);
  EXPECT_TRUE(ch.headers.contains("Transfer-Encoding"));
  EXPECT_TRUE(ch.body == text);
  // HEAD: Content-Encoding: gzip and no body at all.
  HttpRequest head;
  head.method = "HEAD";
  head.url = nginx.url("/page.txt");
  const HttpResponse h = ok(fetch(std::move(head)));
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.headers.get("Content-Encoding"), "gzip");
  EXPECT_EQ(h.body, "");
}

TEST_F(NginxTest, KeepaliveRequestsThreeIsCopedWith) {
  NginxOptions o;
  o.keepalive_requests = 3;
  NginxFixture nginx(o);
  for (int i = 0; i < 8; ++i)
    nginx.write_file("f" + std::to_string(i) + ".txt", file_body(1000 + 997 * i, 10 + i));
  nginx.start();
  // Sequential: every third response closes the connection.
  for (int i = 0; i < 12; ++i) {
    HttpRequest r;
    r.url = nginx.url("/f" + std::to_string(i % 8) + ".txt");
    EXPECT_EQ(ok(fetch(std::move(r))).body, file_body(1000 + 997 * (i % 8), 10 + (i % 8)));
  }
  EXPECT_GE(client().stats().connections_opened, 4u);
  // Concurrent.
  std::vector<std::string> urls;
  for (int i = 0; i < 200; ++i) urls.push_back(nginx.url("/f" + std::to_string(i % 8) + ".txt"));
  const auto results = fetch_many(urls);
  for (size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(ok(results[i]).body,
              file_body(1000 + 997 * (i % 8), 10 + static_cast<unsigned>(i % 8)))
        << i;
  }
}

TEST_F(NginxTest, TlsWithATestCaCertificate) {
  const auto& certs = test_certificates();
  NginxOptions o;
  o.tls = NginxTlsFiles{certs.valid.cert_pem, certs.valid.key_pem};
  o.gzip = true;
  NginxFixture nginx(o);
  const std::string text = file_body(200'000, 3);
  nginx.write_file("s.txt", text);
  nginx.start();
  const auto results = fetch_many(
      {nginx.tls_url("/s.txt"), nginx.tls_url("/s.txt"), nginx.tls_url("/s.txt", "localhost")});
  for (const Result& r : results) EXPECT_TRUE(ok(r).body == text);
  // Without the test CA the certificate is not trusted.
  HttpRequest untrusted;
  untrusted.url = nginx.tls_url("/s.txt");
  expect_error<TlsVerificationError>(fetch(std::move(untrusted)));
}

}  // namespace
}  // namespace uvscrape::http::test
