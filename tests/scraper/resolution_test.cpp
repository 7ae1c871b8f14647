// Resolution of yielded requests (contract §1.5, checklist 2-4, 9, 13 under
// DESIGN decisions 7 and 11).
#include <gtest/gtest.h>

#include "scraper/resolution_internals.hpp"
#include "uvscrape/uvscrape.hpp"

namespace {

using namespace uvscrape;

std::shared_ptr<const Request> shared(Request r) {
  return std::make_shared<const Request>(std::move(r));
}

Response fetched(std::shared_ptr<const Request> q, std::string final_url) {
  return Response(200, {}, "", std::move(final_url), std::move(q));
}

TEST(Resolution, JoinsAgainstTheBaseLikeABrowser) {
  auto q = shared(Request::get("http://h/cases").to("list"));
  EXPECT_EQ(
      resolve_yielded(Request::get("/cases/BCC-2024-001"), fetched(q, "http://h/cases")).url(),
      "http://h/cases/BCC-2024-001");
  EXPECT_EQ(resolve_yielded(Request::get("BCC-2024-001"), fetched(q, "http://h/cases/")).url(),
            "http://h/cases/BCC-2024-001");
  EXPECT_EQ(resolve_yielded(Request::get("http://other/cases"), fetched(q, "http://h/x")).url(),
            "http://other/cases");
  EXPECT_EQ(resolve_yielded(Request::get("/cases/a b"), fetched(q, "http://h/")).url(),
            "http://h/cases/a%20b");
  EXPECT_EQ(resolve_yielded(Request::get("../up"), fetched(q, "http://h/a/b/c")).url(),
            "http://h/a/up");
}

// Decision 11 + 12: a navigating parent puts the browser on R's final URL.
TEST(Resolution, NavigatingParentResolvesAgainstTheFinalUrlAfterRedirects) {
  auto q = shared(Request::get("http://h/old").to("list").current_location("http://h/start"));
  Response r = fetched(q, "http://h/new/list.html");
  r.redirect_chain = {"http://h/old"};
  for (Request child : {Request::get("page2.html"), Request::get("api.json").nonnavigating(),
                        Request::get("doc.pdf").archive("pdf")}) {
    Request c = resolve_yielded(child, r);
    EXPECT_EQ(c.current_location(), "http://h/new/list.html");
    EXPECT_EQ(c.url().substr(0, 13), "http://h/new/");
    EXPECT_EQ(c.previous_request(), q);
  }
}

// Decision 11: a non-navigating or archive parent did not move the browser.
TEST(Resolution, NonNavigatingParentResolvesAgainstItsOwnCurrentLocation) {
  for (Request parent : {Request::get("http://h/api/cases.json").nonnavigating(),
                         Request::get("http://h/files/a.pdf").archive("pdf")}) {
    auto q = shared(parent.current_location("http://h/cases/list.html").to("s"));
    Response r = fetched(q, "http://h/api/v2/cases.json");
    Request c = resolve_yielded(Request::get("detail/1"), r);
    EXPECT_EQ(c.url(), "http://h/cases/detail/1");
    EXPECT_EQ(c.current_location(), "http://h/cases/list.html");
    EXPECT_EQ(resolution_base(r), "http://h/cases/list.html");
  }
}

// A non-navigating entry has no page: a relative link fails when it is
// yielded (docs/design.md §23), an absolute one resolves.
TEST(Resolution, NonNavigatingEntryParentNeedsAbsoluteUrls) {
  auto q = shared(Request::get("http://h/api").nonnavigating().to("s"));
  EXPECT_THROW(resolve_yielded(Request::get("next"), fetched(q, "http://h/api")), UrlError);
  Request c = resolve_yielded(Request::get("HTTP://h/next"), fetched(q, "http://h/api"));
  EXPECT_EQ(c.url(), "http://h/next");
  EXPECT_EQ(c.current_location(), "");
}

TEST(Resolution, KeepsFlagsContinuationAndEveryHttpParameterButTheUrl) {
  auto q = shared(Request::get("http://h/").to("s"));
  Request child = Request::patch("x")
                      .to("parse_x")
                      .params({{"p", "1"}})
                      .body("bytes")
                      .header("H", "v")
                      .cookie("c", "v")
                      .timeout(3)
                      .verify(false)
                      .priority(3)
                      .archive("pdf")
                      .dedup_key("my-key")
                      .accumulated_data({{"docket", "A"}, {"nested", {{"k", 1}}}});
  Request c = resolve_yielded(child, fetched(q, "http://h/dir/"));
  EXPECT_EQ(c.url(), "http://h/dir/x");  // Q is navigating: base = R.url, any child kind
  EXPECT_EQ(c.method(), HttpMethod::PATCH);
  EXPECT_EQ(c.to(), "parse_x");
  EXPECT_EQ(c.params(), child.params());
  EXPECT_EQ(std::get<std::string>(c.body()), "bytes");
  EXPECT_EQ(c.headers(), child.headers());
  EXPECT_EQ(c.cookies(), child.cookies());
  EXPECT_EQ(c.timeout(), 3.0);
  EXPECT_FALSE(c.verify());
  EXPECT_EQ(c.priority(), 3);
  EXPECT_TRUE(c.is_archive());
  EXPECT_EQ(c.expected_type(), "pdf");
  EXPECT_EQ(c.dedup_key(), "my-key");
  EXPECT_EQ(c.accumulated_data(), child.accumulated_data());
}

TEST(Resolution, AccumulatedDataIsNotInheritedImplicitly) {
  auto q = shared(Request::get("http://h/").to("s").accumulated_data({{"from_parent", 1}}));
  Request c = resolve_yielded(Request::get("a"), fetched(q, "http://h/"));
  EXPECT_EQ(c.accumulated_data(), Json::object());
}

// Decision 7: permanent headers/cookies merge per key across generations.
TEST(Resolution, PermanentHeadersMergePerKeyAndTheChildWins) {
  auto grandparent = shared(Request::get("http://h/login")
                                .to("s")
                                .permanent_header("Authorization", "token-1")
                                .permanent_header("X-Client", "uvscrape")
                                .permanent_cookie("sid", "1"));
  Request parent_req = resolve_yielded(Request::get("/cases")
                                           .permanent_header("Authorization", "token-2")
                                           .permanent_cookie("lang", "en"),
                                       fetched(grandparent, "http://h/login"));
  auto parent = shared(parent_req.to("list"));
  EXPECT_EQ(parent->permanent_headers(),
            (NameValueList{{"Authorization", "token-2"}, {"X-Client", "uvscrape"}}));
  EXPECT_EQ(parent->permanent_cookies(), (NameValueList{{"sid", "1"}, {"lang", "en"}}));

  // A grandchild inherits both generations; its explicit header beats permanent.
  Request child = resolve_yielded(Request::get("/cases/1").header("x-client", "explicit"),
                                  fetched(parent, "http://h/cases"));
  EXPECT_EQ(child.permanent_headers(), parent->permanent_headers());
  EXPECT_EQ(child.effective_headers(),
            (NameValueList{{"Authorization", "token-2"}, {"X-Client", "explicit"}}));
  EXPECT_EQ(child.effective_cookies(), (NameValueList{{"sid", "1"}, {"lang", "en"}}));
}

TEST(Resolution, SiblingsShareTheirParentsLocationString) {
  auto q = shared(Request::get("http://h/list").to("s"));
  Response r = fetched(q, "http://h/list");
  Request a = resolve_yielded(Request::get("1"), r);
  Request b = resolve_yielded(Request::get("2"), r);
  EXPECT_EQ(&a.current_location(), &b.current_location());
}

TEST(Resolution, ParentChainIsTheAncestry) {
  auto entry = shared(Request::get("http://h/").to("a"));
  auto child = shared(resolve_yielded(Request::get("/b").to("b"), fetched(entry, "http://h/")));
  Request grandchild = resolve_yielded(Request::get("/c"), fetched(child, "http://h/b"));
  ASSERT_EQ(grandchild.previous_request(), child);
  EXPECT_EQ(grandchild.previous_request()->previous_request(), entry);
  EXPECT_EQ(entry->previous_request(), nullptr);
}

TEST(Resolution, UnresolvableUrlIsAUrlError) {
  auto q = shared(Request::get("http://h/").to("s"));
  EXPECT_THROW(resolve_yielded(Request::get("http://[bad"), fetched(q, "http://h/")), UrlError);
}

TEST(Resolution, ResolveAgainstGivesTheBaseExplicitly) {
  auto parent = shared(Request::get("http://h/").to("s"));
  Request c = resolve_against(Request::get("x/y"), parent,
                              std::make_shared<const std::string>("http://h/a/b"));
  EXPECT_EQ(c.url(), "http://h/a/x/y");
  EXPECT_EQ(c.current_location(), "http://h/a/b");
  EXPECT_EQ(c.previous_request(), parent);
}

}  // namespace
