// A replay's misses (DriverOptions::replay_miss); see crawl_run.hpp.
#include "driver/crawl_run.hpp"

namespace uvscrape {

// skip: settled as done with nothing yielded, counted. pending: back to
// pending in this run's store (its attempt not counted), never refilled into
// this run, so a later live run on the store fetches it.
Driver::Run::Next Driver::Run::unanswered(const driver::Outcome& outcome) {
  if (*outcome.unanswered == ReplayMiss::pending) {
    completion_.settle = store::Settle::unstarted;
    completion_.attempts = std::max(0, outcome.request->attempts() - 1);
    left_pending_.push_back(completion_.request);
  } else {
    completion_.settle = store::Settle::done;
    ++replay_skipped_;
  }
  return Next::unanswered;
}

}  // namespace uvscrape
