// The TestServer on its own thread with its own loop, for code under test that
// owns the caller's thread (a driver's blocking run()).
//
//   ThreadedTestServer server;                  // listening, loop thread running
//   server->respond("GET", "/", ServerResponse::html("<a href='/x'>x</a>"));
//   driver.run(server->url("/"));               // blocks this thread; fine
//   EXPECT_EQ(server->request_count(), 2u);
//   server.stop();                              // or the destructor
//   EXPECT_EQ(server.loop_close_result(), 0);
//
// Routes may be added and records read from any thread (TestServer locks);
// handlers run on the server thread.
#pragma once

#include <uv.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>

#include "test_server.hpp"

namespace uvscrape::testing {

class ThreadedTestServer {
 public:
  // Listens before returning (port() is valid); starts the loop thread unless
  // `start_now` is false.
  explicit ThreadedTestServer(TestServerOptions options = {}, bool start_now = true);
  ~ThreadedTestServer();  // stop()
  ThreadedTestServer(const ThreadedTestServer&) = delete;
  ThreadedTestServer& operator=(const ThreadedTestServer&) = delete;

  // Runs the loop on a new thread. Thread-safe and idempotent; a stopped server
  // does not start again.
  void start();
  // Thread-safe (not from a route handler): wakes the loop through a uv_async_t,
  // closes the listener and every connection, joins the thread and closes the loop.
  void stop();
  // uv_loop_close()'s result after stop(): 0 when nothing leaked.
  int loop_close_result() const { return loop_close_result_; }

  TestServer& server() { return *server_; }
  TestServer* operator->() { return server_.get(); }
  const TestServer* operator->() const { return server_.get(); }
  uint16_t port() const { return server_->port(); }
  std::string url(std::string_view path = "/") const { return server_->url(path); }

 private:
  static void on_stop(uv_async_t* async);

  std::mutex lifecycle_;
  std::unique_ptr<uv_loop_t> loop_;
  uv_async_t stop_async_{};
  std::unique_ptr<TestServer> server_;
  std::thread thread_;
  bool started_ = false;
  bool stopped_ = false;
  int loop_close_result_ = -1;
};

}  // namespace uvscrape::testing
