// The live dashboard's server: the page, the JSON snapshot of a store made by
// a real crawl, 404/405, bad requests (never a crash), a port in use (a
// DashboardError naming the address), control refused unless enabled, and a
// Driver serving it during its run and closing it at the end.
#include "dashboard/dashboard.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <thread>

#include "../store/store_test_support.hpp"
#include "raw_client.hpp"
#include "uvscrape/dashboard_error.hpp"
#include "uvscrape/driver.hpp"

namespace uvscrape::store_test {
namespace {

using dashboard::Dashboard;
using dashboard::DashboardOptions;
using testing::RawClient;

struct Reply {
  int status = 0;
  std::string head;
  std::string body;
};

// One request over a fresh connection; the server closes it after replying.
Reply ask(std::uint16_t port, const std::string& raw) {
  RawClient c(port);
  c.send(raw);
  c.read(std::chrono::milliseconds(10000));
  Reply r;
  const std::string& all = c.received();
  const auto end = all.find("\r\n\r\n");
  r.head = all.substr(0, end);
  if (end != std::string::npos) r.body = all.substr(end + 4);
  if (all.rfind("HTTP/1.1 ", 0) == 0) r.status = std::atoi(all.c_str() + 9);
  return r;
}

Reply get(std::uint16_t port, const std::string& path) {
  return ask(port, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
}

// Runs a Dashboard on a loop of its own on this thread while `client` runs on
// another with the port; then closes it and checks the loop is left empty.
void with_dashboard(DashboardOptions options, const std::function<void(std::uint16_t)>& client) {
  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  auto board = std::make_unique<Dashboard>(&loop, std::move(options));
  uv_async_t done{};
  done.data = board.get();
  uv_async_init(&loop, &done, [](uv_async_t* a) {
    static_cast<Dashboard*>(a->data)->close([] {});
    uv_close(reinterpret_cast<uv_handle_t*>(a), nullptr);
  });
  const std::uint16_t port = board->port();
  std::thread t([&] {
    client(port);
    uv_async_send(&done);
  });
  uv_run(&loop, UV_RUN_DEFAULT);
  t.join();
  board.reset();
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

// A port nothing listens on (bound, read and released).
std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// The store of a real crawl of the store site (made once for the suite).
const std::string& crawled_store() {
  static const std::string path = [] {
    ThreadedTestServer server;
    serve_store_site(server, true);
    const auto dir = fresh_dir("dashboard");
    const std::string store = (dir / "run.db").string();
    StoreSiteScraper scraper("http://127.0.0.1:" + std::to_string(server.port()));
    DriverOptions o;
    o.num_workers = 4;
    o.store_path = store;
    o.storage_dir = (dir / "files").string();
    o.retry_backoff_base = std::chrono::milliseconds(2);
    o.retry_backoff_cap = std::chrono::milliseconds(10);
    Driver driver(scraper, o);
    driver.on_data = [](const Json&) {};
    EXPECT_EQ(driver.run().status, RunStatus::completed);
    server.stop();
    return store;
  }();
  return path;
}

TEST(Dashboard, TheRootIsThePageWithNoExternalAssets) {
  with_dashboard({}, [](std::uint16_t port) {
    const Reply r = get(port, "/");
    EXPECT_EQ(r.status, 200) << r.head;
    EXPECT_NE(r.head.find("Content-Type: text/html; charset=utf-8"), std::string::npos) << r.head;
    EXPECT_NE(r.body.find("<svg id=\"chart\""), std::string::npos);
    EXPECT_NE(r.body.find("/api/snapshot"), std::string::npos);
    for (const char* external : {"src=\"http", "href=\"http", "@import", "<link"})
      EXPECT_EQ(r.body.find(external), std::string::npos) << external;
    EXPECT_EQ(get(port, "/index.html").status, 200);
  });
}

TEST(Dashboard, TheSnapshotCountsAStoreMadeByARealCrawl) {
  const std::string& store = crawled_store();
  StoreFile f(store);
  DashboardOptions o;
  o.store_path = store;
  with_dashboard(o, [&](std::uint16_t port) {
    const Reply r = get(port, "/api/snapshot");
    ASSERT_EQ(r.status, 200) << r.head;
    EXPECT_NE(r.head.find("Content-Type: application/json"), std::string::npos);
    const Json s = Json::parse(r.body);
    EXPECT_EQ(s["scraper"], "StoreSite");
    EXPECT_EQ(s["status"], "completed");
    EXPECT_EQ(s["requests"]["done"], f.number("SELECT count(*) FROM requests WHERE state = 2"));
    EXPECT_EQ(s["requests"]["failed"], f.number("SELECT count(*) FROM requests WHERE state = 3"));
    EXPECT_EQ(s["requests"]["pending"], 0);
    EXPECT_EQ(s["items"], static_cast<long>(expected_items().size()));
    const long settled = f.number("SELECT count(*) FROM requests WHERE state IN (2, 3)");
    EXPECT_EQ(s["throughput"]["last_minute"], settled);
    long charted = 0;
    for (const auto& c : s["throughput"]["series"]["counts"]) charted += c.get<long>();
    EXPECT_EQ(charted, settled);  // the chart covers the whole (short) run
    EXPECT_FALSE(s["throughput"].contains("eta_seconds"));
    EXPECT_EQ(s["recent_items"].size(), 10u);
    EXPECT_TRUE(s["control"].empty());
    ASSERT_EQ(s["hosts"].size(), 1u);  // one site, no failure left, nothing pending
    EXPECT_EQ(s["hosts"][0]["host"].get<std::string>().rfind("127.0.0.1:", 0), 0u);
    EXPECT_EQ(s["hosts"][0]["recent"], settled);
    EXPECT_EQ(s["hosts"][0]["pending"], 0);
  });
}

TEST(Dashboard, AStoreNotYetCreatedIsShownAsMissing) {
  DashboardOptions o;
  o.store_path = (fresh_dir("dashboard-missing") / "later.db").string();
  o.live = [] { return Json{{"requests_completed", 7}}; };
  with_dashboard(o, [&](std::uint16_t port) {
    const Json s = Json::parse(get(port, "/api/snapshot").body);
    EXPECT_EQ(s["missing"], true);
    EXPECT_EQ(s["live"]["requests_completed"], 7);
  });
}

TEST(Dashboard, UnknownPathsAre404AndWrongMethods405) {
  with_dashboard({}, [](std::uint16_t port) {
    const Reply r = get(port, "/nothing/here");
    EXPECT_EQ(r.status, 404);
    EXPECT_NE(r.body.find("/nothing/here"), std::string::npos);
    EXPECT_EQ(ask(port, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n").status, 405);
    EXPECT_EQ(ask(port, "DELETE /api/snapshot HTTP/1.1\r\nHost: x\r\n\r\n").status, 405);
    EXPECT_EQ(ask(port, "GET /api/control/stop HTTP/1.1\r\nHost: x\r\n\r\n").status, 405);
  });
}

TEST(Dashboard, BadRequestsNeverCrashIt) {
  with_dashboard({}, [](std::uint16_t port) {
    EXPECT_EQ(ask(port, "this is not HTTP\r\n\r\n").status, 400);
    EXPECT_EQ(ask(port, "GET / HTTP/1.1\r\nHost x\r\n\r\n").status, 400);
    EXPECT_EQ(ask(port, "GET / HTTP/1.1\r\nContent-Length: -5\r\n\r\n").status, 400);
    EXPECT_EQ(ask(port, "GET / HTTP/1.1\r\nX: " + std::string(100'000, 'a') + "\r\n\r\n").status,
              413);
    EXPECT_EQ(ask(port, std::string("\0\1\2\3\xff\xfe", 6)).status, 400);
    {
      RawClient half(port);  // half a request, then gone
      half.send("GET /api/snap");
    }
    {
      RawClient nothing(port);  // connects, sends nothing, closes
    }
    // Pipelined: the first is answered, the rest ignored (one per connection).
    const Reply p =
        ask(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /x HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(p.status, 200);
    EXPECT_EQ(p.body.find("HTTP/1.1"), std::string::npos);
    EXPECT_EQ(get(port, "/").status, 200);  // still serving
  });
}

TEST(Dashboard, APortInUseIsAClearError) {
  with_dashboard({}, [](std::uint16_t port) {
    uv_loop_t loop;
    ASSERT_EQ(uv_loop_init(&loop), 0);
    DashboardOptions o;
    o.port = port;
    try {
      Dashboard second(&loop, o);
      ADD_FAILURE() << "a second dashboard listened on the same port";
      second.close([] {});
    } catch (const DashboardError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("dashboard http://127.0.0.1:" + std::to_string(port) + "/"),
                std::string::npos)
          << what;
      EXPECT_NE(what.find("EADDRINUSE"), std::string::npos) << what;
      EXPECT_EQ(e.port(), port);
    }
    o.bind = "not-an-address";
    EXPECT_THROW(Dashboard(&loop, o), DashboardError);
    uv_run(&loop, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop), 0);
  });
}

TEST(Dashboard, ControlIsRefusedUnlessEnabledAndNeedsItsHeader) {
  with_dashboard({}, [](std::uint16_t port) {
    const Reply r = ask(port,
                        "POST /api/control/stop HTTP/1.1\r\nHost: x\r\nX-Uvscrape-Control: 1\r\n"
                        "Content-Length: 0\r\n\r\n");
    EXPECT_EQ(r.status, 403);
    EXPECT_NE(r.body.find("read-only"), std::string::npos);
  });
  std::atomic<int> runs{0};
  DashboardOptions o;
  o.actions.push_back({"poke", [&runs](const Json& body) {
                         runs += body.value("times", 1);
                         return Json{{"runs", runs.load()}};
                       }});
  with_dashboard(o, [&](std::uint16_t port) {
    EXPECT_EQ(
        ask(port, "POST /api/control/poke HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n").status,
        403);  // no X-Uvscrape-Control: what a page of another site would send
    EXPECT_EQ(runs, 0);
    const std::string body = R"({"times": 2})";
    const Reply ok = ask(port,
                         "POST /api/control/poke HTTP/1.1\r\nHost: x\r\nX-Uvscrape-Control: 1\r\n"
                         "Content-Length: " +
                             std::to_string(body.size()) + "\r\n\r\n" + body);
    EXPECT_EQ(ok.status, 200) << ok.body;
    EXPECT_EQ(Json::parse(ok.body)["runs"], 2);
    EXPECT_EQ(ask(port,
                  "POST /api/control/other HTTP/1.1\r\nHost: x\r\nX-Uvscrape-Control: 1\r\n"
                  "Content-Length: 0\r\n\r\n")
                  .status,
              404);
    EXPECT_EQ(ask(port,
                  "POST /api/control/poke HTTP/1.1\r\nHost: x\r\nX-Uvscrape-Control: 1\r\n"
                  "Content-Length: 3\r\n\r\n[1]")
                  .status,
              400);
    const Json s = Json::parse(get(port, "/api/snapshot").body);
    EXPECT_EQ(s["control"], Json::array({"poke"}));
  });
}

// DriverOptions::dashboard_port: served during the run over the live store,
// closed by the time run() returns (which asserts the loop is empty).
TEST(Dashboard, ADriverServesItDuringItsRunAndClosesItAtTheEnd) {
  ThreadedTestServer server;
  serve_store_site(server, false);
  const auto dir = fresh_dir("dashboard-driver");
  StoreSiteScraper scraper("http://127.0.0.1:" + std::to_string(server.port()));
  DriverOptions o;
  o.num_workers = 2;
  o.store_path = (dir / "run.db").string();
  o.storage_dir = (dir / "files").string();
  o.dashboard_port = free_port();
  o.dashboard_allow_stop = true;
  Driver driver(scraper, o);
  std::atomic<bool> seen_live{false}, seen_store{false};
  std::atomic<int> items{0};
  driver.on_data = [&](const Json&) { ++items; };
  std::thread watcher([&] {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline && !(seen_live && seen_store)) {
      try {
        const Reply r = get(o.dashboard_port, "/api/snapshot");
        if (r.status == 200) {
          const Json s = Json::parse(r.body);
          if (s["live"]["requests_completed"].get<long>() > 0) seen_live = true;
          if (s.value("requests", Json::object()).value("done", 0) > 0) seen_store = true;
          if (seen_live && seen_store) {
            const Reply stop = ask(o.dashboard_port,
                                   "POST /api/control/stop HTTP/1.1\r\nHost: x\r\n"
                                   "X-Uvscrape-Control: 1\r\nContent-Length: 0\r\n\r\n");
            EXPECT_EQ(stop.status, 200) << stop.body;
          }
        }
      } catch (const std::exception&) {
        // not listening yet
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  const RunResult result = driver.run();
  watcher.join();
  EXPECT_TRUE(seen_live);
  EXPECT_TRUE(seen_store);
  EXPECT_EQ(result.status, RunStatus::stopped);               // the dashboard's stop button
  EXPECT_THROW(RawClient(o.dashboard_port), std::exception);  // closed with the run
  server.stop();
  EXPECT_EQ(server.loop_close_result(), 0);
}

TEST(Dashboard, ADriverWhosePortIsTakenThrowsDashboardError) {
  with_dashboard({}, [](std::uint16_t port) {
    StoreSiteScraper scraper("http://127.0.0.1:1");
    DriverOptions o;
    o.dashboard_port = port;
    o.storage_dir = fresh_dir("dashboard-taken").string();
    Driver driver(scraper, o);
    EXPECT_THROW(driver.run(), DashboardError);
  });
}

}  // namespace
}  // namespace uvscrape::store_test
