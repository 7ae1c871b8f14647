// The cookie jar in a crawl (docs/design.md §21): a login flow whose cookies
// come from a POST and a redirect, scoping across hosts and paths, expiry,
// Secure over http and https, named jars as separate sessions, and a session
// exported by one run and continued by the next. Real servers on 127.0.0.x.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "driver_test_support.hpp"
#include "tls/test_certificates.hpp"
#include "tls/tls_server_session.hpp"

namespace uvscrape::driver_test {
namespace {

using namespace std::chrono_literals;
using testing::TestServerOptions;

std::string cookie_of(const ServerRequest& r) {
  return r.header("Cookie").value_or("");
}

// The value of cookie `name` in a Cookie header, or "".
std::string cookie_value(const std::string& header, const std::string& name) {
  size_t at = 0;
  while (at < header.size()) {
    size_t end = header.find("; ", at);
    if (end == std::string::npos) end = header.size();
    const std::string pair = header.substr(at, end - at);
    if (pair.rfind(name + "=", 0) == 0) return pair.substr(name.size() + 1);
    at = end + 2;
  }
  return "";
}

ServerResponse with_cookies(ServerResponse response,
                            std::initializer_list<const char*> set_cookies) {
  for (const char* c : set_cookies) response.headers.emplace_back("Set-Cookie", c);
  return response;
}

// A portal in the manner of the old ASP.NET ones: POST /login sets the session
// (and redirects), the redirect's target sets a token and redirects home, and
// every page behind the login wants both (403 otherwise). The session is the
// user's name, so two sessions can be told apart.
void serve_portal(ThreadedTestServer& server) {
  server->route("POST", "/login", [](const ServerRequest& req, ServerResponse& res) {
    const std::string user = req.body.substr(req.body.find('=') + 1);
    res = ServerResponse::redirect("/after-login", 303);
    res.headers.emplace_back("Set-Cookie", "ASP.NET_SessionId=" + user + "; path=/; HttpOnly");
  });
  server->route("GET", "/after-login", [](const ServerRequest& req, ServerResponse& res) {
    if (cookie_value(cookie_of(req), "ASP.NET_SessionId").empty()) {
      res = ServerResponse::with_status(403);
      return;
    }
    res = with_cookies(ServerResponse::redirect("/home"), {"token=t-42; Path=/; SameSite=Lax"});
  });
  const auto logged_in = [](const ServerRequest& req) {
    const std::string cookie = cookie_of(req);
    return !cookie_value(cookie, "ASP.NET_SessionId").empty() &&
           cookie_value(cookie, "token") == "t-42";
  };
  server->route("GET", "/home", [logged_in](const ServerRequest& req, ServerResponse& res) {
    if (!logged_in(req)) {
      res = ServerResponse::with_status(403);
      return;
    }
    res = ServerResponse::html(
        "<html><body><a href='/cases/1'>1</a><a href='/cases/2'>2</a></body></html>");
  });
  server->route("GET", "/cases/*", [logged_in](const ServerRequest& req, ServerResponse& res) {
    if (!logged_in(req)) {
      res = ServerResponse::with_status(403);
      return;
    }
    const std::string user = cookie_value(cookie_of(req), "ASP.NET_SessionId");
    res = ServerResponse::html("<html><body><p class='v'>" + req.path.substr(7) + " for " + user +
                               "</p></body></html>");
  });
}

void add_portal_steps(LambdaScraper& scraper, std::vector<std::string>& items) {
  scraper.follow(true);  // the login redirects
  scraper.add_step("home", [](const Response& r) -> Step {
    for (const std::string& href : links(r)) co_yield Request::get(href).to("case");
  });
  scraper.add_step("case", [&items](const Response& r) -> Step {
    items.push_back(page_of(r).checked_xpath_strings("//p[@class='v']/text()", "case", 1)[0]);
    co_return;
  });
}

TEST(DriverCookies, LoginFlowCarriesTheSessionAndTheRedirectsCookie) {
  ThreadedTestServer server;
  serve_portal(server);
  std::vector<std::string> items;
  LambdaScraper scraper;
  add_portal_steps(scraper, items);
  std::vector<Cookie> seen_on_home;
  scraper.add_step("home_checked", [&seen_on_home](const Response& r) -> Step {
    seen_on_home = r.cookies();
    for (const std::string& href : links(r)) co_yield Request::get(href).to("case");
  });
  NameValueList form = {{"user", "alice"}};
  scraper.entries.push_back(Request::post(server.url("/login")).form(form).to("home_checked"));
  Deadline deadline(30s);
  Driver driver(scraper, test_options("cookies-login"));
  const RunResult result = driver.run();
  EXPECT_EQ(result.status, RunStatus::completed);
  EXPECT_EQ(result.requests_failed, 0u);
  std::sort(items.begin(), items.end());
  EXPECT_EQ(items, (std::vector<std::string>{"1 for alice", "2 for alice"}));

  // The step saw both cookies (a snapshot, in Cookie-header order).
  ASSERT_EQ(seen_on_home.size(), 2u);
  EXPECT_EQ(seen_on_home[0].name, "ASP.NET_SessionId");
  EXPECT_TRUE(seen_on_home[0].http_only);
  EXPECT_EQ(seen_on_home[1].name, "token");
  EXPECT_EQ(seen_on_home[1].same_site, SameSite::lax);
  // Each hop asked with what the jar had then: the redirect hop got the session.
  for (const ServerRequest& r : server->requests()) {
    if (r.path == "/login") {
      EXPECT_EQ(cookie_of(r), "");
    }
    if (r.path == "/after-login") {
      EXPECT_EQ(cookie_of(r), "ASP.NET_SessionId=alice");
    }
    if (r.path == "/home") {
      EXPECT_EQ(cookie_of(r), "ASP.NET_SessionId=alice; token=t-42");
    }
  }
  EXPECT_EQ(driver.cookie_jar().size(), 2u);
}

TEST(DriverCookies, WithCookiesOffTheLoginDoesNotHold) {
  ThreadedTestServer server;
  serve_portal(server);
  std::vector<std::string> items;
  LambdaScraper scraper;
  add_portal_steps(scraper, items);
  NameValueList form = {{"user", "alice"}};
  scraper.entries.push_back(Request::post(server.url("/login")).form(form).to("home"));
  DriverOptions options = test_options("cookies-off");
  options.cookies = false;
  Deadline deadline(30s);
  Driver driver(scraper, options);
  const RunResult result = driver.run();
  EXPECT_EQ(result.status, RunStatus::completed);
  EXPECT_TRUE(items.empty());
  ASSERT_EQ(result.failures.size(), 1u);  // /after-login: 403
  EXPECT_NE(result.failures[0].message.find("403"), std::string::npos);
  EXPECT_TRUE(driver.cookie_jar().empty());
}

TEST(DriverCookies, RequestAndPermanentCookiesWinOverTheJar) {
  ThreadedTestServer server;
  server->respond("GET", "/set",
                  with_cookies(ServerResponse::html("<p>set</p>"), {"a=jar", "b=jar", "c=jar"}));
  server->respond("GET", "/check", ServerResponse::html("<p>ok</p>"));
  LambdaScraper scraper;
  scraper.add_step("set", [](const Response&) -> Step {
    co_yield Request::get("/check")
        .cookie("a", "own")
        .permanent_cookie("b", "permanent")
        .to("leaf");
  });
  scraper.add_step("leaf", [](const Response&) -> Step { co_return; });
  scraper.entries.push_back(Request::get(server.url("/set")).to("set"));
  Deadline deadline(30s);
  Driver driver(scraper, test_options("cookies-override"));
  EXPECT_EQ(driver.run().status, RunStatus::completed);
  auto requests = server->requests();
  ASSERT_EQ(requests.size(), 2u);
  // The jar's c, then the request's own (permanent overlaid by per-request).
  EXPECT_EQ(cookie_of(requests[1]), "c=jar; b=permanent; a=own");
}

// Hosts: 127.0.0.1 and localhost are one server but two hosts; 127.0.0.2 and
// 127.0.0.3 are servers of their own. Ports never separate cookies.
TEST(DriverCookies, ScopedByHostAndPath) {
  ThreadedTestServer a;  // 127.0.0.1, also reached as localhost
  TestServerOptions o2;
  o2.bind_host = o2.url_host = "127.0.0.2";
  ThreadedTestServer b(o2);
  TestServerOptions o3;
  o3.bind_host = o3.url_host = "127.0.0.3";
  ThreadedTestServer c(o3);
  const std::string a_ip = a.url("");
  const std::string a_local = "http://localhost:" + std::to_string(a.port());
  for (ThreadedTestServer* s : {&a, &b, &c}) {
    s->server().respond("GET", "/check/*", ServerResponse::html("<p>ok</p>"));
    s->server().respond("GET", "/private/check", ServerResponse::html("<p>ok</p>"));
  }
  a->respond("GET", "/set",
             with_cookies(ServerResponse::html("<p>set</p>"),
                          {"ip=1; Path=/", "deep=2; Path=/private",
                           "wide=3; Domain=localhost",      // not this host: refused
                           "other=4; Domain=127.0.0.2"}));  // an address: only itself
  a->respond("GET", "/local/set",
             with_cookies(ServerResponse::html("<p>set</p>"), {"local=5"}));  // Path /local
  b->respond("GET", "/set", with_cookies(ServerResponse::html("<p>set</p>"), {"two=6; Path=/"}));

  LambdaScraper scraper;
  const std::string b_url = b.url(""), c_url = c.url("");
  scraper.add_step("set_a", [=](const Response&) -> Step {
    co_yield Request::get(a_local + "/local/set").to("set_local");
  });
  scraper.add_step("set_local", [=](const Response&) -> Step {
    co_yield Request::get(b_url + "/set").to("set_b");
  });
  scraper.add_step("set_b", [=](const Response&) -> Step {
    for (const std::string& base : {a_ip, a_local, b_url, c_url}) {
      co_yield Request::get(base + "/check/x").to("leaf");
      co_yield Request::get(base + "/private/check").to("leaf");
      co_yield Request::get(base + "/local/check").to("leaf");
    }
  });
  scraper.add_step("leaf", [](const Response&) -> Step { co_return; });
  scraper.entries.push_back(Request::get(a_ip + "/set").to("set_a"));
  Deadline deadline(30s);
  Driver driver(scraper, test_options("cookies-scope"));
  EXPECT_EQ(driver.run().status, RunStatus::completed);

  std::map<std::string, std::string> sent;  // "host path" -> Cookie
  for (ThreadedTestServer* s : {&a, &b, &c}) {
    for (const ServerRequest& r : s->server().requests()) {
      sent[r.header("Host").value_or("") + " " + r.path] = cookie_of(r);
    }
  }
  const std::string pa = std::to_string(a.port());
  const std::string pb = std::to_string(b.port());
  const std::string pc = std::to_string(c.port());
  EXPECT_EQ(sent.at("127.0.0.1:" + pa + " /check/x"), "ip=1");
  EXPECT_EQ(sent.at("127.0.0.1:" + pa + " /private/check"), "deep=2; ip=1");
  EXPECT_EQ(sent.at("127.0.0.1:" + pa + " /local/check"), "ip=1");
  EXPECT_EQ(sent.at("localhost:" + pa + " /check/x"), "");
  EXPECT_EQ(sent.at("localhost:" + pa + " /local/check"), "local=5");
  EXPECT_EQ(sent.at("localhost:" + pa + " /private/check"), "");
  EXPECT_EQ(sent.at("127.0.0.2:" + pb + " /check/x"), "two=6");
  EXPECT_EQ(sent.at("127.0.0.2:" + pb + " /local/check"), "two=6");
  EXPECT_EQ(sent.at("127.0.0.3:" + pc + " /check/x"), "");
  EXPECT_EQ(sent.at("127.0.0.3:" + pc + " /private/check"), "");
  EXPECT_EQ(driver.cookie_jar().size(), 4u);  // ip, deep, local, two
}

TEST(DriverCookies, MaxAgeExpiresOnTheJarsClock) {
  ThreadedTestServer server;
  server->respond("GET", "/set",
                  with_cookies(ServerResponse::html("<p>set</p>"),
                               {"short=1; Max-Age=1", "long=2; Max-Age=3600", "session=3"}));
  server->respond("GET", "/soon", ServerResponse::html("<p>ok</p>"));
  server->respond("GET", "/later", ServerResponse::html("<p>ok</p>"));
  // The test moves the jar's clock on instead of sleeping.
  auto offset = std::make_shared<std::chrono::seconds>(0);
  LambdaScraper scraper;
  scraper.add_step("set",
                   [](const Response&) -> Step { co_yield Request::get("/soon").to("soon"); });
  scraper.add_step("soon", [offset](const Response&) -> Step {
    *offset = 2s;
    co_yield Request::get("/later").to("leaf");
  });
  scraper.add_step("leaf", [](const Response&) -> Step { co_return; });
  scraper.entries.push_back(Request::get(server.url("/set")).to("set"));
  Deadline deadline(30s);
  Driver driver(scraper, test_options("cookies-expiry"));
  driver.cookie_jar().set_clock([offset] { return std::chrono::system_clock::now() + *offset; });
  EXPECT_EQ(driver.run().status, RunStatus::completed);
  auto requests = server->requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(cookie_of(requests[1]), "short=1; long=2; session=3");
  EXPECT_EQ(cookie_of(requests[2]), "long=2; session=3");
}

TEST(DriverCookies, MaxAgeOfOneSecondExpiresInRealTime) {
  ThreadedTestServer server;
  server->respond(
      "GET", "/set",
      with_cookies(ServerResponse::html("<p>set</p>"), {"short=1; Max-Age=1", "keep=2"}));
  ServerResponse slow = ServerResponse::html("<p>slow</p>");
  slow.delay_before_headers = 1100ms;  // the run waits on the network, not in a step
  server->respond("GET", "/slow", slow);
  server->respond("GET", "/after", ServerResponse::html("<p>ok</p>"));
  LambdaScraper scraper;
  scraper.add_step("set",
                   [](const Response&) -> Step { co_yield Request::get("/slow").to("slow"); });
  scraper.add_step("slow",
                   [](const Response&) -> Step { co_yield Request::get("/after").to("leaf"); });
  scraper.add_step("leaf", [](const Response&) -> Step { co_return; });
  scraper.entries.push_back(Request::get(server.url("/set")).to("set"));
  Deadline deadline(30s);
  Driver driver(scraper, test_options("cookies-expiry-real"));
  EXPECT_EQ(driver.run().status, RunStatus::completed);
  auto requests = server->requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(cookie_of(requests[1]), "short=1; keep=2");
  EXPECT_EQ(cookie_of(requests[2]), "keep=2");
}

TEST(DriverCookies, SecureCookiesGoOnlyOverHttps) {
  const auto& certs = testing::test_certificates();
  TestServerOptions tls;
  tls.tls = std::make_shared<testing::TlsServerConfig>(certs.valid);
  tls.url_host = "localhost";
  ThreadedTestServer secure(tls);
  ThreadedTestServer plain;  // 127.0.0.1, reached as localhost
  secure->respond("GET", "/set",
                  with_cookies(ServerResponse::html("<p>set</p>"), {"s=1; Secure", "p=2"}));
  secure->respond("GET", "/check", ServerResponse::html("<p>ok</p>"));
  plain->respond("GET", "/check", ServerResponse::html("<p>ok</p>"));
  const std::string plain_url = "http://localhost:" + std::to_string(plain.port()) + "/check";
  const std::string secure_url = secure.url("/check");
  LambdaScraper scraper;
  scraper.add_step("set", [=](const Response&) -> Step {
    co_yield Request::get(plain_url).to("leaf");
    co_yield Request::get(secure_url).to("leaf");
  });
  scraper.add_step("leaf", [](const Response&) -> Step { co_return; });
  scraper.entries.push_back(Request::get(secure.url("/set")).to("set"));
  DriverOptions options = test_options("cookies-secure");
  options.ca_file = certs.ca.cert_file;
  Deadline deadline(30s);
  Driver driver(scraper, options);
  const RunResult result = driver.run();
  EXPECT_EQ(result.status, RunStatus::completed);
  EXPECT_EQ(result.requests_failed, 0u);
  auto over_http = plain->requests();
  ASSERT_EQ(over_http.size(), 1u);
  EXPECT_EQ(cookie_of(over_http[0]), "p=2");
  auto over_https = secure->requests();
  ASSERT_EQ(over_https.size(), 2u);
  EXPECT_EQ(cookie_of(over_https[1]), "s=1; p=2");
}

TEST(DriverCookies, NamedJarsKeepSeparateSessions) {
  ThreadedTestServer server;
  serve_portal(server);
  std::vector<std::string> items;
  LambdaScraper scraper;
  add_portal_steps(scraper, items);
  for (const char* user : {"alice", "bob"}) {
    NameValueList form = {{"user", user}};
    scraper.entries.push_back(
        Request::post(server.url("/login")).form(form).cookie_jar(user).to("home"));
  }
  Deadline deadline(30s);
  Driver driver(scraper, test_options("cookies-named", 2));
  const RunResult result = driver.run();
  EXPECT_EQ(result.status, RunStatus::completed);
  EXPECT_EQ(result.requests_failed, 0u);
  // The same pages, fetched once per session (a named jar is part of the dedup key).
  std::sort(items.begin(), items.end());
  EXPECT_EQ(items,
            (std::vector<std::string>{"1 for alice", "1 for bob", "2 for alice", "2 for bob"}));
  EXPECT_TRUE(driver.cookie_jar().empty());  // the default jar was never used
  EXPECT_EQ(driver.cookie_jar("alice").size(), 2u);
  EXPECT_EQ(driver.cookie_jar("bob").all().at(0).value, "bob");
}

TEST(DriverCookies, ExportedSessionContinuesInTheNextRun) {
  ThreadedTestServer server;
  serve_portal(server);
  const auto dir = fresh_dir("cookies-file-dir");
  const std::string file = (dir / "cookies.json").string();

  {  // Run 1 logs in; the jars are written at its end.
    std::vector<std::string> items;
    LambdaScraper scraper;
    add_portal_steps(scraper, items);
    NameValueList form = {{"user", "carol"}};
    scraper.entries.push_back(Request::post(server.url("/login")).form(form).to("home"));
    DriverOptions options = test_options("cookies-file-1");
    options.cookies_file = file;
    Deadline deadline(30s);
    Driver driver(scraper, options);
    EXPECT_EQ(driver.run().status, RunStatus::completed);
    EXPECT_EQ(items.size(), 2u);
  }
  std::ifstream in(file);
  const Json saved = Json::parse(in);
  EXPECT_EQ(saved["format"], "uvscrape-cookie-jars");
  ASSERT_EQ(saved["jars"][""]["cookies"].size(), 2u);
  EXPECT_EQ(saved["jars"][""]["cookies"][0]["value"], "carol");

  server->clear_requests();
  {  // Run 2 starts on a page behind the login, with no login of its own.
    std::vector<std::string> items;
    LambdaScraper scraper;
    add_portal_steps(scraper, items);
    scraper.entries.push_back(Request::get(server.url("/home")).to("home"));
    DriverOptions options = test_options("cookies-file-2");
    options.cookies_file = file;
    Deadline deadline(30s);
    Driver driver(scraper, options);
    const RunResult result = driver.run();
    EXPECT_EQ(result.status, RunStatus::completed);
    EXPECT_EQ(result.requests_failed, 0u);
    std::sort(items.begin(), items.end());
    EXPECT_EQ(items, (std::vector<std::string>{"1 for carol", "2 for carol"}));
  }
  {  // The same through to_json() / from_json(), without a file.
    std::vector<std::string> items;
    LambdaScraper scraper;
    add_portal_steps(scraper, items);
    scraper.entries.push_back(Request::get(server.url("/home")).to("home"));
    Deadline deadline(30s);
    Driver driver(scraper, test_options("cookies-file-3"));
    driver.cookie_jar().from_json(saved["jars"][""]);
    EXPECT_EQ(driver.run().status, RunStatus::completed);
    EXPECT_EQ(items.size(), 2u);
  }
  std::filesystem::remove_all(dir);
}

TEST(DriverCookies, ABadCookiesFileNamesTheFile) {
  const auto dir = fresh_dir("cookies-bad-file-dir");
  const std::string file = (dir / "cookies.json").string();
  std::ofstream(file) << "{\"format\": \"something else\"}";
  LambdaScraper scraper;
  DriverOptions options = test_options("cookies-bad-file");
  options.cookies_file = file;
  try {
    Driver driver(scraper, options);
    FAIL() << "a bad cookies_file was accepted";
  } catch (const ScraperConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(file), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace uvscrape::driver_test
