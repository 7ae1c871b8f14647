// Request/Response <-> HTTP client types; see http_mapping.hpp.
#include "driver/http_mapping.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>
#include <variant>

#include "common/ascii.hpp"
#include "scraper/response_internals.hpp"

namespace uvscrape::driver {
namespace {

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// The value after the first "charset=" (any case) in `text`; "" if none.
std::string_view charset_in(std::string_view text) {
  constexpr std::string_view kKey = "charset=";
  for (size_t i = 0; i + kKey.size() <= text.size(); ++i) {
    if (lower(text[i]) != 'c') continue;  // cheap first-byte filter: this runs on every page
    size_t k = 1;
    while (k < kKey.size() && lower(text[i + k]) == kKey[k]) ++k;
    if (k != kKey.size()) continue;
    size_t start = i + kKey.size();
    while (start < text.size() && (text[start] == '"' || text[start] == '\'')) ++start;
    size_t end = start;
    while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) ||
                                 text[end] == '-' || text[end] == '_'))
      ++end;
    return text.substr(start, end - start);
  }
  return {};
}

// The charset of the first <meta ...charset=...> in `html`; "" if none. Skips
// from '<' to '<' (memchr speed): most pages declare nothing or UTF-8.
std::string_view meta_charset(std::string_view html) {
  for (size_t at = html.find('<'); at != std::string_view::npos; at = html.find('<', at + 1)) {
    if (html.size() - at < 6) break;
    if (lower(html[at + 1]) != 'm' || lower(html[at + 2]) != 'e' || lower(html[at + 3]) != 't' ||
        lower(html[at + 4]) != 'a')
      continue;
    const size_t end = html.find('>', at);
    const std::string_view tag = html.substr(at, end == std::string_view::npos ? end : end - at);
    if (auto cs = charset_in(tag); !cs.empty()) return cs;
  }
  return {};
}

// The declared charset, from Content-Type or an early <meta charset>; "" if none.
std::string_view declared_charset(const http::HttpResponse& http) {
  if (auto type = http.headers.get("Content-Type")) {
    if (auto cs = charset_in(*type); !cs.empty()) return cs;
  }
  return meta_charset(std::string_view(http.body).substr(0, 1024));
}

bool is_utf8_or_ascii(std::string_view charset) {
  return charset.empty() || iequals(charset, "utf-8") || iequals(charset, "utf8") ||
         iequals(charset, "us-ascii") || iequals(charset, "ascii");
}

}  // namespace

http::ClientOptions client_options(const DriverOptions& options) {
  http::ClientOptions out;
  out.connect_timeout = options.connect_timeout;
  out.tls_timeout = options.tls_timeout;
  out.first_byte_timeout = options.first_byte_timeout;
  out.idle_timeout = options.idle_timeout;
  out.total_timeout = options.total_timeout;
  out.max_connections_per_origin = options.max_connections_per_origin != 0
                                       ? options.max_connections_per_origin
                                       : std::max<std::size_t>(options.num_workers, 1);
  out.max_connections_total = options.max_connections_total;
  out.max_redirects = options.max_redirects;
  out.max_header_bytes = options.max_header_bytes;
  out.max_body_bytes = options.max_body_bytes;
  out.max_decoded_bytes = options.max_decoded_bytes;
  out.user_agent = options.user_agent;
  out.ca_file = options.ca_file;
  return out;
}

http::HttpRequest to_http_request(const Request& request, const DriverOptions& options,
                                  bool follow_redirects) {
  http::HttpRequest out;
  out.method = std::string(to_string(request.method()));
  out.url = request.url();
  out.params = request.params();
  out.headers = request.effective_headers();
  out.cookies = request.effective_cookies();
  const RequestBody& data = request.body();
  if (const auto* form = std::get_if<NameValueList>(&data)) out.form = *form;
  if (const auto* bytes = std::get_if<std::string>(&data)) out.body = *bytes;
  if (request.json()) out.json = request.json_text();
  out.options.verify_tls = options.verify_tls && request.verify();
  out.options.ca_file = options.ca_file;
  out.options.follow_redirects = follow_redirects;
  out.options.max_redirects = options.max_redirects;
  if (auto seconds = request.timeout()) {
    out.options.total_timeout = std::chrono::milliseconds(static_cast<long long>(*seconds * 1000));
  }
  return out;
}

Response to_response(http::HttpResponse&& http, std::shared_ptr<const Request> request) {
  const std::string_view charset = declared_charset(http);
  std::optional<std::string> text;
  if (!is_utf8_or_ascii(charset)) text = http.text();
  Response out(http.status, std::move(http.headers), std::move(http.body), std::move(http.url),
               std::move(request));
  out.redirect_chain = std::move(http.redirect_chain);
  if (text) detail::ResponseAccess::set_text(out, std::move(*text));
  return out;
}

}  // namespace uvscrape::driver
