// An "existing" libuv program that embeds a crawl: it has its own heartbeat
// timer and a status endpoint on its loop, starts the Bug Civil Court crawl
// with Driver::start(loop, ...), keeps serving while the crawl runs, and stops
// the crawl on SIGINT through the StopSignal.
//
// SIGINT while the crawl runs: graceful stop, then the program closes its
// handles and uv_run returns. SIGINT after the crawl ended: the program closes.
#pragma once

#include <uv.h>

#include <cstdint>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <uvscrape/driver.hpp>

#include "bug_court_scraper.hpp"
#include "status_endpoint.hpp"

namespace embed {

struct EmbedOptions {
  std::string base_url = "http://127.0.0.1:8080";
  std::string status_host = "127.0.0.1";
  int status_port = 0;  // 0: a free port
  std::size_t workers = 4;
  std::string storage_dir = "embed-files";
  std::string out;  // JSON lines file for the items; empty: items are only counted
  std::optional<uvscrape::Json> seed;
  bool exit_when_done = false;  // close the program when the crawl ends
  std::uint64_t heartbeat_ms = 100;
};

class EmbedApp {
 public:
  EmbedApp(uv_loop_t* loop, EmbedOptions options);
  ~EmbedApp();  // the loop must have finished the app's handles (run it after shutdown())
  EmbedApp(const EmbedApp&) = delete;
  EmbedApp& operator=(const EmbedApp&) = delete;

  // Starts the heartbeat, the SIGINT handler and the crawl; the status endpoint
  // listens from construction.
  void start();
  // Closes the program's handles (stopping the crawl first if it still runs).
  void shutdown();

  int status_port() const noexcept { return endpoint_.port(); }
  std::string status_json() const;
  bool crawl_running() const noexcept { return crawl_running_; }
  const std::optional<uvscrape::RunResult>& crawl_result() const noexcept { return result_; }
  std::uint64_t heartbeats() const noexcept { return heartbeats_; }
  std::uint64_t status_requests_answered() const noexcept { return endpoint_.requests_answered(); }

  // Called on the loop thread when the crawl has ended.
  std::function<void(const uvscrape::RunResult&)> on_crawl_done;

 private:
  void crawl_finished(const uvscrape::RunResult& result);

  uv_loop_t* loop_;
  EmbedOptions options_;
  uvscrape::StopSignal stop_;
  bug_court::BugCourtScraper scraper_;
  std::unique_ptr<uvscrape::Driver> driver_;
  StatusEndpoint endpoint_;
  uv_timer_t* heartbeat_ = nullptr;  // heap: freed by close callbacks
  uv_signal_t* sigint_ = nullptr;
  std::ofstream out_;
  std::uint64_t heartbeats_ = 0;
  std::uint64_t items_ = 0;
  bool crawl_running_ = false;
  bool shutting_down_ = false;
  std::optional<uvscrape::RunResult> result_;
};

}  // namespace embed
