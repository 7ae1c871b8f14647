// One URI reference parsed by uriparser, owning the text the parse points into.
#pragma once

#include <uriparser/Uri.h>

#include <string>
#include <string_view>

namespace uvscrape::url_detail {

class ParsedReference {
 public:
  // `escaped` is the output of escape_reference; `original` names the URL in
  // errors. Throws UrlError when uriparser rejects the text.
  ParsedReference(std::string escaped, std::string_view original);
  ~ParsedReference();
  ParsedReference(const ParsedReference&) = delete;
  ParsedReference& operator=(const ParsedReference&) = delete;

  const UriUriA* uri() const noexcept { return &uri_; }
  bool has_scheme() const noexcept { return uri_.scheme.first != nullptr; }
  bool has_host() const noexcept { return uri_.hostText.first != nullptr; }
  std::string_view scheme() const noexcept;

  // Validates the port (1..65535), drops leading zeros, and drops it altogether
  // when empty or the default of `effective_scheme`. Call before normalise().
  void canonicalise_port(std::string_view effective_scheme, std::string_view original);
  // Lower-cases scheme and host; for absolute URIs also removes dot segments.
  void normalise(std::string_view original);

 private:
  std::string text_;  // never resized after parsing: uri_ points into it
  std::string port_;  // canonical port digits uri_ may point to
  UriUriA uri_{};
  bool parsed_ = false;
};

// Serialises `uri` (http(s) with an empty path gets "/"). Throws UrlError.
std::string to_text(const UriUriA& uri, std::string_view original);

bool is_http_scheme(std::string_view scheme) noexcept;
uint16_t default_port(std::string_view scheme) noexcept;  // 0 when unknown

}  // namespace uvscrape::url_detail
