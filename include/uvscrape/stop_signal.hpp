// A thread-safe request to stop a crawl gracefully (docs/design.md §13).
//
// Copies share one state: keep one in your program, hand a copy to the driver
// (DriverOptions::stop_signal), and call request_stop() from any thread, from a
// uv_signal_t callback, or from inside a driver callback. A stop requested before
// the run starts makes the run end at once with status "stopped" (no request is
// made). During a run, requests in flight finish and their yields are applied,
// nothing new starts, and the rest of the queue is discarded and counted.
#pragma once

#include <memory>

namespace uvscrape {

namespace detail {
struct StopState;  // src/driver/stop_state.hpp
}

class StopSignal {
 public:
  StopSignal();

  // Safe from any thread; idempotent.
  void request_stop() const noexcept;
  bool stop_requested() const noexcept;
  // Clears a past request so the signal can be reused for another run.
  void reset() const noexcept;

  // For the driver: the shared state it attaches its loop wake-up to.
  const std::shared_ptr<detail::StopState>& state() const noexcept { return state_; }

 private:
  std::shared_ptr<detail::StopState> state_;
};

}  // namespace uvscrape
