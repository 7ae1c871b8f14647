// See replay_source.hpp.
#include "driver/replay_source.hpp"

#include <sqlite3.h>

#include <functional>
#include <utility>
#include <vector>

#include "uvscrape/errors.hpp"
#include "uvscrape/http_method.hpp"
#include "uvscrape/request_json.hpp"

namespace uvscrape::driver {

std::string replay_identity(const Request& request) {
  std::string identity(to_string(request.method()));
  identity += ' ';
  identity += request.url_with_params();
  const RequestBody& body = request.body();
  if (const auto* form = std::get_if<NameValueList>(&body)) {
    identity += "\nform:";
    for (const auto& [name, value] : *form) identity += name + '=' + value + '&';
  } else if (const auto* bytes = std::get_if<std::string>(&body)) {
    identity += "\nbody:" + *bytes;
  }
  if (const auto& json = request.json()) identity += "\njson:" + json->dump();
  return identity;
}

// The stored run opened read-only: its requests by identity (an index in a
// temporary table, see load()), its responses and its archived files. Used on
// the thread pool only.
struct ReplaySource::Index {
  explicit Index(const std::string& path) : path(path), responses(path) {
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) !=
        SQLITE_OK) {
      std::string reason = db ? sqlite3_errmsg(db) : "cannot open";
      sqlite3_close(db);
      throw StoreError(path, reason);
    }
    sqlite3_busy_timeout(db, 5000);
    try {
      load();
    } catch (...) {
      sqlite3_close(db);
      throw;
    }
  }
  ~Index() { sqlite3_close(db); }
  Index(const Index&) = delete;
  Index& operator=(const Index&) = delete;

  // The stored requests by identity go to a temporary table of this
  // read-only connection (SQLite's temp database, which spills to a temporary
  // file past its cache), keyed by a hash of the identity: the index of a
  // million stored requests is not held in memory. One pass, streamed.
  void load() {
    exec("PRAGMA temp_store = FILE; PRAGMA temp.cache_size = -4096;"
         "CREATE TEMP TABLE replay_index (hash INTEGER NOT NULL, id INTEGER NOT NULL, "
         "taken INTEGER NOT NULL DEFAULT 0);"
         "BEGIN");
    sqlite3_stmt* q = prepare("SELECT id, body FROM main.requests ORDER BY id");
    sqlite3_stmt* insert = prepare("INSERT INTO temp.replay_index (hash, id) VALUES (?1, ?2)");
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
      const auto id = sqlite3_column_int64(q, 0);
      std::string identity;
      try {
        identity = identity_of(q, 1, id);
      } catch (...) {
        sqlite3_finalize(q);
        sqlite3_finalize(insert);
        throw;
      }
      sqlite3_bind_int64(insert, 1, hash_of(identity));
      sqlite3_bind_int64(insert, 2, id);
      const int inserted = sqlite3_step(insert);
      sqlite3_reset(insert);
      if (inserted != SQLITE_DONE) break;
    }
    sqlite3_finalize(q);
    sqlite3_finalize(insert);
    if (rc != SQLITE_DONE) throw StoreError(path, sqlite3_errmsg(db));
    exec("COMMIT; CREATE INDEX temp.replay_by_hash ON replay_index (hash, id)");
  }

  void exec(const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
      std::string reason = message ? message : sqlite3_errmsg(db);
      sqlite3_free(message);
      throw StoreError(path, reason);
    }
  }

  static sqlite3_int64 hash_of(const std::string& identity) {
    return static_cast<sqlite3_int64>(std::hash<std::string>{}(identity));
  }

  // The replay identity of the stored request in column `c` of `q`.
  std::string identity_of(sqlite3_stmt* q, int c, sqlite3_int64 id) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(q, c));
    try {
      return replay_identity(request_from_json(Json::parse(text ? text : "")));
    } catch (const std::exception& e) {
      throw StoreError(path, "stored request " + std::to_string(id) + " cannot be read: " + e.what());
    }
  }

  // The ids of the stored requests with `identity`, in the stored run's
  // order (those whose identity only hashes alike are left out), and how
  // many lookups took one before.
  std::pair<std::vector<store::RequestId>, std::size_t> requests_of(const std::string& identity) {
    sqlite3_stmt* q = prepare(
        "SELECT x.id, x.taken, r.body FROM temp.replay_index x JOIN main.requests r ON r.id = "
        "x.id WHERE x.hash = ?1 ORDER BY x.id");
    sqlite3_bind_int64(q, 1, hash_of(identity));
    std::vector<store::RequestId> ids;
    std::size_t taken = 0;
    int rc;
    try {
      while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const auto id = sqlite3_column_int64(q, 0);
        if (identity_of(q, 2, id) != identity) continue;
        if (ids.empty()) taken = static_cast<std::size_t>(sqlite3_column_int64(q, 1));
        ids.push_back(static_cast<store::RequestId>(id));
      }
    } catch (...) {
      sqlite3_finalize(q);
      throw;
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) throw StoreError(path, sqlite3_errmsg(db));
    if (!ids.empty()) {  // the count is kept on the identity's first row
      sqlite3_stmt* u = prepare("UPDATE temp.replay_index SET taken = taken + 1 WHERE id = ?1");
      sqlite3_bind_int64(u, 1, static_cast<sqlite3_int64>(ids.front()));
      rc = sqlite3_step(u);
      sqlite3_finalize(u);
      if (rc != SQLITE_DONE) throw StoreError(path, sqlite3_errmsg(db));
    }
    return {std::move(ids), taken};
  }

  sqlite3_stmt* prepare(const char* sql) {
    sqlite3_stmt* q = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &q, nullptr) != SQLITE_OK)
      throw StoreError(path, sqlite3_errmsg(db));
    return q;
  }

  std::optional<store::ArchivedFile> file_of(store::RequestId id) {
    sqlite3_stmt* q = prepare("SELECT path, url, size, sha256 FROM files WHERE request = ?1");
    sqlite3_bind_int64(q, 1, static_cast<sqlite3_int64>(id));
    std::optional<store::ArchivedFile> file;
    const int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
      auto column = [q](int c) {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(q, c));
        return p ? std::string(p) : std::string();
      };
      file = store::ArchivedFile{column(0), column(1),
                                 static_cast<std::uint64_t>(sqlite3_column_int64(q, 2)), column(3)};
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) throw StoreError(path, sqlite3_errmsg(db));
    return file;
  }

  // The last failure of stored request `id`, if it failed for good.
  std::optional<std::pair<std::string, std::string>> failure_of(store::RequestId id) {
    sqlite3_stmt* q = prepare(
        "SELECT f.kind, f.message FROM main.failures f JOIN main.requests r ON r.id = f.request "
        "WHERE f.request = ?1 AND r.state = 3 ORDER BY f.id DESC LIMIT 1");
    sqlite3_bind_int64(q, 1, static_cast<sqlite3_int64>(id));
    std::optional<std::pair<std::string, std::string>> failure;
    const int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
      auto column = [q](int c) {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(q, c));
        return p ? std::string(p) : std::string();
      };
      failure.emplace(column(0), column(1));
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) throw StoreError(path, sqlite3_errmsg(db));
    return failure;
  }

  // The stored answer of the next request with `identity`.
  ReplayAnswer answer(const std::string& identity, bool archive) {
    ReplayAnswer answer;
    const auto [ids, taken] = requests_of(identity);
    if (ids.empty()) {
      answer.miss = true;
      return answer;
    }
    const store::RequestId id = ids[std::min(taken, ids.size() - 1)];
    answer.response = responses.get(id);
    if (archive) answer.file = file_of(id);
    answer.miss = archive ? !answer.file : !answer.response;
    if (answer.miss) {
      answer.stored_failure = failure_of(id);
      answer.miss = !answer.stored_failure;
    }
    return answer;
  }

  const std::string path;
  sqlite3* db = nullptr;
  store::StoredResponses responses;
};

namespace {

struct Lookup {
  uv_work_t work{};
  std::string identity;
  bool archive = false;
  std::mutex* mutex = nullptr;
  std::unique_ptr<ReplaySource::Index>* index = nullptr;
  std::string path;
  std::function<void(ReplayAnswer)> done;
  ReplayAnswer answer;
};

struct Closing {
  uv_work_t work{};
  std::unique_ptr<ReplaySource::Index> index;
  std::function<void()> done;
};

}  // namespace

ReplaySource::ReplaySource(uv_loop_t* loop, std::string path)
    : loop_(loop), path_(std::move(path)) {}

ReplaySource::~ReplaySource() = default;

void ReplaySource::fetch(const Request& request, std::function<void(ReplayAnswer)> done) {
  auto lookup = std::make_unique<Lookup>();
  lookup->identity = replay_identity(request);
  lookup->archive = request.is_archive();
  lookup->mutex = &mutex_;
  lookup->index = &index_;
  lookup->path = path_;
  lookup->done = std::move(done);
  lookup->work.data = lookup.get();
  const int rc = uv_queue_work(
      loop_, &lookup->work,
      [](uv_work_t* work) {  // on the thread pool: SQLite reads and zstd
        auto* l = static_cast<Lookup*>(work->data);
        std::lock_guard lock(*l->mutex);
        try {
          if (!*l->index) *l->index = std::make_unique<Index>(l->path);
          l->answer = (*l->index)->answer(l->identity, l->archive);
        } catch (...) {
          l->answer = ReplayAnswer{};
          l->answer.error = std::current_exception();
        }
      },
      [](uv_work_t* work, int) {
        std::unique_ptr<Lookup> l(static_cast<Lookup*>(work->data));
        try {
          l->done(std::move(l->answer));
        } catch (...) {
          // The worker's callback catches its own errors; nothing may cross libuv.
        }
      });
  if (rc != 0) throw StoreError(path_, std::string("cannot queue a lookup: ") + uv_strerror(rc));
  static_cast<void>(lookup.release());  // after_work frees it
}

void ReplaySource::close(std::function<void()> done) {
  auto closing = std::make_unique<Closing>();
  closing->index = std::move(index_);
  closing->done = std::move(done);
  closing->work.data = closing.get();
  if (!closing->index) return closing->done();
  const int rc = uv_queue_work(
      loop_, &closing->work,
      [](uv_work_t* work) { static_cast<Closing*>(work->data)->index.reset(); },  // sqlite3_close
      [](uv_work_t* work, int) {
        std::unique_ptr<Closing> c(static_cast<Closing*>(work->data));
        try {
          c->done();
        } catch (...) {
          // The run's close continuation catches its own errors.
        }
      });
  if (rc != 0) {
    closing->index.reset();  // cannot happen for a live loop; closing here then
    return closing->done();
  }
  static_cast<void>(closing.release());
}

}  // namespace uvscrape::driver
