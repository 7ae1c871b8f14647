// ChildProcess: a server program the tests run as a child (nginx, tinyproxy,
// redis-server...) -- spawned with its arguments, waited for until a loopback
// port accepts connections, stopped with SIGTERM (SIGKILL after a grace time).
//
//   ChildProcess child;
//   std::string failure;
//   const uint16_t port = pick_free_loopback_port();
//   if (!child.spawn({"/usr/bin/tinyproxy", "-d", "-c", conf}, log_path, failure)) ...
//   switch (child.wait_until_accepting({port}, std::chrono::seconds(10))) {
//     case ChildProcess::Ready::accepting: ...  // every port accepts
//     case ChildProcess::Ready::exited: ...     // exit_status() says how; read its log
//     case ChildProcess::Ready::timed_out: ...  // still running, not accepting
//   }
//   child.stop();  // or the destructor
//
// Spawned with posix_spawn, not fork: the test process may have other threads.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace uvscrape::testing {

class ChildProcess {
 public:
  enum class Ready { accepting, exited, timed_out };

  ChildProcess() = default;
  ~ChildProcess();  // stop()
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Starts args[0] (a path, not searched in PATH) with args as its argv; its
  // stdout and stderr go to output_path (truncated). False with `failure` set
  // if posix_spawn fails. Must not be running already.
  bool spawn(const std::vector<std::string>& args, const std::string& output_path,
             std::string& failure);

  // Polls (every 20 ms) until every port in `ports` accepts a TCP connection on
  // 127.0.0.1, the child exits, or `timeout` passes. Blocks the calling thread.
  Ready wait_until_accepting(const std::vector<uint16_t>& ports, std::chrono::milliseconds timeout);

  // Polls (every 10 ms) until the child exits by itself: true (exit_status()
  // says how), or false when `timeout` passes first (it keeps running).
  bool wait_for_exit(std::chrono::milliseconds timeout);
  // Sends `signal` (SIGKILL, SIGSTOP...) and returns; wait_for_exit or stop
  // reaps the child.
  void send_signal(int signal);

  // SIGTERM, then waits for the exit (SIGKILL after `grace`). Idempotent.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(5));

  // Where a running child's threads are (from /proc: state, the syscall and
  // the kernel function each waits in), one line per thread: for the failure
  // message of a child that did not exit when it should have.
  std::string thread_states() const;

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  // The waitpid() status of the last exit seen by wait_until_accepting or stop.
  int exit_status() const { return exit_status_; }

 private:
  pid_t pid_ = -1;
  int exit_status_ = 0;
};

// A server's start: what to run and how to tell whether it came up.
struct ServerStart {
  std::string name;  // for messages: "nginx", "redis-server"...
  std::vector<std::string> args;
  std::string output_path;  // its stdout and stderr
  std::vector<uint16_t> ports;
  std::chrono::milliseconds timeout{10'000};
  std::function<std::string()> read_log;  // what the server logged, for `failure`
};

// Spawns the server with `child` and waits until its ports accept. False
// with `failure` saying why (with its log) when it could not spawn, exited
// (`port_taken` set when its log says "Address already in use": pick other
// ports and try again) or did not accept within the timeout (then stopped).
bool start_server(ChildProcess& child, const ServerStart& start, std::string& failure,
                  bool& port_taken);

// True if a TCP connection to 127.0.0.1:port succeeds right now.
bool loopback_port_accepts(uint16_t port);

// A loopback TCP port that was free a moment ago (bind to port 0, read it back,
// release it). Someone may take it before it is used: callers retry.
uint16_t pick_free_loopback_port();

}  // namespace uvscrape::testing
