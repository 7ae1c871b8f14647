// See redis_snapshot.hpp. Blocking throughout (the CLI's thread only).
#include "store/redis_snapshot.hpp"

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "store/redis_blocking.hpp"
#include "store/schema.hpp"
#include "uvscrape/errors.hpp"
#include "uvscrape/json.hpp"

namespace uvscrape::store {
namespace {

class Insert {
 public:
  Insert(sqlite3* db, const std::string& path, const char* sql) : db_(db), path_(path) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK)
      throw StoreError(path, sqlite3_errmsg(db));
  }
  ~Insert() { sqlite3_finalize(stmt_); }
  Insert(const Insert&) = delete;
  Insert& operator=(const Insert&) = delete;

  // One row; a value of nullopt is NULL.
  void row(const std::vector<std::optional<std::string>>& values) {
    for (size_t i = 0; i < values.size(); ++i) {
      const int at = static_cast<int>(i + 1);
      if (values[i])
        sqlite3_bind_text(stmt_, at, values[i]->data(), static_cast<int>(values[i]->size()),
                          SQLITE_TRANSIENT);
      else
        sqlite3_bind_null(stmt_, at);
    }
    if (sqlite3_step(stmt_) != SQLITE_DONE) throw StoreError(path_, sqlite3_errmsg(db_));
    sqlite3_reset(stmt_);
  }

 private:
  sqlite3* db_;
  const std::string& path_;
  sqlite3_stmt* stmt_ = nullptr;
};

std::string decimal_id(const std::string& hex) {
  return std::to_string(std::stoull(hex, nullptr, 16));
}

// A 16-byte fingerprint (big-endian high, then low) as the seen table's two
// signed 64-bit columns.
std::pair<std::string, std::string> fingerprint_columns(const std::string& bytes) {
  std::uint64_t hi = 0, lo = 0;
  for (int i = 0; i < 8; ++i) {
    hi = hi << 8 | static_cast<unsigned char>(bytes[static_cast<size_t>(i)]);
    lo = lo << 8 | static_cast<unsigned char>(bytes[static_cast<size_t>(8 + i)]);
  }
  return {std::to_string(static_cast<std::int64_t>(hi)),
          std::to_string(static_cast<std::int64_t>(lo))};
}

std::optional<std::string> text_of(const Json& value) {
  if (value.is_null()) return std::nullopt;
  return value.is_string() ? value.get<std::string>() : value.dump();
}

void copy(BlockingRedis& redis, const RedisAddress& address, sqlite3* db, const std::string& path) {
  const std::string p = address.prefix + ":";
  const auto meta = redis.strings({"HGETALL", p + "meta"});
  if (meta.empty()) throw StoreError(address.url, "holds no run under prefix " + address.prefix);
  {
    Insert insert(db, path, "INSERT INTO meta (key, value) VALUES (?1, ?2)");
    for (size_t i = 0; i + 1 < meta.size(); i += 2) insert.row({meta[i], meta[i + 1]});
  }
  Insert request(db, path,
                 "INSERT INTO requests (id, state, priority, attempts, not_before, parent, body) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  auto copy_request = [&](const std::string& hex, const char* state,
                          const std::optional<std::string>& body) {
    if (!body) return;
    const auto parent = redis.hget(p + "parent", hex);
    request.row({decimal_id(hex), state, redis.hget(p + "prio", hex).value_or("0"),
                 redis.hget(p + "attempts", hex).value_or("0"), redis.hget(p + "nb", hex),
                 parent ? std::optional(decimal_id(*parent)) : std::nullopt, body});
  };
  for (const auto& hex : redis.strings({"ZRANGE", p + "pending", "0", "-1"}))
    copy_request(hex, "0", redis.hget(p + "req", hex));
  for (const auto& hex : redis.strings({"ZRANGE", p + "leased", "0", "-1"}))
    copy_request(hex, "1", redis.hget(p + "req", hex));
  const auto parents = redis.strings({"HGETALL", p + "parents"});
  for (size_t i = 0; i + 1 < parents.size(); i += 2) {
    // A parent still pending or leased is copied above, with its own state.
    if (!redis.hget(p + "req", parents[i])) copy_request(parents[i], "2", parents[i + 1]);
  }
  {
    Insert seen(db, path, "INSERT OR IGNORE INTO seen (hi, lo) VALUES (?1, ?2)");
    for (const auto& key : redis.strings({"SMEMBERS", p + "seen"})) {
      if (key.size() != 16) continue;
      const auto [hi, lo] = fingerprint_columns(key);
      seen.row({hi, lo});
    }
  }
  {
    Insert item(db, path,
                "INSERT INTO items (request, model, valid, body) VALUES (?1, ?2, ?3, ?4)");
    for (const auto& text : redis.strings({"LRANGE", p + "items", "0", "-1"})) {
      const Json stored = Json::parse(text);
      item.row({stored.at("request").dump(), stored.at("model").get<std::string>(),
                stored.at("valid").get<bool>() ? "1" : "0", stored.at("value").dump()});
    }
  }
  {
    Insert failure(db, path,
                   "INSERT INTO failures (request, url, step, page_url, kind, message, attempts, "
                   "time) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    for (const auto& text : redis.strings({"LRANGE", p + "failures", "0", "-1"})) {
      const Json f = Json::parse(text);
      failure.row({text_of(f.at("request")), text_of(f.at("url")), text_of(f.at("step")),
                   text_of(f.at("page_url")), text_of(f.at("kind")), text_of(f.at("message")),
                   text_of(f.at("attempts")), text_of(f.at("time"))});
    }
  }
  {
    Insert file(db, path,
                "INSERT INTO files (path, url, size, request, sha256) VALUES (?1, ?2, ?3, ?4, ?5)");
    const auto files = redis.strings({"HGETALL", p + "files"});
    for (size_t i = 0; i + 1 < files.size(); i += 2) {
      const Json f = Json::parse(files[i + 1]);
      file.row({files[i], text_of(f.at("url")), text_of(f.at("size")), text_of(f.at("request")),
                text_of(f.at("sha256"))});
    }
  }
}

}  // namespace

void snapshot_redis_run(const RedisAddress& address, const std::string& path) {
  if (std::filesystem::exists(path)) throw StoreError(path, "exists already");
  BlockingRedis redis(address);
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    const std::string reason = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    throw StoreError(path, reason);
  }
  try {
    schema::migrate(db, path);
    schema::exec(db, path, "BEGIN IMMEDIATE");
    copy(redis, address, db, path);
    schema::exec(db, path, "COMMIT");
  } catch (...) {
    sqlite3_close(db);
    std::filesystem::remove(path);
    throw;
  }
  sqlite3_close(db);
}

}  // namespace uvscrape::store
