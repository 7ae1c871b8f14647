// The `uvscrape` command's store-only subcommands on a Redis store: a real
// crawl into Redis, then `info` and `results export` on its redis:// URL
// read it (from a snapshot in a temporary file, removed again) and give the
// crawl's counts; `failures retry`, which would change the store, is refused
// and changes nothing. `serve` on the URL gives the dashboard's snapshot of
// the run, read straight from Redis. `resume` on the URL reads the run's
// meta, not a copy of the run, and finishes it.
#include <sys/wait.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <thread>

#include "raw_client.hpp"
#include "redis_test_support.hpp"

namespace uvscrape::redis_test {
namespace {

using store_test::fresh_dir;
using testing::ChildProcess;
using testing::RedisFixture;
using testing::ThreadedTestServer;

struct Ran {
  int exit_code = -1;
  std::string output;
};

Ran run_cli_program(const std::string& program, const std::vector<std::string>& args,
                    const std::filesystem::path& output) {
  std::vector<std::string> argv = {program};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess child;
  std::string failure;
  Ran ran;
  if (!child.spawn(argv, output.string(), failure)) {
    ADD_FAILURE() << failure;
    return ran;
  }
  if (!child.wait_for_exit(std::chrono::seconds(30)))
    ADD_FAILURE() << program << " did not exit within 30 s; its threads:\n"
                  << child.thread_states();
  ran.exit_code = WIFEXITED(child.exit_status()) ? WEXITSTATUS(child.exit_status()) : -1;
  std::ifstream in(output);
  std::ostringstream text;
  text << in.rdbuf();
  ran.output = text.str();
  return ran;
}

Ran run_cli(const std::vector<std::string>& args, const std::filesystem::path& output) {
  return run_cli_program(UVSCRAPE_CLI, args, output);
}

size_t snapshots_left() {
  size_t n = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::filesystem::temp_directory_path()))
    n += entry.path().filename().string().rfind("uvscrape-redis-", 0) == 0;
  return n;
}

// A completed crawl of the store site into the Redis run at `url`, its files
// under `dir`; returns the site's host:port (its server is gone).
std::string crawl_store_site(const std::string& url, const std::filesystem::path& dir) {
  ThreadedTestServer server;
  store_test::serve_store_site(server, false);
  EXPECT_EQ(store_test::crawl(server, url, (dir / "files").string(), 8).result.status,
            RunStatus::completed);
  const std::string site = "127.0.0.1:" + std::to_string(server.port());
  server.stop();
  EXPECT_EQ(server.loop_close_result(), 0);
  return site;
}

TEST(RedisCli, InfoAndResultsExportReadARedisRun) {
  RedisFixture redis;
  const auto dir = fresh_dir("redis-cli");
  const std::string url = redis.url() + "?prefix=cli";
  crawl_store_site(url, dir);
  const size_t before = snapshots_left();

  const Ran info = run_cli({"info", url, "--format", "json"}, dir / "info.out");
  ASSERT_EQ(info.exit_code, 0) << info.output;
  const Json got = Json::parse(info.output);
  EXPECT_EQ(got.at("store"), url);
  EXPECT_EQ(got.at("scraper"), "StoreSite");
  EXPECT_EQ(got.at("status"), "completed");
  EXPECT_EQ(got.at("items"), expected_items().size());
  EXPECT_EQ(got.at("files"), store_test::kPages * store_test::kPerPage / 5);
  EXPECT_EQ(got.at("requests").at("pending"), 0);
  EXPECT_TRUE(got.at("failures").empty()) << got.dump();

  const Ran exported = run_cli({"results", "export", url}, dir / "export.out");
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  std::multiset<std::string> lines;
  std::istringstream in(exported.output);
  for (std::string line; std::getline(in, line);) lines.insert(Json::parse(line).dump());
  EXPECT_EQ(lines, expected_items()) << store_test::item_difference(lines, expected_items());

  // Refused with a message that says why, and Redis unchanged.
  const Ran retry = run_cli({"failures", "retry", url, "--all"}, dir / "retry.out");
  EXPECT_EQ(retry.exit_code, 1) << retry.output;
  EXPECT_NE(retry.output.find("a Redis store is only read"), std::string::npos) << retry.output;
  RedisClient client(redis.port());
  EXPECT_EQ(client.text({"HGET", "cli:meta", "status"}), "completed");
  EXPECT_EQ(client.integer({"LLEN", "cli:items"}), static_cast<long long>(expected_items().size()));
  EXPECT_EQ(snapshots_left(), before);  // every snapshot removed
}

// `uvscrape serve redis://...`: the snapshot the page polls has the run's
// counts as Redis holds them and its one host's fetch times; SIGTERM stops
// the server cleanly (exit 0).
TEST(RedisCli, ServeShowsARedisRun) {
  RedisFixture redis;
  const auto dir = fresh_dir("redis-serve");
  const std::string url = redis.url() + "?prefix=serve";
  const std::string site = crawl_store_site(url, dir);

  const auto port_file = dir / "port";
  ChildProcess serve;
  std::string failure;
  ASSERT_TRUE(
      serve.spawn({UVSCRAPE_CLI, "serve", url, "--port", "0", "--port-file", port_file.string()},
                  (dir / "serve.out").string(), failure))
      << failure;
  std::string board;
  for (int i = 0; i < 500 && board.empty(); ++i) {
    std::ifstream(port_file) >> board;
    if (board.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(board.rfind("http://127.0.0.1:", 0), 0u) << board;
  const auto port = static_cast<std::uint16_t>(std::stoi(board.substr(17)));
  testing::RawClient client(port);
  client.send("GET /api/snapshot HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n\r\n");
  client.read(std::chrono::milliseconds(10000));
  const std::string reply = client.received();
  ASSERT_EQ(reply.rfind("HTTP/1.1 200", 0), 0u) << reply;
  const Json s = Json::parse(reply.substr(reply.find("\r\n\r\n") + 4));

  RedisClient r(redis.port());
  const long long done = std::stoll(r.text({"HGET", "serve:meta", "done"}));
  EXPECT_GT(done, 0);
  EXPECT_EQ(s.at("store"), url);
  EXPECT_EQ(s.at("scraper"), "StoreSite");
  EXPECT_EQ(s.at("status"), "completed");
  EXPECT_EQ(s.at("requests").at("done"), done);
  EXPECT_EQ(s.at("requests").at("pending"), 0);
  EXPECT_EQ(s.at("requests").at("in_flight"), 0);
  EXPECT_EQ(s.at("items"), expected_items().size());
  EXPECT_EQ(s.at("recent_items").size(), 10u);
  EXPECT_TRUE(s.at("failures").empty()) << s.dump();
  const Json& slowest = s.at("slowest_hosts");
  ASSERT_EQ(slowest.size(), 1u) << slowest.dump();
  EXPECT_EQ(slowest[0].at("host"), site);
  // Every request got an answer: each settled one was timed once.
  EXPECT_EQ(slowest[0].at("timed"), done);
  EXPECT_GE(slowest[0].at("max_ms").get<long long>(), slowest[0].at("mean_ms").get<long long>());
  EXPECT_LT(slowest[0].at("max_ms").get<long long>(), 10000);
  // Throughput from the commit script's settles per 10 s: the crawl settled
  // every request within the last hour, and the chart holds each once.
  const Json& t = s.at("throughput");
  EXPECT_EQ(t.at("last_hour"), done);
  EXPECT_EQ(t.at("left"), 0);
  EXPECT_FALSE(t.contains("eta_seconds"));
  const Json& series = t.at("series");
  EXPECT_EQ(series.at("bucket_ms").get<long long>() % 10000, 0);
  long long charted = 0;
  for (const Json& n : series.at("counts")) charted += n.get<long long>();
  EXPECT_EQ(series.at("counts").size(), 60u);
  EXPECT_EQ(charted, done);

  serve.stop();
  ASSERT_TRUE(WIFEXITED(serve.exit_status())) << serve.exit_status();
  EXPECT_EQ(WEXITSTATUS(serve.exit_status()), 0);
}

// `resume redis://...` (through a program exposing the store site's scraper)
// finishes a stopped run, and on a completed one says so; neither copies
// the run to read its scraper and seed (no SMEMBERS of the seen set, which
// the copy of the store-only commands makes).
TEST(RedisCli, ResumeReadsTheRunsMetaNotACopy) {
  RedisFixture redis;
  ThreadedTestServer server;
  store_test::serve_store_site(server, false);
  const auto dir = fresh_dir("redis-resume");
  const std::string url = redis.url() + "?prefix=resume";
  const std::string base = "http://127.0.0.1:" + std::to_string(server.port());
  ASSERT_EQ(store_test::crawl(server, url, (dir / "files").string(), 4, 50).result.status,
            RunStatus::stopped);
  RedisClient client(redis.port());
  ASSERT_EQ(client.text({"HGET", "resume:meta", "status"}), "stopped");
  const auto copies = [&] {  // SMEMBERS calls since the last CONFIG RESETSTAT
    const std::string stats = client.text({"INFO", "commandstats"});
    const auto at = stats.find("cmdstat_smembers:calls=");
    return at == std::string::npos ? 0 : std::atoi(stats.c_str() + at + 23);
  };
  client.text({"CONFIG", "RESETSTAT"});

  const Ran resumed = run_cli_program(
      REDIS_CLI_CRAWL, {base, "resume", url, "--storage", (dir / "files").string(), "--out", "-"},
      dir / "resume.out");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_EQ(client.text({"HGET", "resume:meta", "status"}), "completed");
  EXPECT_EQ(client.integer({"LLEN", "resume:items"}),
            static_cast<long long>(expected_items().size()));
  EXPECT_EQ(client.items("resume"), expected_items());

  const Ran again = run_cli_program(REDIS_CLI_CRAWL, {base, "resume", url}, dir / "again.out");
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("the run has already completed (" +
                              std::to_string(expected_items().size()) + " items)"),
            std::string::npos)
      << again.output;
  EXPECT_EQ(copies(), 0);
}

}  // namespace
}  // namespace uvscrape::redis_test
