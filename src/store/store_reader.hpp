// A run store's SQLite file opened from outside its run, by the `uvscrape`
// command and the dashboard: read-only (WAL lets it read while a crawl
// writes), a busy timeout, the schema version checked, and queries answered
// as JSON rows. Every call blocks on the disk: the dashboard uses it on
// libuv's thread pool, the CLI (which runs no loop) directly.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "uvscrape/json.hpp"

namespace uvscrape::store {

class StoreReader {
 public:
  using Param = std::variant<std::int64_t, std::string>;
  enum class Access { read_only, read_write };

  // Opens `path`, which must be an existing regular file. Read-write only for
  // the CLI's `failures retry`, which puts failures back into the frontier.
  // Throws StoreError ("run store PATH: no such file", "...: cannot open (why)").
  explicit StoreReader(const std::string& path, Access access = Access::read_only);
  ~StoreReader();
  StoreReader(const StoreReader&) = delete;
  StoreReader& operator=(const StoreReader&) = delete;

  // False for a file whose run has not created its tables yet (a run creates
  // them in one transaction, so a reader sees all of them or none).
  bool initialised();
  // Throws StoreError for a file that is not a run store (or is corrupt) and
  // for one made by a newer uvscrape (naming both schema versions).
  void require_run_store();

  // Each row as a JSON array (integers, reals, text, null; blobs as null).
  // Throws StoreError ("cannot read (the file may be corrupt) (why)").
  std::vector<Json> query(const std::string& sql, const std::vector<Param>& params = {});
  // The first column of the first row; 0 when there is none or it is no integer.
  std::int64_t scalar(const std::string& sql, const std::vector<Param>& params = {});
  // Statements with no result (a transaction's BEGIN, an UPDATE).
  void exec(const std::string& sql);
  // The run's `meta` value for `key`, if any.
  std::optional<std::string> meta(const std::string& key);
  // The fetch times (requests.fetch_ms, schema version 6) of the latest
  // `limit` timed requests to settle, with the host each went to
  // (store::host_of); none for a store made before version 6.
  std::vector<std::pair<std::string, std::int64_t>> latest_fetch_times(std::int64_t limit);
  const std::string& path() const noexcept { return path_; }

 private:
  [[noreturn]] void fail(const std::string& what);
  std::string path_;
  sqlite3* db_ = nullptr;
};

}  // namespace uvscrape::store
