// See store_reader.hpp.
#include "store/store_reader.hpp"

#include <sys/stat.h>

#include "store/schema.hpp"
#include "store/stored_names.hpp"
#include "uvscrape/errors.hpp"

namespace uvscrape::store {
namespace {

// Long enough to outlast a checkpoint of the run that writes the file.
constexpr int kBusyTimeoutMs = 5000;

}  // namespace

StoreReader::StoreReader(const std::string& path, Access access) : path_(path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw StoreError(path, "no such file");
  if (!S_ISREG(st.st_mode)) throw StoreError(path, "not a regular file");
  const int flags = access == Access::read_write ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY;
  // sqlite allocates a handle even when the open fails; a constructor that
  // throws runs no destructor, so it is closed here.
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    const std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw StoreError(path, "cannot open (" + why + ")");
  }
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
}

StoreReader::~StoreReader() {
  sqlite3_close(db_);
}

void StoreReader::fail(const std::string& what) {
  throw StoreError(path_, what + " (" + sqlite3_errmsg(db_) + ")");
}

bool StoreReader::initialised() {
  return scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'") > 0;
}

void StoreReader::require_run_store() {
  int version = 0;
  try {
    version = schema::user_version(db_, path_);
  } catch (const std::exception&) {
    throw StoreError(path_, "not a uvscrape run store");
  }
  if (version > schema::kCurrentVersion)
    throw StoreError(path_, "made by a newer uvscrape (schema version " + std::to_string(version) +
                                ", this one reads up to " +
                                std::to_string(schema::kCurrentVersion) + ")");
  if (version < 1 || scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name "
                            "IN ('meta', 'requests', 'items', 'failures', 'files')") != 5)
    throw StoreError(path_, "not a uvscrape run store");
}

std::vector<Json> StoreReader::query(const std::string& sql, const std::vector<Param>& params) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK)
    fail("cannot read (the file may be corrupt)");
  for (std::size_t i = 0; i < params.size(); ++i) {
    const int at = static_cast<int>(i + 1);
    if (const auto* n = std::get_if<std::int64_t>(&params[i]))
      sqlite3_bind_int64(stmt, at, *n);
    else
      sqlite3_bind_text(stmt, at, std::get<std::string>(params[i]).c_str(), -1, SQLITE_TRANSIENT);
  }
  std::vector<Json> rows;
  int rc = 0;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    Json row = Json::array();
    for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
      switch (sqlite3_column_type(stmt, c)) {
        case SQLITE_INTEGER: row.push_back(sqlite3_column_int64(stmt, c)); break;
        case SQLITE_FLOAT: row.push_back(sqlite3_column_double(stmt, c)); break;
        case SQLITE_TEXT:
          row.push_back(std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, c)),
                                    static_cast<std::size_t>(sqlite3_column_bytes(stmt, c))));
          break;
        default: row.push_back(nullptr);
      }
    }
    rows.push_back(std::move(row));
  }
  sqlite3_finalize(stmt);
  if (rc != SQLITE_DONE) fail("cannot read (the file may be corrupt)");
  return rows;
}

std::int64_t StoreReader::scalar(const std::string& sql, const std::vector<Param>& params) {
  auto rows = query(sql, params);
  if (rows.empty() || !rows[0][0].is_number_integer()) return 0;
  return rows[0][0].get<std::int64_t>();
}

void StoreReader::exec(const std::string& sql) {
  schema::exec(db_, path_, sql.c_str());
}

std::optional<std::string> StoreReader::meta(const std::string& key) {
  auto rows = query("SELECT value FROM meta WHERE key = ?1", {key});
  if (rows.empty() || !rows[0][0].is_string()) return std::nullopt;
  return rows[0][0].get<std::string>();
}

std::vector<std::pair<std::string, std::int64_t>> StoreReader::latest_fetch_times(
    std::int64_t limit) {
  std::vector<std::pair<std::string, std::int64_t>> times;
  if (scalar("SELECT count(*) FROM pragma_table_info('requests') WHERE name = 'fetch_ms'") == 0)
    return times;
  // The settled_at index walks the latest first; untimed rows are skipped.
  for (const auto& r : query("SELECT json_extract(body, '$.url'), fetch_ms FROM requests "
                             "WHERE fetch_ms IS NOT NULL ORDER BY settled_at DESC LIMIT ?1",
                             {limit}))
    if (r[0].is_string() && r[1].is_number_integer())
      times.emplace_back(host_of(r[0].get<std::string>()), r[1].get<std::int64_t>());
  return times;
}

}  // namespace uvscrape::store
