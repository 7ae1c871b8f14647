// What a crawl did, for people: a one-line progress report and the final
// summary (items by type, errors by type, files archived, bytes, time).
#pragma once

#include <chrono>
#include <cstdint>
#include <exception>
#include <map>
#include <string>
#include <uvscrape/driver.hpp>

namespace bug_court {

// The error type's class name without namespaces ("RequestTimeoutException").
std::string error_type_name(const std::exception& error);
std::string error_type_name(const std::exception_ptr& error);

// Counts the driver's counters do not keep: items by model, errors by type.
struct CrawlTally {
  std::map<std::string, std::uint64_t> items_by_type;
  std::map<std::string, std::uint64_t> errors_by_type;
  std::uint64_t error_count() const;
};

// "requests 120 done, 5 queued, 8 in flight | items 80 | errors 0 | 240.5 req/s"
std::string progress_line(const uvscrape::DriverProgress& progress,
                          std::chrono::steady_clock::duration elapsed);

// A multi-line summary ending in a newline.
std::string summary_text(const uvscrape::RunResult& result,
                         const uvscrape::DriverProgress& progress, const CrawlTally& tally,
                         std::chrono::steady_clock::duration elapsed);

// "12.3 KiB"
std::string human_bytes(std::uint64_t bytes);

}  // namespace bug_court
