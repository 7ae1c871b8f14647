#!/usr/bin/env bash
# `run` and `resume` through uvscrape::cli::main (bug_court_crawl hands its
# scraper over): a crawl of the demo site into a store, the summary, exit
# codes, usage errors, progress on a terminal and off one, a Ctrl-C mid-run
# whose store resumes to completion with every item exactly once, and SIGTERM.
# usage: run_cli_test.sh BUG_COURT_SERVER BUG_COURT_CRAWL UVSCRAPE
server_bin=$1 crawl_bin=$2 cli=$3
source "$(dirname "$0")/../support/check.sh" run-cli
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
# Every item once: the same multiset of lines as the store's items, N of
# them, none twice.
exactly_once() {  # exactly_once RESULTS.jsonl STORE N
  python3 - "$1" "$2" "$cli" "$3" <<'PY'
import json, subprocess, sys
n = int(sys.argv[4])
lines = [json.loads(l) for l in open(sys.argv[1])]
strip = lambda d: json.dumps({k: v for k, v in d.items() if k != "_type"}, sort_keys=True)
got = sorted(strip(d) for d in lines)
export = subprocess.run([sys.argv[3], "results", "export", sys.argv[2]], capture_output=True, text=True).stdout
stored = sorted(json.dumps(json.loads(l), sort_keys=True) for l in export.splitlines())
ok = len(got) == n and len(set(got)) == n and got == stored
if not ok: print(len(got), len(set(got)), len(stored), file=sys.stderr)
sys.exit(0 if ok else 1)
PY
}
seed='[{"fetch_case": {"case_id": {"year": 2024, "min": 1, "gap": 3}}},
       {"fetch_case": {"case_id": {"year": 2025, "min": 1, "gap": 3}}},
       {"fetch_case": {"case_id": {"year": 2026, "min": 1, "gap": 3}}},
       {"get_justices": {}}, {"get_oral_arguments": {}}]'
echo "$seed" >"$work/seed.json"

# 1. run into a store: exit 0, the summary, plain progress off a terminal.
start_server fast
fast_url=$url
timeout 60 "$crawl_bin" run --base-url "$fast_url" --workers 4 --store "$work/run.db" \
  --seed "@$work/seed.json" --out "$work/run.jsonl" --storage "$work/run-files" 2>"$work/run.err"
rc=$?
check "run exits 0 (got $rc)" test $rc -eq 0
check "run writes 69 items, each once, as the store holds them" exactly_once "$work/run.jsonl" "$work/run.db" 69
check "run summary: status and requests" grep -q "^run completed in .*s: [0-9]* requests" "$work/run.err"
check "run summary: 69 items, no failures" grep -q ", 69 items, 0 failures," "$work/run.err"
check "run summary: files archived" grep -q "^  files archived: 32$" "$work/run.err"
check "run summary: items by type (the program's hook)" grep -q "^    CaseData: 30$" "$work/run.err"
check "run summary names the store" grep -q "^  store: $work/run.db$" "$work/run.err"
check "progress off a terminal has no escape codes" bash -c "! grep -q $'\e' '$work/run.err'"
check "run --format json of the store: completed" \
  test "$("$cli" info "$work/run.db" --format json | json 'd["status"]')" = completed

# 2. resume of a completed run: says so, exit 0, nothing written.
"$crawl_bin" resume "$work/run.db" --out "$work/again.jsonl" --storage "$work/run-files" \
  >"$work/again.out" 2>&1
rc=$?
check "resume of a completed run exits 0 (got $rc)" test $rc -eq 0
check "... saying it has completed" grep -q "already completed (69 items); nothing to resume" "$work/again.out"
check "... and writes nothing" test ! -s "$work/again.jsonl"
# The same run command again: the driver finds it completed.
timeout 60 "$crawl_bin" run --base-url "$fast_url" --store "$work/run.db" --seed "@$work/seed.json" \
  --out "$work/run.jsonl" --storage "$work/run-files" 2>"$work/rerun.err"
rc=$?
check "run on a completed store exits 0 (got $rc)" test $rc -eq 0
check "... and says nothing was left" grep -q "had already completed: nothing to do" "$work/rerun.err"
check "... adding no item" test "$(wc -l <"$work/run.jsonl")" -eq 69

# 3. errors and usage.
"$crawl_bin" resume "$work/missing.db" 2>"$work/missing.err"; rc=$?
check "resume of a missing store exits 1 (got $rc)" test $rc -eq 1
check "... one line naming it" bash -c "test \$(wc -l <'$work/missing.err') -eq 1 && grep -q 'missing.db: no such file' '$work/missing.err'"
"$crawl_bin" resume 2>/dev/null; rc=$?
check "resume without a STORE exits 2 (got $rc)" test $rc -eq 2
"$crawl_bin" run --frobnicate 2>/dev/null; rc=$?
check "run with an unknown option exits 2 (got $rc)" test $rc -eq 2
"$crawl_bin" run --workers 0 2>/dev/null; rc=$?
check "run --workers 0 exits 2 (got $rc)" test $rc -eq 2
"$crawl_bin" run --seed '[{' 2>"$work/seed.err"; rc=$?
check "run with a --seed that is not JSON exits 2 (got $rc)" test $rc -eq 2
"$cli" run --store "$work/x.db" 2>"$work/noscraper.err"; rc=$?
check "uvscrape run (no scraper) exits 2 (got $rc)" test $rc -eq 2
check "... saying it needs a program's scraper" grep -q "needs a scraper.*uvscrape::cli::main" "$work/noscraper.err"
check "... and creates no store" test ! -e "$work/x.db"
for c in run resume; do
  "$crawl_bin" $c --help >"$work/help" 2>&1; rc=$?
  check "$c --help exits 0 with a usage line and the exit codes" \
    bash -c "test $rc -eq 0 && grep -q '^usage: uvscrape $c' '$work/help' && grep -q '130 interrupted' '$work/help'"
done
check "run --help lists the program's own option" grep -q -- "--base-url URL" "$work/help"
timeout 60 "$crawl_bin" run --base-url "http://127.0.0.1:9" --store "$work/refused.db" \
  --out "$work/refused.jsonl" --storage "$work/refused-files" 2>"$work/refused.err"
rc=$?
check "run with failures exits 1 (got $rc)" test $rc -eq 1
check "... and its summary lists them by kind" grep -q "^  ConnectionError: 2$" "$work/refused.err"

# The justices and the oral arguments (24 items): short runs for the
# terminal and SIGTERM checks.
entries='[{"get_justices": {}}, {"get_oral_arguments": {}}]'
start_server slow --delay-ms 50
slow_url=$url

# 4. On a terminal: one status line rewritten in place, erased before the summary.
timeout 60 script -qec "'$crawl_bin' run --base-url '$slow_url' --workers 2 --seed '$entries' \
  --out '$work/tty.jsonl' --storage '$work/tty-files'" /dev/null >"$work/tty.out" 2>&1
rc=$?
check "run on a terminal exits 0 (got $rc)" test $rc -eq 0
check "... rewriting a status line in place" grep -q $'\r\e\\[Krequests [0-9]* done' "$work/tty.out"
check "... then the summary" grep -q "run completed in" "$work/tty.out"

# 5. Ctrl-C mid-run of the whole demo crawl (its speculative case ranges
# too): exit 130 with part of the items; resume (a new process) finishes the
# run, and across both every item is in the results and the store exactly once.
signal_after 0.8 INT "$work/int.err" "$crawl_bin" run --base-url "$slow_url" --workers 1 \
  --store "$work/int.db" --seed "@$work/seed.json" --out "$work/int.jsonl" \
  --storage "$work/int-files"
check "Ctrl-C exits 130 (got $rc)" test $rc -eq 130
check "... says it stops after the requests in flight" grep -q "stopping after the requests in flight" "$work/int.err"
check "... summary says stopped" grep -q "^run stopped in" "$work/int.err"
first=$(wc -l <"$work/int.jsonl")
check "... with part of the items ($first)" test "$first" -gt 0 -a "$first" -lt 69
check "... the store says stopped" \
  test "$("$cli" info "$work/int.db" --format json | json 'd["status"]')" = stopped
"$crawl_bin" resume "$work/int.db" --workers 4 --out "$work/int.jsonl" --storage "$work/int-files" \
  2>"$work/resume.err"
rc=$?
check "resume exits 0 (got $rc)" test $rc -eq 0
check "... saying it resumed" grep -q "^  store: $work/int.db (resumed)$" "$work/resume.err"
check "... with the rest of the items" grep -q ", $((69 - first)) items, 0 failures," "$work/resume.err"
check "every item exactly once in the results and the store" exactly_once "$work/int.jsonl" "$work/int.db" 69
check "the archive has every file" test "$(ls "$work/int-files" | wc -l)" -eq 32

# 6. SIGTERM stops as Ctrl-C does (a second signal aborting at once is
# tests/demo/cli_test.sh's check, on the same command).
signal_after 0.5 TERM "$work/term.err" "$crawl_bin" run --base-url "$slow_url" --workers 1 \
  --seed "$entries" --out "$work/term.jsonl" --storage "$work/term-files"
check "SIGTERM exits 130 (got $rc) with a summary that says stopped" \
  bash -c "test $rc -eq 130 && grep -q '^run stopped in' '$work/term.err'"

finish
