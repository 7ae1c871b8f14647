// A libuv loop, the in-process test server and an http::Client, with helpers
// that run the loop until requests finish or a deadline passes (nothing hangs).
#pragma once

#include <gtest/gtest.h>
#include <uv.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <typeinfo>

#include "http/client.hpp"
#include "test_server.hpp"
#include "uvscrape/errors.hpp"

namespace uvscrape::http::test {

using namespace std::chrono_literals;
using uvscrape::testing::ContentEncoding;
using uvscrape::testing::Disconnect;
using uvscrape::testing::ServerRequest;
using uvscrape::testing::ServerResponse;
using uvscrape::testing::TestServer;
using uvscrape::testing::TestServerOptions;

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(uv_loop_init(&loop_), 0);
    server_ = std::make_unique<TestServer>(&loop_, server_options());
  }

  void TearDown() override {
    if (client_) client_->close();
    if (server_) server_->close();
    // Everything closes: the loop runs out of handles on its own (deadline-bound).
    run_for(5s, [this] { return uv_loop_alive(&loop_) == 0; });
    client_.reset();
    server_.reset();
    run_for(5s, [this] { return uv_loop_alive(&loop_) == 0; });
    EXPECT_EQ(uv_loop_close(&loop_), 0);
  }

  virtual TestServerOptions server_options() { return {}; }

  Client& client(ClientOptions options = {}) {
    if (!client_) client_ = std::make_unique<Client>(&loop_, std::move(options));
    return *client_;
  }
  TestServer& server() { return *server_; }
  uv_loop_t* loop() { return &loop_; }

  // Runs the loop until `done()` or `deadline`; a missed deadline fails the test.
  // Returns whether `done()` became true.
  bool run_for(std::chrono::milliseconds deadline, const std::function<bool()>& done,
               bool expect_done = true) {
    bool expired = false;
    uv_timer_t timer;
    uv_timer_init(&loop_, &timer);
    timer.data = &expired;
    uv_timer_start(
        &timer, [](uv_timer_t* t) { *static_cast<bool*>(t->data) = true; },
        static_cast<uint64_t>(deadline.count()), 0);
    // Unref'd: the deadline alone must not keep the loop alive.
    uv_unref(reinterpret_cast<uv_handle_t*>(&timer));
    while (!done() && !expired) {
      if (uv_run(&loop_, UV_RUN_ONCE) == 0 && !done()) break;  // nothing left to wait for
    }
    uv_close(reinterpret_cast<uv_handle_t*>(&timer), nullptr);
    uv_run(&loop_, UV_RUN_NOWAIT);
    const bool ok = done();
    if (expect_done && !ok) ADD_FAILURE() << "deadline of " << deadline.count() << " ms passed";
    return ok;
  }

  // One request to completion (or the deadline, which fails the test).
  Result fetch(HttpRequest request, std::chrono::milliseconds deadline = 5s,
               ClientOptions options = {}) {
    Client& c = client(std::move(options));
    std::optional<Result> out;
    int calls = 0;
    c.fetch(std::move(request), [&](Result r) {
      ++calls;
      out = std::move(r);
    });
    EXPECT_EQ(calls, 0) << "done ran inside fetch()";
    if (!run_for(deadline, [&] { return out.has_value(); })) return Result{};
    EXPECT_EQ(calls, 1);
    return std::move(*out);
  }

  Result get(const std::string& path, std::chrono::milliseconds deadline = 5s) {
    HttpRequest r;
    r.url = server().url(path);
    return fetch(std::move(r), deadline);
  }

 private:
  uv_loop_t loop_{};
  std::unique_ptr<TestServer> server_;
  std::unique_ptr<Client> client_;
};

// The response of a successful result (fails the test otherwise).
inline HttpResponse ok(const Result& r) {
  const HttpResponse empty;
  if (r.error) {
    try {
      std::rethrow_exception(r.error);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "unexpected error: " << e.what();
    }
    return empty;
  }
  if (!r.response) {
    ADD_FAILURE() << "no result";
    return empty;
  }
  return *r.response;
}

// Asserts that `r` failed with exactly the type E; returns its message.
template <class E>
std::string expect_error(const Result& r) {
  if (!r.error) {
    ADD_FAILURE() << "expected " << typeid(E).name() << ", got "
                  << (r.response ? "status " + std::to_string(r.response->status) : "nothing");
    return {};
  }
  try {
    std::rethrow_exception(r.error);
  } catch (const std::exception& e) {
    EXPECT_EQ(std::string(typeid(e).name()), std::string(typeid(E).name())) << e.what();
    return e.what();
  }
  return {};
}

}  // namespace uvscrape::http::test
