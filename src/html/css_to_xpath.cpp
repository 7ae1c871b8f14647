#include "html/css_to_xpath.hpp"

#include <cstdint>

namespace uvscrape::html_detail {
namespace {

bool is_ident_char(unsigned char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c >= 0x80;
}

bool is_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

// An XPath 1.0 string literal (XPath has no escapes). CSS strings here have no
// escapes either, so a value never holds both kinds of quote.
std::string xpath_literal(std::string_view value) {
  if (value.find('\'') == std::string_view::npos) return "'" + std::string(value) + "'";
  return "\"" + std::string(value) + "\"";
}

// Whether XPath (libxml2) takes `text` inside a string literal: UTF-8 made of
// XML characters (no NUL, no C0 controls but tab and line breaks, no U+FFFE/F).
bool is_xml_text(std::string_view text) noexcept {
  size_t i = 0;
  while (i < text.size()) {
    const auto b = static_cast<unsigned char>(text[i]);
    size_t len = 1;
    uint32_t cp = b;
    if (b >= 0x80) {
      if (b >= 0xC2 && b <= 0xDF) {
        len = 2;
        cp = b & 0x1F;
      } else if (b >= 0xE0 && b <= 0xEF) {
        len = 3;
        cp = b & 0x0F;
      } else if (b >= 0xF0 && b <= 0xF4) {
        len = 4;
        cp = b & 0x07;
      } else {
        return false;
      }
      if (i + len > text.size()) return false;
      for (size_t k = 1; k < len; ++k) {
        const auto c = static_cast<unsigned char>(text[i + k]);
        if ((c & 0xC0) != 0x80) return false;
        cp = (cp << 6) | (c & 0x3F);
      }
      const uint32_t shortest = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
      if (cp < shortest || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    }
    const bool xml_char = cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
                          (cp >= 0xE000 && cp <= 0xFFFD) || cp >= 0x10000;
    if (!xml_char) return false;
    i += len;
  }
  return true;
}

// Tag and attribute names become XPath name tests: an ASCII letter or '_' first,
// then ASCII name characters (CSS would allow a leading '-' and non-ASCII).
bool is_xpath_name(std::string_view name) noexcept {
  if (name.empty()) return false;
  const auto first = static_cast<unsigned char>(name.front());
  if (!((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z') || first == '_'))
    return false;
  for (char ch : name) {
    if (static_cast<unsigned char>(ch) >= 0x80) return false;
  }
  return true;
}

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c | 0x20);
  }
  return out;
}

struct SyntaxError {
  std::string reason;
};

class Translator {
 public:
  explicit Translator(std::string_view css) : css_(css) {}

  std::string selector_list() {
    std::string out;
    while (true) {
      skip_space();
      if (!out.empty()) out += " | ";
      out += selector();
      skip_space();
      if (at_end()) return out;
      if (peek() != ',') fail("unexpected '" + std::string(1, peek()) + "'");
      ++pos_;
    }
  }

 private:
  std::string selector() {
    std::string out = "descendant-or-self::" + compound();
    while (true) {
      const bool had_space = skip_space();
      if (at_end() || peek() == ',') return out;
      if (peek() == '>') {
        ++pos_;
        skip_space();
        out += "/" + compound();
      } else if (peek() == '+' || peek() == '~') {
        fail("sibling combinators are not supported");
      } else if (had_space) {
        out += "/descendant::" + compound();
      } else {
        fail("unexpected '" + std::string(1, peek()) + "'");
      }
    }
  }

  std::string compound() {
    std::string tag;
    if (!at_end() && peek() == '*') {
      ++pos_;
      tag = "*";
    } else if (!at_end() && is_ident_start()) {
      tag = ascii_lower(name("a tag name"));
    }
    std::string predicates;
    while (!at_end()) {
      const char c = peek();
      if (c == '.') {
        ++pos_;
        predicates += "[@class and contains(concat(' ', normalize-space(@class), ' '), " +
                      literal(" " + identifier("a class name") + " ") + ")]";
      } else if (c == '#') {
        ++pos_;
        predicates += "[@id = " + literal(identifier("an id")) + "]";
      } else if (c == '[') {
        ++pos_;
        predicates += attribute();
      } else if (c == ':') {
        fail("pseudo-classes are not supported");
      } else {
        break;
      }
    }
    if (tag.empty() && predicates.empty()) {
      fail(at_end() ? "selector expected at the end"
                    : "selector expected at '" + std::string(1, peek()) + "'");
    }
    return (tag.empty() ? "*" : tag) + predicates;
  }

  std::string attribute() {
    skip_space();
    const std::string attr_name = ascii_lower(name("an attribute name"));
    skip_space();
    if (at_end()) fail("unterminated attribute selector");
    if (peek() == ']') {
      ++pos_;
      return "[@" + attr_name + "]";
    }
    if (peek() != '=') fail("only [attr] and [attr=value] are supported");
    ++pos_;
    skip_space();
    std::string value;
    if (!at_end() && (peek() == '"' || peek() == '\'')) {
      const char quote = peek();
      const size_t close = css_.find(quote, pos_ + 1);
      if (close == std::string_view::npos) fail("unterminated string");
      value = std::string(css_.substr(pos_ + 1, close - pos_ - 1));
      if (value.find('\\') != std::string::npos) fail("escapes in strings are not supported");
      pos_ = close + 1;
    } else {
      value = identifier("an attribute value");
    }
    skip_space();
    if (at_end() || peek() != ']') fail("']' expected");
    ++pos_;
    return "[@" + attr_name + " = " + literal(value) + "]";
  }

  bool is_ident_start() const {
    const auto c = static_cast<unsigned char>(peek());
    if (c >= '0' && c <= '9') return false;
    if (c == '-' && pos_ + 1 < css_.size()) {
      const auto next = static_cast<unsigned char>(css_[pos_ + 1]);
      if (next >= '0' && next <= '9') return false;
    }
    return is_ident_char(c);
  }

  // An identifier that can stand as an XPath name test.
  std::string name(const char* what) {
    const size_t start = pos_;
    std::string id = identifier(what);
    if (!is_xpath_name(id)) {
      pos_ = start;
      fail(std::string(what) + " of ASCII letters, digits, '-' and '_', not starting with '-'");
    }
    return id;
  }

  // A value as an XPath string literal (found by the html fuzz target: bytes
  // XPath does not take made an accepted selector an invalid expression).
  std::string literal(const std::string& value) const {
    if (!is_xml_text(value)) fail("a value with a control character or invalid UTF-8");
    return xpath_literal(value);
  }

  std::string identifier(const char* what) {
    if (at_end() || !is_ident_start()) fail(std::string(what) + " expected");
    const size_t start = pos_;
    while (!at_end() && is_ident_char(static_cast<unsigned char>(peek()))) ++pos_;
    return std::string(css_.substr(start, pos_ - start));
  }

  bool skip_space() {
    const size_t start = pos_;
    while (!at_end() && is_space(peek())) ++pos_;
    return pos_ != start;
  }

  bool at_end() const noexcept { return pos_ >= css_.size(); }
  char peek() const noexcept { return css_[pos_]; }
  [[noreturn]] void fail(std::string reason) const {
    throw SyntaxError{std::move(reason) + " (at position " + std::to_string(pos_) + ")"};
  }

  std::string_view css_;
  size_t pos_ = 0;
};

}  // namespace

CssTranslation css_to_xpath(std::string_view selector) {
  CssTranslation result;
  try {
    result.xpath = Translator(selector).selector_list();
    result.ok = true;
  } catch (const SyntaxError& e) {
    result.error = e.reason;
  }
  return result;
}

}  // namespace uvscrape::html_detail
