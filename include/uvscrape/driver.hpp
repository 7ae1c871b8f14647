// The driver: runs a scraper against the web. It owns every effect -- the
// request queue, HTTP, deduplication, validation, archiving files, and the
// user's callbacks (DESIGN "The shape").
//
//   CasesScraper scraper;
//   uvscrape::Driver driver(scraper, {.num_workers = 32, .storage_dir = "out"});
//   driver.on_data = [&](const uvscrape::Json& item) { out << item.dump() << '\n'; };
//   uvscrape::RunResult result = driver.run();   // blocks; status "completed"/"stopped"
//
// Or inside an existing libuv program: driver.start(loop, on_done) returns at
// once and calls on_done on the loop thread when the crawl has ended. Either
// way the loop is left with no handle of the driver's.
//
// Callbacks run on the loop thread, one at a time, never concurrently with each
// other or with a step (DESIGN decision 16) -- except on_archive, which runs on
// the libuv thread pool (decision 14). Set them before run()/start().
#pragma once

#include <uv.h>

#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "uvscrape/driver_options.hpp"
#include "uvscrape/errors.hpp"
#include "uvscrape/headers.hpp"
#include "uvscrape/request.hpp"
#include "uvscrape/response.hpp"
#include "uvscrape/scraper.hpp"
#include "uvscrape/step.hpp"
#include "uvscrape/stop_signal.hpp"
#include "uvscrape/validation.hpp"

namespace uvscrape {

// How a run ended (DESIGN decision 15).
struct RunResult {
  std::string status;  // "completed", "stopped" or "error"
  std::uint64_t requests_completed = 0;
  std::uint64_t items_emitted = 0;
  std::uint64_t requests_discarded = 0;  // still queued when the run stopped or failed
  std::exception_ptr error;              // set when status is "error"
};

// Counters readable from any thread while a run is going on.
struct DriverProgress {
  std::uint64_t requests_completed = 0;  // taken from the queue and finished, any outcome
  std::uint64_t requests_queued = 0;
  std::uint64_t requests_in_flight = 0;
  std::uint64_t requests_discarded = 0;
  std::uint64_t items_emitted = 0;  // on_data calls
  std::uint64_t invalid_items = 0;  // on_invalid_data calls
  std::uint64_t errors = 0;         // transient, structural and fatal errors
  std::uint64_t duplicates_dropped = 0;
  std::uint64_t files_archived = 0;
  std::uint64_t bytes_received = 0;    // response bodies, archived files included
  std::uint64_t retries = 0;           // transient failures sent again (docs/design.md §18)
  std::uint64_t requests_waiting = 0;  // retries waiting out their backoff (not in requests_queued)
};

namespace detail {
struct DriverCounters;  // src/driver/counters.hpp
}  // namespace detail

class Driver {
 public:
  // `scraper` must outlive the driver. Creates options.storage_dir.
  explicit Driver(ScraperBase& scraper, DriverOptions options = {});
  ~Driver();  // a started run must have ended (on_done called) before this
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;

  // --- callbacks (the seed's, DESIGN decisions 1, 3, 6, 9, 14, 15) -----------------
  // Every data item, after its step finished, in yield order; deferred items
  // arrive validated. Absent: items are dropped.
  std::function<void(const Json& item)> on_data;
  // A ScraperAssumptionException from a step (or invalid data, decision 6).
  // true: abandon that step only and go on; false: stop the run ("stopped").
  // Absent: the run ends with status "error".
  std::function<bool(const ScraperAssumptionException& error)> on_structural_error;
  // A deferred item failed validation; receives the item (raw fields, model name).
  // Absent: treated as a structural error.
  std::function<void(const DeferredItem& item)> on_invalid_data;
  // A transient failure (network, timeout, transient HTTP status). The request is
  // dropped; true: go on; false: stop the run ("stopped"). Absent: "error".
  std::function<bool(const TransientException& error)> on_transient_exception;
  // A persistent failure of one request: a status the scraper classes as
  // persistent (404, 500, ...), a yielded link that is not a valid URL, a TLS
  // certificate that fails verification, a protocol error or an exceeded limit.
  // The request is dropped; true: go on; false: stop the run ("stopped").
  // Absent: the run ends with status "error".
  std::function<bool(const PersistentException& error)> on_persistent_exception;
  // Replaces the default archive writer; runs on the thread pool and returns the
  // stored file's path (what the step sees). The body is buffered in memory.
  std::function<std::string(const std::string& content, const std::string& url,
                            const std::string& expected_type, const std::string& storage_dir)>
      on_archive;
  std::function<void(const std::string& scraper_name)> on_run_start;
  std::function<void(const std::string& scraper_name, const std::string& status,
                     std::uint64_t requests_completed, std::uint64_t items_emitted,
                     std::exception_ptr error)>
      on_run_complete;
  // true: enqueue, false: drop. Replaces the built-in dedup. Not asked for entry
  // requests, speculative probes or requests with skip_deduplication.
  std::function<bool(const std::string& dedup_key)> duplicate_check;

  // --- running -------------------------------------------------------------------------
  // Creates a loop, runs the crawl to its end, closes the loop. Returns the result
  // for "completed" and "stopped"; rethrows the run's error for "error" (after
  // on_run_complete).
  RunResult run();
  // Runs the crawl on the caller's loop; returns at once. `on_done` runs on the
  // loop thread when everything of the driver's is closed. One run at a time.
  void start(uv_loop_t* loop, std::function<void(const RunResult&)> on_done);
  // Requests a graceful stop; safe from any thread, before or during a run. A
  // stop requested before run()/start() makes that run end at once ("stopped");
  // StopSignal::reset() clears it for the next run.
  void stop() noexcept;
  // Between start() and on_done (loop thread only).
  bool running() const noexcept;

  // Safe from any thread, during and after a run (reset when a run starts).
  DriverProgress progress() const noexcept;
  const DriverOptions& options() const noexcept { return options_; }
  StopSignal stop_signal() const { return *options_.stop_signal; }

 private:
  struct Run;
  ScraperBase& scraper_;
  DriverOptions options_;
  std::unique_ptr<Run> run_;
  std::shared_ptr<detail::DriverCounters> counters_;
};

}  // namespace uvscrape
