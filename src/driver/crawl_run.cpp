// One run of the driver; see crawl_run.hpp.
#include "driver/crawl_run.hpp"

#include <algorithm>
#include <chrono>
#include <iterator>
#include <utility>

#include "driver/cookies_file.hpp"
#include "driver/failure_kind.hpp"
#include "driver/http_mapping.hpp"
#include "html/selector_tally.hpp"
#include "scraper/response_internals.hpp"
#include "store/memory_store.hpp"
#include "store/redis_store.hpp"
#include "store/redis_url.hpp"
#include "store/sqlite_store.hpp"
#include "store/stored_names.hpp"
#include "uvscrape/resolution.hpp"
#include "uvscrape/url.hpp"

namespace uvscrape {

using detail::DriverCounters;

Driver::Run::Run(Driver& driver, uv_loop_t* loop, std::function<void(const RunResult&)> on_done)
    : driver_(driver),
      loop_(loop),
      on_done_(std::move(on_done)),
      counters_(*driver.counters_),
      archive_callback_(driver.on_archive) {}

Driver::Run::~Run() {
  // A run is destroyed only after it closed; the listener is then already closed.
  stop_listener_.reset();
}

void Driver::Run::begin() {
  client_ = std::make_unique<http::Client>(loop_, driver::client_options(options()));
  // A replay sends nothing: the scraper's rate limits have nothing to limit.
  static const std::vector<RateLimit> kNoLimits;
  if (!options().replay_from.empty())
    replay_ = std::make_unique<driver::ReplaySource>(loop_, options().replay_from);
  frontier_ = std::make_unique<driver::CrawlFrontier>(
      loop_, options(), replay_ ? kNoLimits : driver_.scraper_.rate_limits(), [this] {
        dispatch();
        maybe_close();
      });
  // A connection slot freed: hosts the client had no connection for are
  // candidates again (never called inside another client call).
  client_->set_on_capacity([this] {
    frontier_->capacity_freed();
    dispatch();
    maybe_close();
  });
  if (options().obey_robots_txt) start_robots_gate();  // crawl_run_robots.cpp
  stop_listener_ = std::make_unique<driver::StopListener>(loop_, *options().stop_signal, [this] {
    if (phase_ == Phase::closing || phase_ == Phase::done) return;
    stop_gracefully();
    bound_in_flight();
    maybe_close();
  });
  if (options().step_threads > 0) {
    step_threads_ = std::make_unique<driver::StepThreads>(
        loop_, options().step_threads, options().loop_helps_steps, options().steps_on_loop_below,
        [this](std::unique_ptr<driver::StepJob> job) { step_finished(std::move(job)); });
  }
  const size_t n = options().num_workers ? options().num_workers : 1;
  worker_context_.reset(new driver::WorkerContext{
      loop_, *client_, options(), archive_callback_, driver_.scraper_, archive_paths_,
      options().cookies ? &driver_.cookie_jars_ : nullptr, replay_.get(), robots_.get(),
      [this](driver::Worker& worker, driver::Outcome outcome) {
        worker_finished(worker, std::move(outcome));
      }});
  workers_.reserve(n);
  for (size_t i = 0; i < n; ++i)
    workers_.push_back(std::make_unique<driver::Worker>(*worker_context_));
  for (size_t i = n; i-- > 0;) idle_.push_back(workers_[i].get());  // worker 0 first

  try {
    if (driver_.on_run_start) driver_.on_run_start(driver_.scraper_.name());
    if (options().stop_signal->stop_requested()) {
      stop_gracefully();  // set before the run: no request is made
    } else {
      open_store();
    }
  } catch (...) {
    fail(std::current_exception());
  }
  dispatch();
  maybe_close();
}

// The seeding (or the resume) follows in store_opened.
void Driver::Run::open_store() {
  if (replay_ && options().obey_robots_txt)
    throw ScraperConfigError("replay_from " + options().replay_from +
                             ": a replay sends nothing, so it cannot obey robots.txt");
  if (replay_ && options().replay_from == options().store_path)
    throw ScraperConfigError("replay_from " + options().replay_from +
                             ": the replay's own store_path must be another file");
  if (options().store_responses && options().store_path.empty())
    throw ScraperConfigError("store_responses needs a store_path (the responses go into it)");
  if (options().store_responses && store::is_redis_url(options().store_path))
    throw ScraperConfigError("store_responses: the Redis store " +
                             store::parse_redis_url(options().store_path).url +
                             " keeps no responses (use a SQLite store_path)");
  if (options().store_path.empty())
    store_ = std::make_unique<store::MemoryStore>();
  else if (store::is_redis_url(options().store_path))
    store_ = std::make_unique<store::RedisStore>(
        loop_, store::parse_redis_url(options().store_path), options().store_window);
  else
    store_ =
        std::make_unique<store::SqliteStore>(loop_, options().store_path, options().store_window);
  window_ = driver::StoreWindow(store_->window(), store_->shared());
  if (store_->shared()) frontier_->share_rate_limits(*store_);
  store::RunIdentity identity;
  identity.scraper = driver_.scraper_.name();
  identity.seed_params = options().seed_params ? *options().seed_params : Json(nullptr);
  identity.storage_dir = options().storage_dir;
  identity.force = options().store_force;
  identity.adding_seeds = options().add_seed_params.has_value();
  store_opening_ = true;
  store_->open(identity, *this);
}

void Driver::Run::store_opened(store::Opened opened) {
  store_opening_ = false;
  try {
    if (phase_ == Phase::running) {
      if (opened.finished)
        already_finished_ = true;  // a completed run: nothing to do, and the result says so
      else if (opened.resumed)
        resume(opened);
      else
        seed();
      if (!opened.finished && options().add_seed_params) add_seeds(*options().add_seed_params);
    }
  } catch (...) {
    fail(std::current_exception());
  }
  dispatch();
  maybe_close();
}

// A stored run goes on: its pending requests (in-flight ones among them) enter
// the frontier, retry waits kept; the entries are not seeded again.
void Driver::Run::resume(store::Opened& opened) {
  resumed_ = true;
  // The speculative templates come from the entries' invocation (initial_seed
  // stores them); a resume in a new process must make them again, or the
  // restored tracker has no state to extend and the probes stop at the stored
  // ceiling. The entry requests themselves are the store's: not queued again.
  if (driver_.scraper_.speculative_templates().empty())
    (void)driver_.scraper_.entry_requests(options().seed_params);
  speculation_ = std::make_unique<SpeculationTracker>(driver_.scraper_);
  if (opened.speculation) speculation_->restore(*opened.speculation);
  if (opened.cookies && options().cookies) {
    // The stored jars are the run's latest (newer than a cookies_file).
    driver::load_cookie_jars(*opened.cookies, driver_.cookie_jars_,
                             "run store " + options().store_path + " (its cookie jars)");
    for (const auto& [name, jar] : driver_.cookie_jars_) exported_cookie_changes_ += jar.changes();
  }
  for (const store::ArchivedFile& file : opened.files) archive_paths_.claim(file.path, file.url);
  for (store::PendingRequest& p : opened.pending) enqueue_pending(p);
  window_.set_more(opened.more_pending);
  update_queue_counters();
}

// A stored pending request enters the frontier, its retry wait kept.
// With obey_robots_txt it passes the gate first (this process may not have
// fetched its origin's robots.txt yet: rules are not stored).
void Driver::Run::enqueue_pending(store::PendingRequest& p) {
  window_.hold(p.id);
  if (p.not_before && *p.not_before > store::WallClock::now()) not_before_[p.id] = *p.not_before;
  if (robots_) return robots_->push(std::move(p.request), p.id);
  enqueue(std::move(p.request), p.id);
}

// The window ran low while the store holds more: one refill at a time (an
// asynchronous read on the store's thread, never on the loop).
void Driver::Run::maybe_refill() {
  if (phase_ != Phase::running || store_failed_ || !window_.wants_refill()) return;
  std::vector<store::RequestId> exclude;
  const std::size_t max = window_.begin_refill(exclude);
  exclude.insert(exclude.end(), left_pending_.begin(), left_pending_.end());
  store_->refill(max, std::move(exclude));
}

void Driver::Run::store_refilled(std::vector<store::PendingRequest> pending, bool more) {
  window_.end_refill(more);
  if (phase_ == Phase::running) {
    for (store::PendingRequest& p : pending)
      if (!window_.holds(p.id)) enqueue_pending(p);
    update_queue_counters();
    dispatch();
  }
  maybe_close();
}

// Entry requests are never resolved nor dropped (§3); their keys are recorded
// so that a later link back to an entry page is not fetched again.
// The seeding is one completion of its own: all entries and first probes, or none.
//
// A long list of entries of one priority, on the in-memory store, is seeded in
// two parts: the first num_workers entries, which the workers start at once,
// and the rest (with the first probes) once the loop has sent those requests
// (seed_when_sent), or sooner when anything else happens in the run first (a
// fetch ending, a stop). Nothing enters the frontier in between, so every
// request gets the place it would have had (one priority: first come, first
// served) and the run is the same, but its first requests are not kept
// waiting for the fingerprints of thousands of entries (docs/design.md,
// "The life of a run").
void Driver::Run::seed() {
  std::vector<Request> entries = driver_.scraper_.entry_requests(options().seed_params);
  speculation_ = std::make_unique<SpeculationTracker>(driver_.scraper_);
  const std::size_t now = workers_.size();
  const bool split = !store_->durable() && !robots_ && !replay_ && entries.size() > 2 * now &&
                     std::all_of(entries.begin(), entries.end(), [&](const Request& r) {
                       return r.priority() == entries.front().priority();
                     });
  if (!split) return seed_entries(std::move(entries), true);
  entries_later_.assign(std::make_move_iterator(entries.begin() + static_cast<long>(now)),
                        std::make_move_iterator(entries.end()));
  entries.erase(entries.begin() + static_cast<long>(now), entries.end());
  seed_later_ = std::make_unique<net::AfterPoll>(loop_);
  seed_when_sent();
  seed_entries(std::move(entries), false);
}

// One seeding completion: `entries`, then the first probes when `probes`.
void Driver::Run::seed_entries(std::vector<Request> entries, bool probes) {
  completion_ = {};
  completion_.settle = store::Settle::seed;
  for (Request& request : entries) {
    auto key = seen_key(request);
    push(std::move(request), key, true);
  }
  if (probes) {
    for (Request& probe : speculation_->seed()) push(std::move(probe));
    if (store_->durable() && !speculation_->empty())
      completion_.speculation = speculation_->save();
  }
  submit(std::move(completion_));
}

// After each poll of the loop: are the first requests sent (resolved,
// connected, written)? Then the rest of the entries.
void Driver::Run::seed_when_sent() {
  seed_later_->start([this] {
    if (client_->stats().requests_starting > 0) return seed_when_sent();
    seed_the_rest();
  });
}

void Driver::Run::seed_the_rest() {
  if (!seed_later_) return;
  seed_later_.reset();
  store::Completion outer = std::move(completion_);  // of a fetch that ended first, if any
  seed_entries(std::exchange(entries_later_, {}), true);
  completion_ = std::move(outer);
}

// Entries for added parameters (DriverOptions::add_seed_params): one
// completion of their own, deduplicated against the run (unlike the run's own
// entries), so an addition made twice queues nothing the second time.
void Driver::Run::add_seeds(const Json& params) {
  completion_ = {};
  completion_.settle = store::Settle::seed;
  for (Request& request : driver_.scraper_.entry_requests(params)) {
    auto key = seen_key(request);
    push(std::move(request), key, false);
  }
  completion_.added_seed_params = params;
  submit(std::move(completion_));
}

void Driver::Run::push(Request request, std::optional<store::KeyHash> key, bool record_only) {
  completion_.children.push_back(store::Child{std::move(request), key, record_only});
}

void Driver::Run::submit(store::Completion completion) {
  if (store_failed_) return;
  if (store_->durable() && options().cookies) {
    // The jars go with the completion only when they changed since the last
    // export: a crawl whose site sets no new cookies writes them never.
    std::uint64_t changes = 0;
    for (const auto& [name, jar] : driver_.cookie_jars_) changes += jar.changes();
    if (changes != exported_cookie_changes_) {
      exported_cookie_changes_ = changes;
      completion.cookies = driver::cookie_jars_document(driver_.cookie_jars_);
    }
  }
  ++committing_;
  store_->commit(std::move(completion));
}

// Committed: the children enter the frontier (the store dropped duplicates),
// the items reach on_data, in yield order.
void Driver::Run::store_committed(store::Completion completion) {
  if (committing_ > 0) --committing_;
  for (store::Child& child : completion.children) {
    if (child.id == 0) {
      DriverCounters::add(counters_.duplicates_dropped);
    } else if (phase_ != Phase::running) {
      ++discarded_;  // with a durable store it stays pending there
      DriverCounters::add(counters_.requests_discarded);
    } else {
      if (!window_.admit(child.id)) continue;  // full: it stays pending in the store
      if (robots_)
        robots_->push(std::move(child.request), child.id);  // enqueue()d once allowed
      else
        enqueue(std::move(child.request), child.id);
    }
  }
  try {
    for (const store::Item& item : completion.items) deliver(item.value);
  } catch (...) {
    fail(std::current_exception());  // the user's on_data threw: §9
  }
  dispatch();
  maybe_close();
}

void Driver::Run::store_failed(std::exception_ptr error) {
  store_failed_ = true;
  store_opening_ = false;
  committing_ = 0;  // nothing submitted will be reported any more
  fail(error);
  maybe_close();
}

// Past the robots.txt gate (when on): into the frontier; a stored retry's
// wait is kept.
void Driver::Run::enqueue(Request request, store::RequestId id) {
  if (auto wait = not_before_.empty() ? not_before_.end() : not_before_.find(id);
      wait != not_before_.end()) {
    const auto left = wait->second - store::WallClock::now();
    not_before_.erase(wait);
    if (left.count() > 0) {
      frontier_->push_after(std::move(request), id,
                            std::chrono::ceil<std::chrono::milliseconds>(left));
      DriverCounters::add(counters_.requests_queued);
      return;
    }
  }
  frontier_->push(std::move(request), id);
  DriverCounters::add(counters_.requests_queued);
}

void Driver::Run::update_queue_counters() {
  DriverCounters::set(counters_.requests_queued, frontier_->size() - frontier_->waiting());
  DriverCounters::set(counters_.requests_waiting, frontier_->waiting());
}

// A free worker gets the best request whose host may be contacted now
// (docs/design.md §19); hosts that must wait are not candidates, and the
// frontier arms its timer for the earliest of their waits. A request is taken
// only when the HTTP client has a connection for it, so requests never queue
// inside the client, out of priority order (docs/design.md §19).
void Driver::Run::dispatch() {
  submit_refusals();
  const auto can_send = [this](const Request& request) {
    http::RequestOptions o;
    // What the pool key is made of, as http_mapping sets it for the request.
    o.verify_tls = options().verify_tls && request.verify();
    o.ca_file = options().ca_file;
    o.proxy = request.proxy();
    return client_->has_capacity(request.url(), o);
  };
  maybe_refill();
  bool asked_again = false;
  while (phase_ == Phase::running && !frontier_->empty() && !idle_.empty() && !steps_full()) {
    if (options().stop_signal->stop_requested()) {
      stop_gracefully();
      return bound_in_flight();
    }
    auto taken = frontier_->take(can_send);
    if (!taken && in_flight_ == 0 && !asked_again) {
      // Nothing in flight will free a slot: look at the parked hosts once more.
      asked_again = true;
      frontier_->capacity_freed();
      continue;
    }
    if (!taken) break;
    driver::Worker* worker = idle_.back();
    idle_.pop_back();
    tickets_[worker] = taken->ticket;
    window_.release(taken->ticket.id);
    store_->started(taken->ticket.id, taken->request.attempts());
    ++in_flight_;
    DriverCounters::add(counters_.requests_in_flight);
    worker->start(std::move(taken->request));
  }
  update_queue_counters();
}

void Driver::Run::worker_finished(driver::Worker& worker, driver::Outcome outcome) {
  seed_the_rest();  // before any outcome is applied
  --in_flight_;
  DriverCounters::sub(counters_.requests_in_flight);
  DriverCounters::add(counters_.bytes_received, outcome.bytes);
  if (outcome.archived) DriverCounters::add(counters_.files_archived);
  completion_ = {};
  if (auto ticket = tickets_.find(&worker); ticket != tickets_.end()) {
    frontier_->finished(ticket->second,
                        outcome.status ? std::optional<int>(outcome.status) : std::nullopt);
    completion_.request = ticket->second.id;
    tickets_.erase(ticket);
  }
  completion_.attempts = outcome.request ? outcome.request->attempts() : 0;
  if (outcome.fetch_time && outcome.request && store_->durable())  // the memory store keeps none
    completion_.fetch =
        store::FetchTime{store::host_of(outcome.request->url()), *outcome.fetch_time};
  if (outcome.archived && outcome.response) {
    if (auto path = outcome.response->local_filepath())
      completion_.file = store::ArchivedFile{std::string(*path), outcome.request->url(),
                                             outcome.bytes, outcome.sha256};
  }
  Next next = Next::done;
  bool settled = true;
  try {
    next = process(outcome);
  } catch (...) {
    // A step or a user's callback threw: §9, §17. Nothing of this request is
    // committed; a durable store keeps it in flight, pending again on resume.
    settled = false;
    fail(std::current_exception());
  }
  if (next == Next::step) return start_step(worker, std::move(outcome));
  outcome = {};
  if (next != Next::retried && next != Next::unanswered) {
    ++completed_;
    DriverCounters::add(counters_.requests_completed);
  }
  idle_.push_back(&worker);
  if (settled) submit(std::move(completion_));
  dispatch();
  maybe_close();
}

Driver::Run::Next Driver::Run::process(driver::Outcome& outcome) {
  const Request& request = *outcome.request;
  if (outcome.cancelled) {  // the stop's grace period ran out: counted, not a failure
    completion_.settle = store::Settle::unstarted;
    completion_.file.reset();
    ++cancelled_;
    DriverCounters::add(counters_.requests_cancelled);
    return Next::done;
  }
  if (outcome.unanswered) return unanswered(outcome);
  if (outcome.error) {
    try {
      std::rethrow_exception(outcome.error);
    } catch (const SpeculationHTTPFailure&) {
      track_speculation(request, false);  // §10: a failed probe, no step
    } catch (const RobotsDisallowedError&) {
      // A redirect led to a target robots.txt disallows (RobotsGate::check_redirect):
      // settled as a request the gate refused (crawl_run_robots.cpp).
      completion_.settle = store::Settle::failed;
      record_failure(failure_of(request, outcome.error), Channel::robots);
      if (request.is_speculative()) track_speculation(request, false);
    } catch (const TransientException&) {
      if (retry(outcome)) return Next::retried;
      // Asked only after the last attempt (§18).
      completion_.settle = store::Settle::failed;
      record_failure(failure_of(request, outcome.error), Channel::transient);
    } catch (const PersistentException&) {
      completion_.settle = store::Settle::failed;
      record_failure(failure_of(request, outcome.error), Channel::persistent);
    }
    return Next::done;  // anything else (an archive that cannot be written...) fails the run
  }
  const Response& response = *outcome.response;
  if (request.is_speculative()) {
    track_speculation(request, speculation_ && speculation_->is_success(response));
  }
  return Next::step;
}

// A transient failure goes back to the frontier with a not-before time, holding
// no worker and no connection while it waits, until it has had its retries
// (docs/design.md §18). Nothing is retried once the run is stopping; with a
// durable store the request stays pending for the next run instead.
bool Driver::Run::retry(const driver::Outcome& outcome) {
  if (phase_ != Phase::running && store_->durable()) {
    // A durable run keeps it pending: the next run on the store retries it.
    completion_.settle = store::Settle::unstarted;
    return true;
  }
  if (phase_ != Phase::running) return false;
  const auto wait = frontier_->retry(*outcome.request, completion_.request, outcome.retry_after);
  if (!wait) return false;
  window_.hold(completion_.request);  // in the frontier again, beyond the limit if need be
  completion_.settle = store::Settle::wait;
  completion_.not_before = store::WallClock::now() + *wait;
  DriverCounters::add(counters_.retries);
  update_queue_counters();
  return true;
}

// The one asynchronous seam (docs/design.md §24): the response goes to a step
// thread and its worker stays busy until the yields are applied, so with one
// worker nothing is fetched while a step runs, as in a sequential run.
void Driver::Run::start_step(driver::Worker& worker, driver::Outcome outcome) {
  auto job = std::make_unique<driver::StepJob>();
  job->scraper = &driver_.scraper_;
  job->worker = &worker;
  job->outcome = std::move(outcome);
  job->completion = std::move(completion_);  // resumed when the yields are applied
  completion_ = {};
  if (step_threads_) return step_threads_->submit(std::move(job));
  job->run();
  step_finished(std::move(job));
}

// Two responses waiting per thread that runs steps (the loop thread counts when
// it helps): enough that a thread finishing a step finds the next one ready.
bool Driver::Run::steps_full() const {
  const std::size_t runners = options().step_threads + (options().loop_helps_steps ? 1 : 0);
  return step_threads_ && step_threads_->pending() >= 2 * runners;
}

void Driver::Run::step_finished(std::unique_ptr<driver::StepJob> job) {
  completion_ = std::move(job->completion);
  bool settled = true;
  try {
    apply_step(*job);
  } catch (...) {
    // A step or a user's callback threw: §9, §17. Nothing of this request is
    // committed; a durable store keeps it in flight, pending again on resume.
    settled = false;
    fail(std::current_exception());
  }
  if (settled && options().store_responses) keep_response(*job->outcome.response);
  driver::Worker* worker = job->worker;
  job.reset();  // the response goes now (its page went on the step thread)
  ++completed_;
  DriverCounters::add(counters_.requests_completed);
  idle_.push_back(worker);
  if (settled) submit(std::move(completion_));
  dispatch();
  maybe_close();
}

// The response goes with its completion; the store compresses it on its own
// thread. The step is done with it, so its body is moved, not copied.
void Driver::Run::keep_response(Response& response) {
  store::ResponseRecord record;
  record.step = std::string(response.request->to());
  record.status = response.status_code;
  record.url = response.url;
  record.headers = std::move(response.headers);
  if (!response.local_filepath()) record.body = std::move(response.content);
  completion_.response = std::move(record);
}

// A failed step's yields are not applied (§17): everything that can make the
// step fail -- the step itself, invalid data without on_invalid_data -- is
// settled before the first yield is applied.
void Driver::Run::apply_step(driver::StepJob& job) {
  const Response& response = *job.outcome.response;
  if (const auto& tally = detail::ResponseAccess::selector_tally(response))
    for (const auto& e : tally->entries)
      completion_.selectors.push_back(
          {std::string(response.request->to()), e.kind, e.selector, e.matched});
  std::vector<YieldIssue> issues;
  try {
    if (job.error) std::rethrow_exception(job.error);
    issues = prepare(job.yields, response);
  } catch (const ScraperAssumptionException&) {
    completion_.settle = store::Settle::failed;
    return record_failure(failure_of(*response.request, std::current_exception()),
                          Channel::structural);
  }
  apply(job.yields, issues, response);
}

std::vector<Driver::Run::YieldIssue> Driver::Run::prepare(std::vector<Yield>& yields,
                                                          const Response& response) {
  std::vector<YieldIssue> issues;
  for (size_t i = 0; i < yields.size(); ++i) {
    Yield& yield = yields[i];
    if (yield.is_request()) {
      std::string link = yield.request().url();
      try {
        yield.request() = resolve_yielded(std::move(yield.request()), response);
        static_cast<void>(Url::parse(yield.request().url()));  // only http(s) is fetched
      } catch (const UrlError& error) {
        // Name the page and the step the link came from (§17: a failure of its own).
        UrlError named(link, error.reason() + " (yielded by step '" +
                                 std::string(response.request->to()) + "' on " + response.url +
                                 ")");
        issues.push_back({i, std::make_exception_ptr(named), std::move(link)});
      }
    } else if (yield.is_data() && yield.data().is_deferred()) {
      try {
        Json value = yield.data().deferred()->confirm_json();
        yield = Yield(DataItem(std::move(value)));
      } catch (const DataFormatAssumptionException&) {
        if (!driver_.on_invalid_data) throw;  // §6: a structural error, the step fails
        issues.push_back({i, std::current_exception(), {}});
      }
    }
  }
  return issues;
}

// In yield order. Each request is moved into the queue as it comes, so the
// step's buffer shrinks while the queue grows.
void Driver::Run::apply(std::vector<Yield>& yields, const std::vector<YieldIssue>& issues,
                        const Response& response) {
  auto issue = issues.begin();
  for (size_t i = 0; i < yields.size(); ++i) {
    Yield& yield = yields[i];
    if (issue != issues.end() && issue->index == i) {
      if (yield.is_request()) {
        Failure failure = failure_of(*response.request, issue->error);
        failure.url = issue->link;
        failure.page_url = response.url;
        record_failure(std::move(failure), Channel::persistent);
      } else {
        DriverCounters::add(counters_.invalid_items);
        driver_.on_invalid_data(*yield.data().deferred());
      }
      ++issue;
      continue;
    }
    if (yield.is_request()) {
      Request request = std::move(yield.request());
      yield = Yield(EstimateData{});  // frees the request's storage now
      std::optional<store::KeyHash> key;
      if (!admit(request, key)) {
        DriverCounters::add(counters_.duplicates_dropped);
        continue;
      }
      push(std::move(request), key);
    } else if (yield.is_data()) {
      completion_.items.push_back(
          store::Item{std::move(std::get<DataItem>(yield.value())).take_value(), {}, true});
    }
  }
}

bool Driver::Run::admit(const Request& request, std::optional<store::KeyHash>& key) {
  if (request.dedup_mode() != DedupMode::skip && driver_.duplicate_check)
    return driver_.duplicate_check(*request.dedup_key());
  key = seen_key(request);
  return true;
}

std::optional<store::KeyHash> Driver::Run::seen_key(const Request& request) const {
  if (request.dedup_mode() == DedupMode::skip || driver_.duplicate_check ||
      !options().builtin_dedup)
    return std::nullopt;
  const auto f = request.dedup_fingerprint();
  if (!f) return std::nullopt;
  return store::KeyHash{f->high, f->low};
}

void Driver::Run::deliver(const Json& item) {
  ++items_;
  DriverCounters::add(counters_.items_emitted);
  if (driver_.on_data) driver_.on_data(item);
}

void Driver::Run::track_speculation(const Request& request, bool success) {
  if (!speculation_ || !request.is_speculative() || !request.speculation_id()) return;
  for (Request& probe : speculation_->record(*request.speculation_id(), success))
    push(std::move(probe));
  if (store_->durable()) completion_.speculation = speculation_->save();
}

Failure Driver::Run::failure_of(const Request& request, std::exception_ptr error) {
  Failure failure;
  failure.url = request.url_with_params();
  failure.step = request.to();
  failure.attempts = static_cast<unsigned>(request.attempts() > 0 ? request.attempts() : 1);
  failure.page_url = request.current_location();
  failure.kind = driver::failure_kind(error);
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    failure.message = e.what();
  } catch (...) {
    failure.message = "unknown error";
  }
  failure.time = std::chrono::system_clock::now();
  failure.error = std::move(error);
  failure.request = std::make_shared<const Request>(request);
  return failure;
}

// §17: recorded and counted; on_failure sees it; then the per-kind callback
// decides (false stops gracefully). Without one, fail_fast ends the run with
// "error"; otherwise the crawl goes on. A callback that throws fails the run
// (the caller's catch): that is a bug in the program, not a property of the site.
void Driver::Run::record_failure(Failure failure, Channel channel) {
  if (channel != Channel::robots) DriverCounters::add(counters_.errors);
  DriverCounters::add(counters_.requests_failed);
  const auto kind = static_cast<size_t>(failure.kind);
  DriverCounters::add(counters_.failures[kind]);
  ++failure_counts_.by_kind[kind];
  const std::exception_ptr error = failure.error;
  completion_.failures.push_back(failure);
  ++failures_recorded_;
  if (driver_.on_failure) driver_.on_failure(failure);
  if (failures_.size() < options().failures_kept) failures_.push_back(std::move(failure));
  if (channel == Channel::robots) return;  // the crawler's own choice: never ends the run

  bool has_callback = false;
  bool go_on = true;
  try {
    std::rethrow_exception(error);
  } catch (const ScraperAssumptionException& e) {
    if (channel == Channel::structural && driver_.on_structural_error) {
      has_callback = true;
      go_on = driver_.on_structural_error(e);
    } else if (channel != Channel::structural && driver_.on_persistent_exception) {
      has_callback = true;
      go_on = driver_.on_persistent_exception(e);
    }
  } catch (const TransientException& e) {
    if (driver_.on_transient_exception) {
      has_callback = true;
      go_on = driver_.on_transient_exception(e);
    }
  } catch (const PersistentException& e) {
    if (driver_.on_persistent_exception) {
      has_callback = true;
      go_on = driver_.on_persistent_exception(e);
    }
  }
  if (!has_callback && options().fail_fast) return fail(error);
  if (!go_on) {
    stop_gracefully();
    bound_in_flight();
  }
}

void Driver::Run::stop_gracefully() {
  if (phase_ != Phase::running) return;
  phase_ = Phase::stopping;
  // Retries waiting out their backoff are discarded like the rest of the queue.
  const auto dropped = frontier_->discard_all();
  window_.clear();  // a durable store keeps them (and the rest) pending
  not_before_.clear();
  const size_t held = robots_ ? robots_->discard_all() : 0;  // waiting for robots.txt
  discarded_ += dropped.queued + dropped.waiting + held;
  DriverCounters::add(counters_.requests_discarded, dropped.queued + dropped.waiting + held);
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
  bound_in_flight();
}

void Driver::Run::bound_in_flight() {
  if (in_flight_ == 0 || phase_ == Phase::closing || phase_ == Phase::done) return;
  if (options().stop_signal->immediate_stop_requested() || options().stop_grace.count() <= 0)
    return cancel_in_flight();
  if (grace_timer_) return;  // already counting down
  grace_timer_ = std::make_unique<net::Timer>(loop_);
  grace_timer_->start(static_cast<uint64_t>(options().stop_grace.count()),
                      [this] { cancel_in_flight(); });
}

// Each cancelled request reports on a later loop turn (Outcome::cancelled).
void Driver::Run::cancel_in_flight() {
  for (auto& worker : workers_) worker->cancel();
}

RunResult Driver::Run::result() const {
  RunResult result;
  result.status = error_                      ? RunStatus::error
                  : phase_ == Phase::running  ? RunStatus::completed
                  : phase_ == Phase::stopping ? RunStatus::stopped
                                              : RunStatus::error;
  result.requests_completed = completed_;
  result.items_emitted = items_;
  result.requests_discarded = discarded_;
  result.requests_failed = failures_recorded_;
  result.failures_not_kept = failures_recorded_ - failures_.size();
  result.requests_cancelled = cancelled_;
  result.failure_counts = failure_counts_;
  result.failures = failures_;
  result.error = error_;
  result.resumed = resumed_;
  result.already_finished = already_finished_;
  result.replay_skipped = replay_skipped_;
  result.replay_left_pending = left_pending_.size();
  return result;
}

void Driver::Run::maybe_close() {
  submit_refusals();
  if (phase_ == Phase::closing || phase_ == Phase::done) return;
  if (seed_later_) {
    if (phase_ == Phase::running) return;  // the rest of the entries are still to come
    return seed_the_rest();                // a stop: they are discarded as queued ones are
  }
  if (in_flight_ > 0) return;
  if (steps_pending() > 0) return;  // a stop waits for the steps running (§13, §24)
  if (store_opening_ || committing_ > 0) return;
  maybe_refill();
  if (phase_ == Phase::running &&
      (!frontier_->empty() || window_.more() || (robots_ && robots_->held() > 0)))
    return;
  closing_result_ = result();
  phase_ = Phase::closing;
  grace_timer_.reset();                       // its close completes before the client's
  frontier_->close();                         // so does its timer's
  if (step_threads_) step_threads_->close();  // idle threads join; its handle closes first too
  if (robots_) robots_->close();
  if (!store_) return store_closed();
  // A replay that left requests pending for a live run is not complete in
  // its store: a later run on the store resumes it.
  const bool left = closing_result_.status == RunStatus::completed && !left_pending_.empty();
  store_->close(left ? "stopped" : to_string(closing_result_.status));  // -> store_closed
}

// The store is closed (its last commit durable): the HTTP client and the stop
// listener close, then the cookie jars are saved and on_run_complete and
// on_done run.
void Driver::Run::store_closed() {
  if (replay_) {
    // The stored run's file is released on the thread pool first.
    std::shared_ptr<driver::ReplaySource> replay = std::move(replay_);
    return replay->close([this, replay]() mutable {
      replay.reset();
      store_closed();
    });
  }
  if (std::exception_ptr error = store_ ? store_->close_error() : nullptr;
      error && !closing_result_.error) {
    closing_result_.status = RunStatus::error;  // a run not stored whole did not end well
    closing_result_.error = error;
    error_ = error;
  }
  client_->close([this, run_result = std::move(closing_result_)]() mutable {
    stop_listener_->close(
        [this, result = std::move(run_result)]() mutable { save_cookies(std::move(result)); });
  });
}

// The jars go to cookies_file once nothing can change them any more, on the
// thread pool; a file that cannot be written fails a run that had not failed.
void Driver::Run::save_cookies(RunResult result) {
  if (options().cookies_file.empty() || !options().cookies) return complete(std::move(result));
  driver::write_cookies_file(loop_, options().cookies_file,
                             driver::cookie_jars_document(driver_.cookie_jars_),
                             [this, result = std::move(result)](std::exception_ptr error) mutable {
                               if (error && !result.error) {
                                 result.status = RunStatus::error;
                                 result.error = error;
                                 error_ = error;
                               }
                               complete(std::move(result));
                             });
}

void Driver::Run::complete(RunResult result) {
  phase_ = Phase::done;
  if (driver_.on_run_complete) {
    try {
      driver_.on_run_complete(driver_.scraper_.name(), result.status, completed_, items_, error_);
    } catch (...) {
      if (!result.error) {
        result.status = RunStatus::error;
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
}

}  // namespace uvscrape
