// Dedup in the SQLite store (docs/design.md §3, §20): the seen set lives in
// the file's seen table, checked on the writer thread inside the commit, so
// nothing of it is in memory. The semantics are those of the in-memory set:
// a key seen before is dropped (in the same completion, in another one of the
// same group commit, long after its slot in the recent-keys cache was taken,
// and after a reopen); an entry (record_only) is recorded but never dropped;
// a child without a key is never dropped.
#include <uv.h>

#include <set>

#include "store/recent_keys.hpp"
#include "store/sqlite_store.hpp"
#include "store_test_support.hpp"

namespace uvscrape::store_test {
namespace {

using namespace uvscrape::store;

struct Recorder final : Listener {
  bool opened = false, closed = false;
  Opened open_result;
  std::vector<Completion> committed;
  void store_opened(Opened o) override {
    open_result = std::move(o);
    opened = true;
  }
  void store_committed(Completion c) override { committed.push_back(std::move(c)); }
  void store_failed(std::exception_ptr e) override { std::rethrow_exception(e); }
  void store_closed() override { closed = true; }
};

template <typename Pred>
void run_until(uv_loop_t* loop, Pred done) {
  while (!done()) uv_run(loop, UV_RUN_ONCE);
}

Child child(const std::string& path, bool keyed = true, bool record_only = false) {
  const std::string url = "http://127.0.0.1:9/" + path;
  Child c{Request::get(url).to("case"), std::nullopt, record_only, 0};
  if (keyed) c.key = hash_key(url);
  return c;
}

Completion seeding(std::vector<Child> children) {
  Completion c;
  c.settle = Settle::seed;
  c.children = std::move(children);
  return c;
}

class SeenTable : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fresh_dir("seen");
    path_ = (dir_ / "run.db").string();
    ASSERT_EQ(uv_loop_init(&loop_), 0);
  }
  void TearDown() override {
    EXPECT_EQ(uv_loop_close(&loop_), 0);
    std::filesystem::remove_all(dir_);
  }
  // Opens the store, commits `completions` (all submitted before the first
  // report, so they share group commits), closes it; the committed reports.
  std::vector<Completion> run(std::vector<Completion> completions, Opened* opened = nullptr) {
    Recorder r;
    SqliteStore s(&loop_, path_);
    s.open(RunIdentity{"seen-test", nullptr, "", false, false}, r);
    run_until(&loop_, [&] { return r.opened; });
    if (opened) *opened = r.open_result;
    const size_t n = completions.size();
    for (Completion& c : completions) s.commit(std::move(c));
    run_until(&loop_, [&] { return r.committed.size() == n; });
    s.close("stopped");
    run_until(&loop_, [&] { return r.closed; });
    return std::move(r.committed);
  }

  std::filesystem::path dir_;
  std::string path_;
  uv_loop_t loop_;
};

TEST_F(SeenTable, DropsRepeatsWithinAndAcrossCompletionsAndKeepsEntriesAndUnkeyed) {
  std::vector<Completion> first;
  first.push_back(seeding({child("a", true, true), child("a", true, true), child("b")}));
  first.push_back(seeding(
      {child("b"), child("c"), child("c"), child("n", false), child("n", false), child("a")}));
  const auto got = run(std::move(first));
  ASSERT_EQ(got.size(), 2u);
  const auto& e = got[0].children;
  const auto& f = got[1].children;
  // Entries: both admitted although the second repeats the first's key.
  EXPECT_EQ(e[0].id, 1u);
  EXPECT_EQ(e[1].id, 2u);
  EXPECT_EQ(e[2].id, 3u);  // b, fresh
  EXPECT_EQ(f[0].id, 0u);  // b again, from the other completion
  EXPECT_EQ(f[1].id, 4u);  // c
  EXPECT_EQ(f[2].id, 0u);  // c again, same completion
  EXPECT_EQ(f[3].id, 5u);  // no key: never dropped
  EXPECT_EQ(f[4].id, 6u);
  EXPECT_EQ(f[5].id, 0u);  // a, recorded by the entries

  StoreFile file(path_);
  EXPECT_EQ(file.number("SELECT count(*) FROM seen"), 3);
  EXPECT_EQ(file.number("SELECT count(*) FROM requests"), 6);
}

TEST_F(SeenTable, AKeyEvictedFromTheRecentCacheAndAReopenStillDrop) {
  // More keys than the cache has slots: most early keys lose their slot.
  const size_t n = RecentKeys::kSlots * 2;
  std::vector<Completion> first;
  for (size_t i = 0; i < n;) {
    std::vector<Child> children;
    for (size_t k = 0; k < 1000 && i < n; ++k, ++i) children.push_back(child(std::to_string(i)));
    first.push_back(seeding(std::move(children)));
  }
  std::vector<Child> again;
  for (size_t i = 0; i < 2000; ++i) again.push_back(child(std::to_string(i)));
  first.push_back(seeding(std::move(again)));
  auto got = run(std::move(first));
  std::set<RequestId> ids;
  for (size_t c = 0; c + 1 < got.size(); ++c)
    for (const Child& ch : got[c].children) ids.insert(ch.id);
  EXPECT_EQ(ids.size(), n);
  EXPECT_EQ(ids.count(0), 0u);
  for (const Child& ch : got.back().children) EXPECT_EQ(ch.id, 0u) << ch.request.url();

  // Reopened: the seen table still decides; new ids follow the stored ones.
  std::vector<Completion> second;
  second.push_back(seeding({child("0"), child(std::to_string(n - 1)), child("new")}));
  Opened opened;
  got = run(std::move(second), &opened);
  EXPECT_TRUE(opened.resumed);
  EXPECT_EQ(opened.next_id, n + 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].children[0].id, 0u);
  EXPECT_EQ(got[0].children[1].id, 0u);
  EXPECT_EQ(got[0].children[2].id, n + 1);
}

}  // namespace
}  // namespace uvscrape::store_test
