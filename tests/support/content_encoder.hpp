// Compresses a response body the way a server applies Content-Encoding.
#pragma once

#include <string>
#include <string_view>

#include "http_exchange.hpp"

namespace uvscrape::testing {

// Returns `body` encoded with `encoding` (identity returns it unchanged).
// Throws std::runtime_error if the compressor fails.
std::string encode_body(std::string_view body, ContentEncoding encoding);

// The Content-Encoding token for `encoding` ("gzip", "deflate", "br"); empty for identity.
std::string_view content_encoding_token(ContentEncoding encoding);

}  // namespace uvscrape::testing
