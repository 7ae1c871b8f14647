// The run's frontier: the pure Frontier of Requests with the run's clock, the
// one timer that wakes the run when a host's token or a retry's time comes,
// the retry policy and (when on) each host's adaptive throttle.
//
// The run pushes requests, take()s them for free workers, reports every
// finished attempt (finished()), and hands transient failures to retry(),
// which puts the request back with a not-before time or says it has had its
// retries. Everything runs on the loop thread.
//
// With a shared run store (share_rate_limits()), a rate-limited host's limit
// is the store's: each request also takes a token from the store's shared
// bucket (RunStore::acquire_rate_token), and a refusal holds the host back
// for the time the store says. The local bucket stays too, so this process
// never goes above the lower of the shared rate and the adaptive throttle's
// (a throttle's cut is this process's own; a robots.txt Crawl-delay caps the
// shared rate).
#pragma once

#include <uv.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "driver/frontier.hpp"
#include "driver/host_throttle.hpp"
#include "driver/retry_policy.hpp"
#include "net/uv_util.hpp"
#include "store/run_store.hpp"
#include "uvscrape/driver_options.hpp"
#include "uvscrape/request.hpp"
#include "uvscrape/scraper.hpp"

namespace uvscrape::driver {

class CrawlFrontier {
 public:
  // What the frontier queues: a request and its number in the run store.
  struct Queued {
    Request request;
    store::RequestId id = 0;
  };
  using HostId = Frontier<Queued>::HostId;

  // A request on its way: what finished() needs back.
  struct Ticket {
    HostId host = 0;
    FrontierTime sent{};
    store::RequestId id = 0;  // the request's number in the run store
  };
  struct Taken {
    Ticket ticket;
    Request request;  // its attempts() already counts this send
  };

  // `on_wake` runs on the loop thread when a wait has ended (a host's token,
  // a retry's not-before time): the run dispatches again.
  CrawlFrontier(uv_loop_t* loop, const DriverOptions& options,
                const std::vector<RateLimit>& scraper_limits, std::function<void()> on_wake);

  void push(Request request, store::RequestId id);
  // Queues `request` to wait `wait` first (a retry's wait restored on resume).
  void push_after(Request request, store::RequestId id, std::chrono::milliseconds wait);

  // The best request that may be sent now; `can_send(url)` says whether the
  // HTTP client has a connection for it. nullopt: nothing now (the timer is
  // armed for the next time something may be).
  std::optional<Taken> take(const std::function<bool(const Request&)>& can_send);

  // An attempt ended: frees its host's slot and feeds the throttle (`status`
  // is the HTTP status when there was one).
  void finished(const Ticket& ticket, std::optional<int> status);

  // A transient failure of `request`: queues it again after its wait and
  // returns the wait, or nullopt when it has had its retries.
  // `retry_after` is the response's Retry-After header, if any.
  std::optional<std::chrono::milliseconds> retry(const Request& request, store::RequestId id,
                                                 std::string_view retry_after);

  // The HTTP client has a connection slot again.
  void capacity_freed();

  // From now on rate-limited hosts take their tokens from `store` (a
  // shared() one, which outlives this frontier's close()).
  void share_rate_limits(store::RunStore& store);

  // Caps the rate of `url`'s host at `rate` per second (a robots.txt
  // Crawl-delay); a stricter rate already in force stays.
  void cap_host_rate(std::string_view url, double rate);

  Frontier<Queued>::Discarded discard_all();
  std::size_t size() const noexcept { return frontier_.size(); }
  std::size_t waiting() const noexcept { return frontier_.waiting(); }
  bool empty() const noexcept { return frontier_.empty(); }

  // Releases the timer (the run closes before it reports); nothing wakes after.
  void close();

 private:
  HostId host_of(std::string_view url);
  void arm(FrontierTime now);
  void ask_rate_tokens();  // for the hosts waiting for one

  // A host's limit as the shared store keeps it.
  struct SharedRate {
    double rate = 0;
    double burst = 1;
  };

  const DriverOptions& options_;
  HostLimits scraper_limits_;
  std::function<void()> on_wake_;
  Frontier<Queued> frontier_;
  RetryPolicy retry_policy_;
  std::unordered_map<HostId, HostThrottle> throttles_;
  std::unique_ptr<net::Timer> timer_;
  std::optional<FrontierTime> armed_for_;
  store::RunStore* shared_store_ = nullptr;
  std::unordered_map<HostId, SharedRate> shared_rates_;
  // The store's answers check it: none is acted on after close().
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace uvscrape::driver
