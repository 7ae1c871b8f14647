// See sqlite_store.hpp. Everything in Database runs on the writer thread and
// may block on the disk; everything else runs on the loop thread and only
// takes the queue's mutex.
#include "store/sqlite_store.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <unordered_map>
#include <unordered_set>

#include "scraper/request_internals.hpp"
#include "store/recent_keys.hpp"
#include "store/response_writer.hpp"
#include "store/schema.hpp"
#include "uvscrape/errors.hpp"
#include "uvscrape/request_json.hpp"

namespace uvscrape::store {
namespace {

enum RequestState : int { kPending = 0, kInFlight = 1, kDone = 2, kFailed = 3 };

std::int64_t epoch_ms(WallClock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// One prepared statement, reset after every use.
class Statement {
 public:
  Statement(sqlite3* db, const std::string& path, const char* sql) : db_(db), path_(path) {
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) != SQLITE_OK)
      throw StoreError(path, sqlite3_errmsg(db));
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int i, std::int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Statement& bind(int i, const std::string& v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind_text_or_null(int i, const std::string& v) {
    return v.empty() ? bind_null(i) : bind(i, v);
  }
  Statement& bind_null(int i) {
    sqlite3_bind_null(stmt_, i);
    return *this;
  }
  // Runs a statement that returns no rows.
  void run() {
    const int rc = sqlite3_step(stmt_);
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) throw StoreError(path_, sqlite3_errmsg(db_));
  }
  // Steps a query: true while there is a row.
  bool next() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    sqlite3_reset(stmt_);
    if (rc != SQLITE_DONE) throw StoreError(path_, sqlite3_errmsg(db_));
    return false;
  }
  std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }

 private:
  sqlite3* db_;
  const std::string& path_;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace

// The writer thread's connection: the lock, the file, the prepared statements.
class SqliteStore::Database {
 public:
  Database(const std::string& path, std::size_t window, const RunIdentity& identity, Opened& opened)
      : path_(path), window_(window) {
    lock();
    if (sqlite3_open_v2(path.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK) {
      std::string reason = db_ ? sqlite3_errmsg(db_) : "cannot open";
      throw StoreError(path, reason);
    }
    sqlite3_busy_timeout(db_, 5000);
    schema::exec(db_, path, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
    schema::migrate(db_, path);
    prepare();
    load(identity, opened);
    next_id_ = opened.next_id;
  }

  void begin() { schema::exec(db_, path_, "BEGIN IMMEDIATE"); }
  void commit() { schema::exec(db_, path_, "COMMIT"); }
  void rollback() { sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr); }

  void started(RequestId id, int attempts) {
    set_state_->bind(1, kInFlight)
        .bind(2, attempts)
        .bind_null(3)
        .bind(4, static_cast<std::int64_t>(id))
        .run();
  }

  // A request settled for good: when, and its fetch time if an answer came.
  void settle(int state, const Completion& c) {
    settle_->bind(1, state).bind(2, c.attempts).bind(3, epoch_ms(WallClock::now()));
    if (c.fetch)
      settle_->bind(5, static_cast<std::int64_t>(c.fetch->took.count()));
    else
      settle_->bind_null(5);
    settle_->bind(4, static_cast<std::int64_t>(c.request)).run();
  }

  // Sets each child's id: a fresh one, or 0 for a duplicate (docs/design.md
  // §3); see admit().
  void apply(Completion& c) {
    const auto id = static_cast<std::int64_t>(c.request);
    switch (c.settle) {
      case Settle::seed: set_meta("seeded", "1"); break;
      case Settle::done: settle(kDone, c); break;
      case Settle::failed: settle(kFailed, c); break;
      case Settle::wait:
        set_state_->bind(1, kPending)
            .bind(2, c.attempts)
            .bind(3, epoch_ms(c.not_before))
            .bind(4, id)
            .run();
        break;
      case Settle::unstarted:
        set_state_->bind(1, kPending).bind(2, c.attempts).bind_null(3).bind(4, id).run();
        break;
    }
    for (Child& child : c.children) {
      admit(child);
      if (child.id == 0) continue;
      Json body = child.request;
      insert_request_->bind(1, static_cast<std::int64_t>(child.id))
          .bind(2, child.request.priority())
          .bind(3, id)
          .bind(4, body.dump())
          .run();
    }
    for (const Item& item : c.items)
      insert_item_->bind(1, id)
          .bind(2, item.model)
          .bind(3, item.valid ? 1 : 0)
          .bind(4, item.value.dump())
          .run();
    for (const Failure& f : c.failures) {
      insert_failure_->bind(1, id)
          .bind(2, f.url)
          .bind(3, f.step)
          .bind(4, f.page_url)
          .bind(5, std::string(to_string(f.kind)))
          .bind(6, f.message)
          .bind(7, static_cast<std::int64_t>(f.attempts))
          .bind(8, epoch_ms(f.time))
          .run();
    }
    if (c.file)
      insert_file_->bind(1, c.file->path)
          .bind(2, c.file->url)
          .bind(3, static_cast<std::int64_t>(c.file->size))
          .bind(4, id)
          .bind_text_or_null(5, c.file->sha256)
          .run();
    for (const SelectorUse& s : c.selectors)
      count_selector_->bind(1, s.step)
          .bind(2, s.kind)
          .bind(3, s.selector)
          .bind(4, s.matched ? 1 : 0)
          .run();
    if (c.speculation) set_meta("speculation", c.speculation->dump());
    if (c.added_seed_params) record_added_seeds(*c.added_seed_params);
    if (c.response) {  // compressed here, on the writer thread (store/response_writer.hpp)
      if (!handles_.responses) handles_.responses = std::make_unique<ResponseWriter>(db_, path_);
      handles_.responses->write(c.request, *c.response);
    }
    if (c.cookies) set_meta("cookies", c.cookies->dump());
  }

  // meta.added_seed_params: every addition's parameters, in one JSON array
  // (the additions' arrays joined; an addition of one object is one element).
  void record_added_seeds(const Json& params) {
    Json all = Json::array();
    if (auto s = meta("added_seed_params")) all = Json::parse(*s);
    if (params.is_array())
      for (const auto& p : params) all.push_back(p);
    else
      all.push_back(params);
    set_meta("added_seed_params", all.dump());
  }

  // Dedup against the seen table, inside the transaction that commits the
  // child: a key is fresh if inserting it adds a row. The seen set is never
  // in memory (at 10,000,000 keys it would take 256 MiB); RecentKeys spares
  // the lookup for a key recorded lately. An entry (record_only) has its key
  // recorded but is never dropped; a child without a key is never dropped.
  void admit(Child& child) {
    bool fresh = true;
    if (child.key) {
      if (recent_.contains(*child.key)) {
        fresh = false;
      } else {
        insert_seen_->bind(1, static_cast<std::int64_t>(child.key->high))
            .bind(2, static_cast<std::int64_t>(child.key->low))
            .run();
        fresh = sqlite3_changes(db_) > 0;
        recent_.insert(*child.key);
      }
    }
    child.id = fresh || child.record_only ? next_id_++ : 0;
  }

  void set_meta(const std::string& key, const std::string& value) {
    set_meta_->bind(1, key).bind(2, value).run();
  }

  // Appends to `out` up to `max` of the best-ranked pending requests (the
  // frontier's order: priority, then id) not in `exclude`; true if more
  // pending ones remain. Reads the rank index: at most max + |exclude| + 1
  // rows, bodies parsed only for those taken.
  bool read_pending(std::size_t max, const std::vector<RequestId>& exclude,
                    std::vector<PendingRequest>& out) {
    const std::unordered_set<RequestId> skip(exclude.begin(), exclude.end());
    Ancestors ancestors;  // shared by the siblings read together
    Statement pending(db_, path_,
                      "SELECT id, attempts, not_before, body, parent FROM requests WHERE state = 0 "
                      "ORDER BY priority, id LIMIT ?1");
    pending.bind(1, static_cast<std::int64_t>(max + exclude.size() + 1));
    std::size_t taken = 0;
    bool more = false;
    while (pending.next()) {
      const auto id = static_cast<RequestId>(pending.integer(0));
      if (skip.count(id)) continue;
      if (taken == max) {
        more = true;
        continue;  // drain the statement (next() resets it at the end)
      }
      ++taken;
      PendingRequest p{id, request_from_json(Json::parse(pending.text(3))), std::nullopt};
      for (std::int64_t a = pending.integer(1); a > 0; --a)
        detail::RequestAccess::count_attempt(p.request);
      if (!pending.is_null(2))
        p.not_before = WallClock::time_point(std::chrono::milliseconds(pending.integer(2)));
      if (const auto parent = static_cast<RequestId>(pending.integer(4)); parent != 0)
        detail::RequestAccess::set_parent(p.request, stored_request(parent, ancestors));
      out.push_back(std::move(p));
    }
    return more;
  }

 private:
  using Ancestors = std::unordered_map<RequestId, std::shared_ptr<const Request>>;

  // Request `id` as stored, linked to its stored parent, and so on up to the
  // entry (previous_request() as the run that yielded it had it), each read
  // once per `known`. The parent column is the request whose completion
  // yielded the row (0 for entries), always an older row.
  std::shared_ptr<const Request> stored_request(RequestId id, Ancestors& known) {
    std::vector<std::pair<RequestId, Request>> chain;  // id, its parent, ... not yet known
    std::shared_ptr<const Request> top;
    for (RequestId at = id; at != 0;) {
      if (auto it = known.find(at); it != known.end()) {
        top = it->second;
        break;
      }
      select_request_->bind(1, static_cast<std::int64_t>(at));
      if (!select_request_->next()) break;  // not stored: the chain ends here
      const auto parent = static_cast<RequestId>(select_request_->integer(0));
      chain.emplace_back(at, request_from_json(Json::parse(select_request_->text(1))));
      while (select_request_->next()) {
      }  // one row (a primary key); this resets the statement
      at = parent;
    }
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      detail::RequestAccess::set_parent(it->second, std::move(top));
      top = std::make_shared<const Request>(std::move(it->second));
      known.emplace(it->first, top);
    }
    return top;
  }

  // An exclusive lock on "<file>.lock", held while the store is open: a
  // second opener fails at once instead of sharing (and corrupting) the run.
  void lock() {
    const std::string lock_path = path_ + ".lock";
    lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock_fd_ < 0)
      throw StoreError(path_,
                       "cannot create the lock file " + lock_path + ": " + std::strerror(errno));
    if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      throw StoreError(path_, err == EWOULDBLOCK
                                  ? "in use by another run (" + lock_path + " is locked)"
                                  : "cannot lock " + lock_path + ": " + std::strerror(err));
    }
  }

  void prepare() {
    auto make = [this](const char* sql) {
      statements_.push_back(std::make_unique<Statement>(db_, path_, sql));
      return statements_.back().get();
    };
    set_state_ =
        make("UPDATE requests SET state = ?1, attempts = ?2, not_before = ?3 WHERE id = ?4");
    // A request that settles for good (done, failed) records when (schema v4)
    // and how long its fetch took (v6).
    settle_ = make(
        "UPDATE requests SET state = ?1, attempts = ?2, not_before = NULL, settled_at = ?3, "
        "fetch_ms = ?5 WHERE id = ?4");
    insert_request_ = make(
        "INSERT INTO requests (id, state, priority, attempts, parent, body) VALUES (?1, 0, ?2, 0, "
        "?3, ?4)");
    insert_seen_ = make("INSERT OR IGNORE INTO seen (hi, lo) VALUES (?1, ?2)");
    insert_item_ = make("INSERT INTO items (request, model, valid, body) VALUES (?1, ?2, ?3, ?4)");
    insert_failure_ = make(
        "INSERT INTO failures (request, url, step, page_url, kind, message, attempts, time) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    insert_file_ = make(
        "INSERT OR REPLACE INTO files (path, url, size, request, sha256) VALUES (?1, ?2, ?3, ?4, "
        "?5)");
    set_meta_ = make("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)");
    // Per step and selector: the responses it was evaluated on, and matched (schema v5).
    count_selector_ = make(
        "INSERT INTO selectors (step, kind, selector, responses, matched) VALUES (?1, ?2, ?3, 1, "
        "?4) ON CONFLICT (step, kind, selector) DO UPDATE SET responses = responses + 1, matched "
        "= matched + excluded.matched");
    select_request_ = make("SELECT coalesce(parent, 0), body FROM requests WHERE id = ?1");
  }

  std::optional<std::string> meta(const char* key) {
    Statement q(db_, path_, "SELECT value FROM meta WHERE key = ?1");
    q.bind(1, std::string(key));
    std::optional<std::string> out;
    while (q.next()) out = q.text(0);
    return out;
  }

  std::int64_t count(const char* sql) {
    Statement q(db_, path_, sql);
    std::int64_t n = 0;
    while (q.next()) n = q.integer(0);
    return n;
  }

  void load(const RunIdentity& identity, Opened& opened) {
    const std::string seed = identity.seed_params.dump();
    begin();
    try {
      const auto scraper = meta("scraper");
      if (!scraper) {  // a new run
        set_meta("scraper", identity.scraper);
        set_meta("seed_params", seed);
        set_meta("status", "running");
        set_meta("started", std::to_string(epoch_ms(WallClock::now())));
        commit();
        return;
      }
      if (!meta("seeded")) {  // created, but killed before its entries were committed
        commit();
        return;
      }
      opened.resumed = true;
      opened.previous_status = meta("status").value_or("");
      if (!identity.force && *scraper != identity.scraper)
        throw StoreError(path_, "holds a run of scraper '" + *scraper + "', not '" +
                                    identity.scraper + "' (store_force resumes it anyway)");
      if (!identity.force && meta("seed_params").value_or("null") != seed)
        throw StoreError(path_, "holds a run with other seed_params (" +
                                    meta("seed_params").value_or("null") +
                                    "; store_force resumes it anyway)");
      opened.items = static_cast<std::uint64_t>(count("SELECT count(*) FROM items"));
      opened.failures = static_cast<std::uint64_t>(count("SELECT count(*) FROM failures"));
      if (opened.previous_status == "completed" && !identity.adding_seeds) {
        opened.finished = true;
        commit();
        return;
      }
      // Interrupted requests go back to pending; their attempts were counted
      // when they were sent.
      schema::exec(db_, path_, "UPDATE requests SET state = 0 WHERE state = 1");
      // The window's worth of the best-ranked pending requests; the rest
      // are read by refill() as the driver needs them.
      opened.more_pending = read_pending(window_, {}, opened.pending);
      Statement files(db_, path_, "SELECT path, url, size, coalesce(sha256, '') FROM files");
      while (files.next())
        opened.files.push_back(ArchivedFile{files.text(0), files.text(1),
                                            static_cast<std::uint64_t>(files.integer(2)),
                                            files.text(3)});
      if (auto s = meta("speculation")) opened.speculation = Json::parse(*s);
      if (auto s = meta("cookies")) opened.cookies = Json::parse(*s);
      opened.next_id =
          static_cast<RequestId>(count("SELECT coalesce(max(id), 0) FROM requests")) + 1;
      set_meta("status", "running");
      commit();
    } catch (...) {
      rollback();
      throw;
    }
    opened.partials_removed = remove_partials(identity.storage_dir);
  }

  // Partial archive files (the writer's ".uvscrape-XXXXXX" temporaries) left
  // by an interrupted run: their requests are pending again and refetched.
  static std::uint64_t remove_partials(const std::string& dir) {
    if (dir.empty()) return 0;
    std::uint64_t removed = 0;
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (name.rfind(".uvscrape-", 0) == 0 && it->is_regular_file(ec)) {
        std::error_code rm;
        if (std::filesystem::remove(it->path(), rm)) ++removed;
      }
    }
    return removed;
  }

  // Released in this order also when the constructor throws (a member's
  // destructor runs then; the Database's would not).
  struct Handles {
    int lock_fd = -1;
    sqlite3* db = nullptr;
    std::vector<std::unique_ptr<Statement>> statements;
    std::unique_ptr<ResponseWriter> responses;  // on the first stored response
    Handles() = default;
    Handles(const Handles&) = delete;
    Handles& operator=(const Handles&) = delete;
    ~Handles() {
      responses.reset();
      statements.clear();
      if (db) sqlite3_close_v2(db);
      if (lock_fd >= 0) ::close(lock_fd);  // releases the flock
    }
  };

  const std::string& path_;
  const std::size_t window_;  // pending requests handed over on open
  Handles handles_;
  sqlite3*& db_ = handles_.db;
  int& lock_fd_ = handles_.lock_fd;
  std::vector<std::unique_ptr<Statement>>& statements_ = handles_.statements;
  Statement* set_state_ = nullptr;
  Statement* settle_ = nullptr;
  Statement* insert_request_ = nullptr;
  Statement* insert_seen_ = nullptr;
  Statement* insert_item_ = nullptr;
  Statement* insert_failure_ = nullptr;
  Statement* insert_file_ = nullptr;
  Statement* set_meta_ = nullptr;
  Statement* count_selector_ = nullptr;
  Statement* select_request_ = nullptr;
  RequestId next_id_ = 1;  // the next admitted child's id
  RecentKeys recent_;
};

SqliteStore::SqliteStore(uv_loop_t* loop, std::string path, std::size_t window)
    : loop_(loop), path_(std::move(path)), window_(window > 0 ? window : kWindow) {}

SqliteStore::~SqliteStore() {
  if (writer_.joinable()) {
    enqueue(Op{Op::Kind::close, 0, 0, {}, {}, 0, {}});
    writer_.join();  // blocks until the writer's last transaction ends
  }
}

void SqliteStore::open(const RunIdentity& identity, Listener& listener) {
  identity_ = identity;
  listener_ = &listener;
  async_ = new uv_async_t;
  uv_async_init(loop_, async_, on_async);
  async_->data = this;
  writer_ = std::thread([this] { writer_main(); });
  enqueue(Op{Op::Kind::open, 0, 0, {}, {}, 0, {}});
}

void SqliteStore::started(RequestId id, int attempts) {
  if (!failed_) enqueue(Op{Op::Kind::started, id, attempts, {}, {}, 0, {}});
}

void SqliteStore::commit(Completion completion) {
  if (failed_) return;
  enqueue(Op{Op::Kind::commit, 0, 0, std::move(completion), {}, 0, {}});
}

void SqliteStore::refill(std::size_t max, std::vector<RequestId> exclude) {
  if (failed_) return;
  Op op{Op::Kind::refill, 0, 0, {}, {}, 0, {}};
  op.max = max;
  op.exclude = std::move(exclude);
  enqueue(std::move(op));
}

void SqliteStore::close(const std::string& status) {
  enqueue(Op{Op::Kind::close, 0, 0, {}, status, 0, {}});
}

// Takes the mutex only to push; wakes the writer when it was idle, when a
// group is full, and for open and close (which do not wait for a group).
void SqliteStore::enqueue(Op op) {
  const bool urgent = op.kind == Op::Kind::open || op.kind == Op::Kind::close;
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    wake = urgent || inbox_.empty() || inbox_.size() + 1 >= kGroupOps;
    inbox_.push_back(std::move(op));
  }
  if (wake) wake_.notify_one();
}

void SqliteStore::writer_main() {
  std::unique_ptr<Database> db;
  bool failed = false;
  std::vector<Op> batch;
  std::vector<Report> reports;
  for (bool closing = false; !closing;) {
    batch.clear();
    reports.clear();
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return !inbox_.empty(); });
      // Group commit: wait a little for more, unless open/close is queued.
      const auto until = std::chrono::steady_clock::now() + kGroupWindow;
      auto urgent = [this] {
        for (const Op& op : inbox_)
          if (op.kind == Op::Kind::open || op.kind == Op::Kind::close) return true;
        return inbox_.size() >= kGroupOps;
      };
      while (!urgent() && wake_.wait_until(lock, until) != std::cv_status::timeout) {
      }
      while (!inbox_.empty()) {
        batch.push_back(std::move(inbox_.front()));
        inbox_.pop_front();
        if (batch.back().kind == Op::Kind::open || batch.back().kind == Op::Kind::close) break;
      }
    }
    std::exception_ptr error;
    const Op& last = batch.back();
    if (last.kind == Op::Kind::open) {
      Report r{Report::Kind::opened, {}, {}, {}, {}, false};
      try {
        db = std::make_unique<Database>(path_, window_, identity_, r.opened);
      } catch (...) {
        db.reset();
        failed = true;
        r = Report{Report::Kind::failed, {}, {}, std::current_exception(), {}, false};
      }
      reports.push_back(std::move(r));
    } else if (!failed && db) {
      try {
        // A refill reads in op order: it sees the ops before it, not those after.
        std::vector<Report> refills;
        db->begin();
        for (Op& op : batch) {
          if (op.kind == Op::Kind::started) db->started(op.id, op.attempts);
          if (op.kind == Op::Kind::commit) db->apply(op.completion);
          if (op.kind == Op::Kind::refill) {
            Report r{Report::Kind::refilled, {}, {}, {}, {}, false};
            r.more = db->read_pending(op.max, op.exclude, r.pending);
            refills.push_back(std::move(r));
          }
          if (op.kind == Op::Kind::close && !op.status.empty()) {
            db->set_meta("status", op.status);
            db->set_meta("ended", std::to_string(epoch_ms(WallClock::now())));
          }
        }
        db->commit();
        auto refill = refills.begin();
        for (Op& op : batch) {
          if (op.kind == Op::Kind::commit) {
            op.completion.response.reset();  // the body is freed here, not on the loop
            reports.push_back(
                Report{Report::Kind::committed, {}, std::move(op.completion), {}, {}, false});
          }
          if (op.kind == Op::Kind::refill) reports.push_back(std::move(*refill++));
        }
      } catch (...) {
        db->rollback();
        failed = true;
        reports.clear();
        reports.push_back(
            Report{Report::Kind::failed, {}, {}, std::current_exception(), {}, false});
      }
    }
    if (batch.back().kind == Op::Kind::close) {
      closing = true;
      db.reset();  // closes the file, releases the lock
      reports.push_back(Report{Report::Kind::closed, {}, {}, {}, {}, false});
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (Report& r : reports) outbox_.push_back(std::move(r));
      if (!reports.empty() && async_) uv_async_send(async_);
    }
  }
}

void SqliteStore::on_async(uv_async_t* async) {
  static_cast<SqliteStore*>(async->data)->deliver_reports();
}

// Loop thread. A listener may submit more (or close) from inside a report.
void SqliteStore::deliver_reports() {
  std::vector<Report> reports;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    reports.swap(outbox_);
  }
  for (Report& r : reports) {
    switch (r.kind) {
      case Report::Kind::opened: listener_->store_opened(std::move(r.opened)); break;
      case Report::Kind::committed:
        if (!failed_) listener_->store_committed(std::move(r.completion));
        break;
      case Report::Kind::refilled:
        if (!failed_) listener_->store_refilled(std::move(r.pending), r.more);
        break;
      case Report::Kind::failed:
        if (!failed_) {
          failed_ = true;
          listener_->store_failed(r.error);
        }
        break;
      case Report::Kind::closed: {
        writer_.join();
        {
          std::lock_guard<std::mutex> lock(mutex_);
          uv_close(reinterpret_cast<uv_handle_t*>(async_), [](uv_handle_t* h) {
            auto* self = static_cast<SqliteStore*>(h->data);
            delete reinterpret_cast<uv_async_t*>(h);
            self->listener_->store_closed();
          });
          async_ = nullptr;
        }
        return;
      }
    }
  }
}

}  // namespace uvscrape::store
