// The inside of http::Client: transfers, connections and the state machine
// that moves them (client.cpp: lifecycle and pool; client_response.cpp: what
// happens to response bytes). Internal to src/http.
#pragma once

#include <uv.h>

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "http/client.hpp"
#include "http/connection_pool.hpp"
#include "http/content_decoder.hpp"
#include "http/proxy_selector.hpp"
#include "http/redirect_policy.hpp"
#include "http/request_writer.hpp"
#include "http/response_parser.hpp"
#include "http/transfer_state.hpp"
#include "net/resolver.hpp"
#include "net/stream.hpp"
#include "net/tls_config.hpp"
#include "net/uv_util.hpp"
#include "uvscrape/errors.hpp"
#include "uvscrape/url.hpp"

namespace uvscrape::http {

struct Transfer;

struct Connection final : ResponseListener {
  Connection(Client::Impl& client, std::string origin_key, uv_loop_t* loop)
      : client(client), origin_key(std::move(origin_key)), read_timer(loop) {}

  void on_response_head(int status, Headers& headers) override;
  void on_response_body(std::string_view bytes) override;

  Client::Impl& client;
  std::string origin_key;
  ConnectionState state = ConnectionState::connecting;
  std::unique_ptr<net::Stream> stream;
  std::function<void()> cancel_connect;
  ResponseParser parser;
  Transfer* transfer = nullptr;  // the one it carries while busy
  uint64_t requests_started = 0;
  bool peer_closed = false;  // EOF seen while the transfer was paused
  net::Timer read_timer;     // first byte, then idle read, for the carried transfer
};

struct Transfer {
  RequestId id = 0;
  HttpRequest request;
  std::function<void(Result)> done;
  TransferState state = TransferState::pending;

  // Settled at start, updated per redirect hop.
  std::optional<Url> url;
  std::string url_text;  // url->str_without_fragment(), for errors
  std::string method;
  RequestBody body;
  bool send_body = true;
  bool cross_origin = false;  // a redirect left the first origin: no Authorization
  std::optional<RedirectTracker> redirects;
  std::string first_origin;
  // The pool key of the current hop: the origin, plus the TLS settings for https
  // (a connection verified against one CA must not serve a request that trusts another).
  std::string pool_key;
  std::shared_ptr<const net::ProxyEndpoint> proxy;  // of the current hop; null: direct
  bool reserved = false;    // holds a pool reservation for `pool_key` until it starts
  bool asks_close = false;  // the user sent "Connection: close"
  // The cookies of the current hop: the jar's and the request's own.
  std::vector<std::pair<std::string, std::string>> hop_cookies;

  Connection* connection = nullptr;
  bool retried = false;  // the one retry on a fresh connection is spent
  std::unique_ptr<net::Timer> total_timer;
  // What its connection's read timer reports when it fires; kept here so that
  // the timer's callback is small enough to be stored without an allocation.
  std::chrono::milliseconds read_timeout{0};
  TimeoutPhase read_phase = TimeoutPhase::first_byte;

  // Response of the current hop.
  HttpResponse response;
  bool redirect_hop = false;  // this response is a redirect being followed
  std::optional<ContentDecoder> decoder;
  bool received_byte = false;

  // Streaming: decoded bytes held back while the sink is paused.
  std::string sink_scratch;
  std::string sink_pending;
  bool in_sink = false;
  bool resume_requested = false;

  std::optional<Result> deferred_result;  // for a `done` delivered on the next kick
};

struct Client::Impl {
  Impl(uv_loop_t* loop, ClientOptions options);
  ~Impl();

  // ---- public operations
  RequestId fetch(HttpRequest request, std::function<void(Result)> done);
  void cancel(RequestId id);
  void close(std::function<void()> on_closed);
  bool has_capacity(std::string_view url, const RequestOptions& options) const;

  // ---- state machine (client.cpp)
  void set_state(Transfer& t, TransferState to);
  void set_state(Connection& c, ConnectionState to);
  void start(Transfer& t);
  void acquire_connection(Transfer& t);
  // The pool key of `url` for a request with `o`, the proxy included (UrlError
  // for a proxy URL that does not parse). Sets `proxy` when one applies.
  void route(const Url& url, const RequestOptions& o, std::string& key,
             std::shared_ptr<const net::ProxyEndpoint>* proxy) const;
  // `freed`: the transfer ends without a connection, so its share is free again.
  void drop_reservation(Transfer& t, bool freed);
  void open_connection(Transfer& t, ConnectionPool::Origin& origin);
  void on_connected(Connection* c, std::unique_ptr<net::Stream> stream, std::exception_ptr error);
  void send(Connection& c, Transfer& t);
  void release(Connection& c);  // after a complete, reusable response
  enum class SlotUse { hand_off, keep };
  // Closes `c` and frees its slot: handed to a waiting transfer, or kept for
  // the caller, who opens a connection on it at once.
  void retire(Connection& c, SlotUse slot = SlotUse::hand_off);
  void slot_freed(ConnectionPool::Origin& origin);
  // A connection or slot became free: the capacity listener runs on the next kick.
  void note_capacity();
  void arm_sweep(uint64_t delay_ms);
  void sweep_idle();
  // `later`: call `done` from the next loop turn (cancel() and close() never
  // call back into their caller).
  void finish(Transfer& t, Result result, bool later = false);
  void fail(Transfer& t, std::exception_ptr error, bool later = false);
  void schedule_kick();
  void fail_after_close(Transfer& t);
  void on_kick();
  void maybe_finish_close();

  // ---- response handling (client_response.cpp)
  void on_data(Connection& c, std::string_view bytes);
  void on_end(Connection& c, std::exception_ptr error);
  void on_head(Connection& c, Transfer& t, int status, Headers& headers);
  void on_body(Transfer& t, std::string_view bytes);
  void deliver_to_sink(Transfer& t, std::string_view chunk);
  void resume_sink(RequestId id);
  void complete_response(Connection& c, Transfer& t);
  // The next hop of a redirect, once HttpRequest::redirect_check allows it.
  void vet_redirect(Transfer& t);
  void connection_failed(Connection& c, Transfer& t, std::exception_ptr error);
  void arm_read_timer(Connection& c, Transfer& t, bool first_byte);
  void start_reading(Connection& c);
  void retry_or_fail(Connection& c, Transfer& t, std::exception_ptr error);

  std::chrono::milliseconds timeout_or(const std::optional<std::chrono::milliseconds>& v,
                                       std::chrono::milliseconds fallback) const {
    return v ? *v : fallback;
  }

  uv_loop_t* loop;
  ClientOptions options;
  std::string user_agent;
  ConnectionPool pool;
  ProxySelector proxies;
  net::Resolver resolver;
  net::TlsConfigCache tls;
  Stats stats;

  RequestId next_id = 1;
  uint64_t kicks = 0;
  std::unordered_map<RequestId, std::unique_ptr<Transfer>> transfers;
  std::vector<Transfer*> pending;                     // start on the next kick
  std::vector<std::unique_ptr<Transfer>> graveyard;   // finished, freed on the next kick
  std::vector<std::unique_ptr<Transfer>> completing;  // finished, `done` runs on the next kick
  std::unordered_map<Connection*, std::unique_ptr<Connection>> connections;

  uv_idle_t* kick = nullptr;          // runs on_kick once per loop turn while needed
  std::unique_ptr<net::Timer> sweep;  // closes idle connections; unref'd; gone once closing

  bool closing = false;
  bool owner_gone = false;  // ~Client ran before the close finished: free self
  bool closed = false;      // the close finished: every handle is gone
  size_t closes_outstanding = 0;
  std::function<void()> on_closed;

  // Held weakly by answers that may come after the client is gone
  // (HttpRequest::redirect_check).
  std::shared_ptr<char> alive = std::make_shared<char>();

  std::function<void()> on_capacity;  // set_on_capacity()
  bool capacity_freed = false;        // on_capacity is due on the next kick
  mutable std::string key_scratch;    // has_capacity()'s pool key, reused
};

}  // namespace uvscrape::http
