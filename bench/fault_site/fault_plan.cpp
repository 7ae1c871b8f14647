#include "fault_plan.hpp"

#include <cstdint>

namespace uvscrape::bench {
namespace {

// FNV-1a over the path, then a 64-bit finalizer (splitmix64's) so that paths
// differing only in a digit land in unrelated buckets.
std::uint64_t path_hash(std::string_view path) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : path) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  return h ^ (h >> 31);
}

}  // namespace

bool PathFault::servable() const {
  switch (fault) {
    case Fault::none:
    case Fault::unavailable_then_ok:
    case Fault::stall: return true;
    default: return false;
  }
}

bool PathFault::fails_attempt(unsigned n) const {
  switch (fault) {
    case Fault::none:
    case Fault::stall: return false;
    case Fault::unavailable_then_ok: return n <= failures;
    default: return true;
  }
}

PathFault fault_for(std::string_view path, bool reliable) {
  const auto bucket = static_cast<unsigned>(path_hash(path) % 1000);
  PathFault f;
  if (bucket < 15) {
    f = {Fault::unavailable_then_ok, 1};
  } else if (bucket < 25) {
    f = {Fault::unavailable_then_ok, 2};
  } else if (bucket < 60) {
    if (reliable) return f;
    if (bucket < 35)
      f.fault = Fault::unavailable;
    else if (bucket < 42)
      f.fault = Fault::truncated_body;
    else if (bucket < 49)
      f.fault = Fault::connection_reset;
    else if (bucket < 55)
      f.fault = Fault::garbage_status_line;
    else
      f.fault = Fault::bad_chunked_encoding;
  } else if (bucket < 70) {
    f.fault = Fault::stall;
  }
  return f;
}

const char* to_string(Fault fault) {
  switch (fault) {
    case Fault::none: return "none";
    case Fault::unavailable_then_ok: return "503-then-ok";
    case Fault::unavailable: return "503";
    case Fault::truncated_body: return "truncated";
    case Fault::connection_reset: return "reset";
    case Fault::garbage_status_line: return "garbage-status";
    case Fault::bad_chunked_encoding: return "bad-chunk";
    case Fault::stall: return "stall";
  }
  return "?";
}

}  // namespace uvscrape::bench
