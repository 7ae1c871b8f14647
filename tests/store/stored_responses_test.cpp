// Stored responses (DriverOptions::store_responses): the zstd codec with and
// without a trained dictionary, and the read-side API over a store file that
// the SQLite store wrote.
#include "store/stored_responses.hpp"

#include <uv.h>

#include "store/response_codec.hpp"
#include "store/response_writer.hpp"
#include "store/sqlite_store.hpp"
#include "store_test_support.hpp"
#include "uvscrape/driver.hpp"

namespace uvscrape::store_test {
namespace {

// A page of a court site: shared boilerplate around a few varying fields.
std::string court_page(int i) {
  std::string html =
      "<!DOCTYPE html><html><head><title>Case " + std::to_string(i) +
      "</title><link rel='stylesheet' href='/static/court.css'><meta charset='utf-8'></head><body>"
      "<nav><a href='/'>Home</a> | <a href='/search'>Search cases</a> | <a href='/help'>Help</a>"
      "</nav><h1>Superior Court of the County, civil division</h1><table class='case'>";
  for (int row = 0; row < 12; ++row)
    html += "<tr><th>Field " + std::to_string(row) + "</th><td>value " +
            std::to_string((i * 7919 + row * 104729) % 100003) + "</td></tr>";
  html +=
      "</table><footer>Records are provided as a public service. Copyright the Court. "
      "All rights reserved.</footer></body></html>";
  return html;
}

TEST(ResponseCodec, RoundTripsWithAndWithoutADictionary) {
  const std::string empty = store::codec::decompress(store::codec::compress(""));
  EXPECT_EQ(empty, "");
  std::string binary;
  for (int i = 0; i < 70000; ++i) binary.push_back(static_cast<char>((i * 131) ^ (i >> 3)));
  EXPECT_EQ(store::codec::decompress(store::codec::compress(binary)), binary);

  std::vector<std::string> samples;
  for (int i = 0; i < 64; ++i) samples.push_back(court_page(i));
  const store::codec::Dictionary dictionary = store::codec::train(samples);
  ASSERT_FALSE(dictionary.empty());
  EXPECT_NE(dictionary.id, 0u);
  EXPECT_LE(dictionary.bytes.size(), store::codec::kMaxDictionarySize);
  EXPECT_EQ(store::codec::dictionary_id(dictionary.bytes), dictionary.id);

  const std::string page = court_page(1000);
  const std::string plain = store::codec::compress(page);
  const std::string with = store::codec::compress(page, dictionary);
  EXPECT_EQ(store::codec::decompress(with, dictionary), page);
  EXPECT_LT(with.size() * 2, plain.size()) << "plain " << plain.size() << ", with " << with.size();
  EXPECT_THROW(store::codec::decompress(with), std::runtime_error);  // the dictionary is needed
  EXPECT_THROW(store::codec::decompress("not zstd"), std::runtime_error);
}

// Drives a SqliteStore by hand on a loop: open, the given completions, close.
class StoreDriver : public store::Listener {
 public:
  explicit StoreDriver(const std::string& path) {
    uv_loop_init(&loop_);
    store_.emplace(&loop_, path);
  }
  ~StoreDriver() override { store_.reset(); }

  void run(std::vector<store::Completion> completions) {
    completions_ = std::move(completions);
    store::RunIdentity identity;
    identity.scraper = "stored-responses-test";
    store_->open(identity, *this);
    uv_run(&loop_, UV_RUN_DEFAULT);
    store_.reset();
    EXPECT_EQ(uv_loop_close(&loop_), 0);
    if (error_) std::rethrow_exception(error_);
  }
  size_t committed = 0;

  void store_opened(store::Opened) override {
    for (store::Completion& c : completions_) store_->commit(std::move(c));
    if (completions_.empty()) store_->close("completed");
  }
  void store_committed(store::Completion) override {
    if (++committed == completions_.size()) store_->close("completed");
  }
  void store_failed(std::exception_ptr error) override {
    error_ = error;
    store_->close("");
  }
  void store_closed() override {}

 private:
  uv_loop_t loop_;
  std::optional<store::SqliteStore> store_;
  std::vector<store::Completion> completions_;
  std::exception_ptr error_;
};

TEST(StoredResponses, ReadsBackEveryBodyAndTrainsADictionaryPerStep) {
  const auto dir = fresh_dir("responses-api");
  const std::string path = (dir / "run.db").string();
  std::vector<store::Completion> completions;
  store::Completion seed;
  seed.settle = store::Settle::seed;
  completions.push_back(std::move(seed));
  constexpr int kPages = 100;
  for (int i = 1; i <= kPages; ++i) {
    store::Completion c;
    c.request = static_cast<store::RequestId>(i);
    c.settle = store::Settle::done;
    store::ResponseRecord r;
    r.step = i % 10 == 0 ? "other" : "case";
    r.status = 200;
    r.url = "http://127.0.0.1/case/" + std::to_string(i);
    r.headers.add("Content-Type", "text/html");
    r.headers.add("Set-Cookie", "a=" + std::to_string(i));
    r.headers.add("Set-Cookie", "b=2");
    r.body = court_page(i);
    c.response = std::move(r);
    completions.push_back(std::move(c));
  }
  StoreDriver(path).run(std::move(completions));

  store::StoredResponses responses(path);
  EXPECT_EQ(responses.count(), static_cast<std::uint64_t>(kPages));
  EXPECT_FALSE(responses.get(kPages + 1).has_value());
  const auto r7 = responses.get(7);
  ASSERT_TRUE(r7.has_value());
  EXPECT_EQ(r7->request, 7u);
  EXPECT_EQ(r7->step, "case");
  EXPECT_EQ(r7->status, 200);
  EXPECT_EQ(r7->url, "http://127.0.0.1/case/7");
  EXPECT_EQ(r7->headers.get_all("set-cookie"), (std::vector<std::string_view>{"a=7", "b=2"}));
  EXPECT_EQ(r7->body, court_page(7));
  int seen = 0;
  responses.for_each([&](const store::StoredResponse& r) {
    ++seen;
    EXPECT_EQ(r.request, static_cast<store::RequestId>(seen));
    EXPECT_EQ(r.body, court_page(seen)) << r.request;
    return true;
  });
  EXPECT_EQ(seen, kPages);
  int visited = 0;
  responses.for_each([&](const store::StoredResponse&) { return ++visited < 3; });
  EXPECT_EQ(visited, 3);

  // "case" had 90 bodies: its first 64 are stored without a dictionary, the
  // rest with the one trained on them; "other" (10) never got enough.
  StoreFile f(path);
  EXPECT_EQ(f.number("SELECT count(*) FROM dictionaries"), 1);
  EXPECT_EQ(f.one("SELECT step FROM dictionaries"), "case");
  EXPECT_EQ(f.number("SELECT count(*) FROM responses WHERE step = 'case' AND dictionary = 0"), 64);
  EXPECT_EQ(f.number("SELECT count(*) FROM responses WHERE step = 'case' AND dictionary <> 0"), 26);
  EXPECT_EQ(f.number("SELECT count(*) FROM responses WHERE step = 'other' AND dictionary <> 0"), 0);
  EXPECT_LT(
      f.number("SELECT avg(length(body)) FROM responses WHERE dictionary <> 0") * 2,
      f.number("SELECT avg(length(body)) FROM responses WHERE step = 'case' AND dictionary = 0"));
  EXPECT_EQ(f.number("SELECT size FROM responses WHERE request = 7"),
            static_cast<long>(court_page(7).size()));
}

TEST(StoredResponses, AFileThatIsNoStoreIsAStoreErrorNamingIt) {
  const auto dir = fresh_dir("responses-bad");
  const std::string path = (dir / "missing.db").string();
  try {
    store::StoredResponses responses(path);
    ADD_FAILURE() << "opened a missing file";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.file(), path);
  }
}

// The site of the driver tests: /list links kSitePages court pages (every
// third gzip-encoded), a redirect chain to /page/9999 and a page that answers
// 304 Not Modified.
constexpr int kSitePages = 200;

void serve_court_site(ThreadedTestServer& server) {
  server->route("GET", "/list", [](const ServerRequest&, ServerResponse& res) {
    std::string html = "<html><body>";
    for (int i = 0; i < kSitePages; ++i)
      html += "<a class='page' href='/page/" + std::to_string(i) + "'>p</a>";
    html += "<a class='page' href='/hop/0'>moved</a><a class='cond' href='/cond'>c</a>";
    res = ServerResponse::html(html + "</body></html>");
  });
  server->route("GET", "/page/*", [](const ServerRequest& req, ServerResponse& res) {
    const int n = std::atoi(req.path.c_str() + 6);
    res = ServerResponse::html(court_page(n));
    if (n % 3 == 0) res.encoding = testing::ContentEncoding::gzip;
  });
  server->route("GET", "/cond", [](const ServerRequest&, ServerResponse& res) {
    res = ServerResponse::with_status(304);
    res.header("ETag", "\"v1\"");
  });
}

class CourtScraper : public Scraper<Json> {
 public:
  explicit CourtScraper(std::string base) : Scraper<Json>("Court"), base_(std::move(base)) {
    set_follow_redirects(true);
    step("list", [](const Response& r) -> Step {
      for (const auto& href :
           r.page().checked_xpath_strings("//a[@class='page']/@href", "pages", 1)) {
        Request child = Request::get(href).to("page");
        co_yield std::move(child);
      }
      for (const auto& href :
           r.page().checked_xpath_strings("//a[@class='cond']/@href", "cond", 1)) {
        Request child = Request::get(href).to("cond");
        co_yield std::move(child);
      }
    });
    step("page", [](const Response& r) -> Step {
      Json item = {{"url", r.url}, {"bytes", r.content.size()}};
      co_yield std::move(item);
    });
    step("cond", [](const Response& r) -> Step {
      Json item = {{"status", r.status_code}};
      co_yield std::move(item);
    });
  }
  std::vector<Request> get_entry() override { return {Request::get(base_ + "/list").to("list")}; }

 private:
  std::string base_;
};

RunResult crawl_court(const ThreadedTestServer& server, const std::string& store, bool keep) {
  CourtScraper scraper("http://127.0.0.1:" + std::to_string(server.port()));
  DriverOptions o;
  o.num_workers = 4;
  o.store_path = store;
  o.store_responses = keep;
  Driver driver(scraper, o);
  return driver.run();
}

TEST(StoredResponses, ACrawlKeepsEveryBodyByteExact) {
  ThreadedTestServer server;
  serve_court_site(server);
  server.server().redirect_chain("/hop", 2, "/page/9999");
  const auto dir = fresh_dir("responses-crawl");
  const std::string path = (dir / "run.db").string();
  const RunResult result = crawl_court(server, path, true);
  ASSERT_EQ(result.status, RunStatus::completed);

  store::StoredResponses responses(path);
  EXPECT_EQ(responses.count(), static_cast<std::uint64_t>(kSitePages + 3));  // + list, hop, cond
  const std::string base = "http://127.0.0.1:" + std::to_string(server.port());
  int pages = 0;
  bool cond = false;
  responses.for_each([&](const store::StoredResponse& r) {
    if (r.step == "page") {
      ++pages;
      EXPECT_EQ(r.status, 200);
      EXPECT_EQ(r.url.rfind(base + "/page/", 0), 0u) << r.url;
      const int n = std::atoi(r.url.c_str() + base.size() + 6);
      EXPECT_EQ(r.body, court_page(n)) << r.url;  // decoded, as the step saw it
      EXPECT_EQ(r.headers.get("content-type").value_or(""), "text/html; charset=utf-8") << r.url;
    } else if (r.step == "cond") {
      cond = true;
      EXPECT_EQ(r.status, 304);
      EXPECT_EQ(r.body, "");
      EXPECT_EQ(r.headers.get("etag").value_or(""), "\"v1\"");
    } else {
      EXPECT_EQ(r.step, "list");
      EXPECT_EQ(r.url, base + "/list");
    }
    return true;
  });
  EXPECT_EQ(pages, kSitePages + 1);
  EXPECT_TRUE(cond);

  StoreFile f(path);
  // The redirected request is stored under its own id with the final URL.
  EXPECT_EQ(f.one("SELECT r.url FROM responses r JOIN requests q ON q.id = r.request "
                  "WHERE q.body LIKE '%/hop/0%'"),
            base + "/page/9999");
  // "page" trained a dictionary; its later bodies use it, and the store holds
  // much less than the pages' bytes.
  EXPECT_EQ(f.one("SELECT step FROM dictionaries"), "page");
  EXPECT_EQ(f.number("SELECT count(*) FROM responses WHERE step = 'page' AND dictionary = 0"),
            static_cast<long>(store::ResponseWriter::kTrainSamples));
  EXPECT_EQ(f.number("SELECT count(*) FROM responses WHERE step = 'page' AND dictionary <> 0"),
            static_cast<long>(kSitePages + 1 - store::ResponseWriter::kTrainSamples));
  EXPECT_LT(f.number("SELECT sum(length(body)) FROM responses") * 4,
            f.number("SELECT sum(size) FROM responses"));
  server.stop();
  EXPECT_EQ(server.loop_close_result(), 0);
}

TEST(StoredResponses, OffByDefaultAndOnlyWithAStore) {
  EXPECT_FALSE(DriverOptions{}.store_responses);
  ThreadedTestServer server;
  serve_court_site(server);
  server.server().redirect_chain("/hop", 2, "/page/9999");
  const auto dir = fresh_dir("responses-off");
  const std::string path = (dir / "run.db").string();
  ASSERT_EQ(crawl_court(server, path, false).status, RunStatus::completed);
  {
    StoreFile f(path);
    EXPECT_EQ(f.number("SELECT count(*) FROM requests WHERE state = 2"), kSitePages + 3);
    EXPECT_EQ(f.number("SELECT count(*) FROM responses"), 0);
  }
  CourtScraper scraper(server.url("/"));
  DriverOptions o;
  o.store_responses = true;  // but no store_path
  Driver driver(scraper, o);
  EXPECT_THROW(driver.run(), ScraperConfigError);
  server.stop();
  EXPECT_EQ(server.loop_close_result(), 0);
}

}  // namespace
}  // namespace uvscrape::store_test
