// http::Client: the lifecycle of transfers and connections (the state machine's
// transitions) and the keep-alive pool. Response bytes: client_response.cpp.
#include <algorithm>
#include <cassert>
#include <chrono>

#include "common/ascii.hpp"
#include "common/seconds.hpp"
#include "http/client_impl.hpp"
#include "http/pool_key.hpp"
#include "uvscrape/errors.hpp"

namespace uvscrape::http {

namespace {

uint64_t now_ms(uv_loop_t* loop) {
  return uv_now(loop);
}

}  // namespace

const char* to_string(TransferState state) noexcept {
  switch (state) {
    case TransferState::pending: return "pending";
    case TransferState::queued: return "queued";
    case TransferState::connecting: return "connecting";
    case TransferState::awaiting: return "awaiting";
    case TransferState::receiving: return "receiving";
    case TransferState::paused: return "paused";
    case TransferState::vetting: return "vetting";
    case TransferState::finished: return "finished";
  }
  return "?";
}

const char* to_string(ConnectionState state) noexcept {
  switch (state) {
    case ConnectionState::connecting: return "connecting";
    case ConnectionState::busy: return "busy";
    case ConnectionState::idle: return "idle";
    case ConnectionState::closing: return "closing";
  }
  return "?";
}

// ---------------------------------------------------------------------------
// Client: thin forwarding to Impl.

Client::Client(uv_loop_t* loop, ClientOptions options)
    : impl_(new Impl(loop, std::move(options))) {}

Client::~Client() {
  if (impl_ == nullptr) return;
  if (impl_->closed) {
    delete impl_;
    return;
  }
  impl_->owner_gone = true;
  if (!impl_->closing) impl_->close({});
  // Impl frees itself when its last handle is closed (see maybe_finish_close).
}

RequestId Client::fetch(HttpRequest request, std::function<void(Result)> done) {
  return impl_->fetch(std::move(request), std::move(done));
}
void Client::cancel(RequestId id) {
  impl_->cancel(id);
}
void Client::close(std::function<void()> on_closed) {
  impl_->close(std::move(on_closed));
}
bool Client::has_capacity(std::string_view url, const RequestOptions& options) const {
  return impl_->has_capacity(url, options);
}
void Client::set_on_capacity(std::function<void()> listener) {
  impl_->on_capacity = std::move(listener);
}
Client::Stats Client::stats() const {
  Stats s = impl_->stats;
  s.connections_open = impl_->pool.total_open();
  for (const auto& [id, t] : impl_->transfers)
    s.requests_starting +=
        t->state == TransferState::pending || t->state == TransferState::connecting;
  return s;
}

// ---------------------------------------------------------------------------
// Impl lifecycle.

Client::Impl::Impl(uv_loop_t* loop_, ClientOptions options_)
    : loop(loop_),
      options(std::move(options_)),
      user_agent(options.user_agent.empty() ? default_user_agent() : options.user_agent),
      pool(options.max_connections_per_origin, options.max_connections_total),
      proxies(ProxySettings{options.proxy, options.no_proxy, options.proxy_from_env}),
      resolver(loop_),
      tls(options.ca_file.empty() ? std::string(net::kSystemCaBundle) : options.ca_file,
          options.tls),
      sweep(std::make_unique<net::Timer>(loop_)) {
  kick = new uv_idle_t{};
  uv_idle_init(loop, kick);
  kick->data = this;
  // Idle pooled connections must not keep uv_run() from returning.
  sweep->unref();
}

Client::Impl::~Impl() = default;

void Client::Impl::set_state(Transfer& t, TransferState to) {
  assert(is_allowed(t.state, to) && "illegal transfer state transition");
  t.state = to;
}

void Client::Impl::set_state(Connection& c, ConnectionState to) {
  assert(is_allowed(c.state, to) && "illegal connection state transition");
  c.state = to;
}

RequestId Client::Impl::fetch(HttpRequest request, std::function<void(Result)> done) {
  auto owned = std::make_unique<Transfer>();
  Transfer& t = *owned;
  t.id = next_id++;
  t.request = std::move(request);
  t.done = std::move(done);
  t.url_text = t.request.url;
  transfers.emplace(t.id, std::move(owned));
  const RequestId id = t.id;
  if (closed) {
    fail_after_close(t);  // frees `t`
    return id;
  }
  // Counted by has_capacity() until it asks for a connection. A URL without a
  // key fails in start().
  if (proxies.configured() || t.request.options.proxy) {
    try {
      route(Url::parse(t.request.url), t.request.options, t.pool_key, nullptr);
      pool.reserve(t.pool_key);
      t.reserved = true;
    } catch (const UrlError&) {
    }
  } else if (pool_key(t.request.url, t.request.options, t.pool_key)) {
    pool.reserve(t.pool_key);
    t.reserved = true;
  }
  // Started (or, after close(), failed) on the next loop turn, so `done`
  // never runs inside fetch().
  pending.push_back(&t);
  schedule_kick();
  return t.id;
}

// fetch() after the close finished: no handle of ours is left, so a one-off
// timer delivers the CancelledError on the next loop turn.
void Client::Impl::fail_after_close(Transfer& t) {
  net::post_once(loop, [done = std::move(t.done), url = t.url_text] {
    if (!done) return;
    try {
      done(Result{std::nullopt, std::make_exception_ptr(CancelledError(url, "client closed"))});
    } catch (...) {
      // `done` must not throw; nothing sensible can be done with it here.
    }
  });
  transfers.erase(t.id);
}

bool Client::Impl::has_capacity(std::string_view url, const RequestOptions& request_options) const {
  if (closing) return false;
  if (proxies.configured() || request_options.proxy) {
    // The proxy is part of the key, and which proxy depends on the host.
    try {
      route(Url::parse(url), request_options, key_scratch, nullptr);
    } catch (const UrlError&) {
      return true;  // fetch() fails it at once
    }
    return pool.has_capacity(key_scratch);
  }
  if (!pool_key(url, request_options, key_scratch)) return true;  // fetch() fails it at once
  return pool.has_capacity(key_scratch);
}

void Client::Impl::route(const Url& url, const RequestOptions& o, std::string& key,
                         std::shared_ptr<const net::ProxyEndpoint>* proxy_out) const {
  pool_key(url, o, key);
  if (!proxies.configured() && !o.proxy) {
    if (proxy_out) proxy_out->reset();
    return;
  }
  auto proxy = proxies.choose(url, o.proxy);
  if (proxy) {
    key += "|via|";
    key += proxy->key();
  }
  if (proxy_out) *proxy_out = std::move(proxy);
}

void Client::Impl::drop_reservation(Transfer& t, bool freed) {
  if (!t.reserved) return;
  t.reserved = false;
  pool.unreserve(t.pool_key);
  if (freed) note_capacity();
}

void Client::Impl::note_capacity() {
  if (!on_capacity || closing) return;
  capacity_freed = true;
  schedule_kick();
}

void Client::Impl::schedule_kick() {
  if (kick == nullptr || uv_is_active(reinterpret_cast<uv_handle_t*>(kick))) return;
  uv_idle_start(kick, [](uv_idle_t* h) {
    if (h->data != nullptr) static_cast<Impl*>(h->data)->on_kick();
  });
}

void Client::Impl::on_kick() {
  uv_idle_stop(kick);
  graveyard.clear();
  std::vector<std::unique_ptr<Transfer>> delivering;
  delivering.swap(completing);
  for (auto& t : delivering) {
    auto done = std::move(t->done);
    t->done = nullptr;
    if (!done) continue;
    try {
      done(std::move(*t->deferred_result));
    } catch (...) {
      // `done` must not throw; nothing sensible can be done with it here.
    }
  }
  if (capacity_freed) {
    capacity_freed = false;
    if (on_capacity && !closing) {
      auto listener = on_capacity;  // it may replace itself
      try {
        listener();
      } catch (...) {
        // The listener must not throw; nothing sensible can be done with it here.
      }
    }
  }
  // Now and then, outside any pool operation, forget origins nobody uses.
  if (++kicks % 1024 == 0) pool.prune();
  std::vector<Transfer*> starting;
  starting.swap(pending);
  for (Transfer* t : starting) {
    if (t->state != TransferState::pending) continue;  // cancelled meanwhile
    if (closing) {
      fail(*t, std::make_exception_ptr(CancelledError(t->url_text, "client closed")));
    } else {
      start(*t);
    }
  }
  if (!graveyard.empty() || !pending.empty() || !completing.empty()) schedule_kick();
  maybe_finish_close();
}

void Client::Impl::start(Transfer& t) {
  drop_reservation(t, false);  // it asks for a connection now
  try {
    t.url = initial_url(t.request);
    t.url_text = t.url->str_without_fragment();
    t.method = t.request.method.empty() ? "GET" : t.request.method;
    t.body = make_request_body(t.request);
    check_request_headers(t.request);
  } catch (...) {
    return fail(t, std::current_exception());
  }
  for (const auto& [name, value] : t.request.headers) {
    if (iequals(name, "Connection") && iequals(value, "close")) t.asks_close = true;
  }
  t.first_origin = t.url->origin();
  const RequestOptions& o = t.request.options;
  t.redirects.emplace(o.max_redirects.value_or(options.max_redirects), o.allow_https_downgrade);
  t.redirects->start(t.method);
  const auto total = timeout_or(o.total_timeout, options.total_timeout);
  if (total.count() > 0) {
    t.total_timer = std::make_unique<net::Timer>(loop);
    t.total_timer->start(static_cast<uint64_t>(total.count()), [this, &t, total] {
      fail(t, std::make_exception_ptr(
                  RequestTimeoutException(t.url_text, seconds(total), TimeoutPhase::total)));
    });
  }
  acquire_connection(t);
}

// Reuse an idle connection, open a new one, or wait in the origin's FIFO.
void Client::Impl::acquire_connection(Transfer& t) {
  try {
    route(*t.url, t.request.options, t.pool_key, &t.proxy);
  } catch (...) {
    return fail(t, std::current_exception());
  }
  ConnectionPool::Origin& origin = pool.origin(t.pool_key);
  if (Connection* c = pool.take_idle(origin)) {
    ++stats.connections_reused;
    return send(*c, t);
  }
  // At the total cap, the longest-idle connection elsewhere makes room (its
  // slot is this transfer's, not the next waiter's).
  if (Connection* victim = pool.eviction_for(origin)) retire(*victim, SlotUse::keep);
  if (pool.may_open(origin)) return open_connection(t, origin);
  set_state(t, TransferState::queued);
  pool.enqueue(origin, &t);
}

void Client::Impl::open_connection(Transfer& t, ConnectionPool::Origin& origin) {
  set_state(t, TransferState::connecting);
  auto owned = std::make_unique<Connection>(*this, t.pool_key, loop);
  Connection* c = owned.get();
  connections.emplace(c, std::move(owned));
  pool.count_open(origin);
  ++stats.connections_opened;
  c->transfer = &t;
  t.connection = c;

  const RequestOptions& o = t.request.options;
  net::ConnectTarget target;
  target.url = t.url_text;
  target.host = t.url->host();
  target.port = t.url->port();
  target.tls = t.url->is_https();
  target.verify = o.verify_tls;
  target.ca_file = o.ca_file;
  target.connect_timeout = timeout_or(o.connect_timeout, options.connect_timeout);
  target.tls_timeout = timeout_or(o.tls_timeout, options.tls_timeout);
  if (t.proxy) target.proxy = *t.proxy;
  target.user_agent = user_agent;
  c->cancel_connect =
      net::connect(loop, resolver, tls, target,
                   [this, c](std::unique_ptr<net::Stream> stream, std::exception_ptr error) {
                     on_connected(c, std::move(stream), std::move(error));
                   });
}

void Client::Impl::on_connected(Connection* c, std::unique_ptr<net::Stream> stream,
                                std::exception_ptr error) {
  c->cancel_connect = nullptr;
  if (c->state == ConnectionState::closing) {
    // We gave up on this attempt (transfer cancelled, timed out, client closed).
    if (stream) stream->close();
    connections.erase(c);
    --closes_outstanding;
    maybe_finish_close();
    return;
  }
  Transfer* t = c->transfer;
  if (error) {
    // The attempt never became a connection: free it and its slot here.
    ConnectionPool::Origin& origin = pool.origin(c->origin_key);
    set_state(*c, ConnectionState::closing);
    c->transfer = nullptr;
    pool.count_closed(origin);
    connections.erase(c);
    if (t != nullptr) {
      t->connection = nullptr;
      fail(*t, error);
    }
    if (!closing) slot_freed(origin);
    return;
  }
  c->stream = std::move(stream);
  set_state(*c, ConnectionState::busy);
  if (t == nullptr) return retire(*c);
  send(*c, *t);
}

void Client::Impl::send(Connection& c, Transfer& t) {
  if (c.state != ConnectionState::busy) set_state(c, ConnectionState::busy);
  set_state(t, TransferState::awaiting);
  c.transfer = &t;
  t.connection = &c;
  t.received_byte = false;
  t.redirect_hop = false;
  t.decoder.reset();
  t.response = HttpResponse();
  ++c.requests_started;

  const ParserLimits limits{options.max_header_bytes, options.max_body_bytes};
  c.parser.reset(&c, t.url_text, t.method == "HEAD", limits, options.lenient);

  std::string wire;
  wire.reserve(512 + (t.send_body && t.body.present ? t.body.bytes.size() : 0));
  WriteSpec spec;
  spec.method = t.method;
  spec.url = &*t.url;
  spec.headers = &t.request.headers;
  spec.cookies = &t.request.cookies;
  if (t.request.cookie_jar != nullptr) {
    t.hop_cookies = with_jar_cookies(t.request.cookie_jar->cookies_for(*t.url), t.request.cookies);
    spec.cookies = &t.hop_cookies;
  }
  spec.body = t.send_body ? &t.body : nullptr;
  spec.user_agent = user_agent;
  spec.drop_credentials = t.cross_origin;
  // Plain http through an http proxy: the proxy reads the whole URL.
  std::string proxy_authorization;
  if (t.proxy && t.proxy->is_http() && !t.url->is_https()) {
    spec.absolute_form = true;
    if (t.proxy->has_credentials()) proxy_authorization = net::basic_proxy_authorization(*t.proxy);
    spec.proxy_authorization = proxy_authorization;
  }
  try {
    write_request(spec, wire);
  } catch (...) {
    release(c);  // nothing was sent: the connection is still good
    return fail(t, std::current_exception());
  }

  arm_read_timer(c, t, true);
  c.stream->keep_loop_alive(true);
  start_reading(c);
  Connection* cp = &c;
  c.stream->write(std::move(wire), [this, cp](std::exception_ptr error) {
    if (!error || connections.count(cp) == 0) return;
    if (cp->state != ConnectionState::busy || cp->transfer == nullptr) return;
    // Treat like the peer going away before answering (retry rules apply).
    on_end(*cp, std::move(error));
  });
}

void Client::Impl::start_reading(Connection& c) {
  Connection* cp = &c;
  c.stream->start_reading([this, cp](std::string_view bytes) { on_data(*cp, bytes); },
                          [this, cp](std::exception_ptr error) { on_end(*cp, std::move(error)); });
}

void Client::Impl::arm_read_timer(Connection& c, Transfer& t, bool first_byte) {
  const RequestOptions& o = t.request.options;
  const auto timeout = first_byte ? timeout_or(o.first_byte_timeout, options.first_byte_timeout)
                                  : timeout_or(o.idle_timeout, options.idle_timeout);
  if (timeout.count() <= 0) return c.read_timer.stop();
  t.read_timeout = timeout;
  t.read_phase = first_byte ? TimeoutPhase::first_byte : TimeoutPhase::idle_read;
  Transfer* tp = &t;
  c.read_timer.start(static_cast<uint64_t>(timeout.count()), [this, tp] {
    fail(*tp, std::make_exception_ptr(RequestTimeoutException(
                  tp->url_text, seconds(tp->read_timeout), tp->read_phase)));
  });
}

// The transfer on `c` got its complete response and both sides allow reuse.
void Client::Impl::release(Connection& c) {
  c.read_timer.stop();
  if (c.transfer != nullptr) c.transfer->connection = nullptr;
  c.transfer = nullptr;
  if (closing) return retire(c);
  // The stream keeps reading while the connection idles: what arrives then
  // (a close, a stray 408) retires it at once (on_data, on_end) instead of
  // waiting in the socket for the next request to misread, and the loop does
  // not stop and restart the watch on every request. It does not keep the
  // loop alive meanwhile (send() takes that back).
  ConnectionPool::Origin& origin = pool.origin(c.origin_key);
  if (Transfer* next = pool.next_for_connection(origin)) {
    ++stats.connections_reused;
    return send(c, *next);
  }
  c.stream->keep_loop_alive(false);
  set_state(c, ConnectionState::idle);
  pool.put_idle(origin, &c, now_ms(loop));
  if (!sweep->active()) arm_sweep(static_cast<uint64_t>(options.pool_idle_timeout.count()));
  note_capacity();
}

void Client::Impl::arm_sweep(uint64_t delay_ms) {
  sweep->start(delay_ms, [this] { sweep_idle(); });
}

void Client::Impl::sweep_idle() {
  uint64_t next_due = 0;
  const auto expired = pool.expired(
      now_ms(loop), static_cast<uint64_t>(options.pool_idle_timeout.count()), next_due);
  for (Connection* c : expired) retire(*c);
  if (next_due != UINT64_MAX) arm_sweep(next_due);
}

// Closes `c`; its slot goes to whoever waits for one, unless the caller keeps it.
void Client::Impl::retire(Connection& c, SlotUse slot) {
  if (c.state == ConnectionState::closing) return;
  const ConnectionState was = c.state;
  set_state(c, ConnectionState::closing);
  c.read_timer.stop();
  ConnectionPool::Origin& origin = pool.origin(c.origin_key);
  if (was == ConnectionState::idle) pool.remove_idle(origin, &c);
  if (c.transfer != nullptr) c.transfer->connection = nullptr;
  c.transfer = nullptr;
  pool.count_closed(origin);
  ++closes_outstanding;
  Connection* cp = &c;
  if (was == ConnectionState::connecting) {
    // on_connected frees it once net::connect reports (now, with CancelledError, or later).
    if (c.cancel_connect) {
      auto cancel = std::move(c.cancel_connect);
      c.cancel_connect = nullptr;
      cancel();
    }
  } else {
    c.stream->close([this, cp] {
      connections.erase(cp);
      --closes_outstanding;
      maybe_finish_close();
    });
  }
  if (!closing && slot == SlotUse::hand_off) slot_freed(origin);
}

void Client::Impl::slot_freed(ConnectionPool::Origin& origin) {
  ConnectionPool::Origin* opens_for = nullptr;
  if (Transfer* next = pool.next_for_slot(origin, &opens_for)) {
    return open_connection(*next, *opens_for);
  }
  note_capacity();
}

void Client::Impl::fail(Transfer& t, std::exception_ptr error, bool later) {
  if (t.state == TransferState::finished) return;
  Connection* c = t.connection;
  if (c != nullptr) {
    c->transfer = nullptr;
    t.connection = nullptr;
    retire(*c);  // mid-exchange: the connection's state is unknown
  }
  ++stats.requests_failed;
  finish(t, Result{std::nullopt, std::move(error)}, later);
}

// The one place a transfer ends: unhook it everywhere, then call `done` once.
void Client::Impl::finish(Transfer& t, Result result, bool later) {
  if (t.state == TransferState::finished) return;
  drop_reservation(t, true);  // cancelled before it started
  if (t.state == TransferState::queued) pool.remove_waiter(pool.origin(t.pool_key), &t);
  if (t.connection != nullptr) {
    Connection* c = t.connection;
    c->transfer = nullptr;
    t.connection = nullptr;
    retire(*c);
  }
  set_state(t, TransferState::finished);
  if (t.total_timer) t.total_timer->stop();
  if (result.response) ++stats.requests_completed;
  // Freed on the next kick: callers up the stack may still look at `t`.
  auto it = transfers.find(t.id);
  if (it == transfers.end()) return;
  std::unique_ptr<Transfer> owned = std::move(it->second);
  transfers.erase(it);
  if (later) {
    t.deferred_result = std::move(result);
    completing.push_back(std::move(owned));
    schedule_kick();
    return;
  }
  graveyard.push_back(std::move(owned));
  schedule_kick();
  auto done = std::move(t.done);
  t.done = nullptr;
  if (done) {
    try {
      done(std::move(result));
    } catch (...) {
      // `done` must not throw; nothing sensible can be done with it here.
    }
  }
}

void Client::Impl::cancel(RequestId id) {
  auto it = transfers.find(id);
  if (it == transfers.end()) return;
  Transfer& t = *it->second;
  fail(t, std::make_exception_ptr(CancelledError(t.url_text, "request cancelled")), true);
}

void Client::Impl::close(std::function<void()> on_closed_) {
  if (closing) {
    if (on_closed_) on_closed = std::move(on_closed_);
    return;
  }
  closing = true;
  on_closed = std::move(on_closed_);
  ++closes_outstanding;
  resolver.close([this] {
    --closes_outstanding;
    maybe_finish_close();
  });
  // Cancel every transfer (their `done` runs on the next loop turn, in id order).
  std::vector<RequestId> ids;
  ids.reserve(transfers.size());
  for (auto& [id, t] : transfers) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  for (RequestId id : ids) {
    auto it = transfers.find(id);
    if (it == transfers.end()) continue;
    fail(*it->second,
         std::make_exception_ptr(CancelledError(it->second->url_text, "client closed")), true);
  }
  std::vector<Connection*> all;
  for (auto& [c, owned] : connections) all.push_back(c);
  for (Connection* c : all) retire(*c);
  sweep.reset();
  maybe_finish_close();
}

void Client::Impl::maybe_finish_close() {
  if (!closing || closes_outstanding != 0 || !pending.empty() || !completing.empty() ||
      kick == nullptr) {
    return;
  }
  if (!transfers.empty()) return;  // a `done` fetched again: its kick fails it first
  // The kick handle closes last; its close callback reports the end.
  uv_idle_stop(kick);
  kick->data = this;
  uv_close(reinterpret_cast<uv_handle_t*>(kick), [](uv_handle_t* h) {
    auto* self = static_cast<Impl*>(h->data);
    delete reinterpret_cast<uv_idle_t*>(h);
    self->kick = nullptr;
    self->closed = true;
    self->graveyard.clear();
    auto cb = std::move(self->on_closed);
    const bool free_self = self->owner_gone;
    if (cb) cb();
    if (free_self) delete self;
  });
  kick = nullptr;
}

}  // namespace uvscrape::http
