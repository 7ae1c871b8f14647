// The HTTP methods a Request may use.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace uvscrape {

enum class HttpMethod : std::uint8_t { GET, OPTIONS, POST, PUT, DELETE, PATCH, HEAD };

// "GET", "POST", ...
std::string_view to_string(HttpMethod method) noexcept;
// Case-sensitive, as methods are on the wire; nullopt for anything else.
std::optional<HttpMethod> parse_http_method(std::string_view text) noexcept;

}  // namespace uvscrape
