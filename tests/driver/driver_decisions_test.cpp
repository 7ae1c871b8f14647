// The decisions (docs/design.md §N) that show on the wire or in what a step sees, checked
// through real crawls: 4 (params and json sent), 7 (permanent headers merge),
// 11 (resolution base), 12 (Response.url after redirects), 16 (one thread,
// never concurrent).
#include <atomic>

#include "driver_test_support.hpp"

namespace uvscrape::driver_test {
namespace {

std::optional<ServerRequest> find_request(ThreadedTestServer& server, const std::string& path) {
  for (const auto& r : server->requests())
    if (r.path == path) return r;
  return std::nullopt;
}

RunResult crawl(LambdaScraper& scraper, size_t workers = 1) {
  Driver driver(scraper, test_options("decisions", workers));
  Deadline deadline(std::chrono::seconds(30));
  return driver.run();
}

TEST(DriverDecisions, ParamsAreTheQueryAndJsonIsTheBody) {  // docs/design.md §4
  ThreadedTestServer server(catch_all());
  LambdaScraper scraper;
  scraper.entries = {Request::get(server.url("/entry")).to("entry")};
  scraper.add_step("entry", [](const Response&) -> Step {
    // (lists built outside co_yield: g++ 12 mishandles braced lists in a co_yield)
    NameValueList params = {{"q", "beetle"}, {"page", "2"}};
    NameValueList fields = {{"a", "1"}, {"b", "x y"}};
    co_yield Request::get("/search").params(params).to("leaf");
    Json body = Json::object();
    body["docket"] = "BCC-1";
    co_yield Request::post("/api").json(body).to("leaf");
    co_yield Request::post("/form").form(fields).to("leaf");
  });
  scraper.add_step("leaf", [](const Response&) -> Step { co_return; });
  EXPECT_EQ(crawl(scraper).status, RunStatus::completed);
  auto search = find_request(server, "/search");
  ASSERT_TRUE(search);
  EXPECT_EQ(search->query, "q=beetle&page=2");
  auto api = find_request(server, "/api");
  ASSERT_TRUE(api);
  EXPECT_EQ(api->method, "POST");
  EXPECT_EQ(api->header("Content-Type").value_or(""), "application/json");
  EXPECT_EQ(Json::parse(api->body)["docket"], "BCC-1");
  auto form = find_request(server, "/form");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->header("Content-Type").value_or(""), "application/x-www-form-urlencoded");
  EXPECT_EQ(form->body, "a=1&b=x+y");
}

TEST(DriverDecisions, PermanentHeadersFlowAndExplicitOnesWin) {  // docs/design.md §7
  ThreadedTestServer server(catch_all());
  LambdaScraper scraper;
  scraper.entries = {Request::get(server.url("/entry"))
                         .to("entry")
                         .permanent_header("X-Session", "s1")
                         .permanent_cookie("sid", "abc")};
  scraper.add_step("entry", [](const Response&) -> Step {
    co_yield Request::get("/child").to("child").permanent_header("X-Trace", "t1");
  });
  scraper.add_step("child", [](const Response&) -> Step {
    co_yield Request::get("/grandchild").to("leaf").header("X-Session", "explicit");
  });
  scraper.add_step("leaf", [](const Response&) -> Step { co_return; });
  EXPECT_EQ(crawl(scraper).status, RunStatus::completed);
  auto child = find_request(server, "/child");
  ASSERT_TRUE(child);
  EXPECT_EQ(child->header("X-Session").value_or(""), "s1");
  EXPECT_EQ(child->header("X-Trace").value_or(""), "t1");
  EXPECT_NE(child->header("Cookie").value_or("").find("sid=abc"), std::string::npos);
  auto grandchild = find_request(server, "/grandchild");
  ASSERT_TRUE(grandchild);
  EXPECT_EQ(grandchild->header("X-Session").value_or(""), "explicit");
  EXPECT_EQ(grandchild->header("X-Trace").value_or(""), "t1");  // merged key by key
}

TEST(DriverDecisions, NonNavigatingRequestsDoNotMoveTheBrowser) {  // docs/design.md §11
  ThreadedTestServer server(catch_all());
  LambdaScraper scraper;
  scraper.entries = {Request::get(server.url("/cases/list")).to("list")};
  scraper.add_step("list", [](const Response&) -> Step {
    co_yield Request::get("api/1").nonnavigating().to("api");  // /cases/api/1
  });
  std::string api_location;
  scraper.add_step("api", [&api_location](const Response& r) -> Step {
    api_location = r.request->current_location();
    co_yield Request::get("detail/1").to("leaf");  // resolves against /cases/list, not the API
  });
  scraper.add_step("leaf", [](const Response&) -> Step { co_return; });
  EXPECT_EQ(crawl(scraper).status, RunStatus::completed);
  EXPECT_EQ(api_location, server.url("/cases/list"));
  EXPECT_TRUE(find_request(server, "/cases/api/1"));
  EXPECT_TRUE(find_request(server, "/cases/detail/1"));
}

TEST(DriverDecisions, ResponseUrlIsTheFinalUrlAfterRedirects) {  // docs/design.md §12
  ThreadedTestServer server(catch_all());
  const std::string first = server->redirect_chain("/hop", 2, "/final/page");
  LambdaScraper scraper;
  scraper.follow(true);
  scraper.entries = {Request::get(server.url(first)).to("page")};
  std::string seen_url;
  std::vector<std::string> chain;
  scraper.add_step("page", [&](const Response& r) -> Step {
    seen_url = r.url;
    chain = r.redirect_chain;
    co_yield Request::get("next").to("leaf");  // relative to the final page
  });
  scraper.add_step("leaf", [](const Response&) -> Step { co_return; });
  EXPECT_EQ(crawl(scraper).status, RunStatus::completed);
  EXPECT_EQ(seen_url, server.url("/final/page"));
  EXPECT_EQ(chain.size(), 2u);
  EXPECT_TRUE(find_request(server, "/final/next"));
}

// docs/design.md, "Status classification": a 3xx reaches the step unless the scraper follows.
TEST(DriverDecisions, RedirectsAreNotFollowedUnlessTheScraperAsks) {
  ThreadedTestServer server(catch_all());
  const std::string first = server->redirect_chain("/hop", 1, "/final");
  LambdaScraper scraper;
  scraper.status_overrides().set({302}, StatusClass::successful);
  scraper.entries = {Request::get(server.url(first)).to("page")};
  int status = 0;
  scraper.add_step("page", [&status](const Response& r) -> Step {
    status = r.status_code;
    co_return;
  });
  EXPECT_EQ(crawl(scraper).status, RunStatus::completed);
  EXPECT_EQ(status, 302);
  EXPECT_FALSE(find_request(server, "/final"));
}

// docs/design.md §16, with step_threads = 0 (steps on step threads:
// driver_step_threads_test.cpp, §24).
TEST(DriverDecisions, StepsAndCallbacksRunOnOneThreadOneAtATime) {
  ThreadedTestServer server;
  serve_fanout(server, 5, 40);
  LambdaScraper scraper;
  std::atomic<int> inside{0};
  std::atomic<int> overlaps{0};
  std::mutex mutex;
  std::set<std::thread::id> threads;
  auto enter = [&] {
    if (inside.fetch_add(1) != 0) overlaps.fetch_add(1);
    std::lock_guard<std::mutex> lock(mutex);
    threads.insert(std::this_thread::get_id());
  };
  auto leave = [&] { inside.fetch_sub(1); };
  scraper.entries = {Request::get(server.url("/list/1")).to("list")};
  scraper.add_step("list", [&](const Response& r) -> Step {
    enter();
    auto items = links(r, "//a[@class='item']/@href");
    auto next = links(r, "//a[@rel='next']/@href");
    leave();
    for (const auto& href : items) co_yield Request::get(href).to("item");
    for (const auto& href : next) co_yield Request::get(href).to("list");
  });
  scraper.add_step("item", [&](const Response& r) -> Step {
    enter();
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    leave();
    co_yield Json(r.url);
  });
  DriverOptions o = test_options("one-thread", 16);
  o.step_threads = 0;
  Driver driver(scraper, o);
  driver.on_data = [&](const Json&) {
    enter();
    leave();
  };
  Deadline deadline(std::chrono::seconds(30));
  EXPECT_EQ(driver.run().items_emitted, 200u);
  EXPECT_EQ(overlaps.load(), 0);
  EXPECT_EQ(threads.size(), 1u);
  EXPECT_EQ(*threads.begin(), std::this_thread::get_id());  // run() runs the loop here
}

TEST(DriverText, DeclaredCharsetsAreDecoded) {
  ThreadedTestServer server;
  // "café" in ISO-8859-1, declared by the header on one page and by <meta> on another.
  ServerResponse by_header = ServerResponse::html("<p>caf\xE9</p>");
  by_header.headers = {{"Content-Type", "text/html; charset=ISO-8859-1"}};
  server->respond("GET", "/header", by_header);
  ServerResponse by_meta = ServerResponse::html(
      "<html><head><META http-equiv='x' charset=\"iso-8859-1\"></head><body><p>caf\xE9</p></body>"
      "</html>");
  by_meta.headers = {{"Content-Type", "text/html"}};
  server->respond("GET", "/meta", by_meta);
  server->respond("GET", "/utf8", ServerResponse::html("<meta charset='utf-8'><p>caf\xC3\xA9</p>"));
  LambdaScraper scraper;
  scraper.entries = {Request::get(server.url("/header")).to("page"),
                     Request::get(server.url("/meta")).to("page"),
                     Request::get(server.url("/utf8")).to("page")};
  std::vector<std::string> texts;
  scraper.add_step("page", [&texts](const Response& r) -> Step {
    texts.push_back(r.page().checked_xpath_strings("//p/text()", "p", 1, 1)[0]);
    EXPECT_NE(r.text().find("caf\xC3\xA9"), std::string::npos) << r.url;  // text() is UTF-8
    co_return;
  });
  EXPECT_EQ(crawl(scraper).status, RunStatus::completed);
  EXPECT_EQ(texts, (std::vector<std::string>{"caf\xC3\xA9", "caf\xC3\xA9", "caf\xC3\xA9"}));
}

// Hostile pages through a real crawl: bad UTF-8 (declared UTF-8, so nothing
// decodes it away), nesting past libxml2's 256, and a UTF-7 label. Every item
// is dumped as the README's on_data does; before, the bad bytes made dump()
// throw and the run end in error.
TEST(DriverText, HostilePagesYieldValidUtf8ItemsAndTheCrawlCompletes) {
  ThreadedTestServer server;
  ServerResponse bad = ServerResponse::html(
      "<html><head><meta charset='utf-8'></head><body>"
      "<p title='t\xFF'>caf\xE9 \xC3\x28</p><a href='/deep'>next</a></body></html>");
  bad.headers = {{"Content-Type", "text/html; charset=utf-8"}};
  server->respond("GET", "/bad", bad);
  std::string deep = "<html><body>";
  for (int i = 0; i < 300; ++i) deep += "<div><span>";
  deep += "<p title='deep'>deep</p><a href='/utf7'>next</a></body></html>";
  server->respond("GET", "/deep", ServerResponse::html(deep));
  ServerResponse utf7 = ServerResponse::html("<p title='u'>+ADw-script+AD4-</p>");
  utf7.headers = {{"Content-Type", "text/html; charset=utf-7"}};
  server->respond("GET", "/utf7", utf7);

  LambdaScraper scraper;
  scraper.entries = {Request::get(server.url("/bad")).to("page")};
  scraper.add_step("page", [](const Response& r) -> Step {
    const Page& page = r.page();
    Json item = Json::object();
    item["title"] = page.checked_xpath_strings("//p/@title", "title", 1, 1)[0];
    item["p"] = page.checked_xpath_strings("//p/text()", "p", 1, 1)[0];
    item["css"] = page.checked_css("p", "p", 1, 1)[0].text();
    item["text_is_page"] = r.text().find(item["p"].get<std::string>()) != std::string::npos;
    co_yield std::move(item);
    for (auto& href : links(r)) co_yield Request::get(href).to("page");
  });
  Driver driver(scraper, test_options("hostile"));
  std::vector<std::string> lines;
  driver.on_data = [&lines](const Json& item) { lines.push_back(item.dump()); };
  Deadline deadline(std::chrono::seconds(30));
  const RunResult result = driver.run();
  EXPECT_FALSE(result.error);
  EXPECT_EQ(result.items_emitted, 3u);
  const std::string r = "\xEF\xBF\xBD";
  const std::string caf = "caf" + r + " " + r + "(";
  EXPECT_EQ(lines, (std::vector<std::string>{
                       R"({"title":"t)" + r + R"(","p":")" + caf + R"(","css":")" + caf +
                           R"(","text_is_page":true})",
                       R"({"title":"deep","p":"deep","css":"deep","text_is_page":true})",
                       R"({"title":"u","p":"+ADw-script+AD4-","css":"+ADw-script+AD4-",)"
                       R"("text_is_page":true})"}));
}

}  // namespace
}  // namespace uvscrape::driver_test
