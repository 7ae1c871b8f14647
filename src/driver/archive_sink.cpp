// The streaming archive writer; see archive_sink.hpp.
#include "driver/archive_sink.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "driver/whole_file.hpp"
#include "uvscrape/errors.hpp"

namespace uvscrape::driver {

ArchiveSink::ArchiveSink(uv_loop_t* loop, std::string storage_dir, std::string final_path,
                         std::string url, std::string make_dir, bool hash)
    : loop_(loop),
      storage_dir_(std::move(storage_dir)),
      final_path_(std::move(final_path)),
      url_(std::move(url)),
      make_dir_(std::move(make_dir)),
      hash_(hash) {
  fs_req_.data = this;
  work_req_.data = this;
}

ArchiveSink::~ArchiveSink() {
  assert(!fs_busy_);
}

void ArchiveSink::submit(uv_fs_t* req) {
  (void)req;
  fs_busy_ = true;
}

void ArchiveSink::start_open() {
  phase_ = Phase::opening;  // from here on chunks stream to the file
  if (!make_dir_.empty()) {
    submit(&fs_req_);
    const int rc = uv_fs_mkdir(loop_, &fs_req_, make_dir_.c_str(), 0755, &ArchiveSink::on_fs);
    if (rc < 0) {
      fs_busy_ = false;
      fail("cannot create " + make_dir_, rc);
    }
    return;
  }
  const std::string pattern = storage_dir_ + "/.uvscrape-XXXXXX";
  submit(&fs_req_);
  const int rc = uv_fs_mkstemp(loop_, &fs_req_, pattern.c_str(), &ArchiveSink::on_fs);
  if (rc < 0) {
    fs_busy_ = false;
    fail("cannot create a temporary file in " + storage_dir_, rc);
  }
}

bool ArchiveSink::on_headers(int status, const Headers&) {
  writing_body_ = status >= 200 && status < 300;
  return true;
}

bool ArchiveSink::on_chunk(std::string_view chunk, std::function<void()> resume) {
  if (!writing_body_ || error_ || ending_) return true;  // dropped, keep the connection flowing
  pending_.append(chunk);
  if (hash_)
    digest_.update(chunk);  // ~0.6 ms per MiB on the loop (nettle): no second read of the file
  if (phase_ == Phase::buffering && pending_.size() >= kSmallFile) start_open();  // a big one
  pump();
  if (pending_.size() >= kMaxBuffered && !error_) {
    resume_ = std::move(resume);
    return false;
  }
  return true;
}

void ArchiveSink::finish(Done done) {
  done_ = std::move(done);
  ending_ = true;
  if (phase_ == Phase::buffering) return write_whole();
  pump();
}

void ArchiveSink::abort(Done done) {
  done_ = std::move(done);
  ending_ = true;
  aborting_ = true;
  pending_.clear();
  if (phase_ == Phase::buffering) phase_ = Phase::finished;  // nothing was created
  pump();
}

void ArchiveSink::write_whole() {
  phase_ = Phase::writing_whole;
  fs_busy_ = true;
  const int rc =
      uv_queue_work(loop_, &work_req_, &ArchiveSink::whole_on_pool, &ArchiveSink::whole_done);
  if (rc < 0) {
    fs_busy_ = false;
    phase_ = Phase::finished;
    error_ = std::make_exception_ptr(
        ArchiveError(url_, std::string("cannot queue the file write: ") + uv_strerror(rc)));
    pump();
  }
}

// On a pool thread: the loop thread does not touch the sink until whole_done.
void ArchiveSink::whole_on_pool(uv_work_t* work) {
  auto* self = static_cast<ArchiveSink*>(work->data);
  if (!self->make_dir_.empty() && ::mkdir(self->make_dir_.c_str(), 0755) != 0 && errno != EEXIST) {
    self->whole_error_ = "cannot create " + self->make_dir_ + ": " + std::strerror(errno);
    return;
  }
  const std::string& body = self->pending_;
  if (!write_linked(self->final_path_, body)) {
    self->whole_error_ = write_renamed(self->storage_dir_, self->final_path_, body);
    if (!self->whole_error_.empty()) return;
  }
  self->offset_ = body.size();
}

void ArchiveSink::whole_done(uv_work_t* work, int status) {
  auto* self = static_cast<ArchiveSink*>(work->data);
  self->fs_busy_ = false;
  self->phase_ = Phase::finished;
  self->pending_.clear();
  if (status < 0 && self->whole_error_.empty()) self->whole_error_ = uv_strerror(status);
  if (!self->whole_error_.empty())
    self->error_ = std::make_exception_ptr(ArchiveError(self->url_, self->whole_error_));
  self->pump();  // -> complete(); `self` may be gone afterwards
}

void ArchiveSink::pump() {
  if (fs_busy_) return;
  switch (phase_) {
    case Phase::open:
      if (!error_ && !aborting_ && !pending_.empty()) return write_pending();
      if (ending_ || error_) return close_file();
      return;
    case Phase::finished:
      if (ending_ && done_) complete();
      return;
    default: return;  // an fs request of that phase is in flight
  }
}

void ArchiveSink::write_pending() {
  in_flight_.swap(pending_);
  pending_.clear();
  in_flight_done_ = 0;
  uv_buf_t buf = uv_buf_init(in_flight_.data(), static_cast<unsigned>(in_flight_.size()));
  submit(&fs_req_);
  const int rc = uv_fs_write(loop_, &fs_req_, file_, &buf, 1, static_cast<int64_t>(offset_),
                             &ArchiveSink::on_fs);
  if (rc < 0) {
    fs_busy_ = false;
    fail("cannot write " + temp_path_, rc);
  }
}

void ArchiveSink::close_file() {
  phase_ = Phase::closing;
  submit(&fs_req_);
  const int rc = uv_fs_close(loop_, &fs_req_, file_, &ArchiveSink::on_fs);
  if (rc < 0) {
    fs_busy_ = false;
    file_ = -1;
    fail("cannot close " + temp_path_, rc);
  }
}

void ArchiveSink::fail(const std::string& reason, int uv_error) {
  if (!error_) {
    error_ = std::make_exception_ptr(ArchiveError(url_, reason + ": " + uv_strerror(uv_error)));
  }
  pending_.clear();
  if (phase_ == Phase::opening) phase_ = Phase::finished;  // no file exists
  if (resume_) {  // let the HTTP client drain the rest; it is dropped
    auto resume = std::move(resume_);
    resume_ = nullptr;
    resume();
  }
  pump();
}

void ArchiveSink::complete() {
  Done done = std::move(done_);
  done_ = nullptr;
  if (error_ || aborting_) {
    done(std::string{}, error_);
  } else {
    done(final_path_, nullptr);
  }
  // `this` may be gone now.
}

void ArchiveSink::on_fs(uv_fs_t* req) {
  static_cast<ArchiveSink*>(req->data)->handle_fs(req);
}

void ArchiveSink::handle_fs(uv_fs_t* req) {
  const ssize_t result = req->result;
  const uv_fs_type type = req->fs_type;
  std::string made_path = (type == UV_FS_MKSTEMP && result >= 0) ? req->path : std::string{};
  uv_fs_req_cleanup(req);
  fs_busy_ = false;

  switch (type) {
    case UV_FS_MKDIR:
      if (result < 0 && result != UV_EEXIST) {
        phase_ = Phase::finished;
        return fail("cannot create " + make_dir_, static_cast<int>(result));
      }
      make_dir_.clear();
      return start_open();
    case UV_FS_MKSTEMP:
      if (result < 0)
        return fail("cannot create a temporary file in " + storage_dir_, static_cast<int>(result));
      file_ = static_cast<uv_file>(result);
      temp_path_ = std::move(made_path);
      phase_ = Phase::open;
      return pump();
    case UV_FS_WRITE: {
      if (result < 0) return fail("cannot write " + temp_path_, static_cast<int>(result));
      offset_ += static_cast<uint64_t>(result);
      in_flight_done_ += static_cast<size_t>(result);
      if (in_flight_done_ < in_flight_.size() && !aborting_) {  // short write: continue
        uv_buf_t buf = uv_buf_init(in_flight_.data() + in_flight_done_,
                                   static_cast<unsigned>(in_flight_.size() - in_flight_done_));
        submit(&fs_req_);
        const int rc = uv_fs_write(loop_, &fs_req_, file_, &buf, 1, static_cast<int64_t>(offset_),
                                   &ArchiveSink::on_fs);
        if (rc < 0) {
          fs_busy_ = false;
          return fail("cannot write " + temp_path_, rc);
        }
        return;
      }
      in_flight_.clear();
      pump();
      if (resume_ && pending_.size() < kMaxBuffered) {
        auto resume = std::move(resume_);
        resume_ = nullptr;
        resume();  // may deliver more chunks right away
      }
      return;
    }
    case UV_FS_CLOSE: {
      file_ = -1;
      if (result < 0 && !error_) {
        error_ = std::make_exception_ptr(ArchiveError(
            url_, "cannot close " + temp_path_ + ": " + uv_strerror(static_cast<int>(result))));
      }
      submit(&fs_req_);
      int rc;
      if (error_ || aborting_) {
        phase_ = Phase::removing;
        rc = uv_fs_unlink(loop_, &fs_req_, temp_path_.c_str(), &ArchiveSink::on_fs);
      } else {
        phase_ = Phase::renaming;
        rc = uv_fs_rename(loop_, &fs_req_, temp_path_.c_str(), final_path_.c_str(),
                          &ArchiveSink::on_fs);
      }
      if (rc < 0) {
        fs_busy_ = false;
        phase_ = Phase::finished;
        return pump();
      }
      return;
    }
    case UV_FS_RENAME:
      if (result < 0) {
        error_ = std::make_exception_ptr(
            ArchiveError(url_, "cannot rename " + temp_path_ + " to " + final_path_ + ": " +
                                   uv_strerror(static_cast<int>(result))));
        phase_ = Phase::removing;
        submit(&fs_req_);
        if (uv_fs_unlink(loop_, &fs_req_, temp_path_.c_str(), &ArchiveSink::on_fs) < 0) {
          fs_busy_ = false;
          phase_ = Phase::finished;
          return pump();
        }
        return;
      }
      phase_ = Phase::finished;
      return pump();
    case UV_FS_UNLINK: phase_ = Phase::finished; return pump();
    default: return;
  }
}

}  // namespace uvscrape::driver
