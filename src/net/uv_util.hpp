// Small helpers for owning libuv handles from C++.
//
// A libuv handle may only be freed after its close callback has run, which is
// later than the owning object usually dies. So handles live on the heap and
// `close_and_free` hands them to uv_close with a callback that deletes them.
#pragma once

#include <uv.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace uvscrape::net {

// "connection refused (ECONNREFUSED)" for a libuv status code.
inline std::string uv_error_text(int status) {
  return std::string(uv_strerror(status)) + " (" + uv_err_name(status) + ")";
}

// Closes an initialised heap handle and deletes it once libuv is done with it.
// `data` is cleared first so late callbacks can tell the owner is gone.
template <class Handle>
void close_and_free(Handle* handle) {
  if (handle == nullptr) return;
  auto* base = reinterpret_cast<uv_handle_t*>(handle);
  base->data = nullptr;
  if (uv_is_closing(base)) return;
  uv_close(base, [](uv_handle_t* h) { delete reinterpret_cast<Handle*>(h); });
}

// Owns one initialised heap uv_timer_t; the destructor closes it.
class Timer {
 public:
  explicit Timer(uv_loop_t* loop) : timer_(new uv_timer_t{}) {
    uv_timer_init(loop, timer_);
    timer_->data = this;
  }
  ~Timer() { close_and_free(timer_); }
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  // Runs `fire` once after `delay_ms` (0: on the next loop iteration). Re-arming
  // replaces the previous callback.
  void start(uint64_t delay_ms, std::function<void()> fire) {
    fire_ = std::move(fire);
    uv_timer_start(timer_, &Timer::on_fire, delay_ms, 0);
  }
  void stop() {
    uv_timer_stop(timer_);
    fire_ = nullptr;
  }
  bool active() const { return uv_is_active(reinterpret_cast<uv_handle_t*>(timer_)) != 0; }
  // An armed timer no longer keeps uv_run() from returning (a housekeeping timer).
  void unref() { uv_unref(reinterpret_cast<uv_handle_t*>(timer_)); }

 private:
  static void on_fire(uv_timer_t* handle) noexcept {
    auto* self = static_cast<Timer*>(handle->data);
    if (self == nullptr || !self->fire_) return;
    auto fire = std::move(self->fire_);  // `fire` may destroy the Timer
    self->fire_ = nullptr;
    fire();
  }

  uv_timer_t* timer_;
  std::function<void()> fire_;
};

// Runs `fire` once, after the loop has next polled for I/O (a check handle):
// work that can wait until what this iteration started (connects, writes)
// has been handed to the kernel. The destructor closes the handle; `fire`
// does not run after it.
class AfterPoll {
 public:
  explicit AfterPoll(uv_loop_t* loop) : check_(new uv_check_t{}) {
    uv_check_init(loop, check_);
    check_->data = this;
  }
  ~AfterPoll() { close_and_free(check_); }
  AfterPoll(const AfterPoll&) = delete;
  AfterPoll& operator=(const AfterPoll&) = delete;

  void start(std::function<void()> fire) {
    fire_ = std::move(fire);
    uv_check_start(check_, [](uv_check_t* handle) {
      auto* self = static_cast<AfterPoll*>(handle->data);
      if (self == nullptr) return;
      uv_check_stop(handle);
      auto fire = std::move(self->fire_);  // `fire` may destroy this
      self->fire_ = nullptr;
      if (fire) fire();
    });
  }

 private:
  uv_check_t* check_;
  std::function<void()> fire_;
};

// Runs `call` once on the next loop iteration, on a timer of its own that
// frees itself: for answering when no handle of the caller is left (after a
// close). The loop stays alive until it has run.
inline void post_once(uv_loop_t* loop, std::function<void()> call) {
  struct Once {
    uv_timer_t timer{};
    std::function<void()> call;
  };
  auto* once = new Once{};
  once->call = std::move(call);
  uv_timer_init(loop, &once->timer);
  once->timer.data = once;
  uv_timer_start(
      &once->timer,
      [](uv_timer_t* timer) {
        auto* self = static_cast<Once*>(timer->data);
        auto call = std::move(self->call);
        uv_close(reinterpret_cast<uv_handle_t*>(timer),
                 [](uv_handle_t* h) { delete static_cast<Once*>(h->data); });
        call();
      },
      0, 0);
}

// Runs calls on a later loop iteration, in order, so that a callback never
// fires before the function that caused it has returned. Calls still queued
// when the Deferred is destroyed are dropped, and so are the remaining ones if
// a call destroys it.
class Deferred {
 public:
  explicit Deferred(uv_loop_t* loop) : loop_(loop) {}
  void post(std::function<void()> call) {
    calls_.push_back(std::move(call));
    if (!timer_) timer_ = std::make_unique<Timer>(loop_);
    if (timer_->active()) return;
    timer_->start(0, [this, alive = std::weak_ptr<int>(alive_)] {
      auto calls = std::move(calls_);
      calls_.clear();
      for (auto& call : calls) {
        if (alive.expired()) return;
        call();
      }
    });
  }

 private:
  uv_loop_t* loop_;
  std::unique_ptr<Timer> timer_;
  std::vector<std::function<void()>> calls_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace uvscrape::net
