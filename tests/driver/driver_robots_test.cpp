// robots.txt (DriverOptions::obey_robots_txt) against real servers on
// 127.0.0.x: disallowed requests become RobotsDisallowed failures and never
// reach the server, robots.txt is fetched once per origin however many workers
// ask at once, 4xx allows everything, 5xx and an unreachable server disallow
// everything (after the fetch's retries), redirects are followed (and a
// request's redirect target must be allowed too), a 1 MiB file
// is parsed up to 500 KiB, Crawl-delay caps the rate measured at the server,
// and with the option off robots.txt is never asked for.
#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>

#include "driver_test_support.hpp"

namespace uvscrape::driver_test {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A site on `host`: /robots.txt answers what the test says (counted), every
// other path a small page (its arrival time noted). /list/<n> pages link to
// /a/<n>-<i> and /private/<n>-<i> pages, so requests are yielded while
// robots.txt is still on its way.
class RobotsSite {
 public:
  explicit RobotsSite(const std::string& host = "127.0.0.1") : server_(options(host)) {
    server_->route("GET", "/*", [this](const ServerRequest& req, ServerResponse& res) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        paths_.push_back(req.path);
        arrivals_.push_back(Clock::now());
      }
      std::string html = "<html><body><p>" + req.path + "</p>";
      if (req.path.rfind("/list/", 0) == 0) {
        const std::string n = req.path.substr(6);
        for (int i = 0; i < 10; ++i) {
          html += "<a href='/a/" + n + "-" + std::to_string(i) + "'>a</a>";
          html += "<a href='/private/" + n + "-" + std::to_string(i) + "'>p</a>";
        }
      }
      res = ServerResponse::html(html + "</body></html>");
    });
    robots(ServerResponse::with_status(404));
  }

  // What /robots.txt answers from now on.
  void robots(ServerResponse response, milliseconds delay = milliseconds{0}) {
    response.delay_before_headers = delay;
    server_->route("GET", "/robots.txt",
                   [this, response](const ServerRequest&, ServerResponse& res) {
                     ++robots_fetches_;
                     res = response;
                   });
  }
  void robots_text(std::string text, milliseconds delay = milliseconds{0}) {
    ServerResponse r = ServerResponse::text(std::move(text));
    robots(std::move(r), delay);
  }

  std::string url(const std::string& path) const { return server_.url(path); }
  ThreadedTestServer& server() { return server_; }
  int robots_fetches() const { return robots_fetches_.load(); }
  // Paths other than /robots.txt that reached the server.
  std::vector<std::string> paths() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return paths_;
  }
  std::vector<Clock::time_point> arrivals() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return arrivals_;
  }

 private:
  static testing::TestServerOptions options(const std::string& host) {
    testing::TestServerOptions o;
    o.bind_host = host;
    o.url_host = host;
    return o;
  }
  ThreadedTestServer server_;
  std::atomic<int> robots_fetches_{0};
  mutable std::mutex mutex_;
  std::vector<std::string> paths_;
  std::vector<Clock::time_point> arrivals_;
};

struct Crawl {
  RunResult result;
  std::multiset<std::string> items;  // URLs of pages fetched by a step
  std::vector<Failure> seen;         // on_failure
  DriverProgress progress;
};

// A crawl whose "list" step follows every link and whose "page" step yields
// the page's URL. `follow_redirects`: the scraper's setting (off by default).
Crawl crawl(std::vector<Request> entries, DriverOptions options, bool follow_redirects = false) {
  LambdaScraper scraper;
  scraper.follow(follow_redirects);
  scraper.entries = std::move(entries);
  scraper.add_step("list", [](const Response& r) -> Step {
    for (const std::string& href : links(r)) {
      Request next = Request::get(href).to("page");
      co_yield std::move(next);
    }
    Json item = r.url;
    co_yield std::move(item);
  });
  scraper.add_step("page", [](const Response& r) -> Step {
    Json item = r.url;
    co_yield std::move(item);
  });
  Crawl out;
  Driver driver(scraper, std::move(options));
  driver.on_data = [&](const Json& item) { out.items.insert(item.get<std::string>()); };
  driver.on_failure = [&](const Failure& f) { out.seen.push_back(f); };
  Deadline deadline(std::chrono::seconds(60));
  out.result = driver.run();
  out.progress = driver.progress();
  return out;
}

DriverOptions robots_options(const std::string& name, size_t workers) {
  DriverOptions o = test_options(name, workers);
  o.obey_robots_txt = true;
  return o;
}

std::vector<Request> lists(const RobotsSite& site, int n) {
  std::vector<Request> out;
  for (int i = 0; i < n; ++i)
    out.push_back(Request::get(site.url("/list/" + std::to_string(i))).to("list"));
  return out;
}

size_t count_prefix(const std::vector<std::string>& paths, const std::string& prefix) {
  return static_cast<size_t>(std::count_if(
      paths.begin(), paths.end(), [&](const std::string& p) { return p.rfind(prefix, 0) == 0; }));
}

TEST(DriverRobots, DisallowedRequestsAreFailuresAndRobotsTxtIsFetchedOncePerHost) {
  RobotsSite a("127.0.0.2"), b("127.0.0.3");
  const std::string rules =
      "User-agent: otherbot\nDisallow: /\n\n"
      "User-agent: *\nDisallow: /private/\nAllow: /private/1-\n";
  // Slow answers: 16 workers' requests pile up while robots.txt is on its way.
  a.robots_text(rules, milliseconds{150});
  b.robots_text(rules, milliseconds{150});
  std::vector<Request> entries = lists(a, 4);
  for (Request& r : lists(b, 4)) entries.push_back(std::move(r));
  const Crawl c = crawl(std::move(entries), robots_options("robots-basic", 16));

  EXPECT_EQ(c.result.status, RunStatus::completed);
  EXPECT_EQ(a.robots_fetches(), 1);
  EXPECT_EQ(b.robots_fetches(), 1);
  EXPECT_EQ(c.progress.robots_fetches, 2u);
  EXPECT_EQ(c.progress.requests_awaiting_robots, 0u);
  for (RobotsSite* site : {&a, &b}) {
    const auto paths = site->paths();
    EXPECT_EQ(count_prefix(paths, "/list/"), 4u);
    EXPECT_EQ(count_prefix(paths, "/a/"), 40u);
    EXPECT_EQ(count_prefix(paths, "/private/"), 10u);  // only /private/1-*, allowed
    EXPECT_EQ(count_prefix(paths, "/private/1-"), 10u);
  }
  // 8 lists + 80 /a/ pages + 20 allowed /private/1- pages.
  EXPECT_EQ(c.items.size(), 108u);
  EXPECT_EQ(c.result.requests_failed, 60u);
  EXPECT_EQ(c.result.failure_counts[FailureKind::robots_disallowed], 60u);
  EXPECT_EQ(c.result.failure_counts.total(), 60u);
  EXPECT_EQ(c.progress.failure_counts[FailureKind::robots_disallowed], 60u);
  EXPECT_EQ(c.progress.errors, 0u);  // not an error of the crawl
  // Every request ends once: fetched or refused.
  EXPECT_EQ(c.result.requests_completed, 108u + 60u);
  ASSERT_EQ(c.seen.size(), 60u);
  for (const Failure& f : c.seen) {
    EXPECT_EQ(f.kind, FailureKind::robots_disallowed);
    EXPECT_NE(f.url.find("/private/"), std::string::npos) << f.url;
    EXPECT_EQ(f.step, "page");
    EXPECT_NE(f.message.find(f.url), std::string::npos) << f.message;
    EXPECT_NE(f.message.find("robots.txt"), std::string::npos) << f.message;
    EXPECT_NE(f.message.find("'uvscrape'"), std::string::npos) << f.message;
    EXPECT_STREQ(to_string(f.kind), "RobotsDisallowedError");
    EXPECT_THROW(std::rethrow_exception(f.error), RobotsDisallowedError);
  }
}

TEST(DriverRobots, OwnUserAgentTokenPicksItsGroup) {
  RobotsSite site;
  site.robots_text("User-agent: *\nDisallow: /\n\nUser-agent: PoliteBot\nDisallow: /private/\n");
  DriverOptions o = robots_options("robots-agent", 4);
  o.user_agent = "PoliteBot/2.0 (+https://example.org/bot)";
  const Crawl c = crawl(lists(site, 1), o);
  EXPECT_EQ(c.items.size(), 11u);  // the list and its /a/ pages
  EXPECT_EQ(c.result.failure_counts[FailureKind::robots_disallowed], 10u);
  ASSERT_FALSE(c.seen.empty());
  EXPECT_NE(c.seen[0].message.find("'politebot'"), std::string::npos) << c.seen[0].message;

  // robots_user_agent wins over the user agent's token: now the * group applies.
  site.robots_text("User-agent: *\nDisallow: /\n\nUser-agent: PoliteBot\nDisallow: /private/\n");
  o = robots_options("robots-agent-2", 4);
  o.user_agent = "PoliteBot/2.0";
  o.robots_user_agent = "SomeoneElse";
  const Crawl d = crawl(lists(site, 1), o);
  EXPECT_EQ(d.items.size(), 0u);
  EXPECT_EQ(d.result.failure_counts[FailureKind::robots_disallowed], 1u);
}

TEST(DriverRobots, FailFastDoesNotEndTheRunOnADisallowedRequest) {
  RobotsSite site;
  site.robots_text("User-agent: *\nDisallow: /private/\n");
  DriverOptions o = robots_options("robots-fail-fast", 4);
  o.fail_fast = true;
  const Crawl c = crawl(lists(site, 2), o);
  EXPECT_EQ(c.result.status, RunStatus::completed);
  EXPECT_EQ(c.items.size(), 22u);
  EXPECT_EQ(c.result.failure_counts[FailureKind::robots_disallowed], 20u);
}

TEST(DriverRobots, A404AllowsEverything) {
  RobotsSite site;
  site.robots(ServerResponse::with_status(404));
  const Crawl c = crawl(lists(site, 3), robots_options("robots-404", 16));
  EXPECT_EQ(c.result.status, RunStatus::completed);
  EXPECT_EQ(site.robots_fetches(), 1);
  EXPECT_EQ(c.items.size(), 3u + 60u);
  EXPECT_EQ(c.result.requests_failed, 0u);
}

TEST(DriverRobots, A403AllowsEverythingToo) {
  RobotsSite site;
  site.robots(ServerResponse::with_status(403));
  const Crawl c = crawl(lists(site, 1), robots_options("robots-403", 4));
  EXPECT_EQ(site.robots_fetches(), 1);
  EXPECT_EQ(c.items.size(), 21u);
}

TEST(DriverRobots, A5xxDisallowsEverythingAfterTheFetchsRetries) {
  RobotsSite site;
  site.robots(ServerResponse::with_status(503));
  DriverOptions o = robots_options("robots-503", 16);
  o.max_retries = 2;
  std::vector<Request> entries = lists(site, 5);
  const Crawl c = crawl(std::move(entries), o);
  EXPECT_EQ(c.result.status, RunStatus::completed);
  EXPECT_EQ(site.robots_fetches(), 3);  // the first fetch and its 2 retries
  EXPECT_EQ(c.progress.robots_fetches, 3u);
  EXPECT_TRUE(site.paths().empty());  // nothing but robots.txt was asked for
  EXPECT_EQ(c.items.size(), 0u);
  EXPECT_EQ(c.result.failure_counts[FailureKind::robots_disallowed], 5u);
  ASSERT_EQ(c.seen.size(), 5u);
  EXPECT_NE(c.seen[0].message.find("could not be fetched (status 503"), std::string::npos)
      << c.seen[0].message;
}

TEST(DriverRobots, ARobotsTxtThatRecoversOnItsRetryLetsTheWaitingRequestsThrough) {
  RobotsSite site;
  std::atomic<int> asked{0};
  std::mutex mutex;
  std::vector<Clock::time_point> asked_at;
  site.server()->route("GET", "/robots.txt", [&](const ServerRequest&, ServerResponse& res) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      asked_at.push_back(Clock::now());
    }
    res = ++asked == 1 ? ServerResponse::with_status(503).header("Retry-After", "1")
                       : ServerResponse::text("User-agent: *\nDisallow: /private/\n");
  });
  const Crawl c = crawl(lists(site, 2), robots_options("robots-recovers", 8));
  EXPECT_EQ(asked.load(), 2);
  ASSERT_EQ(asked_at.size(), 2u);
  EXPECT_GE(asked_at[1] - asked_at[0], milliseconds{990});  // the 503's Retry-After: 1
  EXPECT_EQ(c.items.size(), 22u);
  EXPECT_EQ(c.result.failure_counts[FailureKind::robots_disallowed], 20u);
  EXPECT_EQ(c.result.failure_counts.total(), 20u);
}

// After robots_refetch_after, a request to an origin whose robots.txt was
// unreachable fetches it again. Host A's slow page yields links to host B long
// after B's robots.txt failed.
TEST(DriverRobots, AnUnreachableRobotsTxtIsFetchedAgainAfterTheRefetchPeriod) {
  RobotsSite a("127.0.0.2"), b("127.0.0.3");
  std::atomic<int> b_asked{0};
  b.server()->route("GET", "/robots.txt", [&](const ServerRequest&, ServerResponse& res) {
    res = ++b_asked == 1 ? ServerResponse::with_status(500)
                         : ServerResponse::text("User-agent: *\nDisallow: /private/\n");
  });
  const std::string b_page = b.url("/a/early");
  a.server()->route("GET", "/slow", [&b](const ServerRequest&, ServerResponse& res) {
    res = ServerResponse::html("<a href='" + b.url("/a/late") + "'>x</a><a href='" +
                               b.url("/private/late") + "'>y</a>");
    res.delay_before_headers = milliseconds{600};
  });
  DriverOptions o = robots_options("robots-refetch", 4);
  o.max_retries = 0;
  o.robots_refetch_after = milliseconds{200};
  const Crawl c =
      crawl({Request::get(b_page).to("page"), Request::get(a.url("/slow")).to("list")}, o);
  EXPECT_EQ(b_asked.load(), 2);
  ASSERT_EQ(c.seen.size(), 2u);
  EXPECT_EQ(c.seen[0].url, b_page);  // refused while unreachable
  EXPECT_NE(c.seen[0].message.find("could not be fetched (status 500"), std::string::npos);
  EXPECT_EQ(c.seen[1].url, b.url("/private/late"));  // refused by the rules fetched again
  EXPECT_NE(c.seen[1].message.find("disallows it"), std::string::npos);
  EXPECT_EQ(b.paths(), std::vector<std::string>{"/a/late"});
}

TEST(DriverRobots, AnUnreachableServerDisallowsEverything) {
  std::string url;
  {
    RobotsSite gone;
    url = gone.url("/list/0");
  }  // stopped: its port refuses connections now
  DriverOptions o = robots_options("robots-unreachable", 4);
  o.max_retries = 1;
  const Crawl c = crawl({Request::get(url).to("list")}, o);
  EXPECT_EQ(c.result.status, RunStatus::completed);
  EXPECT_EQ(c.progress.robots_fetches, 2u);
  EXPECT_EQ(c.result.failure_counts[FailureKind::robots_disallowed], 1u);
  EXPECT_EQ(c.result.failure_counts[FailureKind::connection], 0u);  // the request was not sent
}

TEST(DriverRobots, ARedirectingRobotsTxtIsFollowed) {
  RobotsSite site;
  site.robots(ServerResponse::redirect("/real-robots.txt", 301));
  site.server()->respond("GET", "/real-robots.txt",
                         ServerResponse::text("User-agent: *\nDisallow: /private/\n"));
  const Crawl c = crawl(lists(site, 2), robots_options("robots-redirect", 8));
  EXPECT_EQ(site.robots_fetches(), 1);
  EXPECT_EQ(c.items.size(), 22u);
  EXPECT_EQ(c.result.failure_counts[FailureKind::robots_disallowed], 20u);
  EXPECT_EQ(count_prefix(site.paths(), "/private/"), 0u);
}

// A redirect a request follows passes the gate too: to a disallowed path of
// its own host, to another host whose robots.txt is still on its way (the
// redirect waits for it), and to an allowed page of that host.
TEST(DriverRobots, ARedirectToADisallowedTargetIsRefusedAndNeverSent) {
  RobotsSite a("127.0.0.4"), b("127.0.0.5");
  a.robots_text("User-agent: *\nDisallow: /private/\n");
  b.robots_text("User-agent: *\nDisallow: /secret\n", milliseconds{150});
  a.server()->respond("GET", "/go-private", ServerResponse::redirect("/private/x", 302));
  a.server()->respond("GET", "/go-away", ServerResponse::redirect(b.url("/secret"), 302));
  a.server()->respond("GET", "/go-fine", ServerResponse::redirect(b.url("/a/fine"), 302));
  std::vector<Request> entries;
  for (const char* path : {"/go-private", "/go-away", "/go-fine"})
    entries.push_back(Request::get(a.url(path)).to("page"));
  const Crawl c =
      crawl(std::move(entries), robots_options("robots-redirect-target", 4), /*follow_redirects=*/true);

  EXPECT_EQ(c.result.status, RunStatus::completed);
  EXPECT_EQ(c.items, std::multiset<std::string>{b.url("/a/fine")});
  EXPECT_EQ(count_prefix(a.paths(), "/private/"), 0u);
  EXPECT_EQ(b.paths(), std::vector<std::string>{"/a/fine"});  // never /secret
  EXPECT_EQ(a.robots_fetches(), 1);
  EXPECT_EQ(b.robots_fetches(), 1);
  EXPECT_EQ(c.result.failure_counts[FailureKind::robots_disallowed], 2u);
  ASSERT_EQ(c.seen.size(), 2u);
  std::set<std::string> refused;
  for (const Failure& f : c.seen) {
    EXPECT_EQ(f.kind, FailureKind::robots_disallowed);
    EXPECT_NE(f.message.find("a redirect led to it"), std::string::npos) << f.message;
    EXPECT_NE(f.message.find("robots.txt disallows it"), std::string::npos) << f.message;
    EXPECT_THROW(std::rethrow_exception(f.error), RobotsDisallowedError);
    refused.insert(f.message.find(b.url("/secret")) != std::string::npos ? "secret"
                   : f.message.find(a.url("/private/x")) != std::string::npos ? "private"
                                                                              : f.message);
  }
  EXPECT_EQ(refused, (std::set<std::string>{"private", "secret"}));
}

TEST(DriverRobots, TooManyRedirectsMeansUnavailableSoEverythingIsAllowed) {
  RobotsSite site;
  // /robots.txt -> /r/0 -> ... -> /r/5 -> /real: 7 hops, more than the 5 followed.
  const std::string first =
      site.server()->redirect_chain("/r", 6, site.url("/real-robots.txt"), 301);
  site.robots(ServerResponse::redirect(first, 301));
  site.server()->respond("GET", "/real-robots.txt",
                         ServerResponse::text("User-agent: *\nDisallow: /\n"));
  const Crawl c = crawl(lists(site, 1), robots_options("robots-redirect-loop", 4));
  EXPECT_EQ(c.items.size(), 21u);
  EXPECT_EQ(c.result.requests_failed, 0u);
}

TEST(DriverRobots, AHugeRobotsTxtIsParsedUpTo500KiB) {
  RobotsSite site;
  std::string text = "User-agent: *\nDisallow: /private/0-\n";
  while (text.size() < 600 * 1024) text += "# " + std::string(70, '-') + "\n";
  text += "Disallow: /a/\n";  // past the limit: ignored
  while (text.size() < 1024 * 1024) text += "# " + std::string(70, '-') + "\n";
  site.robots_text(text);
  const Crawl c = crawl(lists(site, 2), robots_options("robots-huge", 8));
  EXPECT_EQ(site.robots_fetches(), 1);
  EXPECT_EQ(c.result.status, RunStatus::completed);
  EXPECT_EQ(count_prefix(site.paths(), "/a/"), 20u);
  EXPECT_EQ(count_prefix(site.paths(), "/private/1-"), 10u);
  EXPECT_EQ(count_prefix(site.paths(), "/private/0-"), 0u);
  EXPECT_EQ(c.result.failure_counts[FailureKind::robots_disallowed], 10u);
}

TEST(DriverRobots, CrawlDelayCapsTheHostsRate) {
  RobotsSite site;
  site.robots_text("User-agent: *\nCrawl-delay: 0.5\n");
  std::vector<Request> entries;
  for (int i = 0; i < 9; ++i)
    entries.push_back(Request::get(site.url("/a/" + std::to_string(i))).to("page"));
  const auto start = Clock::now();
  const Crawl c = crawl(std::move(entries), robots_options("robots-delay", 16));
  const double wall = std::chrono::duration<double>(Clock::now() - start).count();
  EXPECT_EQ(c.items.size(), 9u);
  const auto a = site.arrivals();
  ASSERT_EQ(a.size(), 9u);
  // 2 per second, burst 1: every one-second window holds at most 1 + 2.
  for (size_t i = 0, j = 0; i < a.size(); ++i) {
    while (a[i] - a[j] >= std::chrono::seconds{1}) ++j;
    EXPECT_LE(i - j + 1, 3u) << "window ending at request " << i;
  }
  const double span = std::chrono::duration<double>(a.back() - a.front()).count();
  EXPECT_GE(span, 8 * 0.5 - 0.05);  // 8 gaps of 0.5 s
  EXPECT_LT(span, 8 * 0.5 + 1.0);
  EXPECT_LT(wall, 8 * 0.5 + 2.0);
}

TEST(DriverRobots, ACrawlDelayDoesNotLoosenAStricterLimit) {
  RobotsSite site;
  site.robots_text("User-agent: *\nCrawl-delay: 0.1\n");  // 10/s
  std::vector<Request> entries;
  for (int i = 0; i < 5; ++i)
    entries.push_back(Request::get(site.url("/a/" + std::to_string(i))).to("page"));
  DriverOptions o = robots_options("robots-delay-stricter", 8);
  o.per_host.rate = 4;  // stricter than the Crawl-delay
  crawl(std::move(entries), o);
  const auto a = site.arrivals();
  ASSERT_EQ(a.size(), 5u);
  EXPECT_GE(std::chrono::duration<double>(a.back() - a.front()).count(), 4 * 0.25 - 0.05);
}

TEST(DriverRobots, OffByDefaultRobotsTxtIsNeverRequested) {
  RobotsSite site;
  site.robots_text("User-agent: *\nDisallow: /\n");
  const Crawl c = crawl(lists(site, 2), test_options("robots-off", 8));
  EXPECT_EQ(site.robots_fetches(), 0);
  EXPECT_EQ(c.items.size(), 2u + 40u);
  EXPECT_EQ(c.result.requests_failed, 0u);
  EXPECT_EQ(c.progress.robots_fetches, 0u);
}

// Speculative probes (docs/design.md §10) go through robots.txt too: a refused
// probe is a robots_disallowed failure (and a miss for the tracker), probing
// goes on past it and ends after `gap` misses in a row as usual.
class ProbingScraper : public Scraper<Json> {
 public:
  explicit ProbingScraper(std::string base) : Scraper("ProbingScraper"), base_(std::move(base)) {
    entry("fetch_case", &ProbingScraper::fetch_case, {"case_id"});
    step("case_page", &ProbingScraper::case_page);
  }
  Request fetch_case(SpeculativeRange case_id) {
    return Request::get(base_ + "/case/" + std::to_string(case_id.min)).to("case_page");
  }
  Step case_page(const Response& r) {
    Json id = std::atoi(r.url.substr(r.url.rfind('/') + 1).c_str());
    co_yield std::move(id);
  }

 private:
  std::string base_;
};

TEST(DriverRobots, ARefusedSpeculativeProbeIsAMiss) {
  ThreadedTestServer server;
  std::mutex mutex;
  std::set<int> fetched;
  server->route("GET", "/case/*", [&](const ServerRequest& req, ServerResponse& res) {
    const int id = std::atoi(req.path.c_str() + 6);
    {
      std::lock_guard<std::mutex> lock(mutex);
      fetched.insert(id);
    }
    res = id <= 6 ? ServerResponse::html("<h1>case</h1>") : ServerResponse::with_status(404);
  });
  server->respond("GET", "/robots.txt",
                  ServerResponse::text("User-agent: *\nDisallow: /case/3$\n"));
  const std::string root = server.url("/");
  ProbingScraper scraper(root.substr(0, root.size() - 1));
  DriverOptions o = robots_options("robots-speculation", 1);
  Json invocation = Json::object();
  invocation["fetch_case"]["case_id"] = Json{{"min", 1}, {"gap", 2}, {"soft_max", 0}};
  o.seed_params = Json::array({invocation});
  Driver driver(scraper, o);
  std::set<int> items;
  driver.on_data = [&](const Json& j) { items.insert(j.get<int>()); };
  Deadline deadline(std::chrono::seconds(30));
  const RunResult result = driver.run();
  EXPECT_EQ(result.status, RunStatus::completed);
  EXPECT_EQ(items, (std::set<int>{1, 2, 4, 5, 6}));
  EXPECT_EQ(result.failure_counts[FailureKind::robots_disallowed], 1u);
  EXPECT_EQ(fetched.count(3), 0u);
  EXPECT_TRUE(fetched.count(7) && fetched.count(8));  // the two misses that end it
  EXPECT_LE(*fetched.rbegin(), 10);                   // and not much further
}

// A stop while requests wait for robots.txt: they are discarded and counted.
TEST(DriverRobots, StopWhileWaitingForRobotsTxtDiscardsTheHeldRequests) {
  RobotsSite site;
  site.robots_text("User-agent: *\nDisallow:\n", milliseconds{1500});
  LambdaScraper scraper;
  scraper.entries = lists(site, 6);
  scraper.add_step("list", [](const Response&) -> Step { co_return; });
  DriverOptions o = robots_options("robots-stop", 4);
  o.stop_grace = milliseconds{0};
  Driver driver(scraper, o);
  std::thread stopper([&] {
    std::this_thread::sleep_for(milliseconds{300});
    driver.stop();
  });
  Deadline deadline(std::chrono::seconds(30));
  const RunResult result = driver.run();
  stopper.join();
  EXPECT_EQ(result.status, RunStatus::stopped);
  EXPECT_EQ(result.requests_discarded, 6u);
  EXPECT_EQ(result.requests_completed, 0u);
  EXPECT_TRUE(site.paths().empty());
  EXPECT_EQ(driver.progress().requests_awaiting_robots, 0u);
}

}  // namespace
}  // namespace uvscrape::driver_test
