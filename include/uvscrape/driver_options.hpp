// Options of the driver (the crawl engine): concurrency, storage, network limits.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "uvscrape/errors.hpp"
#include "uvscrape/json.hpp"
#include "uvscrape/stop_signal.hpp"

namespace uvscrape {

// How hard one host may be hit (docs/design.md §19). 0 means "no limit".
struct HostPoliteness {
  double rate = 0;                // requests per second (a token bucket's rate)
  double burst = 1;               // requests that may go at once (the bucket's size)
  std::size_t max_in_flight = 0;  // requests in flight at once to the host
};

// What a replayed request with no stored response does (DriverOptions::replay_miss).
enum class ReplayMiss { fail, skip, pending };

struct DriverOptions {
  // How many requests are in flight at once (workers). With 1, everything the
  // callbacks observe happens in the order of a strictly sequential run.
  std::size_t num_workers = 1;

  // Threads that parse responses and run steps (docs/design.md §24), so that
  // the loop thread only fetches and applies. 0: steps run on the loop thread.
  // Default: the hardware's cores minus one (0 on a single core). Yields are
  // applied on the loop thread in the order the responses completed, so with
  // num_workers = 1 the observable order is that of a sequential run either way.
  // A step must not modify state it shares with other steps or with callbacks.
  std::size_t step_threads = default_step_threads();
  // The default of step_threads: std::thread::hardware_concurrency() - 1.
  static std::size_t default_step_threads() noexcept;
  // With step threads: when more responses wait than there are step threads
  // free, the loop thread runs the oldest waiting step itself (one at a time,
  // polling I/O between them), so a parse-bound crawl uses every core. Then
  // step_threads + 1 steps may run at once, so steps must truly share nothing
  // mutable. Off by default: steps never run on the loop thread, which then
  // never waits for one, and at most step_threads steps run at once.
  bool loop_helps_steps = false;
  // With step threads: a step whose runs took less than this on average (kept
  // per step name) runs on the loop thread when no other step is running or
  // waiting, since handing it to a thread and back costs more than the step
  // (a latency-bound crawl whose steps only read a field saves that on every
  // request). No more steps run at once than without it. Zero: every step
  // runs on a step thread.
  std::chrono::microseconds steps_on_loop_below{25};

  // Where archive requests store their files. Empty: <system temp>/uvscrape_files.
  // Created (with parents) when the Driver is constructed.
  std::string storage_dir;

  // Entry parameters, as the reference's `initial_seed` takes them: a JSON list of
  // single-key maps {entry_name: {param: value}}. Unset: every parameterless,
  // non-speculative entry runs.
  std::optional<Json> seed_params;

  // Built-in deduplication (docs/design.md §3): without a duplicate_check
  // callback, requests whose dedup key was already enqueued in this run are
  // dropped. Entry requests and speculative probes are never dropped.
  bool builtin_dedup = true;

  // --- the run store (docs/design.md §20) ----------------------------------------
  // Empty (default): the run lives in memory. A file name: the run is kept in
  // that SQLite file and survives the process. A file that holds a run
  // continues it (resume): its pending and interrupted requests are fetched,
  // nothing it already did is done again, and a completed run does nothing.
  // A graceful stop then leaves the unstarted requests pending for the next run.
  std::string store_path;
  // Resume a stored run even if its scraper name or seed_params differ from
  // this run's (otherwise a StoreError says what differs).
  bool store_force = false;
  // Keep every answered request's response in the store (needs store_path):
  // status, headers, final URL, step name and the body, compressed with zstd
  // (per-step dictionaries). Read back with store/stored_responses.hpp.
  // Archive responses keep no body there (it is the archived file).
  bool store_responses = false;
  // With store_path: how many pending requests the driver keeps in memory
  // (the frontier window); further ones stay in the file and are read back,
  // best-ranked first, when half the window has gone. Bounds the memory of
  // a run with millions of queued requests. 0 means the default, 10,000.
  std::size_t store_window = 0;
  // With store_path: entry parameters added to the stored run (--add-seed).
  // The scraper's entry requests for them are queued in the run (resumed,
  // or new after its own seeding); a completed run reopened with them
  // continues. An added entry whose dedup key the run has already seen is
  // dropped, so the same addition made twice fetches nothing new.
  std::optional<Json> add_seed_params;

  // --- the live dashboard (docs/operating-a-crawl.md, "The dashboard") -----------
  // Not 0: the Driver serves the dashboard page on this port, on the loop it
  // runs, for the length of each run (closed before on_done). It shows the
  // live counters and, with store_path, what the store holds (read on the
  // thread pool with a read-only connection). A port it cannot listen on
  // makes run()/start() throw DashboardError naming the address.
  std::uint16_t dashboard_port = 0;
  std::string dashboard_bind = "127.0.0.1";
  // A "stop the run" button (Driver::stop()), accepted only from loopback.
  bool dashboard_allow_stop = false;

  // --- offline replay (docs/operating-a-crawl.md, "replay") ------------------------
  // Empty (default): requests go to the network. A run store file written with
  // store_responses: every request is answered from it instead, and no
  // connection is made (no DNS, no connect). A request matches the stored
  // request with the same method, URL (with its query parameters) and body
  // -- not its dedup key, which a changed scraper may compute differently.
  // The stored status, final URL, headers and body reach the step as the live
  // run saw them; an archive request gets the stored run's file (path,
  // sha256), nothing is downloaded. The scraper's rate limits do not apply
  // (nothing is sent) and obey_robots_txt cannot be combined with it.
  std::string replay_from;
  // What a request with no stored response does (fail by default): a failure
  // of kind no_stored_response (NoStoredResponseError naming the URL), skip
  // (dropped, counted in RunResult::replay_skipped), or pending (left pending
  // in this run's store, for a later live run; RunResult::replay_left_pending).
  // A speculative probe with no stored response is a failed probe whatever
  // the policy: the stored run's range ended there.
  ReplayMiss replay_miss = ReplayMiss::fail;

  // A stop request shared with the caller (any thread may call request_stop()).
  // Unset: the driver makes its own; Driver::stop() uses it either way.
  std::optional<StopSignal> stop_signal;

  // After a stop request, how long requests in flight may take to finish (their
  // steps still run); then they are cancelled and counted in
  // requests_cancelled. A second stop request cancels them at once. 0: at once.
  std::chrono::milliseconds stop_grace{5'000};

  // --- failures (docs/design.md §17) ---------------------------------------------
  // false (default): a request that fails for good is recorded as a Failure and
  // the crawl goes on, unless its per-kind callback returns false. true: a
  // failure whose per-kind callback is absent ends the run with RunStatus::error.
  bool fail_fast = false;
  // How many failures RunResult::failures keeps (the first ones); later ones
  // are still counted, passed to on_failure and kept by a store, so a long
  // crawl against a failing site does not grow without bound. 0: none kept.
  std::size_t failures_kept = 10'000;

  // --- HTTP ------------------------------------------------------------------------
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds tls_timeout{10'000};
  std::chrono::milliseconds first_byte_timeout{30'000};
  std::chrono::milliseconds idle_timeout{30'000};
  std::chrono::milliseconds total_timeout{0};  // 0: none (per-request timeout() still applies)
  bool verify_tls = true;                      // certificate and host name verification
  std::string ca_file;                         // empty: the system bundle
  std::string user_agent;                      // empty: "uvscrape/<version>"

  // --- proxies (docs/design.md §22, docs/sessions-cookies-proxies.md) -------------
  // Every request through this proxy: "http://[user:password@]host:port" (http
  // in absolute form, https through CONNECT; Basic authentication from the
  // user info), "socks5://..." (names resolved here) or "socks5h://..." (names
  // sent to the proxy). Empty: direct. Request::proxy() / no_proxy() override it.
  std::string proxy;
  // Hosts that go direct: "*", names ("example.org" covers its subdomains, as
  // does ".example.org"), IP addresses and CIDR blocks ("10.0.0.0/8").
  std::vector<std::string> no_proxy;
  // true: http_proxy / https_proxy (or HTTP_PROXY / HTTPS_PROXY) apply when
  // `proxy` is empty, and no_proxy / NO_PROXY adds to `no_proxy`. Off by
  // default, so a crawl does not change route with the shell it starts from.
  bool proxy_from_env = false;

  // --- servers that bend the rules (docs/sessions-cookies-proxies.md) -----------
  // All off by default. An error one of them would have avoided names it.
  // Transfer-Encoding that applies chunked twice (or that llhttp refuses).
  bool lenient_transfer_encoding = false;
  // Both Transfer-Encoding: chunked and Content-Length (chunked framing wins).
  bool lenient_chunked_length = false;
  // Control characters in header values, and LF-only line endings.
  bool lenient_headers = false;
  // Bytes after a response marked Connection: close are not an error.
  bool lenient_keep_alive = false;
  // TLS versions "1.0", "1.1", "1.2". Empty min: 1.2; empty max: 1.2 (the
  // newest mbedTLS 2.28 speaks).
  std::string tls_min_version;
  std::string tls_max_version;
  // mbedTLS cipher suite names, in order of preference. Empty: mbedTLS's defaults.
  std::vector<std::string> tls_ciphers;
  // Mutual TLS: PEM files of a client certificate (chain) and its key. Both or neither.
  std::string tls_client_cert_file;
  std::string tls_client_key_file;
  int max_redirects = 10;  // redirects are followed when the scraper asks for it
  // 0: as many as num_workers, so every worker can have a request on the wire.
  std::size_t max_connections_per_origin = 0;
  std::size_t max_connections_total = 256;
  std::size_t max_header_bytes = 64 * 1024;
  std::size_t max_body_bytes = 256ull * 1024 * 1024;     // archive downloads included
  std::size_t max_decoded_bytes = 256ull * 1024 * 1024;  // decompression-bomb guard

  // --- retries (docs/design.md §18) ---------------------------------------------
  // A transient failure (network error, timeout, a status the scraper classes
  // transient: 408, 425, 429, 502, 503, 504 by default) is tried again up to
  // max_retries times (Request::retries(n) / no_retry() override it). Before
  // retry n the request waits, holding no worker and no connection, a time drawn
  // uniformly from [0, min(retry_backoff_cap, retry_backoff_base * 2^(n-1))], or
  // the server's Retry-After (seconds or HTTP-date) capped by retry_after_max.
  int max_retries = 3;
  std::chrono::milliseconds retry_backoff_base{1'000};
  std::chrono::milliseconds retry_backoff_cap{60'000};
  std::chrono::milliseconds retry_after_max{120'000};

  // --- politeness (docs/design.md §19) ------------------------------------------
  // Limits for every host (by host name, without port). The scraper's declared
  // rate_limits() apply too; per field, the stricter wins. Default: no limit.
  HostPoliteness per_host;
  // Limits for named hosts ("example.org", "127.0.0.2"), replacing per_host for them.
  std::map<std::string, HostPoliteness, std::less<>> hosts;
  // One token bucket over all hosts together (0: none).
  double global_rate = 0;
  double global_burst = 1;
  // Adaptive throttle: a 429 or 503 halves a host's rate, latency rising to
  // twice its best cuts it by a quarter (at most one cut a second), and each
  // healthy second raises it by 5%, up to the host's limit (a host without one
  // gets its limit lifted again once recovered). Never below throttle_min_rate.
  bool adaptive_throttle = false;
  double throttle_min_rate = 0.1;

  // --- robots.txt (docs/retries-and-politeness.md) ----------------------------------
  // true: before the first request to an origin (scheme, host, port) its
  // /robots.txt is fetched once (redirects followed, up to 5 hops) and obeyed
  // for the run (RFC 9309): a disallowed request is not sent and becomes a
  // Failure of kind robots_disallowed. A 4xx robots.txt allows everything; a
  // 5xx or an unreachable one disallows everything for the origin until a
  // refetch succeeds (retried with the retry backoff, max_retries times, then
  // every robots_refetch_after). Crawl-delay: N caps the host's rate at 1/N
  // per second (the stricter limit wins). Requests to an origin wait, holding
  // no worker, until its robots.txt is known. A redirect's target is checked
  // too, before it is fetched (a disallowed one fails the request the same way).
  bool obey_robots_txt = false;
  // The product token matched against robots.txt user-agent lines. Empty: the
  // product token of user_agent ("uvscrape" for the default user agent).
  std::string robots_user_agent;
  // After a robots.txt could not be fetched (5xx, network error) and its
  // retries ran out: how long the origin stays disallowed before a new request
  // to it fetches robots.txt again.
  std::chrono::milliseconds robots_refetch_after{600'000};

  // --- cookies (docs/design.md §21) ---------------------------------------------
  // true (default): a cookie jar (RFC 6265) takes every response's Set-Cookie,
  // redirect hops included, and every request sends the jar's cookies for its
  // URL; a request's own and permanent cookies win over the jar's of the same
  // name. Request::cookie_jar("name") picks a separate jar (a second session).
  // false: Set-Cookie is ignored; only a request's own and permanent cookies go.
  bool cookies = true;
  // A JSON file with every jar (docs/sessions-cookies-proxies.md, "Cookies"):
  // read when the Driver is constructed, if it exists; written (replaced as a
  // whole, on the thread pool) when each run ends. Empty: no file.
  std::string cookies_file;
};

}  // namespace uvscrape
