// One run of a Driver on one loop: the queue, the workers, the shared HTTP
// client, deduplication, speculation, failures, the user's callbacks and the
// run's lifecycle (docs/design.md §1, 3, 6, 9, 10, 13, 15, 17).
//
// Lifecycle: begin() -> on_run_start -> entries + speculation seeds -> dispatch
// ... -> (queue drained | stop | error) with nothing in flight -> close the HTTP
// client, the grace timer and the stop listener -> on_run_complete -> on_done.
// After on_done the loop holds nothing of the run's.
//
// Stop: the queue is discarded at once; requests in flight get stop_grace to
// finish, then are cancelled (at once on a second stop request). With a
// durable store the discarded requests stay pending in it for a resume.
//
// The run store (docs/design.md §20): the frontier below is the window of the
// store's pending requests. Everything a request's processing produces (its
// settlement, children, items, failures, file, speculation state) is gathered
// in one store::Completion and submitted; children enter the frontier and
// items reach on_data only when the store reports it committed.
#pragma once

#include <uv.h>

#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "driver/archive_name.hpp"
#include "driver/counters.hpp"
#include "driver/crawl_frontier.hpp"
#include "driver/replay_source.hpp"
#include "driver/robots_gate.hpp"
#include "driver/step_threads.hpp"
#include "driver/stop_state.hpp"
#include "driver/store_window.hpp"
#include "driver/worker.hpp"
#include "http/client.hpp"
#include "net/uv_util.hpp"
#include "scraper/speculation_tracker.hpp"
#include "store/run_store.hpp"
#include "store/seen_set.hpp"
#include "uvscrape/driver.hpp"

namespace uvscrape {

struct Driver::Run final : store::Listener {
  Run(Driver& driver, uv_loop_t* loop, std::function<void(const RunResult&)> on_done);
  ~Run();

  void begin();
  bool finished() const noexcept { return phase_ == Phase::done; }

 private:
  enum class Phase { running, stopping, failing, closing, done };
  // Which per-kind callback a failure goes to.
  // `robots`: disallowed by robots.txt -- recorded and shown to on_failure only;
  // never ends the run, whatever fail_fast says.
  enum class Channel { transient, persistent, structural, robots };
  // A yield that needs the user before or instead of being applied.
  struct YieldIssue {
    size_t index;              // position in the step's yields
    std::exception_ptr error;  // UrlError (bad link) or DataFormatAssumptionException
    std::string link;          // a bad link as yielded
  };

  const DriverOptions& options() const { return driver_.options_; }
  void worker_finished(driver::Worker& worker, driver::Outcome outcome);
  void open_store();
  void seed();
  void seed_entries(std::vector<Request> entries, bool probes);
  // The entries seed() left for after the first requests went out, if any.
  void seed_when_sent();
  void seed_the_rest();
  void resume(store::Opened& opened);
  void add_seeds(const Json& params);  // DriverOptions::add_seed_params
  // A request for the frontier, gathered into the completion being built; it
  // enters the frontier once committed (and not a duplicate, when `key` is set).
  void push(Request request, std::optional<store::KeyHash> key = std::nullopt,
            bool record_only = false);
  void enqueue(Request request, store::RequestId id = 0);  // past the robots.txt gate
  void start_robots_gate();
  void refuse_by_robots(Request request, store::RequestId id, const std::string& why);
  void submit_refusals();  // the completions of refused requests, queued by refuse_by_robots
  void submit(store::Completion completion);
  void store_opened(store::Opened opened) override;
  void store_committed(store::Completion completion) override;
  void store_failed(std::exception_ptr error) override;
  void store_closed() override;
  void store_refilled(std::vector<store::PendingRequest> pending, bool more) override;
  void maybe_refill();  // asks the store for more when the window runs low
  void enqueue_pending(store::PendingRequest& pending);  // a resumed or refilled one
  void dispatch();
  // What a finished request needs next.
  // `unanswered`: a replay's miss, skipped or left pending (not completed).
  enum class Next { done, retried, step, unanswered };
  Next process(driver::Outcome& outcome);
  bool retry(const driver::Outcome& outcome);
  // A replay's request with no stored response, skipped or left pending
  // (crawl_run_replay.cpp).
  Next unanswered(const driver::Outcome& outcome);
  // requests_queued / requests_waiting from the frontier's own counts.
  void update_queue_counters();
  // The step of a response, on a step thread or (step_threads = 0) right here;
  // step_finished() applies its yields on the loop thread and frees the worker.
  void start_step(driver::Worker& worker, driver::Outcome outcome);
  void step_finished(std::unique_ptr<driver::StepJob> job);
  void apply_step(driver::StepJob& job);
  void keep_response(Response& response);  // DriverOptions::store_responses
  // Back-pressure: responses waiting for a step thread are bounded; while the
  // bound is reached, no worker gets a new request.
  bool steps_full() const;
  size_t steps_pending() const { return step_threads_ ? step_threads_->pending() : 0; }
  // Resolves every yielded request and validates every deferred item, in place,
  // before anything is applied; throws the first structural problem (nothing
  // of the step applied then). Bad links and (with on_invalid_data) invalid
  // items become issues, handled in yield order by apply().
  std::vector<YieldIssue> prepare(std::vector<Yield>& yields, const Response& response);
  void apply(std::vector<Yield>& yields, const std::vector<YieldIssue>& issues,
             const Response& response);
  // Whether `request` may enter the queue as far as the run decides (a user's
  // duplicate_check); sets `key` when the store's seen set is to decide.
  bool admit(const Request& request, std::optional<store::KeyHash>& key);
  // The key the store's seen set decides `request` by (entries, added seeds
  // and yielded requests alike): none for DedupMode::skip, with a user's
  // duplicate_check (it decides instead) or without builtin_dedup.
  std::optional<store::KeyHash> seen_key(const Request& request) const;
  void deliver(const Json& item);
  void track_speculation(const Request& request, bool success);

  // Records a request that failed for good, shows it to on_failure and then to
  // its per-kind callback (false stops; absent with fail_fast fails the run).
  void record_failure(Failure failure, Channel channel);
  Failure failure_of(const Request& request, std::exception_ptr error);

  void stop_gracefully();               // running -> stopping
  void fail(std::exception_ptr error);  // -> failing (first error wins)
  // Starts the grace period for requests in flight (once), or cancels them now.
  void bound_in_flight();
  void cancel_in_flight();
  // Nothing in flight and nothing left to do -> closing: the HTTP client and the
  // stop listener close, then on_run_complete and on_done run -> done.
  void maybe_close();
  // After the close: cookies_file is written, then complete() reports.
  void save_cookies(RunResult result);
  // on_run_complete, then on_done -> done.
  void complete(RunResult result);
  RunResult result() const;

  Driver& driver_;
  uv_loop_t* loop_;
  std::function<void(const RunResult&)> on_done_;
  detail::DriverCounters& counters_;
  ArchiveWriter archive_callback_;
  Phase phase_ = Phase::running;
  std::exception_ptr error_;
  std::unique_ptr<http::Client> client_;
  std::unique_ptr<driver::StopListener> stop_listener_;
  std::unique_ptr<driver::StepThreads> step_threads_;  // null: steps run on the loop thread
  std::unique_ptr<net::Timer> grace_timer_;  // armed once a stop leaves requests in flight
  std::unique_ptr<driver::CrawlFrontier> frontier_;
  std::unique_ptr<driver::RobotsGate> robots_;    // with obey_robots_txt
  std::unique_ptr<driver::ReplaySource> replay_;  // with replay_from
  // A replay's requests left pending in the store (ReplayMiss::pending): never
  // refilled into this run.
  std::vector<store::RequestId> left_pending_;
  uint64_t replay_skipped_ = 0;
  // The frontier's ticket of each busy worker's request.
  std::unordered_map<const driver::Worker*, driver::CrawlFrontier::Ticket> tickets_;
  std::unique_ptr<store::RunStore> store_;
  driver::StoreWindow window_;  // which of the store's pending requests the frontier holds
  bool store_opening_ = false;  // open() submitted, store_opened not yet reported
  bool store_failed_ = false;
  std::size_t committing_ = 0;              // completions submitted, not yet committed
  store::Completion completion_;            // of the request being processed (or the seeding)
  // A long entry list on the in-memory store: the entries after the first
  // num_workers, seeded once those are sent (seed()), before anything else.
  std::vector<Request> entries_later_;
  std::unique_ptr<net::AfterPoll> seed_later_;
  std::deque<store::Completion> refusals_;  // of requests robots.txt refused, to submit
  // Stored retry waits of resumed or refilled requests held by the robots.txt
  // gate; enqueue() applies them.
  std::unordered_map<store::RequestId, store::WallClock::time_point> not_before_;
  bool resumed_ = false;
  // The sum of the cookie jars' changes() when they last went to the store.
  std::uint64_t exported_cookie_changes_ = 0;
  RunResult closing_result_;  // what the run reports, fixed when it starts closing
  bool already_finished_ = false;
  driver::ArchivePaths archive_paths_;
  std::unique_ptr<SpeculationTracker> speculation_;
  std::unique_ptr<driver::WorkerContext> worker_context_;
  std::vector<std::unique_ptr<driver::Worker>> workers_;
  std::vector<driver::Worker*> idle_;
  std::vector<Failure> failures_;  // the first DriverOptions::failures_kept
  std::uint64_t failures_recorded_ = 0;
  FailureCounts failure_counts_;
  size_t in_flight_ = 0;
  uint64_t completed_ = 0;
  uint64_t items_ = 0;
  uint64_t discarded_ = 0;
  uint64_t cancelled_ = 0;
};

}  // namespace uvscrape
