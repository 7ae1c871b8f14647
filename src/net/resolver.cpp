// c-ares on the libuv loop (see resolver.hpp).
//
// c-ares tells us which sockets it wants watched (sock_state_cb); each gets a
// uv_poll_t. After every call into c-ares the single timer is re-armed to
// ares_timeout(). Lookups of the same name share one ares query: waiters are
// kept per name and all answered from the one result, which is also cached.
#include "net/resolver.hpp"

#include <ares.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

#include "net/uv_util.hpp"
#include "uvscrape/errors.hpp"

namespace uvscrape::net {
namespace {

// Keeps count of the libuv handles a Resolver opened, so close() can report
// when the last one is really closed, even if the Resolver is gone by then.
struct HandleTracker {
  int open = 0;
  bool closing = false;
  std::function<void()> on_closed;

  void closed_one() {
    --open;
    if (closing && open == 0) {
      auto cb = std::move(on_closed);
      delete this;
      if (cb) cb();
    }
  }
};

template <class Handle>
void close_tracked(Handle* handle, HandleTracker* tracker) {
  auto* base = reinterpret_cast<uv_handle_t*>(handle);
  base->data = tracker;
  uv_close(base, [](uv_handle_t* h) {
    auto* t = static_cast<HandleTracker*>(h->data);
    delete reinterpret_cast<Handle*>(h);
    t->closed_one();
  });
}

bool is_localhost(const std::string& host) {
  auto ends_with = [&](std::string_view suffix) {
    return host.size() >= suffix.size() &&
           host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return host == "localhost" || ends_with(".localhost") || host == "localhost.";
}

}  // namespace

class Resolver::Impl {
 public:
  Impl(uv_loop_t* loop, ResolverOptions options)
      : loop_(loop), options_(options), tracker_(new HandleTracker) {
    static std::once_flag library_init;
    std::call_once(library_init, [] { ares_library_init(ARES_LIB_INIT_ALL); });

    ares_options opts{};
    opts.sock_state_cb = &Impl::on_sock_state;
    opts.sock_state_cb_data = this;
    opts.timeout = static_cast<int>(options_.query_timeout.count());
    opts.tries = options_.tries;
    int rc = ares_init_options(&channel_, &opts,
                               ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES);
    if (rc != ARES_SUCCESS) {
      channel_ = nullptr;
      init_error_ = ares_strerror(rc);
    }
    timer_ = new uv_timer_t{};
    uv_timer_init(loop_, timer_);
    timer_->data = this;
    ++tracker_->open;
    ready_timer_ = new uv_timer_t{};
    uv_timer_init(loop_, ready_timer_);
    ready_timer_->data = this;
    ++tracker_->open;
  }

  ~Impl() { close({}); }

  std::function<void()> resolve(const std::string& host, const std::string& url,
                                ResolveCallback done);
  void pin(const std::string& host, AddressList addresses) {
    pinned_[host] = std::make_shared<const AddressList>(std::move(addresses));
  }
  void close(std::function<void()> on_closed);

  uint64_t cache_hits = 0;
  uint64_t queries_started = 0;

 private:
  struct Waiter {
    uint64_t id;
    std::string url;
    ResolveCallback done;
  };
  struct CacheEntry {
    std::shared_ptr<const AddressList> addresses;  // null: a negative entry
    std::string failure;                           // "<host>: <reason>" for negative entries
    uint64_t expires_at;                           // uv_now() milliseconds
  };
  // The ares callback argument; one per query.
  struct Query {
    Impl* impl;
    std::string host;
  };

  static void on_sock_state(void* data, ares_socket_t fd, int readable, int writable);
  static void on_poll(uv_poll_t* poll, int status, int events) noexcept;
  static void on_timer(uv_timer_t* timer) noexcept;
  static void on_addrinfo(void* arg, int status, int timeouts, ares_addrinfo* result);

  void finish_query(const std::string& host, int status, ares_addrinfo* result);
  // Hands the outcome to every waiter of `host`: addresses, a DNS failure
  // text, or (neither) cancellation by close().
  void answer(const std::string& host, std::shared_ptr<const AddressList> addresses,
              const std::string& failure);
  void rearm_timer();
  // Answers known now (numeric host, pin, cache, init failure) run on the next
  // loop turn, never inside resolve(); the returned function cancels.
  std::function<void()> answer_later(const std::string& url, ResolveCallback done,
                                     std::shared_ptr<const AddressList> addresses,
                                     std::exception_ptr error);
  static void on_ready(uv_timer_t* timer) noexcept;
  // Keeps the cache small: drops expired entries, and everything if still full.
  void bound_cache(uint64_t now) {
    if (cache_.size() < kMaxCacheEntries) return;
    std::erase_if(cache_, [now](const auto& entry) { return entry.second.expires_at <= now; });
    if (cache_.size() >= kMaxCacheEntries) cache_.clear();
  }
  static constexpr size_t kMaxCacheEntries = 4096;
  // Every call into c-ares goes through here: user callbacks may run inside,
  // and c-ares must not be destroyed from its own callbacks.
  template <class F>
  void with_ares(F&& call) {
    ++depth_;
    call();
    --depth_;
    if (depth_ == 0 && close_requested_) {
      really_close();
    } else if (!closed_) {
      rearm_timer();
    }
  }
  void really_close();

  uv_loop_t* loop_;
  ResolverOptions options_;
  ares_channel channel_ = nullptr;
  std::string init_error_;
  HandleTracker* tracker_;
  uv_timer_t* timer_;
  struct Ready {
    uint64_t id;
    std::string url;
    ResolveCallback done;
    std::shared_ptr<const AddressList> addresses;
    std::exception_ptr error;
  };
  std::vector<Ready> ready_;  // answer_later()'s, run by ready_timer_
  uv_timer_t* ready_timer_;
  std::map<ares_socket_t, uv_poll_t*> polls_;
  std::map<std::string, std::vector<Waiter>> waiting_;  // by host: one query each
  std::map<std::string, CacheEntry> cache_;
  std::map<std::string, std::shared_ptr<const AddressList>> pinned_;
  uint64_t next_waiter_id_ = 1;
  int depth_ = 0;
  bool close_requested_ = false;
  bool closed_ = false;
  std::function<void()> on_closed_;
  std::shared_ptr<Impl*> self_token_ = std::make_shared<Impl*>(this);  // for cancel functions
};

void Resolver::Impl::on_sock_state(void* data, ares_socket_t fd, int readable, int writable) {
  auto* self = static_cast<Impl*>(data);
  auto it = self->polls_.find(fd);
  if (!readable && !writable) {
    // c-ares is about to close fd: stop watching it first.
    if (it != self->polls_.end()) {
      close_tracked(it->second, self->tracker_);
      self->polls_.erase(it);
    }
    return;
  }
  uv_poll_t* poll;
  if (it == self->polls_.end()) {
    poll = new uv_poll_t{};
    if (uv_poll_init_socket(self->loop_, poll, fd) != 0) {
      delete poll;  // c-ares will time the query out
      return;
    }
    ++self->tracker_->open;
    poll->data = self;
    self->polls_[fd] = poll;
  } else {
    poll = it->second;
  }
  int events = (readable ? UV_READABLE : 0) | (writable ? UV_WRITABLE : 0);
  uv_poll_start(poll, events, &Impl::on_poll);
}

void Resolver::Impl::on_poll(uv_poll_t* poll, int status, int events) noexcept {
  auto* self = static_cast<Impl*>(poll->data);
  if (self == nullptr || self->closed_) return;
  int fd = -1;
  uv_fileno(reinterpret_cast<uv_handle_t*>(poll), &fd);
  // On a poll error let c-ares try both directions: it notices the failure.
  bool readable = status < 0 || (events & UV_READABLE);
  bool writable = status < 0 || (events & UV_WRITABLE);
  self->with_ares([&] {
    ares_process_fd(self->channel_, readable ? fd : ARES_SOCKET_BAD,
                    writable ? fd : ARES_SOCKET_BAD);
  });
}

void Resolver::Impl::on_timer(uv_timer_t* timer) noexcept {
  auto* self = static_cast<Impl*>(timer->data);
  if (self == nullptr || self->closed_) return;
  self->with_ares([&] { ares_process_fd(self->channel_, ARES_SOCKET_BAD, ARES_SOCKET_BAD); });
}

void Resolver::Impl::rearm_timer() {
  timeval tv{};
  if (channel_ != nullptr && ares_timeout(channel_, nullptr, &tv) != nullptr) {
    uint64_t ms =
        static_cast<uint64_t>(tv.tv_sec) * 1000 + static_cast<uint64_t>(tv.tv_usec) / 1000;
    uv_timer_start(timer_, &Impl::on_timer, ms, 0);
  } else {
    uv_timer_stop(timer_);
  }
}

void Resolver::Impl::on_addrinfo(void* arg, int status, int, ares_addrinfo* result) {
  std::unique_ptr<Query> query(static_cast<Query*>(arg));
  query->impl->finish_query(query->host, status, result);
  if (result) ares_freeaddrinfo(result);
}

void Resolver::Impl::finish_query(const std::string& host, int status, ares_addrinfo* result) {
  if (status == ARES_EDESTRUCTION || status == ARES_ECANCELLED) {
    answer(host, nullptr, {});
    return;
  }
  auto addresses = std::make_shared<AddressList>();
  int ttl = -1;
  if (status == ARES_SUCCESS && result != nullptr) {
    for (auto* node = result->nodes; node != nullptr; node = node->ai_next) {
      if (node->ai_family != AF_INET && node->ai_family != AF_INET6) continue;
      Address address;
      std::memcpy(&address.storage, node->ai_addr,
                  std::min<size_t>(node->ai_addrlen, sizeof address.storage));
      bool duplicate = std::any_of(addresses->begin(), addresses->end(), [&](const Address& a) {
        return a.to_string() == address.to_string();
      });
      if (duplicate) continue;
      addresses->push_back(address);
      ttl = ttl < 0 ? node->ai_ttl : std::min(ttl, node->ai_ttl);
    }
  }
  uint64_t now = uv_now(loop_);
  bound_cache(now);
  if (!addresses->empty()) {
    auto seconds = std::clamp<int64_t>(ttl, options_.min_ttl.count(), options_.max_ttl.count());
    if (seconds > 0)
      cache_[host] = CacheEntry{addresses, {}, now + 1000 * static_cast<uint64_t>(seconds)};
    answer(host, std::move(addresses), {});
    return;
  }
  if (is_localhost(host)) {
    // RFC 6761: localhost is the loopback, whatever the hosts file says.
    addresses->push_back(*parse_numeric_host("127.0.0.1"));
    addresses->push_back(*parse_numeric_host("::1"));
    answer(host, std::move(addresses), {});
    return;
  }
  std::string failure =
      host + ": " + (status == ARES_SUCCESS ? "no IPv4 or IPv6 address" : ares_strerror(status));
  bool no_such_name = status == ARES_ENOTFOUND || status == ARES_ENODATA || status == ARES_SUCCESS;
  if (no_such_name && options_.negative_ttl.count() > 0) {
    cache_[host] = CacheEntry{nullptr, failure,
                              now + 1000 * static_cast<uint64_t>(options_.negative_ttl.count())};
  }
  answer(host, nullptr, failure);
}

void Resolver::Impl::answer(const std::string& host, std::shared_ptr<const AddressList> addresses,
                            const std::string& failure) {
  auto it = waiting_.find(host);
  if (it == waiting_.end()) return;
  auto waiters = std::move(it->second);
  waiting_.erase(it);
  for (auto& waiter : waiters) {
    if (addresses) {
      waiter.done(addresses, nullptr);
    } else if (failure.empty()) {
      waiter.done(nullptr, std::make_exception_ptr(CancelledError(waiter.url, "resolver closed")));
    } else {
      waiter.done(nullptr, std::make_exception_ptr(DnsError(waiter.url, failure)));
    }
  }
}

std::function<void()> Resolver::Impl::answer_later(const std::string& url, ResolveCallback done,
                                                   std::shared_ptr<const AddressList> addresses,
                                                   std::exception_ptr error) {
  const uint64_t id = next_waiter_id_++;
  ready_.push_back(Ready{id, url, std::move(done), std::move(addresses), std::move(error)});
  if (!uv_is_active(reinterpret_cast<uv_handle_t*>(ready_timer_)))
    uv_timer_start(ready_timer_, &Impl::on_ready, 0, 0);
  return [token = std::weak_ptr<Impl*>(self_token_), id] {
    auto alive = token.lock();
    if (!alive) return;
    std::erase_if((*alive)->ready_, [id](const Ready& r) { return r.id == id; });
  };
}

void Resolver::Impl::on_ready(uv_timer_t* timer) noexcept {
  auto* self = static_cast<Impl*>(timer->data);
  if (self == nullptr || self->closed_) return;
  std::weak_ptr<Impl*> alive = self->self_token_;
  auto ready = std::exchange(self->ready_, {});
  for (auto& r : ready) {
    r.done(std::move(r.addresses), std::move(r.error));
    // A callback may close or destroy the resolver: the rest were answered
    // (CancelledError) or dropped with it.
    if (alive.expired()) return;
  }
}

std::function<void()> Resolver::Impl::resolve(const std::string& host, const std::string& url,
                                              ResolveCallback done) {
  if (closed_ || close_requested_) {
    // No handle of ours is left to answer from: a one-off one does.
    auto cancelled = std::make_shared<bool>(false);
    post_once(loop_, [cancelled, url, done = std::move(done)] {
      if (!*cancelled)
        done(nullptr, std::make_exception_ptr(CancelledError(url, "resolver closed")));
    });
    return [cancelled] { *cancelled = true; };
  }
  if (auto numeric = parse_numeric_host(host)) {
    return answer_later(url, std::move(done),
                        std::make_shared<const AddressList>(AddressList{*numeric}), nullptr);
  }
  if (auto it = pinned_.find(host); it != pinned_.end()) {
    ++cache_hits;
    return answer_later(url, std::move(done), it->second, nullptr);
  }
  if (auto it = cache_.find(host); it != cache_.end()) {
    if (it->second.expires_at > uv_now(loop_)) {
      ++cache_hits;
      if (it->second.addresses)
        return answer_later(url, std::move(done), it->second.addresses, nullptr);
      return answer_later(url, std::move(done), nullptr,
                          std::make_exception_ptr(DnsError(url, it->second.failure)));
    }
    cache_.erase(it);
  }
  if (channel_ == nullptr) {
    return answer_later(url, std::move(done), nullptr,
                        std::make_exception_ptr(DnsError(url, host + ": " + init_error_)));
  }

  uint64_t id = next_waiter_id_++;
  auto& waiters = waiting_[host];
  bool first = waiters.empty();
  waiters.push_back(Waiter{id, url, std::move(done)});
  if (first) {
    ++queries_started;
    ares_addrinfo_hints hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    auto* query = new Query{this, host};
    // The callback may run before ares_getaddrinfo returns (hosts file).
    with_ares([&] {
      ares_getaddrinfo(channel_, host.c_str(), nullptr, &hints, &Impl::on_addrinfo, query);
    });
  }
  return [token = std::weak_ptr<Impl*>(self_token_), host, id] {
    auto alive = token.lock();
    if (!alive) return;
    Impl* self = *alive;
    auto it = self->waiting_.find(host);
    if (it == self->waiting_.end()) return;
    auto& list = it->second;
    // The query runs on (its answer still fills the cache); only this waiter leaves.
    list.erase(
        std::remove_if(list.begin(), list.end(), [id](const Waiter& w) { return w.id == id; }),
        list.end());
  };
}

void Resolver::Impl::close(std::function<void()> on_closed) {
  if (closed_ || close_requested_) return;
  on_closed_ = std::move(on_closed);
  close_requested_ = true;
  if (depth_ == 0) really_close();
}

void Resolver::Impl::really_close() {
  closed_ = true;
  self_token_.reset();
  if (channel_ != nullptr) {
    // Fails every pending query with ARES_EDESTRUCTION: their waiters get CancelledError.
    ++depth_;
    ares_destroy(channel_);
    --depth_;
    channel_ = nullptr;
  }
  for (auto& [host, waiters] : std::exchange(waiting_, {})) {
    for (auto& waiter : waiters)
      waiter.done(nullptr, std::make_exception_ptr(CancelledError(waiter.url, "resolver closed")));
  }
  for (auto& r : std::exchange(ready_, {}))
    r.done(nullptr, std::make_exception_ptr(CancelledError(r.url, "resolver closed")));
  for (auto& [fd, poll] : polls_) close_tracked(poll, tracker_);
  polls_.clear();
  tracker_->closing = true;
  tracker_->on_closed = std::move(on_closed_);
  close_tracked(ready_timer_, tracker_);
  close_tracked(timer_, tracker_);
}

Resolver::Resolver(uv_loop_t* loop, ResolverOptions options)
    : impl_(std::make_unique<Impl>(loop, options)) {}
Resolver::~Resolver() = default;

std::function<void()> Resolver::resolve(const std::string& host, const std::string& url,
                                        ResolveCallback done) {
  return impl_->resolve(host, url, std::move(done));
}

void Resolver::pin(const std::string& host, AddressList addresses) {
  impl_->pin(host, std::move(addresses));
}

void Resolver::close(std::function<void()> on_closed) {
  impl_->close(std::move(on_closed));
}

uint64_t Resolver::cache_hits() const {
  return impl_->cache_hits;
}
uint64_t Resolver::queries_started() const {
  return impl_->queries_started;
}

}  // namespace uvscrape::net
