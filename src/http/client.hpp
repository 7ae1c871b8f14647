// The asynchronous HTTP/1.1 client: many requests at once on one libuv loop.
// It knows nothing of scrapers or queues; the driver is one of its users.
//
// Each request is a transfer moving through the states of transfer_state.hpp
// (pending -> queued/connecting -> awaiting -> receiving [-> paused] -> finished,
// looping back for redirects); client.cpp holds the transitions. Connections
// live in a keep-alive pool keyed by origin (and TLS settings for https, and the proxy), capped
// per origin and in total; transfers over the cap wait in a per-origin FIFO.
// Idle pooled connections do not read and the pool's idle timer is unref'd, so
// an idle client never keeps uv_run() from returning; close() ends them all.
//
// Errors in Result::error (docs/design.md §8): UrlError (bad URL or header),
// DnsError, ConnectionError (refused, reset, closed before the response was
// complete), RequestTimeoutException (phase: connect, tls_handshake, first_byte,
// idle_read, total), TlsHandshakeError, TlsVerificationError, ProtocolError
// (malformed response, corrupt compressed body), LimitExceededError
// (header bytes, body bytes, decoded bytes), TooManyRedirectsError (hop limit,
// "redirect loop"), RedirectRefusedError (https->http, non-http Location),
// ProxyError (407, a refused CONNECT or SOCKS5 request),
// CancelledError (cancel(), close(), a sink refusing the headers).
// A non-2xx status is a response, not an error.
//
// Cookies (docs/design.md §21): a request that names a CookieJar feeds it the
// Set-Cookie headers of every hop, redirects included, and asks it for the
// Cookie header of every hop, for that hop's URL.
//
// INTERFACE CONTRACT (shared by the driver, the demo and the benchmarks). The
// HTTP layer owns this file and may add members, but keeps these shapes.
#pragma once

#include <uv.h>

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/response_parser.hpp"
#include "net/tls_settings.hpp"
#include "uvscrape/cookie_jar.hpp"
#include "uvscrape/headers.hpp"
#include "uvscrape/url.hpp"  // HttpRequest::redirect_check

namespace uvscrape::http {

using uvscrape::Headers;

// Receives a streamed body chunk by chunk. Backpressure: return false from
// on_chunk to pause reading; call the `resume` it was given when ready for more
// (calling it again later, or after the request ended, is harmless). While
// paused, no chunk arrives and the socket is not read.
class BodySink {
 public:
  virtual ~BodySink() = default;
  // Called once the status line and headers of the final response are known.
  // Return false to reject the body (the request then fails with CancelledError).
  virtual bool on_headers(int status, const Headers& headers) = 0;
  // A decoded body chunk. Return true to keep reading, false to pause until
  // `resume` is called (from the loop thread).
  virtual bool on_chunk(std::string_view chunk, std::function<void()> resume) = 0;
};

struct RequestOptions {
  std::optional<std::chrono::milliseconds> connect_timeout;     // default: client's
  std::optional<std::chrono::milliseconds> tls_timeout;         // default: client's
  std::optional<std::chrono::milliseconds> first_byte_timeout;  // default: client's
  std::optional<std::chrono::milliseconds> idle_timeout;        // default: client's
  std::optional<std::chrono::milliseconds> total_timeout;       // default: client's
  bool verify_tls = true;
  std::string ca_file;  // empty: the client's CA bundle
  bool follow_redirects = true;
  bool allow_https_downgrade = false;
  std::optional<int> max_redirects;  // default: client's
  // Unset: the client's proxy rules (ClientOptions::proxy, no_proxy, the
  // environment). A proxy URL: that proxy, whatever no_proxy says. "": direct.
  std::optional<std::string> proxy;
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;                                           // absolute http(s) URL
  std::vector<std::pair<std::string, std::string>> params;   // appended as the query string
  std::vector<std::pair<std::string, std::string>> headers;  // sent in order
  std::vector<std::pair<std::string, std::string>> cookies;  // rendered as a Cookie header
  // With a jar: every hop's Set-Cookie goes in, and every hop sends the jar's
  // cookies for its URL, except those `cookies` names (the request's own win).
  // It must outlive the request. Null: only `cookies` are sent.
  CookieJar* cookie_jar = nullptr;
  // At most one body form: raw bytes (Content-Type from headers), a form
  // (application/x-www-form-urlencoded), or JSON text (application/json).
  std::optional<std::string> body;
  std::optional<std::vector<std::pair<std::string, std::string>>> form;
  std::optional<std::string> json;
  RequestOptions options;
  BodySink* sink = nullptr;  // if set, the body streams to it and Response::body stays empty
  // Asked before each redirect is followed (the driver's robots.txt gate), with
  // the hop's target: `answer(nullptr)` follows it, `answer(error)` fails the
  // request with `error`. It may answer at once or on a later loop turn (on the
  // loop thread); an answer that comes after the request was cancelled, timed
  // out or the client closed is ignored. Empty: every redirect is followed.
  using RedirectAnswer = std::function<void(std::exception_ptr refusal)>;
  std::function<void(const Url& target, RedirectAnswer answer)> redirect_check;
};

struct HttpResponse {
  int status = 0;
  Headers headers;
  std::string body;          // decoded (Content-Encoding removed)
  std::string text() const;  // body as UTF-8 by the one charset rule (http/charset.hpp)
  std::string url;           // the final URL, after redirects
  std::vector<std::string> redirect_chain;  // every URL fetched before `url`, in order
  // With a jar: its cookies for `url` once this response's were stored, in
  // Cookie-header order (a snapshot).
  std::vector<Cookie> cookies;
};

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds tls_timeout{10'000};
  std::chrono::milliseconds first_byte_timeout{30'000};
  std::chrono::milliseconds idle_timeout{30'000};
  std::chrono::milliseconds total_timeout{0};  // 0: none
  std::chrono::milliseconds pool_idle_timeout{30'000};
  size_t max_connections_per_origin = 8;
  size_t max_connections_total = 256;
  int max_redirects = 10;
  size_t max_header_bytes = 64 * 1024;
  size_t max_body_bytes = 256ull * 1024 * 1024;
  size_t max_decoded_bytes = 256ull * 1024 * 1024;  // decompression-bomb guard
  std::string user_agent;                           // empty: "uvscrape/<version>"
  std::string ca_file;                              // empty: the system bundle from ca-certificates
  // Proxies (docs/design.md §22, http/proxy_selector.hpp): a proxy URL for
  // every request (http://[user:password@]host:port, socks5://, socks5h://),
  // hosts that go direct, and whether http_proxy / https_proxy / no_proxy
  // from the environment apply. Proxied connections are pooled per (proxy,
  // origin).
  std::string proxy;
  std::vector<std::string> no_proxy;
  bool proxy_from_env = false;
  // Legacy servers, all off by default (http/response_parser.hpp, ParserLeniency).
  ParserLeniency lenient;
  // TLS versions, cipher suites, a client certificate (net/tls_settings.hpp).
  net::TlsSettings tls;
};

using RequestId = uint64_t;

// Exactly one of response / error is set. `error` holds one of the typed
// exceptions of uvscrape/errors.hpp (DnsError, ConnectionError, ...).
struct Result {
  std::optional<HttpResponse> response;
  std::exception_ptr error;
};

class Client {
 public:
  Client(uv_loop_t* loop, ClientOptions options = {});
  ~Client();  // must be closed (or never used) before destruction
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Starts a request; `done` is called exactly once on the loop thread, never
  // synchronously from inside fetch().
  RequestId fetch(HttpRequest request, std::function<void(Result)> done);
  // Cancels an in-flight request: `done` receives CancelledError on the next
  // loop turn (never inside cancel()). Unknown or finished ids are ignored.
  void cancel(RequestId id);
  // Cancels everything (each pending `done` gets CancelledError on the next loop
  // turn), closes every connection, timer and the resolver; `on_closed` runs
  // when the loop has nothing of this client left, so uv_loop_close() succeeds
  // once uv_run() returns. fetch() after close() fails with CancelledError.
  void close(std::function<void()> on_closed = {});

  // True when fetch() of this URL would get a connection now (an idle pooled
  // one, or a new one within the per-origin and total caps, counting an idle
  // connection of another origin that may be evicted), after the requests
  // already fetched for its origin. Cheap: no allocation on the hot path.
  // False after close().
  bool has_capacity(std::string_view url, const RequestOptions& options = {}) const;
  // Called on the loop thread, never inside another Client call, after a
  // connection slot has freed (a request finished or a connection closed); one
  // call for the frees of one loop turn. One listener; empty clears it.
  void set_on_capacity(std::function<void()> listener);

  struct Stats {
    uint64_t connections_opened = 0;
    uint64_t requests_completed = 0;
    uint64_t connections_reused = 0;  // requests sent on a kept-alive connection
    uint64_t requests_failed = 0;     // done got an error (cancellations included)
    uint64_t retries = 0;             // dead pooled connections retried on a fresh one
    uint64_t connections_open = 0;    // right now: connecting, busy or idle
    // Right now: fetched and not yet sent (starting or connecting); counted
    // over the transfers on each call.
    uint64_t requests_starting = 0;
  };
  Stats stats() const;

  // Internal (src/http/client_impl.hpp); public only so the layer's own parts can name it.
  struct Impl;

 private:
  Impl* impl_;  // frees itself once closed if the Client is gone first
};

}  // namespace uvscrape::http
