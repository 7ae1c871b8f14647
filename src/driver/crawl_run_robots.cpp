// The run's side of the robots.txt gate (DriverOptions::obey_robots_txt): what
// happens to a request the gate lets through or refuses. See robots_gate.hpp.
#include "driver/crawl_run.hpp"

namespace uvscrape {

using detail::DriverCounters;

void Driver::Run::start_robots_gate() {
  driver::RobotsGate::Hooks hooks;
  hooks.admit = [this](Request request) {
    if (phase_ != Phase::running) {  // a stop came while it waited for robots.txt
      ++discarded_;
      DriverCounters::add(counters_.requests_discarded);
      return;
    }
    enqueue(std::move(request));
  };
  hooks.disallow = [this](Request request, const std::string& why) {
    refuse_by_robots(std::move(request), why);
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
// kind robots_disallowed that on_failure sees, never an error of the run.
void Driver::Run::refuse_by_robots(Request request, const std::string& why) {
  if (phase_ != Phase::running) {
    ++discarded_;
    DriverCounters::add(counters_.requests_discarded);
    return;
  }
  ++completed_;
  DriverCounters::add(counters_.requests_completed);
  std::string url = request.url_with_params();
  try {
    record_failure(
        failure_of(request, std::make_exception_ptr(RobotsDisallowedError(std::move(url), why))),
        Channel::robots);
    // A refused speculative probe found nothing: the tracker counts it as a miss.
    if (request.is_speculative()) track_speculation(request, false);
  } catch (...) {
    fail(std::current_exception());  // on_failure threw (may run inside a C callback)
  }
}

}  // namespace uvscrape
