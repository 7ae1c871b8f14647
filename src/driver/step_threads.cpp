// Dedicated step threads and the hand-back to the loop; see step_threads.hpp.
#include "driver/step_threads.hpp"

#include <stdexcept>
#include <string>

#include "scraper/response_internals.hpp"
#include "scraper/run_step.hpp"

namespace uvscrape::driver {

void StepJob::run() noexcept {
  const Response& response = *outcome.response;
  const auto started = std::chrono::steady_clock::now();
  try {
    yields = uvscrape::run_step(*scraper, response.request->to(), response);
  } catch (...) {
    yields.clear();
    error = std::current_exception();
  }
  // Nothing after the step reads the page: free it here, where it was built.
  detail::ResponseAccess::drop_parsed(response);
  took = std::chrono::steady_clock::now() - started;
}

struct StepThreads::Wakeup {
  uv_async_t async;  // a step thread finished a job
  uv_idle_t idle;    // started while the loop thread helps
  StepThreads* owner;
  int open = 0;  // handles not yet closed: the last close callback deletes this
};

StepThreads::StepThreads(uv_loop_t* loop, std::size_t threads, bool loop_helps,
                         std::chrono::nanoseconds run_here_below, Done done)
    : done_(std::move(done)),
      wakeup_(new Wakeup{}),
      loop_helps_(loop_helps),
      run_here_below_(run_here_below) {
  wakeup_->owner = this;
  wakeup_->async.data = wakeup_;
  wakeup_->idle.data = wakeup_;
  if (int rc = uv_async_init(loop, &wakeup_->async,
                             [](uv_async_t* handle) {
                               auto* wakeup = static_cast<Wakeup*>(handle->data);
                               if (wakeup->owner) wakeup->owner->deliver();
                             });
      rc != 0) {
    delete wakeup_;
    throw std::runtime_error(std::string("uv_async_init: ") + uv_strerror(rc));
  }
  ++wakeup_->open;
  uv_idle_init(loop, &wakeup_->idle);  // cannot fail
  ++wakeup_->open;
  threads_.reserve(threads);
  try {
    for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { thread_main(); });
  } catch (...) {
    close();
    throw;
  }
}

StepThreads::~StepThreads() {
  close();
}

void StepThreads::submit(std::unique_ptr<StepJob> job) {
  if (pending_ == 0 && cheap(*job)) {
    job->run();  // blocks the loop for one cheap step, as with step_threads = 0
    note_cost(*job);
    ++next_submitted_;
    ++next_delivered_;
    return done_(std::move(job));
  }
  ++pending_;
  bool more_than_threads = false;
  {
    std::lock_guard lock(mutex_);
    queued_.emplace_back(next_submitted_++, std::move(job));
    more_than_threads = more_queued_than_free_threads();
  }
  work_ready_.notify_one();
  if (loop_helps_ && more_than_threads &&
      !uv_is_active(reinterpret_cast<uv_handle_t*>(&wakeup_->idle))) {
    uv_idle_start(&wakeup_->idle, [](uv_idle_t* handle) {
      auto* wakeup = static_cast<Wakeup*>(handle->data);
      if (wakeup->owner) wakeup->owner->help();
    });
  }
}

bool StepThreads::cheap(const StepJob& job) const {
  const auto mean = mean_cost_.find(job.outcome.response->request->to());
  return mean != mean_cost_.end() && mean->second < run_here_below_;
}

// A moving mean: a step that turns slow leaves the loop within a few runs.
void StepThreads::note_cost(const StepJob& job) {
  const auto [mean, first] = mean_cost_.try_emplace(job.outcome.response->request->to(), job.took);
  if (!first) mean->second += (job.took - mean->second) / 8;
}

// A thread woken but not yet at the queue counts as free: the loop takes only
// what the threads cannot.
bool StepThreads::more_queued_than_free_threads() const {
  return queued_.size() > threads_.size() - running_;
}

void StepThreads::help() noexcept {
  std::pair<std::uint64_t, std::unique_ptr<StepJob>> item;
  {
    std::lock_guard lock(mutex_);
    if (!stopping_ && more_queued_than_free_threads()) {
      item = std::move(queued_.front());
      queued_.pop_front();
    }
  }
  if (!item.second) {
    uv_idle_stop(&wakeup_->idle);
    return;
  }
  item.second->run();  // blocks the loop for one step, as with step_threads = 0
  reorder_.emplace(item.first, std::move(item.second));
  deliver();
}

void StepThreads::thread_main() noexcept {
  for (;;) {
    std::pair<std::uint64_t, std::unique_ptr<StepJob>> item;
    {
      std::unique_lock lock(mutex_);
      work_ready_.wait(lock, [this] { return stopping_ || !queued_.empty(); });
      if (stopping_) return;
      item = std::move(queued_.front());
      queued_.pop_front();
      ++running_;
    }
    item.second->run();
    {
      std::lock_guard lock(mutex_);
      --running_;
      finished_.push_back(std::move(item));
    }
    uv_async_send(&wakeup_->async);  // wake-ups coalesce; deliver() takes everything finished
  }
}

void StepThreads::deliver() noexcept {
  std::vector<std::pair<std::uint64_t, std::unique_ptr<StepJob>>> finished;
  {
    std::lock_guard lock(mutex_);
    finished.swap(finished_);
  }
  for (auto& [seq, job] : finished) reorder_.emplace(seq, std::move(job));
  // done_ may submit again or close: look at the buffer afresh each time.
  while (!threads_.empty() && !reorder_.empty() && reorder_.begin()->first == next_delivered_) {
    auto job = std::move(reorder_.begin()->second);
    reorder_.erase(reorder_.begin());
    ++next_delivered_;
    --pending_;
    note_cost(*job);
    done_(std::move(job));
  }
}

void StepThreads::close() noexcept {
  if (wakeup_ == nullptr) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  // Blocks the loop only while a thread finishes the job it runs: close() is
  // called once every job was handed back, so each thread is waiting for work.
  for (auto& thread : threads_) thread.join();
  threads_.clear();
  wakeup_->owner = nullptr;
  const auto closed = [](uv_handle_t* handle) {
    auto* wakeup = static_cast<Wakeup*>(handle->data);
    if (--wakeup->open == 0) delete wakeup;
  };
  uv_close(reinterpret_cast<uv_handle_t*>(&wakeup_->idle), closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&wakeup_->async), closed);
  wakeup_ = nullptr;
}

}  // namespace uvscrape::driver
