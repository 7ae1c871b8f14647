// ProgressReporter: a timer on the driver's loop that formats the counters.
#include "uvscrape/progress_reporter.hpp"

#include <unistd.h>

#include <cstdio>

namespace uvscrape {

struct ProgressReporter::Timer {
  uv_timer_t handle{};
  ProgressReporter* owner = nullptr;  // null once the reporter is gone
};

namespace {

double seconds_of(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

unsigned long long ull(std::uint64_t n) {
  return static_cast<unsigned long long>(n);
}

// "0:07", "12:03", "3:04:05"
std::string clock_text(double secs) {
  auto total = static_cast<unsigned long long>(secs + 0.5);
  char buf[48];
  if (total >= 3600)
    std::snprintf(buf, sizeof buf, "%llu:%02llu:%02llu", total / 3600, total / 60 % 60, total % 60);
  else
    std::snprintf(buf, sizeof buf, "%llu:%02llu", total / 60, total % 60);
  return buf;
}

// "12.3 KiB (12595)"
std::string byte_text(std::uint64_t bytes) {
  static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  for (; value >= 1024 && unit < 4; ++unit) value /= 1024;
  char buf[64];
  std::snprintf(buf, sizeof buf, unit == 0 ? "%.0f %s (%llu)" : "%.1f %s (%llu)", value,
                units[unit], ull(bytes));
  return buf;
}

void write_stderr(std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stderr);  // a terminal write; small
  std::fflush(stderr);
}

}  // namespace

ProgressReporter::ProgressReporter(const Driver& driver, ProgressReporterOptions options)
    : driver_(driver), options_(std::move(options)) {
  using Mode = ProgressReporterOptions::Mode;
  status_line_ = options_.mode == Mode::status_line ||
                 (options_.mode == Mode::automatic && isatty(STDERR_FILENO) == 1);
  if (!options_.write) options_.write = write_stderr;
}

ProgressReporter::~ProgressReporter() {
  if (timer_ != nullptr) {
    timer_->owner = nullptr;
    auto* h = reinterpret_cast<uv_handle_t*>(&timer_->handle);
    if (!uv_is_closing(h))
      uv_close(h, [](uv_handle_t* handle) { delete static_cast<Timer*>(handle->data); });
  }
}

void ProgressReporter::start(uv_loop_t* loop) {
  if (timer_ != nullptr) return;
  started_ = std::chrono::steady_clock::now();
  timer_ = new Timer;
  timer_->owner = this;
  timer_->handle.data = timer_;
  uv_timer_init(loop, &timer_->handle);
  auto period = static_cast<std::uint64_t>(
      (status_line_ ? options_.status_interval : options_.log_interval).count());
  if (period == 0) period = 1;
  uv_timer_start(
      &timer_->handle,
      [](uv_timer_t* handle) {
        auto* timer = static_cast<Timer*>(handle->data);
        if (timer->owner != nullptr) timer->owner->report_now();
      },
      period, period);
}

void ProgressReporter::stop() {
  erase_status_line();
  if (timer_ == nullptr) return;
  auto* h = reinterpret_cast<uv_handle_t*>(&timer_->handle);
  uv_close(h, [](uv_handle_t* handle) { delete static_cast<Timer*>(handle->data); });
  timer_ = nullptr;
}

void ProgressReporter::report_now() {
  std::string line = format_line(driver_.progress(), std::chrono::steady_clock::now() - started_);
  if (status_line_) {
    emit("\r\033[K" + line);
    line_shown_ = true;
  } else {
    emit(line + "\n");
  }
}

void ProgressReporter::note(std::string_view message) {
  erase_status_line();
  std::string text(message);
  text += "\n";
  emit(text);
}

void ProgressReporter::emit(std::string_view text) {
  try {
    options_.write(text);
  } catch (...) {
    // A failing sink loses a progress line; it must not throw out of a timer callback.
  }
}

void ProgressReporter::erase_status_line() {
  if (status_line_ && line_shown_) emit("\r\033[K");
  line_shown_ = false;
}

std::string ProgressReporter::format_line(const DriverProgress& p,
                                          std::chrono::steady_clock::duration elapsed) {
  double secs = seconds_of(elapsed);
  double rate = secs > 0 ? static_cast<double>(p.requests_completed) / secs : 0.0;
  std::uint64_t left = p.requests_queued + p.requests_in_flight + p.requests_waiting;
  std::string eta =
      left == 0 ? "0:00" : (rate > 0 ? clock_text(static_cast<double>(left) / rate) : "?");
  char buf[320];
  std::snprintf(buf, sizeof buf,
                "requests %llu done, %llu queued, %llu in flight | items %llu | failures %llu | "
                "%.1f req/s | ETA %s | %.1fs",
                ull(p.requests_completed), ull(p.requests_queued), ull(p.requests_in_flight),
                ull(p.items_emitted), ull(p.requests_failed), rate, eta.c_str(), secs);
  return buf;
}

std::string ProgressReporter::summary(const RunResult& result) const {
  double secs = seconds_of(std::chrono::steady_clock::now() - started_);
  char buf[320];
  std::snprintf(buf, sizeof buf,
                "run %s in %.1fs: %llu requests (%.1f/s), %llu items, %llu failures, "
                "%llu discarded, %llu cancelled\n",
                to_string(result.status), secs, ull(result.requests_completed),
                secs > 0 ? static_cast<double>(result.requests_completed) / secs : 0.0,
                ull(result.items_emitted), ull(result.requests_failed),
                ull(result.requests_discarded), ull(result.requests_cancelled));
  std::string out = buf;
  const DriverProgress p = driver_.progress();
  out += "  files archived: " + std::to_string(p.files_archived) + "\n";
  out += "  bytes received: " + byte_text(p.bytes_received) + "\n";
  for (std::size_t k = 0; k < kFailureKinds; ++k) {
    std::uint64_t n = result.failure_counts.by_kind[k];
    if (n == 0) continue;
    out += "  ";
    out += to_string(static_cast<FailureKind>(k));
    out += ": " + std::to_string(n) + "\n";
  }
  return out;
}

}  // namespace uvscrape
