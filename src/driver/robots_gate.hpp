// The robots.txt gate of a run (DriverOptions::obey_robots_txt): every request
// passes it before the frontier.
//
// Per origin (scheme, host, port) the gate fetches <origin>/robots.txt once,
// before the first request to the origin is let through, and keeps its rules
// for the run. Until they are known the origin's requests are held here,
// holding no worker and no connection; then each is let through (admit) or
// refused (disallow), in the order they came.
//
//   2xx                      the body's first 500 KiB parsed (RFC 9309 §2.5)
//   4xx but 429, a final 3xx, too many redirects or a refused one
//                            "unavailable": everything allowed (§2.3.1.3)
//   5xx, 429, no usable answer (network, timeout, TLS, malformed response)
//                            "unreachable": everything disallowed (§2.3.1.4).
//                            The fetch is retried with the run's retry backoff
//                            (max_retries times; a Retry-After is obeyed, up to
//                            retry_after_max) while the requests wait; then
//                            they are refused, and so is every request to the
//                            origin for robots_refetch_after, after which the
//                            next request fetches robots.txt again.
//
// Redirects are followed up to 5 hops (§2.3.1.2). A Crawl-delay in the group
// the crawler obeys caps the host's rate at 1/delay per second (crawl_delay
// hook). The fetch is not a scraper request: it has no step, is not counted in
// requests_completed and takes no frontier token; DriverProgress::robots_fetches
// counts it. A redirect a request follows passes the gate too
// (check_redirect): its target's rules are fetched first if need be, and a
// disallowed target fails the request with RobotsDisallowedError, never sent.
// Everything runs on the loop thread.
#pragma once

#include <uv.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "driver/counters.hpp"
#include "driver/retry_policy.hpp"
#include "driver/token_bucket.hpp"  // FrontierClock
#include "http/client.hpp"
#include "net/uv_util.hpp"
#include "robots/robots_rules.hpp"
#include "uvscrape/driver_options.hpp"
#include "uvscrape/request.hpp"

namespace uvscrape::driver {

class RobotsGate {
 public:
  // The caller's number for a request (the run store's id), handed back with
  // it; the gate does nothing else with it.
  using Id = std::uint64_t;

  struct Hooks {
    std::function<void(Request, Id)> admit;  // may go to the frontier now
    // robots.txt disallows it (`why` says which robots.txt, and how): a failure.
    std::function<void(Request, Id, const std::string& why)> disallow;
    // The rules of `origin` say Crawl-delay: its host's rate is at most `rate`/s.
    std::function<void(std::string_view origin, double rate)> crawl_delay;
    // Held requests were let through or refused (from a fetch, not from push()).
    std::function<void()> released;
  };

  RobotsGate(uv_loop_t* loop, http::Client& client, const DriverOptions& options,
             detail::DriverCounters& counters, Hooks hooks);
  ~RobotsGate();
  RobotsGate(const RobotsGate&) = delete;
  RobotsGate& operator=(const RobotsGate&) = delete;

  // Lets `request` through (admit, now), refuses it (disallow, now) or holds it
  // until its origin's robots.txt is known. A URL that does not parse goes
  // through: the worker reports it.
  void push(Request request, Id id = 0);

  // A redirect a request is about to follow to `target`: `answer(nullptr)` when
  // its rules allow it, else `answer(RobotsDisallowedError)`; now when they are
  // known, else once its robots.txt is fetched (the request holds its worker,
  // not a connection, meanwhile). A stop leaves these waiting for their fetch
  // (a stop's grace period cancels the requests); close() drops them unanswered.
  void check_redirect(const Url& target, http::HttpRequest::RedirectAnswer answer);

  // Requests held until their origin's robots.txt is known.
  std::size_t held() const noexcept { return held_; }
  // A stop: drops every held request; returns how many.
  std::size_t discard_all();
  // Stops the timers; fetches in flight end with the client's close.
  void close();

  // The product token matched against robots.txt (robots_user_agent, or the
  // user agent's product token, or "uvscrape").
  const std::string& agent() const noexcept { return agent_; }

 private:
  struct Origin;
  class BodyPrefix;
  struct Held {
    Request request;
    Id id;
  };
  struct HeldRedirect {
    std::string url;     // the target, for the error
    std::string target;  // its path and query, matched against the rules
    http::HttpRequest::RedirectAnswer answer;
  };

  // The origin named `name` ("scheme://host:port"), made on first use; an
  // unreachable one whose refetch time has come is unknown again.
  Origin& origin_named(std::string name);
  static bool rules_known(const Origin& origin);
  void answer_redirect(Origin& origin, HeldRedirect& redirect);

  void fetch(Origin& origin);
  void fetched(Origin& origin, http::Result result);
  void known(Origin& origin, const robots::RobotsRules& rules);
  // `retry_after`: the 5xx/429 answer's Retry-After, obeyed as for requests.
  void unreachable(Origin& origin, std::string why,
                   std::optional<std::chrono::milliseconds> retry_after = std::nullopt);
  void release(Origin& origin);
  void decide(Origin& origin, Request request, Id id);

  uv_loop_t* loop_;
  http::Client& client_;
  const DriverOptions& options_;
  detail::DriverCounters& counters_;
  Hooks hooks_;
  std::string agent_;
  RetryPolicy retry_policy_;
  std::unordered_map<std::string, std::unique_ptr<Origin>> origins_;
  std::size_t held_ = 0;
  bool closed_ = false;
};

}  // namespace uvscrape::driver
