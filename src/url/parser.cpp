// The basic URL parser of the WHATWG URL Standard, the states a special
// scheme goes through, in order:
//   scheme -> (relative | authority) -> host -> port -> path -> query -> fragment
// Each method names the states of the standard it implements. Only http and
// https are accepted: any other scheme is a failure, as nothing else can be
// fetched.
#include "url/parser.hpp"

#include "url/host.hpp"
#include "url/percent_encode.hpp"
#include "uvscrape/errors.hpp"

namespace uvscrape::url_detail {
namespace {

bool is_alpha(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool is_scheme_char(char c) noexcept {
  return is_alpha(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

bool is_slash(char c) noexcept {
  return c == '/' || c == '\\';  // '\' is '/' in special URLs
}

bool is_tab_or_newline(char c) noexcept {
  return c == '\t' || c == '\n' || c == '\r';
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
  }
  return true;
}

bool is_single_dot(std::string_view s) noexcept {
  return s == "." || iequals(s, "%2e");
}

bool is_double_dot(std::string_view s) noexcept {
  return s == ".." || iequals(s, ".%2e") || iequals(s, "%2e.") || iequals(s, "%2e%2e");
}

}  // namespace

void UrlParser::fail(const std::string& reason) const {
  std::string why = reason;
  if (base_ != nullptr) why += " (resolving against \"" + base_->str() + "\")";
  throw UrlError(std::string(original_), why);
}

// Leading and trailing C0 controls and spaces go; tabs and newlines go
// everywhere.
void UrlParser::strip() {
  std::string_view text = original_;
  while (!text.empty() && static_cast<unsigned char>(text.front()) <= 0x20) text.remove_prefix(1);
  while (!text.empty() && static_cast<unsigned char>(text.back()) <= 0x20) text.remove_suffix(1);
  bool has_tab_or_newline = false;
  for (const char c : text) has_tab_or_newline = has_tab_or_newline || is_tab_or_newline(c);
  input_ = text;
  if (!has_tab_or_newline) return;
  stripped_.reserve(text.size());
  for (const char c : text) {
    if (!is_tab_or_newline(c)) stripped_ += c;
  }
  input_ = stripped_;
}

// scheme start, scheme, no scheme, special relative or authority states.
void UrlParser::read_scheme() {
  size_t i = 0;
  if (!input_.empty() && is_alpha(input_[0])) {
    while (i < input_.size() && is_scheme_char(input_[i])) ++i;
  }
  if (i > 0 && at(i) == ':') {
    std::string scheme(input_.substr(0, i));
    for (char& c : scheme) c = static_cast<char>(c | 0x20);  // scheme chars: lower-case
    if (scheme != "http" && scheme != "https") {
      fail("unsupported scheme '" + scheme + "' (only http and https)");
    }
    url_.scheme_ = std::move(scheme);
    size_t p = i + 1;
    if (base_ != nullptr && base_->scheme_ == url_.scheme_) {
      // Same scheme as the page: "http:next.html" is relative, "http://h" is not.
      if (at(p) == '/' && at(p + 1) == '/') return read_authority(p + 2);
      return read_relative(p);
    }
    return read_authority(p);  // special authority slashes: any number, '\' too
  }
  if (base_ == nullptr) fail("missing scheme (an absolute http or https URL is needed)");
  url_.scheme_ = base_->scheme_;
  read_relative(0);
}

void UrlParser::copy_base_authority() {
  url_.userinfo_ = base_->userinfo_;
  url_.host_ = base_->host_;
  url_.ipv6_ = base_->ipv6_;
  url_.port_ = base_->port_;
}

// relative and relative slash states.
void UrlParser::read_relative(size_t p) {
  if (is_slash(at(p))) {
    if (is_slash(at(p + 1))) return read_authority(p + 2);
    copy_base_authority();
    return read_path(p + 1);
  }
  copy_base_authority();
  url_.path_ = base_->path_;
  if (at_end(p)) {
    url_.query_ = base_->query_;
    url_.has_query_ = base_->has_query_;
    return finish();
  }
  if (at(p) == '?') return read_query(p + 1);
  if (at(p) == '#') {
    url_.query_ = base_->query_;
    url_.has_query_ = base_->has_query_;
    return read_fragment(p + 1);
  }
  shorten_path();
  read_path(p);
}

// special authority ignore slashes, authority, host and port states.
void UrlParser::read_authority(size_t p) {
  while (is_slash(at(p))) ++p;
  size_t end = p;
  while (!at_end(end) && !is_slash(input_[end]) && input_[end] != '?' && input_[end] != '#') ++end;
  std::string_view authority = input_.substr(p, end - p);

  const size_t at_sign = authority.rfind('@');
  if (at_sign != std::string_view::npos) {
    read_userinfo(authority.substr(0, at_sign));
    authority.remove_prefix(at_sign + 1);
    if (authority.empty()) fail("missing host after the credentials");
  }

  // The port starts at the first ':' outside brackets.
  size_t colon = std::string_view::npos;
  bool in_brackets = false;
  for (size_t i = 0; i < authority.size() && colon == std::string_view::npos; ++i) {
    if (authority[i] == '[') in_brackets = true;
    if (authority[i] == ']') in_brackets = false;
    if (authority[i] == ':' && !in_brackets) colon = i;
  }
  const std::string_view host_text = authority.substr(0, colon);
  if (host_text.empty()) fail("empty host");
  Host host;
  const std::string error = parse_host(host_text, host);
  if (!error.empty()) fail(error);
  url_.host_ = std::move(host.name);
  url_.ipv6_ = host.kind == HostKind::ipv6;
  url_.port_ = url_.default_port();
  if (colon != std::string_view::npos) read_port(authority.substr(colon + 1));

  // path start state: one '/' or '\' belongs to the path.
  if (is_slash(at(end))) ++end;
  read_path(end);
}

void UrlParser::read_userinfo(std::string_view userinfo) {
  const size_t colon = userinfo.find(':');
  append_percent_encoded(url_.userinfo_, userinfo.substr(0, colon), EncodeSet::userinfo);
  if (colon == std::string_view::npos || colon + 1 == userinfo.size()) return;
  url_.userinfo_ += ':';
  append_percent_encoded(url_.userinfo_, userinfo.substr(colon + 1), EncodeSet::userinfo);
}

void UrlParser::read_port(std::string_view digits) {
  if (digits.empty()) return;  // "http://h:/" has the default port
  uint32_t value = 0;
  for (const char c : digits) {
    if (c < '0' || c > '9') fail("invalid port '" + std::string(digits) + "'");
    value = value * 10 + static_cast<uint32_t>(c - '0');
    if (value > 65535) fail("port out of range (0-65535): '" + std::string(digits) + "'");
  }
  url_.port_ = static_cast<uint16_t>(value);
}

// shorten a URL's path: drop its last segment.
void UrlParser::shorten_path() {
  const size_t slash = url_.path_.rfind('/');
  if (slash != std::string::npos) url_.path_.erase(slash);
}

// path state. url_.path_ holds the segments so far, each after a '/'.
void UrlParser::read_path(size_t p) {
  while (true) {
    size_t end = p;
    while (!at_end(end) && !is_slash(input_[end]) && input_[end] != '?' && input_[end] != '#')
      ++end;
    const std::string_view segment = input_.substr(p, end - p);
    const bool more = is_slash(at(end));  // another segment follows
    if (is_double_dot(segment)) {
      shorten_path();
      if (!more) url_.path_ += '/';
    } else if (is_single_dot(segment)) {
      if (!more) url_.path_ += '/';
    } else {
      url_.path_ += '/';
      append_percent_encoded(url_.path_, segment, EncodeSet::path);
    }
    if (!more) {
      if (at(end) == '?') return read_query(end + 1);
      if (at(end) == '#') return read_fragment(end + 1);
      return finish();
    }
    p = end + 1;
  }
}

// query state (the special-query percent-encode set: ' is encoded too).
void UrlParser::read_query(size_t p) {
  url_.has_query_ = true;
  url_.query_.clear();
  const size_t hash = input_.find('#', p);
  const size_t end = hash == std::string_view::npos ? input_.size() : hash;
  append_percent_encoded(url_.query_, input_.substr(p, end - p), EncodeSet::special_query);
  if (hash != std::string_view::npos) return read_fragment(hash + 1);
  finish();
}

// fragment state.
void UrlParser::read_fragment(size_t p) {
  url_.has_fragment_ = true;
  append_percent_encoded(url_.fragment_, input_.substr(p), EncodeSet::fragment);
  finish();
}

void UrlParser::finish() {
  url_.serialise();
}

Url UrlParser::parse(std::string_view input, const Url* base) {
  UrlParser parser(input, base);
  parser.strip();
  parser.read_scheme();
  return std::move(parser.url_);
}

}  // namespace uvscrape::url_detail
