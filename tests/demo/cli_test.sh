#!/usr/bin/env bash
# The demo programs as a user runs them: bug_court_server, bug_court_crawl
# (full crawl, Ctrl-C, a second Ctrl-C, an unreachable site) and embed_status
# (/status answered during a crawl, SIGINT stops it).
# usage: cli_test.sh BUG_COURT_SERVER BUG_COURT_CRAWL EMBED_STATUS
server_bin=$1 crawl_bin=$2 embed_bin=$3
source "$(dirname "$0")/../support/check.sh" cli-test
seed='[{"fetch_case": {"case_id": {"year": 2024, "min": 1, "gap": 3}}},
       {"fetch_case": {"case_id": {"year": 2025, "min": 1, "gap": 3}}},
       {"fetch_case": {"case_id": {"year": 2026, "min": 1, "gap": 3}}},
       {"get_justices": {}}, {"get_oral_arguments": {}}]'

# 1. A full crawl.
start_server fast
fast_url=$url
timeout 60 "$crawl_bin" --base-url "$fast_url" --workers 4 --out "$work/full.jsonl" \
  --storage "$work/full-files" --seed "$seed" 2>"$work/full.err"
rc=$?
check "full crawl exits 0 (got $rc)" test "$rc" -eq 0
check "full crawl writes 69 items" test "$(wc -l <"$work/full.jsonl")" -eq 69
check "full crawl archives 32 files" test "$(ls "$work/full-files" | wc -l)" -eq 32
check "summary counts cases by type" grep -q "CaseData: 30" "$work/full.err"
check "summary counts archived files" grep -q "files archived: 32" "$work/full.err"
check "non-terminal progress is plain (no escape codes)" bash -c "! grep -q $'\e' '$work/full.err'"

# 2. Ctrl-C stops gracefully: exit 130, partial results, status stopped.
start_server slow --delay-ms 50
slow_url=$url
signal_after 0.8 INT "$work/stop.err" "$crawl_bin" --base-url "$slow_url" --workers 2 \
  --out "$work/stop.jsonl" --storage "$work/stop-files" --seed "$seed"
check "Ctrl-C exits 130 (got $rc)" test "$rc" -eq 130
check "Ctrl-C leaves partial results" test "$(wc -l <"$work/stop.jsonl")" -lt 69
check "Ctrl-C summary says stopped" grep -q "^run stopped" "$work/stop.err"

# 3. A second Ctrl-C aborts at once, while a (very slow) request is in flight.
start_server very_slow --delay-ms 3000
"$crawl_bin" --base-url "$url" --workers 1 --out "$work/abort.jsonl" \
  --storage "$work/abort-files" --seed "$seed" 2>"$work/abort.err" &
crawl=$!
watchdog "$crawl"
sleep 0.3
kill -INT "$crawl"
sleep 0.2
kill -INT "$crawl"
started=$SECONDS
wait "$crawl"
rc=$?
check "second Ctrl-C exits 130 (got $rc)" test "$rc" -eq 130
check "second Ctrl-C does not wait for the request in flight" test $((SECONDS - started)) -lt 2
check "second Ctrl-C aborts" grep -q "aborted" "$work/abort.err"

# 4. Nothing listening: the crawl reports errors and exits 1.
timeout 60 "$crawl_bin" --base-url "http://127.0.0.1:9" --out "$work/refused.jsonl" \
  --storage "$work/refused-files" 2>"$work/refused.err"
rc=$?
check "unreachable site exits 1 (got $rc)" test "$rc" -eq 1

# 5. The embedding example: /status during the crawl, then SIGINT.
"$embed_bin" --base-url "$slow_url" --workers 2 --storage "$work/embed-files" \
  --port-file "$work/embed.url" --seed "$seed" >"$work/embed.out" 2>&1 &
embed=$!
watchdog "$embed"
wait_for_file "$work/embed.url"
sleep 0.3
status=$(curl -s --max-time 5 "$(cat "$work/embed.url")")
check "embed answers /status while crawling" grep -q '"state":"running"' <<<"$status"
kill -INT "$embed"
wait "$embed"
rc=$?
check "embed exits 0 after SIGINT (got $rc)" test "$rc" -eq 0
check "embed's crawl was stopped" grep -q "crawl stopped" "$work/embed.out"

finish
