// ChildProcess from the outside: a real child that listens (python3), one that
// exits at once, one that never listens, and one that ignores SIGTERM.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "child_process.hpp"

namespace uvscrape::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

std::string output_path(const std::string& name) {
  return (fs::temp_directory_path() /
          ("uvscrape-child-" + std::to_string(::getpid()) + "-" + name + ".log"))
      .string();
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(ChildProcess, WaitsUntilTheChildAcceptsThenStopsItWithSigterm) {
  const uint16_t port = pick_free_loopback_port();
  EXPECT_FALSE(loopback_port_accepts(port));
  const std::string script =
      "import socket, sys, time\n"
      "time.sleep(0.3)\n"  // the wait has to poll more than once
      "s = socket.socket(); s.bind(('127.0.0.1', " +
      std::to_string(port) +
      ")); s.listen()\n"
      "print('listening', flush=True)\n"
      "time.sleep(60)\n";
  const std::string out = output_path("listen");
  ChildProcess child;
  std::string failure;
  ASSERT_TRUE(child.spawn({"/usr/bin/python3", "-c", script}, out, failure)) << failure;
  ASSERT_TRUE(child.running());
  ASSERT_EQ(child.wait_until_accepting({port}, 10s), ChildProcess::Ready::accepting)
      << read_text(out);
  EXPECT_TRUE(loopback_port_accepts(port));
  EXPECT_NE(read_text(out).find("listening"), std::string::npos);
  child.stop();
  EXPECT_FALSE(child.running());
  EXPECT_TRUE(WIFSIGNALED(child.exit_status()));
  EXPECT_EQ(WTERMSIG(child.exit_status()), SIGTERM);
  EXPECT_FALSE(loopback_port_accepts(port));
  child.stop();  // idempotent
  fs::remove(out);
}

TEST(ChildProcess, ReportsAChildThatExitsBeforeAccepting) {
  const std::string out = output_path("exit");
  ChildProcess child;
  std::string failure;
  ASSERT_TRUE(child.spawn({"/bin/sh", "-c", "echo cannot bind >&2; exit 3"}, out, failure));
  EXPECT_EQ(child.wait_until_accepting({pick_free_loopback_port()}, 10s),
            ChildProcess::Ready::exited);
  EXPECT_FALSE(child.running());
  ASSERT_TRUE(WIFEXITED(child.exit_status()));
  EXPECT_EQ(WEXITSTATUS(child.exit_status()), 3);
  EXPECT_EQ(read_text(out), "cannot bind\n");  // stderr goes to the output file
  fs::remove(out);
}

TEST(ChildProcess, TimesOutOnAChildThatNeverListensAndKillsOneThatIgnoresSigterm) {
  const std::string out = output_path("stubborn");
  ChildProcess child;
  std::string failure;
  ASSERT_TRUE(child.spawn(
      {"/bin/sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.05; done"}, out, failure));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(child.wait_until_accepting({pick_free_loopback_port()}, 300ms),
            ChildProcess::Ready::timed_out);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 300ms);
  EXPECT_TRUE(child.running());
  child.stop(200ms);
  EXPECT_FALSE(child.running());
  ASSERT_TRUE(WIFSIGNALED(child.exit_status()));
  EXPECT_EQ(WTERMSIG(child.exit_status()), SIGKILL);
  fs::remove(out);
}

TEST(ChildProcess, SpawnFailureIsReportedWithTheProgram) {
  ChildProcess child;
  std::string failure;
  EXPECT_FALSE(child.spawn({"/nonexistent/server"}, output_path("missing"), failure));
  EXPECT_NE(failure.find("/nonexistent/server"), std::string::npos) << failure;
  EXPECT_FALSE(child.running());
  fs::remove(output_path("missing"));
}

}  // namespace
}  // namespace uvscrape::testing
