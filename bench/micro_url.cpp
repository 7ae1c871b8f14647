// Micro-benchmarks: URL resolution, the first thing the driver does with every
// link a step yields (include/uvscrape/url.hpp, the WHATWG URL parser).
#include <benchmark/benchmark.h>

#include <string>

#include "uvscrape/url.hpp"

namespace {

const std::string kListPage = "http://127.0.0.1:8080/cases/page/3.html";

// A case link from a list page: root-relative, the common case of the crawl.
void BM_ResolveRootRelative(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(uvscrape::resolve_url(kListPage, "/cases/123.html"));
}
BENCHMARK(BM_ResolveRootRelative);

// A relative reference with dot segments: path merge and dot-segment removal.
void BM_ResolveDotSegments(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(uvscrape::resolve_url(kListPage, "../../docs/./120.pdf?v=2#top"));
}
BENCHMARK(BM_ResolveDotSegments);

// An absolute link that needs normalising (case, default port, escapes).
void BM_ResolveAbsoluteNormalised(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(
        uvscrape::resolve_url(kListPage, "HTTP://Example.COM:80/a/%7Euser/b%20c?q=1"));
}
BENCHMARK(BM_ResolveAbsoluteNormalised);

// A Windows-style href with a space: backslashes as slashes, percent-encoding.
void BM_ResolveBackslashHref(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(uvscrape::resolve_url(kListPage, "..\\attachments\\exhibit A.pdf"));
}
BENCHMARK(BM_ResolveBackslashHref);

// A non-ASCII host: the one path that calls libidn2.
void BM_ResolveIdnaHost(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(
        uvscrape::resolve_url(kListPage, "https://www.m\xC3\xBCnchen.de/rathaus/"));
}
BENCHMARK(BM_ResolveIdnaHost);

// Parsing an absolute URL into its parts (what the HTTP client does per request).
void BM_UrlParse(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(uvscrape::Url::parse("http://127.0.0.1:8080/cases/123.html"));
}
BENCHMARK(BM_UrlParse);

}  // namespace
