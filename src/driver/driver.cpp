// The Driver facade: options, the two ways to run, stop, progress.
#include <cassert>
#include <filesystem>
#include <stdexcept>
#include <system_error>

#include "driver/counters.hpp"
#include "driver/crawl_run.hpp"

namespace uvscrape {

const char* to_string(RunStatus status) noexcept {
  switch (status) {
    case RunStatus::completed: return "completed";
    case RunStatus::stopped: return "stopped";
    case RunStatus::error: return "error";
  }
  return "?";
}

namespace detail {

void DriverCounters::reset() noexcept {
  for (Counter* c :
       {&requests_completed, &requests_queued, &requests_in_flight, &requests_discarded,
        &items_emitted, &invalid_items, &errors, &duplicates_dropped, &files_archived,
        &bytes_received, &retries, &requests_waiting, &requests_failed, &requests_cancelled,
        &robots_fetches, &requests_awaiting_robots})
    c->store(0, std::memory_order_relaxed);
  for (Counter& c : failures) c.store(0, std::memory_order_relaxed);
}

DriverProgress DriverCounters::snapshot() const noexcept {
  auto get = [](const Counter& c) { return c.load(std::memory_order_relaxed); };
  DriverProgress p;
  p.requests_completed = get(requests_completed);
  p.requests_queued = get(requests_queued);
  p.requests_in_flight = get(requests_in_flight);
  p.requests_discarded = get(requests_discarded);
  p.items_emitted = get(items_emitted);
  p.invalid_items = get(invalid_items);
  p.errors = get(errors);
  p.duplicates_dropped = get(duplicates_dropped);
  p.files_archived = get(files_archived);
  p.bytes_received = get(bytes_received);
  p.retries = get(retries);
  p.requests_waiting = get(requests_waiting);
  p.requests_failed = get(requests_failed);
  p.requests_cancelled = get(requests_cancelled);
  p.robots_fetches = get(robots_fetches);
  p.requests_awaiting_robots = get(requests_awaiting_robots);
  for (size_t i = 0; i < kFailureKinds; ++i) p.failure_counts.by_kind[i] = get(failures[i]);
  return p;
}

}  // namespace detail

Driver::Driver(ScraperBase& scraper, DriverOptions options)
    : scraper_(scraper),
      options_(std::move(options)),
      counters_(std::make_shared<detail::DriverCounters>()) {
  if (options_.storage_dir.empty()) {
    options_.storage_dir = (std::filesystem::temp_directory_path() / "uvscrape_files").string();
  }
  std::error_code ec;
  std::filesystem::create_directories(options_.storage_dir, ec);
  if (ec) {
    throw ScraperConfigError("cannot create storage_dir " + options_.storage_dir + ": " +
                             ec.message());
  }
  if (!options_.stop_signal) options_.stop_signal = StopSignal();
  if (options_.num_workers == 0) options_.num_workers = 1;
}

Driver::~Driver() = default;

void Driver::start(uv_loop_t* loop, std::function<void(const RunResult&)> on_done) {
  if (running()) throw std::logic_error("uvscrape::Driver::start: a run is already going on");
  run_.reset();
  counters_->reset();
  run_ = std::make_unique<Run>(*this, loop, std::move(on_done));
  run_->begin();
}

RunResult Driver::run() {
  uv_loop_t loop;
  if (int rc = uv_loop_init(&loop); rc != 0) {
    throw std::runtime_error(std::string("uvscrape::Driver::run: uv_loop_init: ") +
                             uv_strerror(rc));
  }
  RunResult result;
  start(&loop, [&result](const RunResult& r) { result = r; });
  uv_run(&loop, UV_RUN_DEFAULT);
  run_.reset();
  uv_run(&loop, UV_RUN_DEFAULT);  // nothing should be left; close callbacks if any
  const int closed = uv_loop_close(&loop);
  assert(closed == 0 && "the driver left a handle on its loop");
  (void)closed;
  if (result.status == RunStatus::error && result.error) std::rethrow_exception(result.error);
  return result;
}

void Driver::stop() noexcept {
  options_.stop_signal->request_stop();
}

bool Driver::running() const noexcept {
  return run_ && !run_->finished();
}

DriverProgress Driver::progress() const noexcept {
  return counters_->snapshot();
}

}  // namespace uvscrape
