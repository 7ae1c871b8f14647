#include "http/charset.hpp"

#include <gtest/gtest.h>

#include "http/client.hpp"

namespace uvscrape::http {
namespace {

TEST(Charset, FromContentType) {
  EXPECT_EQ(charset_from_content_type("text/html; charset=ISO-8859-1"), "ISO-8859-1");
  EXPECT_EQ(charset_from_content_type("text/html;charset=\"utf-8\""), "utf-8");
  EXPECT_EQ(charset_from_content_type("text/html; CHARSET = windows-1252 ; x=y"), "windows-1252");
  EXPECT_EQ(charset_from_content_type("text/html"), "");
}

TEST(Charset, FromMetaTagsInTheFirst1024Bytes) {
  EXPECT_EQ(charset_from_meta("<html><head><meta charset=\"windows-1252\"></head>"),
            "windows-1252");
  EXPECT_EQ(charset_from_meta(
                "<META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=iso-8859-1\">"),
            "iso-8859-1");
  EXPECT_EQ(charset_from_meta("<meta name=x><meta charset='latin1'>"), "latin1");
  EXPECT_EQ(charset_from_meta(std::string(1100, ' ') + "<meta charset=latin1>"), "");
  EXPECT_EQ(charset_from_meta("<p>charset=latin1</p>"), "");
}

TEST(Charset, Labels) {
  EXPECT_EQ(charset_from_label("UTF-8"), Charset::utf8);
  EXPECT_EQ(charset_from_label("utf8"), Charset::utf8);
  EXPECT_EQ(charset_from_label("ISO-8859-1"), Charset::windows1252);
  EXPECT_EQ(charset_from_label("latin1"), Charset::windows1252);
  EXPECT_EQ(charset_from_label("windows-1252"), Charset::windows1252);
  EXPECT_EQ(charset_from_label("US-ASCII"), Charset::windows1252);
  EXPECT_EQ(charset_from_label("x-unknown-thing"), Charset::utf8);
  EXPECT_EQ(charset_from_label(""), Charset::utf8);
}

TEST(Charset, Utf8InvalidBytesBecomeReplacementCharacters) {
  EXPECT_EQ(decode_utf8("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(decode_utf8("a\xFF"
                        "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(decode_utf8("\xC3"), "\xEF\xBF\xBD");  // truncated at the end
  EXPECT_EQ(decode_utf8("\xE2\x82"
                        "x"),
            "\xEF\xBF\xBD"
            "x");                                                  // truncated 3-byte
  EXPECT_EQ(decode_utf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong
  EXPECT_EQ(decode_utf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(decode_utf8("\xF0\x9F\x90\x9B"), "\xF0\x9F\x90\x9B");                  // a bug, 4 bytes
  EXPECT_EQ(decode_utf8("\xEF\xBB\xBFhi"), "hi");                                  // BOM dropped
}

TEST(Charset, Windows1252AndLatin1ToUtf8) {
  EXPECT_EQ(decode_windows1252("caf\xE9"), "caf\xC3\xA9");
  EXPECT_EQ(decode_windows1252("\x80 \x93q\x94"), "\xE2\x82\xAC \xE2\x80\x9Cq\xE2\x80\x9D");
  EXPECT_EQ(decode_windows1252("\x81"), "\xC2\x81");
  EXPECT_EQ(decode_windows1252("plain"), "plain");
}

TEST(Charset, DecodeTextPrecedence) {
  // Content-Type wins over <meta>.
  EXPECT_EQ(decode_text("<meta charset=utf-8>caf\xE9", "text/html; charset=latin1"),
            "<meta charset=utf-8>caf\xC3\xA9");
  // <meta> when the header is silent.
  EXPECT_EQ(decode_text("<meta charset=windows-1252>\x80", "text/html"),
            "<meta charset=windows-1252>\xE2\x82\xAC");
  // Neither: UTF-8 with replacement.
  EXPECT_EQ(decode_text("caf\xE9", ""), "caf\xEF\xBF\xBD");
  // Unknown charset: UTF-8.
  EXPECT_EQ(decode_text("caf\xC3\xA9", "text/html; charset=klingon"), "caf\xC3\xA9");
  // A UTF-8 BOM beats a wrong label.
  EXPECT_EQ(decode_text("\xEF\xBB\xBF\xC3\xA9", "text/html; charset=latin1"), "\xC3\xA9");
}

TEST(Charset, HttpResponseTextUsesHeaders) {
  HttpResponse r;
  r.headers.add("Content-Type", "text/plain; charset=iso-8859-1");
  r.body = "\xC5ngstr\xF6m";
  EXPECT_EQ(r.text(), "\xC3\x85ngstr\xC3\xB6m");
}

}  // namespace
}  // namespace uvscrape::http
