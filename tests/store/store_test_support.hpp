// Helpers of the store tests: the store site on the test server, and reading
// a store file back with SQLite itself.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <iterator>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "store_site.hpp"
#include "threaded_test_server.hpp"

namespace uvscrape::store_test {

using testing::ServerRequest;
using testing::ServerResponse;
using testing::ThreadedTestServer;

// Serves the store site. With `flaky`, every 7th case answers 503 the first
// time it is asked for (a transient failure that a retry gets past). Documents
// stream in 1 KiB chunks, 1 ms apart.
// `case_delay` holds each case page back (on the server's timer, not its
// thread), so that a crawl shared by processes started one after another
// lasts long enough for every one of them to take a share.
// `pages`: the site's first list pages only (the last one has no next link).
// `on_arrival` runs on the server thread as each request arrives.
inline void serve_store_site(
    ThreadedTestServer& server, bool flaky, std::chrono::milliseconds case_delay = {},
    int pages = kPages, std::function<void()> on_arrival = [] {}) {
  server->route("GET", "/list/*",
                [pages, on_arrival](const ServerRequest& req, ServerResponse& res) {
                  on_arrival();
                  const int p = std::atoi(req.path.c_str() + 6);
                  std::string html = "<html><body>";
                  for (int i = 0; i < kPerPage; ++i)
                    html += "<a class='case' href='/case/" + std::to_string(p) + "-" +
                            std::to_string(i) + "'>c</a>";
                  if (p < pages)
                    html += "<a rel='next' href='/list/" + std::to_string(p + 1) + "'>next</a>";
                  res = ServerResponse::html(html + "</body></html>");
                });
  auto failed_once = std::make_shared<std::set<std::string>>();  // the server thread's only
  server->route(
      "GET", "/case/*",
      [flaky, failed_once, case_delay, on_arrival](const ServerRequest& req, ServerResponse& res) {
        on_arrival();
        const std::string id = req.path.substr(6);
        const int p = std::atoi(id.c_str());
        const int i = std::atoi(id.c_str() + id.find('-') + 1);
        if (flaky && (p * kPerPage + i) % 7 == 3 && failed_once->insert(id).second) {
          res = ServerResponse::with_status(503);
          return;
        }
        std::string html = "<html><body><p class='id'>" + id + "</p>";
        if (has_document(p, i)) html += "<a class='pdf' href='/doc/" + id + ".pdf'>pdf</a>";
        res = ServerResponse::html(html + "</body></html>");
        res.delay_before_headers = case_delay;
      });
  server->route("GET", "/doc/*", [on_arrival](const ServerRequest& req, ServerResponse& res) {
    on_arrival();
    res.body = document_body(req.path.substr(5));
    res.header("Content-Type", "application/pdf");
    res.chunked = true;
    res.chunk_size = 1024;
    res.delay_between_chunks = std::chrono::milliseconds(1);
  });
}

// Every item the crawl of the site's first `pages` yields, as JSON text.
inline std::multiset<std::string> expected_items(int pages = kPages) {
  std::multiset<std::string> out;
  for (int p = 1; p <= pages; ++p)
    for (int i = 0; i < kPerPage; ++i) {
      out.insert(case_item(p, i).dump());
      if (has_document(p, i))
        out.insert(doc_item(std::to_string(p) + "-" + std::to_string(i)).dump());
    }
  return out;
}

// A crawl of the store site with the run store `store` (a file or a
// redis:// URL): its result and the items on_data saw; it stops after
// `stop_after` items (-1: never).
struct Crawl {
  RunResult result;
  std::multiset<std::string> items;
};

inline Crawl crawl(const ThreadedTestServer& server, const std::string& store,
                   const std::string& dir, size_t workers = 4, int stop_after = -1,
                   bool force = false, size_t window = 0) {
  StoreSiteScraper scraper("http://127.0.0.1:" + std::to_string(server.port()));
  DriverOptions o;
  o.num_workers = workers;
  o.store_path = store;
  o.storage_dir = dir;
  o.store_force = force;
  o.store_window = window;
  o.retry_backoff_base = std::chrono::milliseconds(2);
  o.retry_backoff_cap = std::chrono::milliseconds(10);
  Driver driver(scraper, o);
  Crawl out;
  driver.on_data = [&](const Json& item) {
    out.items.insert(item.dump());
    if (static_cast<int>(out.items.size()) == stop_after) driver.stop();
  };
  out.result = driver.run();
  return out;
}

// What `got` lacks and holds twice or extra against `want`, for a failure message.
inline std::string item_difference(const std::multiset<std::string>& got,
                                   const std::multiset<std::string>& want) {
  std::string missing, extra;
  std::vector<std::string> a, b;
  std::set_difference(want.begin(), want.end(), got.begin(), got.end(), std::back_inserter(a));
  std::set_difference(got.begin(), got.end(), want.begin(), want.end(), std::back_inserter(b));
  for (size_t i = 0; i < a.size() && i < 10; ++i) missing += " " + a[i];
  for (size_t i = 0; i < b.size() && i < 10; ++i) extra += " " + b[i];
  return std::to_string(a.size()) + " missing:" + missing + "; " + std::to_string(b.size()) +
         " extra or repeated:" + extra;
}

// A store file read back with SQLite (read-only).
class StoreFile {
 public:
  explicit StoreFile(const std::string& path) {
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK)
        << path;
  }
  ~StoreFile() { sqlite3_close(db_); }
  StoreFile(const StoreFile&) = delete;
  StoreFile& operator=(const StoreFile&) = delete;

  // Every row of a one-column query, as text.
  std::vector<std::string> column(const char* sql) {
    std::vector<std::string> out;
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(db_);
    while (stmt && sqlite3_step(stmt) == SQLITE_ROW) {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
      out.emplace_back(text ? text : "");
    }
    sqlite3_finalize(stmt);
    return out;
  }
  std::string one(const char* sql) {
    auto rows = column(sql);
    return rows.empty() ? std::string() : rows.front();
  }
  long number(const char* sql) { return std::atol(one(sql).c_str()); }

 private:
  sqlite3* db_ = nullptr;
};

inline std::filesystem::path fresh_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("uvscrape-store-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace uvscrape::store_test
