// Errors (contract §8 items 39-46, 51-55; DESIGN decisions 1, 6, 8, 9): structural
// errors, deferred validation, transient failures, persistent statuses, a step
// that throws after yielding, callbacks that throw.
#include "driver_test_support.hpp"

namespace uvscrape::driver_test {

struct CaseModel {
  std::string docket;
  Date filed;
  std::optional<std::string> judge;
};
UVSCRAPE_MODEL(CaseModel, docket, filed, judge)

namespace {

// /good/<n> pages hold <p>n</p>; /bad pages do not.
void serve_pages(ThreadedTestServer& server) {
  server->route("GET", "/good/*", [](const ServerRequest& req, ServerResponse& res) {
    res = ServerResponse::html("<p>" + req.path.substr(6) + "</p>");
  });
  server->respond("GET", "/bad", ServerResponse::html("<div class='error-container'>oops</div>"));
}

// Entry yields the given paths (in order, one worker) to step "page", which
// requires exactly one <p>.
RunResult crawl_pages(ThreadedTestServer& server, std::vector<std::string> paths,
                      std::function<void(Driver&)> setup, std::vector<std::string>* items,
                      size_t workers = 1) {
  LambdaScraper scraper;
  scraper.entries = {Request::get(server.url("/good/0")).to("entry")};
  scraper.add_step("entry", [paths](const Response&) -> Step {
    for (const auto& p : paths) co_yield Request::get(p).to("page");
  });
  scraper.add_step("page", [](const Response& r) -> Step {
    co_yield Json(page_of(r).checked_xpath_strings("//p/text()", "the value", 1, 1)[0]);
  });
  Driver driver(scraper, test_options("errors", workers));
  driver.on_data = [items](const Json& item) { items->push_back(item.get<std::string>()); };
  if (setup) setup(driver);
  Deadline deadline(std::chrono::seconds(30));
  return driver.run();
}

TEST(DriverStructural, NoCallbackPropagatesOutOfRun) {  // item 39
  ThreadedTestServer server;
  serve_pages(server);
  std::vector<std::string> items;
  std::string status;
  try {
    crawl_pages(
        server, {"/bad"},
        [&](Driver& d) {
          d.on_run_complete = [&](auto&, const std::string& s, auto, auto, auto) { status = s; };
        },
        &items);
    FAIL() << "run() should throw";
  } catch (const HTMLStructuralAssumptionException& e) {
    EXPECT_EQ(e.request_url(), server.url("/bad"));
    EXPECT_EQ(e.description(), "the value");
  }
  EXPECT_EQ(status, "error");
  EXPECT_TRUE(items.empty());
}

TEST(DriverStructural, FalseStopsTheRunGracefully) {  // item 40, decision 1
  ThreadedTestServer server;
  serve_pages(server);
  std::vector<std::string> items;
  int calls = 0;
  const RunResult r = crawl_pages(
      server, {"/bad", "/good/1", "/good/2"},
      [&](Driver& d) {
        d.on_structural_error = [&](const ScraperAssumptionException& e) {
          ++calls;
          EXPECT_NE(std::string(e.what()).find("/bad"), std::string::npos);
          return false;
        };
      },
      &items);
  EXPECT_EQ(r.status, "stopped");
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(items.empty());
  EXPECT_EQ(r.requests_discarded, 2u);
}

TEST(DriverStructural, TrueAbandonsOnlyTheFailingStep) {  // item 41, decision 1
  ThreadedTestServer server;
  serve_pages(server);
  std::vector<std::string> items;
  int calls = 0;
  const RunResult r = crawl_pages(
      server, {"/bad", "/good/1", "/good/2"},
      [&](Driver& d) {
        d.on_structural_error = [&](const ScraperAssumptionException&) {
          ++calls;
          return true;
        };
      },
      &items);
  EXPECT_EQ(r.status, "completed");
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(items, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(driver_test::LambdaScraper().name(), "LambdaScraper");
}

// A step that yields data and a request, then throws: nothing of it is applied.
RunResult throw_after_yielding(ThreadedTestServer& server, std::function<void()> thrower,
                               std::function<void(Driver&)> setup, int* items) {
  LambdaScraper scraper;
  scraper.entries = {Request::get(server.url("/good/0")).to("entry")};
  scraper.add_step("entry", [thrower](const Response&) -> Step {
    co_yield Json("first");
    co_yield Request::get("/good/1").to("entry");
    thrower();
  });
  Driver driver(scraper, test_options("throw-after"));
  driver.on_data = [items](const Json&) { ++*items; };
  if (setup) setup(driver);
  Deadline deadline(std::chrono::seconds(30));
  return driver.run();
}

TEST(DriverStepAtomicity, StructuralThrowAfterYieldingAppliesNothing) {
  ThreadedTestServer server;
  serve_pages(server);
  int items = 0;
  const RunResult r = throw_after_yielding(
      server,
      [] { throw HTMLStructuralAssumptionException("//x", "xpath", "x", 1, 1, 0, "http://h/"); },
      [](Driver& d) {
        d.on_structural_error = [](const ScraperAssumptionException&) { return true; };
      },
      &items);
  EXPECT_EQ(r.status, "completed");
  EXPECT_EQ(items, 0);
  EXPECT_EQ(server->request_count(), 1u);  // the yielded request was never enqueued
}

TEST(DriverStepAtomicity, OtherThrowAfterYieldingEndsTheRunAndAppliesNothing) {
  ThreadedTestServer server;
  serve_pages(server);
  int items = 0;
  EXPECT_THROW(throw_after_yielding(
                   server, [] { throw std::logic_error("bug in step"); }, {}, &items),
               std::logic_error);
  EXPECT_EQ(items, 0);
  EXPECT_EQ(server->request_count(), 1u);
}

// --- validation (items 44-46, decision 6) -------------------------------------------

RunResult crawl_models(ThreadedTestServer& server, std::vector<Json> raws,
                       std::function<void(Driver&)> setup) {
  LambdaScraper scraper;
  scraper.entries = {Request::get(server.url("/good/0")).to("entry")};
  scraper.add_step("entry", [raws](const Response& r) -> Step {
    for (const Json& raw : raws) co_yield deferred<CaseModel>(raw, r.url);
  });
  Driver driver(scraper, test_options("validation"));
  if (setup) setup(driver);
  Deadline deadline(std::chrono::seconds(30));
  return driver.run();
}

Json raw_case(const char* docket, const char* filed) {
  Json j = Json::object();
  j["docket"] = docket;
  j["filed"] = filed;
  return j;
}

TEST(DriverValidation, ValidItemReachesOnDataValidated) {  // item 44
  ThreadedTestServer server;
  serve_pages(server);
  std::vector<Json> got;
  crawl_models(server, {raw_case("BCC-1", "2024-01-02")},
               [&](Driver& d) { d.on_data = [&](const Json& j) { got.push_back(j); }; });
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["docket"], "BCC-1");
  EXPECT_EQ(got[0]["filed"], "2024-01-02");
  EXPECT_TRUE(got[0].contains("judge"));  // the validated model, optional field filled
}

TEST(DriverValidation, InvalidItemWithoutCallbacksThrows) {  // item 45
  ThreadedTestServer server;
  serve_pages(server);
  try {
    crawl_models(server, {raw_case("BCC-1", "not a date")}, {});
    FAIL() << "run() should throw";
  } catch (const DataFormatAssumptionException& e) {
    EXPECT_EQ(e.model_name(), "CaseModel");
    EXPECT_EQ(e.errors()[0]["loc"][0], "filed");
  }
}

TEST(DriverValidation, OnInvalidDataGetsTheWrapper) {  // item 46
  ThreadedTestServer server;
  serve_pages(server);
  std::vector<Json> raws;
  std::vector<Json> valid;
  const RunResult r = crawl_models(
      server, {raw_case("BCC-1", "2024-13-45"), raw_case("BCC-2", "2024-01-02")}, [&](Driver& d) {
        d.on_invalid_data = [&](const DeferredItem& item) {
          EXPECT_EQ(item.model_name(), "CaseModel");
          raws.push_back(item.raw_data());
        };
        d.on_data = [&](const Json& j) { valid.push_back(j); };
      });
  EXPECT_EQ(r.status, "completed");
  ASSERT_EQ(raws.size(), 1u);
  EXPECT_EQ(raws[0]["docket"], "BCC-1");
  ASSERT_EQ(valid.size(), 1u);
  EXPECT_EQ(r.items_emitted, 1u);
}

TEST(DriverValidation, InvalidWithoutOnInvalidDataIsAStructuralError) {  // decision 6
  ThreadedTestServer server;
  serve_pages(server);
  std::vector<std::string> events;
  const RunResult r = crawl_models(
      server,
      {raw_case("BCC-1", "2024-01-02"), raw_case("BCC-2", "bad"), raw_case("BCC-3", "2024-01-03")},
      [&](Driver& d) {
        d.on_data = [&](const Json& j) {
          events.push_back("data:" + j["docket"].get<std::string>());
        };
        d.on_structural_error = [&](const ScraperAssumptionException& e) {
          events.push_back(dynamic_cast<const DataFormatAssumptionException*>(&e) ? "invalid"
                                                                                  : "?");
          return true;
        };
      });
  EXPECT_EQ(r.status, "completed");
  // Earlier yields stay applied, later ones of that step are skipped (contract §4.3).
  EXPECT_EQ(events, (std::vector<std::string>{"data:BCC-1", "invalid"}));
}

// --- transient and persistent HTTP outcomes (items 51-55, decisions 8, 9) -----------

TEST(DriverTransient, ReclassifiedStatusThrowsWithFullUrl) {  // item 51
  ThreadedTestServer server;
  server->respond("GET", "/err", ServerResponse::with_status(500));
  LambdaScraper scraper;
  scraper.status_overrides().set({500}, StatusClass::transient);
  scraper.entries = {Request::get(server.url("/err?q=1&x=2")).to("page")};
  scraper.add_step("page", [](const Response&) -> Step { co_yield Json("never"); });
  Driver driver(scraper, test_options("transient-500"));
  int items = 0;
  driver.on_data = [&](const Json&) { ++items; };
  Deadline deadline(std::chrono::seconds(30));
  try {
    driver.run();
    FAIL() << "run() should throw";
  } catch (const HTMLResponseAssumptionException& e) {
    EXPECT_EQ(e.status_code(), 500);
    EXPECT_EQ(e.url(), server.url("/err?q=1&x=2"));
    EXPECT_NE(std::find(e.expected_codes().begin(), e.expected_codes().end(), 200),
              e.expected_codes().end());
  }
  EXPECT_EQ(items, 0);
}

TEST(DriverTransient, DefaultTransient503) {  // item 52
  ThreadedTestServer server;
  server->respond("GET", "/busy", ServerResponse::with_status(503));
  LambdaScraper scraper;
  scraper.entries = {Request::get(server.url("/busy")).to("page")};
  scraper.add_step("page", [](const Response&) -> Step { co_return; });
  Driver driver(scraper, test_options("transient-503"));
  Deadline deadline(std::chrono::seconds(30));
  try {
    driver.run();
    FAIL() << "run() should throw";
  } catch (const HTMLResponseAssumptionException& e) {
    EXPECT_EQ(e.status_code(), 503);
  }
}

TEST(DriverTransient, FalseStopsGracefully) {  // item 53, decision 9
  ThreadedTestServer server;
  serve_pages(server);
  server->respond("GET", "/busy", ServerResponse::with_status(503));
  std::vector<std::string> items;
  int calls = 0;
  const RunResult r = crawl_pages(
      server, {"/busy", "/good/1"},
      [&](Driver& d) {
        d.on_transient_exception = [&](const TransientException&) {
          ++calls;
          return false;
        };
      },
      &items);
  EXPECT_EQ(r.status, "stopped");
  EXPECT_EQ(calls, 1);  // after /busy's last retry; /good/1 went while it waited
  EXPECT_EQ(items, (std::vector<std::string>{"1"}));
}

TEST(DriverTransient, TrueSkipsTheRequest) {  // item 54
  ThreadedTestServer server;
  serve_pages(server);
  server->respond("GET", "/busy", ServerResponse::with_status(429));
  std::vector<std::string> items;
  int calls = 0;
  const RunResult r = crawl_pages(
      server, {"/busy", "/good/1", "/busy?again", "/good/2"},
      [&](Driver& d) {
        d.on_transient_exception = [&](const TransientException& e) {
          ++calls;
          EXPECT_NE(dynamic_cast<const HTMLResponseAssumptionException*>(&e), nullptr);
          return true;
        };
      },
      &items);
  EXPECT_EQ(r.status, "completed");
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(items, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(server->request_count(), 11u);  // each /busy: 1 attempt + 3 retries
}

TEST(DriverTransient, TimeoutReachesTheCallbackWithTheUrl) {  // item 55
  ThreadedTestServer server;
  serve_pages(server);
  ServerResponse silent;
  silent.never_respond = true;
  server->respond("GET", "/silent", silent);
  LambdaScraper scraper;
  scraper.entries = {Request::get(server.url("/good/0")).to("entry")};
  scraper.add_step("entry", [](const Response&) -> Step {
    co_yield Request::get("/silent").to("page").timeout(0.3);  // a per-request timeout
    co_yield Request::get("/good/1").to("page");
  });
  scraper.add_step("page", [](const Response& r) -> Step { co_yield Json(r.url); });
  Driver driver(scraper, test_options("timeout"));
  std::string timed_out_url;
  double seconds = 0;
  driver.on_transient_exception = [&](const TransientException& e) {
    if (auto* t = dynamic_cast<const RequestTimeoutException*>(&e)) {
      timed_out_url = t->url();
      seconds = t->timeout_seconds();
    }
    return true;
  };
  std::vector<std::string> items;
  driver.on_data = [&](const Json& j) { items.push_back(j.get<std::string>()); };
  Deadline deadline(std::chrono::seconds(30));
  EXPECT_EQ(driver.run().status, "completed");
  EXPECT_EQ(timed_out_url, server.url("/silent"));
  EXPECT_DOUBLE_EQ(seconds, 0.3);
  EXPECT_EQ(items, (std::vector<std::string>{server.url("/good/1")}));
}

TEST(DriverTransient, NetworkFailuresAreTransient) {  // decision 8
  // A port nobody listens on: connection refused.
  uint16_t dead_port;
  {
    ThreadedTestServer gone;
    dead_port = gone.port();
  }
  LambdaScraper scraper;
  scraper.entries = {
      Request::get("http://127.0.0.1:" + std::to_string(dead_port) + "/x").to("page")};
  scraper.add_step("page", [](const Response&) -> Step { co_return; });
  Driver driver(scraper, test_options("refused"));
  std::string type;
  driver.on_transient_exception = [&](const TransientException& e) {
    type = dynamic_cast<const ConnectionError*>(&e) ? "ConnectionError" : e.what();
    return true;
  };
  Deadline deadline(std::chrono::seconds(30));
  EXPECT_EQ(driver.run().status, "completed");
  EXPECT_EQ(type, "ConnectionError");
  EXPECT_EQ(driver.progress().errors, 1u);
}

TEST(DriverPersistent, PersistentStatusEndsTheRun) {  // contract §4.6 step 7
  ThreadedTestServer server;
  serve_pages(server);
  std::vector<std::string> items;
  try {
    crawl_pages(server, {"/missing"}, {}, &items);
    FAIL() << "run() should throw";
  } catch (const PersistentHTTPResponseException& e) {
    EXPECT_EQ(e.status_code(), 404);
    EXPECT_EQ(e.url(), server.url("/missing"));
  }
}

TEST(DriverConnections, PerOriginCapFollowsNumWorkersByDefault) {
  ThreadedTestServer server;
  server->route("GET", "/slow/*", [](const ServerRequest& req, ServerResponse& res) {
    res = ServerResponse::html("<p>" + req.path.substr(6) + "</p>");
    res.delay_before_headers = std::chrono::milliseconds(300);
  });
  serve_pages(server);
  std::vector<std::string> paths;
  for (int i = 0; i < 12; ++i) paths.push_back("/slow/" + std::to_string(i));
  std::vector<std::string> items;
  const RunResult r = crawl_pages(server, paths, {}, &items, 12);
  EXPECT_EQ(r.status, "completed");
  EXPECT_EQ(items.size(), 12u);
  // All twelve slow pages were on the wire at once: one connection each (plus
  // the entry page's, reused), more than the HTTP client's own default of 8.
  EXPECT_GE(server->connections_accepted(), 12u);
}

TEST(DriverPersistent, CallbackTrueDropsTheRequestAndGoesOn) {
  ThreadedTestServer server;
  serve_pages(server);
  std::vector<std::string> items;
  std::vector<std::string> failed;
  const RunResult r = crawl_pages(
      server, {"/good/1", "/missing", "http://bad host/x", "/good/2"},
      [&](Driver& d) {
        d.on_persistent_exception = [&](const PersistentException& e) {
          if (auto* http = dynamic_cast<const PersistentHTTPResponseException*>(&e))
            failed.push_back(std::to_string(http->status_code()) + " " + http->url());
          else if (auto* url = dynamic_cast<const UrlError*>(&e))
            failed.push_back("url " + url->url());
          return true;
        };
      },
      &items);
  EXPECT_EQ(r.status, "completed");
  EXPECT_EQ(items, (std::vector<std::string>{"1", "2"}));
  ASSERT_EQ(failed.size(), 2u);
  EXPECT_EQ(failed[0], "url http://bad host/x");  // rejected while applying the yields
  EXPECT_EQ(failed[1], "404 " + server.url("/missing"));
}

TEST(DriverPersistent, CallbackFalseStopsGracefully) {
  ThreadedTestServer server;
  serve_pages(server);
  std::vector<std::string> items;
  const RunResult r = crawl_pages(
      server, {"/missing", "/good/1"},
      [&](Driver& d) {
        d.on_persistent_exception = [](const PersistentException&) { return false; };
      },
      &items);
  EXPECT_EQ(r.status, "stopped");
  EXPECT_TRUE(items.empty());
}

TEST(DriverPersistent, BadLinkWithoutCallbackEndsTheRunNamingTheUrl) {
  ThreadedTestServer server;
  serve_pages(server);
  std::vector<std::string> items;
  try {
    crawl_pages(server, {"http://bad host/x"}, {}, &items);
    FAIL() << "run() should throw";
  } catch (const UrlError& e) {
    EXPECT_EQ(e.url(), "http://bad host/x");
  }
}

// --- decision 9: a worker failure ends the run, others finish, no hang ----------------

TEST(DriverWorkerFailure, CallbackThrowingWithManyWorkersEndsWithErrorAndNoHang) {
  ThreadedTestServer server;
  serve_fanout(server, 10, 50);
  server->route("GET", "/item/*", [](const ServerRequest& req, ServerResponse& res) {
    res = ServerResponse::html("<p class='v'>" + req.path.substr(6) + "</p>");
    res.delay_before_headers = std::chrono::milliseconds(20);
  });
  LambdaScraper scraper;
  scraper.entries = {Request::get(server.url("/list/1")).to("list")};
  scraper.add_step("list", [](const Response& r) -> Step {
    for (const auto& href : links(r, "//a[@class='item']/@href"))
      co_yield Request::get(href).to("item");
  });
  scraper.add_step("item", [](const Response& r) -> Step { co_yield Json(r.url); });
  Driver driver(scraper, test_options("worker-failure", 16));
  int calls = 0;
  driver.on_data = [&](const Json&) {
    ++calls;
    throw std::runtime_error("callback failed");
  };
  std::string status;
  uint64_t completed = 0;
  driver.on_run_complete = [&](auto&, const std::string& s, uint64_t n, auto, auto) {
    status = s;
    completed = n;
  };
  Deadline deadline(std::chrono::seconds(30));
  EXPECT_THROW(driver.run(), std::runtime_error);
  EXPECT_EQ(status, "error");
  EXPECT_LT(completed, 51u);
  EXPECT_EQ(completed, server->request_count());  // the in-flight requests finished
  EXPECT_GE(calls, 1);
  EXPECT_EQ(driver.progress().requests_in_flight, 0u);
}

}  // namespace
}  // namespace uvscrape::driver_test
