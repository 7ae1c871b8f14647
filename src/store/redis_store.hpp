// The run store on Redis (DriverOptions::store_path = "redis://..."; docs/
// design.md §20): one crawl shared by many processes, each with its own
// RedisStore on the same URL. See docs/crawling-with-many-processes.md.
//
// The frontier, the seen set (16-byte fingerprints), results, failures,
// archived-file records, speculation state, cookies and run metadata live in
// Redis under "PREFIX:"; every change is one Lua script (store/
// redis_scripts.hpp), atomic in Redis.
//
// Leases: the store's window() is "pending in my window == leased to me".
// refill() takes the best-ranked pending requests with a lease (a deadline,
// renewed by a repeating timer every third of it, and a fencing token);
// every child a commit admits goes to the shared pending set, never straight
// into this process's frontier (shared() is true). A crashed process's leases
// expire and go back to pending (any process's timer or refill sweeps them).
// A commit whose lease was lost (expired, taken over) is rejected: nothing of
// it is stored, and store_committed reports it with no children and no
// items (so on_data does not see them; the process holding the lease now
// stores them); stale_commits() counts them.
//
// A refill that finds nothing pending while requests are still leased (to
// any process) or the run is not seeded yet is answered only when there is
// work or the crawl is over (it polls every kPoll): the crawl ends for every
// process when nothing is pending and nothing is leased.
//
// A request taken by refill() comes with its previous_request() chain,
// rebuilt from the JSON of its ancestors (kept in Redis while they have
// children); chains built before are kept (store/ancestor_cache.hpp), so a
// refill lists only the ancestors this process has not seen.
//
// Per-host rate limits hold across the processes: a token bucket (GCRA) per
// host in Redis, taken by acquire_rate_token().
//
// Everything runs on the loop thread on one hiredis asynchronous connection
// (store/redis_connection.hpp); nothing blocks.
#pragma once

#include <uv.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>

#include "store/ancestor_cache.hpp"
#include "store/redis_connection.hpp"
#include "store/redis_url.hpp"
#include "store/run_store.hpp"

namespace uvscrape::store {

class RedisStore final : public RunStore {
 public:
  // Small, so that processes share the work: each holds at most this many
  // requests (queued in its frontier) beyond those it is fetching.
  static constexpr std::size_t kWindow = 64;
  static constexpr std::chrono::milliseconds kPoll{50};
  // At most this many completions in one commit script call.
  static constexpr std::size_t kCommitBatch = 64;

  // `window` 0: the URL's window=, else kWindow.
  RedisStore(uv_loop_t* loop, RedisAddress address, std::size_t window = 0);
  ~RedisStore() override;
  RedisStore(const RedisStore&) = delete;
  RedisStore& operator=(const RedisStore&) = delete;

  void open(const RunIdentity& identity, Listener& listener) override;
  void started(RequestId id, int attempts) override;
  void commit(Completion completion) override;
  void close(const std::string& status) override;
  bool durable() const noexcept override { return true; }
  std::exception_ptr close_error() const override { return close_error_; }
  bool shared() const noexcept override { return true; }
  std::size_t window() const noexcept override { return window_; }
  void refill(std::size_t max, std::vector<RequestId> exclude) override;
  // One script call (redis_scripts::rate_token) on the connection, in order
  // with every other command.
  void acquire_rate_token(const std::string& host, double rate, double burst,
                          RateTokenDone done) override;

  // Commits rejected because this process's lease had been lost.
  std::uint64_t stale_commits() const noexcept { return stale_commits_; }
  // Leases this process found lost when renewing.
  std::uint64_t lost_leases() const noexcept { return lost_leases_; }

 private:
  std::vector<std::string> eval(const std::string& script) const;
  void send_refill();
  void send_commits();
  void append_commit_args(std::vector<std::string>& args, const Completion& completion);
  void renew();
  void fail(const std::string& reason);
  void on_opened(const RedisReply& reply);
  void on_refilled(const RedisReply& reply);
  void start_timer(uv_timer_t*& timer, std::chrono::milliseconds every, void (*cb)(uv_timer_t*));
  void close_timers_then(std::function<void()> done);

  uv_loop_t* loop_;
  const RedisAddress address_;
  const std::size_t window_;
  const std::string owner_;  // this process, for the seeding claim
  Listener* listener_ = nullptr;
  std::unique_ptr<RedisConnection> connection_;
  std::unordered_map<RequestId, std::string> leases_;  // id -> fencing token
  AncestorCache ancestors_;
  bool failed_ = false;
  bool closing_ = false;
  std::exception_ptr close_error_;  // the connection was given up while closing
  bool opened_ = false;
  // refill(): asked and not answered yet (a parked one polls).
  bool refill_wanted_ = false;
  bool refill_on_wire_ = false;
  std::size_t refill_max_ = 0;
  bool renew_on_wire_ = false;
  // Completions waiting for the commit call on the wire to be answered.
  std::deque<Completion> queued_;
  bool commit_on_wire_ = false;
  uv_timer_t* renew_timer_ = nullptr;  // freed by their close callbacks
  uv_timer_t* poll_timer_ = nullptr;
  std::uint64_t stale_commits_ = 0;
  std::uint64_t lost_leases_ = 0;
};

}  // namespace uvscrape::store
