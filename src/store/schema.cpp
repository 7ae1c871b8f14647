// See schema.hpp.
#include "store/schema.hpp"

#include "uvscrape/errors.hpp"

namespace uvscrape::store::schema {
namespace {

// Version 1: the run's metadata, its requests (state 0 pending, 1 in flight,
// 2 done, 3 failed; not_before in ms since the epoch), the seen set as
// 128-bit hashes, results, failures and archived files.
constexpr const char* kVersion1 = R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE requests (
  id INTEGER PRIMARY KEY,
  state INTEGER NOT NULL,
  priority INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  not_before INTEGER,
  parent INTEGER,
  body TEXT NOT NULL
);
CREATE TABLE seen (hi INTEGER NOT NULL, lo INTEGER NOT NULL, PRIMARY KEY (hi, lo)) WITHOUT ROWID;
CREATE TABLE items (
  id INTEGER PRIMARY KEY,
  request INTEGER NOT NULL,
  model TEXT NOT NULL,
  valid INTEGER NOT NULL,
  body TEXT NOT NULL
);
CREATE TABLE failures (
  id INTEGER PRIMARY KEY,
  request INTEGER NOT NULL,
  url TEXT NOT NULL,
  step TEXT NOT NULL,
  page_url TEXT NOT NULL,
  kind TEXT NOT NULL,
  message TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  time INTEGER NOT NULL
);
CREATE TABLE files (
  path TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  size INTEGER NOT NULL,
  request INTEGER NOT NULL
);
PRAGMA user_version = 1;
)sql";

// Version 2: resume reads the pending requests by state; an index makes that
// a range scan instead of a pass over every request of the run.
constexpr const char* kVersion2 = R"sql(
CREATE INDEX requests_by_state ON requests (state, id);
PRAGMA user_version = 2;
)sql";

// Version 3: what replay, inspection and the bounded frontier need.
// * responses: a fetched response (status, headers as JSON, final URL) with
//   its body compressed by zstd, optionally with the dictionary `dictionary`
//   (0: none) trained for its step; one row per request that was answered.
// * dictionaries: the per-step zstd dictionaries (id is the zstd dictionary id).
// * files.sha256: the archived file's hash, hex (NULL for files recorded by
//   version 2), so a file renamed but not recorded before a crash is verified.
// * requests_pending_rank: the frontier window reads the best-ranked pending
//   requests (priority, then id) without sorting the table.
constexpr const char* kVersion3 = R"sql(
CREATE TABLE responses (
  request INTEGER PRIMARY KEY,
  step TEXT NOT NULL,
  status INTEGER NOT NULL,
  url TEXT NOT NULL,
  headers TEXT NOT NULL,
  dictionary INTEGER NOT NULL DEFAULT 0,
  size INTEGER NOT NULL,
  body BLOB NOT NULL
);
CREATE TABLE dictionaries (
  id INTEGER PRIMARY KEY,
  step TEXT NOT NULL,
  body BLOB NOT NULL
);
ALTER TABLE files ADD COLUMN sha256 TEXT;
CREATE INDEX requests_pending_rank ON requests (state, priority, id);
PRAGMA user_version = 3;
)sql";

// Version 4: requests.settled_at, when a request settled done or failed (ms
// since the epoch; NULL while it has not, and for requests settled under an
// older version), so `uvscrape info` and the dashboard can show throughput
// and an ETA. The partial index serves "settled since T" and the per-minute
// histogram without a pass over the unsettled requests.
constexpr const char* kVersion4 = R"sql(
ALTER TABLE requests ADD COLUMN settled_at INTEGER;
CREATE INDEX requests_by_settled_at ON requests (settled_at) WHERE settled_at IS NOT NULL;
PRAGMA user_version = 4;
)sql";

// Version 5: selectors, per step and selector (kind "xpath" or "css"), the
// responses the step evaluated it on and how many of those it matched
// anything on, committed with each request (so counted once across resumes),
// for `uvscrape doctor`'s "selectors that never matched". An older file gets
// an empty table: its earlier requests are not counted.
constexpr const char* kVersion5 = R"sql(
CREATE TABLE selectors (
  step TEXT NOT NULL,
  kind TEXT NOT NULL,
  selector TEXT NOT NULL,
  responses INTEGER NOT NULL,
  matched INTEGER NOT NULL,
  PRIMARY KEY (step, kind, selector)
) WITHOUT ROWID;
PRAGMA user_version = 5;
)sql";

// Version 6: requests.fetch_ms, how long the attempt that settled a request
// (done or failed) took on the network (store::FetchTime), for the
// dashboard's slowest hosts; NULL when no answer came (a connection error)
// and for requests settled under an older version.
constexpr const char* kVersion6 = R"sql(
ALTER TABLE requests ADD COLUMN fetch_ms INTEGER;
PRAGMA user_version = 6;
)sql";

// kMigrations[v - 1] takes a file from version v - 1 to v.
constexpr const char* kMigrations[] = {kVersion1, kVersion2, kVersion3,
                                       kVersion4, kVersion5, kVersion6};
static_assert(sizeof(kMigrations) / sizeof(kMigrations[0]) == kCurrentVersion);

}  // namespace

void exec(sqlite3* db, const std::string& path, const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string reason = message ? message : sqlite3_errmsg(db);
    sqlite3_free(message);
    throw StoreError(path, reason);
  }
}

int user_version(sqlite3* db, const std::string& path) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, nullptr) != SQLITE_OK)
    throw StoreError(path, sqlite3_errmsg(db));
  int version = 0;
  const int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) version = sqlite3_column_int(stmt, 0);
  sqlite3_finalize(stmt);
  if (rc != SQLITE_ROW) throw StoreError(path, sqlite3_errmsg(db));
  return version;
}

void create_version_1(sqlite3* db, const std::string& path) {
  exec(db, path, "BEGIN IMMEDIATE");
  try {
    exec(db, path, kVersion1);
    exec(db, path, "COMMIT");
  } catch (...) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

void migrate(sqlite3* db, const std::string& path) {
  exec(db, path, "BEGIN IMMEDIATE");
  try {
    const int version = user_version(db, path);
    if (version > kCurrentVersion)
      throw StoreError(path, "made by a newer uvscrape (schema version " + std::to_string(version) +
                                 ", this one reads up to " + std::to_string(kCurrentVersion) + ")");
    if (version == 0) {
      // A file of version 0 must be empty: anything else is not a run store.
      sqlite3_stmt* stmt = nullptr;
      if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &stmt, nullptr) !=
          SQLITE_OK)
        throw StoreError(path, sqlite3_errmsg(db));
      const int rc = sqlite3_step(stmt);
      const int objects = rc == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : -1;
      sqlite3_finalize(stmt);
      if (objects != 0) throw StoreError(path, "not a uvscrape run store (unknown tables)");
    }
    for (int v = version; v < kCurrentVersion; ++v) exec(db, path, kMigrations[v]);
    exec(db, path, "COMMIT");
  } catch (...) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

}  // namespace uvscrape::store::schema
