// The default archive writer: file names that stay inside storage_dir, streamed
// writes on the thread pool with backpressure, atomic rename, cleanup on failure.
#include <gtest/gtest.h>
#include <uv.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "driver/archive_job.hpp"
#include "driver/archive_name.hpp"
#include "driver/archive_sink.hpp"
#include "common/sha256.hpp"
#include "uvscrape/errors.hpp"

namespace fs = std::filesystem;

namespace uvscrape::driver {
namespace {

fs::path fresh_dir(const std::string& name) {
  fs::path dir =
      fs::temp_directory_path() / ("uvscrape-drv-" + name + "-" + std::to_string(uv_os_getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

size_t count_entries(const fs::path& dir) {
  size_t n = 0;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator();
       ++it) {
    if (it->is_regular_file()) ++n;
  }
  return n;
}

// Finishes the sink and runs the loop until it reports, expecting the file at
// `target` and no error; whether it reported.
bool finish_at(uv_loop_t& loop, ArchiveSink& sink, const fs::path& target) {
  bool done = false;
  sink.finish([&](std::string path, std::exception_ptr error) {
    EXPECT_EQ(path, target.string());
    EXPECT_FALSE(error);
    done = true;
  });
  uv_run(&loop, UV_RUN_DEFAULT);
  return done;
}

TEST(ArchiveName, TakesTheLastPathSegment) {
  EXPECT_EQ(archive_file_name("http://h/opinions/BCC-2024-001.pdf", "pdf"), "BCC-2024-001.pdf");
  EXPECT_EQ(archive_file_name("http://h/a/b.mp3?x=1#f", ""), "b.mp3");
  EXPECT_EQ(archive_file_name("http://h/docs/10.pdf/", ""), "10.pdf");
}

TEST(ArchiveName, NothingEscapesStorageDir) {
  for (const char* url : {"http://h/a/..", "http://h/%2e%2e", "http://h/..%2F..%2Fetc%2Fpasswd",
                          "http://h/a/.hidden", "http://h/x\\..\\y", "../../etc/passwd"}) {
    const std::string name = archive_file_name(url, "");
    EXPECT_FALSE(name.empty()) << url;
    EXPECT_EQ(name.find('/'), std::string::npos) << url;
    EXPECT_EQ(name.find('\\'), std::string::npos) << url;
    EXPECT_NE(name[0], '.') << url << " -> " << name;
  }
  EXPECT_EQ(safe_path_component(".."), "_.");
  EXPECT_EQ(safe_path_component(""), "_");
  EXPECT_EQ(safe_path_component("a/b"), "a_b");
  EXPECT_LE(archive_file_name("http://h/" + std::string(1000, 'a'), "").size(), 255u);
}

TEST(ArchiveName, FallbackWithTypeSuffix) {
  const std::string pdf = archive_file_name("http://h", "pdf");
  EXPECT_EQ(pdf.rfind("download_", 0), 0u);
  EXPECT_EQ(pdf.substr(pdf.size() - 4), ".pdf");
  const std::string mp3 = archive_file_name("http://h/", "audio");
  EXPECT_EQ(mp3.substr(mp3.size() - 4), ".mp3");
  EXPECT_EQ(archive_file_name("http://h/", "").find('.'), std::string::npos);
  EXPECT_EQ(pdf, archive_file_name("http://h", "pdf"));  // stable across calls and runs
}

// Feeds `body` in `chunk` sized pieces, honouring the sink's backpressure.
struct Feeder {
  ArchiveSink* sink;
  std::string body;
  size_t chunk;
  size_t offset = 0;
  int pauses = 0;
  bool finished = false;
  std::function<void()> on_all_fed;
  void feed() {
    while (offset < body.size()) {
      const size_t n = std::min(chunk, body.size() - offset);
      std::string_view piece(body.data() + offset, n);
      offset += n;
      if (!sink->on_chunk(piece, [this] { feed(); })) {
        ++pauses;
        return;
      }
    }
    if (!finished) {
      finished = true;
      on_all_fed();
    }
  }
};

TEST(ArchiveSink, StreamsWithBackpressureAndRenames) {
  const fs::path dir = fresh_dir("sink");
  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  std::string body(8 << 20, '\0');
  std::mt19937 rng(7);
  for (auto& c : body) c = static_cast<char>(rng());
  const std::string final_path = (dir / "doc.pdf").string();
  auto sink = std::make_unique<ArchiveSink>(&loop, dir.string(), final_path, "http://h/doc.pdf");
  ASSERT_TRUE(sink->on_headers(200, Headers{}));
  std::string result_path;
  std::exception_ptr result_error;
  bool done = false;
  Feeder feeder{sink.get(), body, 64 * 1024, 0, 0, false, {}};
  feeder.on_all_fed = [&] {
    sink->finish([&](std::string path, std::exception_ptr error) {
      result_path = std::move(path);
      result_error = error;
      done = true;
    });
  };
  feeder.feed();
  uv_run(&loop, UV_RUN_DEFAULT);
  ASSERT_TRUE(done);
  EXPECT_FALSE(result_error);
  EXPECT_EQ(result_path, final_path);
  EXPECT_GT(feeder.pauses, 0);  // the disk was slower than memory at least once
  EXPECT_EQ(read_file(final_path), body);
  EXPECT_EQ(count_entries(dir), 1u);  // no temporary file left
  sink.reset();
  EXPECT_EQ(uv_loop_close(&loop), 0);
  fs::remove_all(dir);
}

// The hash is computed only when asked for (a durable store records it).
TEST(ArchiveSink, HashesTheBodyOnlyWhenAsked) {
  const fs::path dir = fresh_dir("hash");
  const std::string body = "%PDF-1.4 " + std::string(5000, 'h');
  for (const bool hash : {true, false}) {
    uv_loop_t loop;
    ASSERT_EQ(uv_loop_init(&loop), 0);
    const fs::path target = dir / (hash ? "hashed.pdf" : "plain.pdf");
    ArchiveSink sink(&loop, dir.string(), target.string(), "http://h/x.pdf", {}, hash);
    sink.on_headers(200, Headers{});
    sink.on_chunk(std::string_view(body).substr(0, 1000), [] {});
    sink.on_chunk(std::string_view(body).substr(1000), [] {});
    ASSERT_TRUE(finish_at(loop, sink, target));
    EXPECT_EQ(read_file(target), body);
    EXPECT_EQ(sink.sha256(), hash ? sha256_hex(body) : std::string()) << hash;
    EXPECT_EQ(uv_loop_close(&loop), 0);
  }
  fs::remove_all(dir);
}

// A small body is written whole by one pool job. A new name is linked from
// an unnamed file; a name already taken is replaced by a rename. Either way
// the file appears complete, with the same mode, and no temporary file stays.
TEST(ArchiveSink, ASmallFileIsNewOrReplacesTheOldOneWhole) {
  const fs::path dir = fresh_dir("small");
  const fs::path target = dir / "doc.pdf";
  auto write = [&](const std::string& body) {
    uv_loop_t loop;
    ASSERT_EQ(uv_loop_init(&loop), 0);
    ArchiveSink sink(&loop, dir.string(), target.string(), "http://h/doc.pdf");
    sink.on_headers(200, Headers{});
    sink.on_chunk(body, [] {});
    EXPECT_TRUE(finish_at(loop, sink, target));
    EXPECT_EQ(sink.bytes_written(), body.size());
    EXPECT_EQ(uv_loop_close(&loop), 0);
  };
  write("%PDF-1.4 first " + std::string(3000, 'a'));
  const auto first_mode = fs::status(target).permissions();
  const std::string second = "%PDF-1.4 second " + std::string(7000, 'b');
  write(second);
  EXPECT_EQ(read_file(target), second);
  EXPECT_EQ(fs::status(target).permissions(), first_mode);
  EXPECT_EQ(count_entries(dir), 1u);  // no temporary file left beside it
  fs::remove_all(dir);
}

TEST(ArchiveSink, AbortLeavesNothing) {
  const fs::path dir = fresh_dir("abort");
  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ArchiveSink sink(&loop, dir.string(), (dir / "x.bin").string(), "http://h/x.bin");
  sink.on_headers(200, Headers{});
  sink.on_chunk(std::string(1000, 'x'), [] {});
  bool done = false;
  sink.abort([&](std::string path, std::exception_ptr error) {
    EXPECT_TRUE(path.empty());
    EXPECT_FALSE(error);
    done = true;
  });
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_TRUE(done);
  EXPECT_EQ(count_entries(dir), 0u);
  EXPECT_EQ(uv_loop_close(&loop), 0);
  fs::remove_all(dir);
}

TEST(ArchiveSink, MissingStorageDirIsAnArchiveError) {
  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  const std::string dir = "/nonexistent-uvscrape-dir/sub";
  ArchiveSink sink(&loop, dir, dir + "/x.bin", "http://h/x.bin");
  sink.on_headers(200, Headers{});
  sink.on_chunk("abc", [] {});
  std::exception_ptr error;
  sink.finish([&](std::string, std::exception_ptr e) { error = e; });
  uv_run(&loop, UV_RUN_DEFAULT);
  ASSERT_TRUE(error);
  try {
    std::rethrow_exception(error);
  } catch (const ArchiveError& e) {
    EXPECT_EQ(e.url(), "http://h/x.bin");
    EXPECT_NE(std::string(e.what()).find("http://h/x.bin"), std::string::npos);
  }
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

TEST(ArchiveSink, CreatesAKeyDirectory) {
  const fs::path dir = fresh_dir("keydir");
  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  const fs::path key_dir = dir / "my-key";
  ArchiveSink sink(&loop, dir.string(), (key_dir / "a.pdf").string(), "http://h/a.pdf",
                   key_dir.string());
  sink.on_headers(200, Headers{});
  sink.on_chunk("%PDF-1.4", [] {});
  std::string path;
  sink.finish([&](std::string p, std::exception_ptr) { path = std::move(p); });
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_EQ(path, (key_dir / "a.pdf").string());
  EXPECT_EQ(read_file(key_dir / "a.pdf"), "%PDF-1.4");
  EXPECT_EQ(uv_loop_close(&loop), 0);
  fs::remove_all(dir);
}

TEST(ArchiveSink, LargeBodyStreamsIntoAKeyDirectory) {
  const fs::path dir = fresh_dir("keydir-big");
  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  const fs::path key_dir = dir / "k";
  const std::string body(3 * ArchiveSink::kSmallFile + 5, 'z');  // past the one-job size
  ArchiveSink sink(&loop, dir.string(), (key_dir / "big.bin").string(), "http://h/big.bin",
                   key_dir.string());
  sink.on_headers(200, Headers{});
  Feeder feeder{&sink, body, 4096, 0, 0, false, {}};
  std::string path;
  feeder.on_all_fed = [&] {
    sink.finish([&](std::string p, std::exception_ptr e) {
      EXPECT_FALSE(e);
      path = std::move(p);
    });
  };
  feeder.feed();
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_EQ(path, (key_dir / "big.bin").string());
  EXPECT_EQ(read_file(key_dir / "big.bin"), body);
  EXPECT_EQ(count_entries(dir), 1u);
  EXPECT_EQ(sink.bytes_written(), body.size());
  EXPECT_EQ(uv_loop_close(&loop), 0);
  fs::remove_all(dir);
}

TEST(ArchiveJob, RunsTheCallbackOnThePool) {
  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  uv_thread_t loop_thread = uv_thread_self();
  bool on_pool = false;
  std::string got;
  run_archive_callback(
      &loop,
      [&](const std::string& content, const std::string& url, const std::string& type,
          const std::string& dir) {
        uv_thread_t self = uv_thread_self();
        on_pool = !uv_thread_equal(&self, &loop_thread);
        return dir + "/" + type + "/" + url + "/" + content;
      },
      "bytes", "u", "pdf", "/d",
      [&](std::string path, std::exception_ptr error) {
        EXPECT_FALSE(error);
        got = std::move(path);
      });
  std::exception_ptr thrown;
  run_archive_callback(
      &loop, [](auto&&...) -> std::string { throw std::runtime_error("disk on fire"); }, "", "u2",
      "", "/d", [&](std::string, std::exception_ptr error) { thrown = error; });
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_TRUE(on_pool);
  EXPECT_EQ(got, "/d/pdf/u/bytes");
  ASSERT_TRUE(thrown);
  EXPECT_THROW(std::rethrow_exception(thrown), std::runtime_error);
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

}  // namespace
}  // namespace uvscrape::driver
