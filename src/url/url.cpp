// Url, normalise_url, resolve_url: uriparser does the parsing and the RFC 3986
// §5.2 resolution; this file adds normalisation and http(s) validation.
#include "uvscrape/url.hpp"

#include <uriparser/Uri.h>

#include <algorithm>

#include "url/escape.hpp"
#include "url/parsed_reference.hpp"
#include "uvscrape/errors.hpp"

namespace uvscrape {
namespace {

using url_detail::ParsedReference;

// The result of uriAddBaseUri, freed on every path.
class ResolvedUri {
 public:
  ResolvedUri() = default;
  ~ResolvedUri() {
    if (filled_) uriFreeUriMembersA(&uri_);
  }
  ResolvedUri(const ResolvedUri&) = delete;
  ResolvedUri& operator=(const ResolvedUri&) = delete;
  UriUriA* out() noexcept { return &uri_; }
  void mark_filled() noexcept { filled_ = true; }
  const UriUriA& uri() const noexcept { return uri_; }

 private:
  UriUriA uri_{};
  bool filled_ = false;
};

bool is_host_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

bool is_ipv6_char(char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == ':' || c == '.';
}

// Removing dot segments from the path of a URL without an authority can leave
// it starting with "//" ("http:/..//g" -> "http://g"), which then reads as an
// authority: a host out of a path. A "/." in front keeps it a path, as uriparser's
// resolution and the WHATWG serialiser do. Found by the url fuzz target.
void keep_path_apart_from_authority(std::string& text, const UriUriA& uri) {
  if (uri.hostText.first != nullptr || uri.scheme.first == nullptr) return;
  const auto path = static_cast<size_t>(uri.scheme.afterLast - uri.scheme.first) + 1;  // "x:"
  if (text.compare(path, 2, "//") == 0) text.insert(path, "/.");
}

}  // namespace

std::string normalise_url(std::string_view url) {
  ParsedReference ref(url_detail::escape_reference(url), url);
  ref.canonicalise_port(ref.scheme(), url);
  ref.normalise(url);
  std::string text = url_detail::to_text(*ref.uri(), url);
  keep_path_apart_from_authority(text, *ref.uri());
  return text;
}

std::string resolve_url(std::string_view base, std::string_view reference) {
  if (base.empty()) return normalise_url(reference);

  ParsedReference base_ref(url_detail::escape_reference(base), base);
  if (!base_ref.has_scheme()) {
    throw UrlError(std::string(base), "base URL is not absolute (no scheme)");
  }
  base_ref.canonicalise_port(base_ref.scheme(), base);
  base_ref.normalise(base);

  ParsedReference ref(url_detail::escape_reference(reference), reference);
  ref.canonicalise_port(ref.has_scheme() ? ref.scheme() : base_ref.scheme(), reference);
  ref.normalise(reference);

  ResolvedUri resolved;
  if (uriAddBaseUriExA(resolved.out(), ref.uri(), base_ref.uri(), URI_RESOLVE_STRICTLY) !=
      URI_SUCCESS) {
    throw UrlError(std::string(reference),
                   "cannot be resolved against \"" + std::string(base) + "\"");
  }
  resolved.mark_filled();
  std::string text = url_detail::to_text(resolved.uri(), reference);
  // uriparser keeps a "/." in front of a path that resolves to start with "//"
  // ("../..//g" against "http://a/b/c/d" gives "http://a/.//g"), which parsing the
  // result removes: with an authority the "/." is not needed, so normalise once
  // more and resolving and parsing agree. (Without one it must stay: "foo://g"
  // would name a host.) Found by the url fuzz target.
  const bool has_authority = resolved.uri().hostText.first != nullptr;
  if (!has_authority) {
    keep_path_apart_from_authority(text, resolved.uri());  // "http:/..//g" as a reference
  } else if (text.find("/.") != std::string::npos) {
    text = normalise_url(text);
  }
  return text;
}

std::string encode_form(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string out;
  for (const auto& [name, value] : pairs) {
    if (!out.empty()) out += '&';
    url_detail::append_form_encoded(out, name);
    out += '=';
    url_detail::append_form_encoded(out, value);
  }
  return out;
}

std::string with_query(std::string_view url,
                       const std::vector<std::pair<std::string, std::string>>& params) {
  if (params.empty()) return std::string(url);
  const size_t hash = url.find('#');
  const std::string_view before = url.substr(0, hash);
  const std::string_view fragment = hash == std::string_view::npos ? "" : url.substr(hash);
  std::string out(before);
  const size_t question = before.find('?');
  if (question == std::string_view::npos) {
    out += '?';
  } else if (question + 1 < before.size() && before.back() != '&') {
    out += '&';
  }
  out += encode_form(params);
  out += fragment;
  return out;
}

// --- Url ----------------------------------------------------------------------

Url Url::parse(std::string_view text) {
  return from_normalised(normalise_url(text), text);
}

Url Url::resolve(std::string_view reference) const {
  std::string resolved = resolve_url(text_, reference);
  const std::string shown = resolved;
  return from_normalised(std::move(resolved), shown);
}

Url Url::from_normalised(std::string normalised, std::string_view original) {
  auto fail = [&](const std::string& reason) -> UrlError {
    return UrlError(std::string(original), reason);
  };
  const std::string_view s = normalised;
  const size_t colon = s.find(':');
  const size_t first_delim = s.find_first_of("/?#");
  if (colon == std::string_view::npos ||
      (first_delim != std::string_view::npos && first_delim < colon)) {
    throw fail("missing scheme (an absolute http or https URL is needed)");
  }
  Url url;
  url.scheme_ = std::string(s.substr(0, colon));
  if (url.scheme_ != "http" && url.scheme_ != "https") {
    throw fail("unsupported scheme '" + url.scheme_ + "' (only http and https)");
  }
  if (s.substr(colon + 1, 2) != "//") throw fail("missing host");

  const size_t authority_begin = colon + 3;
  size_t authority_end = s.find_first_of("/?#", authority_begin);
  if (authority_end == std::string_view::npos) authority_end = s.size();
  std::string_view authority = s.substr(authority_begin, authority_end - authority_begin);

  const size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    url.userinfo_ = std::string(authority.substr(0, at));
    authority.remove_prefix(at + 1);
  }
  std::string_view host, port;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) throw fail("unterminated IPv6 address");
    host = authority.substr(1, close - 1);
    for (const char c : host) {
      if (!is_ipv6_char(c)) throw fail("invalid IPv6 address '" + std::string(host) + "'");
    }
    url.ipv6_ = true;
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') throw fail("invalid characters after the IPv6 address");
      port = authority.substr(close + 2);
    }
  } else {
    const size_t port_colon = authority.find(':');
    host = authority.substr(0, port_colon);
    if (port_colon != std::string_view::npos) port = authority.substr(port_colon + 1);
    for (const char c : host) {
      if (!is_host_char(c)) {
        throw fail("invalid character in host '" + std::string(host) + "'");
      }
    }
  }
  if (host.empty()) throw fail("empty host");
  url.host_ = std::string(host);

  url.port_ = url.scheme_ == "https" ? 443 : 80;
  if (!port.empty()) {
    unsigned value = 0;
    for (const char c : port) {
      if (c < '0' || c > '9') throw fail("invalid port '" + std::string(port) + "'");
      value = value * 10 + static_cast<unsigned>(c - '0');
      if (value > 65535) throw fail("port out of range (1-65535)");
    }
    url.port_ = static_cast<uint16_t>(value);
  }

  const size_t path_end = std::min(s.find_first_of("?#", authority_end), s.size());
  url.path_ = std::string(s.substr(authority_end, path_end - authority_end));
  if (path_end < s.size() && s[path_end] == '?') {
    url.has_query_ = true;
    const size_t query_end = std::min(s.find('#', path_end), s.size());
    url.query_ = std::string(s.substr(path_end + 1, query_end - path_end - 1));
  }
  const size_t hash = s.find('#', authority_end);
  if (hash != std::string_view::npos) {
    url.has_fragment_ = true;
    url.fragment_ = std::string(s.substr(hash + 1));
  }
  url.text_ = std::move(normalised);
  return url;
}

std::string Url::str_without_fragment() const {
  if (!has_fragment_) return text_;
  return text_.substr(0, text_.size() - fragment_.size() - 1);
}

std::string Url::request_target() const {
  std::string target = path_.empty() ? std::string("/") : path_;
  if (has_query_) {
    target += '?';
    target += query_;
  }
  return target;
}

std::string Url::host_header() const {
  std::string out = ipv6_ ? "[" + host_ + "]" : host_;
  if (port_ != (is_https() ? 443 : 80)) {
    out += ':';
    out += std::to_string(port_);
  }
  return out;
}

std::string Url::origin() const {
  std::string out = scheme_ + "://";
  out += ipv6_ ? "[" + host_ + "]" : host_;
  out += ':';
  out += std::to_string(port_);
  return out;
}

}  // namespace uvscrape
