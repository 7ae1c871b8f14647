// See stored_names.hpp.
#include "store/stored_names.hpp"

namespace uvscrape::store {

const char* state_name(std::int64_t state) {
  switch (state) {
    case 0: return "pending";
    case 1: return "in_flight";
    case 2: return "done";
    case 3: return "failed";
  }
  return "unknown";
}

std::optional<int> state_number(std::string_view name) {
  for (int s = 0; s < 4; ++s)
    if (name == state_name(s)) return s;
  return std::nullopt;
}

std::string host_of(std::string_view url) {
  auto start = url.find("://");
  start = start == std::string_view::npos ? 0 : start + 3;
  const auto end = url.find_first_of("/?#", start);
  return std::string(url.substr(start, end == std::string_view::npos ? url.npos : end - start));
}

}  // namespace uvscrape::store
