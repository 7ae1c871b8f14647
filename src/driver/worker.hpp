// A worker: the state machine that carries one request at a time from the queue
// to a Response (DESIGN "The shape"; curl's multi interface is the model).
//
//   idle --start()--> fetching --(archive)--> storing --> idle (outcome reported)
//                         \---------------------------------/
//
// fetching: the shared http::Client is transferring the request; an archive
//           request streams its body into an ArchiveSink on the way.
// storing:  the archived body is being flushed and renamed (default writer) or
//           handed to on_archive on the thread pool.
// The worker classifies the HTTP status with the scraper and reports exactly one
// Outcome per request: a Response (an ArchiveResponse for archive requests) or a
// typed error. Steps and callbacks are the run's business, not the worker's.
#pragma once

#include <uv.h>

#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <string>

#include "driver/archive_job.hpp"
#include "driver/archive_sink.hpp"
#include "http/client.hpp"
#include "uvscrape/driver_options.hpp"
#include "uvscrape/request.hpp"
#include "uvscrape/response.hpp"
#include "uvscrape/status.hpp"

namespace uvscrape::driver {

struct Outcome {
  std::shared_ptr<const Request> request;
  std::unique_ptr<Response> response;  // set on success (ArchiveResponse for archives)
  std::exception_ptr error;            // set on failure
  uint64_t bytes = 0;                  // body bytes received
  bool archived = false;               // a file was stored
  int status = 0;                      // the HTTP status, when an answer came
  std::string retry_after;             // its Retry-After header (a retry's wait)
};

// What a worker needs from the run it belongs to.
class WorkerHost {
 public:
  virtual ~WorkerHost() = default;
  virtual uv_loop_t* loop() = 0;
  virtual http::Client& client() = 0;
  virtual const DriverOptions& options() const = 0;
  virtual const ArchiveCallback& archive_callback() const = 0;
  virtual bool follow_redirects() const = 0;
  // `path` if no other URL of this run was stored there, else a variant of it.
  virtual std::string claim_archive_path(std::string path, const std::string& url) = 0;
  // The scraper's verdict on a status (body empty for streamed archive downloads).
  virtual StatusClass classify(int status, const Headers& headers, std::string_view body) const = 0;
  virtual void worker_finished(class Worker& worker, Outcome outcome) = 0;
};

class Worker {
 public:
  enum class State { idle, fetching, storing };

  explicit Worker(WorkerHost& host) : host_(host) {}
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // idle -> fetching. The outcome arrives through WorkerHost::worker_finished,
  // never synchronously from here.
  void start(Request request);
  State state() const noexcept { return state_; }

 private:
  void begin_fetch();
  void on_fetched(http::Result result);
  void store_with_sink(http::HttpResponse&& http);
  void store_with_callback(http::HttpResponse&& http);
  std::exception_ptr status_error(const http::HttpResponse& http) const;
  // Drops the sink's temporary file (if any), then reports `error`.
  void fail(std::exception_ptr error);
  // -> idle; hands the outcome to the host (which may start() this worker again).
  void finish(Outcome outcome);

  WorkerHost& host_;
  State state_ = State::idle;
  std::shared_ptr<const Request> request_;
  std::unique_ptr<ArchiveSink> sink_;
  int status_ = 0;           // of the answer, for Outcome::status
  std::string retry_after_;  // of a transient status, for Outcome::retry_after
};

}  // namespace uvscrape::driver
