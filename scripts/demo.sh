#!/usr/bin/env bash
# The Bug Civil Court demo, end to end, in one command:
#   installs the build dependencies (Debian 12), builds the demo server and
#   crawler, starts the server on a free loopback port, crawls every case,
#   justice, opinion and oral argument, and leaves the results in ./demo-output/
#   (results.jsonl + archived media under files/ + the run store run.db, which
#   "$build/src/cli/uvscrape info demo-output/run.db" reads). Safe to run again.
#
# Environment: DEMO_OUTPUT (default ./demo-output), DEMO_BUILD_DIR (default
# build/demo in the repository), DEMO_WORKERS (default 8),
# DEMO_SKIP_DEPS=1 to skip scripts/install-deps.sh.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${DEMO_OUTPUT:-$PWD/demo-output}"
build="${DEMO_BUILD_DIR:-$root/build/demo}"
workers="${DEMO_WORKERS:-8}"
log="$(mktemp -t uvscrape-demo.XXXXXX)"
server_pid=""

cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -f "$log"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { printf '==> %s\n' "$*"; }
fail() { printf 'demo: %s\n' "$*" >&2; [ -s "$log" ] && tail -n 40 "$log" >&2; exit 1; }

if [ "${DEMO_SKIP_DEPS:-0}" != 1 ]; then
  step "checking build dependencies (scripts/install-deps.sh)"
  "$root/scripts/install-deps.sh" >"$log" 2>&1 || fail "installing dependencies failed"
fi

step "building the demo in $build"
if [ ! -f "$build/build.ninja" ]; then
  CXX="${CXX:-g++}" CC="${CC:-gcc}" meson setup "$build" "$root" --buildtype=release \
    -Dbenchmarks=false >"$log" 2>&1 || fail "meson setup failed"
fi
ninja -C "$build" examples/bug_court/bug_court_server examples/bug_court/bug_court_crawl src/cli/uvscrape \
  >"$log" 2>&1 || fail "build failed"

mkdir -p "$out"
rm -rf "$out/results.jsonl" "$out/files" "$out/run.db" "$out/run.db-wal" "$out/run.db-shm" "$out/run.db.lock"
port_file="$out/.server-url"
rm -f "$port_file"

step "starting the Bug Civil Court demo server on a free loopback port"
# Its own session, so a Ctrl-C meant for the crawl does not take the server
# down under the requests that are still finishing.
detach=""
command -v setsid >/dev/null && detach="setsid"
$detach "$build/examples/bug_court/bug_court_server" --host 127.0.0.1 --port 0 \
  --port-file "$port_file" >"$out/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  [ -s "$port_file" ] && break
  kill -0 "$server_pid" 2>/dev/null || fail "the demo server exited (see $out/server.log)"
  sleep 0.05
done
[ -s "$port_file" ] || fail "the demo server did not report its address"
base_url="$(cat "$port_file")"
echo "    serving at $base_url"

# Every case of the three years (speculative probing until the case numbers run
# out), the justices API and the oral-argument list. Opinions and oral
# arguments are also reached from each case page; the driver's built-in
# deduplication fetches every page once.
seed='[{"fetch_case": {"case_id": {"year": 2024, "min": 1, "gap": 3}}},
       {"fetch_case": {"case_id": {"year": 2025, "min": 1, "gap": 3}}},
       {"fetch_case": {"case_id": {"year": 2026, "min": 1, "gap": 3}}},
       {"get_justices": {}},
       {"get_oral_arguments": {}}]'

step "crawling $base_url with $workers workers"
status=0
"$build/examples/bug_court/bug_court_crawl" --base-url "$base_url" --workers "$workers" \
  --out "$out/results.jsonl" --storage "$out/files" --seed "$seed" --store "$out/run.db" \
  --store-responses \
  || status=$?

kill "$server_pid" 2>/dev/null || true
wait "$server_pid" 2>/dev/null || true
server_pid=""
rm -f "$port_file"

if [ "$status" -ne 0 ]; then
  echo "demo: the crawl ended with status $status" >&2
  exit "$status"
fi
step "done: results in $out/results.jsonl, archived media in $out/files/"
