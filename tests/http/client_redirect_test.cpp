// Redirects through the client: chains, limits, loops, method rewriting.
#include "client_fixture.hpp"

namespace uvscrape::http::test {
namespace {

TEST_F(ClientTest, RedirectChainIsFollowedAndReported) {
  server().respond("GET", "/final", ServerResponse::text("landed"));
  const std::string first = server().redirect_chain("/hop", 3, "/final");
  const HttpResponse r = ok(get(first));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "landed");
  EXPECT_EQ(r.url, server().url("/final"));
  EXPECT_EQ(r.redirect_chain,
            (std::vector<std::string>{server().url("/hop/0"), server().url("/hop/1"),
                                      server().url("/hop/2")}));
  EXPECT_EQ(server().connections_accepted(), 1u);  // every hop on the kept-alive connection
}

TEST_F(ClientTest, RelativeLocationIsResolved) {
  server().respond("GET", "/a/b/start", ServerResponse::redirect("../c/end?x=1", 301));
  server().respond("GET", "/a/c/end", ServerResponse::text("end"));
  const HttpResponse r = ok(get("/a/b/start"));
  EXPECT_EQ(r.url, server().url("/a/c/end?x=1"));
  EXPECT_EQ(server().last_request()->query, "x=1");
}

TEST_F(ClientTest, TenRedirectsAreFineElevenAreTooMany) {
  server().respond("GET", "/done", ServerResponse::text("ok"));
  EXPECT_EQ(ok(get(server().redirect_chain("/ten", 10, "/done"))).status, 200);
  const std::string what =
      expect_error<TooManyRedirectsError>(get(server().redirect_chain("/eleven", 11, "/done")));
  EXPECT_NE(what.find("more than 10"), std::string::npos) << what;
}

TEST_F(ClientTest, PerRequestRedirectLimit) {
  server().respond("GET", "/done", ServerResponse::text("ok"));
  HttpRequest r;
  r.url = server().url(server().redirect_chain("/two", 2, "/done"));
  r.options.max_redirects = 1;
  expect_error<TooManyRedirectsError>(fetch(std::move(r)));
}

TEST_F(ClientTest, RedirectLoopIsAnErrorNotAHang) {
  const std::string what =
      expect_error<TooManyRedirectsError>(get(server().redirect_loop("/loop", 3), 3s));
  EXPECT_NE(what.find("redirect loop"), std::string::npos) << what;
  EXPECT_LE(server().request_count(), 4u);
}

TEST_F(ClientTest, SeeOtherTurnsPostIntoGetWithoutBody) {
  server().respond("POST", "/submit", ServerResponse::redirect("/result", 303));
  server().respond("GET", "/result", ServerResponse::text("result"));
  HttpRequest r;
  r.method = "POST";
  r.url = server().url("/submit");
  r.form = std::vector<std::pair<std::string, std::string>>{{"a", "1"}};
  EXPECT_EQ(ok(fetch(std::move(r))).body, "result");
  const auto reqs = server().requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[1].method, "GET");
  EXPECT_EQ(reqs[1].body, "");
  EXPECT_FALSE(reqs[1].header("Content-Type").has_value());
  EXPECT_FALSE(reqs[1].header("Content-Length").has_value());
}

TEST_F(ClientTest, FoundTurnsPostIntoGetButTemporaryRedirectKeepsIt) {
  server().respond("POST", "/302", ServerResponse::redirect("/target", 302));
  server().respond("POST", "/307", ServerResponse::redirect("/target", 307));
  server().respond("POST", "/308", ServerResponse::redirect("/target", 308));
  server().respond("*", "/target", ServerResponse::text("t"));
  for (const char* path : {"/302", "/307", "/308"}) {
    server().clear_requests();
    HttpRequest r;
    r.method = "POST";
    r.url = server().url(path);
    r.json = R"({"keep":true})";
    ok(fetch(std::move(r)));
    const auto last = server().last_request();
    ASSERT_TRUE(last);
    if (std::string(path) == "/302") {
      EXPECT_EQ(last->method, "GET");
      EXPECT_EQ(last->body, "");
    } else {
      EXPECT_EQ(last->method, "POST") << path;
      EXPECT_EQ(last->body, R"({"keep":true})") << path;
      EXPECT_EQ(last->header("Content-Type"), "application/json") << path;
    }
  }
}

TEST_F(ClientTest, FollowRedirectsFalseReturnsThe3xx) {
  server().respond("GET", "/moved", ServerResponse::redirect("/elsewhere", 301));
  HttpRequest r;
  r.url = server().url("/moved");
  r.options.follow_redirects = false;
  const HttpResponse resp = ok(fetch(std::move(r)));
  EXPECT_EQ(resp.status, 301);
  EXPECT_EQ(resp.headers.get("Location"), "/elsewhere");
  EXPECT_EQ(server().request_count(), 1u);
}

TEST_F(ClientTest, RedirectWithoutLocationIsReturnedAsIs) {
  server().respond("GET", "/nowhere", ServerResponse::with_status(302));
  EXPECT_EQ(ok(get("/nowhere")).status, 302);
}

TEST_F(ClientTest, RedirectToAnotherSchemeIsRefused) {
  server().respond("GET", "/ftp", ServerResponse::redirect("ftp://files.example/x", 302));
  expect_error<RedirectRefusedError>(get("/ftp"));
}

TEST_F(ClientTest, RedirectedBodiesAreDiscardedAndTheConnectionReused) {
  ServerResponse r = ServerResponse::redirect("/final", 302);
  r.body = std::string(10'000, 'r');
  r.chunked = true;
  r.chunk_size = 999;
  server().respond("GET", "/with-body", r);
  server().respond("GET", "/final", ServerResponse::text("final"));
  EXPECT_EQ(ok(get("/with-body")).body, "final");
  EXPECT_EQ(server().connections_accepted(), 1u);
}

}  // namespace
}  // namespace uvscrape::http::test

namespace uvscrape::http::test {
namespace {

// docs/design.md §21: every hop stores its Set-Cookie in the jar and asks the
// jar for the Cookie header of its own URL (127.0.0.1 and localhost are two
// hosts); the request's own cookie wins over the jar's of the same name.
TEST_F(ClientTest, EveryRedirectHopFeedsAndAsksTheJar) {
  const std::string local = "http://localhost:" + std::to_string(server().port());
  ServerResponse start = ServerResponse::redirect(local + "/next");
  start.headers.emplace_back("Set-Cookie", "a=1; Path=/");
  server().respond("GET", "/start", start);
  ServerResponse next = ServerResponse::redirect(server().url("/end"));
  next.headers.emplace_back("Set-Cookie", "b=2; Path=/");
  server().respond("GET", "/next", next);
  server().respond("GET", "/end", ServerResponse::text("end"));

  CookieJar jar;
  HttpRequest request;
  request.url = server().url("/start");
  request.cookie_jar = &jar;
  request.cookies = {{"own", "x"}};
  const HttpResponse r = ok(fetch(request));
  EXPECT_EQ(r.status, 200);
  auto requests = server().requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].header("Cookie").value_or(""), "own=x");
  EXPECT_EQ(requests[1].header("Cookie").value_or(""), "own=x");  // localhost: not a=1
  EXPECT_EQ(requests[2].header("Cookie").value_or(""), "a=1; own=x");
  EXPECT_EQ(jar.size(), 2u);
  ASSERT_EQ(r.cookies.size(), 1u);  // what applies to the final URL
  EXPECT_EQ(r.cookies[0].name, "a");

  server().clear_requests();
  request.url = server().url("/end");
  request.cookies = {{"a", "mine"}};
  ok(fetch(request));
  EXPECT_EQ(server().last_request()->header("Cookie").value_or(""), "a=mine");
}

// HttpRequest::redirect_check: asked with every hop's target before it is
// fetched; a refusal ends the request with the refusal, never sending the hop.
TEST_F(ClientTest, ARedirectCheckSeesEveryHopAndItsRefusalEndsTheRequest) {
  server().respond("GET", "/private", ServerResponse::text("must not be fetched"));
  const std::string first = server().redirect_chain("/hop", 2, "/private");
  std::vector<std::string> asked;
  HttpRequest r;
  r.url = server().url(first);
  r.redirect_check = [&](const Url& target, HttpRequest::RedirectAnswer answer) {
    asked.push_back(target.str());
    if (target.path() == "/private")
      return answer(std::make_exception_ptr(RedirectRefusedError(target.str(), "not allowed")));
    answer(nullptr);
  };
  const std::string what = expect_error<RedirectRefusedError>(fetch(std::move(r)));
  EXPECT_NE(what.find("not allowed"), std::string::npos) << what;
  EXPECT_EQ(asked, (std::vector<std::string>{server().url("/hop/1"), server().url("/private")}));
  EXPECT_EQ(server().request_count(), 2u);  // /hop/0 and /hop/1, never /private
}

// /start redirects to /end; the request's redirect_check keeps its answer in
// `held`, for the test to give when it wants.
class RedirectCheckTest : public ClientTest {
 protected:
  HttpRequest held_redirect() {
    server().respond("GET", "/start", ServerResponse::redirect("/end", 302));
    server().respond("GET", "/end", ServerResponse::text("end"));
    HttpRequest r;
    r.url = server().url("/start");
    r.redirect_check = [this](const Url&, HttpRequest::RedirectAnswer answer) {
      held = std::move(answer);
    };
    return r;
  }
  HttpRequest::RedirectAnswer held;
};

// An answer on a later loop turn (the driver's gate fetching robots.txt first)
// goes on with the hop; meanwhile the request waits and its connection is back
// in the pool (the hop reuses it).
TEST_F(RedirectCheckTest, ARedirectCheckMayAnswerLater) {
  HttpRequest r = held_redirect();
  Client& c = client();
  std::optional<Result> out;
  c.fetch(std::move(r), [&](Result res) { out = std::move(res); });
  run_for(2s, [&] { return static_cast<bool>(held); });
  run_for(100ms, [&] { return out.has_value(); }, false);
  EXPECT_FALSE(out) << "the hop went on before the check answered";
  EXPECT_EQ(server().request_count(), 1u);
  held(nullptr);
  run_for(2s, [&] { return out.has_value(); });
  ASSERT_TRUE(out);
  EXPECT_EQ(ok(*out).body, "end");
  EXPECT_EQ(server().connections_accepted(), 1u);
}

// A request cancelled while its redirect is being checked ends cancelled; the
// answer that comes afterwards is ignored.
TEST_F(RedirectCheckTest, AnAnswerAfterCancelIsIgnored) {
  HttpRequest r = held_redirect();
  Client& c = client();
  std::optional<Result> out;
  int calls = 0;
  const RequestId id = c.fetch(std::move(r), [&](Result res) {
    ++calls;
    out = std::move(res);
  });
  run_for(2s, [&] { return static_cast<bool>(held); });
  c.cancel(id);
  run_for(2s, [&] { return out.has_value(); });
  held(nullptr);  // too late
  run_for(200ms, [] { return false; }, false);
  ASSERT_TRUE(out);
  expect_error<CancelledError>(*out);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(server().request_count(), 1u);  // /end was never asked for
}

}  // namespace
}  // namespace uvscrape::http::test
