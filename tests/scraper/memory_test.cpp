// Memory per queued request: the benchmark queues 1,000,000 requests and allows
// 256 bytes each beyond the URL's own length. Counts every heap byte (with the
// allocator's per-chunk overhead) that yielding, resolving and sharing a request
// costs, the way a step's fan-out does it.
#include <gtest/gtest.h>
#include <malloc.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "uvscrape/uvscrape.hpp"

namespace {
std::atomic<long long> g_live_bytes{0};
}

// g++ sees malloc in operator new and free in operator delete and warns, though
// that pairing is exactly what a replacement allocator does.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

void* operator new(std::size_t size) {
  void* p = std::malloc(size ? size : 1);
  if (!p) throw std::bad_alloc();
  g_live_bytes += static_cast<long long>(malloc_usable_size(p) + sizeof(std::size_t));
  return p;
}
void operator delete(void* p) noexcept {
  if (!p) return;
  g_live_bytes -= static_cast<long long>(malloc_usable_size(p) + sizeof(std::size_t));
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  operator delete(p);
}

namespace {

using namespace uvscrape;

// Bytes per request for `count` children yielded from one list page and
// resolved, minus the URL text itself.
double bytes_per_request(int count, const std::function<Request(int)>& make) {
  auto page = std::make_shared<const Request>(
      Request::get("http://bench.test/cases/page/1.html").to("list"));
  Response response(200, {}, "", page->url(), page);
  std::vector<std::shared_ptr<const Request>> queued;
  queued.reserve(static_cast<std::size_t>(count));
  long long url_bytes = 0;
  const long long before = g_live_bytes.load();
  for (int i = 0; i < count; ++i) {
    auto r = std::make_shared<const Request>(resolve_yielded(make(i), response));
    url_bytes += static_cast<long long>(r->url().capacity());
    queued.push_back(std::move(r));
  }
  const long long used = g_live_bytes.load() - before - url_bytes;
  return static_cast<double>(used) / count;
}

TEST(RequestMemory, TypicalFanOutStaysUnder200BytesPerRequest) {
  const double per = bytes_per_request(100000, [](int i) {
    return Request::get("/cases/" + std::to_string(i) + ".html").to("parse_case_detail_page");
  });
  std::printf("bytes per queued request (beyond the URL): %.1f\n", per);
  // 256 is the budget; keep room for the driver's heap entry.
  EXPECT_LE(per, 200.0);
}

TEST(RequestMemory, AccumulatedDataCostsOnlyWhatItHolds) {
  const double per = bytes_per_request(20000, [](int i) {
    return Request::get("/cases/" + std::to_string(i) + ".html")
        .to("parse_case")
        .accumulated_data({{"n", i}});
  });
  std::printf("bytes per queued request with a one-key data map: %.1f\n", per);
  EXPECT_LE(per, 400.0);
}

}  // namespace
