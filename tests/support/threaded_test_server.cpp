#include "threaded_test_server.hpp"

#include <stdexcept>

namespace uvscrape::testing {

ThreadedTestServer::ThreadedTestServer(TestServerOptions options, bool start_now)
    : loop_(std::make_unique<uv_loop_t>()) {
  if (uv_loop_init(loop_.get()) != 0) throw std::runtime_error("test server: uv_loop_init failed");
  uv_async_init(loop_.get(), &stop_async_, &ThreadedTestServer::on_stop);
  stop_async_.data = this;
  try {
    server_ = std::make_unique<TestServer>(loop_.get(), std::move(options));
  } catch (...) {
    uv_close(reinterpret_cast<uv_handle_t*>(&stop_async_), nullptr);
    uv_run(loop_.get(), UV_RUN_DEFAULT);
    uv_loop_close(loop_.get());
    throw;
  }
  if (start_now) start();
}

ThreadedTestServer::~ThreadedTestServer() {
  stop();
}

void ThreadedTestServer::start() {
  std::lock_guard lock(lifecycle_);
  if (started_ || stopped_) return;
  started_ = true;
  thread_ = std::thread([this] { uv_run(loop_.get(), UV_RUN_DEFAULT); });
}

// Runs on the server thread: everything closes there, so uv_run returns.
void ThreadedTestServer::on_stop(uv_async_t* async) {
  auto* self = static_cast<ThreadedTestServer*>(async->data);
  self->server_->close();
  uv_close(reinterpret_cast<uv_handle_t*>(async), nullptr);
}

void ThreadedTestServer::stop() {
  std::lock_guard lock(lifecycle_);
  if (stopped_) return;
  stopped_ = true;
  uv_async_send(&stop_async_);
  if (started_) {
    thread_.join();
  } else {
    uv_run(loop_.get(), UV_RUN_DEFAULT);  // never started: close on this thread
  }
  loop_close_result_ = uv_loop_close(loop_.get());
}

}  // namespace uvscrape::testing
