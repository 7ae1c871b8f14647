// Scale figures of the SQLite store's frontier (docs/durable-runs.md, "The
// frontier window"), through the run-store interface on a libuv loop:
//
// 1. Enqueue: N requests (distinct ~45-char URLs over 100 hosts, each with a
//    dedup key) are committed as children, 1,000 per completion.
// 2. Resume: the store is closed ("stopped") and opened again: the time from
//    open() to store_opened, which hands over the first window (10,000) of the
//    best-ranked pending requests (the seen set stays in the file).
// 3. Dequeue: refill() a window at a time; each request is started() and
//    committed done, as the driver does.
// Peak RSS (ru_maxrss) over the whole run: bounded by the window, not by N
// (dedup reads the file's seen table; only a 1 MiB cache of recent keys is in
// memory).
//
//   store_frontier [REQUESTS] [FILE]   (default 10,000,000 and a file in /tmp;
//                                       targets: peak RSS <= 256 MiB, resume <= 2 s)
#include <sys/resource.h>
#include <uv.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "store/sqlite_store.hpp"

namespace {

using namespace uvscrape;
using namespace uvscrape::store;
using Clock = std::chrono::steady_clock;

struct BenchListener final : store::Listener {
  bool opened = false, closed = false, refilled = false, more = false;
  std::size_t committed = 0;
  Opened open_result;
  std::vector<PendingRequest> pending;
  void store_opened(Opened o) override {
    open_result = std::move(o);
    opened = true;
  }
  void store_committed(Completion) override { ++committed; }
  void store_failed(std::exception_ptr e) override { std::rethrow_exception(e); }
  void store_closed() override { closed = true; }
  void store_refilled(std::vector<PendingRequest> p, bool m) override {
    pending = std::move(p);
    more = m;
    refilled = true;
  }
};

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

template <typename Pred>
void run_until(uv_loop_t* loop, Pred done) {
  while (!done()) uv_run(loop, UV_RUN_ONCE);
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 10'000'000;
  const std::string path = argc > 2 ? argv[2] : "/tmp/uvscrape-store-frontier.db";
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  uv_loop_t loop;
  uv_loop_init(&loop);
  RunIdentity identity{"bench", nullptr, "", false, false};

  // 1. Enqueue.
  std::size_t in_window = 0;
  double resume_s = 0;
  {
    BenchListener l;
    SqliteStore s(&loop, path);
    s.open(identity, l);
    run_until(&loop, [&] { return l.opened; });
    const auto t0 = Clock::now();
    std::size_t submitted = 0;
    constexpr std::size_t kPer = 1000;
    for (std::size_t i = 0; i < n;) {
      Completion c;
      c.settle = Settle::seed;
      for (std::size_t k = 0; k < kPer && i < n; ++k, ++i) {
        std::string url =
            "http://h" + std::to_string(i % 100) + ".example/case/" + std::to_string(i) + "?v=1";
        const KeyHash key = hash_key(url);
        c.children.push_back(Child{Request::get(url).to("case"), key, false, 0});
      }
      s.commit(std::move(c));
      ++submitted;
      run_until(&loop, [&] { return l.committed + 8 >= submitted; });  // a few in flight
    }
    run_until(&loop, [&] { return l.committed == submitted; });
    const double t = seconds_since(t0);
    std::printf("enqueue: %zu requests in %.1f s = %.0f requests/s (peak RSS so far %.0f MiB)\n", n,
                t, static_cast<double>(n) / t, peak_rss_mib());
    s.close("stopped");
    run_until(&loop, [&] { return l.closed; });
  }

  // 2. Resume, 3. dequeue.
  {
    BenchListener l;
    SqliteStore s(&loop, path);
    const auto t0 = Clock::now();
    s.open(identity, l);
    run_until(&loop, [&] { return l.opened; });
    const double t_open = seconds_since(t0);
    resume_s = t_open;
    std::printf(
        "resume: %zu pending, store_opened after %.2f s with %zu in the window (more: %s)\n", n,
        t_open, l.open_result.pending.size(), l.open_result.more_pending ? "yes" : "no");
    const auto t1 = Clock::now();
    std::size_t done = 0, submitted = 0;
    std::vector<PendingRequest> batch = std::move(l.open_result.pending);
    bool more = l.open_result.more_pending;
    for (;;) {
      in_window = std::max(in_window, batch.size());
      for (PendingRequest& p : batch) {
        s.started(p.id, 1);
        Completion c;
        c.request = p.id;
        c.settle = Settle::done;
        c.attempts = 1;
        s.commit(std::move(c));
        ++submitted;
        ++done;
      }
      if (!more) break;
      l.refilled = false;
      s.refill(SqliteStore::kWindow, {});
      run_until(&loop, [&] { return l.refilled; });
      batch = std::move(l.pending);
      more = l.more;
    }
    run_until(&loop, [&] { return l.committed == submitted; });
    const double t = seconds_since(t1);
    std::printf("dequeue: %zu requests in %.1f s = %.0f requests/s (largest window %zu)\n", done, t,
                static_cast<double>(done) / t, in_window);
    s.close("completed");
    run_until(&loop, [&] { return l.closed; });
  }
  const double rss = peak_rss_mib();
  std::printf("peak RSS: %.0f MiB (%zu keys in the file's seen table)\n", rss, n);
  std::printf("target peak RSS <= 256 MiB: %s\n", rss <= 256 ? "PASS" : "FAIL");
  std::printf("target resume <= 2 s: %s\n", resume_s <= 2 ? "PASS" : "FAIL");
  const int rc = uv_loop_close(&loop);
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
  std::filesystem::remove(path + ".lock");
  return rc == 0 ? 0 : 1;
}
