// Request/Response <-> HTTP client types; see http_mapping.hpp.
#include "driver/http_mapping.hpp"

#include <algorithm>
#include <variant>

#include "scraper/response_internals.hpp"

namespace uvscrape::driver {

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
  out.proxy = options.proxy;
  out.no_proxy = options.no_proxy;
  out.proxy_from_env = options.proxy_from_env;
  out.lenient.transfer_encoding = options.lenient_transfer_encoding;
  out.lenient.chunked_length = options.lenient_chunked_length;
  out.lenient.headers = options.lenient_headers;
  out.lenient.keep_alive = options.lenient_keep_alive;
  out.tls.min_version = options.tls_min_version;
  out.tls.max_version = options.tls_max_version;
  out.tls.ciphers = options.tls_ciphers;
  out.tls.client_cert_file = options.tls_client_cert_file;
  out.tls.client_key_file = options.tls_client_key_file;
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
  out.options.proxy = request.proxy();
  out.options.follow_redirects = follow_redirects;
  out.options.max_redirects = options.max_redirects;
  if (auto seconds = request.timeout()) {
    out.options.total_timeout = std::chrono::milliseconds(static_cast<long long>(*seconds * 1000));
  }
  return out;
}

Response to_response(http::HttpResponse&& http, std::shared_ptr<const Request> request) {
  Response out(http.status, std::move(http.headers), std::move(http.body), std::move(http.url),
               std::move(request));
  out.redirect_chain = std::move(http.redirect_chain);
  detail::ResponseAccess::set_cookies(out, std::move(http.cookies));
  return out;
}

}  // namespace uvscrape::driver
