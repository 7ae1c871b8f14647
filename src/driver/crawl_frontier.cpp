// See crawl_frontier.hpp.
#include "driver/crawl_frontier.hpp"

#include <algorithm>

#include "scraper/request_internals.hpp"

namespace uvscrape::driver {
namespace {

HostLimits limits_of(const HostPoliteness& p) {
  return HostLimits{.max_in_flight = p.max_in_flight, .rate = p.rate, .burst = p.burst};
}

// The scraper's ceilings as one limit: the smallest rate, burst 1.
HostLimits declared_limits(const std::vector<RateLimit>& ceilings) {
  HostLimits out;
  for (const RateLimit& c : ceilings) {
    if (c.requests <= 0 || c.per.count() <= 0) continue;
    const double rate = c.requests / c.per.count();
    if (out.rate == 0 || rate < out.rate) out.rate = rate;
  }
  return out;
}

}  // namespace

CrawlFrontier::CrawlFrontier(uv_loop_t* loop, const DriverOptions& options,
                             const std::vector<RateLimit>& scraper_limits,
                             std::function<void()> on_wake)
    : options_(options),
      scraper_limits_(declared_limits(scraper_limits)),
      on_wake_(std::move(on_wake)),
      frontier_(options.global_rate, options.global_burst),
      retry_policy_(RetrySettings{.max_retries = options.max_retries,
                                  .base = options.retry_backoff_base,
                                  .cap = options.retry_backoff_cap,
                                  .retry_after_max = options.retry_after_max}),
      timer_(std::make_unique<net::Timer>(loop)) {}

CrawlFrontier::HostId CrawlFrontier::host_of(std::string_view url) {
  const std::string key = host_key(url);
  const auto named = options_.hosts.find(key);
  const HostPoliteness& own = named != options_.hosts.end() ? named->second : options_.per_host;
  const HostLimits limits = stricter(limits_of(own), scraper_limits_);
  const std::size_t known = frontier_.host_count();
  const HostId id = frontier_.host(key, limits);
  if (shared_store_ && frontier_.host_count() > known && limits.rate > 0) {
    shared_rates_.emplace(id, SharedRate{limits.rate, limits.burst});
    frontier_.share_rate(id);
  }
  return id;
}

void CrawlFrontier::share_rate_limits(store::RunStore& store) {
  shared_store_ = &store;
}

void CrawlFrontier::ask_rate_tokens() {
  if (!shared_store_) return;
  for (const HostId id : frontier_.permits_wanted()) {
    const SharedRate& limit = shared_rates_.at(id);
    shared_store_->acquire_rate_token(
        frontier_.host_name(id), limit.rate, limit.burst,
        [this, id, alive = std::weak_ptr<bool>(alive_)](std::chrono::milliseconds wait) {
          if (alive.expired()) return;
          const FrontierTime now = FrontierClock::now();
          if (wait.count() > 0) {
            frontier_.refuse(id, now + wait, now);
            return arm(now);
          }
          frontier_.grant(id, now);
          on_wake_();
        });
  }
}

void CrawlFrontier::push(Request request, store::RequestId id) {
  const HostId host = host_of(request.url());
  const int priority = request.priority();
  frontier_.push(host, priority, Queued{std::move(request), id}, FrontierClock::now());
  ask_rate_tokens();
}

void CrawlFrontier::push_after(Request request, store::RequestId id,
                               std::chrono::milliseconds wait) {
  const HostId host = host_of(request.url());
  const int priority = request.priority();
  frontier_.push_after(host, priority, Queued{std::move(request), id}, FrontierClock::now() + wait);
}

std::optional<CrawlFrontier::Taken> CrawlFrontier::take(
    const std::function<bool(const Request&)>& can_send) {
  const FrontierTime now = FrontierClock::now();
  auto taken =
      frontier_.take(now, [&can_send](const Queued& queued) { return can_send(queued.request); });
  ask_rate_tokens();
  if (!taken) {
    arm(now);
    return std::nullopt;
  }
  detail::RequestAccess::count_attempt(taken->payload.request);
  return Taken{Ticket{taken->host, now, taken->payload.id}, std::move(taken->payload.request)};
}

void CrawlFrontier::finished(const Ticket& ticket, std::optional<int> status) {
  const FrontierTime now = FrontierClock::now();
  frontier_.finished(ticket.host, now);
  ask_rate_tokens();
  if (!options_.adaptive_throttle || !status) return;
  auto it = throttles_.find(ticket.host);
  if (it == throttles_.end()) {
    const ThrottleSettings settings{.min_rate = options_.throttle_min_rate};
    it = throttles_.emplace(ticket.host, HostThrottle(settings, frontier_.host_rate(ticket.host)))
             .first;
  }
  const auto latency = std::chrono::duration_cast<std::chrono::milliseconds>(now - ticket.sent);
  if (it->second.on_answer(*status, latency, now)) {
    frontier_.set_host_rate(ticket.host, it->second.rate(), now);
    ask_rate_tokens();
  }
}

std::optional<std::chrono::milliseconds> CrawlFrontier::retry(const Request& request,
                                                              store::RequestId id,
                                                              std::string_view retry_after) {
  std::optional<std::chrono::milliseconds> server_wait;
  if (!retry_after.empty())
    server_wait = parse_retry_after(retry_after, std::chrono::system_clock::now());
  const auto wait = retry_policy_.next_wait(request.attempts(), request.retries(), server_wait);
  if (!wait) return std::nullopt;
  const FrontierTime now = FrontierClock::now();
  frontier_.push_after(host_of(request.url()), request.priority(), Queued{request, id},
                       now + *wait);
  return wait;
}

void CrawlFrontier::capacity_freed() {
  frontier_.capacity_freed(FrontierClock::now());
  ask_rate_tokens();
}

void CrawlFrontier::cap_host_rate(std::string_view url, double rate) {
  if (rate <= 0) return;
  const HostId host = host_of(url);
  const double current = frontier_.host_rate(host);
  if (shared_store_) {
    // The site asked every crawler to slow down: the shared limit follows.
    auto [shared, added] = shared_rates_.try_emplace(host, SharedRate{rate, 1});
    if (added) frontier_.share_rate(host);
    shared->second.rate = std::min(shared->second.rate, rate);
  }
  if (current > 0 && current <= rate) return;
  frontier_.set_host_rate(host, rate, FrontierClock::now());
  ask_rate_tokens();
}

Frontier<CrawlFrontier::Queued>::Discarded CrawlFrontier::discard_all() {
  if (timer_) timer_->stop();
  armed_for_.reset();
  return frontier_.discard_all();
}

void CrawlFrontier::close() {
  alive_.reset();
  timer_.reset();  // closes the handle; the loop frees it on its next turn
  armed_for_.reset();
}

// One timer for the earliest wake; re-armed only when that time moves.
void CrawlFrontier::arm(FrontierTime now) {
  if (!timer_) return;
  const auto wake = frontier_.next_wake(now);
  if (!wake) return;
  if (armed_for_ && *armed_for_ <= *wake && timer_->active()) return;  // already due sooner
  const auto delay = std::chrono::ceil<std::chrono::milliseconds>(*wake - now);
  armed_for_ = *wake;
  timer_->start(static_cast<uint64_t>(std::max<std::int64_t>(1, delay.count())), [this] {
    armed_for_.reset();
    on_wake_();
  });
}

}  // namespace uvscrape::driver
