// Steps off the loop thread (docs/design.md §24): a response's parse and step
// run on one of a few dedicated threads, and the yields come back to the loop
// thread, where they are prepared and applied like those of a step run there.
//
// Dedicated threads rather than libuv's pool: a long step must never delay an
// archive write or an on_archive callback, which use the pool.
//
// The loop helps: when more jobs wait than there are step threads free to take
// them, the loop thread runs the oldest waiting job itself, one per loop
// iteration, from an idle handle (so I/O is polled between jobs). With
// step_threads = cores - 1 every core then parses on a parse-bound crawl,
// where the loop thread alone would have little else to do.
//
// Cheap steps stay on the loop: a step measured to take less than
// `run_here_below` on average (kept per step name; DriverOptions::
// steps_on_loop_below) runs on the loop thread, at once, when no job is
// running or waiting. Handing it to a thread and back
// (two wake-ups) costs more than the step itself, and adds latency to every
// request of a latency-bound crawl. No more steps run at once than without
// it: none is running when the loop runs one.
//
// Order: jobs are handed back in the order they were submitted (a finished job
// waits for those before it), so the yields of a run with step threads reach
// the loop in the order of the responses' completion, as without them.
//
// Thread rules: submit(), pending(), close() and the done callback belong to
// the loop thread; StepJob::run() is the only code that runs on a step thread
// (and on the loop thread when it helps), and a job is touched by one thread at
// a time (the queues' mutex hands it over).
#pragma once

#include <uv.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "driver/worker.hpp"
#include "store/run_store.hpp"
#include "uvscrape/scraper.hpp"
#include "uvscrape/step.hpp"

namespace uvscrape::driver {

// One response on its way through its step.
struct StepJob {
  ScraperBase* scraper = nullptr;
  Worker* worker = nullptr;  // the worker that fetched it, busy until the yields are applied
  Outcome outcome;           // outcome.response is the step's input
  std::vector<Yield> yields;
  std::exception_ptr error;  // what the step threw (yields empty then)
  std::chrono::nanoseconds took{};  // the step's run, the page's parse included
  // The request's completion gathered so far, on the loop thread only: it is
  // carried here while the step runs and submitted once the yields are applied.
  store::Completion completion;

  // Runs the step on outcome.response (on whatever thread calls it); never throws.
  void run() noexcept;
};

class StepThreads {
 public:
  using Done = std::function<void(std::unique_ptr<StepJob>)>;

  // Starts `threads` (>= 1) step threads; `done` gets each job back on the loop
  // thread and must not throw. `loop_helps`: the loop thread runs waiting jobs
  // when every step thread is busy; `run_here_below`: cheap steps stay on the
  // loop (0: never; see above).
  StepThreads(uv_loop_t* loop, std::size_t threads, bool loop_helps,
              std::chrono::nanoseconds run_here_below, Done done);
  StepThreads(const StepThreads&) = delete;
  StepThreads& operator=(const StepThreads&) = delete;
  ~StepThreads();  // close() if not closed yet

  // To a step thread; or run here and handed back before it returns (a
  // cheap step while the threads have nothing: see above).
  void submit(std::unique_ptr<StepJob> job);
  // Jobs submitted and not handed back yet.
  std::size_t pending() const noexcept { return pending_; }
  // Joins the threads (each finishes the job it runs first; jobs still queued
  // are dropped, so close once pending() is 0) and closes the wake-up handle.
  void close() noexcept;

 private:
  struct Wakeup;  // the loop's handles, which outlive this object until their close callbacks
  void thread_main() noexcept;
  void deliver() noexcept;  // on the loop thread, from the wake-up
  void help() noexcept;     // on the loop thread, from the idle handle (started while it helps)
  bool more_queued_than_free_threads() const;  // with mutex_ held
  bool cheap(const StepJob& job) const;
  void note_cost(const StepJob& job);

  Done done_;
  Wakeup* wakeup_ = nullptr;
  std::vector<std::thread> threads_;
  bool loop_helps_ = false;
  std::chrono::nanoseconds run_here_below_{0};
  std::size_t pending_ = 0;
  std::uint64_t next_submitted_ = 0;
  std::uint64_t next_delivered_ = 0;
  std::map<std::uint64_t, std::unique_ptr<StepJob>> reorder_;  // loop side: finished, early
  std::unordered_map<std::string, std::chrono::nanoseconds> mean_cost_;  // loop side, by step

  std::mutex mutex_;  // guards the members below
  std::condition_variable work_ready_;
  std::deque<std::pair<std::uint64_t, std::unique_ptr<StepJob>>> queued_;
  std::vector<std::pair<std::uint64_t, std::unique_ptr<StepJob>>> finished_;
  std::size_t running_ = 0;  // jobs a step thread has taken and not finished
  bool stopping_ = false;
};

}  // namespace uvscrape::driver
