// Progress a person reads: an opt-in reporter over a Driver's counters.
//
// On a TTY it keeps one status line rewritten in place (at most every
// status_interval); elsewhere it writes a plain log line every log_interval.
// It runs a timer on the loop the driver runs on, so it is started with
// Driver::start()'s loop:
//
//   uvscrape::ProgressReporter progress(driver);
//   progress.start(&loop);
//   driver.start(&loop, [&](const RunResult& r) { progress.stop(); ... });
//   uv_run(&loop, UV_RUN_DEFAULT);
//   std::cerr << progress.summary(result);
#pragma once

#include <uv.h>

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "uvscrape/driver.hpp"

namespace uvscrape {

struct ProgressReporterOptions {
  enum class Mode {
    automatic,    // status_line when stderr is a TTY, log_lines otherwise
    status_line,  // one line rewritten in place ("\r" and erase-line)
    log_lines,    // one full line per report
  };
  Mode mode = Mode::automatic;
  std::chrono::milliseconds status_interval{250};  // status_line mode
  std::chrono::milliseconds log_interval{10000};   // log_lines mode
  // Where the text goes (loop thread). Absent: stderr.
  std::function<void(std::string_view text)> write;
};

class ProgressReporter {
 public:
  // `driver` must outlive the reporter.
  explicit ProgressReporter(const Driver& driver, ProgressReporterOptions options = {});
  // Closes the timer if stop() was not called (the loop must then run once more).
  ~ProgressReporter();
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

  // Starts the periodic reports on `loop` (loop thread); the clock for the
  // rate and the elapsed time starts here.
  void start(uv_loop_t* loop);
  // Stops the reports, erases a status line and closes the timer (loop thread;
  // the handle is closed on the loop's next iteration).
  void stop();
  // Writes `message` as a line of its own, above the status line (loop thread).
  void note(std::string_view message);
  // Writes one report now.
  void report_now();

  bool status_line_mode() const noexcept { return status_line_; }
  // The end-of-run summary: status, time, requests, rate, items, failures,
  // files archived, bytes received, failures by kind.
  std::string summary(const RunResult& result) const;

  // "requests 120 done, 5 queued, 8 in flight | items 80 | failures 0 |
  //  240.5 req/s | ETA 0:03 | 1.2s" (the ETA is "?" while nothing is done).
  static std::string format_line(const DriverProgress& progress,
                                 std::chrono::steady_clock::duration elapsed);

 private:
  struct Timer;  // outlives the reporter until its handle is closed
  void emit(std::string_view text);
  void erase_status_line();

  const Driver& driver_;
  ProgressReporterOptions options_;
  bool status_line_ = false;
  bool line_shown_ = false;
  Timer* timer_ = nullptr;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace uvscrape
