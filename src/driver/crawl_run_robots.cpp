// The run's side of the robots.txt gate (DriverOptions::obey_robots_txt): what
// happens to a request the gate lets through or refuses. See robots_gate.hpp.
#include "driver/crawl_run.hpp"

namespace uvscrape {

using detail::DriverCounters;

void Driver::Run::start_robots_gate() {
  driver::RobotsGate::Hooks hooks;
  hooks.admit = [this](Request request, store::RequestId id) {
    if (phase_ != Phase::running) {  // a stop came while it waited for robots.txt
      ++discarded_;
      DriverCounters::add(counters_.requests_discarded);
      return;
    }
    enqueue(std::move(request), id);
  };
  hooks.disallow = [this](Request request, store::RequestId id, const std::string& why) {
    refuse_by_robots(std::move(request), id, why);
  };
  hooks.crawl_delay = [this](std::string_view origin, double rate) {
    frontier_->cap_host_rate(origin, rate);
  };
  hooks.released = [this] {  // from a robots.txt fetch's callback
    dispatch();
    maybe_close();
  };
  robots_ =
      std::make_unique<driver::RobotsGate>(loop_, *client_, options(), counters_, std::move(hooks));
}

// A request robots.txt disallows is finished without being sent: a Failure of
// kind robots_disallowed that on_failure sees, never an error of the run. It
// settles in the store like a request that failed for good (failed, its
// Failure recorded, a refused probe's follow-ups as children), in a
// completion of its own; a resume does not ask again. The completion is
// submitted by submit_refusals(), outside the store report or gate release
// that refused it, so that an in-memory store's commit (reported from inside
// the call) never runs inside another one.
void Driver::Run::refuse_by_robots(Request request, store::RequestId id, const std::string& why) {
  window_.release(id);
  if (phase_ != Phase::running) {
    ++discarded_;  // with a durable store it stays pending there
    DriverCounters::add(counters_.requests_discarded);
    return;
  }
  ++completed_;
  DriverCounters::add(counters_.requests_completed);
  std::string url = request.url_with_params();
  store::Completion outer = std::move(completion_);  // whatever is being built stays intact
  completion_ = {};
  completion_.request = id;
  completion_.settle = store::Settle::failed;
  completion_.attempts = request.attempts();
  bool settled = true;
  try {
    record_failure(
        failure_of(request, std::make_exception_ptr(RobotsDisallowedError(std::move(url), why))),
        Channel::robots);
    // A refused speculative probe found nothing: the tracker counts it as a miss.
    if (request.is_speculative()) track_speculation(request, false);
  } catch (...) {
    settled = false;
    fail(std::current_exception());  // on_failure threw (may run inside a C callback)
  }
  if (settled) refusals_.push_back(std::move(completion_));
  completion_ = std::move(outer);
}

void Driver::Run::submit_refusals() {
  while (!refusals_.empty()) {
    store::Completion c = std::move(refusals_.front());
    refusals_.pop_front();
    submit(std::move(c));
  }
}

}  // namespace uvscrape
