// Scale figures: the crawl frontier (src/driver/frontier.hpp holding Requests).
//
// 1. Memory: 1,000,000 requests with distinct ~60-char URLs sit in the
//    frontier, built the way a crawl builds them: list pages yield 50 relative
//    links each, every link is resolved against its page (resolve_yielded:
//    shared current location, parent request) and pushed. Nothing is fetched.
//    Memory is the growth of the allocator's in-use bytes (mallinfo2) from
//    before the first list page to the full frontier: Request objects, host
//    queues (with their growth slack), URL strings, shared locations, parents.
// 2. Dispatch: take() + finished() per request with the same requests on 1
//    host and spread over 10,000 hosts (each host with its own queue), both
//    unlimited and with a cap of 1 request in flight per host (hosts leave and
//    rejoin the ready heap on every request). The cost must not grow with the
//    number of hosts beyond its logarithm.
//
//   frontier_scale [REQUESTS]     (default 1,000,000; targets: <= 256 bytes per
//                                  queued request beyond the URL's own length;
//                                  10,000-host dispatch within 4x of 1-host)
#include <malloc.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "driver/frontier.hpp"
#include "uvscrape/request.hpp"
#include "uvscrape/resolution.hpp"
#include "uvscrape/response.hpp"

namespace {

using uvscrape::Request;
using uvscrape::Response;
using uvscrape::driver::Frontier;
using uvscrape::driver::FrontierClock;
using uvscrape::driver::HostLimits;

constexpr int kLinksPerPage = 50;

size_t allocated_bytes() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

// "/cases/2024/civil/0001234.html".
std::string case_path(uint64_t i) {
  char text[48];  // room for any 64-bit number
  std::snprintf(text, sizeof text, "/cases/2024/civil/%07llu.html",
                static_cast<unsigned long long>(i));
  return text;
}

// "http://records.example-court.org" for 1 host, "http://h00042.example-court.org"
// for many: the same length either way.
std::string site(uint64_t i, uint64_t hosts) {
  if (hosts == 1) return "http://records.example-court.org";
  char text[48];
  std::snprintf(text, sizeof text, "http://h%07llu.example-court.org",
                static_cast<unsigned long long>(i % hosts));
  return text;
}

// Fills `frontier` with `total` resolved requests over `hosts` hosts; returns
// the URL characters pushed.
uint64_t fill(Frontier<Request>& frontier, uint64_t total, uint64_t hosts,
              const HostLimits& limits) {
  uint64_t url_chars = 0;
  const auto now = FrontierClock::now();
  // One chain of list pages per host, as a crawl of each site would have.
  std::vector<std::shared_ptr<const Request>> list(hosts);
  for (uint64_t made = 0, page = 1; made < total; ++page) {
    const uint64_t h = page % hosts;
    if (!list[h]) {
      list[h] = std::make_shared<const Request>(
          Request::get(site(h, hosts) + "/cases/page/1.html").to("parse_list"));
    }
    const Response list_page(200, {}, {}, list[h]->url(), list[h]);
    const auto id = frontier.host(uvscrape::driver::host_key(list[h]->url()), limits);
    for (int k = 0; k < kLinksPerPage && made < total; ++k, ++made) {
      Request resolved =
          uvscrape::resolve_yielded(Request::get(case_path(made)).to("parse_case"), list_page);
      url_chars += resolved.url().size();
      frontier.push(id, resolved.priority(), std::move(resolved), now);
    }
    const std::string next = "/cases/page/" + std::to_string(page + 1) + ".html";
    list[h] = std::make_shared<const Request>(
        uvscrape::resolve_yielded(Request::get(next).to("parse_list").priority(1), list_page));
  }
  return url_chars;
}

// Takes everything out, finishing each request at once; ns per take+finished.
double drain(Frontier<Request>& frontier, uint64_t expected) {
  const auto now = FrontierClock::now();
  const auto start = std::chrono::steady_clock::now();
  uint64_t taken = 0;
  const auto can_send = [](const Request&) { return true; };
  while (auto t = frontier.take(now, can_send)) {
    frontier.finished(t->host, now);
    ++taken;
  }
  const double ns =
      std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
  if (taken != expected) {
    std::fprintf(stderr, "frontier_scale: FAIL: took %llu of %llu\n",
                 static_cast<unsigned long long>(taken), static_cast<unsigned long long>(expected));
    std::exit(1);
  }
  return ns / static_cast<double>(taken);
}

// In-flight cap 1 per host, workers taking round-robin: every take moves a host
// out of the ready heap and every finished() back in.
double drain_capped(Frontier<Request>& frontier, uint64_t expected, size_t workers) {
  const auto now = FrontierClock::now();
  const auto can_send = [](const Request&) { return true; };
  std::vector<Frontier<Request>::HostId> in_flight;
  in_flight.reserve(workers);
  uint64_t taken = 0;
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    while (in_flight.size() < workers) {
      auto t = frontier.take(now, can_send);
      if (!t) break;
      in_flight.push_back(t->host);
      ++taken;
    }
    if (in_flight.empty()) break;
    for (auto host : in_flight) frontier.finished(host, now);
    in_flight.clear();
  }
  const double ns =
      std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
  if (taken != expected) {
    std::fprintf(stderr, "frontier_scale: FAIL: capped took %llu of %llu\n",
                 static_cast<unsigned long long>(taken), static_cast<unsigned long long>(expected));
    std::exit(1);
  }
  return ns / static_cast<double>(taken);
}

}  // namespace

int main(int argc, char** argv) {
  const uint64_t total = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
  bool pass = true;

  double one_host_ns = 0;
  {
    Frontier<Request> frontier;
    const size_t before = allocated_bytes();
    const auto start = std::chrono::steady_clock::now();
    const uint64_t url_chars = fill(frontier, total, 1, {});
    const double build_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const size_t grown = allocated_bytes() - before;
    const double per_request = static_cast<double>(grown) / static_cast<double>(total);
    const double url_length = static_cast<double>(url_chars) / static_cast<double>(total);
    const double beyond = per_request - url_length;
    pass = pass && beyond <= 256.0;
    std::printf(
        "frontier: %llu queued requests, URLs %.1f chars on average: %.1f MiB = %.1f bytes per "
        "request, %.1f beyond the URL; target <= 256 %s\n",
        static_cast<unsigned long long>(total), url_length, static_cast<double>(grown) / (1 << 20),
        per_request, beyond, beyond <= 256.0 ? "PASS" : "FAIL");
    std::printf(
        "frontier: sizeof(Request) %zu, queue entry %zu, queue arrays %.1f MiB (capacity slack "
        "included); built at %.2f M requests/s (resolution included)\n",
        sizeof(Request), Frontier<Request>::entry_bytes(),
        static_cast<double>(frontier.array_bytes()) / (1 << 20),
        static_cast<double>(total) / build_s / 1e6);
    one_host_ns = drain(frontier, total);
  }

  constexpr uint64_t kManyHosts = 10'000;
  double many_hosts_ns = 0;
  size_t many_bytes_beyond = 0;
  {
    Frontier<Request> frontier;
    const size_t before = allocated_bytes();
    const uint64_t url_chars = fill(frontier, total, kManyHosts, {});
    many_bytes_beyond = (allocated_bytes() - before - url_chars) / total;
    many_hosts_ns = drain(frontier, total);
  }
  double capped_one_ns = 0, capped_many_ns = 0;
  {
    Frontier<Request> frontier;
    fill(frontier, total / 10, 1, {.max_in_flight = 64});
    capped_one_ns = drain_capped(frontier, total / 10, 64);
  }
  {
    Frontier<Request> frontier;
    fill(frontier, total / 10, kManyHosts, {.max_in_flight = 1});
    capped_many_ns = drain_capped(frontier, total / 10, 64);
  }
  const bool dispatch_ok = many_hosts_ns <= 4 * one_host_ns && capped_many_ns <= 4 * capped_one_ns;
  pass = pass && dispatch_ok;
  std::printf(
      "frontier: dispatch (take + finished) %.0f ns per request on 1 host, %.0f ns on %llu hosts "
      "(%zu bytes per request beyond the URL there); with a per-host in-flight cap and 64 "
      "workers: %.0f ns on 1 host, %.0f ns on %llu hosts; target within 4x %s\n",
      one_host_ns, many_hosts_ns, static_cast<unsigned long long>(kManyHosts), many_bytes_beyond,
      capped_one_ns, capped_many_ns, static_cast<unsigned long long>(kManyHosts),
      dispatch_ok ? "PASS" : "FAIL");
  return pass ? 0 : 1;
}
