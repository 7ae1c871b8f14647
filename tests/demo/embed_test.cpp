// examples/embed: a crawl started with Driver::start() inside a libuv program
// that keeps its own timer and status endpoint alive, answers /status during
// the crawl, and stops the crawl on SIGINT through the StopSignal.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "embed_app.hpp"
#include "raw_client.hpp"
#include "site_handler.hpp"
#include "threaded_test_server.hpp"

namespace {

namespace fs = std::filesystem;
using uvscrape::Json;
using uvscrape::testing::RawClient;
using uvscrape::testing::ServerRequest;
using uvscrape::testing::ServerResponse;
using uvscrape::testing::ThreadedTestServer;

Json full_seed() {
  Json seed = Json::array();
  for (int year : {2024, 2025, 2026})
    seed.push_back({{"fetch_case", {{"case_id", {{"year", year}, {"min", 1}, {"gap", 3}}}}}});
  seed.push_back({{"get_justices", Json::object()}});
  seed.push_back({{"get_oral_arguments", Json::object()}});
  return seed;
}

// A deadline on the test's loop that does not keep the loop alive.
struct LoopWatchdog {
  uv_timer_t timer{};
  embed::EmbedApp* app = nullptr;
  bool fired = false;

  LoopWatchdog(uv_loop_t* loop, embed::EmbedApp* target, uint64_t ms) : app(target) {
    uv_timer_init(loop, &timer);
    timer.data = this;
    uv_timer_start(
        &timer,
        [](uv_timer_t* t) {
          auto* self = static_cast<LoopWatchdog*>(t->data);
          self->fired = true;
          self->app->shutdown();
        },
        ms, 0);
    uv_unref(reinterpret_cast<uv_handle_t*>(&timer));
  }
  void close() { uv_close(reinterpret_cast<uv_handle_t*>(&timer), nullptr); }
};

class Embed : public ::testing::Test {
 protected:
  void SetUp() override {
    storage_ = fs::temp_directory_path() /
               ("uvscrape-embed-test-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(storage_);
    uv_loop_init(&loop_);
  }
  void TearDown() override {
    site_.stop();
    EXPECT_EQ(site_.loop_close_result(), 0);
    fs::remove_all(storage_);
  }

  embed::EmbedOptions options() const {
    embed::EmbedOptions o;
    o.base_url = site_.url("");
    o.workers = 2;
    o.storage_dir = storage_.string();
    o.seed = full_seed();
    o.heartbeat_ms = 20;
    return o;
  }

  ThreadedTestServer site_;
  fs::path storage_;
  uv_loop_t loop_{};
};

TEST_F(Embed, StatusIsServedDuringTheCrawlAndSigintStopsIt) {
  // Every page takes a while, so the crawl is still running when /status is asked.
  site_->route("*", "/*", [](const ServerRequest& request, ServerResponse& response) {
    bug_court::serve_site(request, response);
    response.delay_before_headers = std::chrono::milliseconds(40);
  });
  std::string status_reply;
  {
    embed::EmbedApp app(&loop_, options());
    LoopWatchdog watchdog(&loop_, &app, 20'000);
    const uint16_t port = static_cast<uint16_t>(app.status_port());
    app.start();

    // Another process's view: an HTTP client on its own thread, then Ctrl-C.
    std::thread client([port, &status_reply] {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      try {
        RawClient c(port);
        c.send("GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        c.read(std::chrono::milliseconds(5000));
        status_reply = c.received();
      } catch (const std::exception& e) {
        status_reply = std::string("client failed: ") + e.what();
      }
      ::kill(::getpid(), SIGINT);  // caught by the program's uv_signal_t
    });
    uv_run(&loop_, UV_RUN_DEFAULT);
    client.join();
    watchdog.close();
    uv_run(&loop_, UV_RUN_DEFAULT);

    EXPECT_FALSE(watchdog.fired);
    ASSERT_TRUE(app.crawl_result().has_value());
    EXPECT_EQ(app.crawl_result()->status, uvscrape::RunStatus::stopped);
    EXPECT_GT(app.crawl_result()->requests_discarded + app.crawl_result()->requests_completed, 0u);
    EXPECT_GT(app.heartbeats(), 5u);  // the program's own timer kept ticking
    EXPECT_EQ(app.status_requests_answered(), 1u);
  }
  EXPECT_EQ(uv_loop_close(&loop_), 0);

  ASSERT_EQ(status_reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << status_reply;
  Json status = Json::parse(status_reply.substr(status_reply.find("\r\n\r\n") + 4));
  EXPECT_EQ(status["crawl"]["state"], "running");
  EXPECT_GT(status["heartbeats"].get<long>(), 0);
  EXPECT_GT(status["crawl"]["requests_completed"].get<long>(), 0);
}

TEST_F(Embed, ACrawlRunsToTheEndAndTheProgramCloses) {
  bug_court::install_site(site_.server());
  embed::EmbedOptions o = options();
  o.exit_when_done = true;
  {
    embed::EmbedApp app(&loop_, o);
    LoopWatchdog watchdog(&loop_, &app, 20'000);
    app.start();
    uv_run(&loop_, UV_RUN_DEFAULT);
    watchdog.close();
    uv_run(&loop_, UV_RUN_DEFAULT);

    EXPECT_FALSE(watchdog.fired);
    ASSERT_TRUE(app.crawl_result().has_value());
    EXPECT_EQ(app.crawl_result()->status, uvscrape::RunStatus::completed);
    EXPECT_EQ(app.crawl_result()->items_emitted, 30u + 7u + 15u + 17u);
    Json status = Json::parse(app.status_json());
    EXPECT_EQ(status["crawl"]["state"], "completed");
    EXPECT_EQ(status["crawl"]["items"], 69);
    EXPECT_EQ(status["crawl"]["files_archived"], 32);
  }
  EXPECT_EQ(uv_loop_close(&loop_), 0);
}

}  // namespace
