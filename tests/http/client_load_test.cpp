// 2,000 requests, 64 in flight, bodies of 0 B to 1 MiB, every one byte-exact,
// and no more TCP connections than the pool allows.
#include <zlib.h>

#include "client_fixture.hpp"

namespace uvscrape::http::test {
namespace {

constexpr size_t kRequests = 2000;
constexpr size_t kInFlight = 64;
constexpr size_t kDistinctBodies = 64;
constexpr size_t kPoolCap = 16;

uint32_t checksum(std::string_view s) {
  return static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(s.data()), static_cast<uInt>(s.size())));
}

TEST_F(ClientTest, TwoThousandRequestsSixtyFourInFlightByteExact) {
  // Sizes spread over 0 B .. 1 MiB, most of them small (as web pages are);
  // both ends of the range are always present.
  std::vector<uint32_t> sums(kDistinctBodies);
  std::vector<size_t> sizes(kDistinctBodies);
  uint64_t x = 88172645463325252ull;
  auto next = [&x] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  for (size_t i = 0; i < kDistinctBodies; ++i) {
    const double u = static_cast<double>(next() % 1'000'000) / 1'000'000.0;
    sizes[i] = i == 0 ? 0 : i == 1 ? 1024 * 1024 : static_cast<size_t>(u * u * u * 1024 * 1024);
    auto body = std::make_shared<std::string>(sizes[i], '\0');
    for (auto& c : *body) c = static_cast<char>(next());
    sums[i] = checksum(*body);
    ServerResponse resp;
    resp.shared_body = body;
    resp.headers = {{"Content-Type", "application/octet-stream"}};
    resp.chunked = i % 3 == 0;
    resp.chunk_size = 16 * 1024;
    server().respond("GET", "/blob/" + std::to_string(i), resp);
  }

  ClientOptions o;
  o.max_connections_per_origin = kPoolCap;
  Client& c = client(o);
  size_t started = 0, finished = 0, failures = 0, mismatches = 0, in_flight = 0, peak = 0;
  std::function<void()> start_one = [&] {
    const size_t k = started % kDistinctBodies;
    ++started;
    ++in_flight;
    peak = std::max(peak, in_flight);
    HttpRequest r;
    r.url = server().url("/blob/" + std::to_string(k));
    c.fetch(std::move(r), [&, k](Result res) {
      --in_flight;
      ++finished;
      if (!res.response || res.response->status != 200) {
        ++failures;
      } else if (res.response->body.size() != sizes[k] || checksum(res.response->body) != sums[k]) {
        ++mismatches;
      }
      if (started < kRequests) start_one();
    });
  };
  for (size_t i = 0; i < kInFlight; ++i) start_one();
  run_for(60s, [&] { return finished == kRequests; });
  EXPECT_EQ(finished, kRequests);
  EXPECT_EQ(failures, 0u);
  EXPECT_EQ(mismatches, 0u);
  EXPECT_EQ(peak, kInFlight);
  EXPECT_LE(server().connections_accepted(), kPoolCap);
  EXPECT_LE(c.stats().connections_opened, kPoolCap);
  EXPECT_EQ(c.stats().requests_completed, kRequests);
}

}  // namespace
}  // namespace uvscrape::http::test
