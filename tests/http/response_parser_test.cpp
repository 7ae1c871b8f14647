#include "http/response_parser.hpp"

#include <gtest/gtest.h>

#include "uvscrape/errors.hpp"

namespace uvscrape::http {
namespace {

struct Recorder : ResponseListener {
  int heads = 0;
  int status = 0;
  Headers headers;
  std::string body;
  void on_response_head(int s, Headers& h) override {
    ++heads;
    status = s;
    headers = std::move(h);
  }
  void on_response_body(std::string_view b) override { body.append(b); }
};

struct ParserTest : ::testing::Test {
  ResponseParser parser;
  Recorder rec;
  void reset(bool head = false, ParserLimits limits = {}) {
    rec = Recorder();
    parser.reset(&rec, "http://h/x", head, limits);
  }
  // Feeds one byte at a time when `bytewise`: framing must not depend on read boundaries.
  void feed(std::string_view bytes, bool bytewise = false) {
    if (!bytewise) return parser.feed(bytes);
    for (char c : bytes) parser.feed(std::string_view(&c, 1));
  }
};

TEST_F(ParserTest, ContentLengthBodyInOneGoAndBytewise) {
  for (bool bytewise : {false, true}) {
    reset();
    feed("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\n\r\nhello", bytewise);
    EXPECT_TRUE(parser.complete());
    EXPECT_TRUE(parser.reusable());
    EXPECT_EQ(rec.status, 200);
    EXPECT_EQ(rec.body, "hello");
    EXPECT_EQ(rec.headers.get("x-a"), "1");
  }
}

TEST_F(ParserTest, ChunkedBodyWithTrailers) {
  for (bool bytewise : {false, true}) {
    reset();
    feed(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n",
        bytewise);
    EXPECT_TRUE(parser.complete());
    EXPECT_TRUE(parser.reusable());
    EXPECT_EQ(rec.body, "hello world");
  }
}

TEST_F(ParserTest, CloseDelimitedBodyEndsAtEof) {
  reset();
  feed("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nsome ");
  feed("bytes");
  EXPECT_FALSE(parser.complete());
  parser.finish();
  EXPECT_TRUE(parser.complete());
  EXPECT_FALSE(parser.reusable());
  EXPECT_EQ(rec.body, "some bytes");
}

TEST_F(ParserTest, NoBodyForHead204And304) {
  reset(/*head=*/true);
  feed("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
  EXPECT_TRUE(parser.complete());
  EXPECT_TRUE(parser.reusable());
  EXPECT_EQ(rec.body, "");
  for (const char* status : {"204 No Content", "304 Not Modified"}) {
    reset();
    feed(std::string("HTTP/1.1 ") + status + "\r\nContent-Length: 10\r\n\r\n");
    EXPECT_TRUE(parser.complete()) << status;
    EXPECT_TRUE(parser.reusable()) << status;
  }
}

TEST_F(ParserTest, InformationalResponsesAreSkipped) {
  reset();
  feed(
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n"
      "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok");
  EXPECT_EQ(rec.heads, 1);
  EXPECT_EQ(rec.status, 201);
  EXPECT_FALSE(rec.headers.contains("Link"));
  EXPECT_EQ(rec.body, "ok");
}

TEST_F(ParserTest, InterimResponsesAreBoundedInNumber) {
  const std::string hint = "HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n";
  reset();
  std::string allowed;
  for (int i = 0; i < kMaxInterimResponses; ++i) allowed += hint;
  feed(allowed + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  EXPECT_TRUE(parser.complete());
  EXPECT_EQ(rec.body, "ok");
  for (bool bytewise : {false, true}) {
    reset();
    try {
      feed(allowed + hint, bytewise);
      ADD_FAILURE() << "no error after " << kMaxInterimResponses + 1 << " interim responses";
    } catch (const LimitExceededError& e) {
      EXPECT_NE(std::string(e.what()).find("interim (1xx) responses"), std::string::npos)
          << e.what();
      EXPECT_NE(std::string(e.what()).find("http://h/x"), std::string::npos) << e.what();
    }
    EXPECT_EQ(rec.heads, 0);
  }
}

TEST_F(ParserTest, InterimResponsesCountAgainstTheHeaderLimit) {
  ParserLimits limits;
  limits.max_header_bytes = 1000;
  reset(false, limits);
  const std::string hint =
      "HTTP/1.1 103 Early Hints\r\nLink: <" + std::string(300, 'a') + ">\r\n\r\n";
  // Each is well under the limit; together they are not.
  EXPECT_THROW(feed(hint + hint + hint + hint), LimitExceededError);
  EXPECT_EQ(rec.heads, 0);
}

TEST_F(ParserTest, RepeatedHeadersKeptInOrder) {
  reset();
  feed("HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\nContent-Length: 0\r\n\r\n");
  auto all = rec.headers.get_all("Set-Cookie");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0], "a=1");
  EXPECT_EQ(all[1], "b=2");
}

TEST_F(ParserTest, ConnectionCloseAndHttp10AreNotReusable) {
  reset();
  feed("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  EXPECT_TRUE(parser.complete());
  EXPECT_FALSE(parser.reusable());
  reset();
  feed("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n");
  EXPECT_TRUE(parser.complete());
  EXPECT_FALSE(parser.reusable());
}

TEST_F(ParserTest, StrayBytesAfterTheResponseMakeItUnreusable) {
  reset();
  feed("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naEXTRA");
  EXPECT_TRUE(parser.complete());
  EXPECT_EQ(rec.body, "a");
  EXPECT_FALSE(parser.reusable());
}

TEST_F(ParserTest, ParserIsReusableAcrossResponses) {
  reset();
  feed("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na");
  reset();
  feed("HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno");
  EXPECT_EQ(rec.status, 404);
  EXPECT_EQ(rec.body, "no");
}

TEST_F(ParserTest, HeaderLimit) {
  reset(false, ParserLimits{1024, 1 << 20});
  std::string big = "HTTP/1.1 200 OK\r\nX-Pad: " + std::string(2000, 'p') + "\r\n\r\n";
  EXPECT_THROW(feed(big), LimitExceededError);
  // Many small headers count too, arriving byte by byte.
  reset(false, ParserLimits{1024, 1 << 20});
  std::string many = "HTTP/1.1 200 OK\r\n";
  for (int i = 0; i < 200; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
  EXPECT_THROW(feed(many, true), LimitExceededError);
}

TEST_F(ParserTest, BodyLimitByContentLengthAndByCount) {
  reset(false, ParserLimits{64 * 1024, 10});
  EXPECT_THROW(feed("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n"), LimitExceededError);
  reset(false, ParserLimits{64 * 1024, 10});
  feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n");
  EXPECT_THROW(feed("8\r\n12345678\r\n"), LimitExceededError);
  reset(false, ParserLimits{64 * 1024, 10});
  feed("HTTP/1.1 200 OK\r\n\r\n1234567890");
  EXPECT_THROW(feed("1"), LimitExceededError);
}

TEST_F(ParserTest, MalformedInputIsProtocolErrorNamingUrlAndReason) {
  reset();
  try {
    feed("HTTP/1.1 OOPS not-a-status\r\n\r\n");
    FAIL() << "no error";
  } catch (const ProtocolError& e) {
    EXPECT_EQ(e.url(), "http://h/x");
    EXPECT_NE(std::string(e.what()).find("http://h/x"), std::string::npos);
    EXPECT_FALSE(e.reason().empty());
  }
  reset();
  EXPECT_THROW(feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n"), ProtocolError);
  reset();
  EXPECT_THROW(feed("garbage\r\n\r\n"), ProtocolError);
  reset();
  EXPECT_THROW(feed("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"),
               ProtocolError);
}

TEST_F(ParserTest, EofBeforeCompletionIsConnectionError) {
  reset();
  EXPECT_THROW(parser.finish(), ConnectionError);  // nothing at all
  reset();
  feed("HTTP/1.1 200 OK\r\nContent-Le");
  EXPECT_THROW(parser.finish(), ConnectionError);  // mid-headers
  reset();
  feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
  EXPECT_THROW(parser.finish(), ConnectionError);  // mid-body
  reset();
  feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n");
  EXPECT_THROW(parser.finish(), ConnectionError);  // chunked, no last chunk
}

TEST_F(ParserTest, ListenerExceptionsComeOutOfFeed) {
  struct Throwing : ResponseListener {
    void on_response_head(int, Headers&) override { throw CancelledError("u", "no"); }
    void on_response_body(std::string_view) override {}
  } throwing;
  parser.reset(&throwing, "http://h/x", false, {});
  EXPECT_THROW(parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), CancelledError);
}

}  // namespace
}  // namespace uvscrape::http
