// The crawl frontier: every request the run still has to send, one queue per
// host, and the politeness rules that say when a host may be contacted.
//
// take() hands out the best (priority, counter) request among the hosts that
// may be contacted now: host below its concurrency cap, a token in its bucket,
// a token in the global bucket, and the HTTP client able to send it (the
// `can_send` seam). A host that must wait is simply not among the candidates,
// so it never holds back another host; within a host, priority order holds.
//
// Built for many hosts: a host is in at most one of
//   ready_   an indexed heap of hosts keyed by their best request,
//   timed_   an indexed heap of hosts waiting for a token, keyed by wake time,
//   parked_  hosts the HTTP client had no connection for (re-tried when a
//            connection frees; bounded by the hosts with connections in use),
// or in none (nothing queued, or at its concurrency cap until a request ends).
// So take(), push() and finished() cost O(log hosts + log queue), never
// O(hosts). Retries waiting for their not-before time sit in one global heap
// (delayed_) and join their host's queue when due; they hold no worker and no
// connection. Pure: time is passed in, no libuv; the run arms one timer for
// next_wake().
//
// A host whose rate is shared with other processes (share_rate()) also needs
// a permit for each request, granted from outside (the run store's shared
// token bucket): when it could send but holds no permit, it is listed in
// permits_wanted() and waits, in no heap, until grant() or refuse() (a
// not-before time: timed_ until then, then it asks again). At most one ask
// per host is out at a time, so a host holds at most one unused permit.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "driver/token_bucket.hpp"

namespace uvscrape::driver {

// The politeness key of a URL: its host, without scheme, user info or port
// ("http://u@Example.org:8080/x" -> "example.org"; host names compare without
// case). Empty for a URL without an authority.
std::string host_key(std::string_view url);

struct HostLimits {
  std::size_t max_in_flight = 0;  // 0: no cap of its own
  double rate = 0;                // requests per second; 0: no limit
  double burst = 1;               // requests that may go at once
};

// The stricter of two limits, field by field (0 meaning "none" loses to any value).
HostLimits stricter(const HostLimits& a, const HostLimits& b);

template <class Payload>
class Frontier {
 public:
  using HostId = std::uint32_t;

  struct Taken {
    HostId host;
    int priority;
    Payload payload;
  };

  // `global_rate`/`global_burst`: one bucket over every host (0: no limit).
  explicit Frontier(double global_rate = 0, double global_burst = 1)
      : global_(global_rate, global_burst) {}
  Frontier(const Frontier&) = delete;
  Frontier& operator=(const Frontier&) = delete;

  // The id of `host`, adding it with `limits` when new.
  HostId host(std::string_view name, const HostLimits& limits) {
    auto it = ids_.find(name);
    if (it != ids_.end()) return it->second;
    const auto id = static_cast<HostId>(hosts_.size());
    hosts_.emplace_back(std::string(name), limits);
    ids_.emplace(hosts_.back().name, id);
    return id;
  }
  const std::string& host_name(HostId id) const { return hosts_[id].name; }
  std::size_t host_count() const noexcept { return hosts_.size(); }
  std::size_t in_flight(HostId id) const { return hosts_[id].in_flight; }
  double host_rate(HostId id) const { return hosts_[id].bucket.rate(); }

  // Changes a host's rate from `now` on (the adaptive throttle); 0 lifts it.
  void set_host_rate(HostId id, double rate, FrontierTime now) {
    Host& h = hosts_[id];
    h.bucket.set_rate(rate, now);
    if (h.state == State::timed) {
      timed_.erase(id, *this);
      h.state = State::idle;
      evaluate(id, now);
    }
  }

  // From now on `id` needs a permit for each request (its rate is shared).
  void share_rate(HostId id) { hosts_[id].shared_rate = true; }

  // The hosts that could send now but for a permit, each listed once until
  // its grant() or refuse(); the caller asks for their permits.
  std::vector<HostId> permits_wanted() {
    std::vector<HostId> out;
    out.swap(wanting_);
    return out;
  }
  // A permit for `id`: its next request may go.
  void grant(HostId id, FrontierTime now) {
    Host& h = hosts_[id];
    h.asking = false;
    ++h.permits;
    wait_done(id, now);
  }
  // No permit for `id` before `not_before`: it asks again then.
  void refuse(HostId id, FrontierTime not_before, FrontierTime now) {
    Host& h = hosts_[id];
    h.asking = false;
    h.hold = not_before;
    wait_done(id, now);
  }

  // Queues a request that may go now.
  void push(HostId id, int priority, Payload payload, FrontierTime now) {
    enqueue(id, Entry{priority, next_counter_++, std::move(payload)}, now);
  }

  // Queues a request that may not go before `not_before` (a retry's wait).
  void push_after(HostId id, int priority, Payload payload, FrontierTime not_before) {
    delayed_.push_back(
        Delayed{not_before, id, Entry{priority, next_counter_++, std::move(payload)}});
    std::push_heap(delayed_.begin(), delayed_.end(), later);
  }

  // The best request that may be sent at `now`, or nullopt. `can_send(payload)`
  // says whether the HTTP client has a connection for it. Counts the request as
  // in flight on its host until finished().
  template <class CanSend>
  std::optional<Taken> take(FrontierTime now, CanSend&& can_send) {
    promote(now);
    if (client_full_) return std::nullopt;
    int parked_now = 0;
    while (!ready_.empty()) {
      if (!global_.available(now)) return std::nullopt;
      const HostId id = ready_.top();
      Host& h = hosts_[id];
      if (!can_send(std::as_const(h.queue.front().payload))) {
        ready_.erase(id, *this);
        h.state = State::parked;
        parked_.push_back(id);
        // Several hosts in a row without a connection: the client is full, not
        // those hosts; wait for capacity_freed() instead of asking every host.
        if (++parked_now >= kParksBeforeFull) client_full_ = true;
        if (client_full_) return std::nullopt;
        continue;
      }
      ready_.erase(id, *this);
      h.state = State::idle;
      std::pop_heap(h.queue.begin(), h.queue.end(), after);
      Entry entry = std::move(h.queue.back());
      h.queue.pop_back();
      --queued_;
      h.bucket.try_take(now);
      if (h.shared_rate && h.permits > 0) --h.permits;  // none: shared while ready
      global_.try_take(now);
      ++h.in_flight;
      evaluate(id, now);
      return Taken{id, entry.priority, std::move(entry.payload)};
    }
    return std::nullopt;
  }

  // A request take() gave out for host `id` has ended (whatever its outcome).
  void finished(HostId id, FrontierTime now) {
    Host& h = hosts_[id];
    if (h.in_flight > 0) --h.in_flight;
    if (h.state == State::idle) evaluate(id, now);
  }

  // The HTTP client has a free connection slot again: parked hosts are candidates again.
  void capacity_freed(FrontierTime now) {
    client_full_ = false;
    std::vector<HostId> parked;
    parked.swap(parked_);
    for (HostId id : parked) {
      hosts_[id].state = State::idle;
      evaluate(id, now);
    }
  }

  // The earliest time take() may have something it has not now: a host's token,
  // a retry's not-before time, or the global token. nullopt: nothing to wait for.
  std::optional<FrontierTime> next_wake(FrontierTime now) const {
    std::optional<FrontierTime> wake;
    auto consider = [&wake](FrontierTime t) {
      if (!wake || t < *wake) wake = t;
    };
    if (!timed_.empty()) consider(hosts_[timed_.top()].wake);
    if (!delayed_.empty()) consider(delayed_.front().not_before);
    if (!ready_.empty() && !client_full_) consider(global_.next_available(now));
    return wake;
  }

  std::size_t queued() const noexcept { return queued_; }           // in host queues
  std::size_t waiting() const noexcept { return delayed_.size(); }  // retries before their time
  std::size_t size() const noexcept { return queued_ + delayed_.size(); }
  bool empty() const noexcept { return size() == 0; }

  struct Discarded {
    std::size_t queued = 0;
    std::size_t waiting = 0;
  };
  // Drops every queued and waiting request (a stop). Hosts and their buckets stay.
  Discarded discard_all() {
    Discarded out{queued_, delayed_.size()};
    for (Host& h : hosts_) {
      std::vector<Entry>().swap(h.queue);
      h.state = State::idle;  // an ask still out is answered into an empty queue
    }
    for (HostId id : wanting_) hosts_[id].asking = false;  // never asked: ask afresh
    wanting_.clear();
    ready_.clear();
    timed_.clear();
    parked_.clear();
    std::vector<Delayed>().swap(delayed_);
    queued_ = 0;
    client_full_ = false;
    return out;
  }

  // Bytes of the queues' arrays (capacity included), not of what payloads point to.
  std::size_t array_bytes() const noexcept {
    std::size_t n = delayed_.capacity() * sizeof(Delayed);
    for (const Host& h : hosts_) n += h.queue.capacity() * sizeof(Entry);
    return n;
  }
  static constexpr std::size_t entry_bytes() noexcept { return sizeof(Entry); }

 private:
  static constexpr int kParksBeforeFull = 4;

  struct Entry {
    int priority;
    std::uint64_t counter;
    Payload payload;
  };
  struct Delayed {
    FrontierTime not_before;
    HostId host;
    Entry entry;
  };
  // awaiting: needs a permit (listed in wanting_, or asked for).
  enum class State : std::uint8_t { idle, ready, timed, parked, awaiting };
  struct Host {
    Host(std::string n, const HostLimits& limits)
        : name(std::move(n)),
          bucket(limits.rate, limits.burst),
          max_in_flight(limits.max_in_flight) {}
    std::string name;
    std::vector<Entry> queue;  // a heap: front() is the best
    TokenBucket bucket;
    FrontierTime wake{};  // while timed
    std::size_t max_in_flight;
    std::size_t in_flight = 0;
    std::uint32_t heap_index = 0;  // in ready_ or timed_
    State state = State::idle;
    bool shared_rate = false;   // share_rate(): a permit per request
    bool asking = false;        // listed in wanting_ or asked, not answered
    std::uint32_t permits = 0;  // granted, not used yet
    FrontierTime hold{};        // refuse(): no ask before this
  };

  static bool before(const Entry& a, const Entry& b) noexcept {
    return a.priority != b.priority ? a.priority < b.priority : a.counter < b.counter;
  }
  // std heap comparators (a max-heap of "comes later").
  static bool after(const Entry& a, const Entry& b) noexcept { return before(b, a); }
  static bool later(const Delayed& a, const Delayed& b) noexcept {
    return a.not_before != b.not_before ? a.not_before > b.not_before : before(b.entry, a.entry);
  }

  // A min-heap of host ids whose positions the hosts record, so that a host's
  // key can change (a better request queued) and a host can leave from anywhere.
  template <bool kByWake>
  class HostHeap {
   public:
    bool empty() const noexcept { return ids_.empty(); }
    HostId top() const { return ids_.front(); }
    void clear() { std::vector<HostId>().swap(ids_); }
    void insert(HostId id, Frontier& f) {
      ids_.push_back(id);
      f.hosts_[id].heap_index = static_cast<std::uint32_t>(ids_.size() - 1);
      up(ids_.size() - 1, f);
    }
    void erase(HostId id, Frontier& f) {
      const std::size_t i = f.hosts_[id].heap_index;
      const HostId last = ids_.back();
      ids_.pop_back();
      if (i == ids_.size()) return;
      place(i, last, f);
      down(up(i, f), f);
    }
    // The key of `id` got smaller (a better request, an earlier wake).
    void improved(HostId id, Frontier& f) { up(f.hosts_[id].heap_index, f); }

   private:
    static bool less(HostId a, HostId b, const Frontier& f) {
      const Host& x = f.hosts_[a];
      const Host& y = f.hosts_[b];
      if constexpr (kByWake) {
        return x.wake < y.wake;
      } else {
        return before(x.queue.front(), y.queue.front());
      }
    }
    void place(std::size_t i, HostId id, Frontier& f) {
      ids_[i] = id;
      f.hosts_[id].heap_index = static_cast<std::uint32_t>(i);
    }
    std::size_t up(std::size_t i, Frontier& f) {
      const HostId moving = ids_[i];
      while (i > 0) {
        const std::size_t parent = (i - 1) / 2;
        if (!less(moving, ids_[parent], f)) break;
        place(i, ids_[parent], f);
        i = parent;
      }
      place(i, moving, f);
      return i;
    }
    void down(std::size_t i, Frontier& f) {
      const HostId moving = ids_[i];
      for (;;) {
        std::size_t child = 2 * i + 1;
        if (child >= ids_.size()) break;
        if (child + 1 < ids_.size() && less(ids_[child + 1], ids_[child], f)) ++child;
        if (!less(ids_[child], moving, f)) break;
        place(i, ids_[child], f);
        i = child;
      }
      place(i, moving, f);
    }
    std::vector<HostId> ids_;
  };

  void enqueue(HostId id, Entry entry, FrontierTime now) {
    Host& h = hosts_[id];
    const bool better = h.queue.empty() || before(entry, h.queue.front());
    h.queue.push_back(std::move(entry));
    std::push_heap(h.queue.begin(), h.queue.end(), after);
    ++queued_;
    if (h.state == State::idle) {
      evaluate(id, now);
    } else if (h.state == State::ready && better) {
      ready_.improved(id, *this);
    }
  }

  // Puts an idle host (in no heap) where its rules say it belongs.
  void evaluate(HostId id, FrontierTime now) {
    Host& h = hosts_[id];
    if (h.queue.empty()) return;
    if (h.max_in_flight && h.in_flight >= h.max_in_flight) return;  // finished() re-evaluates
    if (!h.bucket.available(now)) {
      h.state = State::timed;
      h.wake = h.bucket.next_available(now);
      timed_.insert(id, *this);
      return;
    }
    if (h.shared_rate && h.permits == 0) {
      if (h.hold > now) {
        h.state = State::timed;
        h.wake = h.hold;
        timed_.insert(id, *this);
        return;
      }
      h.state = State::awaiting;
      if (!h.asking) {
        h.asking = true;
        wanting_.push_back(id);
      }
      return;
    }
    h.state = State::ready;
    ready_.insert(id, *this);
  }

  // A permit's answer: an awaiting host (or one idle after discard_all())
  // goes where its rules say now.
  void wait_done(HostId id, FrontierTime now) {
    Host& h = hosts_[id];
    if (h.state != State::awaiting && h.state != State::idle) return;
    h.state = State::idle;
    evaluate(id, now);
  }

  // Hosts whose token is due, and retries whose time has come, become candidates.
  void promote(FrontierTime now) {
    while (!timed_.empty() && hosts_[timed_.top()].wake <= now) {
      const HostId id = timed_.top();
      timed_.erase(id, *this);
      hosts_[id].state = State::idle;
      evaluate(id, now);
    }
    while (!delayed_.empty() && delayed_.front().not_before <= now) {
      std::pop_heap(delayed_.begin(), delayed_.end(), later);
      Delayed due = std::move(delayed_.back());
      delayed_.pop_back();
      enqueue(due.host, std::move(due.entry), now);
    }
  }

  struct NameHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };

  std::vector<Host> hosts_;
  std::unordered_map<std::string, HostId, NameHash, std::equal_to<>> ids_;
  HostHeap<false> ready_;
  HostHeap<true> timed_;
  std::vector<HostId> parked_;
  std::vector<HostId> wanting_;   // awaiting a permit, not asked for yet
  std::vector<Delayed> delayed_;  // a heap: front() is due first
  TokenBucket global_;
  std::size_t queued_ = 0;
  std::uint64_t next_counter_ = 0;
  bool client_full_ = false;
};

}  // namespace uvscrape::driver
