// See stored_responses.hpp.
#include "store/stored_responses.hpp"

#include <sqlite3.h>

#include <stdexcept>

#include "store/response_writer.hpp"
#include "store/schema.hpp"
#include "uvscrape/errors.hpp"

namespace uvscrape::store {
namespace {

constexpr const char* kColumns =
    "SELECT request, step, status, url, headers, dictionary, body FROM responses";

std::string text(sqlite3_stmt* q, int col) {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(q, col));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(q, col))) : std::string();
}

std::string blob(sqlite3_stmt* q, int col) {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(q, col));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(q, col))) : std::string();
}

// A prepared query, finalized on every way out.
struct Query {
  sqlite3_stmt* stmt = nullptr;
  Query(sqlite3* db, const std::string& path, const std::string& sql) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK)
      throw StoreError(path, sqlite3_errmsg(db));
  }
  ~Query() { sqlite3_finalize(stmt); }
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;
};

}  // namespace

StoredResponses::StoredResponses(const std::string& path) : path_(path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    std::string reason = db_ ? sqlite3_errmsg(db_) : "cannot open";
    sqlite3_close(db_);
    throw StoreError(path, reason);
  }
  sqlite3_busy_timeout(db_, 5000);
  try {
    const int version = schema::user_version(db_, path_);
    if (version < 3)
      throw StoreError(path_, version == 0
                                  ? "not a uvscrape run store"
                                  : "a run store of schema version " + std::to_string(version) +
                                        ", which stores no responses (open it with a "
                                        "crawl once to migrate it)");
  } catch (...) {
    sqlite3_close(db_);
    throw;
  }
}

StoredResponses::~StoredResponses() {
  sqlite3_close(db_);
}

const codec::Dictionary& StoredResponses::dictionary(std::uint32_t id) {
  if (auto it = dictionaries_.find(id); it != dictionaries_.end()) return it->second;
  Query q(db_, path_, "SELECT body FROM dictionaries WHERE id = ?1");
  sqlite3_bind_int64(q.stmt, 1, id);
  if (sqlite3_step(q.stmt) != SQLITE_ROW)
    throw StoreError(path_, "stored dictionary " + std::to_string(id) + " is missing");
  codec::Dictionary d{id, blob(q.stmt, 0)};
  return dictionaries_.emplace(id, std::move(d)).first->second;
}

namespace {

StoredResponse read_row(sqlite3_stmt* q, const std::string& path,
                        const std::function<const codec::Dictionary&(std::uint32_t)>& dictionary) {
  StoredResponse r;
  r.request = static_cast<RequestId>(sqlite3_column_int64(q, 0));
  r.step = text(q, 1);
  r.status = sqlite3_column_int(q, 2);
  r.url = text(q, 3);
  const auto dict = static_cast<std::uint32_t>(sqlite3_column_int64(q, 5));
  try {
    r.headers = headers_from_json(text(q, 4));
    r.body = codec::decompress(blob(q, 6), dict ? dictionary(dict) : codec::Dictionary{});
  } catch (const StoreError&) {
    throw;
  } catch (const std::exception& e) {
    throw StoreError(path, "stored response of request " + std::to_string(r.request) + " (" +
                               r.url + "): " + e.what());
  }
  return r;
}

}  // namespace

std::optional<StoredResponse> StoredResponses::get(RequestId request) {
  Query q(db_, path_, std::string(kColumns) + " WHERE request = ?1");
  sqlite3_bind_int64(q.stmt, 1, static_cast<sqlite3_int64>(request));
  const int rc = sqlite3_step(q.stmt);
  if (rc == SQLITE_DONE) return std::nullopt;
  if (rc != SQLITE_ROW) throw StoreError(path_, sqlite3_errmsg(db_));
  return read_row(q.stmt, path_,
                  [this](std::uint32_t id) -> const codec::Dictionary& { return dictionary(id); });
}

void StoredResponses::for_each(const std::function<bool(const StoredResponse&)>& visit) {
  Query q(db_, path_, std::string(kColumns) + " ORDER BY request");
  int rc;
  while ((rc = sqlite3_step(q.stmt)) == SQLITE_ROW) {
    const StoredResponse r =
        read_row(q.stmt, path_,
                 [this](std::uint32_t id) -> const codec::Dictionary& { return dictionary(id); });
    if (!visit(r)) return;
  }
  if (rc != SQLITE_DONE) throw StoreError(path_, sqlite3_errmsg(db_));
}

std::uint64_t StoredResponses::count() {
  Query q(db_, path_, "SELECT count(*) FROM responses");
  if (sqlite3_step(q.stmt) != SQLITE_ROW) throw StoreError(path_, sqlite3_errmsg(db_));
  return static_cast<std::uint64_t>(sqlite3_column_int64(q.stmt, 0));
}

}  // namespace uvscrape::store
