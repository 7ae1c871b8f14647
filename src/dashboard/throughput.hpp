// Settled requests over time, as both store snapshots (SQLite:
// store_snapshot.hpp, Redis: redis_run_snapshot.hpp) show them: the counts of
// the last minute and hour, the rate and ETA, and the chart's series.
#pragma once

#include <cstdint>

#include "uvscrape/json.hpp"

namespace uvscrape::dashboard {

// The chart: kBuckets buckets from the run's start (at most an hour back) to
// now, each a whole multiple of `granularity_ms` (whole seconds, so that the
// legend reads well; Redis counts settles per 10 s).
struct ChartWindow {
  static constexpr int kBuckets = 60;
  std::int64_t from = 0;
  std::int64_t bucket_ms = 1000;
};
ChartWindow chart_window(std::int64_t now, std::int64_t started, std::int64_t granularity_ms = 1000);

// {last_minute, last_hour, left, eta_seconds (when there is a rate and work
// left), series: {from, bucket_ms, counts}}. `counts`: ChartWindow::kBuckets
// numbers. The rate is over the part of the window the run has been going.
Json throughput_json(std::int64_t now, std::int64_t started, std::int64_t left,
                     std::int64_t last_minute, std::int64_t last_hour, const ChartWindow& window,
                     Json counts);

}  // namespace uvscrape::dashboard
