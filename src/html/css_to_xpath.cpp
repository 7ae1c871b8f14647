#include "html/css_to_xpath.hpp"

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
      tag = ascii_lower(identifier("a tag name"));
    }
    std::string predicates;
    while (!at_end()) {
      const char c = peek();
      if (c == '.') {
        ++pos_;
        predicates += "[@class and contains(concat(' ', normalize-space(@class), ' '), " +
                      xpath_literal(" " + identifier("a class name") + " ") + ")]";
      } else if (c == '#') {
        ++pos_;
        predicates += "[@id = " + xpath_literal(identifier("an id")) + "]";
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
    const std::string name = ascii_lower(identifier("an attribute name"));
    skip_space();
    if (at_end()) fail("unterminated attribute selector");
    if (peek() == ']') {
      ++pos_;
      return "[@" + name + "]";
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
    return "[@" + name + " = " + xpath_literal(value) + "]";
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
