// See robots_gate.hpp.
#include "driver/robots_gate.hpp"

#include <algorithm>
#include <exception>

#include "uvscrape/errors.hpp"
#include "uvscrape/url.hpp"

namespace uvscrape::driver {

// Keeps the first kMaxRobotsBytes of the body and drops the rest as it comes,
// so a huge robots.txt costs bandwidth but not memory.
class RobotsGate::BodyPrefix final : public http::BodySink {
 public:
  bool on_headers(int, const Headers&) override { return true; }
  bool on_chunk(std::string_view chunk, std::function<void()>) override {
    const size_t room =
        robots::kMaxRobotsBytes + 1 - std::min(body.size(), robots::kMaxRobotsBytes + 1);
    body.append(chunk.substr(0, room));  // one byte past the limit says "there was more"
    return true;
  }
  std::string body;
};

struct RobotsGate::Origin {
  enum class State { unknown, fetching, waiting, known, unreachable };
  std::string name;  // "http://host:port"
  State state = State::unknown;
  std::optional<robots::AgentRules> rules;  // while known or unreachable
  std::string refusal;                      // why a request is refused, while known or unreachable
  std::vector<Held> held;                   // in arrival order
  std::vector<HeldRedirect> redirects;      // redirect targets waiting for the rules
  int failures = 0;                         // fetches in a row that failed
  std::unique_ptr<BodyPrefix> sink;         // while fetching
  std::unique_ptr<net::Timer> timer;        // while waiting to fetch again
  FrontierTime refetch_at{};                // while unreachable
};

namespace {

std::string agent_token(const DriverOptions& options) {
  std::string token = robots::product_token(options.robots_user_agent);
  if (token.empty()) token = robots::product_token(options.user_agent);
  return token.empty() ? "uvscrape" : token;
}

}  // namespace

RobotsGate::RobotsGate(uv_loop_t* loop, http::Client& client, const DriverOptions& options,
                       detail::DriverCounters& counters, Hooks hooks)
    : loop_(loop),
      client_(client),
      options_(options),
      counters_(counters),
      hooks_(std::move(hooks)),
      agent_(agent_token(options)),
      retry_policy_(RetrySettings{.max_retries = options.max_retries,
                                  .base = options.retry_backoff_base,
                                  .cap = options.retry_backoff_cap,
                                  .retry_after_max = options.retry_after_max}) {}

RobotsGate::~RobotsGate() = default;

void RobotsGate::push(Request request, Id id) {
  std::string origin_name;
  try {
    origin_name = Url::parse(request.url()).origin();
  } catch (const UrlError&) {
    return hooks_.admit(std::move(request), id);  // the worker reports the bad URL
  }
  Origin& origin = origin_named(std::move(origin_name));
  if (rules_known(origin)) return decide(origin, std::move(request), id);
  origin.held.push_back(Held{std::move(request), id});
  ++held_;
  detail::DriverCounters::add(counters_.requests_awaiting_robots);
  if (origin.state == Origin::State::unknown) fetch(origin);
}

void RobotsGate::check_redirect(const Url& target, http::HttpRequest::RedirectAnswer answer) {
  Origin& origin = origin_named(target.origin());
  HeldRedirect redirect{target.str_without_fragment(), target.request_target(), std::move(answer)};
  if (rules_known(origin)) return answer_redirect(origin, redirect);
  origin.redirects.push_back(std::move(redirect));
  if (origin.state == Origin::State::unknown) fetch(origin);
}

RobotsGate::Origin& RobotsGate::origin_named(std::string name) {
  auto& slot = origins_[name];
  if (!slot) {
    slot = std::make_unique<Origin>();
    slot->name = std::move(name);
  }
  Origin& origin = *slot;
  if (origin.state == Origin::State::unreachable && FrontierClock::now() >= origin.refetch_at) {
    origin.state = Origin::State::unknown;  // long enough: ask again
    origin.rules.reset();
    origin.failures = 0;
  }
  return origin;
}

bool RobotsGate::rules_known(const Origin& origin) {
  return origin.state == Origin::State::known || origin.state == Origin::State::unreachable;
}

void RobotsGate::answer_redirect(Origin& origin, HeldRedirect& redirect) {
  if (origin.rules->allowed(redirect.target)) return redirect.answer(nullptr);
  redirect.answer(std::make_exception_ptr(
      RobotsDisallowedError(redirect.url, "a redirect led to it, and " + origin.refusal)));
}

void RobotsGate::decide(Origin& origin, Request request, Id id) {
  std::string target = "/";
  try {
    target = Url::parse(request.url_with_params()).request_target();
  } catch (const UrlError&) {
    return hooks_.admit(std::move(request), id);
  }
  if (origin.rules->allowed(target)) return hooks_.admit(std::move(request), id);
  hooks_.disallow(std::move(request), id, origin.refusal);
}

void RobotsGate::fetch(Origin& origin) {
  if (closed_) return;
  origin.state = Origin::State::fetching;
  origin.sink = std::make_unique<BodyPrefix>();
  http::HttpRequest request;
  request.url = origin.name + "/robots.txt";
  request.options.verify_tls = options_.verify_tls;
  request.options.ca_file = options_.ca_file;
  request.options.follow_redirects = true;
  request.options.max_redirects = 5;  // RFC 9309 §2.3.1.2
  request.sink = origin.sink.get();
  detail::DriverCounters::add(counters_.robots_fetches);
  client_.fetch(std::move(request),
                [this, &origin](http::Result result) { fetched(origin, std::move(result)); });
}

void RobotsGate::fetched(Origin& origin, http::Result result) {
  std::unique_ptr<BodyPrefix> sink = std::move(origin.sink);
  if (closed_) return;
  if (result.error) {
    try {
      std::rethrow_exception(result.error);
    } catch (const CancelledError&) {
      return;  // the run is closing
    } catch (const TooManyRedirectsError&) {
      return known(origin, robots::RobotsRules::allow_all());  // unavailable (§2.3.1.2)
    } catch (const RedirectRefusedError&) {
      return known(origin, robots::RobotsRules::allow_all());
    } catch (const std::exception& e) {
      return unreachable(origin, e.what());
    }
  }
  const int status = result.response->status;
  if (status >= 200 && status < 300) return known(origin, robots::RobotsRules::parse(sink->body));
  if (status >= 500 || status == 429) {
    std::optional<std::chrono::milliseconds> server_wait;
    if (const auto value = result.response->headers.get("Retry-After"))
      server_wait = parse_retry_after(*value, std::chrono::system_clock::now());
    return unreachable(origin, "status " + std::to_string(status), server_wait);
  }
  known(origin, robots::RobotsRules::allow_all());  // 4xx: unavailable (§2.3.1.3)
}

void RobotsGate::known(Origin& origin, const robots::RobotsRules& rules) {
  origin.state = Origin::State::known;
  origin.failures = 0;
  origin.rules = rules.for_agent(agent_);
  origin.refusal = origin.name + "/robots.txt disallows it for user agent '" + agent_ + "'";
  if (const auto delay = origin.rules->crawl_delay(); delay && *delay > 0)
    hooks_.crawl_delay(origin.name, 1.0 / *delay);
  release(origin);
}

// §2.3.1.4: an unreachable robots.txt means "disallow everything". Tried again
// with the retry backoff while the origin's requests wait; then they are refused.
void RobotsGate::unreachable(Origin& origin, std::string why,
                             std::optional<std::chrono::milliseconds> retry_after) {
  ++origin.failures;
  if (const auto wait = retry_policy_.next_wait(origin.failures, std::nullopt, retry_after)) {
    origin.state = Origin::State::waiting;
    if (!origin.timer) origin.timer = std::make_unique<net::Timer>(loop_);
    origin.timer->start(static_cast<uint64_t>(std::max<std::int64_t>(0, wait->count())),
                        [this, &origin] { fetch(origin); });
    return;
  }
  origin.state = Origin::State::unreachable;
  origin.rules = robots::RobotsRules::disallow_all().for_agent(agent_);
  origin.refusal = origin.name + "/robots.txt could not be fetched (" + why + ", " +
                   std::to_string(origin.failures) +
                   " attempts): everything is disallowed (RFC 9309 §2.3.1.4)";
  origin.refetch_at = FrontierClock::now() + options_.robots_refetch_after;
  release(origin);
}

void RobotsGate::release(Origin& origin) {
  std::vector<Held> held;
  held.swap(origin.held);
  held_ -= held.size();
  detail::DriverCounters::sub(counters_.requests_awaiting_robots, held.size());
  for (Held& h : held) decide(origin, std::move(h.request), h.id);
  std::vector<HeldRedirect> redirects;
  redirects.swap(origin.redirects);
  for (HeldRedirect& r : redirects) answer_redirect(origin, r);
  if (!held.empty()) hooks_.released();
}

std::size_t RobotsGate::discard_all() {
  const std::size_t dropped = held_;
  for (auto& [name, origin] : origins_) {
    std::vector<Held>().swap(origin->held);
    if (origin->timer) origin->timer->stop();
    if (origin->state == Origin::State::waiting) origin->state = Origin::State::unknown;
  }
  held_ = 0;
  detail::DriverCounters::sub(counters_.requests_awaiting_robots, dropped);
  return dropped;
}

void RobotsGate::close() {
  discard_all();
  closed_ = true;
  for (auto& [name, origin] : origins_) {
    origin->timer.reset();
    std::vector<HeldRedirect>().swap(origin->redirects);  // their requests end with the client
  }
}

}  // namespace uvscrape::driver
