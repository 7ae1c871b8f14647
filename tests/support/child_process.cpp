#include "child_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace uvscrape::testing {

ChildProcess::~ChildProcess() {
  stop();
}

bool ChildProcess::spawn(const std::vector<std::string>& args, const std::string& output_path,
                         std::string& failure) {
  if (running()) throw std::logic_error("ChildProcess::spawn: already running");
  if (args.empty()) throw std::invalid_argument("ChildProcess::spawn: no program");
  std::vector<std::string> owned = args;
  std::vector<char*> argv;
  for (auto& a : owned) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, output_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    failure = "posix_spawn(" + args[0] + "): " + std::strerror(rc);
    return false;
  }
  pid_ = pid;
  exit_status_ = 0;
  return true;
}

ChildProcess::Ready ChildProcess::wait_until_accepting(const std::vector<uint16_t>& ports,
                                                       std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (pid_ <= 0) return Ready::exited;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      exit_status_ = status;
      return Ready::exited;
    }
    bool all = true;
    for (uint16_t port : ports) all = all && loopback_port_accepts(port);
    if (all) return Ready::accepting;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Ready::timed_out;
}

bool ChildProcess::wait_for_exit(std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (pid_ > 0) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      exit_status_ = status;
      return true;
    }
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

std::string ChildProcess::thread_states() const {
  if (pid_ <= 0) return "not running";
  const auto read = [](const std::string& path) {
    std::ifstream in(path);
    std::string text;
    std::getline(in, text);
    return text;
  };
  std::string out;
  const std::string dir = "/proc/" + std::to_string(pid_) + "/task";
  std::error_code error;
  for (const auto& task : std::filesystem::directory_iterator(dir, error)) {
    const std::string t = task.path().string();
    const std::string stat = read(t + "/stat");  // "tid (comm) S ..."
    const auto state = stat.find(") ");
    out += task.path().filename().string() + " " + read(t + "/comm") + ": state " +
           (state == std::string::npos ? "?" : stat.substr(state + 2, 1)) + ", wchan " +
           read(t + "/wchan") + ", syscall " + read(t + "/syscall") + "\n";
  }
  return out.empty() ? "no threads readable in " + dir : out;
}

void ChildProcess::send_signal(int signal) {
  if (pid_ > 0) ::kill(pid_, signal);
}

void ChildProcess::stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  const auto until = std::chrono::steady_clock::now() + grace;
  int status = 0;
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > until) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  exit_status_ = status;
  pid_ = -1;
}

bool loopback_port_accepts(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

bool start_server(ChildProcess& child, const ServerStart& start, std::string& failure,
                  bool& port_taken) {
  port_taken = false;
  if (!child.spawn(start.args, start.output_path, failure)) return false;
  switch (child.wait_until_accepting(start.ports, start.timeout)) {
    case ChildProcess::Ready::accepting: return true;
    case ChildProcess::Ready::exited: {
      const std::string log = start.read_log();
      port_taken = log.find("Address already in use") != std::string::npos;
      failure = start.name + " exited at start (status " + std::to_string(child.exit_status()) +
                "):\n" + log;
      return false;
    }
    case ChildProcess::Ready::timed_out: break;
  }
  child.stop();
  failure = start.name + " did not accept connections within " +
            std::to_string(start.timeout.count() / 1000) + " s:\n" + start.read_log();
  return false;
}

uint16_t pick_free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("pick_free_loopback_port: socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const int error = errno;
    ::close(fd);
    throw std::runtime_error(std::string("pick_free_loopback_port: ") + std::strerror(error));
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace uvscrape::testing
