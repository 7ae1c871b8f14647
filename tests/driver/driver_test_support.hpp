// Shared helpers of the driver tests: a scraper assembled from lambdas, a
// deadline for blocking runs, and small site builders for the test server.
#pragma once

#include <gtest/gtest.h>
#include <uv.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "threaded_test_server.hpp"
#include "uvscrape/driver.hpp"
#include "uvscrape/page.hpp"
#include "uvscrape/uvscrape.hpp"

namespace uvscrape {
// gtest prints a RunStatus by name.
inline void PrintTo(RunStatus status, std::ostream* os) {
  *os << to_string(status);
}
}  // namespace uvscrape

namespace uvscrape::driver_test {

using testing::ServerRequest;
using testing::ServerResponse;
using testing::ThreadedTestServer;

// Memory figures of a sanitized build (ASan, TSan) are its allocator's, not the
// product's, and its sizes are cut to keep its slowdown bounded.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif
#else
inline constexpr bool kSanitized = false;
#endif

// A field of /proc/self/status in KiB ("VmRSS", "VmHWM"). VmHWM is this
// process image's peak; getrusage's ru_maxrss is not usable in a spawned child
// because Linux carries the parent's peak over the exec.
inline long status_kb(const std::string& field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::atol(line.c_str() + field.size() + 1);
  }
  return -1;
}

// A scraper whose steps and entries are given by the test.
class LambdaScraper : public Scraper<Json> {
 public:
  explicit LambdaScraper(std::string name = "LambdaScraper") : Scraper<Json>(std::move(name)) {}

  template <class F>
  void add_step(std::string name, F fn, StepOptions options = {}) {
    step(std::move(name), std::move(fn), options);
  }
  std::vector<Request> get_entry() override { return entries; }
  StatusClassifier& status_overrides() { return statuses(); }
  void follow(bool on) { set_follow_redirects(on); }

  std::vector<Request> entries;
};

// Aborts the process if a blocking call does not return in time: a hang is a
// failure, never a stuck test run.
class Deadline {
 public:
  explicit Deadline(std::chrono::seconds limit, const char* what = "driver run")
      : thread_([this, limit, what] {
          std::unique_lock<std::mutex> lock(mutex_);
          if (!cv_.wait_for(lock, limit, [this] { return done_; })) {
            std::fprintf(stderr, "DEADLINE: %s did not finish within %llds\n", what,
                         static_cast<long long>(limit.count()));
            std::abort();
          }
        }) {}
  ~Deadline() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

inline std::filesystem::path fresh_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("uvscrape-driver-" + name + "-" + std::to_string(uv_os_getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline testing::TestServerOptions catch_all() {
  testing::TestServerOptions o;
  o.catch_all_ok = true;
  return o;
}

inline DriverOptions test_options(const std::string& name, size_t workers = 1) {
  DriverOptions o;
  o.num_workers = workers;
  // Steps on a step thread, whatever the machine's cores: the tests hold with
  // them (and the ThreadSanitizer build checks the hand-over). Tests of the
  // loop-thread mode set 0.
  o.step_threads = 1;
  o.storage_dir = fresh_dir(name).string();
  o.connect_timeout = std::chrono::milliseconds(5000);
  o.first_byte_timeout = std::chrono::milliseconds(10000);
  o.idle_timeout = std::chrono::milliseconds(10000);
  // Retries as by default, but without the seconds of backoff.
  o.retry_backoff_base = std::chrono::milliseconds(5);
  o.retry_backoff_cap = std::chrono::milliseconds(20);
  return o;
}

inline const Page& page_of(const Response& r) {
  return r.page();
}

// The text of every link matching `xpath` on the response's page.
inline std::vector<std::string> links(const Response& r, const char* xpath = "//a/@href") {
  return page_of(r).checked_xpath_strings(xpath, "links", 0);
}

// Serves a fan-out site: /list/<p> links to /item/<p>-<i> (per_page items) and
// to /list/<p+1> until `pages`; items render <p class="v">p-i</p>.
inline void serve_fanout(ThreadedTestServer& server, int pages, int per_page) {
  server->route("GET", "/list/*", [pages, per_page](const ServerRequest& req, ServerResponse& res) {
    const int p = std::atoi(req.path.c_str() + 6);
    std::string html = "<html><body>";
    for (int i = 0; i < per_page; ++i)
      html +=
          "<a class='item' href='/item/" + std::to_string(p) + "-" + std::to_string(i) + "'>i</a>";
    if (p < pages) html += "<a rel='next' href='/list/" + std::to_string(p + 1) + "'>next</a>";
    res = ServerResponse::html(html + "</body></html>");
  });
  server->route("GET", "/item/*", [](const ServerRequest& req, ServerResponse& res) {
    res = ServerResponse::html("<html><body><p class='v'>" + req.path.substr(6) +
                               "</p></body></html>");
  });
}

}  // namespace uvscrape::driver_test
