// The non-template parts of the frontier; see frontier.hpp.
#include "driver/frontier.hpp"

#include <cctype>

namespace uvscrape::driver {

std::string host_key(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {};
  std::string_view authority = url.substr(scheme_end + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos)
    authority.remove_prefix(at + 1);
  std::string_view host = authority;
  if (!host.empty() && host.front() == '[') {  // IPv6 literal: up to the bracket
    host = host.substr(0, host.find(']') + 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  std::string key(host);
  for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return key;
}

HostLimits stricter(const HostLimits& a, const HostLimits& b) {
  auto smaller_nonzero = [](auto x, auto y) { return x == 0 ? y : y == 0 ? x : std::min(x, y); };
  HostLimits out;
  out.max_in_flight = smaller_nonzero(a.max_in_flight, b.max_in_flight);
  out.rate = smaller_nonzero(a.rate, b.rate);
  // The burst of whichever rate is in force (the smaller burst when both are).
  if (a.rate > 0 && b.rate > 0) {
    out.burst = std::min(a.burst, b.burst);
  } else {
    out.burst = a.rate > 0 ? a.burst : b.rate > 0 ? b.burst : std::min(a.burst, b.burst);
  }
  return out;
}

}  // namespace uvscrape::driver
