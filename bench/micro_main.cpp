// Google Benchmark entry point for the micro-benchmarks (bench/micro_*.cpp).
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
