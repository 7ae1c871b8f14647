// Speculative templates (docs/design.md, "Speculation"): models that describe a run of sequential
// IDs whose existence is unknown. An entry parameter of such a type makes the
// entry speculative: the driver probes IDs and keeps going while they exist.
//
// A template provides `seed_range()` (half-open [start, stop), may be empty),
// `from_int(n)` (a copy for ID n), `max_gap()` (consecutive misses before giving
// up, >= 0) and a `should_advance` flag (probe past the seed range).
#pragma once

#include <concepts>

#include "uvscrape/model.hpp"

namespace uvscrape {

struct IdRange {
  long start = 0;
  long stop = 0;
  bool operator==(const IdRange&) const = default;
};

template <class T>
concept Speculative = Model<T> && requires(const T& t, long n) {
  { t.seed_range() } -> std::same_as<IdRange>;
  { t.from_int(n) } -> std::same_as<T>;
  { t.max_gap() } -> std::convertible_to<long>;
  { t.should_advance } -> std::convertible_to<bool>;
};

// IDs min, min+1, ... : the seed range is [min, soft_max); probing goes on past it
// while fewer than `gap` consecutive IDs are missing. `min` is the ID to fetch.
struct SpeculativeRange {
  long min = 1;
  long soft_max = 0;
  bool should_advance = true;
  long gap = 10;

  IdRange seed_range() const { return {min, soft_max}; }
  SpeculativeRange from_int(long n) const {
    SpeculativeRange copy = *this;
    copy.min = n;
    return copy;
  }
  long max_gap() const { return gap; }
};
UVSCRAPE_MODEL(SpeculativeRange, min, soft_max, should_advance, gap)
UVSCRAPE_MODEL_DEFAULTS(SpeculativeRange, soft_max, should_advance, gap)

// The same within one year (docket numbers restarting every year).
struct YearlySpeculativeRange {
  int year = 1970;
  long min = 1;
  long soft_max = 0;
  bool should_advance = true;
  long gap = 10;

  IdRange seed_range() const { return {min, soft_max}; }
  YearlySpeculativeRange from_int(long n) const {
    YearlySpeculativeRange copy = *this;
    copy.min = n;
    return copy;
  }
  long max_gap() const { return gap; }
};
UVSCRAPE_MODEL(YearlySpeculativeRange, year, min, soft_max, should_advance, gap)
UVSCRAPE_MODEL_DEFAULTS(YearlySpeculativeRange, soft_max, should_advance, gap)

}  // namespace uvscrape
