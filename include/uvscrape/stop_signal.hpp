// A thread-safe request to stop a crawl gracefully (docs/design.md §13).
//
// Copies share one state: keep one in your program, hand a copy to the driver
// (DriverOptions::stop_signal), and call request_stop() from any thread, from a
// uv_signal_t callback, or from inside a driver callback. A stop requested before
// the run starts makes the run end at once with status "stopped" (no request is
// made). During a run, requests in flight finish and their yields are applied,
// nothing new starts, and the rest of the queue is discarded and counted.
// Requests still in flight after DriverOptions::stop_grace are cancelled and
// counted; a second request_stop() (or request_immediate_stop()) cancels them
// at once.
#pragma once

#include <memory>

namespace uvscrape {

namespace detail {
struct StopState;  // src/driver/stop_state.hpp
}
namespace driver {
class StopListener;  // the driver's side: a loop wake-up per run
}

class StopSignal {
 public:
  StopSignal();

  // Safe from any thread. The first call asks for a graceful stop, the second
  // for an immediate one.
  void request_stop() const noexcept;
  // Asks for an immediate stop: requests in flight are cancelled now.
  void request_immediate_stop() const noexcept;
  bool stop_requested() const noexcept;
  bool immediate_stop_requested() const noexcept;
  // Clears a past request so the signal can be reused for another run.
  void reset() const noexcept;

 private:
  friend class driver::StopListener;  // attaches its loop wake-up to the shared state
  std::shared_ptr<detail::StopState> state_;
};

}  // namespace uvscrape
