// The driver: runs a scraper against the web. It owns every effect -- the
// request queue, HTTP, deduplication, validation, archiving files, and the
// user's callbacks (docs/design.md, "The shape").
//
//   CasesScraper scraper;
//   uvscrape::Driver driver(scraper, {.num_workers = 32, .storage_dir = "out"});
//   driver.on_data = [&](const uvscrape::Json& item) { out << item.dump() << '\n'; };
//   uvscrape::RunResult result = driver.run();   // blocks; RunStatus::completed/stopped
//
// Or inside an existing libuv program: driver.start(loop, on_done) returns at
// once and calls on_done on the loop thread when the crawl has ended. Either
// way the loop is left with no handle of the driver's.
//
// Callbacks run on the loop thread, one at a time (§16), except on_archive (libuv's pool,
// §14); steps run on step threads (DriverOptions::step_threads, §24), so a callback may
// run while a step does. Set callbacks before run()/start(). (docs/design.md.)
//
// A request that fails for good does not end the crawl: it is recorded as a
// Failure (RunResult::failures, on_failure) and counted by kind (§17).
#pragma once

#include <uv.h>

#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "uvscrape/cookie_jar.hpp"
#include "uvscrape/driver_options.hpp"
#include "uvscrape/errors.hpp"
#include "uvscrape/failure.hpp"
#include "uvscrape/headers.hpp"
#include "uvscrape/request.hpp"
#include "uvscrape/response.hpp"
#include "uvscrape/scraper.hpp"
#include "uvscrape/step.hpp"
#include "uvscrape/stop_signal.hpp"
#include "uvscrape/validation.hpp"

namespace uvscrape {

// How a run ended (docs/design.md §15).
enum class RunStatus {
  completed,  // the queue drained (failures recorded on the way do not change this)
  stopped,    // a stop was requested, or a callback returned false
  error,      // a fatal error: RunResult::error says which
};
// "completed", "stopped", "error": for logs, never for comparisons.
const char* to_string(RunStatus status) noexcept;

// Replaces the default archive writer: runs on the thread pool and returns the
// stored file's path (what the step sees). The body is buffered in memory.
using ArchiveWriter =
    std::function<std::string(const std::string& content, const std::string& url,
                              const std::string& expected_type, const std::string& storage_dir)>;

struct RunResult {
  RunStatus status = RunStatus::completed;
  std::uint64_t requests_completed = 0;  // finished, any outcome (failed and cancelled included)
  std::uint64_t items_emitted = 0;
  std::uint64_t requests_discarded = 0;  // still queued when the run stopped or failed
  std::uint64_t requests_failed = 0;     // failed for good (all of them, kept or not)
  std::uint64_t requests_cancelled = 0;  // in flight when a stop's grace period ran out
  FailureCounts failure_counts;          // failures by kind
  // The first DriverOptions::failures_kept failures, in the order they
  // happened; failures_not_kept counts the later ones (on_failure saw them all).
  std::vector<Failure> failures;
  std::uint64_t failures_not_kept = 0;
  std::exception_ptr error;  // set when status is RunStatus::error
  // With a store (DriverOptions::store_path): this run continued a stored one,
  bool resumed = false;
  // ... which had already completed, so nothing was done (status completed).
  bool already_finished = false;
  // A replay (DriverOptions::replay_from): requests with no stored response
  // dropped (ReplayMiss::skip) or left pending in the store (ReplayMiss::pending);
  // neither counts in requests_completed.
  std::uint64_t replay_skipped = 0;
  std::uint64_t replay_left_pending = 0;
};

// Counters readable from any thread while a run is going on.
struct DriverProgress {
  // Taken from the queue and finished for good, any outcome (an attempt that
  // goes back to wait for its retry is not finished).
  std::uint64_t requests_completed = 0;
  std::uint64_t requests_queued = 0;
  std::uint64_t requests_in_flight = 0;
  std::uint64_t requests_discarded = 0;
  std::uint64_t items_emitted = 0;       // on_data calls
  std::uint64_t invalid_items = 0;       // on_invalid_data calls
  std::uint64_t errors = 0;              // transient, structural and fatal errors
  std::uint64_t requests_failed = 0;     // failures recorded
  std::uint64_t requests_cancelled = 0;  // cancelled when a stop's grace period ran out
  FailureCounts failure_counts;          // failures by kind
  std::uint64_t duplicates_dropped = 0;
  std::uint64_t files_archived = 0;
  std::uint64_t bytes_received = 0;    // response bodies, archived files included
  std::uint64_t retries = 0;           // transient failures sent again (docs/design.md §18)
  std::uint64_t requests_waiting = 0;  // retries waiting out their backoff (not in requests_queued)
  // With obey_robots_txt: robots.txt fetches sent (each attempt; not in
  // requests_completed), and requests held until their host's robots.txt is known.
  std::uint64_t robots_fetches = 0;
  std::uint64_t requests_awaiting_robots = 0;
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

  // --- callbacks (docs/design.md §1, 3, 6, 9, 14, 15, 17) ------------------------
  // Every data item, after its step finished, in yield order; deferred items
  // arrive validated. Absent: items are dropped.
  std::function<void(const Json& item)> on_data;
  // Every request that failed for good (a Failure record: URL, step, kind,
  // message, attempts, time, the request), before the per-kind callback below.
  // The crawl goes on unless a per-kind callback returns false (or fail_fast).
  std::function<void(const Failure& failure)> on_failure;
  // A ScraperAssumptionException from a step (or invalid data, §6): the step's
  // yields are not applied. true: go on; false: stop the run (RunStatus::stopped).
  // Absent: recorded as a failure and the crawl goes on (fail_fast: RunStatus::error).
  std::function<bool(const ScraperAssumptionException& error)> on_structural_error;
  // A deferred item failed validation; receives the item (raw fields, model name)
  // and the step's other yields are applied. Absent: a structural error.
  std::function<void(const DeferredItem& item)> on_invalid_data;
  // A transient failure (network, timeout, transient HTTP status). The request is
  // dropped; true: go on; false: stop the run. Absent: as on_structural_error.
  std::function<bool(const TransientException& error)> on_transient_exception;
  // A persistent failure of one request: a status the scraper classes as
  // persistent (404, 500, ...), a yielded link that is not a valid URL (the
  // message names the link, its page and the step), a TLS certificate that fails
  // verification, a protocol error or an exceeded limit. The request is
  // dropped; true: go on; false: stop the run. Absent: as on_structural_error.
  std::function<bool(const PersistentException& error)> on_persistent_exception;
  // Replaces the default archive writer (see ArchiveWriter).
  ArchiveWriter on_archive;
  std::function<void(const std::string& scraper_name)> on_run_start;
  std::function<void(const std::string& scraper_name, RunStatus status,
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
  // stop requested before run()/start() makes that run end at once ("stopped").
  // In-flight requests get options().stop_grace to finish, then are cancelled
  // and counted; a second stop() cancels them at once. StopSignal::reset()
  // clears it for the next run.
  void stop() noexcept;
  // Between start() and on_done (loop thread only).
  bool running() const noexcept;

  // Safe from any thread, during and after a run (reset when a run starts).
  DriverProgress progress() const noexcept;
  const DriverOptions& options() const noexcept { return options_; }

  // The cookie jar `name` ("": the default one), created empty on first use
  // (docs/design.md §21). The jars belong to the Driver, so a second run goes
  // on with the sessions of the first (clear() a jar to start afresh);
  // to_json() / from_json() export and import one. Use it before or after a
  // run, or from a callback; never from another thread while a run is going on.
  CookieJar& cookie_jar(std::string_view name = "");
  StopSignal stop_signal() const { return *options_.stop_signal; }

 private:
  struct Run;
  ScraperBase& scraper_;
  DriverOptions options_;
  std::unique_ptr<Run> run_;
  std::shared_ptr<detail::DriverCounters> counters_;
  std::map<std::string, CookieJar, std::less<>> cookie_jars_;
};

}  // namespace uvscrape
