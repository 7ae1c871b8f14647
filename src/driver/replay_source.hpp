// The response source of a replay (DriverOptions::replay_from): answers a
// request from a stored run instead of the network.
//
// A request is looked up by its wire identity: method, URL with its query
// parameters, and body (replay_identity()). The stored run's requests are
// indexed by the same identity the first time a lookup runs (in a temporary
// table of SQLite's, on disk past a small cache: a replay of a million pages
// does not hold their requests in memory); a request the
// stored run made more than once (no dedup) gets its stored answers in the
// order the stored run made them, then the last one again.
//
// Every lookup reads SQLite and decompresses, so it runs on the libuv thread
// pool (uv_queue_work), one at a time under a mutex (one SQLite connection);
// the answer comes back on the loop thread. close() releases the file on the
// thread pool too. Loop thread only, apart from what the pool runs.
#pragma once

#include <uv.h>

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "store/run_store.hpp"
#include "store/stored_responses.hpp"
#include "uvscrape/request.hpp"

namespace uvscrape::driver {

// What a replayed request gets: a stored response, a miss, or an error of
// the store file (a StoreError naming it).
struct ReplayAnswer {
  std::optional<store::StoredResponse> response;  // the step's response (no body for archives)
  std::optional<store::ArchivedFile> file;        // an archive request's stored file
  bool miss = false;                              // the stored run has no answer for it
  // The request failed for good in the stored run: its failure (kind, message).
  std::optional<std::pair<std::string, std::string>> stored_failure;
  std::exception_ptr error;
};

// The identity a replay matches on: "METHOD URL" plus the body, if any.
std::string replay_identity(const Request& request);

class ReplaySource {
 public:
  ReplaySource(uv_loop_t* loop, std::string path);
  ~ReplaySource();  // close() must have completed (or nothing was ever looked up)
  ReplaySource(const ReplaySource&) = delete;
  ReplaySource& operator=(const ReplaySource&) = delete;

  // Looks `request` up; `done` runs on the loop thread on a later turn.
  void fetch(const Request& request, std::function<void(ReplayAnswer)> done);
  // Releases the store file (on the thread pool); `done` runs on the loop
  // thread. No fetch() may be pending or follow.
  void close(std::function<void()> done);
  const std::string& path() const noexcept { return path_; }

  struct Index;  // the stored run, opened (replay_source.cpp)

 private:
  uv_loop_t* loop_;
  const std::string path_;
  std::mutex mutex_;              // the index is used by one pool thread at a time
  std::unique_ptr<Index> index_;  // built by the first lookup, on the pool
};

}  // namespace uvscrape::driver
