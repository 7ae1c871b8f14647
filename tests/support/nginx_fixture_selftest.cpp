// The nginx fixture from the wire: static files with Content-Length, chunked
// through /chunked/, gzip, and keepalive_requests closing the connection.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "nginx_fixture.hpp"
#include "raw_client.hpp"

namespace uvscrape::testing {
namespace {

using namespace std::chrono_literals;

std::string get(std::string_view path, std::string_view extra = "") {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: localhost\r\n" + std::string(extra) +
         "\r\n";
}

TEST(NginxFixture, ServesFilesChunkedGzipAndHonoursKeepaliveRequests) {
  NginxOptions options;
  options.gzip = true;
  options.keepalive_requests = 2;
  NginxFixture nginx(options);
  nginx.write_file("a.txt", "hello nginx\n");
  nginx.write_file("dir/page.html", "<html><body>" + std::string(5000, 'x') + "</body></html>");
  nginx.start();
  ASSERT_TRUE(nginx.running());
  EXPECT_EQ(nginx.url("/a.txt"), "http://127.0.0.1:" + std::to_string(nginx.port()) + "/a.txt");

  RawClient c(nginx.port());
  c.send(get("/a.txt") + get("/chunked/a.txt") + get("/a.txt"));
  EXPECT_EQ(c.read(5s), RawClient::End::eof);  // closed after keepalive_requests = 2
  const std::string& r = c.received();
  EXPECT_EQ(r.find("HTTP/1.1 200 OK\r\n"), 0u);
  const size_t second = r.find("HTTP/1.1 200 OK\r\n", 1);
  ASSERT_NE(second, std::string::npos);
  EXPECT_NE(r.substr(0, second).find("Content-Length: 12\r\n"), std::string::npos);
  EXPECT_NE(r.find("Transfer-Encoding: chunked\r\n", second), std::string::npos);
  EXPECT_NE(r.find("Connection: close\r\n", second), std::string::npos);
  EXPECT_NE(r.find("\r\nc\r\nhello nginx\n\r\n0\r\n\r\n", second), std::string::npos);
  EXPECT_EQ(r.find("HTTP/1.1", second + 1), std::string::npos);

  RawClient g(nginx.port());
  g.send(get("/dir/page.html", "Accept-Encoding: gzip\r\nConnection: close\r\n"));
  EXPECT_EQ(g.read(5s), RawClient::End::eof);
  EXPECT_NE(g.received().find("Content-Encoding: gzip\r\n"), std::string::npos);
  EXPECT_NE(g.received().find("Transfer-Encoding: chunked\r\n"), std::string::npos);

  const uint16_t port = nginx.port();
  nginx.stop();
  EXPECT_FALSE(nginx.running());
  EXPECT_THROW(RawClient{port}, std::runtime_error);
}

TEST(NginxFixture, MissingBinaryFailsLoudly) {
  NginxOptions options;
  options.binary = "/nonexistent/nginx";
  try {
    NginxFixture nginx(options);
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("install the Debian package `nginx`"), std::string::npos);
  }
}

}  // namespace
}  // namespace uvscrape::testing
