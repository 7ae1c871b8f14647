// Steps on step threads (docs/design.md §24): steps run off the loop thread,
// their yields are applied on it in the order the responses completed, a step
// that throws there fails as it would on the loop, a stop waits for the steps
// running, and responses waiting for a step thread are bounded.
#include <algorithm>
#include <atomic>
#include <map>
#include <set>

#include "driver_test_support.hpp"

namespace uvscrape::driver_test {
namespace {

// Busy for `d`: a step costlier than DriverOptions::steps_on_loop_below.
void busy_for(std::chrono::microseconds d) {
  const auto until = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < until) {
  }
}

// The fan-out site's scraper; each step notes the thread it ran on.
struct ThreadNotes {
  std::mutex mutex;
  std::set<std::thread::id> step_threads;
  void note() {
    std::lock_guard lock(mutex);
    step_threads.insert(std::this_thread::get_id());
  }
};

void fanout_scraper(LambdaScraper& scraper, const ThreadedTestServer& server, ThreadNotes& notes) {
  scraper.entries = {Request::get(server.url("/list/1")).to("list")};
  scraper.add_step("list", [&notes](const Response& r) -> Step {
    notes.note();
    for (const auto& href : links(r, "//a[@class='item']/@href"))
      co_yield Request::get(href).to("item");
    for (const auto& href : links(r, "//a[@rel='next']/@href"))
      co_yield Request::get(href).to("list").priority(1);
  });
  scraper.add_step("item", [&notes](const Response& r) -> Step {
    notes.note();
    Json item = page_of(r).checked_xpath_strings("//p[@class='v']/text()", "value", 1, 1)[0];
    co_yield std::move(item);
  });
}

struct FanoutRun {
  RunResult result;
  std::vector<std::string> items;  // in on_data order
  std::set<std::thread::id> step_threads;
  std::thread::id callback_thread;
};

FanoutRun crawl_fanout(size_t workers, size_t step_threads, bool loop_helps = true,
                       std::chrono::microseconds on_loop_below = DriverOptions{}.steps_on_loop_below) {
  ThreadedTestServer server;
  serve_fanout(server, 10, 20);
  LambdaScraper scraper;
  ThreadNotes notes;
  fanout_scraper(scraper, server, notes);
  DriverOptions o = test_options("step-threads", workers);
  o.step_threads = step_threads;
  o.loop_helps_steps = loop_helps;
  o.steps_on_loop_below = on_loop_below;
  Driver driver(scraper, o);
  FanoutRun out;
  driver.on_data = [&](const Json& item) {
    out.callback_thread = std::this_thread::get_id();
    out.items.push_back(item.get<std::string>());
  };
  Deadline deadline(std::chrono::seconds(60));
  out.result = driver.run();
  out.step_threads = notes.step_threads;
  return out;
}

TEST(DriverStepThreads, StepsRunOffTheLoopAndCallbacksOnIt) {
  const FanoutRun run = crawl_fanout(4, 2, /*loop_helps=*/false, /*on_loop_below=*/{});
  EXPECT_EQ(run.result.status, RunStatus::completed);
  EXPECT_EQ(run.result.items_emitted, 200u);
  EXPECT_EQ(run.items.size(), 200u);
  EXPECT_EQ(run.callback_thread, std::this_thread::get_id());  // run() runs the loop here
  ASSERT_FALSE(run.step_threads.empty());
  EXPECT_EQ(run.step_threads.count(std::this_thread::get_id()), 0u);
  EXPECT_LE(run.step_threads.size(), 2u);
}

// One step thread, slow steps, responses arriving every 30 ms: while the step
// thread is busy and another response waits, the loop thread runs that one
// itself; the yields are still applied in the order the responses arrived.
TEST(DriverStepThreads, TheLoopRunsWaitingStepsWhenEveryStepThreadIsBusy) {
  constexpr int kItems = 8;
  for (bool loop_helps : {true, false}) {
    ThreadedTestServer server;
    serve_fanout(server, 1, kItems);
    server->route("GET", "/item/*", [](const ServerRequest& req, ServerResponse& res) {
      // /item/1-i answers after 30 ms x (i + 1): the arrival order is the items' order.
      const int i = std::atoi(req.path.c_str() + std::string("/item/1-").size());
      res = ServerResponse::html("<html><body><p class='v'>" + req.path.substr(6) +
                                 "</p></body></html>");
      res.delay_before_headers = std::chrono::milliseconds(30 * (i + 1));
    });
    LambdaScraper scraper;
    ThreadNotes notes;
    fanout_scraper(scraper, server, notes);
    scraper.add_step("item", [&notes](const Response& r) -> Step {
      notes.note();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      co_yield Json(page_of(r).checked_xpath_strings("//p[@class='v']/text()", "v", 1, 1)[0]);
    });
    DriverOptions o = test_options("step-loop-helps", kItems);
    o.step_threads = 1;
    o.loop_helps_steps = loop_helps;
    Driver driver(scraper, o);
    std::vector<std::string> items;
    driver.on_data = [&](const Json& item) { items.push_back(item.get<std::string>()); };
    Deadline deadline(std::chrono::seconds(30));
    const auto started = std::chrono::steady_clock::now();
    const RunResult result = driver.run();
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(result.status, RunStatus::completed);
    std::vector<std::string> expected;
    for (int i = 0; i < kItems; ++i) expected.push_back("1-" + std::to_string(i));
    EXPECT_EQ(items, expected) << "loop helps: " << loop_helps;
    EXPECT_EQ(notes.step_threads.count(std::this_thread::get_id()), loop_helps ? 1u : 0u);
    EXPECT_EQ(notes.step_threads.size(), loop_helps ? 2u : 1u);
    // Alone, the step thread takes 8 x 100 ms; with the loop's help about half.
    if (loop_helps)
      EXPECT_LT(took, std::chrono::milliseconds(700));
    else
      EXPECT_GE(took, std::chrono::milliseconds(800));
  }
}

TEST(DriverStepThreads, ZeroRunsStepsOnTheLoopThread) {
  const FanoutRun run = crawl_fanout(4, 0);
  EXPECT_EQ(run.result.status, RunStatus::completed);
  EXPECT_EQ(run.items.size(), 200u);
  EXPECT_EQ(run.step_threads, (std::set<std::thread::id>{std::this_thread::get_id()}));
}

// One worker: the items come in exactly the order of a run on the loop thread.
TEST(DriverStepThreads, OneWorkerKeepsTheSequentialOrder) {
  const FanoutRun on_loop = crawl_fanout(1, 0);
  for (size_t threads : {1u, 3u}) {
    const FanoutRun threaded = crawl_fanout(1, threads);
    EXPECT_EQ(threaded.result.status, RunStatus::completed);
    EXPECT_EQ(threaded.items, on_loop.items) << threads << " step threads";
  }
}

// Steps measured cheaper than steps_on_loop_below run on the loop thread
// while no step runs or waits; a costlier step never does (the loop does not
// help here), and no two steps ever run at once with one step thread. (The
// bound is raised from its default to 5 ms, the list step made to take 20 ms,
// so that neither a sanitizer's slowdown nor a thread preempted in the middle
// of a step moves either step to the other side: the mean would take a 40 ms
// pause in one run.)
TEST(DriverStepThreads, CheapStepsStayOnTheLoopWhenNoStepWaits) {
  for (size_t workers : {1u, 8u}) {
    ThreadedTestServer server;
    serve_fanout(server, 4, 30);
    LambdaScraper scraper;
    std::mutex mutex;
    std::map<std::string, std::map<std::thread::id, int>> ran;  // step -> thread -> runs
    std::atomic<int> inside{0};
    std::atomic<int> overlaps{0};
    auto note = [&](const char* step) {
      if (inside.fetch_add(1) != 0) overlaps.fetch_add(1);
      std::lock_guard lock(mutex);
      ++ran[step][std::this_thread::get_id()];
    };
    scraper.entries = {Request::get(server.url("/list/1")).to("list")};
    scraper.add_step("list", [&](const Response& r) -> Step {
      note("list");
      busy_for(std::chrono::milliseconds(20));
      auto items = links(r, "//a[@class='item']/@href");
      auto next = links(r, "//a[@rel='next']/@href");
      inside.fetch_sub(1);
      for (const auto& href : items) co_yield Request::get(href).to("item");
      for (const auto& href : next) co_yield Request::get(href).to("list");
    });
    scraper.add_step("item", [&](const Response& r) -> Step {
      note("item");  // no parse: a few microseconds
      inside.fetch_sub(1);
      co_yield Json(r.url);
    });
    DriverOptions o = test_options("step-cheap", workers);
    o.step_threads = 1;
    o.steps_on_loop_below = std::chrono::milliseconds(5);
    Driver driver(scraper, o);
    Deadline deadline(std::chrono::seconds(30));
    const RunResult result = driver.run();
    EXPECT_EQ(result.status, RunStatus::completed);
    EXPECT_EQ(result.items_emitted, 120u);
    const auto loop = std::this_thread::get_id();  // run() runs the loop here
    EXPECT_EQ(ran["list"].count(loop), 0u) << workers << " workers";
    EXPECT_EQ(ran["list"].size(), 1u) << workers << " workers";
    // The first item step is measured on the step thread; with one worker no
    // other step is ever waiting, so every later one stays on the loop.
    EXPECT_GE(ran["item"][loop], workers == 1 ? 119 : 1) << workers << " workers";
    EXPECT_EQ(overlaps.load(), 0) << workers << " workers";
  }
}

// Many workers: the same set of items as on the loop.
TEST(DriverStepThreads, ManyWorkersFindTheSameItems) {
  FanoutRun on_loop = crawl_fanout(16, 0);
  FanoutRun threaded = crawl_fanout(16, 2);
  std::sort(on_loop.items.begin(), on_loop.items.end());
  std::sort(threaded.items.begin(), threaded.items.end());
  EXPECT_EQ(threaded.items, on_loop.items);
  EXPECT_EQ(threaded.result.requests_completed, on_loop.result.requests_completed);
}

// A step that throws on a step thread is a failure of its own, and the yields
// it made before throwing are not applied, as on the loop thread (§17). (A
// step that throws anything else fails the run: driver_errors_test.cpp, which
// runs with a step thread.)
RunResult crawl_with_a_throwing_step(size_t step_threads, std::vector<std::string>& items) {
  ThreadedTestServer server;
  serve_fanout(server, 1, 6);
  LambdaScraper scraper;
  scraper.entries = {Request::get(server.url("/list/1")).to("list")};
  scraper.add_step("list", [](const Response& r) -> Step {
    for (const auto& href : links(r, "//a[@class='item']/@href"))
      co_yield Request::get(href).to("item");
  });
  scraper.add_step("item", [](const Response& r) -> Step {
    co_yield Json(r.url);
    if (r.url.find("-3") != std::string::npos) throw ScraperAssumptionException("no", r.url);
    if (r.url.find("-4") != std::string::npos) {
      // The page has no such element: a structural error from the parse path.
      static_cast<void>(page_of(r).checked_xpath_strings("//table/text()", "missing"));
    }
  });
  DriverOptions o = test_options("step-throws", 2);
  o.step_threads = step_threads;
  Driver driver(scraper, o);
  driver.on_data = [&](const Json& item) { items.push_back(item.get<std::string>()); };
  Deadline deadline(std::chrono::seconds(30));
  return driver.run();
}

TEST(DriverStepThreads, AThrowingStepFailsAsOnTheLoop) {
  for (size_t threads : {0u, 1u, 2u}) {
    std::vector<std::string> items;
    const RunResult r = crawl_with_a_throwing_step(threads, items);
    EXPECT_EQ(r.status, RunStatus::completed) << threads;
    EXPECT_EQ(r.items_emitted, 4u) << threads;
    EXPECT_EQ(items.size(), 4u) << threads;
    ASSERT_EQ(r.failures.size(), 2u) << threads;
    for (const Failure& f : r.failures) {
      EXPECT_EQ(f.kind, FailureKind::structural) << threads;
      EXPECT_EQ(f.step, "item") << threads;
    }
    EXPECT_EQ(r.failure_counts.by_kind[static_cast<size_t>(FailureKind::structural)], 2u);
  }
}

// The cheap check of what a step may touch: it may not register steps.
TEST(DriverStepThreads, AStepThatChangesTheScraperFailsTheRun) {
  ThreadedTestServer server;
  serve_fanout(server, 1, 3);
  LambdaScraper scraper;
  scraper.entries = {Request::get(server.url("/list/1")).to("list")};
  scraper.add_step("list", [&scraper](const Response&) -> Step {
    scraper.add_step("late", [](const Response&) -> Step { co_return; });
    co_return;
  });
  Driver driver(scraper, test_options("step-mutates"));
  Deadline deadline(std::chrono::seconds(30));
  EXPECT_THROW(driver.run(), ScraperConfigError);  // run() rethrows the run's error
  EXPECT_FALSE(scraper.has_step("late"));
}

// Slow steps and many workers: fetching waits for the step thread, so the
// responses fetched but not yet through their step stay bounded (the workers
// still fetching plus 2 waiting per thread that runs steps; the loop thread
// does not help by default), far below the 60 pages.
TEST(DriverStepThreads, ResponsesWaitingForAStepThreadAreBounded) {
  constexpr size_t kWorkers = 8;
  constexpr size_t kThreads = 1;
  ThreadedTestServer server;
  serve_fanout(server, 1, 60);
  LambdaScraper scraper;
  std::atomic<size_t> steps_done{0};
  std::atomic<size_t> worst_backlog{0};
  scraper.entries = {Request::get(server.url("/list/1")).to("list")};
  scraper.add_step("list", [&](const Response& r) -> Step {
    for (const auto& href : links(r, "//a[@class='item']/@href"))
      co_yield Request::get(href).to("item");
    steps_done.fetch_add(1);
  });
  scraper.add_step("item", [&](const Response& r) -> Step {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    const size_t backlog = server->request_count() - steps_done.load();
    size_t worst = worst_backlog.load();
    while (backlog > worst && !worst_backlog.compare_exchange_weak(worst, backlog)) {
    }
    steps_done.fetch_add(1);
    co_yield Json(r.url);
  });
  DriverOptions o = test_options("step-backpressure", kWorkers);
  o.step_threads = kThreads;
  Driver driver(scraper, o);
  Deadline deadline(std::chrono::seconds(60));
  const RunResult r = driver.run();
  EXPECT_EQ(r.status, RunStatus::completed);
  EXPECT_EQ(r.items_emitted, 60u);
  EXPECT_GE(worst_backlog.load(), 1u);
  EXPECT_LE(worst_backlog.load(), kWorkers + 2 * kThreads);
}

// A stop from a step's callback while other steps run: the run waits for them,
// applies their yields under the stop rules (items delivered, requests
// discarded), and closes every handle of the caller's loop.
TEST(DriverStepThreads, StopWithStepsInFlightClosesEverything) {
  for (bool immediate : {false, true}) {
    ThreadedTestServer server;
    serve_fanout(server, 3, 20);
    LambdaScraper scraper;
    scraper.entries = {Request::get(server.url("/list/1")).to("list")};
    scraper.add_step("list", [](const Response& r) -> Step {
      for (const auto& href : links(r, "//a[@class='item']/@href"))
        co_yield Request::get(href).to("item");
      for (const auto& href : links(r, "//a[@rel='next']/@href"))
        co_yield Request::get(href).to("list").priority(1);
    });
    scraper.add_step("item", [](const Response& r) -> Step {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      co_yield Json(r.url);
    });
    StopSignal signal;
    DriverOptions o = test_options("step-stop", 8);
    o.step_threads = 2;
    o.stop_signal = signal;
    Driver driver(scraper, o);
    size_t items = 0;
    driver.on_data = [&](const Json&) {
      if (++items == 5) {
        signal.request_stop();
        if (immediate) signal.request_stop();
      }
    };
    uv_loop_t loop;
    ASSERT_EQ(uv_loop_init(&loop), 0);
    std::optional<RunResult> result;
    driver.start(&loop, [&](const RunResult& r) { result = r; });
    Deadline deadline(std::chrono::seconds(30));
    uv_run(&loop, UV_RUN_DEFAULT);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, RunStatus::stopped) << immediate;
    EXPECT_GE(result->items_emitted, 5u) << immediate;
    EXPECT_EQ(result->items_emitted, items) << immediate;
    EXPECT_GT(result->requests_discarded, 0u) << immediate;
    EXPECT_LT(result->items_emitted, 60u) << immediate;
    EXPECT_EQ(driver.progress().requests_in_flight, 0u);
    EXPECT_EQ(uv_loop_close(&loop), 0) << immediate;
  }
}

}  // namespace
}  // namespace uvscrape::driver_test
