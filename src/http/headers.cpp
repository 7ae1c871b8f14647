// Implementation of uvscrape::Headers (include/uvscrape/headers.hpp).
#include "uvscrape/headers.hpp"

#include "common/ascii.hpp"

namespace uvscrape {

std::optional<std::string_view> Headers::get(std::string_view name) const {
  for (const auto& [key, value] : items_) {
    if (iequals(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

std::vector<std::string_view> Headers::get_all(std::string_view name) const {
  std::vector<std::string_view> values;
  for (const auto& [key, value] : items_) {
    if (iequals(key, name)) values.emplace_back(value);
  }
  return values;
}

}  // namespace uvscrape
