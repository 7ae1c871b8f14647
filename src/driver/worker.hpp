// A worker carries one request at a time from the queue to an Outcome: the
// HTTP transfer, then (archive requests) storing the body. It keeps no state
// machine of its own: the transfer's states are the HTTP client's
// (http/transfer_state.hpp), the stored file's are the ArchiveSink's
// (driver/archive_sink.hpp); a worker is busy from start() until it reports.
//
// The worker classifies the HTTP status with the scraper and reports exactly one
// Outcome per request: a Response (an ArchiveResponse for archive requests) or a
// typed error. Steps and callbacks are the run's business, not the worker's.
#pragma once

#include <uv.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "driver/archive_job.hpp"
#include "driver/archive_name.hpp"
#include "driver/archive_sink.hpp"
#include "driver/replay_source.hpp"
#include "http/client.hpp"
#include "uvscrape/driver_options.hpp"
#include "uvscrape/request.hpp"
#include "uvscrape/response.hpp"
#include "uvscrape/scraper.hpp"

namespace uvscrape::driver {

class RobotsGate;

struct Outcome {
  std::shared_ptr<const Request> request;
  std::unique_ptr<Response> response;  // set on success (ArchiveResponse for archives)
  std::exception_ptr error;            // set on failure
  uint64_t bytes = 0;                  // body bytes received
  bool archived = false;               // a file was stored
  bool cancelled = false;              // cancel() ended it (a stop's grace period ran out)
  int status = 0;                      // the HTTP status, when an answer came
  std::string retry_after;             // its Retry-After header (a retry's wait)
  std::string sha256;  // of the archived file, hex (the default writer's; "" for on_archive)
  // A replay found no stored response and its policy is skip or pending.
  std::optional<ReplayMiss> unanswered;
  // How long the transfer took when an answer came (store::FetchTime);
  // none for a transport error, a cancel and a replay.
  std::optional<std::chrono::milliseconds> fetch_time;
};

class Worker;

// What the workers of one run share; every member outlives the workers.
struct WorkerContext {
  uv_loop_t* loop;
  http::Client& client;
  const DriverOptions& options;
  const ArchiveWriter& archive_writer;  // empty: the default writer (ArchiveSink)
  const ScraperBase& scraper;           // status classification, redirect policy
  ArchivePaths& archive_paths;
  // The run's cookie jars by name; null when cookies are off.
  std::map<std::string, CookieJar, std::less<>>* cookie_jars;
  // Set for a replay (DriverOptions::replay_from): requests are answered
  // from the stored run, never sent; `client` is then never used.
  ReplaySource* replay;
  // The run's robots.txt gate (obey_robots_txt), which every redirect a
  // request follows passes; null when robots.txt is not obeyed.
  RobotsGate* robots;
  // The outcome of a request; may start() the worker again.
  std::function<void(Worker&, Outcome)> finished;
};

class Worker {
 public:
  explicit Worker(WorkerContext& context) : context_(context) {}
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Takes `request` (the worker must not be busy). The outcome arrives through
  // WorkerContext::finished, never synchronously from here.
  void start(Request request);
  bool busy() const noexcept { return request_ != nullptr; }
  // Ends the transfer now: the outcome comes (on a later loop turn) with
  // Outcome::cancelled and a CancelledError, unless the request already
  // finished its transfer (an archive being stored finishes normally).
  void cancel();

 private:
  void begin_fetch();
  void on_fetched(http::Result result);
  // A replay's request: its stored answer instead of the network
  // (worker_replay.cpp).
  void begin_replay();
  void on_replayed(ReplayAnswer answer);
  void store_with_sink(http::HttpResponse&& http);
  void store_with_callback(http::HttpResponse&& http);
  std::exception_ptr status_error(const http::HttpResponse& http) const;
  // The end of an archive request, either writer: the stored file or its error.
  void finish_archive(Response&& response, std::string path, std::exception_ptr error,
                      uint64_t bytes, std::string sha256 = {});
  // Drops the sink's temporary file (if any), then reports `error`.
  void fail(std::exception_ptr error);
  // Hands the outcome over; the worker is free again.
  void finish(Outcome outcome);

  WorkerContext& context_;
  std::shared_ptr<const Request> request_;
  std::unique_ptr<ArchiveSink> sink_;
  std::optional<http::RequestId> transfer_;  // while the HTTP client has the request
  bool cancelled_ = false;
  int status_ = 0;                   // of the answer, for Outcome::status
  std::string retry_after_;          // of a transient status, for Outcome::retry_after
  std::uint64_t fetch_started_ = 0;  // uv_hrtime() when the HTTP client got the request
  std::optional<std::chrono::milliseconds> fetch_time_;  // for Outcome::fetch_time
};

}  // namespace uvscrape::driver
