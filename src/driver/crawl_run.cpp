// One run of the driver; see crawl_run.hpp.
#include "driver/crawl_run.hpp"

#include "driver/archive_name.hpp"
#include "driver/http_mapping.hpp"
#include "scraper/run_step.hpp"
#include "uvscrape/resolution.hpp"

namespace uvscrape {

using detail::DriverCounters;

Driver::Run::Run(Driver& driver, uv_loop_t* loop, std::function<void(const RunResult&)> on_done)
    : driver_(driver),
      loop_(loop),
      on_done_(std::move(on_done)),
      counters_(*driver.counters_),
      archive_callback_(driver.on_archive) {}

Driver::Run::~Run() {
  // A run is destroyed only after closed(); the listener is then already closed.
  stop_listener_.reset();
}

StatusClass Driver::Run::classify(int status, const Headers& headers, std::string_view body) const {
  return driver_.scraper_.classify_status(status, headers, body);
}

void Driver::Run::begin() {
  client_ = std::make_unique<http::Client>(loop_, driver::client_options(options()));
  frontier_ = std::make_unique<driver::CrawlFrontier>(loop_, options(),
                                                      driver_.scraper_.rate_limits(), [this] {
                                                        dispatch();
                                                        maybe_close();
                                                      });
  stop_listener_ = std::make_unique<driver::StopListener>(loop_, *options().stop_signal, [this] {
    if (phase_ != Phase::running) return;
    stop_gracefully();
    maybe_close();
  });
  const size_t n = options().num_workers ? options().num_workers : 1;
  workers_.reserve(n);
  for (size_t i = 0; i < n; ++i) workers_.push_back(std::make_unique<driver::Worker>(*this));
  for (size_t i = n; i-- > 0;) idle_.push_back(workers_[i].get());  // worker 0 first

  try {
    if (driver_.on_run_start) driver_.on_run_start(driver_.scraper_.name());
    if (options().stop_signal->stop_requested()) {
      stop_gracefully();  // set before the run: no request is made
    } else {
      seed();
    }
  } catch (...) {
    fail(std::current_exception());
  }
  dispatch();
  maybe_close();
}

// Entry requests are never resolved nor dropped (decision 3); their keys are
// recorded so that a later link back to an entry page is not fetched again.
void Driver::Run::seed() {
  for (Request& request : driver_.scraper_.entry_requests(options().seed_params)) {
    if (!driver_.duplicate_check && options().builtin_dedup &&
        request.dedup_mode() != DedupMode::skip) {
      if (auto f = request.dedup_fingerprint()) seen_.insert_hash({f->high, f->low});
    }
    push(std::move(request));
  }
  speculation_ = std::make_unique<SpeculationTracker>(driver_.scraper_);
  for (Request& probe : speculation_->seed()) push(std::move(probe));
}

void Driver::Run::push(Request request) {
  if (phase_ != Phase::running) {
    ++discarded_;
    DriverCounters::add(counters_.requests_discarded);
    return;
  }
  frontier_->push(std::move(request));
  DriverCounters::add(counters_.requests_queued);
}

void Driver::Run::update_queue_counters() {
  DriverCounters::set(counters_.requests_queued, frontier_->size() - frontier_->waiting());
  DriverCounters::set(counters_.requests_waiting, frontier_->waiting());
}

// A free worker gets the best request whose host may be contacted now
// (docs/design.md §19); hosts that must wait are not candidates, and the
// frontier arms its timer for the earliest of their waits.
void Driver::Run::dispatch() {
  while (phase_ == Phase::running && !frontier_->empty() && !idle_.empty()) {
    if (options().stop_signal->stop_requested()) return stop_gracefully();
    // Seam for the HTTP client's capacity: every request may be sent for now.
    auto taken = frontier_->take([](const Request&) { return true; });
    if (!taken) break;
    driver::Worker* worker = idle_.back();
    idle_.pop_back();
    tickets_[worker] = taken->ticket;
    ++in_flight_;
    DriverCounters::add(counters_.requests_in_flight);
    worker->start(std::move(taken->request));
  }
  update_queue_counters();
}

void Driver::Run::worker_finished(driver::Worker& worker, driver::Outcome outcome) {
  --in_flight_;
  DriverCounters::sub(counters_.requests_in_flight);
  DriverCounters::add(counters_.bytes_received, outcome.bytes);
  if (outcome.archived) DriverCounters::add(counters_.files_archived);
  if (auto ticket = tickets_.find(&worker); ticket != tickets_.end()) {
    frontier_->finished(ticket->second,
                        outcome.status ? std::optional<int>(outcome.status) : std::nullopt);
    tickets_.erase(ticket);
  }
  bool retried = false;
  try {
    retried = process(outcome);
  } catch (...) {
    fail(std::current_exception());  // a step or callback threw: decision 9
  }
  outcome = {};
  if (!retried) {
    ++completed_;
    DriverCounters::add(counters_.requests_completed);
  }
  idle_.push_back(&worker);
  dispatch();
  maybe_close();
}

bool Driver::Run::process(driver::Outcome& outcome) {
  const Request& request = *outcome.request;
  if (outcome.error) {
    try {
      std::rethrow_exception(outcome.error);
    } catch (const SpeculationHTTPFailure&) {
      track_speculation(request, false);  // decision 10: a failed probe, no step
    } catch (const TransientException& error) {
      if (retry(outcome)) return true;
      on_transient(error, outcome.error);  // asked only after the last attempt
    } catch (const PersistentException& error) {
      on_persistent(error, outcome.error);
    }
    return false;  // anything else propagated: the run fails
  }
  const Response& response = *outcome.response;
  if (request.is_speculative()) {
    track_speculation(request, speculation_ && speculation_->is_success(response));
  }
  run_step(response);
  return false;
}

// A transient failure goes back to the frontier with a not-before time, holding
// no worker and no connection while it waits, until it has had its retries
// (docs/design.md §18). Nothing is retried once the run is stopping.
bool Driver::Run::retry(const driver::Outcome& outcome) {
  if (phase_ != Phase::running) return false;
  if (!frontier_->retry(*outcome.request, outcome.retry_after)) return false;
  DriverCounters::add(counters_.retries);
  update_queue_counters();
  return true;
}

void Driver::Run::run_step(const Response& response) {
  std::vector<Yield> yields;
  try {
    yields = uvscrape::run_step(driver_.scraper_, response.request->to(), response);
  } catch (const ScraperAssumptionException& error) {
    return on_structural(error, std::current_exception());  // nothing of the step applied
  }
  try {
    apply(yields, response);
  } catch (const ScraperAssumptionException& error) {
    on_structural(error, std::current_exception());  // earlier yields stay applied
  }
}

void Driver::Run::apply(std::vector<Yield>& yields, const Response& response) {
  for (Yield& yield : yields) {
    if (yield.is_request()) {
      enqueue_yielded(std::move(yield.request()), response);
    } else if (yield.is_data()) {
      deliver(yield.data());
    }
  }
}

void Driver::Run::enqueue_yielded(Request child, const Response& response) {
  std::optional<Request> resolved_or_none;
  try {
    resolved_or_none.emplace(resolve_yielded(std::move(child), response));
  } catch (const UrlError& error) {
    // One bad link on a page need not end the crawl: the user decides.
    if (!driver_.on_persistent_exception) throw;
    return on_persistent(error, std::current_exception());
  }
  Request& resolved = *resolved_or_none;
  if (!admit(resolved)) {
    DriverCounters::add(counters_.duplicates_dropped);
    return;
  }
  push(std::move(resolved));
}

bool Driver::Run::admit(const Request& request) {
  if (request.dedup_mode() == DedupMode::skip) return true;
  if (driver_.duplicate_check) return driver_.duplicate_check(*request.dedup_key());
  if (!options().builtin_dedup) return true;
  const auto f = request.dedup_fingerprint();
  return !f || seen_.insert_hash({f->high, f->low});
}

void Driver::Run::deliver(const DataItem& item) {
  if (!item.is_deferred()) {
    ++items_;
    DriverCounters::add(counters_.items_emitted);
    if (driver_.on_data) driver_.on_data(item.value());
    return;
  }
  Json value;
  try {
    value = item.deferred()->confirm_json();
  } catch (const DataFormatAssumptionException&) {
    if (!driver_.on_invalid_data) throw;  // decision 6: a structural error
    DriverCounters::add(counters_.invalid_items);
    driver_.on_invalid_data(*item.deferred());
    return;
  }
  ++items_;
  DriverCounters::add(counters_.items_emitted);
  if (driver_.on_data) driver_.on_data(value);
}

void Driver::Run::track_speculation(const Request& request, bool success) {
  if (!speculation_ || !request.is_speculative() || !request.speculation_id()) return;
  for (Request& probe : speculation_->record(*request.speculation_id(), success))
    push(std::move(probe));
}

// Decision 9: false stops the run gracefully; absent, the run fails.
void Driver::Run::on_transient(const TransientException& error, std::exception_ptr ptr) {
  DriverCounters::add(counters_.errors);
  if (!driver_.on_transient_exception) return fail(ptr);
  if (!driver_.on_transient_exception(error)) stop_gracefully();
}

// Two URLs whose file names come out alike (/a/1/file.pdf, /a/2/file.pdf) must
// not overwrite each other: the later one is stored under a name with its URL hash.
std::string Driver::Run::claim_archive_path(std::string path, const std::string& url) {
  auto [it, inserted] = archive_paths_.try_emplace(path, url);
  if (inserted || it->second == url) return path;
  std::string variant = driver::archive_path_variant(path, url);
  archive_paths_.try_emplace(variant, url);
  return variant;
}

// Like on_transient: false stops gracefully; absent, the run fails.
void Driver::Run::on_persistent(const PersistentException& error, std::exception_ptr ptr) {
  DriverCounters::add(counters_.errors);
  if (!driver_.on_persistent_exception) return fail(ptr);
  if (!driver_.on_persistent_exception(error)) stop_gracefully();
}

// Decision 1: true abandons the step only, false stops gracefully; absent, fails.
void Driver::Run::on_structural(const ScraperAssumptionException& error, std::exception_ptr ptr) {
  DriverCounters::add(counters_.errors);
  if (!driver_.on_structural_error) return fail(ptr);
  if (!driver_.on_structural_error(error)) stop_gracefully();
}

void Driver::Run::stop_gracefully() {
  if (phase_ != Phase::running) return;
  phase_ = Phase::stopping;
  // Retries waiting out their backoff are discarded like the rest of the queue.
  const auto dropped = frontier_->discard_all();
  discarded_ += dropped.queued + dropped.waiting;
  DriverCounters::add(counters_.requests_discarded, dropped.queued + dropped.waiting);
  update_queue_counters();
}

void Driver::Run::fail(std::exception_ptr error) {
  if (phase_ == Phase::closing || phase_ == Phase::done) return;
  if (!error_) {
    error_ = error;
    DriverCounters::add(counters_.errors);
  }
  if (phase_ == Phase::running) stop_gracefully();
  phase_ = Phase::failing;
}

void Driver::Run::maybe_close() {
  if (phase_ == Phase::closing || phase_ == Phase::done || in_flight_ > 0) return;
  if (phase_ == Phase::running && !frontier_->empty()) return;
  const bool stopped = phase_ == Phase::stopping;
  phase_ = Phase::closing;
  frontier_->close();  // its timer closes with the client's handles
  client_->close([this, stopped] {
    stop_listener_->close([this, stopped] {
      phase_ = Phase::done;
      RunResult result;
      result.status = error_ ? "error" : stopped ? "stopped" : "completed";
      result.requests_completed = completed_;
      result.items_emitted = items_;
      result.requests_discarded = discarded_;
      result.error = error_;
      if (driver_.on_run_complete) {
        try {
          driver_.on_run_complete(driver_.scraper_.name(), result.status, completed_, items_,
                                  error_);
        } catch (...) {
          if (!result.error) {
            result.status = "error";
            result.error = std::current_exception();
          }
        }
      }
      auto on_done = std::move(on_done_);
      on_done_ = nullptr;
      try {
        if (on_done) on_done(result);
      } catch (...) {
        // on_done must not throw: nothing is left to report to.
      }
    });
  });
}

}  // namespace uvscrape
