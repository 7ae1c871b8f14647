// A calendar date, read and written as ISO `YYYY-MM-DD` (model fields, entry parameters).
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>

#include "uvscrape/errors.hpp"
#include "uvscrape/json.hpp"

namespace uvscrape {

struct Date {
  int year = 1970;
  int month = 1;
  int day = 1;

  // Strict `YYYY-MM-DD` with a real calendar day; nullopt otherwise.
  static std::optional<Date> parse_iso(std::string_view text) noexcept;
  std::string iso() const;

  auto operator<=>(const Date&) const = default;
};

inline void to_json(Json& j, const Date& d) {
  j = d.iso();
}

}  // namespace uvscrape
