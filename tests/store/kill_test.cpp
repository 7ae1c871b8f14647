// Kill -9 at any moment (docs/design.md §20): a crawler child with a SQLite
// store and 16 workers is SIGKILLed again and again -- some kills within a few
// ms of its start, others while documents stream -- and resumed until it
// completes. Then every item is in the store exactly once, every document is
// recorded once and byte-exact, no partial file is left, every request is
// done, and SQLite's integrity check passes.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "store_test_support.hpp"

extern char** environ;

namespace uvscrape::store_test {
namespace {

pid_t spawn_child(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(StoreKill, EveryItemExactlyOnceAcrossKills) {
  // The server writes to connections of a child that was just killed.
  std::signal(SIGPIPE, SIG_IGN);
  ThreadedTestServer server;
  serve_store_site(server, true);
  const auto dir = fresh_dir("kill");
  const std::string store = (dir / "run.db").string();
  const std::string files = (dir / "files").string();
  const std::vector<std::string> args = {STORE_CRAWL_CHILD, std::to_string(server.port()), store,
                                         files};
  std::mt19937 random(20261201);
  int kills = 0;
  int killed_mid_document = 0;
  bool completed = false;
  for (int round = 0; round < 200 && !completed; ++round) {
    const size_t docs_before = [&] {
      size_t n = 0;
      for (const auto& r : server->requests()) n += r.path.rfind("/doc/", 0) == 0;
      return n;
    }();
    const pid_t pid = spawn_child(args);
    ASSERT_GT(pid, 0);
    int status = 0;
    if (kills < 28) {
      // The first kills come within ms of the start (opening, resuming), the
      // later ones anywhere in the crawl.
      const int ms =
          kills < 6 ? static_cast<int>(random() % 5) : static_cast<int>(20 + random() % 250);
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
      ::kill(pid, SIGKILL);
      ASSERT_EQ(::waitpid(pid, &status, 0), pid);
      if (WIFSIGNALED(status)) {
        ++kills;
        size_t docs_after = 0;
        for (const auto& r : server->requests()) docs_after += r.path.rfind("/doc/", 0) == 0;
        if (docs_after > docs_before) ++killed_mid_document;
        continue;
      }
    } else {
      ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    }
    ASSERT_TRUE(WIFEXITED(status)) << "round " << round;
    ASSERT_EQ(WEXITSTATUS(status), 0) << "round " << round;
    completed = true;
  }
  ASSERT_TRUE(completed);
  EXPECT_GE(kills, 25);
  EXPECT_GT(killed_mid_document, 0);  // some kills came while documents were streaming

  StoreFile f(store);
  EXPECT_EQ(f.one("PRAGMA integrity_check"), "ok");
  const auto rows = f.column("SELECT body FROM items");
  const std::multiset<std::string> items(rows.begin(), rows.end());
  EXPECT_EQ(items, expected_items()) << item_difference(items, expected_items());
  EXPECT_EQ(f.number("SELECT count(*) FROM requests WHERE state <> 2"), 0);
  EXPECT_EQ(f.number("SELECT count(*) FROM failures"), 0);
  const auto paths = f.column("SELECT path FROM files");
  EXPECT_EQ(paths.size(), static_cast<size_t>(kPages * kPerPage / 5));
  for (const std::string& path : paths) {
    const std::string name = std::filesystem::path(path).filename().string();
    EXPECT_EQ(read_file(path), document_body(name)) << path;
  }
  size_t on_disk = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(files)) {
    EXPECT_NE(entry.path().filename().string().rfind(".uvscrape-", 0), 0u) << entry.path();
    ++on_disk;
  }
  EXPECT_EQ(on_disk, paths.size());  // no orphan, no partial file
  std::printf("kills %d (%d while documents streamed), %zu items\n", kills, killed_mid_document,
              items.size());
}

}  // namespace
}  // namespace uvscrape::store_test
