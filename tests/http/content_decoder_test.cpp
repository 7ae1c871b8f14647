#include "http/content_decoder.hpp"

#include <gtest/gtest.h>

#include <random>

#include "content_encoder.hpp"
#include "uvscrape/errors.hpp"

namespace uvscrape::http {
namespace {

using testing_support = uvscrape::testing::ContentEncoding;

std::string sample_text(size_t n) {
  std::string s;
  std::mt19937 rng(42);
  const std::string words[] = {"court ", "beetle ", "docket ", "appeal ", "\xC3\xA9t\xC3\xA9 "};
  while (s.size() < n) s += words[rng() % 5];
  s.resize(n);
  return s;
}

std::string decode_all(std::string_view encoding, std::string_view encoded, size_t piece,
                       size_t limit = 1 << 30) {
  ContentDecoder decoder(encoding, "http://h/z", limit);
  std::string out;
  for (size_t i = 0; i < encoded.size(); i += piece) decoder.decode(encoded.substr(i, piece), out);
  decoder.finish();
  return out;
}

struct Case {
  testing_support encoding;
  const char* token;
};

TEST(ContentDecoder, RoundTripsEveryCodingInAnyPieceSize) {
  const std::string body = sample_text(300'000);
  for (Case c : {Case{testing_support::gzip, "gzip"}, Case{testing_support::deflate, "deflate"},
                 Case{testing_support::deflate_raw, "deflate"}, Case{testing_support::br, "br"}}) {
    const std::string encoded = uvscrape::testing::encode_body(body, c.encoding);
    ASSERT_LT(encoded.size(), body.size());
    for (size_t piece : {size_t(1), size_t(7), size_t(4096), encoded.size()}) {
      if (piece == 1 && encoded.size() > 20000) continue;  // keep it quick
      EXPECT_EQ(decode_all(c.token, encoded, piece), body) << c.token << " piece " << piece;
    }
  }
}

TEST(ContentDecoder, SmallPiecesForEveryCoding) {
  const std::string body = sample_text(5000);
  for (Case c : {Case{testing_support::gzip, "gzip"}, Case{testing_support::deflate, "deflate"},
                 Case{testing_support::deflate_raw, "deflate"}, Case{testing_support::br, "br"}}) {
    const std::string encoded = uvscrape::testing::encode_body(body, c.encoding);
    EXPECT_EQ(decode_all(c.token, encoded, 1), body) << c.token;
  }
}

TEST(ContentDecoder, AnEmptyBodyIsFineForEveryCoding) {
  // HEAD, 204 and 304 responses carry Content-Encoding but no body.
  for (const char* coding : {"gzip", "deflate", "br", "gzip, br"}) {
    EXPECT_EQ(decode_all(coding, "", 1), "") << coding;
  }
}

// Found by the content_decoder fuzz target: an empty piece made the zlib stage
// start, so finish() then called the empty body truncated.
TEST(ContentDecoder, AnEmptyPieceIsNoBody) {
  for (const char* coding : {"gzip", "deflate", "br", "gzip, br"}) {
    ContentDecoder decoder(coding, "http://h/z", 1 << 20);
    std::string out;
    decoder.decode("", out);
    EXPECT_NO_THROW(decoder.finish()) << coding;
    EXPECT_EQ(out, "") << coding;
  }
}

TEST(ContentDecoder, IdentityAndEmptyPassThrough) {
  EXPECT_EQ(decode_all("", "abc", 1), "abc");
  EXPECT_EQ(decode_all("identity", "abc", 2), "abc");
  ContentDecoder d("", "u", 10);
  EXPECT_TRUE(d.is_identity());
}

TEST(ContentDecoder, StackedCodingsAreUndoneInReverse) {
  const std::string body = sample_text(10'000);
  const std::string once = uvscrape::testing::encode_body(body, testing_support::gzip);
  const std::string twice = uvscrape::testing::encode_body(once, testing_support::br);
  EXPECT_EQ(decode_all("gzip, br", twice, 333), body);
}

TEST(ContentDecoder, ConcatenatedGzipMembers) {
  const std::string a = uvscrape::testing::encode_body("first ", testing_support::gzip);
  const std::string b = uvscrape::testing::encode_body("second", testing_support::gzip);
  EXPECT_EQ(decode_all("gzip", a + b, 5), "first second");
}

TEST(ContentDecoder, DecompressionBombIsStopped) {
  const std::string zeros(20 * 1024 * 1024, '\0');
  for (Case c : {Case{testing_support::gzip, "gzip"}, Case{testing_support::deflate, "deflate"},
                 Case{testing_support::br, "br"}}) {
    const std::string bomb = uvscrape::testing::encode_body(zeros, c.encoding);
    ASSERT_LT(bomb.size(), 100'000u);
    ContentDecoder decoder(c.token, "http://h/bomb", 1024 * 1024);
    std::string out;
    try {
      decoder.decode(bomb, out);
      FAIL() << c.token << ": no error";
    } catch (const LimitExceededError& e) {
      EXPECT_EQ(e.url(), "http://h/bomb");
    }
    // The guard stops within one output block of the limit.
    EXPECT_LE(out.size(), 1024u * 1024u + 64u * 1024u) << c.token;
  }
}

TEST(ContentDecoder, CorruptAndTruncatedInputIsProtocolError) {
  EXPECT_THROW(decode_all("gzip", "definitely not gzip", 4), ProtocolError);
  EXPECT_THROW(decode_all("br", "\xff\xff\xff\xff garbage", 4), ProtocolError);
  const std::string gz = uvscrape::testing::encode_body(sample_text(1000), testing_support::gzip);
  EXPECT_THROW(decode_all("gzip", gz.substr(0, gz.size() / 2), 10), ProtocolError);
  const std::string br = uvscrape::testing::encode_body(sample_text(1000), testing_support::br);
  EXPECT_THROW(decode_all("br", br.substr(0, br.size() / 2), 10), ProtocolError);
}

TEST(ContentDecoder, UnknownCodingPassesTheBytesThrough) {
  EXPECT_EQ(decode_all("utf-8", "plain text", 3), "plain text");
  EXPECT_EQ(decode_all("x-unknown, identity", "abc", 1), "abc");
  EXPECT_TRUE(ContentDecoder("compress", "http://h/", 100).is_identity());
  // The size guard still applies.
  ContentDecoder d("utf-8", "http://h/", 4);
  std::string out;
  EXPECT_THROW(d.decode("12345", out), LimitExceededError);
}

}  // namespace
}  // namespace uvscrape::http
