// The connection-pool key of a request: its origin as Url::origin() writes it
// ("scheme://host:port"), plus the TLS settings for https (a connection
// verified against one CA must not serve a request that trusts another).
#pragma once

#include <string>
#include <string_view>

#include "http/client.hpp"
#include "uvscrape/url.hpp"

namespace uvscrape::http {

// Both write into `out`, reusing its buffer: a normalised URL (lower-case
// scheme and host, no user info) costs no allocation once `out` has grown.
void pool_key(const Url& url, const RequestOptions& options, std::string& out);
// False if `url` is not an http(s) URL (the request will fail with UrlError).
bool pool_key(std::string_view url, const RequestOptions& options, std::string& out);

}  // namespace uvscrape::http
