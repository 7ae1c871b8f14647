// Archive requests (docs/design.md §14): the default
// writer streams into storage_dir and renames atomically, names never escape
// storage_dir, on_archive replaces it on the thread pool, and a 100 MiB download
// stays far below 64 MiB of RSS.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <random>

#include "driver_test_support.hpp"

extern char** environ;

namespace fs = std::filesystem;

namespace uvscrape::driver_test {
namespace {

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::vector<fs::path> files_under(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

bool inside(const fs::path& file, const fs::path& dir) {
  const std::string f = fs::weakly_canonical(file).string();
  const std::string d = fs::weakly_canonical(dir).string() + "/";
  return f.rfind(d, 0) == 0;
}

const std::string kPdf = "%PDF-1.4 opinion bytes \x01\x02\x03";
const std::string kMp3 = std::string("\xFF\xFB\x90\x64", 4) + "audio frames";

void serve_media(ThreadedTestServer& server) {
  server->respond("GET", "/opinions/BCC-2024-001.pdf", ServerResponse::text(kPdf));
  server->respond("GET", "/oral-arguments/BCC-2024-001.mp3", ServerResponse::text(kMp3));
  server->respond("GET", "/docs/..%2F..%2Fescape.pdf", ServerResponse::text(kPdf));
  server->respond("GET", "/busy.pdf", ServerResponse::with_status(503));
}

struct Stored {
  std::string url;
  std::string path;
};

// The entry step yields `archives`; the archive step records what it received.
RunResult crawl_archives(ThreadedTestServer& server, std::vector<Request> archives,
                         DriverOptions options, std::vector<Stored>* stored,
                         std::function<void(Driver&)> setup = {}) {
  LambdaScraper scraper;
  scraper.entries = {Request::get(server.url("/")).to("entry")};
  scraper.add_step("entry", [archives](const Response&) -> Step {
    for (const Request& r : archives) co_yield r;
  });
  scraper.add_step("stored", [stored](const Response& r) -> Step {
    EXPECT_NE(dynamic_cast<const ArchiveResponse*>(&r), nullptr);
    stored->push_back({r.url, std::string(r.local_filepath().value_or(""))});
    co_return;
  });
  Driver driver(scraper, std::move(options));
  if (setup) setup(driver);
  Deadline deadline(std::chrono::seconds(30));
  return driver.run();
}

TEST(DriverArchive, DefaultWriterKeepsBytesAndNames) {  // docs/design.md §14
  ThreadedTestServer server(catch_all());
  serve_media(server);
  DriverOptions o = test_options("archive-default", 2);
  std::vector<Stored> stored;
  const RunResult r = crawl_archives(
      server,
      {Request::get("/opinions/BCC-2024-001.pdf").archive("pdf").to("stored"),
       Request::get("/oral-arguments/BCC-2024-001.mp3").archive("audio").to("stored")},
      o, &stored);
  EXPECT_EQ(r.status, RunStatus::completed);
  ASSERT_EQ(stored.size(), 2u);
  std::sort(stored.begin(), stored.end(), [](auto& a, auto& b) { return a.path < b.path; });
  EXPECT_EQ(stored[0].path, o.storage_dir + "/BCC-2024-001.mp3");
  EXPECT_EQ(stored[1].path, o.storage_dir + "/BCC-2024-001.pdf");
  EXPECT_EQ(read_file(stored[0].path), kMp3);
  EXPECT_EQ(read_file(stored[1].path), kPdf);
  EXPECT_EQ(files_under(o.storage_dir).size(), 2u);  // no temporary file remains
}

TEST(DriverArchive, SameFileNameFromTwoUrlsKeepsBothFiles) {  // nothing is overwritten
  ThreadedTestServer server(catch_all());
  server->respond("GET", "/a/1/file.pdf", ServerResponse::text("first document"));
  server->respond("GET", "/a/2/file.pdf", ServerResponse::text("second document"));
  DriverOptions o = test_options("archive-same-name", 2);
  std::vector<Stored> stored;
  const RunResult r = crawl_archives(server,
                                     {Request::get("/a/1/file.pdf").archive("pdf").to("stored"),
                                      Request::get("/a/2/file.pdf").archive("pdf").to("stored")},
                                     o, &stored);
  EXPECT_EQ(r.status, RunStatus::completed);
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_NE(stored[0].path, stored[1].path);
  for (const auto& s : stored) {
    const bool first = s.url.find("/a/1/") != std::string::npos;
    EXPECT_EQ(read_file(s.path), first ? "first document" : "second document") << s.path;
    EXPECT_EQ(fs::path(s.path).extension(), ".pdf");
  }
  EXPECT_EQ(files_under(o.storage_dir).size(), 2u);
}

TEST(DriverArchive, NamesNeverEscapeStorageDir) {  // docs/design.md §14
  ThreadedTestServer server(catch_all());
  serve_media(server);
  DriverOptions o = test_options("archive-escape");
  std::vector<Stored> stored;
  crawl_archives(server,
                 {Request::get("/docs/..%2F..%2Fescape.pdf").archive("pdf").to("stored"),
                  Request::get("/").archive("pdf").to("stored").dedup_key("../../../tmp/evil")},
                 o, &stored);
  ASSERT_EQ(stored.size(), 2u);
  for (const auto& s : stored) {
    EXPECT_TRUE(inside(s.path, o.storage_dir)) << s.path;
    EXPECT_TRUE(fs::exists(s.path)) << s.path;
  }
  for (const auto& f : files_under(o.storage_dir)) EXPECT_TRUE(inside(f, o.storage_dir));
}

TEST(DriverArchive, ExplicitKeyBecomesADirectory) {
  ThreadedTestServer server(catch_all());
  serve_media(server);
  DriverOptions o = test_options("archive-key");
  std::vector<Stored> stored;
  crawl_archives(server,
                 {Request::get("/opinions/BCC-2024-001.pdf")
                      .archive("pdf")
                      .to("stored")
                      .dedup_key("case-BCC-2024-001")},
                 o, &stored);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].path, o.storage_dir + "/case-BCC-2024-001/BCC-2024-001.pdf");
  EXPECT_EQ(read_file(stored[0].path), kPdf);
}

TEST(DriverArchive, OnArchiveReplacesTheWriterOnThePool) {  // docs/design.md §14
  ThreadedTestServer server(catch_all());
  serve_media(server);
  DriverOptions o = test_options("archive-callback", 2);
  std::mutex mutex;
  std::vector<std::string> calls;
  const auto loop_thread = std::this_thread::get_id();
  bool on_loop_thread = false;
  std::vector<Stored> stored;
  const RunResult r = crawl_archives(
      server,
      {Request::get("/opinions/BCC-2024-001.pdf").archive("pdf").to("stored"),
       Request::get("/oral-arguments/BCC-2024-001.mp3").archive("audio").to("stored")},
      o, &stored, [&](Driver& d) {
        d.on_archive = [&](const std::string& content, const std::string& url,
                           const std::string& type, const std::string& dir) {
          std::lock_guard<std::mutex> lock(mutex);
          if (std::this_thread::get_id() == loop_thread) on_loop_thread = true;
          calls.push_back(url + "|" + type + "|" + std::to_string(content.size()));
          EXPECT_EQ(dir, o.storage_dir);
          EXPECT_TRUE(content == kPdf || content == kMp3);
          return "custom://" + type;
        };
      });
  EXPECT_EQ(r.status, RunStatus::completed);
  EXPECT_FALSE(on_loop_thread);
  std::sort(calls.begin(), calls.end());
  EXPECT_EQ(calls, (std::vector<std::string>{server.url("/opinions/BCC-2024-001.pdf") + "|pdf|" +
                                                 std::to_string(kPdf.size()),
                                             server.url("/oral-arguments/BCC-2024-001.mp3") +
                                                 "|audio|" + std::to_string(kMp3.size())}));
  std::set<std::string> paths;
  for (const auto& s : stored) paths.insert(s.path);
  EXPECT_EQ(paths, (std::set<std::string>{"custom://pdf", "custom://audio"}));
  EXPECT_TRUE(files_under(o.storage_dir).empty());  // the default writer did not run
}

TEST(DriverArchive, OnArchiveThrowingEndsTheRun) {  // docs/design.md §9
  ThreadedTestServer server(catch_all());
  serve_media(server);
  std::vector<Stored> stored;
  EXPECT_THROW(crawl_archives(
                   server, {Request::get("/opinions/BCC-2024-001.pdf").archive("pdf").to("stored")},
                   test_options("archive-throw"), &stored,
                   [](Driver& d) {
                     d.on_archive = [](auto&&...) -> std::string {
                       throw std::runtime_error("disk full");
                     };
                   }),
               std::runtime_error);
  EXPECT_TRUE(stored.empty());
}

TEST(DriverArchive, TransientStatusLeavesNoFile) {
  ThreadedTestServer server(catch_all());
  serve_media(server);
  DriverOptions o = test_options("archive-503");
  std::vector<Stored> stored;
  int transient = 0;
  const RunResult r = crawl_archives(
      server, {Request::get("/busy.pdf").archive("pdf").to("stored")}, o, &stored, [&](Driver& d) {
        d.on_transient_exception = [&](const TransientException&) {
          ++transient;
          return true;
        };
      });
  EXPECT_EQ(r.status, RunStatus::completed);
  EXPECT_EQ(transient, 1);
  EXPECT_TRUE(stored.empty());
  EXPECT_TRUE(files_under(o.storage_dir).empty());
}

// --- memory: a 100 MiB download streams to disk ---------------------------------------

constexpr size_t kBigBytes = 100u << 20;
constexpr long kRssLimitKb = 64 * 1024;

// Runs in a child process (see below): downloads UVSCRAPE_RSS_URL as an archive
// and writes "<baseline_kb> <peak_kb> <status> <path>" to UVSCRAPE_RSS_REPORT.
TEST(DriverArchiveChild, Download) {
  const char* url = std::getenv("UVSCRAPE_RSS_URL");
  if (!url) GTEST_SKIP() << "runs only as the child of HundredMiBStaysUnder64MiB";
  const long baseline = status_kb("VmRSS");
  LambdaScraper scraper;
  scraper.entries = {Request::get(url).archive("pdf").to("stored")};
  std::string path;
  scraper.add_step("stored", [&path](const Response& r) -> Step {
    path = std::string(r.local_filepath().value_or(""));
    co_return;
  });
  DriverOptions o;
  o.storage_dir = std::getenv("UVSCRAPE_RSS_DIR");
  Driver driver(scraper, o);
  const RunResult r = driver.run();
  std::ofstream(std::getenv("UVSCRAPE_RSS_REPORT"))
      << baseline << " " << status_kb("VmHWM") << " " << to_string(r.status) << " " << path << "\n";
}

TEST(DriverArchive, HundredMiBStaysUnder64MiB) {
  if (std::getenv("UVSCRAPE_RSS_URL")) GTEST_SKIP();
  ThreadedTestServer server;
  auto body = std::make_shared<std::string>(kBigBytes, '\0');
  std::mt19937_64 rng(11);
  for (size_t i = 0; i + 8 <= body->size(); i += 8) {
    const uint64_t v = rng();
    std::memcpy(body->data() + i, &v, 8);
  }
  ServerResponse big;
  big.shared_body = body;
  big.header("Content-Type", "application/pdf");
  server->respond("GET", "/big.pdf", big);

  const fs::path dir = fresh_dir("archive-rss");
  const fs::path report = dir / "report.txt";
  fs::create_directories(dir / "files");
  // The child gets a clean process (only the driver, no server, no 100 MiB body)
  // and, under ASan, a small quarantine so freed buffers are really given back.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    if (std::strncmp(*e, "ASAN_OPTIONS=", 13) != 0) env_strings.emplace_back(*e);
  }
  const char* asan = std::getenv("ASAN_OPTIONS");
  env_strings.push_back(std::string("ASAN_OPTIONS=") + (asan ? std::string(asan) + ":" : "") +
                        "quarantine_size_mb=1:detect_leaks=0");
  env_strings.push_back("UVSCRAPE_RSS_URL=" + server.url("/big.pdf"));
  env_strings.push_back("UVSCRAPE_RSS_DIR=" + (dir / "files").string());
  env_strings.push_back("UVSCRAPE_RSS_REPORT=" + report.string());
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string self = fs::read_symlink("/proc/self/exe").string();
  std::string filter = "--gtest_filter=DriverArchiveChild.Download";
  char* argv[] = {self.data(), filter.data(), nullptr};
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, self.c_str(), nullptr, nullptr, argv, envp.data()), 0);
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      FAIL() << "the download child did not finish in time";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
  long baseline_kb = 0, peak_kb = 0;
  std::string run_status, path;
  std::ifstream(report) >> baseline_kb >> peak_kb >> run_status >> path;
  EXPECT_EQ(run_status, "completed");
  const long grown_kb = peak_kb - baseline_kb;
  RecordProperty("rss_baseline_kb", std::to_string(baseline_kb));
  RecordProperty("rss_peak_kb", std::to_string(peak_kb));
  std::printf("100 MiB archive: RSS baseline %ld KiB, peak %ld KiB, grown %ld KiB\n", baseline_kb,
              peak_kb, grown_kb);
  EXPECT_LT(grown_kb, kRssLimitKb / 2);  // the download itself: a few MiB of buffers
  if (!kSanitized) {
    EXPECT_LT(peak_kb, kRssLimitKb);
  }
  // The file is complete and byte-exact.
  ASSERT_EQ(fs::file_size(path), kBigBytes);
  std::ifstream in(path, std::ios::binary);
  std::string chunk(1 << 20, '\0');
  size_t offset = 0;
  bool same = true;
  while (in.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || in.gcount() > 0) {
    const size_t n = static_cast<size_t>(in.gcount());
    same = same && std::memcmp(chunk.data(), body->data() + offset, n) == 0;
    offset += n;
  }
  EXPECT_TRUE(same);
  EXPECT_EQ(offset, kBigBytes);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace uvscrape::driver_test
