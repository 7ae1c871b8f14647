// StopSignal: thread-safe, wakes an attached loop, works from a uv_signal_t.
#include "uvscrape/stop_signal.hpp"

#include <gtest/gtest.h>
#include <uv.h>

#include <csignal>
#include <thread>

#include "driver/stop_state.hpp"

namespace uvscrape::driver {
namespace {

// A deadline so no test can hang: stops the loop after `ms`.
struct Watchdog {
  uv_timer_t timer{};
  bool fired = false;
  Watchdog(uv_loop_t* loop, uint64_t ms) {
    uv_timer_init(loop, &timer);
    timer.data = this;
    uv_timer_start(
        &timer,
        [](uv_timer_t* t) {
          static_cast<Watchdog*>(t->data)->fired = true;
          uv_stop(t->loop);
        },
        ms, 0);
    uv_unref(reinterpret_cast<uv_handle_t*>(&timer));
  }
  void close() { uv_close(reinterpret_cast<uv_handle_t*>(&timer), nullptr); }
};

TEST(StopSignal, CopiesShareState) {
  StopSignal a;
  StopSignal b = a;
  EXPECT_FALSE(b.stop_requested());
  a.request_stop();
  EXPECT_TRUE(b.stop_requested());
  b.reset();
  EXPECT_FALSE(a.stop_requested());
}

TEST(StopSignal, WakesTheLoopFromAnotherThread) {
  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  Watchdog watchdog(&loop, 5000);
  StopSignal signal;
  int calls = 0;
  StopListener listener(&loop, signal, [&] {
    ++calls;
    listener.close();  // the only ref'd handle: the loop ends
  });
  std::thread other([signal] { signal.request_stop(); });
  uv_run(&loop, UV_RUN_DEFAULT);
  other.join();
  EXPECT_FALSE(watchdog.fired);
  EXPECT_EQ(calls, 1);
  watchdog.close();
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

TEST(StopSignal, RequestBeforeAttachIsVisible) {
  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  StopSignal signal;
  signal.request_stop();
  StopListener listener(&loop, signal, [] {});
  EXPECT_TRUE(listener.stop_requested());
  listener.close();
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

TEST(StopSignal, FromAUvSignalHandler) {
  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  Watchdog watchdog(&loop, 5000);
  StopSignal signal;
  bool stopped = false;
  StopListener listener(&loop, signal, [&] {
    stopped = true;
    listener.close();
  });
  uv_signal_t sig{};
  uv_signal_init(&loop, &sig);
  sig.data = &signal;
  uv_signal_start(
      &sig,
      [](uv_signal_t* handle, int) {
        static_cast<StopSignal*>(handle->data)->request_stop();
        uv_close(reinterpret_cast<uv_handle_t*>(handle), nullptr);
      },
      SIGUSR1);
  uv_timer_t raiser{};
  uv_timer_init(&loop, &raiser);
  uv_timer_start(
      &raiser,
      [](uv_timer_t* t) {
        std::raise(SIGUSR1);
        uv_close(reinterpret_cast<uv_handle_t*>(t), nullptr);
      },
      10, 0);
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_FALSE(watchdog.fired);
  EXPECT_TRUE(stopped);
  EXPECT_TRUE(signal.stop_requested());
  watchdog.close();
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

}  // namespace
}  // namespace uvscrape::driver
