// The run store (docs/design.md §20): the record of everything a run knows --
// its requests (pending, in flight, done, failed; priority, attempts, a
// retry's not-before time), the seen set, results, failures, archived files,
// speculation state and run metadata (the cookie jar will join them).
//
// The driver talks to a store only through this interface, and only from the
// loop thread. Every operation is a submission; its effect is reported to the
// Listener on the loop thread, possibly from inside the call (the in-memory
// store) or on a later loop turn (the SQLite store). A driver must work with
// either, so it never assumes a completion has or has not arrived yet.
//
// The atomic unit is a request's Completion: how the request settled, the
// children it yielded (deduplicated by the store), its items, its failures,
// its archived file and the new speculation state commit together or not at
// all. Items are shown to the user (on_data) only once committed().
//
// The frontier that schedules requests (per-host queues, token buckets, retry
// waits) stays in the driver: it is the in-memory window of the store's
// pending requests. On open, a store that holds a run hands its pending
// requests back (Opened::pending), and the driver puts them in that window.
// A store with a bounded window (window() > 0, the SQLite store) hands back
// only the window()'s best-ranked ones; the driver keeps at most window()
// requests in memory, leaves further admitted children pending in the store,
// and asks for the next best-ranked ones with refill() when it runs low.
//
// Implementations: MemoryStore (the default, store/memory_store.hpp) and
// SqliteStore (DriverOptions::store_path, store/sqlite_store.hpp) and
// RedisStore (a redis:// store_path, store/redis_store.hpp), shared by many
// processes: it hands out leases with refill() and checks them in commit().
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/seen_set.hpp"
#include "uvscrape/failure.hpp"
#include "uvscrape/headers.hpp"
#include "uvscrape/json.hpp"
#include "uvscrape/request.hpp"

namespace uvscrape::store {

// A request's number in its run: unique, never reused. 0 means "no request"
// (the seeding of a run).
using RequestId = std::uint64_t;

using WallClock = std::chrono::system_clock;

// Who is running, as stored with the run and checked on resume.
struct RunIdentity {
  std::string scraper;        // the scraper's name
  Json seed_params;           // DriverOptions::seed_params, or null
  std::string storage_dir;    // where archived files (and partial .tmp files) live
  bool force = false;         // resume even when scraper or seed params differ
  bool adding_seeds = false;  // entries are added: a completed run continues
};

// A pending request of a stored run, for the driver's frontier.
struct PendingRequest {
  RequestId id = 0;
  Request request;  // attempts() as stored
  // A retry's not-before time (wall clock, so that it survives a restart).
  std::optional<WallClock::time_point> not_before;
};

struct ArchivedFile {
  std::string path;  // as the step saw it
  std::string url;
  std::uint64_t size = 0;
  std::string sha256;  // hex; "" when unknown (an on_archive writer's file)
};

// What open() found.
struct Opened {
  bool resumed = false;                 // the store held a run: this continues it
  bool finished = false;                // ... and that run had completed: nothing is to be done
  std::string previous_status;          // the stored run's last status ("" for a new run)
  std::vector<PendingRequest> pending;  // in-flight ones already returned to pending
  bool more_pending = false;            // the store holds pending requests beyond `pending`
  std::optional<Json> speculation;      // the speculation tracker's state, if stored
  std::optional<Json> cookies;          // the cookie jar's state, if stored
  std::vector<ArchivedFile> files;      // archived files already recorded
  RequestId next_id = 1;
  std::uint64_t items = 0;             // stored results
  std::uint64_t failures = 0;          // stored failures
  std::uint64_t partials_removed = 0;  // partial archive files (.uvscrape-*) deleted
};

// A request yielded by a step (or an entry, or a probe), before dedup.
struct Child {
  Request request;
  // The dedup key's hash: a child whose key the run has seen is dropped.
  // None: not deduplicated (probes, skip keys, a user's duplicate_check).
  std::optional<KeyHash> key;
  bool record_only = false;  // entries: the key is recorded, the request never dropped
  // Set by the store: id when admitted, 0 when dropped as a duplicate.
  RequestId id = 0;
};

// An answered request's response as DriverOptions::store_responses keeps it
// (the store compresses the body on its own thread).
struct ResponseRecord {
  std::string step;  // the step the response went to
  int status = 0;
  std::string url;  // the final URL, after redirects
  Headers headers;
  std::string body;  // as the step saw it (Content-Encoding removed)
};

// A selector the step evaluated on the request's response; the store adds
// them up per step, for `uvscrape doctor`'s selectors that never matched.
struct SelectorUse {
  std::string step;
  std::string kind;  // "xpath" or "css"
  std::string selector;
  bool matched = false;  // matched something on this response
};

struct Item {
  Json value;
  std::string model;  // the model's name, "" for plain JSON
  bool valid = true;
};

// How the request of a Completion settled.
enum class Settle {
  seed,       // no request: the run's entries and first probes
  done,       // answered; its step ran (or was not run: a failed probe)
  failed,     // failed for good: its Failure is in `failures`
  wait,       // a transient failure: pending again after `not_before`
  unstarted,  // cancelled before it finished (a stop): pending again
};

// How long a request's answered attempt took on the network: from handing it
// to the HTTP client (connecting included) to the whole response received,
// redirects followed; storing an archive is not counted. The host is named
// as store::host_of names it (store/stored_names.hpp), so that per-host
// figures a store adds up match the ones a reader groups from the URLs.
struct FetchTime {
  std::string host;
  std::chrono::milliseconds took{0};
};

struct Completion {
  RequestId request = 0;
  Settle settle = Settle::done;
  int attempts = 0;
  WallClock::time_point not_before{};  // Settle::wait
  std::vector<Child> children;         // in yield order
  std::vector<Item> items;             // in yield order
  std::vector<Failure> failures;       // the request's own, and its bad links
  std::optional<ArchivedFile> file;
  std::optional<Json> speculation;         // the tracker's state after this completion
  std::optional<ResponseRecord> response;  // with DriverOptions::store_responses
  std::vector<SelectorUse> selectors;      // the step's, each once
  // Settle::seed of DriverOptions::add_seed_params: the parameters, which the
  // store appends to the run's record of additions (so a replay seeds them too).
  std::optional<Json> added_seed_params;
  // The cookie jar's state after this completion. A slot for the jar (docs/
  // design.md §21), which is built elsewhere; the stores keep it, nothing
  // fills it yet.
  std::optional<Json> cookies;
  // The fetch time of this attempt, when an answer (of any status) came.
  // A store keeps it only for a request that settles done or failed (the
  // attempt that settled it), for the dashboard's slowest hosts.
  std::optional<FetchTime> fetch;
};

// What a store reports; every call is on the loop thread.
class Listener {
 public:
  virtual ~Listener() = default;
  virtual void store_opened(Opened opened) = 0;
  // `completion` as submitted, each child's id set (0: a duplicate, dropped).
  virtual void store_committed(Completion completion) = 0;
  // The store cannot go on (a StoreError naming the file). Nothing submitted
  // after the last committed() is committed; what was committed stays.
  // No other report follows but store_closed().
  virtual void store_failed(std::exception_ptr error) = 0;
  // close() is done: the store holds nothing on the loop any more.
  virtual void store_closed() = 0;
  // refill()'s answer: the best-ranked pending requests it was not told to
  // exclude (at most `max`), and whether the store holds more pending ones.
  virtual void store_refilled(std::vector<PendingRequest> pending, bool more) {
    static_cast<void>(pending);
    static_cast<void>(more);
  }
};

class RunStore {
 public:
  virtual ~RunStore() = default;

  // Opens (or creates) the run; reports store_opened or store_failed.
  virtual void open(const RunIdentity& identity, Listener& listener) = 0;
  // A request went on the wire with `attempts` sends so far. Ordered before
  // every later submission; no report of its own.
  virtual void started(RequestId id, int attempts) = 0;
  // Submits a completion; reports store_committed (or store_failed).
  virtual void commit(Completion completion) = 0;
  // Records the run's status ("completed", "stopped", "error"), makes
  // everything durable and releases the store; reports store_closed. Nothing
  // may be submitted afterwards.
  virtual void close(const std::string& status) = 0;
  // After store_closed: why close() could not make everything durable (a
  // lost connection that did not come back), or nullptr. The driver fails a
  // run that had not failed with it.
  virtual std::exception_ptr close_error() const { return nullptr; }
  // Whether the run survives the process (a stop leaves pending requests).
  virtual bool durable() const noexcept = 0;
  // How many pending requests the driver keeps in memory; 0: all of them
  // (the store never holds a pending request the driver does not).
  virtual std::size_t window() const noexcept { return 0; }
  // A store shared with other processes (Redis): a committed child goes to
  // the shared pending requests, never straight into this driver's window;
  // it comes back by refill() (to this process or another).
  virtual bool shared() const noexcept { return false; }
  // Asks for up to `max` of the best-ranked (priority, then id) pending
  // requests whose ids are not in `exclude` (those the driver holds);
  // ordered after every earlier submission; reports store_refilled. Only for
  // a store with a window().
  virtual void refill(std::size_t max, std::vector<RequestId> exclude) {
    static_cast<void>(max);
    static_cast<void>(exclude);
  }

  // A shared() store keeps the per-host rate limits of every process sharing
  // it: before a request to a rate-limited host goes out, the driver takes
  // one token of `host` (at `rate` per second, at most `burst` at once) with
  // this call, and `done(wait)` answers on the loop thread (a shared store
  // never answers from inside the call): wait 0 means granted, the request may go; otherwise no
  // token was taken and the host waits `wait` before asking again. The clock
  // is the store's own (Redis's TIME), never a process's. No answer comes
  // after store_failed. An unshared store's limits hold in its one process,
  // in the driver's own token buckets: the driver never calls this then, and
  // the default grants at once, from inside the call.
  using RateTokenDone = std::function<void(std::chrono::milliseconds wait)>;
  virtual void acquire_rate_token(const std::string& host, double rate, double burst,
                                  RateTokenDone done) {
    static_cast<void>(host);
    static_cast<void>(rate);
    static_cast<void>(burst);
    done(std::chrono::milliseconds(0));
  }
};

}  // namespace uvscrape::store
