// The live dashboard's server: the page, the JSON snapshot of stores made by
// real crawls (counts, failures by kind, hosts, the slowest hosts by fetch
// time), a newer or corrupt store, 404/405, bad requests (never a crash; 431,
// 413), the Host rule (421), the connection cap, the request timeout (408),
// control refused unless enabled and from a non-loopback peer, a port in use
// (a DashboardError naming the address), and a Driver serving it during its
// run and closing it at the end.
#include "dashboard/dashboard.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <random>
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
using testing::TestServerOptions;

struct Reply {
  int status = 0;
  std::string head;
  std::string body;
};

Reply parse_reply(const std::string& all) {
  Reply r;
  const auto end = all.find("\r\n\r\n");
  r.head = all.substr(0, end);
  if (end != std::string::npos) r.body = all.substr(end + 4);
  if (all.rfind("HTTP/1.1 ", 0) == 0) r.status = std::atoi(all.c_str() + 9);
  return r;
}

// One request over a fresh connection to `address`; the server closes it
// after replying. `end`: the client then shuts its side (no more to come).
Reply ask(std::uint16_t port, const std::string& raw, const std::string& address = "127.0.0.1",
          bool end = false) {
  RawClient c(address, port);
  c.send(raw);
  if (end) c.shutdown_write();
  c.read(std::chrono::milliseconds(10000));
  return parse_reply(c.received());
}

// The Host header that names the dashboard at 127.0.0.1:port.
std::string host(std::uint16_t port) {
  return "Host: 127.0.0.1:" + std::to_string(port) + "\r\n";
}

Reply get(std::uint16_t port, const std::string& path) {
  return ask(port, "GET " + path + " HTTP/1.1\r\n" + host(port) + "\r\n");
}

// Runs a Dashboard on a loop of its own on this thread while `client` runs on
// another with the port; then closes it and checks the loop is left empty.
// `url`, if given, is set to Dashboard::url() before the client starts.
void with_dashboard(DashboardOptions options, const std::function<void(std::uint16_t)>& client,
                    std::string* url = nullptr) {
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
  if (url) *url = board->url();
  std::thread t([&] {
    client(port);
    uv_async_send(&done);
  });
  uv_run(&loop, UV_RUN_DEFAULT);
  t.join();
  board.reset();
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

// The snapshot that a dashboard over `store` serves.
Json served_snapshot(const std::string& store) {
  DashboardOptions o;
  o.store_path = store;
  Json snapshot;
  with_dashboard(
      o, [&](std::uint16_t port) { snapshot = Json::parse(get(port, "/api/snapshot").body); });
  return snapshot;
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

// Yields one item per page, {"page": URL}, from the entry requests it is given.
class PagesScraper : public Scraper<Json> {
 public:
  PagesScraper(std::string name, std::vector<Request> entries)
      : Scraper<Json>(std::move(name)), entries_(std::move(entries)) {
    step("page", [](const Response& r) -> Step {
      Json item = Json::object();
      item["page"] = r.url;
      co_yield std::move(item);
    });
  }
  std::vector<Request> get_entry() override { return entries_; }

 private:
  std::vector<Request> entries_;
};

// Crawls `entries` with two workers into DIR/run.db, checks the run
// completed (failures do not change that), and returns the store's path.
std::string crawl_pages(const std::string& name, std::vector<Request> entries,
                        const std::filesystem::path& dir) {
  const std::string store = (dir / "run.db").string();
  PagesScraper scraper(name, std::move(entries));
  DriverOptions o;
  o.num_workers = 2;
  o.store_path = store;
  o.storage_dir = (dir / "files").string();
  Driver driver(scraper, o);
  driver.on_data = [](const Json&) {};
  EXPECT_EQ(driver.run().status, RunStatus::completed);
  return store;
}

// Pages on one host, 404s on a second, nothing listening on a third.
std::vector<Request> three_host_pages(const std::string& ok, const std::string& gone,
                                      const std::string& refused) {
  std::vector<Request> out;
  for (int i = 0; i < 6; ++i)
    out.push_back(Request::get(ok + "/ok/" + std::to_string(i)).to("page"));
  for (int i = 0; i < 5; ++i)
    out.push_back(Request::get(gone + "/gone/" + std::to_string(i)).to("page").no_retry());
  for (int i = 0; i < 2; ++i)
    out.push_back(Request::get(refused + "/x/" + std::to_string(i)).to("page").no_retry());
  return out;
}

// Failures by kind with their latest examples, and hosts ranked by failures,
// as the store of a real crawl that failed on two hosts holds them.
TEST(Dashboard, TheSnapshotShowsFailuresByKindAndRanksHostsByThem) {
  ThreadedTestServer ok, gone;
  ok->route("GET", "/ok/*", [](const ServerRequest&, ServerResponse& res) {
    res = ServerResponse::html("<html><body><p>ok</p></body></html>");
  });
  gone->route("GET", "/gone/*", [](const ServerRequest&, ServerResponse& res) {
    res = ServerResponse::with_status(404);
  });
  const std::string ok_host = "127.0.0.1:" + std::to_string(ok.port());
  const std::string gone_host = "127.0.0.1:" + std::to_string(gone.port());
  const std::string refused_host = "127.0.0.1:" + std::to_string(free_port());
  const std::string store = crawl_pages(
      "ThreeHosts",
      three_host_pages("http://" + ok_host, "http://" + gone_host, "http://" + refused_host),
      fresh_dir("dashboard-failures"));
  ok.stop();
  gone.stop();
  StoreFile f(store);
  ASSERT_EQ(f.number("SELECT count(*) FROM failures"), 7);
  DashboardOptions o;
  o.store_path = store;
  with_dashboard(o, [&](std::uint16_t port) {
    const Json s = Json::parse(get(port, "/api/snapshot").body);
    EXPECT_EQ(s["requests"]["done"], 6);
    EXPECT_EQ(s["requests"]["failed"], 7);
    EXPECT_EQ(s["items"], 6);
    ASSERT_EQ(s["failures"].size(), 2u) << s["failures"].dump();
    const Json& gone_kind = s["failures"][0];  // the most frequent first
    EXPECT_EQ(gone_kind["kind"], to_string(FailureKind::http_status_persistent));
    EXPECT_EQ(gone_kind["count"], 5);
    ASSERT_EQ(gone_kind["examples"].size(), 3u);  // the three latest of five
    const auto latest =
        f.column(("SELECT url FROM failures WHERE kind = '" + gone_kind["kind"].get<std::string>() +
                  "' ORDER BY id DESC LIMIT 3")
                     .c_str());
    ASSERT_EQ(latest.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
      EXPECT_EQ(gone_kind["examples"][i]["url"], latest.at(i));
      EXPECT_NE(gone_kind["examples"][i]["message"].get<std::string>().find("404"),
                std::string::npos)
          << gone_kind["examples"][i]["message"];
    }
    const Json& refused_kind = s["failures"][1];
    EXPECT_EQ(refused_kind["kind"], to_string(FailureKind::connection));
    EXPECT_EQ(refused_kind["count"], 2);
    EXPECT_EQ(refused_kind["examples"].size(), 2u);
    ASSERT_EQ(s["hosts"].size(), 3u) << s["hosts"].dump();
    EXPECT_EQ(s["hosts"][0]["host"], gone_host);
    EXPECT_EQ(s["hosts"][0]["failures"], 5);
    EXPECT_EQ(s["hosts"][1]["host"], refused_host);
    EXPECT_EQ(s["hosts"][1]["failures"], 2);
    EXPECT_EQ(s["hosts"][2]["host"], ok_host);
    EXPECT_EQ(s["hosts"][2]["failures"], 0);
    EXPECT_EQ(s["hosts"][2]["recent"], 6);
    EXPECT_EQ(s["recent_items"].size(), 6u);
  });
}

// Pages on a slow host and on a fast one, in turn.
std::vector<Request> two_speed_pages(const std::string& slow, const std::string& fast) {
  std::vector<Request> out;
  for (int i = 0; i < 4; ++i) {
    out.push_back(Request::get(slow + "/slow/" + std::to_string(i)).to("page"));
    out.push_back(Request::get(fast + "/fast/" + std::to_string(i)).to("page"));
  }
  return out;
}

// Every answered request records its fetch time; the snapshot ranks the host
// that answers after 150 ms first, with times no shorter than its delay and
// the fast host's well under it.
TEST(Dashboard, TheSlowestHostsComeFromTheFetchTimesOfARealCrawl) {
  constexpr auto kDelay = std::chrono::milliseconds(150);
  TestServerOptions slow_options;
  slow_options.bind_host = slow_options.url_host = "127.0.0.2";
  ThreadedTestServer slow(slow_options), fast;
  slow->route("GET", "/slow/*", [&](const ServerRequest&, ServerResponse& res) {
    res = ServerResponse::html("<html><body><p>slow</p></body></html>");
    res.delay_before_headers = kDelay;
  });
  fast->route("GET", "/fast/*", [](const ServerRequest&, ServerResponse& res) {
    res = ServerResponse::html("<html><body><p>fast</p></body></html>");
  });
  const std::string slow_host = "127.0.0.2:" + std::to_string(slow.port());
  const std::string fast_host = "127.0.0.1:" + std::to_string(fast.port());
  const std::string store =
      crawl_pages("TwoSpeeds", two_speed_pages("http://" + slow_host, "http://" + fast_host),
                  fresh_dir("dashboard-slowest"));
  slow.stop();
  fast.stop();
  StoreFile f(store);
  EXPECT_EQ(f.number("SELECT count(*) FROM requests WHERE state = 2 AND fetch_ms IS NOT NULL"), 8);
  const Json rows = served_snapshot(store)["slowest_hosts"];
  ASSERT_EQ(rows.size(), 2u) << rows.dump();
  EXPECT_EQ(rows[0]["host"], slow_host);
  EXPECT_EQ(rows[1]["host"], fast_host);
  for (const auto& row : rows) EXPECT_EQ(row["timed"], 4) << row.dump();
  EXPECT_GE(rows[0]["mean_ms"].get<long>(), kDelay.count());
  EXPECT_GE(rows[0]["p95_ms"].get<long>(), rows[0]["mean_ms"].get<long>());
  EXPECT_GE(rows[0]["max_ms"].get<long>(), rows[0]["p95_ms"].get<long>());
  EXPECT_LT(rows[0]["max_ms"].get<long>(), 5000);  // plausible: the delay, not a timeout
  EXPECT_LT(rows[1]["mean_ms"].get<long>(), kDelay.count());
  EXPECT_LE(rows[1]["max_ms"].get<long>(), rows[0]["max_ms"].get<long>());
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

// The store is checked as the CLI checks it (store::StoreReader): a newer
// schema and a file that is not a database are errors naming the file, shown
// on the page, not read.
TEST(Dashboard, ANewerOrCorruptStoreIsAnErrorNamingIt) {
  const auto dir = fresh_dir("dashboard-refused");
  const std::string newer = (dir / "newer.db").string();
  std::filesystem::copy_file(crawled_store(), newer);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(newer.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  const std::string corrupt = (dir / "corrupt.db").string();
  std::ofstream(corrupt) << std::string(4096, 'x');
  for (const auto& [path, says] :
       {std::pair{newer, std::string("made by a newer uvscrape (schema version 99")},
        std::pair{corrupt, std::string("the file may be corrupt")}}) {
    DashboardOptions o;
    o.store_path = path;
    with_dashboard(o, [&, path = path, says = says](std::uint16_t port) {
      const Reply r = get(port, "/api/snapshot");
      EXPECT_EQ(r.status, 200);
      const Json s = Json::parse(r.body);
      EXPECT_FALSE(s.contains("requests")) << r.body;
      const std::string error = s.value("error", "");
      EXPECT_NE(error.find("run store " + path + ": "), std::string::npos) << error;
      EXPECT_NE(error.find(says), std::string::npos) << error;
    });
  }
}

TEST(Dashboard, UnknownPathsAre404AndWrongMethods405) {
  with_dashboard({}, [](std::uint16_t port) {
    const Reply r = get(port, "/nothing/here");
    EXPECT_EQ(r.status, 404);
    EXPECT_NE(r.body.find("/nothing/here"), std::string::npos);
    EXPECT_EQ(ask(port, "POST / HTTP/1.1\r\n" + host(port) + "Content-Length: 0\r\n\r\n").status,
              405);
    EXPECT_EQ(ask(port, "DELETE /api/snapshot HTTP/1.1\r\n" + host(port) + "\r\n").status, 405);
    EXPECT_EQ(ask(port, "GET /api/control/stop HTTP/1.1\r\n" + host(port) + "\r\n").status, 405);
  });
}

TEST(Dashboard, BadRequestsNeverCrashIt) {
  with_dashboard({}, [](std::uint16_t port) {
    const std::string h = host(port);
    EXPECT_EQ(ask(port, "this is not HTTP\r\n\r\n").status, 400);
    EXPECT_EQ(ask(port, "GET / HTTP/1.1\r\nHost x\r\n\r\n").status, 400);
    EXPECT_EQ(ask(port, "GET / HTTP/1.1\r\nContent-Length: -5\r\n\r\n").status, 400);
    EXPECT_EQ(ask(port, std::string("\0\1\2\3\xff\xfe", 6)).status, 400);
    EXPECT_EQ(ask(port, "GET / HTTP/1.1\r\n" + h + std::string("X: a\0b\r\n\r\n", 11)).status, 400);
    EXPECT_EQ(ask(port, "GET / HTTP/1.1\r\n" + h + "X: a\rb\r\n\r\n").status, 400);
    EXPECT_EQ(ask(port, "GET / HTTP/9.9\r\n" + h + "\r\n").status, 400);
    EXPECT_EQ(ask(port, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").status, 400);  // HTTP/2's preface
    EXPECT_EQ(ask(port, "POST /api/control/x HTTP/1.1\r\n" + h +
                            "Transfer-Encoding: chunked\r\n\r\nzz\r\n")
                  .status,
              400);
    EXPECT_EQ(ask(port, "POST /api/control/x HTTP/1.1\r\n" + h +
                            "Content-Length: 1\r\nContent-Length: 2\r\n\r\nab")
                  .status,
              400);
    // The header block is capped (431): one huge header, many small ones, a huge target.
    EXPECT_EQ(ask(port, "GET / HTTP/1.1\r\nX: " + std::string(100'000, 'a') + "\r\n\r\n").status,
              431);
    std::string many = "GET / HTTP/1.1\r\n" + h;
    for (int i = 0; i < 2000; ++i) many += "X-" + std::to_string(i) + ": 1\r\n";
    EXPECT_EQ(ask(port, many + "\r\n").status, 431);
    EXPECT_EQ(ask(port, "GET /" + std::string(20'000, 'a') + " HTTP/1.1\r\n" + h + "\r\n").status,
              431);
    EXPECT_EQ(
        ask(port, "GET / HTTP/1.1\r\nX: " + std::string(15'000, 'a') + "\r\n" + h + "\r\n").status,
        200);  // under the cap
    // The body is capped (413), announced or chunked.
    EXPECT_EQ(
        ask(port, "POST /api/control/x HTTP/1.1\r\n" + h + "Content-Length: 100000\r\n\r\n").status,
        413);
    std::string chunked =
        "POST /api/control/x HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 20; ++i) chunked += "1000\r\n" + std::string(0x1000, 'b') + "\r\n";
    EXPECT_EQ(ask(port, chunked).status, 413);
    {
      RawClient half(port);  // half a request, then gone
      half.send("GET /api/snap");
    }
    {
      RawClient nothing(port);  // connects, sends nothing, closes
    }
    // Random bytes, each buffer followed by the end of the client's side:
    // answered with a 400 or closed, never a crash.
    std::mt19937 random(15);
    int refused = 0;
    for (int i = 0; i < 200; ++i) {
      std::string noise(1 + random() % 600, '\0');
      for (char& c : noise) c = static_cast<char>(random());
      if (i % 2) noise = "GET /" + noise;  // past the method, into the target and headers
      const Reply r = ask(port, noise, "127.0.0.1", true);
      EXPECT_TRUE(r.status == 400 || r.status == 0) << r.status << " for buffer " << i;
      refused += r.status == 400;
    }
    EXPECT_GT(refused, 100);
    // Pipelined: the first is answered, the rest ignored (one per connection).
    const Reply p = ask(port, "GET / HTTP/1.1\r\n" + h + "\r\nGET /x HTTP/1.1\r\n" + h + "\r\n");
    EXPECT_EQ(p.status, 200);
    EXPECT_EQ(p.body.find("HTTP/1.1"), std::string::npos);
    EXPECT_EQ(get(port, "/").status, 200);  // still serving
  });
}

// DNS rebinding: a page of evil.example whose name now resolves to 127.0.0.1
// sends "Host: evil.example:PORT"; it must not read the run.
TEST(Dashboard, TheHostHeaderMustNameTheServer) {
  DashboardOptions o;
  o.store_path = crawled_store();
  with_dashboard(o, [](std::uint16_t port) {
    const std::string p = std::to_string(port);
    const auto with_host = [&](const std::string& value) {
      return ask(port, "GET /api/snapshot HTTP/1.1\r\nHost: " + value + "\r\n\r\n");
    };
    EXPECT_EQ(with_host("127.0.0.1:" + p).status, 200);
    EXPECT_EQ(with_host("localhost:" + p).status, 200);  // bound to loopback
    EXPECT_EQ(with_host("LocalHost:" + p).status, 200);  // host names are case-insensitive
    const Reply evil = with_host("evil.example:" + p);
    EXPECT_EQ(evil.status, 421);
    EXPECT_EQ(evil.body.find("requests"), std::string::npos) << evil.body;
    EXPECT_NE(evil.body.find("127.0.0.1:" + p), std::string::npos) << evil.body;
    EXPECT_EQ(with_host("127.0.0.1").status, 421);  // port 80 is not this one
    EXPECT_EQ(with_host("127.0.0.1:" + std::to_string(port + 1)).status, 421);
    EXPECT_EQ(with_host("127.0.0.2:" + p).status, 421);
    EXPECT_EQ(with_host("localhost.evil.example:" + p).status, 421);
    EXPECT_EQ(with_host("").status, 421);
    EXPECT_EQ(ask(port, "GET / HTTP/1.1\r\n\r\n").status, 400);  // none
    EXPECT_EQ(ask(port, "GET / HTTP/1.0\r\n\r\n").status, 400);
    EXPECT_EQ(ask(port, "GET / HTTP/1.1\r\nHost: 127.0.0.1:" + p + "\r\nHost: evil.example\r\n\r\n")
                  .status,
              400);  // two
  });
}

TEST(Dashboard, ConnectionsOverTheCapAreClosedAndItStaysUp) {
  ASSERT_EQ(dashboard::HttpLimits{}.max_connections, 64u);  // the documented default
  with_dashboard({}, [](std::uint16_t port) {
    std::vector<std::unique_ptr<RawClient>> held;
    for (int i = 0; i < 64; ++i) held.push_back(std::make_unique<RawClient>(port));
    // Accepted in order: the 65th is over the cap, closed with no answer.
    RawClient over(port);
    EXPECT_EQ(over.read(std::chrono::milliseconds(5000)), RawClient::End::eof);
    EXPECT_EQ(over.received(), "");
    // The held ones are still served.
    held[0]->send("GET / HTTP/1.1\r\n" + host(port) + "\r\n");
    held[0]->read(std::chrono::milliseconds(5000));
    EXPECT_EQ(parse_reply(held[0]->received()).status, 200);
    // Once some are gone, new connections are served again.
    held.resize(32);
    Reply r;
    for (int i = 0; i < 100 && r.status != 200; ++i) {
      r = get(port, "/api/snapshot");
      if (r.status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_EQ(r.status, 200);
  });
}

// A reply sent before the whole request was read (a refusal) ends in a clean
// close: the server reads and drops what the client still sends until the
// client is done. Closing with those bytes unread would reset the connection,
// which can destroy the reply before the client reads it.
TEST(Dashboard, ARefusedRequestStillArrivingGetsItsReplyAndACleanClose) {
  with_dashboard({}, [](std::uint16_t port) {
    RawClient c(port);
    // 1 MB of header: far over the cap and over what the kernel buffers hold,
    // so this send completes only if the server keeps reading after its 431.
    EXPECT_NO_THROW(
        c.send("GET / HTTP/1.1\r\n" + host(port) + "X: " + std::string(1'000'000, 'a')));
    c.shutdown_write();
    const RawClient::End end = c.read(std::chrono::milliseconds(5000));
    EXPECT_EQ(end, RawClient::End::eof);
    EXPECT_EQ(parse_reply(c.received()).status, 431) << c.received().substr(0, 200);
  });
}

// Slowloris: a request trickled in a byte at a time is answered 408 and
// closed once the timeout has passed since the connection; a reply that takes
// longer than that to prepare (work on the thread pool) is not cut.
TEST(Dashboard, ASlowRequestIsClosedAfterTheTimeoutButASlowReplyIsNot) {
  ASSERT_EQ(dashboard::HttpLimits{}.timeout_ms, 10'000u);  // the documented default
  DashboardOptions o;
  o.limits.timeout_ms = 500;
  o.actions.push_back({"slow", [](const Json&) {
                         std::this_thread::sleep_for(std::chrono::milliseconds(900));
                         return Json{{"slow", true}};
                       }});
  with_dashboard(o, [](std::uint16_t port) {
    RawClient slow(port);
    const auto start = std::chrono::steady_clock::now();
    slow.send("GET / HTTP/1.1\r\n" + host(port) + "X-Slow: ");
    RawClient::End end = RawClient::End::open;
    for (int i = 0; i < 40; ++i) {
      try {
        slow.send("a");
      } catch (const std::exception&) {
        break;  // closed under us
      }
      end = slow.read(std::chrono::milliseconds(100));
      if (end == RawClient::End::eof || end == RawClient::End::reset) break;
    }
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    EXPECT_EQ(end, RawClient::End::eof);
    EXPECT_EQ(parse_reply(slow.received()).status, 408) << slow.received();
    EXPECT_GE(took.count(), 450);
    EXPECT_LT(took.count(), 3000);

    const Reply r = ask(port, "POST /api/control/slow HTTP/1.1\r\n" + host(port) +
                                  "X-Uvscrape-Control: 1\r\nContent-Length: 0\r\n\r\n");
    EXPECT_EQ(r.status, 200) << r.head;
    EXPECT_NE(r.body.find("\"slow\":true"), std::string::npos) << r.body;
  });
}

// The URL printed for a dashboard bound to 0.0.0.0 is one that a browser on
// this machine can open and whose Host the server accepts.
TEST(Dashboard, BoundToEveryAddressItsUrlIsTheLoopbackOne) {
  DashboardOptions o;
  o.bind = "0.0.0.0";
  std::string url;
  with_dashboard(
      o,
      [&](std::uint16_t port) {
        EXPECT_EQ(url, "http://127.0.0.1:" + std::to_string(port) + "/");
        const std::string authority = url.substr(7, url.size() - 8);
        EXPECT_EQ(ask(port, "GET / HTTP/1.1\r\nHost: " + authority + "\r\n\r\n").status, 200);
      },
      &url);
}

// A non-loopback address of this machine, if it has one ("" if not).
std::string non_loopback_ipv4() {
  ifaddrs* all = nullptr;
  if (getifaddrs(&all) != 0) return "";
  std::string found;
  for (ifaddrs* i = all; i && found.empty(); i = i->ifa_next)
    if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET && !dashboard::is_loopback(i->ifa_addr)) {
      char name[INET_ADDRSTRLEN] = {};
      inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr, name, sizeof name);
      found = name;
    }
  freeifaddrs(all);
  return found;
}

sockaddr_storage address_of(const std::string& ip, std::uint16_t port) {
  sockaddr_storage a{};
  if (uv_ip4_addr(ip.c_str(), port, reinterpret_cast<sockaddr_in*>(&a)) != 0) {
    EXPECT_EQ(uv_ip6_addr(ip.c_str(), port, reinterpret_cast<sockaddr_in6*>(&a)), 0) << ip;
  }
  return a;
}

TEST(Dashboard, PeersAndHostsAreClassified) {
  for (const char* loopback : {"127.0.0.1", "127.255.3.4", "::1", "::ffff:127.0.0.1"}) {
    const auto a = address_of(loopback, 1);
    EXPECT_TRUE(dashboard::is_loopback(reinterpret_cast<const sockaddr*>(&a))) << loopback;
  }
  for (const char* other : {"128.0.0.1", "192.0.2.2", "10.0.0.1", "0.0.0.0", "fd00::2",
                            "::", "::ffff:192.0.2.2", "::2"}) {
    const auto a = address_of(other, 1);
    EXPECT_FALSE(dashboard::is_loopback(reinterpret_cast<const sockaddr*>(&a))) << other;
  }
  const auto v4 = address_of("127.0.0.1", 8340);
  EXPECT_EQ(dashboard::hosts_naming(reinterpret_cast<const sockaddr*>(&v4)),
            (std::vector<std::string>{"127.0.0.1:8340", "localhost:8340"}));
  const auto v6 = address_of("::1", 80);
  EXPECT_EQ(dashboard::hosts_naming(reinterpret_cast<const sockaddr*>(&v6)),
            (std::vector<std::string>{"[::1]:80", "[::1]", "localhost:80", "localhost"}));
  const auto lan = address_of("192.0.2.2", 8340);
  EXPECT_EQ(dashboard::hosts_naming(reinterpret_cast<const sockaddr*>(&lan)),
            (std::vector<std::string>{"192.0.2.2:8340"}));
}

// Bound to every address, control still answers only a loopback peer; the
// read-only part answers any peer that names the address it reached.
TEST(Dashboard, ControlOnlyFromALoopbackPeer) {
  const std::string lan = non_loopback_ipv4();
  if (lan.empty()) {
    GTEST_SKIP() << "no non-loopback IPv4 address (PeersAndHostsAreClassified covers the check)";
  }
  std::atomic<int> runs{0};
  DashboardOptions o;
  o.bind = "0.0.0.0";
  o.actions.push_back({"poke", [&runs](const Json&) {
                         ++runs;
                         return Json{{"runs", runs.load()}};
                       }});
  with_dashboard(o, [&](std::uint16_t port) {
    const std::string p = std::to_string(port);
    const std::string poke =
        "POST /api/control/poke HTTP/1.1\r\nX-Uvscrape-Control: 1\r\nContent-Length: 0\r\n";
    const Reply far = ask(port, poke + "Host: " + lan + ":" + p + "\r\n\r\n", lan);
    EXPECT_EQ(far.status, 403) << far.body;
    EXPECT_NE(far.body.find("loopback"), std::string::npos) << far.body;
    EXPECT_EQ(runs, 0);
    EXPECT_EQ(ask(port, "GET / HTTP/1.1\r\nHost: " + lan + ":" + p + "\r\n\r\n", lan).status, 200);
    // From that address, "localhost" does not name it.
    EXPECT_EQ(ask(port, "GET / HTTP/1.1\r\nHost: localhost:" + p + "\r\n\r\n", lan).status, 421);
    const Reply near = ask(port, poke + "Host: 127.0.0.1:" + p + "\r\n\r\n");
    EXPECT_EQ(near.status, 200) << near.body;
    EXPECT_EQ(runs, 1);
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
    const Reply r = ask(port, "POST /api/control/stop HTTP/1.1\r\n" + host(port) +
                                  "X-Uvscrape-Control: 1\r\n"
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
        ask(port, "POST /api/control/poke HTTP/1.1\r\n" + host(port) + "Content-Length: 0\r\n\r\n")
            .status,
        403);  // no X-Uvscrape-Control: what a page of another site would send
    EXPECT_EQ(runs, 0);
    const std::string body = R"({"times": 2})";
    const Reply ok = ask(port, "POST /api/control/poke HTTP/1.1\r\n" + host(port) +
                                   "X-Uvscrape-Control: 1\r\n"
                                   "Content-Length: " +
                                   std::to_string(body.size()) + "\r\n\r\n" + body);
    EXPECT_EQ(ok.status, 200) << ok.body;
    EXPECT_EQ(Json::parse(ok.body)["runs"], 2);
    EXPECT_EQ(ask(port, "POST /api/control/other HTTP/1.1\r\n" + host(port) +
                            "X-Uvscrape-Control: 1\r\n"
                            "Content-Length: 0\r\n\r\n")
                  .status,
              404);
    EXPECT_EQ(ask(port, "POST /api/control/poke HTTP/1.1\r\n" + host(port) +
                            "X-Uvscrape-Control: 1\r\n"
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
                                   "POST /api/control/stop HTTP/1.1\r\n" + host(o.dashboard_port) +
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
