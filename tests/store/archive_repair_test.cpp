// Archived files in the run store: each is recorded with its size and the
// SHA-256 hashed while it streamed; a file renamed into place but not
// recorded before a crash is fetched again on resume and replaces what is on
// disk, recorded once.
#include <fstream>
#include <sstream>

#include "common/sha256.hpp"
#include "store_test_support.hpp"
#include "uvscrape/driver.hpp"

namespace uvscrape::store_test {
namespace {

struct RepairRun {
  RunResult result;
  std::multiset<std::string> items;
};

RepairRun crawl(const ThreadedTestServer& server, const std::string& store,
                const std::string& dir) {
  StoreSiteScraper scraper("http://127.0.0.1:" + std::to_string(server.port()));
  DriverOptions o;
  o.num_workers = 8;
  o.store_path = store;
  o.storage_dir = dir;
  Driver driver(scraper, o);
  RepairRun out;
  driver.on_data = [&](const Json& item) { out.items.insert(item.dump()); };
  out.result = driver.run();
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void exec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
      << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

std::string name_of(const std::string& path) {
  return path.substr(path.rfind('/') + 1);
}

TEST(ArchiveRepair, FilesAreRecordedWithTheirHashAndAnUnrecordedOneIsFetchedAgain) {
  EXPECT_EQ(sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");  // FIPS 180-2
  ThreadedTestServer server;
  serve_store_site(server, false);
  const auto dir = fresh_dir("repair");
  const std::string store = (dir / "run.db").string();
  const std::string files = (dir / "files").string();
  const RepairRun first = crawl(server, store, files);
  ASSERT_EQ(first.result.status, RunStatus::completed);
  std::vector<std::string> paths;
  {
    StoreFile f(store);
    paths = f.column("SELECT path FROM files ORDER BY path");
    ASSERT_EQ(paths.size(), static_cast<size_t>(kPages * kPerPage / 5));
    const auto hashes = f.column("SELECT sha256 FROM files ORDER BY path");
    const auto sizes = f.column("SELECT size FROM files ORDER BY path");
    for (size_t i = 0; i < paths.size(); ++i) {
      const std::string want = document_body(name_of(paths[i]));
      EXPECT_EQ(read_file(paths[i]), want) << paths[i];
      EXPECT_EQ(hashes[i], sha256_hex(want)) << paths[i];
      EXPECT_EQ(sizes[i], std::to_string(want.size())) << paths[i];
    }
  }

  // A crash between the rename and the commit, three times over: the files
  // are on disk (here with other bytes, which the store cannot vouch for), but
  // their requests are in flight, their items and file rows never written.
  const std::vector<std::string> lost = {paths[0], paths[7], paths[42]};
  std::string in;
  for (const auto& p : lost) {
    in += (in.empty() ? "'" : ", '") + p + "'";
    std::ofstream(p, std::ios::binary | std::ios::trunc) << "not the document";
  }
  exec(store, "CREATE TEMP TABLE lost AS SELECT request FROM files WHERE path IN (" + in +
                  ");"
                  "DELETE FROM items WHERE request IN (SELECT request FROM lost);"
                  "UPDATE requests SET state = 1 WHERE id IN (SELECT request FROM lost);"
                  "DELETE FROM files WHERE path IN (" +
                  in +
                  ");"
                  "UPDATE meta SET value = 'running' WHERE key = 'status';");
  const size_t before = server->request_count();

  const RepairRun resumed = crawl(server, store, files);
  EXPECT_EQ(resumed.result.status, RunStatus::completed);
  EXPECT_TRUE(resumed.result.resumed);
  std::multiset<std::string> want_items;
  for (const auto& p : lost) {
    const std::string name = name_of(p);
    want_items.insert(doc_item(name.substr(0, name.size() - 4)).dump());  // less ".pdf"
  }
  EXPECT_EQ(resumed.items, want_items);  // each lost document's item once, nothing else
  EXPECT_EQ(server->request_count() - before, lost.size());
  StoreFile f(store);
  EXPECT_EQ(f.number("SELECT count(*) FROM files"), static_cast<long>(paths.size()));
  EXPECT_EQ(f.number("SELECT count(*) FROM items"), static_cast<long>(expected_items().size()));
  for (const auto& p : lost) {
    const std::string want = document_body(name_of(p));
    EXPECT_EQ(read_file(p), want) << p;
    EXPECT_EQ(f.one(("SELECT sha256 FROM files WHERE path = '" + p + "'").c_str()),
              sha256_hex(want));
  }
  EXPECT_EQ(f.one("PRAGMA integrity_check"), "ok");
  server.stop();
  EXPECT_EQ(server.loop_close_result(), 0);
}

}  // namespace
}  // namespace uvscrape::store_test
