#include "url/parsed_reference.hpp"

#include <cstdint>

#include "common/ascii.hpp"
#include "uvscrape/errors.hpp"

namespace uvscrape::url_detail {
namespace {

std::string_view range_view(const UriTextRangeA& range) noexcept {
  if (range.first == nullptr || range.afterLast == nullptr) return {};
  return {range.first, static_cast<size_t>(range.afterLast - range.first)};
}

std::string describe_syntax_error(const std::string& text, const char* error_pos) {
  if (error_pos == nullptr || error_pos < text.data() || error_pos > text.data() + text.size()) {
    return "not a valid URI reference";
  }
  const auto offset = static_cast<size_t>(error_pos - text.data());
  if (offset == text.size()) return "not a valid URI reference (unexpected end)";
  const unsigned char c = static_cast<unsigned char>(text[offset]);
  const std::string shown = c == ' '                ? std::string("space")
                            : c >= 0x21 && c < 0x7F ? std::string("'") + static_cast<char>(c) + "'"
                                                    : "byte " + std::to_string(c);
  return "invalid character (" + shown + ") at position " + std::to_string(offset) + " of \"" +
         text + "\"";
}

}  // namespace

bool is_http_scheme(std::string_view scheme) noexcept {
  return ascii_iequals(scheme, "http") || ascii_iequals(scheme, "https");
}

uint16_t default_port(std::string_view scheme) noexcept {
  if (ascii_iequals(scheme, "http") || ascii_iequals(scheme, "ws")) return 80;
  if (ascii_iequals(scheme, "https") || ascii_iequals(scheme, "wss")) return 443;
  return 0;
}

ParsedReference::ParsedReference(std::string escaped, std::string_view original)
    : text_(std::move(escaped)) {
  const char* error_pos = nullptr;
  const int rc = uriParseSingleUriExA(&uri_, text_.data(), text_.data() + text_.size(), &error_pos);
  if (rc != URI_SUCCESS) {
    throw UrlError(std::string(original),
                   rc == URI_ERROR_SYNTAX
                       ? describe_syntax_error(text_, error_pos)
                       : "could not be parsed (uriparser error " + std::to_string(rc) + ")");
  }
  parsed_ = true;
}

ParsedReference::~ParsedReference() {
  if (parsed_) uriFreeUriMembersA(&uri_);
}

std::string_view ParsedReference::scheme() const noexcept {
  return range_view(uri_.scheme);
}

void ParsedReference::canonicalise_port(std::string_view effective_scheme,
                                        std::string_view original) {
  const std::string_view digits = range_view(uri_.portText);
  if (uri_.portText.first == nullptr) return;
  uint32_t value = 0;
  for (const char c : digits) {  // uriparser only lets digits through
    value = value * 10 + static_cast<uint32_t>(c - '0');
    if (value > 65535) throw UrlError(std::string(original), "port out of range (1-65535)");
  }
  if (!digits.empty() && value == 0) {
    throw UrlError(std::string(original), "port 0 is not a valid port");
  }
  if (digits.empty() || value == default_port(effective_scheme)) {
    // The parse does not own its text yet, so re-pointing ranges is safe.
    uri_.portText.first = nullptr;
    uri_.portText.afterLast = nullptr;
    return;
  }
  port_ = std::to_string(value);
  if (port_ != digits) {
    uri_.portText.first = port_.data();
    uri_.portText.afterLast = port_.data() + port_.size();
  }
}

void ParsedReference::normalise(std::string_view original) {
  unsigned int wanted = URI_NORMALIZE_SCHEME | URI_NORMALIZE_HOST;
  if (uri_.hostData.ip6 != nullptr) {
    // uriparser would expand "::1" to eight groups; lower-casing in place
    // keeps the address as written and every range valid.
    wanted &= ~static_cast<unsigned int>(URI_NORMALIZE_HOST);
    const auto begin = static_cast<size_t>(uri_.hostText.first - text_.data());
    const auto end = static_cast<size_t>(uri_.hostText.afterLast - text_.data());
    for (size_t i = begin; i < end && i < text_.size(); ++i) {
      if (text_[i] >= 'A' && text_[i] <= 'Z') text_[i] = static_cast<char>(text_[i] | 0x20);
    }
  }
  if (has_scheme()) wanted |= URI_NORMALIZE_PATH;  // dot segments only go from absolute URIs
  unsigned int needed = 0;
  if (uriNormalizeSyntaxMaskRequiredExA(&uri_, &needed) != URI_SUCCESS) needed = wanted;
  needed &= wanted;
  if (needed == 0) return;
  if (uriNormalizeSyntaxExA(&uri_, needed) != URI_SUCCESS) {
    throw UrlError(std::string(original), "could not be normalised");
  }
}

std::string to_text(const UriUriA& uri, std::string_view original) {
  int required = 0;
  if (uriToStringCharsRequiredA(&uri, &required) != URI_SUCCESS) {
    throw UrlError(std::string(original), "could not be serialised");
  }
  std::string out(static_cast<size_t>(required) + 1, '\0');
  int written = 0;
  if (uriToStringA(out.data(), &uri, required + 1, &written) != URI_SUCCESS) {
    throw UrlError(std::string(original), "could not be serialised");
  }
  out.resize(written > 0 ? static_cast<size_t>(written) - 1 : 0);  // written counts the NUL

  // uriparser prints an IPv6 host fully expanded; keep the address as written.
  if (uri.hostData.ip6 != nullptr) {
    const size_t open = out.find('[');
    const size_t close = open == std::string::npos ? open : out.find(']', open);
    if (close != std::string::npos)
      out.replace(open + 1, close - open - 1, range_view(uri.hostText));
  }

  // "http://h" and "http://h/" name the same resource (RFC 3986 §6.2.3).
  if (uri.hostText.first != nullptr && is_http_scheme(range_view(uri.scheme))) {
    const size_t authority = out.find("//");
    const size_t path = out.find_first_of("/?#", authority + 2);
    if (path == std::string::npos) {
      out += '/';
    } else if (out[path] != '/') {
      out.insert(path, 1, '/');
    }
  }
  return out;
}

}  // namespace uvscrape::url_detail
