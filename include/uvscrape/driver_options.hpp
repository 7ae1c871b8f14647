// Options of the driver (the crawl engine): concurrency, storage, network limits.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "uvscrape/errors.hpp"
#include "uvscrape/stop_signal.hpp"

namespace uvscrape {

struct DriverOptions {
  // How many requests are in flight at once (workers). With 1, everything the
  // callbacks observe happens in the order of a strictly sequential run.
  std::size_t num_workers = 1;

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

  // --- HTTP ------------------------------------------------------------------------
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds tls_timeout{10'000};
  std::chrono::milliseconds first_byte_timeout{30'000};
  std::chrono::milliseconds idle_timeout{30'000};
  std::chrono::milliseconds total_timeout{0};  // 0: none (per-request timeout() still applies)
  bool verify_tls = true;                      // certificate and host name verification
  std::string ca_file;                         // empty: the system bundle
  std::string user_agent;                      // empty: "uvscrape/<version>"
  int max_redirects = 10;  // redirects are followed when the scraper asks for it
  // 0: as many as num_workers, so every worker can have a request on the wire.
  std::size_t max_connections_per_origin = 0;
  std::size_t max_connections_total = 256;
  std::size_t max_header_bytes = 64 * 1024;
  std::size_t max_body_bytes = 256ull * 1024 * 1024;     // archive downloads included
  std::size_t max_decoded_bytes = 256ull * 1024 * 1024;  // decompression-bomb guard
};

}  // namespace uvscrape
