#include "http/charset.hpp"

#include <iconv.h>

#include <array>
#include <cerrno>
#include <cstdint>

#include "common/utf8.hpp"

namespace uvscrape::http {

namespace {

using Kind = Encoding::Kind;

constexpr size_t kPrescanBytes = 1024;

// The encodings of the WHATWG Encoding Standard, in the order of its table.
// clang-format off
enum Index : uint8_t {
  kUtf8, kIbm866, kIso2, kIso3, kIso4, kIso5, kIso6, kIso7, kIso8, kIso8I, kIso10, kIso13, kIso14,
  kIso15, kIso16, kKoi8R, kKoi8U, kMacintosh, kWin874, kWin1250, kWin1251, kWin1252, kWin1253,
  kWin1254, kWin1255, kWin1256, kWin1257, kWin1258, kMacCyrillic, kGbk, kGb18030, kBig5, kEucJp,
  kIso2022Jp, kShiftJis, kEucKr, kReplacement, kUtf16Be, kUtf16Le, kUserDefined, kEncodingCount
};
// clang-format on

// The standard's decoders for GBK (= gb18030), Big5 (with HKSCS), Shift_JIS
// (Microsoft's) and EUC-KR (Microsoft's) match these glibc converters.
constexpr std::array<Encoding, kEncodingCount> kEncodings = {{
    {"UTF-8", Kind::utf8, nullptr},
    {"IBM866", Kind::iconv, "IBM866"},
    {"ISO-8859-2", Kind::iconv, "ISO-8859-2"},
    {"ISO-8859-3", Kind::iconv, "ISO-8859-3"},
    {"ISO-8859-4", Kind::iconv, "ISO-8859-4"},
    {"ISO-8859-5", Kind::iconv, "ISO-8859-5"},
    {"ISO-8859-6", Kind::iconv, "ISO-8859-6"},
    {"ISO-8859-7", Kind::iconv, "ISO-8859-7"},
    {"ISO-8859-8", Kind::iconv, "ISO-8859-8"},
    {"ISO-8859-8-I", Kind::iconv, "ISO-8859-8"},
    {"ISO-8859-10", Kind::iconv, "ISO-8859-10"},
    {"ISO-8859-13", Kind::iconv, "ISO-8859-13"},
    {"ISO-8859-14", Kind::iconv, "ISO-8859-14"},
    {"ISO-8859-15", Kind::iconv, "ISO-8859-15"},
    {"ISO-8859-16", Kind::iconv, "ISO-8859-16"},
    {"KOI8-R", Kind::iconv, "KOI8-R"},
    {"KOI8-U", Kind::iconv, "KOI8-U"},
    {"macintosh", Kind::iconv, "MACINTOSH"},
    {"windows-874", Kind::iconv, "WINDOWS-874"},
    {"windows-1250", Kind::iconv, "CP1250"},
    {"windows-1251", Kind::iconv, "CP1251"},
    {"windows-1252", Kind::windows1252, nullptr},
    {"windows-1253", Kind::iconv, "CP1253"},
    {"windows-1254", Kind::iconv, "CP1254"},
    {"windows-1255", Kind::iconv, "CP1255"},
    {"windows-1256", Kind::iconv, "CP1256"},
    {"windows-1257", Kind::iconv, "CP1257"},
    {"windows-1258", Kind::iconv, "CP1258"},
    {"x-mac-cyrillic", Kind::iconv, "MAC-CYRILLIC"},
    {"GBK", Kind::iconv, "GB18030"},
    {"gb18030", Kind::iconv, "GB18030"},
    {"Big5", Kind::iconv, "BIG5-HKSCS"},
    {"EUC-JP", Kind::iconv, "EUC-JP"},
    {"ISO-2022-JP", Kind::iconv, "ISO-2022-JP"},
    {"Shift_JIS", Kind::iconv, "WINDOWS-31J"},
    {"EUC-KR", Kind::iconv, "CP949"},
    {"replacement", Kind::replacement, nullptr},
    {"UTF-16BE", Kind::utf16be, nullptr},
    {"UTF-16LE", Kind::utf16le, nullptr},
    {"x-user-defined", Kind::x_user_defined, nullptr},
}};

struct Label {
  std::string_view label;  // lower case, as the standard lists it
  Index encoding;
};

// Every label of the standard, and nothing else (no UTF-7, no UTF-32).
// clang-format off
constexpr Label kLabels[] = {
    {"unicode-1-1-utf-8", kUtf8}, {"unicode11utf8", kUtf8}, {"unicode20utf8", kUtf8},
    {"utf-8", kUtf8}, {"utf8", kUtf8}, {"x-unicode20utf8", kUtf8},
    {"866", kIbm866}, {"cp866", kIbm866}, {"csibm866", kIbm866}, {"ibm866", kIbm866},
    {"csisolatin2", kIso2}, {"iso-8859-2", kIso2}, {"iso-ir-101", kIso2}, {"iso8859-2", kIso2},
    {"iso88592", kIso2}, {"iso_8859-2", kIso2}, {"iso_8859-2:1987", kIso2}, {"l2", kIso2},
    {"latin2", kIso2},
    {"csisolatin3", kIso3}, {"iso-8859-3", kIso3}, {"iso-ir-109", kIso3}, {"iso8859-3", kIso3},
    {"iso88593", kIso3}, {"iso_8859-3", kIso3}, {"iso_8859-3:1988", kIso3}, {"l3", kIso3},
    {"latin3", kIso3},
    {"csisolatin4", kIso4}, {"iso-8859-4", kIso4}, {"iso-ir-110", kIso4}, {"iso8859-4", kIso4},
    {"iso88594", kIso4}, {"iso_8859-4", kIso4}, {"iso_8859-4:1988", kIso4}, {"l4", kIso4},
    {"latin4", kIso4},
    {"csisolatincyrillic", kIso5}, {"cyrillic", kIso5}, {"iso-8859-5", kIso5},
    {"iso-ir-144", kIso5}, {"iso8859-5", kIso5}, {"iso88595", kIso5}, {"iso_8859-5", kIso5},
    {"iso_8859-5:1988", kIso5},
    {"arabic", kIso6}, {"asmo-708", kIso6}, {"csiso88596e", kIso6}, {"csiso88596i", kIso6},
    {"csisolatinarabic", kIso6}, {"ecma-114", kIso6}, {"iso-8859-6", kIso6},
    {"iso-8859-6-e", kIso6}, {"iso-8859-6-i", kIso6}, {"iso-ir-127", kIso6}, {"iso8859-6", kIso6},
    {"iso88596", kIso6}, {"iso_8859-6", kIso6}, {"iso_8859-6:1987", kIso6},
    {"csisolatingreek", kIso7}, {"ecma-118", kIso7}, {"elot_928", kIso7}, {"greek", kIso7},
    {"greek8", kIso7}, {"iso-8859-7", kIso7}, {"iso-ir-126", kIso7}, {"iso8859-7", kIso7},
    {"iso88597", kIso7}, {"iso_8859-7", kIso7}, {"iso_8859-7:1987", kIso7}, {"sun_eu_greek", kIso7},
    {"csiso88598e", kIso8}, {"csisolatinhebrew", kIso8}, {"hebrew", kIso8}, {"iso-8859-8", kIso8},
    {"iso-8859-8-e", kIso8}, {"iso-ir-138", kIso8}, {"iso8859-8", kIso8}, {"iso88598", kIso8},
    {"iso_8859-8", kIso8}, {"iso_8859-8:1988", kIso8}, {"visual", kIso8},
    {"csiso88598i", kIso8I}, {"iso-8859-8-i", kIso8I}, {"logical", kIso8I},
    {"csisolatin6", kIso10}, {"iso-8859-10", kIso10}, {"iso-ir-157", kIso10},
    {"iso8859-10", kIso10}, {"iso885910", kIso10}, {"l6", kIso10}, {"latin6", kIso10},
    {"iso-8859-13", kIso13}, {"iso8859-13", kIso13}, {"iso885913", kIso13},
    {"iso-8859-14", kIso14}, {"iso8859-14", kIso14}, {"iso885914", kIso14},
    {"csisolatin9", kIso15}, {"iso-8859-15", kIso15}, {"iso8859-15", kIso15}, {"iso885915", kIso15},
    {"iso_8859-15", kIso15}, {"l9", kIso15},
    {"iso-8859-16", kIso16},
    {"cskoi8r", kKoi8R}, {"koi", kKoi8R}, {"koi8", kKoi8R}, {"koi8-r", kKoi8R}, {"koi8_r", kKoi8R},
    {"koi8-ru", kKoi8U}, {"koi8-u", kKoi8U},
    {"csmacintosh", kMacintosh}, {"mac", kMacintosh}, {"macintosh", kMacintosh},
    {"x-mac-roman", kMacintosh},
    {"dos-874", kWin874}, {"iso-8859-11", kWin874}, {"iso8859-11", kWin874}, {"iso885911", kWin874},
    {"tis-620", kWin874}, {"windows-874", kWin874},
    {"cp1250", kWin1250}, {"windows-1250", kWin1250}, {"x-cp1250", kWin1250},
    {"cp1251", kWin1251}, {"windows-1251", kWin1251}, {"x-cp1251", kWin1251},
    {"ansi_x3.4-1968", kWin1252}, {"ascii", kWin1252}, {"cp1252", kWin1252}, {"cp819", kWin1252},
    {"csisolatin1", kWin1252}, {"ibm819", kWin1252}, {"iso-8859-1", kWin1252},
    {"iso-ir-100", kWin1252}, {"iso8859-1", kWin1252}, {"iso88591", kWin1252},
    {"iso_8859-1", kWin1252}, {"iso_8859-1:1987", kWin1252}, {"l1", kWin1252}, {"latin1", kWin1252},
    {"us-ascii", kWin1252}, {"windows-1252", kWin1252}, {"x-cp1252", kWin1252},
    {"cp1253", kWin1253}, {"windows-1253", kWin1253}, {"x-cp1253", kWin1253},
    {"cp1254", kWin1254}, {"csisolatin5", kWin1254}, {"iso-8859-9", kWin1254},
    {"iso-ir-148", kWin1254}, {"iso8859-9", kWin1254}, {"iso88599", kWin1254},
    {"iso_8859-9", kWin1254}, {"iso_8859-9:1989", kWin1254}, {"l5", kWin1254}, {"latin5", kWin1254},
    {"windows-1254", kWin1254}, {"x-cp1254", kWin1254},
    {"cp1255", kWin1255}, {"windows-1255", kWin1255}, {"x-cp1255", kWin1255},
    {"cp1256", kWin1256}, {"windows-1256", kWin1256}, {"x-cp1256", kWin1256},
    {"cp1257", kWin1257}, {"windows-1257", kWin1257}, {"x-cp1257", kWin1257},
    {"cp1258", kWin1258}, {"windows-1258", kWin1258}, {"x-cp1258", kWin1258},
    {"x-mac-cyrillic", kMacCyrillic}, {"x-mac-ukrainian", kMacCyrillic},
    {"chinese", kGbk}, {"csgb2312", kGbk}, {"csiso58gb231280", kGbk}, {"gb2312", kGbk},
    {"gb_2312", kGbk}, {"gb_2312-80", kGbk}, {"gbk", kGbk}, {"iso-ir-58", kGbk}, {"x-gbk", kGbk},
    {"gb18030", kGb18030},
    {"big5", kBig5}, {"big5-hkscs", kBig5}, {"cn-big5", kBig5}, {"csbig5", kBig5},
    {"x-x-big5", kBig5},
    {"cseucpkdfmtjapanese", kEucJp}, {"euc-jp", kEucJp}, {"x-euc-jp", kEucJp},
    {"csiso2022jp", kIso2022Jp}, {"iso-2022-jp", kIso2022Jp},
    {"csshiftjis", kShiftJis}, {"ms932", kShiftJis}, {"ms_kanji", kShiftJis},
    {"shift-jis", kShiftJis}, {"shift_jis", kShiftJis}, {"sjis", kShiftJis},
    {"windows-31j", kShiftJis}, {"x-sjis", kShiftJis},
    {"cseuckr", kEucKr}, {"csksc56011987", kEucKr}, {"euc-kr", kEucKr}, {"iso-ir-149", kEucKr},
    {"korean", kEucKr}, {"ks_c_5601-1987", kEucKr}, {"ks_c_5601-1989", kEucKr}, {"ksc5601", kEucKr},
    {"ksc_5601", kEucKr}, {"windows-949", kEucKr},
    {"csiso2022kr", kReplacement}, {"hz-gb-2312", kReplacement}, {"iso-2022-cn", kReplacement},
    {"iso-2022-cn-ext", kReplacement}, {"iso-2022-kr", kReplacement}, {"replacement", kReplacement},
    {"unicodefffe", kUtf16Be}, {"utf-16be", kUtf16Be},
    {"csunicode", kUtf16Le}, {"iso-10646-ucs-2", kUtf16Le}, {"ucs-2", kUtf16Le},
    {"unicode", kUtf16Le}, {"unicodefeff", kUtf16Le}, {"utf-16", kUtf16Le}, {"utf-16le", kUtf16Le},
    {"x-user-defined", kUserDefined},
};
// clang-format on

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// ASCII whitespace as the HTML and Encoding standards define it.
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
}

bool is_ascii_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Whether `s` (any case) equals `lower_word` (lower case).
bool equals_lower(std::string_view s, std::string_view lower_word) {
  if (s.size() != lower_word.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (lower(s[i]) != lower_word[i]) return false;
  }
  return true;
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

// The HTML standard's "extracting a character encoding from a meta element"
// (also used on Content-Type): the value after "charset" and "=", quoted or
// up to a space or ';'. Empty when there is none.
std::string_view charset_parameter(std::string_view s) {
  size_t pos = 0;
  while ((pos = ifind(s, "charset", pos)) != std::string_view::npos) {
    pos += 7;
    while (pos < s.size() && is_space(s[pos])) ++pos;
    if (pos >= s.size() || s[pos] != '=') continue;  // look for the next "charset"
    ++pos;
    while (pos < s.size() && is_space(s[pos])) ++pos;
    if (pos >= s.size()) return {};
    if (s[pos] == '"' || s[pos] == '\'') {
      const char quote = s[pos];
      const size_t end = s.find(quote, pos + 1);
      if (end == std::string_view::npos) return {};
      return s.substr(pos + 1, end - pos - 1);
    }
    const size_t start = pos;
    while (pos < s.size() && !is_space(s[pos]) && s[pos] != ';') ++pos;
    return s.substr(start, pos - start);
  }
  return {};
}

// --- the meta prescan ------------------------------------------------------------

struct Attribute {
  std::string_view name, value;
};

// The HTML standard's "get an attribute" over `s` from `pos`, without
// lower-casing (callers compare case-insensitively). False at '>' or the end.
bool next_attribute(std::string_view s, size_t& pos, Attribute& out) {
  while (pos < s.size() && (is_space(s[pos]) || s[pos] == '/')) ++pos;
  if (pos >= s.size() || s[pos] == '>') return false;
  const size_t name_start = pos;
  // A name runs to '=' (not as its first byte), whitespace, '/' or '>'.
  while (pos < s.size() && !(s[pos] == '=' && pos > name_start) && !is_space(s[pos]) &&
         s[pos] != '/' && s[pos] != '>')
    ++pos;
  out.name = s.substr(name_start, pos - name_start);
  out.value = {};
  while (pos < s.size() && is_space(s[pos])) ++pos;
  if (pos >= s.size() || s[pos] != '=') return pos < s.size();
  ++pos;
  while (pos < s.size() && is_space(s[pos])) ++pos;
  if (pos >= s.size()) return false;
  if (s[pos] == '"' || s[pos] == '\'') {
    const char quote = s[pos];
    const size_t end = s.find(quote, pos + 1);
    if (end == std::string_view::npos) return false;
    out.value = s.substr(pos + 1, end - pos - 1);
    pos = end + 1;
    return true;
  }
  const size_t value_start = pos;
  while (pos < s.size() && !is_space(s[pos]) && s[pos] != '>') ++pos;
  out.value = s.substr(value_start, pos - value_start);
  return true;
}

// The encoding one <meta> declares (attributes from `pos`), or nullptr.
const Encoding* meta_encoding(std::string_view s, size_t& pos) {
  bool got_pragma = false, need_pragma = false, seen_charset = false;
  const Encoding* encoding = nullptr;
  Attribute attribute;
  while (next_attribute(s, pos, attribute)) {
    if (equals_lower(attribute.name, "http-equiv")) {
      got_pragma = got_pragma || equals_lower(attribute.value, "content-type");
    } else if (equals_lower(attribute.name, "content") && !seen_charset) {
      const std::string_view label = charset_parameter(attribute.value);
      if (!label.empty()) {
        encoding = encoding_for_label(label);
        seen_charset = need_pragma = true;
      }
    } else if (equals_lower(attribute.name, "charset") && !seen_charset) {
      encoding = encoding_for_label(attribute.value);
      seen_charset = true;
      need_pragma = false;
    }
  }
  if (!seen_charset || (need_pragma && !got_pragma) || encoding == nullptr) return nullptr;
  if (encoding->kind == Kind::utf16le || encoding->kind == Kind::utf16be) return &kEncodings[kUtf8];
  if (encoding->kind == Kind::x_user_defined) return &kEncodings[kWin1252];
  return encoding;
}

// --- decoders -----------------------------------------------------------------------

// windows-1252 0x80..0x9F; the five undefined bytes map to the C1 control of
// the same value, as the Encoding Standard says.
constexpr std::array<uint16_t, 32> kWin1252High = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

std::string decode_windows1252(std::string_view in) {
  std::string out;
  out.reserve(in.size() + in.size() / 8);
  for (char ch : in) {
    const auto b = static_cast<unsigned char>(ch);
    if (b < 0x80) {
      out.push_back(ch);
    } else {
      append_utf8(out, b < 0xA0 ? kWin1252High[b - 0x80] : b);
    }
  }
  return out;
}

std::string decode_x_user_defined(std::string_view in) {
  std::string out;
  out.reserve(in.size() + in.size() / 2);
  for (char ch : in) {
    const auto b = static_cast<unsigned char>(ch);
    append_utf8(out, b < 0x80 ? b : 0xF780u + b - 0x80u);
  }
  return out;
}

std::string decode_utf16(std::string_view in, bool big_endian) {
  std::string out;
  out.reserve(in.size());
  const auto unit = [&](size_t i) {
    const auto a = static_cast<unsigned char>(in[i]), b = static_cast<unsigned char>(in[i + 1]);
    return static_cast<uint32_t>(big_endian ? (a << 8 | b) : (b << 8 | a));
  };
  size_t i = 0;
  while (i + 1 < in.size()) {
    const uint32_t u = unit(i);
    i += 2;
    if (u < 0xD800 || u > 0xDFFF) {
      append_utf8(out, u);
    } else if (u <= 0xDBFF && i + 1 < in.size() && unit(i) >= 0xDC00 && unit(i) <= 0xDFFF) {
      append_utf8(out, 0x10000 + ((u - 0xD800) << 10) + (unit(i) - 0xDC00));
      i += 2;
    } else {
      out.append(kUtf8Replacement);  // an unpaired surrogate
    }
  }
  if (i < in.size()) out.append(kUtf8Replacement);  // an odd trailing byte
  return out;
}

// Through glibc's iconv. iconv_open may read the converter module from disk
// the first time a process uses an encoding.
std::string decode_iconv(std::string_view in, const char* from) {
  iconv_t cd = iconv_open("UTF-8", from);
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    // Not installed: keep the ASCII, replace the rest.
    std::string out;
    append_repaired_utf8(out, in);
    return out;
  }
  std::string out(in.size() * 2 + 16, '\0');
  char* src = const_cast<char*>(in.data());  // iconv's signature; it does not write
  size_t src_left = in.size();
  size_t used = 0;
  while (src_left > 0) {
    char* dst = out.data() + used;
    size_t dst_left = out.size() - used;
    const size_t rc = iconv(cd, &src, &src_left, &dst, &dst_left);
    used = out.size() - dst_left;
    if (rc != static_cast<size_t>(-1)) break;
    if (errno == E2BIG) {
      out.resize(out.size() * 2);
      continue;
    }
    // EILSEQ (a byte that does not decode) or EINVAL (a sequence cut at the end).
    if (out.size() - used < kUtf8Replacement.size()) out.resize(out.size() * 2);
    out.replace(used, kUtf8Replacement.size(), kUtf8Replacement);
    used += kUtf8Replacement.size();
    if (errno == EINVAL) break;
    ++src;
    --src_left;
  }
  // Flush a stateful encoding's (ISO-2022-JP) pending output.
  for (;;) {
    char* dst = out.data() + used;
    size_t dst_left = out.size() - used;
    if (iconv(cd, nullptr, nullptr, &dst, &dst_left) != static_cast<size_t>(-1)) {
      used = out.size() - dst_left;
      break;
    }
    if (errno != E2BIG) break;
    out.resize(out.size() * 2);
  }
  iconv_close(cd);
  out.resize(used);
  return out;
}

}  // namespace

const Encoding* encoding_for_label(std::string_view label) {
  while (!label.empty() && is_space(label.front())) label.remove_prefix(1);
  while (!label.empty() && is_space(label.back())) label.remove_suffix(1);
  for (const Label& entry : kLabels) {
    if (equals_lower(label, entry.label)) return &kEncodings[entry.encoding];
  }
  return nullptr;
}

const Encoding& utf8_encoding() {
  return kEncodings[kUtf8];
}

std::string_view charset_from_content_type(std::string_view content_type) {
  return charset_parameter(content_type);
}

const Encoding* encoding_from_meta(std::string_view html) {
  const std::string_view s = html.substr(0, kPrescanBytes);
  size_t pos = 0;
  while (pos < s.size()) {
    if (s[pos] != '<') {
      const size_t next = s.find('<', pos);
      if (next == std::string_view::npos) break;
      pos = next;
    }
    const std::string_view rest = s.substr(pos);
    if (rest.substr(0, 4) == "<!--") {
      const size_t end = s.find("-->", pos + 2);
      if (end == std::string_view::npos) break;
      pos = end + 2;  // the '>'
    } else if (rest.size() > 5 && equals_lower(rest.substr(0, 5), "<meta") &&
               (is_space(rest[5]) || rest[5] == '/')) {
      pos += 6;
      if (const Encoding* encoding = meta_encoding(s, pos)) return encoding;
    } else if (rest.size() > 2 &&
               (is_ascii_alpha(rest[1]) || (rest[1] == '/' && is_ascii_alpha(rest[2])))) {
      // Another tag: skip its name and attributes (a quoted '>' does not end it).
      pos += rest[1] == '/' ? 2 : 1;
      while (pos < s.size() && !is_space(s[pos]) && s[pos] != '>') ++pos;
      Attribute ignored;
      while (next_attribute(s, pos, ignored)) {
      }
    } else if (rest.size() > 1 && (rest[1] == '!' || rest[1] == '/' || rest[1] == '?')) {
      const size_t end = s.find('>', pos + 2);
      if (end == std::string_view::npos) break;
      pos = end;
    }
    ++pos;
  }
  return nullptr;
}

CharsetDecision decide_charset(std::string_view body, std::string_view content_type) {
  if (body.substr(0, 3) == "\xEF\xBB\xBF") return {&kEncodings[kUtf8], CharsetSource::bom, 3};
  if (body.substr(0, 2) == "\xFE\xFF") return {&kEncodings[kUtf16Be], CharsetSource::bom, 2};
  if (body.substr(0, 2) == "\xFF\xFE") return {&kEncodings[kUtf16Le], CharsetSource::bom, 2};
  if (const Encoding* e = encoding_for_label(charset_from_content_type(content_type))) {
    return {e, CharsetSource::content_type, 0};
  }
  if (const Encoding* e = encoding_from_meta(body)) return {e, CharsetSource::meta, 0};
  return {&kEncodings[kUtf8], CharsetSource::default_utf8, 0};
}

std::optional<std::string> decode_if_needed(std::string_view body,
                                            const CharsetDecision& decision) {
  const std::string_view in = body.substr(decision.bom_bytes);
  const Kind kind = decision.encoding->kind;
  // ASCII reads as ASCII in every ASCII-compatible encoding (ESC aside, which
  // switches ISO-2022-JP): the common case of a legacy label needs no copy.
  if (decision.bom_bytes == 0 && kind != Kind::utf8 && kind != Kind::utf16le &&
      kind != Kind::utf16be && kind != Kind::replacement && is_ascii(in) &&
      in.find('\x1B') == std::string_view::npos) {
    return std::nullopt;
  }
  switch (kind) {
    case Kind::utf8: {
      if (decision.bom_bytes == 0 && is_valid_utf8(in)) return std::nullopt;
      std::string out;
      out.reserve(in.size());
      append_repaired_utf8(out, in);
      return out;
    }
    case Kind::windows1252: return decode_windows1252(in);
    case Kind::utf16le: return decode_utf16(in, false);
    case Kind::utf16be: return decode_utf16(in, true);
    case Kind::x_user_defined: return decode_x_user_defined(in);
    case Kind::replacement: return in.empty() ? std::string() : std::string(kUtf8Replacement);
    case Kind::iconv: return decode_iconv(in, decision.encoding->iconv_name);
  }
  return std::nullopt;
}

std::string decode_text(std::string_view body, std::string_view content_type) {
  std::optional<std::string> decoded = decode_if_needed(body, decide_charset(body, content_type));
  return decoded ? std::move(*decoded) : std::string(body);
}

}  // namespace uvscrape::http
