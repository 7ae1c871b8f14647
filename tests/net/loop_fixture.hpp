// A libuv loop per test, run under a deadline, checked for leaks at the end.
#pragma once

#include <gtest/gtest.h>
#include <uv.h>

#include <chrono>

namespace uvscrape::net::testing {

class LoopTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(uv_loop_init(&loop_), 0); }

  // Runs the loop until no handle is left, failing the test after `deadline`.
  void run(std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
    uv_timer_t watchdog;
    uv_timer_init(&loop_, &watchdog);
    watchdog.data = this;
    uv_timer_start(
        &watchdog,
        [](uv_timer_t* t) {
          static_cast<LoopTest*>(t->data)->timed_out_ = true;
          uv_stop(t->loop);
        },
        static_cast<uint64_t>(deadline.count()), 0);
    uv_unref(reinterpret_cast<uv_handle_t*>(&watchdog));  // does not keep the loop alive
    uv_run(&loop_, UV_RUN_DEFAULT);
    uv_close(reinterpret_cast<uv_handle_t*>(&watchdog), nullptr);
    uv_run(&loop_, UV_RUN_NOWAIT);
    if (timed_out_) ADD_FAILURE() << "test deadline of " << deadline.count() << " ms expired";
  }

  void TearDown() override {
    if (timed_out_) {
      // Close whatever is left so the process can go on to the next test.
      uv_walk(
          &loop_,
          [](uv_handle_t* h, void*) {
            if (!uv_is_closing(h)) uv_close(h, nullptr);
          },
          nullptr);
      uv_run(&loop_, UV_RUN_DEFAULT);
    }
    // One more turn for closes requested by destructors at the end of the test
    // body; anything still open makes uv_loop_close fail below.
    uv_run(&loop_, UV_RUN_NOWAIT);
    EXPECT_EQ(uv_loop_close(&loop_), 0);
  }

  uv_loop_t* loop() { return &loop_; }

  uv_loop_t loop_{};
  bool timed_out_ = false;
};

}  // namespace uvscrape::net::testing
