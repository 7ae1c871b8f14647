// The Driver facade: options, the two ways to run, stop, progress.
#include <cassert>
#include <filesystem>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "dashboard/dashboard.hpp"
#include "driver/cookies_file.hpp"
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

std::size_t DriverOptions::default_step_threads() noexcept {
  const unsigned cores = std::thread::hardware_concurrency();  // 0: unknown
  return cores > 1 ? cores - 1 : 0;
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
  // Read here, before any loop runs: the file is on disk (docs/design.md §21).
  if (options_.cookies && !options_.cookies_file.empty())
    driver::load_cookies_file(options_.cookies_file, cookie_jars_);
}

CookieJar& Driver::cookie_jar(std::string_view name) {
  auto it = cookie_jars_.find(name);
  if (it == cookie_jars_.end()) it = cookie_jars_.try_emplace(std::string(name)).first;
  return it->second;
}

Driver::~Driver() = default;

namespace {

Json progress_json(const DriverProgress& p) {
  Json failures = Json::object();
  for (std::size_t i = 0; i < kFailureKinds; ++i)
    if (p.failure_counts.by_kind[i])
      failures[to_string(static_cast<FailureKind>(i))] = p.failure_counts.by_kind[i];
  return {{"requests_completed", p.requests_completed},
          {"requests_queued", p.requests_queued},
          {"requests_in_flight", p.requests_in_flight},
          {"requests_waiting", p.requests_waiting},
          {"requests_failed", p.requests_failed},
          {"items_emitted", p.items_emitted},
          {"invalid_items", p.invalid_items},
          {"files_archived", p.files_archived},
          {"bytes_received", p.bytes_received},
          {"retries", p.retries},
          {"failures", failures}};
}

}  // namespace

void Driver::start(uv_loop_t* loop, std::function<void(const RunResult&)> on_done) {
  if (running()) throw std::logic_error("uvscrape::Driver::start: a run is already going on");
  run_.reset();
  counters_->reset();
  if (options_.dashboard_port != 0) {
    // The dashboard lives for the run: on_done waits until it has closed, so
    // the loop is left with no handle of the driver's (docs/operating-a-crawl.md).
    dashboard::DashboardOptions board_options;
    board_options.bind = options_.dashboard_bind;
    board_options.port = options_.dashboard_port;
    board_options.store_path = options_.store_path;
    board_options.live = [this] { return progress_json(progress()); };
    if (options_.dashboard_allow_stop)
      board_options.actions.push_back({"stop", [this](const Json&) {
                                         stop();  // safe from any thread
                                         return Json{{"stopping", true}};
                                       }});
    auto board = std::make_shared<dashboard::Dashboard>(loop, std::move(board_options));
    on_done = [board, user = std::move(on_done)](const RunResult& result) {
      board->close([board, user, result] { user(result); });
    };
    try {
      run_ = std::make_unique<Run>(*this, loop, std::move(on_done));
    } catch (...) {
      board->close([board] {});
      throw;
    }
  } else {
    run_ = std::make_unique<Run>(*this, loop, std::move(on_done));
  }
  run_->begin();
}

RunResult Driver::run() {
  uv_loop_t loop;
  if (int rc = uv_loop_init(&loop); rc != 0) {
    throw std::runtime_error(std::string("uvscrape::Driver::run: uv_loop_init: ") +
                             uv_strerror(rc));
  }
  RunResult result;
  try {
    start(&loop, [&result](const RunResult& r) { result = r; });
  } catch (...) {
    uv_run(&loop,
           UV_RUN_DEFAULT);  // what start() began closing (a dashboard that could not listen)
    uv_loop_close(&loop);
    throw;
  }
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
