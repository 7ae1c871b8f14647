#include "http/redirect_policy.hpp"

#include <gtest/gtest.h>

#include "uvscrape/errors.hpp"

namespace uvscrape::http {
namespace {

TEST(RedirectRules, WhichStatusesRedirect) {
  for (int s : {301, 302, 303, 307, 308}) EXPECT_TRUE(is_redirect_status(s)) << s;
  for (int s : {200, 300, 304, 305, 306, 309, 404}) EXPECT_FALSE(is_redirect_status(s)) << s;
}

TEST(RedirectRules, MethodAndBodyRewriting) {
  struct Row {
    int status;
    const char* in;
    const char* out;
    bool keep_body;
  };
  for (Row r :
       {Row{303, "POST", "GET", false}, Row{303, "PUT", "GET", false},
        Row{303, "GET", "GET", false}, Row{303, "HEAD", "HEAD", true},
        Row{301, "POST", "GET", false}, Row{302, "POST", "GET", false},
        Row{301, "PUT", "PUT", true}, Row{302, "GET", "GET", true}, Row{307, "POST", "POST", true},
        Row{308, "POST", "POST", true}, Row{307, "DELETE", "DELETE", true}}) {
    const RedirectRewrite w = rewrite_for_redirect(r.status, r.in);
    EXPECT_EQ(w.method, r.out) << r.status << " " << r.in;
    EXPECT_EQ(w.keep_body, r.keep_body) << r.status << " " << r.in;
  }
}

TEST(RedirectTracker, ResolvesRelativeLocationsAndRecordsTheChain) {
  RedirectTracker tracker(10, false);
  Url a = Url::parse("http://h/a/b");
  tracker.start("GET");
  Url b = tracker.follow(a, "../c?x=1", "GET");
  EXPECT_EQ(b.str(), "http://h/c?x=1");
  Url c = tracker.follow(b, "//other:8080/d", "GET");
  EXPECT_EQ(c.str(), "http://other:8080/d");
  Url d = tracker.follow(c, "https://secure/e", "GET");
  EXPECT_EQ(d.str(), "https://secure/e");
  EXPECT_EQ(tracker.chain(),
            (std::vector<std::string>{"http://h/a/b", "http://h/c?x=1", "http://other:8080/d"}));
  EXPECT_EQ(tracker.hops(), 3);
}

TEST(RedirectTracker, HopLimit) {
  RedirectTracker tracker(2, false);
  Url u = Url::parse("http://h/0");
  tracker.start("GET");
  u = tracker.follow(u, "/1", "GET");
  u = tracker.follow(u, "/2", "GET");
  EXPECT_THROW(tracker.follow(u, "/3", "GET"), TooManyRedirectsError);
}

TEST(RedirectTracker, LoopIsDetected) {
  RedirectTracker tracker(10, false);
  Url a = Url::parse("http://h/a");
  tracker.start("GET");
  Url b = tracker.follow(a, "/b", "GET");
  try {
    tracker.follow(b, "/a", "GET");
    FAIL() << "no error";
  } catch (const TooManyRedirectsError& e) {
    EXPECT_NE(e.reason().find("redirect loop"), std::string::npos);
    EXPECT_EQ(e.url(), "http://h/b");
  }
}

TEST(RedirectTracker, SameUrlWithAnotherMethodIsNotALoop) {
  RedirectTracker tracker(10, false);
  Url a = Url::parse("http://h/form");
  tracker.start("POST");
  EXPECT_NO_THROW(tracker.follow(a, "/form", "GET"));  // POST -> 303 -> GET same URL
}

TEST(RedirectTracker, HttpsToHttpNeedsPermission) {
  Url s = Url::parse("https://h/a");
  RedirectTracker strict(10, false);
  strict.start("GET");
  EXPECT_THROW(strict.follow(s, "http://h/b", "GET"), RedirectRefusedError);
  RedirectTracker lenient(10, true);
  lenient.start("GET");
  EXPECT_EQ(lenient.follow(s, "http://h/b", "GET").str(), "http://h/b");
}

TEST(RedirectTracker, UnusableLocationIsRefused) {
  RedirectTracker tracker(10, false);
  Url a = Url::parse("http://h/a");
  tracker.start("GET");
  EXPECT_THROW(tracker.follow(a, "ftp://files/x", "GET"), RedirectRefusedError);
  EXPECT_THROW(tracker.follow(a, "http://", "GET"), RedirectRefusedError);
}

}  // namespace
}  // namespace uvscrape::http
