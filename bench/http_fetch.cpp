// The HTTP client alone, on a list of URLs it already knows: the same job as
// `curl --parallel --parallel-max C` over the same list, so the two compare
// directly (bench/run runs both in one run). No parsing, no queue: what is
// measured is the client engine -- connection pool, request writing, llhttp.
//
//   http_fetch URL_FILE CONCURRENCY
//
// Keeps CONCURRENCY requests in flight until every URL is fetched, then prints
// requests/s. Exits 1 if any request failed or returned a status other than 200.
#include <uv.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <string>
#include <vector>

#include "http/client.hpp"

namespace {

using uvscrape::http::Client;
using uvscrape::http::ClientOptions;
using uvscrape::http::HttpRequest;
using uvscrape::http::Result;

std::vector<std::string> read_lines(const char* path) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "http_fetch: cannot read %s\n", path);
    std::exit(2);
  }
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(std::move(line));
  }
  return lines;
}

// Keeps `concurrency` fetches in flight: each completion starts the next URL.
class FetchAll {
 public:
  FetchAll(Client& client, const std::vector<std::string>& urls) : client_(client), urls_(urls) {}

  void start(size_t concurrency) {
    for (size_t i = 0; i < concurrency && next_ < urls_.size(); ++i) start_next();
  }
  size_t completed() const { return completed_; }
  size_t failures() const { return failures_; }
  uint64_t body_bytes() const { return body_bytes_; }

 private:
  void start_next() {
    HttpRequest request;
    request.url = urls_[next_++];
    client_.fetch(std::move(request), [this](Result result) { on_done(std::move(result)); });
  }

  void on_done(Result result) {
    ++completed_;
    if (result.error) {
      report_failure(result.error);
    } else if (result.response->status != 200) {
      if (failures_++ < kFailuresShown)
        std::fprintf(stderr, "http_fetch: %s: status %d\n", result.response->url.c_str(),
                     result.response->status);
    } else {
      body_bytes_ += result.response->body.size();
    }
    if (next_ < urls_.size()) {
      start_next();
    } else if (completed_ == urls_.size()) {
      client_.close();
    }
  }

  void report_failure(const std::exception_ptr& error) {
    if (failures_++ >= kFailuresShown) return;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "http_fetch: %s\n", e.what());
    }
  }

  static constexpr size_t kFailuresShown = 5;
  Client& client_;
  const std::vector<std::string>& urls_;
  size_t next_ = 0;
  size_t completed_ = 0;
  size_t failures_ = 0;
  uint64_t body_bytes_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: http_fetch URL_FILE CONCURRENCY\n");
    return 2;
  }
  const std::vector<std::string> urls = read_lines(argv[1]);
  const size_t concurrency = std::strtoul(argv[2], nullptr, 10);
  if (urls.empty() || concurrency == 0) {
    std::fprintf(stderr, "http_fetch: need at least one URL and a concurrency >= 1\n");
    return 2;
  }

  uv_loop_t loop;
  uv_loop_init(&loop);
  ClientOptions options;
  // As many connections as transfers in flight, like curl --parallel-max.
  options.max_connections_per_origin = concurrency;
  options.max_connections_total = concurrency;
  int status = 0;
  {
    Client client(&loop, options);
    FetchAll fetch_all(client, urls);
    const auto start = std::chrono::steady_clock::now();
    fetch_all.start(concurrency);
    uv_run(&loop, UV_RUN_DEFAULT);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    const auto stats = client.stats();
    std::printf(
        "http_fetch: %zu requests, concurrency %zu, %.3f s, %.0f requests/s, %.1f MiB of bodies, "
        "%llu connections opened\n",
        fetch_all.completed(), concurrency, seconds,
        static_cast<double>(fetch_all.completed()) / seconds,
        static_cast<double>(fetch_all.body_bytes()) / (1024.0 * 1024.0),
        static_cast<unsigned long long>(stats.connections_opened));
    if (fetch_all.failures() != 0 || fetch_all.completed() != urls.size()) {
      std::fprintf(stderr, "http_fetch: FAIL: %zu of %zu requests failed\n", fetch_all.failures(),
                   urls.size());
      status = 1;
    }
  }
  if (uv_loop_close(&loop) != 0) {
    std::fprintf(stderr, "http_fetch: handles left open on the loop\n");
    status = 1;
  }
  return status;
}
