// A worker's request from start() to its Outcome; see worker.hpp.
#include "driver/worker.hpp"

#include <cassert>

#include "driver/http_mapping.hpp"
#include "driver/robots_gate.hpp"
#include "uvscrape/errors.hpp"

namespace uvscrape::driver {
namespace {

// The outcome of a request that ends in `error` (finish() adds the status).
Outcome failed_outcome(std::shared_ptr<const Request> request, std::exception_ptr error,
                       uint64_t bytes, bool cancelled) {
  Outcome outcome;
  outcome.request = std::move(request);
  outcome.error = error;
  outcome.bytes = bytes;
  outcome.cancelled = cancelled;
  return outcome;
}

}  // namespace

void Worker::start(Request request) {
  assert(!busy() && "a worker carries one request at a time");
  status_ = 0;
  retry_after_.clear();
  fetch_time_.reset();
  request_ = std::make_shared<const Request>(std::move(request));
  cancelled_ = false;
  try {
    begin_fetch();
  } catch (...) {
    fail(std::current_exception());  // e.g. a request the HTTP layer cannot even start
  }
}

void Worker::cancel() {
  if (!transfer_ || cancelled_) return;
  cancelled_ = true;
  context_.client.cancel(*transfer_);  // done() gets CancelledError on a later turn
}

void Worker::begin_fetch() {
  if (context_.replay != nullptr) return begin_replay();
  const DriverOptions& options = context_.options;
  http::HttpRequest http = to_http_request(*request_, options, context_.scraper.follow_redirects());
  if (context_.cookie_jars != nullptr) {
    http.cookie_jar = &context_.cookie_jars->try_emplace(request_->cookie_jar()).first->second;
  }
  if (context_.robots != nullptr) {
    http.redirect_check = [gate = context_.robots](const Url& target,
                                                   http::HttpRequest::RedirectAnswer answer) {
      gate->check_redirect(target, std::move(answer));
    };
  }

  if (request_->is_archive() && !context_.archive_writer) {
    // Default writer: the body streams into storage_dir while it arrives.
    std::string dir = options.storage_dir;
    std::string make_dir;
    if (request_->dedup_mode() == DedupMode::explicit_key) {
      dir += "/" + safe_path_component(*request_->dedup_key());
      make_dir = dir;
    }
    const std::string& type = request_->expected_type() ? *request_->expected_type() : "";
    std::string final_path = context_.archive_paths.claim(
        dir + "/" + archive_file_name(request_->url(), type), request_->url());
    // Only a durable store records the file's hash (files.sha256, for the
    // repair on resume); the in-memory store keeps no file records.
    const bool hash = !options.store_path.empty();
    sink_ = std::make_unique<ArchiveSink>(context_.loop, options.storage_dir, std::move(final_path),
                                          request_->url(), std::move(make_dir), hash);
    http.sink = sink_.get();
  }
  // The dispatcher hands a request out only when the client has a connection
  // for it (crawl_run.cpp), so this clock does not count a wait in its queue.
  fetch_started_ = uv_hrtime();
  transfer_ = context_.client.fetch(std::move(http), [this](http::Result result) {
    transfer_.reset();
    if (result.response)
      fetch_time_ = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::nanoseconds(uv_hrtime() - fetch_started_));
    try {
      on_fetched(std::move(result));
    } catch (...) {
      fail(std::current_exception());
    }
  });
}

void Worker::on_fetched(http::Result result) {
  if (result.error) return fail(result.error);
  http::HttpResponse& http = *result.response;
  status_ = http.status;
  if (std::exception_ptr error = status_error(http)) {
    if (auto value = http.headers.get("Retry-After")) retry_after_ = std::string(*value);
    return fail(error);
  }
  if (sink_) return store_with_sink(std::move(http));
  if (request_->is_archive()) return store_with_callback(std::move(http));

  Outcome outcome;
  outcome.request = request_;
  outcome.bytes = http.body.size();
  outcome.response = std::make_unique<Response>(to_response(std::move(http), request_));
  finish(std::move(outcome));
}

// The scraper classes the status (docs/design.md §8, §10). After redirects the
// error names the URL asked for and the one that answered.
std::exception_ptr Worker::status_error(const http::HttpResponse& http) const {
  const std::string asked = request_->url_with_params();
  const std::string answered = http.redirect_chain.empty() ? asked : http.url;
  switch (context_.scraper.classify_status(http.status, http.headers, http.body)) {
    case StatusClass::successful: return nullptr;
    case StatusClass::transient:
      return std::make_exception_ptr(
          HTMLResponseAssumptionException(http.status, {200}, asked, answered));
    case StatusClass::persistent:
      if (request_->is_speculative())
        return std::make_exception_ptr(SpeculationHTTPFailure(http.status, http.url));
      return std::make_exception_ptr(PersistentHTTPResponseException(http.status, asked, answered));
  }
  return nullptr;
}

void Worker::store_with_sink(http::HttpResponse&& http) {
  auto response = std::make_shared<Response>(to_response(std::move(http), request_));
  sink_->finish([this, response](std::string path, std::exception_ptr error) {
    const uint64_t bytes = sink_->bytes_written();
    std::string sha256 = error ? std::string() : sink_->sha256();
    sink_.reset();
    finish_archive(std::move(*response), std::move(path), error, bytes, std::move(sha256));
  });
}

// on_archive runs on the thread pool (docs/design.md §14).
void Worker::store_with_callback(http::HttpResponse&& http) {
  std::string content = std::move(http.body);
  http.body.clear();
  const uint64_t bytes = content.size();
  auto response = std::make_shared<Response>(to_response(std::move(http), request_));
  const std::string& type = request_->expected_type() ? *request_->expected_type() : "";
  run_archive_callback(context_.loop, context_.archive_writer, std::move(content), response->url,
                       type, context_.options.storage_dir,
                       [this, response, bytes](std::string path, std::exception_ptr error) {
                         finish_archive(std::move(*response), std::move(path), error, bytes);
                       });
}

void Worker::finish_archive(Response&& response, std::string path, std::exception_ptr error,
                            uint64_t bytes, std::string sha256) {
  if (error) return finish(failed_outcome(request_, error, bytes, false));
  Outcome outcome;
  outcome.request = request_;
  outcome.bytes = bytes;
  outcome.archived = true;
  outcome.sha256 = std::move(sha256);
  outcome.response = std::make_unique<ArchiveResponse>(std::move(response), std::move(path));
  finish(std::move(outcome));
}

void Worker::fail(std::exception_ptr error) {
  if (!sink_) return finish(failed_outcome(request_, error, 0, cancelled_));
  sink_->abort([this, error](std::string, std::exception_ptr) {
    sink_.reset();
    finish(failed_outcome(request_, error, 0, cancelled_));
  });
}

void Worker::finish(Outcome outcome) {
  request_.reset();
  cancelled_ = false;
  outcome.status = std::exchange(status_, 0);
  outcome.retry_after = std::exchange(retry_after_, {});
  outcome.fetch_time = std::exchange(fetch_time_, std::nullopt);
  context_.finished(*this, std::move(outcome));
}

}  // namespace uvscrape::driver
