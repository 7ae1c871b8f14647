#include "uvscrape/http_method.hpp"

#include <array>
#include <utility>

namespace uvscrape {
namespace {
constexpr std::array<std::pair<HttpMethod, std::string_view>, 7> kNames{{
    {HttpMethod::GET, "GET"},
    {HttpMethod::OPTIONS, "OPTIONS"},
    {HttpMethod::POST, "POST"},
    {HttpMethod::PUT, "PUT"},
    {HttpMethod::DELETE, "DELETE"},
    {HttpMethod::PATCH, "PATCH"},
    {HttpMethod::HEAD, "HEAD"},
}};
}  // namespace

std::string_view to_string(HttpMethod method) noexcept {
  for (const auto& [m, name] : kNames)
    if (m == method) return name;
  return "GET";
}

std::optional<HttpMethod> parse_http_method(std::string_view text) noexcept {
  for (const auto& [m, name] : kNames)
    if (name == text) return m;
  return std::nullopt;
}

}  // namespace uvscrape
