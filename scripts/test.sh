#!/usr/bin/env bash
# The test command of the README: installs what it needs, then builds and tests
# uvscrape twice -- g++ with warnings as errors, and clang with ASan+UBSan --,
# runs every fuzz target for a bounded time (FUZZ_SECONDS, default 30), and
# checks that an installed uvscrape is usable through pkg-config.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/install-deps.sh

jobs=${JOBS:-$(nproc)}
strict=(--werror -Dwarning_level=3)

echo "== g++ build, -Wall -Wextra -Wpedantic -Werror"
CXX=g++ CC=gcc meson setup build/gcc "${strict[@]}" --buildtype=debugoptimized --reconfigure >/dev/null 2>&1 \
  || CXX=g++ CC=gcc meson setup build/gcc "${strict[@]}" --buildtype=debugoptimized
ninja -C build/gcc -j "$jobs"
meson test -C build/gcc --print-errorlogs --num-processes "$jobs"

echo "== clang build with ASan+UBSan, -Werror"
CXX=clang++ CC=clang meson setup build/asan "${strict[@]}" --buildtype=debug \
  -Db_sanitize=address,undefined -Db_lundef=false -Dbenchmarks=false --reconfigure >/dev/null 2>&1 \
  || CXX=clang++ CC=clang meson setup build/asan "${strict[@]}" --buildtype=debug \
       -Db_sanitize=address,undefined -Db_lundef=false -Dbenchmarks=false
ninja -C build/asan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  meson test -C build/asan --print-errorlogs --num-processes "$jobs" --timeout-multiplier 3

echo "== clang build with ThreadSanitizer: the driver's tests, steps on step threads"
# Only the driver's test programs and what they link: the step threads hand
# responses and yields between threads there. The wall-clock politeness tests
# stay out (TSan's slowdown is not the product's).
tsan_tests=(tests/driver/driver_unit_tests tests/driver/driver_crawl_tests tests/driver/driver_robots_tests)
CXX=clang++ CC=clang meson setup build/tsan "${strict[@]}" --buildtype=debug \
  -Db_sanitize=thread -Db_lundef=false -Dbenchmarks=false -Dexamples=false --reconfigure >/dev/null 2>&1 \
  || CXX=clang++ CC=clang meson setup build/tsan "${strict[@]}" --buildtype=debug \
       -Db_sanitize=thread -Db_lundef=false -Dbenchmarks=false -Dexamples=false
ninja -C build/tsan -j "$jobs" "${tsan_tests[@]}"
# The memory tests (a 100,000-link step, a 5 MB page) measure the allocator and
# run in the two builds above; under TSan they take minutes and add no thread.
GTEST_FILTER='-DriverMemory.*' TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
  meson test -C build/tsan --no-rebuild --print-errorlogs --num-processes "$jobs" --timeout-multiplier 5 \
  "seen-set, stop signal, archive writer" "crawls against the test server" \
  "robots.txt against the test server"

echo "== fuzz targets (clang, libFuzzer + ASan/UBSan), ${FUZZ_SECONDS:-30} s each from the committed corpora"
bench/fuzz --seconds "${FUZZ_SECONDS:-30}" --jobs "$jobs"

echo "== install, then consume through pkg-config and as a Meson subproject"
bash tests/install/consumer_check.sh build/gcc

echo "== benchmark smoke run (proves bench/run works; figures at this size mean nothing)"
bench/run --cases 500 --reps 1 --build-dir build/gcc --no-install
echo "tests: all passed"
