// The SQLite run store (DriverOptions::store_path; docs/design.md §20): the
// run in one file, durable across kill -9, resumable.
//
// Threads: every SQLite call runs on one writer thread the store owns; the
// loop thread only queues operations (a mutex held for a push, never for
// I/O) and is woken through a uv_async_t to deliver the reports. Dedup runs
// on the writer thread against the file's seen table, in the transaction that
// commits the children, so the seen set is never held in memory: the store's
// RSS does not grow with the run (docs/durable-runs.md). Children's ids are
// assigned there too; the committed report carries them.
//
// Group commit: the writer takes what is queued, waits up to kGroupWindow
// (0.5 ms) for more (or until kGroupOps are queued), and commits it all in one
// transaction; each completion is then reported. A completion is never split
// across transactions, so a crash leaves all of a request's effects or none.
// The file is in WAL mode with synchronous=NORMAL: a commit survives a crash
// of the process; a power loss may lose the last commits, never consistency.
//
// A second process (or a second store in this one) opening the same file
// gets a StoreError: an exclusive flock on "<file>.lock" is held while open.
#pragma once

#include <uv.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/run_store.hpp"

namespace uvscrape::store {

class SqliteStore final : public RunStore {
 public:
  // Short: a chain of pages (list -> next list) waits for each commit, so the
  // window is paid once per hop; operations that arrive while a transaction
  // runs join the next one anyway.
  static constexpr std::chrono::microseconds kGroupWindow{500};
  static constexpr std::size_t kGroupOps = 512;
  // The frontier window: at most this many pending requests are in the
  // driver's memory (a few KiB each, so tens of MiB at most); the rest stay
  // in the file. Large enough that a refill (one indexed read of the next
  // best-ranked rows) is rare next to the fetches it feeds.
  static constexpr std::size_t kWindow = 10000;

  // `window` 0: kWindow.
  SqliteStore(uv_loop_t* loop, std::string path, std::size_t window = kWindow);
  // After close() reported store_closed; otherwise stops the writer (blocks
  // until it has finished its transaction).
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  void open(const RunIdentity& identity, Listener& listener) override;
  void started(RequestId id, int attempts) override;
  void commit(Completion completion) override;
  void close(const std::string& status) override;
  bool durable() const noexcept override { return true; }
  std::size_t window() const noexcept override { return window_; }
  void refill(std::size_t max, std::vector<RequestId> exclude) override;

  class Database;  // the writer thread's side (sqlite_store.cpp)

  struct Op {
    enum class Kind { open, started, commit, close, refill } kind;
    RequestId id = 0;
    int attempts = 0;
    Completion completion;
    std::string status;
    std::size_t max = 0;             // refill
    std::vector<RequestId> exclude;  // refill
  };
  struct Report {
    enum class Kind { opened, committed, failed, closed, refilled } kind;
    Opened opened;
    Completion completion;
    std::exception_ptr error;
    std::vector<PendingRequest> pending;  // refilled
    bool more = false;                    // refilled
  };

 private:
  void enqueue(Op op);
  void writer_main();
  static void on_async(uv_async_t* async);
  void deliver_reports();

  uv_loop_t* loop_;
  const std::string path_;
  const std::size_t window_;
  RunIdentity identity_;
  Listener* listener_ = nullptr;
  // Loop thread only.
  bool failed_ = false;
  uv_async_t* async_ = nullptr;  // freed by its close callback

  // Shared with the writer thread.
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Op> inbox_;
  std::vector<Report> outbox_;
  std::thread writer_;
};

}  // namespace uvscrape::store
