// See throughput.hpp.
#include "dashboard/throughput.hpp"

#include <algorithm>
#include <cmath>

namespace uvscrape::dashboard {

ChartWindow chart_window(std::int64_t now, std::int64_t started, std::int64_t granularity_ms) {
  ChartWindow w;
  w.from = std::max(started > 0 ? started : now - 60'000, now - 3'600'000);
  w.from -= w.from % granularity_ms;
  const std::int64_t span = ChartWindow::kBuckets * granularity_ms;
  // More than now - from in all, so that a settle at `now` has a bucket too.
  w.bucket_ms = (std::max<std::int64_t>(0, now - w.from) / span + 1) * granularity_ms;
  return w;
}

Json throughput_json(std::int64_t now, std::int64_t started, std::int64_t left,
                     std::int64_t last_minute, std::int64_t last_hour, const ChartWindow& window,
                     Json counts) {
  Json t = Json::object();
  t["last_minute"] = last_minute;
  t["last_hour"] = last_hour;
  t["left"] = left;
  const auto seconds_of = [&](std::int64_t ms) {
    const std::int64_t ran = started > 0 ? now - started : ms;
    return static_cast<double>(std::clamp<std::int64_t>(ran, 1000, ms)) / 1000.0;
  };
  const double rate = last_minute > 0 ? static_cast<double>(last_minute) / seconds_of(60'000)
                                      : static_cast<double>(last_hour) / seconds_of(3'600'000);
  if (left > 0 && rate > 0)
    t["eta_seconds"] = static_cast<std::int64_t>(std::ceil(static_cast<double>(left) / rate));
  t["series"] = {{"from", window.from}, {"bucket_ms", window.bucket_ms}, {"counts", std::move(counts)}};
  return t;
}

}  // namespace uvscrape::dashboard
