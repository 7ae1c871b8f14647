// A worker's request in a replay (DriverOptions::replay_from): the stored
// answer stands in for the transfer, then the outcome is the live run's.
#include "driver/failure_kind.hpp"
#include "driver/http_mapping.hpp"
#include "driver/stored_failure.hpp"
#include "driver/worker.hpp"
#include "uvscrape/errors.hpp"

namespace uvscrape::driver {

void Worker::begin_replay() {
  context_.replay->fetch(*request_, [this](ReplayAnswer answer) {
    try {
      on_replayed(std::move(answer));
    } catch (...) {
      fail(std::current_exception());
    }
  });
}

void Worker::on_replayed(ReplayAnswer answer) {
  if (answer.error) return fail(answer.error);  // the stored run cannot be read: the run fails
  if (answer.miss || answer.stored_failure) {
    // A probe the stored run never got an answer for: its range ended there
    // (there is no status to report, hence 0).
    if (request_->is_speculative())
      return fail(std::make_exception_ptr(SpeculationHTTPFailure(0, request_->url_with_params())));
    if (answer.stored_failure)
      return fail(std::make_exception_ptr(StoredFailureError(
          failure_kind_named(answer.stored_failure->first),
          "failed in the stored run " + context_.replay->path() + ": " +
              answer.stored_failure->second)));
    if (context_.options.replay_miss == ReplayMiss::fail)
      return fail(std::make_exception_ptr(
          NoStoredResponseError(request_->url_with_params(), context_.replay->path())));
    Outcome outcome;
    outcome.request = request_;
    outcome.unanswered = context_.options.replay_miss;
    return finish(std::move(outcome));
  }
  http::HttpResponse http;
  if (answer.response) {
    http.status = answer.response->status;
    http.headers = std::move(answer.response->headers);
    http.body = std::move(answer.response->body);
    http.url = std::move(answer.response->url);
  } else {  // an archived file whose response was not kept: it was a success
    http.status = 200;
    http.url = answer.file->url;
  }
  if (http.url != request_->url_with_params()) http.redirect_chain.push_back(request_->url());
  if (!answer.file) return on_fetched(http::Result{std::move(http), nullptr});
  // The stored run's file stands in for the download.
  status_ = http.status;
  store::ArchivedFile& file = *answer.file;
  finish_archive(to_response(std::move(http), request_), std::move(file.path), nullptr, file.size,
                 std::move(file.sha256));
}

}  // namespace uvscrape::driver
