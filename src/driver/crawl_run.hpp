// One run of a Driver on one loop: the queue, the workers, the shared HTTP
// client, deduplication, speculation, the user's callbacks and the run's
// lifecycle (DESIGN decisions 1, 3, 6, 9, 10, 13, 15).
//
// Lifecycle: begin() -> on_run_start -> entries + speculation seeds -> dispatch
// ... -> (queue drained | stop | error) with nothing in flight -> close the HTTP
// client and the stop listener -> on_run_complete -> on_done. After on_done the
// loop holds nothing of the run's.
#pragma once

#include <uv.h>

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "driver/counters.hpp"
#include "driver/crawl_frontier.hpp"
#include "driver/seen_set.hpp"
#include "driver/stop_state.hpp"
#include "driver/worker.hpp"
#include "http/client.hpp"
#include "scraper/speculation_tracker.hpp"
#include "uvscrape/driver.hpp"

namespace uvscrape {

struct Driver::Run final : driver::WorkerHost {
  Run(Driver& driver, uv_loop_t* loop, std::function<void(const RunResult&)> on_done);
  ~Run() override;

  void begin();

  // WorkerHost
  uv_loop_t* loop() override { return loop_; }
  http::Client& client() override { return *client_; }
  const DriverOptions& options() const override { return driver_.options_; }
  const driver::ArchiveCallback& archive_callback() const override { return archive_callback_; }
  bool follow_redirects() const override { return driver_.scraper_.follow_redirects(); }
  std::string claim_archive_path(std::string path, const std::string& url) override;
  StatusClass classify(int status, const Headers& headers, std::string_view body) const override;
  void worker_finished(driver::Worker& worker, driver::Outcome outcome) override;

  bool finished() const noexcept { return phase_ == Phase::done; }

 private:
  enum class Phase { running, stopping, failing, closing, done };

  void seed();
  void push(Request request);
  void dispatch();
  // Returns true when the request went back to the frontier for a retry.
  bool process(driver::Outcome& outcome);
  bool retry(const driver::Outcome& outcome);
  // requests_queued / requests_waiting from the frontier's own counts.
  void update_queue_counters();
  void run_step(const Response& response);
  void apply(std::vector<Yield>& yields, const Response& response);
  void enqueue_yielded(Request child, const Response& response);
  bool admit(const Request& request);
  void deliver(const DataItem& item);
  void track_speculation(const Request& request, bool success);
  void on_transient(const TransientException& error, std::exception_ptr ptr);
  void on_persistent(const PersistentException& error, std::exception_ptr ptr);
  void on_structural(const ScraperAssumptionException& error, std::exception_ptr ptr);

  void stop_gracefully();               // running -> stopping
  void fail(std::exception_ptr error);  // -> failing (first error wins)
  // Nothing in flight and nothing left to do -> closing: the HTTP client and the
  // stop listener close, then on_run_complete and on_done run -> done.
  void maybe_close();

  Driver& driver_;
  uv_loop_t* loop_;
  std::function<void(const RunResult&)> on_done_;
  detail::DriverCounters& counters_;
  driver::ArchiveCallback archive_callback_;
  Phase phase_ = Phase::running;
  std::exception_ptr error_;
  std::unique_ptr<http::Client> client_;
  std::unique_ptr<driver::StopListener> stop_listener_;
  std::unique_ptr<driver::CrawlFrontier> frontier_;
  // The frontier's ticket of each busy worker's request.
  std::unordered_map<const driver::Worker*, driver::CrawlFrontier::Ticket> tickets_;
  driver::SeenSet seen_;
  std::unordered_map<std::string, std::string> archive_paths_;  // stored path -> its URL
  std::unique_ptr<SpeculationTracker> speculation_;
  std::vector<std::unique_ptr<driver::Worker>> workers_;
  std::vector<driver::Worker*> idle_;
  size_t in_flight_ = 0;
  uint64_t completed_ = 0;
  uint64_t items_ = 0;
  uint64_t discarded_ = 0;
};

}  // namespace uvscrape
