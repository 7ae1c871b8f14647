// on_archive on the thread pool; see archive_job.hpp.
#include "driver/archive_job.hpp"

#include <memory>

#include "uvscrape/errors.hpp"

namespace uvscrape::driver {
namespace {

struct ArchiveJob {
  uv_work_t work{};
  ArchiveWriter callback;
  std::string content, url, expected_type, storage_dir;
  std::string path;
  std::exception_ptr error;
  std::function<void(std::string, std::exception_ptr)> done;
};

void work_on_pool(uv_work_t* work) {
  auto* job = static_cast<ArchiveJob*>(work->data);
  try {
    job->path = job->callback(job->content, job->url, job->expected_type, job->storage_dir);
  } catch (...) {
    job->error = std::current_exception();
  }
  std::string().swap(job->content);  // release the body on the pool, not later on the loop
}

void after_work(uv_work_t* work, int status) {
  std::unique_ptr<ArchiveJob> job(static_cast<ArchiveJob*>(work->data));
  if (status == UV_ECANCELED && !job->error) {
    job->error = std::make_exception_ptr(CancelledError(job->url, "archive callback cancelled"));
  }
  job->done(std::move(job->path), job->error);
}

}  // namespace

void run_archive_callback(uv_loop_t* loop, const ArchiveWriter& callback, std::string content,
                          std::string url, std::string expected_type, std::string storage_dir,
                          std::function<void(std::string, std::exception_ptr)> done) {
  auto job = std::make_unique<ArchiveJob>();
  job->callback = callback;
  job->content = std::move(content);
  job->url = std::move(url);
  job->expected_type = std::move(expected_type);
  job->storage_dir = std::move(storage_dir);
  job->done = std::move(done);
  job->work.data = job.get();
  const int rc = uv_queue_work(loop, &job->work, &work_on_pool, &after_work);
  if (rc == 0) {
    job.release();  // freed in after_work
    return;
  }
  job->done(std::string{},
            std::make_exception_ptr(ArchiveError(
                job->url, std::string("cannot queue the archive callback: ") + uv_strerror(rc))));
}

}  // namespace uvscrape::driver
