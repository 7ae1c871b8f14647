// The shared state behind uvscrape::StopSignal and the loop-side listener that
// turns a stop request from any thread into a callback on the loop thread.
#pragma once

#include <uv.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <vector>

#include "uvscrape/stop_signal.hpp"

namespace uvscrape::detail {

struct StopState {
  std::atomic<unsigned> requests{0};   // 1: graceful stop, 2 or more: immediate
  std::mutex mutex;                    // guards `listeners`
  std::vector<uv_async_t*> listeners;  // one per attached driver
};

}  // namespace uvscrape::detail

namespace uvscrape::driver {

// Owns a uv_async_t registered with a StopSignal; `on_stop` runs on the loop
// thread after request_stop() (possibly coalesced). close() must be called before
// the loop is closed; the handle is freed in its close callback.
class StopListener {
 public:
  StopListener(uv_loop_t* loop, StopSignal signal, std::function<void()> on_stop);
  ~StopListener();  // closes if still open
  StopListener(const StopListener&) = delete;
  StopListener& operator=(const StopListener&) = delete;

  // Unregisters and closes the handle; `on_closed` runs once it is closed.
  void close(std::function<void()> on_closed = {}) noexcept;
  bool stop_requested() const noexcept { return signal_.stop_requested(); }

 private:
  struct Handle {
    uv_async_t async;
    StopListener* owner;
    std::function<void()> on_closed;
  };
  static void on_async(uv_async_t* handle);

  StopSignal signal_;
  std::function<void()> on_stop_;
  Handle* handle_ = nullptr;
};

}  // namespace uvscrape::driver
