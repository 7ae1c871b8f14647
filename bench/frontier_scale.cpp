// Scale figure: the crawl frontier. 1,000,000 requests with distinct ~60-char
// URLs sit in the driver's queue (src/driver/request_heap.hpp holding Requests),
// built the way a crawl builds them: list pages yield 50 relative links each,
// every link is resolved against its page (resolve_yielded: shared current
// location, parent request) and pushed. Nothing is fetched.
//
//   frontier_scale [REQUESTS]     (default 1,000,000; target <= 256 bytes per
//                                  queued request beyond the URL's own length)
//
// Memory is the growth of the allocator's in-use bytes (mallinfo2) from before
// the first list page to the full queue: Request objects, heap array (with its
// growth slack), URL strings, shared locations and parents -- all of it.
#include <malloc.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "driver/request_heap.hpp"
#include "uvscrape/request.hpp"
#include "uvscrape/resolution.hpp"
#include "uvscrape/response.hpp"

namespace {

using uvscrape::Request;
using uvscrape::Response;

constexpr int kLinksPerPage = 50;
const std::string kSite = "http://records.example-court.org";

size_t allocated_bytes() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

// "/cases/2024/civil/0001234.html": with kSite, a 62-character URL.
std::string case_path(uint64_t i) {
  char text[48];  // room for any 64-bit number
  std::snprintf(text, sizeof text, "/cases/2024/civil/%07llu.html",
                static_cast<unsigned long long>(i));
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  const uint64_t total = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
  uvscrape::driver::RequestHeap<Request> queue;

  const size_t before = allocated_bytes();
  const auto start = std::chrono::steady_clock::now();
  uint64_t url_chars = 0;
  // The first list page is the entry; each one yields the next (rel=next), so
  // list pages chain through their parents as in a real crawl.
  auto list_request =
      std::make_shared<const Request>(Request::get(kSite + "/cases/page/1.html").to("parse_list"));
  for (uint64_t made = 0, page = 1; made < total; ++page) {
    const Response list_page(200, {}, {}, list_request->url(), list_request);
    for (int k = 0; k < kLinksPerPage && made < total; ++k, ++made) {
      Request resolved =
          uvscrape::resolve_yielded(Request::get(case_path(made)).to("parse_case"), list_page);
      url_chars += resolved.url().size();
      queue.push(resolved.priority(), std::move(resolved));
    }
    const std::string next = "/cases/page/" + std::to_string(page + 1) + ".html";
    list_request = std::make_shared<const Request>(
        uvscrape::resolve_yielded(Request::get(next).to("parse_list").priority(1), list_page));
  }
  const double build_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const size_t grown = allocated_bytes() - before;

  const double per_request = static_cast<double>(grown) / static_cast<double>(total);
  const double url_length = static_cast<double>(url_chars) / static_cast<double>(total);
  const double beyond = per_request - url_length;
  std::printf(
      "frontier: %llu queued requests, URLs %.1f chars on average: %.1f MiB = %.1f bytes per "
      "request, "
      "%.1f beyond the URL; target <= 256 %s\n",
      static_cast<unsigned long long>(total), url_length, static_cast<double>(grown) / (1 << 20),
      per_request, beyond, beyond <= 256.0 ? "PASS" : "FAIL");
  std::printf(
      "frontier: sizeof(Request) %zu, heap entry %zu, heap array %.1f MiB (capacity slack "
      "included); "
      "built at %.2f M requests/s (resolution included)\n",
      sizeof(Request), sizeof(uvscrape::driver::RequestHeap<Request>::Entry),
      static_cast<double>(queue.array_bytes()) / (1 << 20),
      static_cast<double>(total) / build_s / 1e6);

  // Drain in order, so the figure also proves the queue holds what was pushed.
  uint64_t popped = 0;
  while (!queue.empty()) {
    if (queue.pop().payload.url().size() < kSite.size()) break;
    ++popped;
  }
  if (popped != total) {
    std::fprintf(stderr, "frontier_scale: FAIL: popped %llu of %llu\n",
                 static_cast<unsigned long long>(popped), static_cast<unsigned long long>(total));
    return 1;
  }
  return 0;
}
