// The one charset rule (src/http/charset): WHATWG labels, the BOM / header /
// <meta> / UTF-8 order, and the decoders.
#include "http/charset.hpp"

#include <gtest/gtest.h>

#include "http/client.hpp"

namespace uvscrape::http {
namespace {

std::string_view name_of(std::string_view label) {
  const Encoding* e = encoding_for_label(label);
  return e ? e->name : "(none)";
}

TEST(Charset, FromContentType) {
  EXPECT_EQ(charset_from_content_type("text/html; charset=ISO-8859-1"), "ISO-8859-1");
  EXPECT_EQ(charset_from_content_type("text/html;charset=\"utf-8\""), "utf-8");
  EXPECT_EQ(charset_from_content_type("text/html; CHARSET = windows-1252 ; x=y"), "windows-1252");
  EXPECT_EQ(charset_from_content_type("text/html; charset='koi8-r'"), "koi8-r");
  EXPECT_EQ(charset_from_content_type("text/html; charsetx; charset=gbk"), "gbk");
  EXPECT_EQ(charset_from_content_type("text/html"), "");
}

TEST(Charset, OnlyTheWhatwgLabelsAndTheirMapping) {
  EXPECT_EQ(name_of("UTF-8"), "UTF-8");
  EXPECT_EQ(name_of(" utf8\t"), "UTF-8");  // ASCII whitespace is trimmed
  EXPECT_EQ(name_of("unicode-1-1-utf-8"), "UTF-8");
  // The standard reads Latin-1 and ASCII as windows-1252, Latin-5 as windows-1254.
  for (const char* label : {"ISO-8859-1", "latin1", "US-ASCII", "ascii", "l1", "cp819",
                            "iso_8859-1:1987", "windows-1252", "x-cp1252"}) {
    EXPECT_EQ(name_of(label), "windows-1252") << label;
  }
  EXPECT_EQ(name_of("iso-8859-9"), "windows-1254");
  EXPECT_EQ(name_of("tis-620"), "windows-874");
  EXPECT_EQ(name_of("gb2312"), "GBK");
  EXPECT_EQ(name_of("sjis"), "Shift_JIS");
  EXPECT_EQ(name_of("ks_c_5601-1987"), "EUC-KR");
  EXPECT_EQ(name_of("utf-16"), "UTF-16LE");
  EXPECT_EQ(name_of("iso-2022-kr"), "replacement");
  // Not labels of the standard: UTF-7 (it would turn text into markup), UTF-32,
  // names with inner spaces, made-up names.
  for (const char* label :
       {"utf-7", "UTF-7", "csUnicode11UTF7", "utf-32", "utf 8", "klingon", "", "x-unknown-thing"}) {
    EXPECT_EQ(encoding_for_label(label), nullptr) << label;
  }
}

TEST(Charset, MetaPrescan) {
  const auto meta = [](std::string_view html) {
    const Encoding* e = encoding_from_meta(html);
    return e ? e->name : std::string_view("(none)");
  };
  EXPECT_EQ(meta("<html><head><meta charset=\"windows-1252\"></head>"), "windows-1252");
  EXPECT_EQ(meta("<META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=iso-8859-2\">"),
            "ISO-8859-2");
  EXPECT_EQ(meta("<meta name=x><meta charset='latin1'>"), "windows-1252");
  EXPECT_EQ(meta("<meta charset=koi8-r />"), "KOI8-R");
  EXPECT_EQ(meta("<meta charset=koi8-r/>"), "(none)");  // the value is "koi8-r/", as in a browser
  // content= counts only with http-equiv=content-type.
  EXPECT_EQ(meta("<meta content=\"text/html; charset=koi8-r\">"), "(none)");
  // An unknown label is skipped; a later <meta> still counts.
  EXPECT_EQ(meta("<meta charset=utf-7><meta charset=windows-1251>"), "windows-1251");
  // UTF-16 from a <meta> is read as UTF-8 (the bytes are ASCII-compatible).
  EXPECT_EQ(meta("<meta charset=utf-16le>"), "UTF-8");
  EXPECT_EQ(meta("<meta charset=x-user-defined>"), "windows-1252");
  // Only <meta> tags, outside comments and other tags' attribute values, in 1024 bytes.
  EXPECT_EQ(meta("<!-- <meta charset=koi8-r> --><p>x"), "(none)");
  EXPECT_EQ(meta("<!-- x --><meta charset=koi8-r>"), "KOI8-R");
  EXPECT_EQ(meta("<!DOCTYPE html><meta charset=koi8-r>"), "KOI8-R");
  EXPECT_EQ(meta("<html lang=en><meta charset=koi8-r>"), "KOI8-R");
  EXPECT_EQ(meta("<div title='<meta charset=koi8-r>'>"), "(none)");
  EXPECT_EQ(meta("<p>charset=latin1</p>"), "(none)");
  EXPECT_EQ(meta("<metal charset=latin1>"), "(none)");
  EXPECT_EQ(meta(std::string(1100, ' ') + "<meta charset=latin1>"), "(none)");
  EXPECT_EQ(meta("<meta charset=\"latin1"), "(none)");  // cut off
}

TEST(Charset, DecisionOrderIsBomThenHeaderThenMetaThenUtf8) {
  const auto decide = [](std::string_view body, std::string_view type) {
    const CharsetDecision d = decide_charset(body, type);
    return std::pair<std::string_view, CharsetSource>(d.encoding->name, d.source);
  };
  using S = CharsetSource;
  EXPECT_EQ(decide("\xEF\xBB\xBF<meta charset=koi8-r>", "text/html; charset=latin1"),
            std::pair(std::string_view("UTF-8"), S::bom));
  EXPECT_EQ(decide("\xFF\xFEx\0", "text/html; charset=latin1"),
            std::pair(std::string_view("UTF-16LE"), S::bom));
  EXPECT_EQ(decide("<meta charset=koi8-r>", "text/html; charset=latin1"),
            std::pair(std::string_view("windows-1252"), S::content_type));
  EXPECT_EQ(decide("<meta charset=koi8-r>", "text/html; charset=utf-7"),
            std::pair(std::string_view("KOI8-R"), S::meta));
  EXPECT_EQ(decide("<p>x", "text/html; charset=klingon"),
            std::pair(std::string_view("UTF-8"), S::default_utf8));
  EXPECT_EQ(decide("", ""), std::pair(std::string_view("UTF-8"), S::default_utf8));
}

TEST(Charset, Utf8InvalidBytesBecomeReplacementCharacters) {
  EXPECT_EQ(decode_text("caf\xC3\xA9", ""), "caf\xC3\xA9");
  EXPECT_EQ(decode_text("a\xFF"
                        "b",
                        ""),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(decode_text("\xC3", ""), "\xEF\xBF\xBD");  // truncated at the end
  EXPECT_EQ(decode_text("\xE2\x82"
                        "x",
                        ""),
            "\xEF\xBF\xBD"
            "x");                                                      // truncated 3-byte
  EXPECT_EQ(decode_text("\xC0\xAF", ""), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong
  EXPECT_EQ(decode_text("\xED\xA0\x80", ""), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(decode_text("\xF4\x90\x80\x80", ""),
            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");       // above U+10FFFF
  EXPECT_EQ(decode_text("\xF0\x9F\x90\x9B", ""), "\xF0\x9F\x90\x9B");  // a bug, 4 bytes
  EXPECT_EQ(decode_text("\xEF\xBB\xBFhi", ""), "hi");                  // BOM dropped
}

TEST(Charset, ValidUtf8AndAsciiUnderALegacyLabelNeedNoCopy) {
  EXPECT_FALSE(decode_if_needed("caf\xC3\xA9", decide_charset("caf\xC3\xA9", "")));
  EXPECT_FALSE(decode_if_needed("plain", decide_charset("plain", "text/html; charset=latin1")));
  EXPECT_FALSE(decode_if_needed("plain", decide_charset("plain", "text/html; charset=sjis")));
  // ESC switches ISO-2022-JP, so ASCII with ESC is decoded.
  EXPECT_TRUE(
      decode_if_needed("\x1B$B", decide_charset("\x1B$B", "text/html; charset=iso-2022-jp")));
  EXPECT_TRUE(decode_if_needed("\xEF\xBB\xBFhi", decide_charset("\xEF\xBB\xBFhi", "")));
}

TEST(Charset, Windows1252AndLatin1ToUtf8) {
  const auto w = [](std::string_view s) { return decode_text(s, "text/html; charset=cp1252"); };
  EXPECT_EQ(w("caf\xE9"), "caf\xC3\xA9");
  EXPECT_EQ(w("\x80 \x93q\x94"), "\xE2\x82\xAC \xE2\x80\x9Cq\xE2\x80\x9D");
  EXPECT_EQ(w("\x81"), "\xC2\x81");  // undefined: the C1 control of that value
  EXPECT_EQ(decode_text("\xFF", "text/plain; charset=us-ascii"), "\xC3\xBF");
}

TEST(Charset, Utf16UserDefinedAndReplacement) {
  EXPECT_EQ(decode_text(std::string_view("\xFF\xFE"
                                         "c\0\xE9\0<\xD8\x1B\xDF",
                                         10),
                        ""),
            "c\xC3\xA9\xF0\x9F\x8C\x9B");  // c, é, U+1F31B from a surrogate pair
  EXPECT_EQ(decode_text(std::string_view("\xFE\xFF\0h\xD8\x00\0i\0", 9), ""),
            "h\xEF\xBF\xBDi\xEF\xBF\xBD");  // an unpaired surrogate; an odd last byte
  EXPECT_EQ(decode_text("a\x80", "text/plain; charset=x-user-defined"), "a\xEF\x9E\x80");
  EXPECT_EQ(decode_text("<p>anything", "text/html; charset=iso-2022-kr"), "\xEF\xBF\xBD");
}

TEST(Charset, LegacyEncodingsThroughIconv) {
  struct Case {
    const char* label;
    std::string_view bytes;
    std::string_view utf8;
  };
  const Case cases[] = {
      {"shift_jis", "\x93\xFA\x96\x7B", "\xE6\x97\xA5\xE6\x9C\xAC"},  // 日本
      {"euc-jp", "\xC6\xFC\xCB\xDC", "\xE6\x97\xA5\xE6\x9C\xAC"},
      {"iso-2022-jp", "\x1B$BF|K\\\x1B(B!", "\xE6\x97\xA5\xE6\x9C\xAC!"},
      {"gbk", "\xD6\xD0", "\xE4\xB8\xAD"},  // 中
      {"gb18030", "\x81\x30\x81\x30", "\xC2\x80"},
      {"big5", "\xA4\xA4", "\xE4\xB8\xAD"},
      {"euc-kr", "\xC7\xD1", "\xED\x95\x9C"},      // 한
      {"koi8-r", "\xF0\xD2", "\xD0\x9F\xD1\x80"},  // Пр
      {"koi8-u", "\xA4", "\xD1\x94"},
      {"windows-1251", "\xCF\xF0", "\xD0\x9F\xD1\x80"},
      {"ibm866", "\x8F", "\xD0\x9F"},
      {"iso-8859-2", "\xB1", "\xC4\x85"},  // ą
      {"iso-8859-15", "\xA4", "\xE2\x82\xAC"},
      {"iso-8859-8-i", "\xE0", "\xD7\x90"},
      {"windows-874", "\xA1", "\xE0\xB8\x81"},
      {"macintosh", "\x8E", "\xC3\xA9"},
      {"x-mac-cyrillic", "\x8F", "\xD0\x9F"},
      {"latin5", "\xFD", "\xC4\xB1"},  // windows-1254
      {"windows-1258", "\xC3", "\xC4\x82"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(decode_text(c.bytes, std::string("text/html; charset=") + c.label), c.utf8)
        << c.label;
  }
  // A byte the encoding does not define becomes U+FFFD, and decoding goes on.
  EXPECT_EQ(decode_text("\x82 x", "text/html; charset=shift_jis"), "\xEF\xBF\xBD x");
  EXPECT_EQ(decode_text("a\x93", "text/html; charset=shift_jis"), "a\xEF\xBF\xBD");  // cut off
}

TEST(Charset, HttpResponseTextUsesHeaders) {
  HttpResponse r;
  r.headers.add("Content-Type", "text/plain; charset=iso-8859-1");
  r.body = "\xC5ngstr\xF6m";
  EXPECT_EQ(r.text(), "\xC3\x85ngstr\xC3\xB6m");
}

}  // namespace
}  // namespace uvscrape::http
