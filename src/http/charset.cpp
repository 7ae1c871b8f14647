#include "http/charset.hpp"

#include <array>
#include <cstdint>

#include "common/ascii.hpp"
#include "uvscrape/headers.hpp"

namespace uvscrape::http {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
constexpr size_t kMetaScanBytes = 1024;

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
}

bool is_label_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == ':';
}

// Case-insensitive search for an ASCII lower-case needle.
size_t ifind(std::string_view hay, std::string_view needle, size_t from = 0) {
  if (needle.size() > hay.size()) return std::string_view::npos;
  for (size_t i = from; i + needle.size() <= hay.size(); ++i) {
    size_t j = 0;
    while (j < needle.size() && lower(hay[i + j]) == needle[j]) ++j;
    if (j == needle.size()) return i;
  }
  return std::string_view::npos;
}

// After "charset" in `s` at `pos`: skip spaces, '=', spaces and a quote; read the label.
std::string_view label_after(std::string_view s, size_t pos) {
  pos += 7;  // strlen("charset")
  while (pos < s.size() && is_space(s[pos])) ++pos;
  if (pos >= s.size() || s[pos] != '=') return {};
  ++pos;
  while (pos < s.size() && is_space(s[pos])) ++pos;
  if (pos < s.size() && (s[pos] == '"' || s[pos] == '\'')) ++pos;
  const size_t start = pos;
  while (pos < s.size() && is_label_char(s[pos])) ++pos;
  return s.substr(start, pos - start);
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// windows-1252 0x80..0x9F; the five undefined bytes map to the C1 control of
// the same value, as the WHATWG Encoding standard says.
constexpr std::array<uint16_t, 32> kWin1252High = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

}  // namespace

std::string_view charset_from_content_type(std::string_view content_type) {
  const size_t pos = ifind(content_type, "charset");
  if (pos == std::string_view::npos) return {};
  return label_after(content_type, pos);
}

std::string_view charset_from_meta(std::string_view html) {
  const std::string_view head = html.substr(0, kMetaScanBytes);
  size_t pos = 0;
  while ((pos = ifind(head, "<meta", pos)) != std::string_view::npos) {
    const size_t end = head.find('>', pos);
    const std::string_view tag =
        head.substr(pos, end == std::string_view::npos ? head.npos : end - pos);
    // Covers <meta charset="x"> and <meta http-equiv=... content="text/html; charset=x">.
    const size_t at = ifind(tag, "charset");
    if (at != std::string_view::npos) {
      const std::string_view label = label_after(tag, at);
      if (!label.empty()) return label;
    }
    pos += 5;
  }
  return {};
}

Charset charset_from_label(std::string_view label) {
  static constexpr std::string_view kWestern[] = {
      "windows-1252", "cp1252",     "x-cp1252",    "iso-8859-1",    "iso8859-1", "iso_8859-1",
      "latin1",       "latin-1",    "l1",          "cp819",         "ibm819",    "us-ascii",
      "ascii",        "iso-ir-100", "csisolatin1", "ansi_x3.4-1968"};
  for (std::string_view name : kWestern) {
    if (iequals(label, name)) return Charset::windows1252;
  }
  return Charset::utf8;
}

std::string decode_utf8(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  size_t i = 0;
  if (in.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(in[k]); };
  while (i < in.size()) {
    const unsigned char b = byte(i);
    if (b < 0x80) {
      // Copy the ASCII run in one go: the common case.
      size_t j = i + 1;
      while (j < in.size() && byte(j) < 0x80) ++j;
      out.append(in.substr(i, j - i));
      i = j;
      continue;
    }
    size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (b >= 0xC2 && b <= 0xDF) {
      len = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
      len = 3;
      if (b == 0xE0) lo = 0xA0;
      if (b == 0xED) hi = 0x9F;  // no surrogates
    } else if (b >= 0xF0 && b <= 0xF4) {
      len = 4;
      if (b == 0xF0) lo = 0x90;
      if (b == 0xF4) hi = 0x8F;
    }
    if (len == 0) {
      out.append(kReplacement);
      ++i;
      continue;
    }
    // A maximal valid prefix of a bad sequence is replaced by one U+FFFD.
    size_t k = 1;
    while (k < len && i + k < in.size()) {
      const unsigned char c = byte(i + k);
      const unsigned char l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
      if (c < l || c > h) break;
      ++k;
    }
    if (k == len) {
      out.append(in.substr(i, len));
    } else {
      out.append(kReplacement);
    }
    i += k;
  }
  return out;
}

std::string decode_windows1252(std::string_view in) {
  std::string out;
  out.reserve(in.size() + in.size() / 8);
  for (char ch : in) {
    const auto b = static_cast<unsigned char>(ch);
    if (b < 0x80) {
      out.push_back(ch);
    } else if (b < 0xA0) {
      append_utf8(out, kWin1252High[b - 0x80]);
    } else {
      append_utf8(out, b);
    }
  }
  return out;
}

std::string decode_text(std::string_view body, std::string_view content_type) {
  if (body.substr(0, 3) == "\xEF\xBB\xBF") return decode_utf8(body);
  std::string_view label = charset_from_content_type(content_type);
  if (label.empty()) label = charset_from_meta(body);
  if (charset_from_label(label) == Charset::windows1252) return decode_windows1252(body);
  return decode_utf8(body);
}

}  // namespace uvscrape::http
