// The cookie jar in the run store: a session cookie set before a stop is
// sent after the resume, by a new Driver whose jar starts empty.
#include "store_test_support.hpp"
#include "uvscrape/driver.hpp"

namespace uvscrape::store_test {
namespace {

// /login sets a session cookie and links /private, which answers 403 without it.
void serve_session_site(ThreadedTestServer& server) {
  server->route("GET", "/login", [](const ServerRequest&, ServerResponse& res) {
    res = ServerResponse::html("<html><body><a href='/private'>in</a></body></html>");
    res.header("Set-Cookie", "sid=s3cr3t; Path=/; HttpOnly");
  });
  server->route("GET", "/private", [](const ServerRequest& req, ServerResponse& res) {
    if (req.header("Cookie").value_or("") != "sid=s3cr3t") {
      res = ServerResponse::with_status(403);
      return;
    }
    res = ServerResponse::html("<html><body><p>the record</p></body></html>");
  });
}

class SessionScraper : public Scraper<Json> {
 public:
  explicit SessionScraper(std::string base) : Scraper<Json>("Session"), base_(std::move(base)) {
    step("login", [](const Response& r) -> Step {
      Json item = {{"page", "login"}};
      co_yield std::move(item);
      for (const auto& href : r.page().checked_xpath_strings("//a/@href", "link", 1, 1)) {
        Request next = Request::get(href).to("private");
        co_yield std::move(next);
      }
    });
    step("private", [](const Response& r) -> Step {
      Json item = {{"page", "private"},
                   {"text", r.page().checked_xpath_strings("//p/text()", "p", 1, 1).at(0)}};
      co_yield std::move(item);
    });
  }
  std::vector<Request> get_entry() override { return {Request::get(base_ + "/login").to("login")}; }

 private:
  std::string base_;
};

struct SessionRun {
  RunResult result;
  std::vector<std::string> pages;
};

SessionRun crawl(const ThreadedTestServer& server, const std::string& store,
                 bool stop_after_login) {
  SessionScraper scraper("http://127.0.0.1:" + std::to_string(server.port()));
  DriverOptions o;
  o.num_workers = 1;
  o.store_path = store;
  Driver driver(scraper, o);
  SessionRun out;
  driver.on_data = [&](const Json& item) {
    out.pages.push_back(item.at("page").get<std::string>());
    // on_data runs once the login's completion is committed: the run stops
    // with /private pending.
    if (stop_after_login && out.pages.back() == "login") driver.stop();
  };
  out.result = driver.run();
  return out;
}

TEST(StoreCookies, ASessionCookieSurvivesAStopAndTheResumeSendsIt) {
  ThreadedTestServer server;
  serve_session_site(server);
  const auto dir = fresh_dir("cookies");
  const std::string store = (dir / "run.db").string();
  const SessionRun first = crawl(server, store, true);
  ASSERT_EQ(first.result.status, RunStatus::stopped);
  EXPECT_EQ(first.pages, std::vector<std::string>{"login"});
  {
    StoreFile f(store);
    EXPECT_EQ(f.number("SELECT count(*) FROM requests WHERE state = 0"), 1);  // /private
    EXPECT_NE(f.one("SELECT value FROM meta WHERE key = 'cookies'").find("s3cr3t"),
              std::string::npos);
  }
  for (const auto& r : server->requests()) EXPECT_NE(r.path, "/private");

  const SessionRun resumed = crawl(server, store, false);  // a new Driver: its jar starts empty
  EXPECT_EQ(resumed.result.status, RunStatus::completed);
  EXPECT_TRUE(resumed.result.resumed);
  EXPECT_EQ(resumed.pages, std::vector<std::string>{"private"});
  EXPECT_TRUE(resumed.result.failures.empty());
  ASSERT_TRUE(server->last_request().has_value());
  EXPECT_EQ(server->last_request()->path, "/private");
  EXPECT_EQ(server->last_request()->header("Cookie").value_or(""), "sid=s3cr3t");
  server.stop();
  EXPECT_EQ(server.loop_close_result(), 0);
}

TEST(StoreCookies, AJarThatDoesNotChangeIsNotWritten) {
  // The same run without Set-Cookie: no jar in the store at all.
  ThreadedTestServer server;
  server->route("GET", "/login", [](const ServerRequest&, ServerResponse& res) {
    res = ServerResponse::html("<html><body><a href='/private'>in</a></body></html>");
  });
  server->route("GET", "/private", [](const ServerRequest&, ServerResponse& res) {
    res = ServerResponse::html("<html><body><p>open</p></body></html>");
  });
  const auto dir = fresh_dir("cookies-none");
  const std::string store = (dir / "run.db").string();
  ASSERT_EQ(crawl(server, store, false).result.status, RunStatus::completed);
  StoreFile f(store);
  EXPECT_EQ(f.number("SELECT count(*) FROM meta WHERE key = 'cookies'"), 0);
  server.stop();
  EXPECT_EQ(server.loop_close_result(), 0);
}

}  // namespace
}  // namespace uvscrape::store_test
