// The default archive writer (docs/design.md §14): an http::BodySink that streams
// a download into a temporary file in storage_dir and, once the response is
// complete, renames it to its final name atomically.
//
// Every file operation runs on the libuv thread pool, so the loop never waits for
// the disk. A body that ends within kSmallFile bytes (most documents) is kept in
// memory and written by one pool job (an unnamed file linked to its name, or
// where that cannot be done, a temporary file renamed); a larger
// one streams through uv_fs_* requests. Backpressure: while more than
// kMaxBuffered bytes wait for the disk, on_chunk returns false and the HTTP
// client stops reading the socket until the pending write completes.
#pragma once

#include <uv.h>

#include <cstdint>
#include <exception>
#include <functional>
#include <string>
#include <string_view>

#include "http/client.hpp"
#include "common/sha256.hpp"

namespace uvscrape::driver {

class ArchiveSink final : public http::BodySink {
 public:
  static constexpr size_t kSmallFile = 256 << 10;
  static constexpr size_t kMaxBuffered = 1 << 20;

  // `final_path` is where the file ends up (its directory must exist or be
  // `make_dir`); `url` names the download in errors. `hash`: compute the
  // body's SHA-256 (about 60 instructions a byte: only when something records it).
  ArchiveSink(uv_loop_t* loop, std::string storage_dir, std::string final_path, std::string url,
              std::string make_dir = {}, bool hash = true);
  ~ArchiveSink() override;  // only once finish/abort has called back (or nothing started)
  ArchiveSink(const ArchiveSink&) = delete;
  ArchiveSink& operator=(const ArchiveSink&) = delete;

  // Only a successful (2xx) response body is written; others are read and dropped.
  bool on_headers(int status, const Headers& headers) override;
  bool on_chunk(std::string_view chunk, std::function<void()> resume) override;

  // The response is complete: flush, close, rename. `done` gets the final path or
  // an ArchiveError; on error no file is left behind.
  using Done = std::function<void(std::string path, std::exception_ptr error)>;
  void finish(Done done);
  // The response failed: close and delete the temporary file, then `done(nullptr)`.
  void abort(Done done);

  uint64_t bytes_written() const noexcept { return offset_; }
  // The SHA-256 (hex) of the body written, hashed as it streamed in; once
  // finish() reported the file. "" when constructed without `hash`.
  std::string sha256() { return hash_ ? digest_.hex() : std::string(); }

 private:
  enum class Phase {
    buffering,
    writing_whole,
    opening,
    open,
    closing,
    renaming,
    removing,
    finished
  };

  void start_open();
  void write_whole();  // buffering -> writing_whole: one pool job for a small body
  static void whole_on_pool(uv_work_t* work);
  static void whole_done(uv_work_t* work, int status);
  void pump();  // advances whatever can advance now
  void write_pending();
  void close_file();
  void fail(const std::string& reason, int uv_error);
  void complete();
  void submit(uv_fs_t* req);  // bookkeeping around every fs request
  static void on_fs(uv_fs_t* req);
  void handle_fs(uv_fs_t* req);

  uv_loop_t* loop_;
  std::string storage_dir_;
  std::string final_path_;
  std::string url_;
  std::string make_dir_;
  std::string temp_path_;
  uv_file file_ = -1;
  Phase phase_ = Phase::buffering;
  bool writing_body_ = true;  // false after a non-2xx status
  bool ending_ = false;       // finish() or abort() called
  bool aborting_ = false;
  bool fs_busy_ = false;  // one fs request at a time
  uv_fs_t fs_req_{};
  uv_work_t work_req_{};
  std::string whole_error_;  // set on the pool by whole_on_pool
  std::string pending_;      // bytes waiting for the disk
  std::string in_flight_;    // bytes being written
  size_t in_flight_done_ = 0;
  uint64_t offset_ = 0;
  std::function<void()> resume_;
  std::exception_ptr error_;
  Done done_;
  bool hash_;
  Sha256 digest_;
};

}  // namespace uvscrape::driver
