// Resume to the first request on the wire (docs/durable-runs.md): a SQLite
// store holding N pending requests (written through the run-store interface,
// as bench/store_frontier does, then closed "stopped") is resumed by a Driver;
// the figure is the time from Driver::run() to the test server receiving the
// first request -- the store's open, the first window read back (with each
// request's parent chain), the frontier filled and the first send. The run is
// stopped there (the rest stays pending).
//
//   store_resume [REQUESTS] [FILE]   (default 1,000,000; target <= 2 s)
#include <sys/resource.h>
#include <uv.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "store/sqlite_store.hpp"
#include "threaded_test_server.hpp"
#include "uvscrape/driver.hpp"
#include "uvscrape/scraper.hpp"

namespace {

using namespace uvscrape;
using Clock = std::chrono::steady_clock;

struct Listener final : store::Listener {
  bool opened = false, closed = false;
  std::size_t committed = 0;
  void store_opened(store::Opened) override { opened = true; }
  void store_committed(store::Completion) override { ++committed; }
  void store_failed(std::exception_ptr e) override { std::rethrow_exception(e); }
  void store_closed() override { closed = true; }
};

class ResumeScraper : public Scraper<Json> {
 public:
  ResumeScraper() : Scraper<Json>("store-resume-bench") {
    step("case", [](const Response&) -> Step { co_return; });
  }
  std::vector<Request> get_entry() override { return {}; }  // never called: a resume
};

template <typename Pred>
void run_until(uv_loop_t* loop, Pred done) {
  while (!done()) uv_run(loop, UV_RUN_ONCE);
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
  const std::string path = argc > 2 ? argv[2] : "/tmp/uvscrape-store-resume.db";
  for (const char* suffix : {"", "-wal", "-shm", ".lock"}) std::filesystem::remove(path + suffix);

  testing::TestServerOptions server_options;
  server_options.record_requests = false;
  testing::ThreadedTestServer server(server_options);
  std::atomic<bool> first{false};
  std::atomic<Clock::rep> first_at{0};
  Driver* running = nullptr;
  server->route("GET", "/case/*", [&](const testing::ServerRequest&, testing::ServerResponse& res) {
    if (!first.exchange(true)) {
      first_at = Clock::now().time_since_epoch().count();
      running->stop();  // thread-safe
    }
    res = testing::ServerResponse::html("<p>case</p>");
  });
  const std::string base = "http://127.0.0.1:" + std::to_string(server.port());

  {  // N pending requests, as a stopped run leaves them.
    uv_loop_t loop;
    uv_loop_init(&loop);
    Listener l;
    store::SqliteStore s(&loop, path);
    s.open(store::RunIdentity{"store-resume-bench", nullptr, "", false, false}, l);
    run_until(&loop, [&] { return l.opened; });
    const auto t0 = Clock::now();
    std::size_t submitted = 0;
    for (std::size_t i = 0; i < n;) {
      store::Completion c;
      c.settle = store::Settle::seed;
      for (std::size_t k = 0; k < 1000 && i < n; ++k, ++i) {
        std::string url = base + "/case/" + std::to_string(i);
        const store::KeyHash key = store::hash_key(url);
        c.children.push_back(store::Child{Request::get(url).to("case"), key, false, 0});
      }
      s.commit(std::move(c));
      ++submitted;
      run_until(&loop, [&] { return l.committed + 8 >= submitted; });
    }
    run_until(&loop, [&] { return l.committed == submitted; });
    std::printf("store: %zu pending requests written in %.1f s\n", n,
                std::chrono::duration<double>(Clock::now() - t0).count());
    s.close("stopped");
    run_until(&loop, [&] { return l.closed; });
    uv_loop_close(&loop);
  }

  ResumeScraper scraper;
  DriverOptions o;
  o.store_path = path;
  o.num_workers = 4;
  Driver driver(scraper, o);
  running = &driver;
  const auto t0 = Clock::now();
  const RunResult r = driver.run();
  const double total = std::chrono::duration<double>(Clock::now() - t0).count();
  if (!first) {
    std::printf("no request was sent (status %s)\n", to_string(r.status));
    return 1;
  }
  const double to_first =
      std::chrono::duration<double>(Clock::duration(first_at.load()) - t0.time_since_epoch())
          .count();
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  std::printf(
      "resume: %zu pending, first request on the wire after %.3f s (run stopped after "
      "%.3f s, resumed: %s); peak RSS %.0f MiB\n",
      n, to_first, total, r.resumed ? "yes" : "no", static_cast<double>(u.ru_maxrss) / 1024.0);
  std::printf("target resume to the first request <= 2 s: %s\n", to_first <= 2 ? "PASS" : "FAIL");
  server.stop();
  for (const char* suffix : {"", "-wal", "-shm", ".lock"}) std::filesystem::remove(path + suffix);
  return r.resumed ? 0 : 1;
}
