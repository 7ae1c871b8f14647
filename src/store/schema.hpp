// The SQLite store's schema and its forward migrations (docs/design.md §20).
// `PRAGMA user_version` holds the version a file was made or last migrated
// with; opening an older file migrates it in one transaction, a newer one is
// refused. Runs on the store's writer thread (it blocks on the disk).
#pragma once

#include <sqlite3.h>

#include <string>

namespace uvscrape::store::schema {

// The version this build writes.
inline constexpr int kCurrentVersion = 6;

// Creates the tables of version 1 exactly as the first release did, in an
// empty database (for migration tests, and as the first step of a new file).
void create_version_1(sqlite3* db, const std::string& path);

// Brings `db` to kCurrentVersion: creates an empty database, migrates an
// older one. Throws StoreError naming `path` for a newer or foreign file.
void migrate(sqlite3* db, const std::string& path);

// Runs `sql` (several statements allowed); throws StoreError naming `path`.
void exec(sqlite3* db, const std::string& path, const char* sql);

int user_version(sqlite3* db, const std::string& path);

}  // namespace uvscrape::store::schema
