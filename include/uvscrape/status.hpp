// HTTP status classification per scraper: every code
// is successful, transient (retrying may help) or persistent. Codes in no set
// are persistent, so an unexpected 3xx or 520 fails fast.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <vector>

namespace uvscrape {

enum class StatusClass : std::uint8_t { successful, transient, persistent };
const char* to_string(StatusClass cls) noexcept;

class StatusClassifier {
 public:
  // Defaults: successful {200-208, 226, 304}; transient {408, 425, 429, 502, 503,
  // 504}; persistent {400-407, 409-418, 421-424, 426, 428, 431, 451, 500, 501,
  // 505-508, 510, 511}; everything else persistent.
  StatusClassifier();

  StatusClass classify(int code) const noexcept;
  // Overrides the class of `codes` (e.g. treat 500 as transient, 302 as successful).
  StatusClassifier& set(std::initializer_list<int> codes, StatusClass cls);
  StatusClassifier& set(int code, StatusClass cls);
  // Every code of that class between 100 and 599, ascending.
  std::vector<int> codes(StatusClass cls) const;

 private:
  std::array<StatusClass, 600> table_;
};

}  // namespace uvscrape
