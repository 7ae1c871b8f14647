#!/usr/bin/env bash
# The `uvscrape` command over a store made by a real crawl of the demo site:
# every subcommand, the formats, exit codes, bad stores, failures retry and
# its refusal while a run holds the lock, and bug_court_crawl's subcommands.
# usage: store_cli_test.sh BUG_COURT_SERVER BUG_COURT_CRAWL UVSCRAPE
server_bin=$1 crawl_bin=$2 cli=$3
source "$(dirname "$0")/../support/check.sh" store-cli
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

timeout 120 "$server_bin" --port 0 --port-file "$work/url" --quiet >"$work/server.log" 2>&1 &
pids+=($!)
wait_for_file "$work/url"
url=$(cat "$work/url")
seed='[{"fetch_case": {"case_id": {"year": 2024, "min": 1, "gap": 3}}},
       {"fetch_case": {"case_id": {"year": 2025, "min": 1, "gap": 3}}},
       {"get_justices": {}}, {"get_oral_arguments": {}}]'
store=$work/run.db
timeout 60 "$crawl_bin" --base-url "$url" --workers 4 --out "$work/results.jsonl" \
  --storage "$work/files" --seed "$seed" --store "$store" --quiet
check "the crawl with a store exits 0" test $? -eq 0
items=$(wc -l <"$work/results.jsonl")

# info
"$cli" info "$store" >"$work/info.txt"; rc=$?
check "info exits 0 (got $rc)" test $rc -eq 0
check "info names the scraper" grep -q "^scraper: *BugCourtScraper" "$work/info.txt"
check "info says completed" grep -q "^status: *completed" "$work/info.txt"
"$cli" info "$store" --format json >"$work/info.json"
check "info json counts the items the crawl wrote ($items)" \
  test "$(json 'd["items"]' <"$work/info.json")" -eq "$items"
check "info json counts the archived files" \
  test "$(json 'd["files"]' <"$work/info.json")" -eq "$(ls "$work/files" | wc -l)"
done_count=$(json 'd["requests"]["done"]' <"$work/info.json")
check "info jsonl is one line" test "$("$cli" info "$store" --format jsonl | wc -l)" -eq 1

# throughput and ETA (requests.settled_at)
settled=$((done_count + $(json 'd["requests"]["failed"]' <"$work/info.json")))
check "info json: every request settled in the last minute ($settled)" \
  test "$(json 'd["throughput"]["last_minute"]' <"$work/info.json")" -eq "$settled"
check "info json: ... and in the last hour" \
  test "$(json 'd["throughput"]["last_hour"]' <"$work/info.json")" -eq "$settled"
check "info json: a completed run has nothing left and no ETA" \
  test "$(json '(d["throughput"]["left"], "eta_seconds" in d["throughput"])' <"$work/info.json")" = "(0, False)"
check "info json: a run rate" test "$(json 'd["throughput"]["run_per_second"] > 0' <"$work/info.json")" = True
check "info table shows the throughput" grep -q "^throughput: *last_minute $settled" "$work/info.txt"
# Ten settled requests put back to pending, in a run that started two hours
# ago (so the whole last minute counts): ETA = 10 / ((settled - 10) / 60 s).
cp "$store" "$work/eta.db"
python3 -c "import sqlite3, time; c=sqlite3.connect('$work/eta.db'); c.execute('UPDATE requests SET state = 0 WHERE id IN (SELECT id FROM requests WHERE state = 2 LIMIT 10)'); c.execute('UPDATE meta SET value = ? WHERE key = \'started\'', (str(int(time.time() * 1000) - 7200000),)); c.commit()"
"$cli" info "$work/eta.db" --format json >"$work/eta.json"
want_eta=$(python3 -c "import math; print(math.ceil(10 / (($settled - 10) / 60)))")
check "info json: the ETA is pending / last minute's rate ($want_eta s)" \
  test "$(json 'd["throughput"]["eta_seconds"]' <"$work/eta.json")" -eq "$want_eta"
check "info json: ... with 10 left" test "$(json 'd["throughput"]["left"]' <"$work/eta.json")" -eq 10
# A store of schema version 3 has no completion times: no throughput, no error.
cp "$store" "$work/v3.db"
python3 -c "import sqlite3; c=sqlite3.connect('$work/v3.db'); c.execute('DROP INDEX requests_by_settled_at'); c.execute('ALTER TABLE requests DROP COLUMN settled_at'); c.execute('PRAGMA user_version = 3'); c.commit()"
"$cli" info "$work/v3.db" --format json >"$work/v3.json"; rc=$?
check "info on a version 3 store exits 0 (got $rc) without throughput" \
  test "$rc $(json '"throughput" in d' <"$work/v3.json")" = "0 False"

# requests
check "requests list --state done --format jsonl lists every done request" \
  test "$("$cli" requests list "$store" --state done --format jsonl | wc -l)" -eq "$done_count"
"$cli" requests list "$store" --step parse_case_detail --format json >"$work/cases.json"
check "requests list --step keeps only that step" \
  test "$(json 'len([r for r in d if r["step"] != "parse_case_detail"])' <"$work/cases.json")" -eq 0
check "requests list --step finds the case pages" \
  test "$(json 'len(d)' <"$work/cases.json")" -gt 0
host=${url#http://}; host=${host%%/*}
check "requests list --host $host lists them all" \
  test "$("$cli" requests list "$store" --host "$host" --format jsonl | wc -l)" -eq "$done_count"
check "requests list --host elsewhere lists none" \
  test "$("$cli" requests list "$store" --host example.org --format jsonl | wc -l)" -eq 0
check "requests list --limit 3 (table: header + 3)" \
  test "$("$cli" requests list "$store" --limit 3 | wc -l)" -eq 4
check "a table fits COLUMNS=60" \
  test "$(COLUMNS=60 "$cli" requests list "$store" |
    python3 -c 'import sys; print(max(len(l.rstrip("\n")) for l in sys.stdin))')" -le 60
check "no colour when not a terminal" bash -c "! \"$cli\" requests list \"$store\" | grep -q $'\e'"
child=$("$cli" requests list "$store" --step parse_oral_argument_detail --format jsonl | head -1 |
  json 'd["id"]')
"$cli" requests tree "$store" "$child" --format json >"$work/tree.json"
check "requests tree starts at an entry (parent 0)" test "$(json 'd[0]["parent"]' <"$work/tree.json")" -eq 0
check "requests tree ends at the request" test "$(json 'd[-1]["id"]' <"$work/tree.json")" -eq "$child"
check "requests tree links each to its parent" \
  test "$(json 'all(d[i]["parent"] == d[i-1]["id"] for i in range(1, len(d)))' <"$work/tree.json")" = True
"$cli" requests show "$store" "$child" >"$work/show.txt"
check "requests show gives the URL" grep -q "^url: .*/oral-arguments/" "$work/show.txt"
"$cli" requests show "$store" 999999 2>"$work/show.err"; rc=$?
check "requests show of no such id exits 1 (got $rc)" test $rc -eq 1

# responses (read through the store's reader)
nresp=$(json 'd["responses"]' <"$work/info.json")
if [ "$nresp" -gt 0 ]; then
  "$cli" responses show "$store" "$child" --format json >"$work/resp.json"
  check "responses show gives status 200" test "$(json 'd["status"]' <"$work/resp.json")" -eq 200
  check "responses body is the page" bash -c "\"$cli\" responses body \"$store\" $child | grep -qi '<html'"
else
  "$cli" responses show "$store" "$child" 2>"$work/resp.err"; rc=$?
  check "responses show without stored responses exits 1 (got $rc)" test $rc -eq 1
  check "... and says so" grep -q "no stored response for request $child" "$work/resp.err"
fi

# results
"$cli" results export "$store" >"$work/export.jsonl"
check "results export writes every item once" test "$(wc -l <"$work/export.jsonl")" -eq "$items"
check "results export has no duplicate" test "$(sort -u "$work/export.jsonl" | wc -l)" -eq "$items"
check "results export items match the crawl's (without _type)" test "$(python3 -c "
import json,sys
a=sorted(json.dumps({k:v for k,v in json.loads(l).items() if k!='_type'},sort_keys=True) for l in open('$work/results.jsonl'))
b=sorted(json.dumps(json.loads(l),sort_keys=True) for l in open('$work/export.jsonl'))
print(a==b)")" = True
"$cli" results export "$store" --format csv --out "$work/export.csv"
check "results export csv has a header and one row per item" test "$(python3 -c "
import csv; print(len(list(csv.reader(open('$work/export.csv')))) - 1)")" -eq "$items"
"$cli" results validate "$store" >"$work/validate.txt"; rc=$?
check "results validate exits 0 on the demo run (got $rc)" test $rc -eq 0
check "results validate counts the items" grep -q "^$items items, 0 invalid" "$work/validate.txt"

# doctor
"$cli" doctor "$store" >"$work/doctor.txt"; rc=$?
check "doctor exits 0" test $rc -eq 0
check "doctor finds the soft-404 probes as ghosts of parse_case_detail" \
  grep -q "^parse_case_detail" "$work/doctor.txt"
check "doctor json" test "$("$cli" doctor "$store" --format json | json 'd["stuck"]')" -eq 0
# the slowest hosts: the demo site's one host, timed on every request that got an answer
timed=$(python3 -c "import sqlite3; print(sqlite3.connect('$store').execute('SELECT count(*) FROM requests WHERE fetch_ms IS NOT NULL').fetchone()[0])")
demo_host=${url#http://}; demo_host=${demo_host%%/*}
check "doctor json: the slowest hosts are the demo's host, timed $timed times" \
  test "$("$cli" doctor "$store" --format json | json '"|".join(str(r[k]) for r in d["slowest_hosts"] for k in ("host", "timed"))')" = "$demo_host|$timed"
check "... some requests were timed ($timed)" test "$timed" -gt 0
check "doctor lists them" grep -q "^slowest hosts (fetch time): $" "$work/doctor.txt"
# selectors (schema v5): what each step evaluated, on how many responses, matched on how many
"$cli" doctor "$store" --selectors --format json >"$work/selectors.json"; rc=$?
check "doctor --selectors exits 0 (got $rc)" test $rc -eq 0
check "doctor --selectors: the case pages' selectors, evaluated on every case page" \
  test "$(json 'max(r["responses"] for r in d if r["step"] == "parse_case_detail")' <"$work/selectors.json")" \
  -eq "$("$cli" requests list "$store" --step parse_case_detail --state done --format jsonl | wc -l)"
check "doctor --selectors: matched on at most the responses evaluated" \
  test "$(json 'all(0 <= r["matched"] <= r["responses"] for r in d)' <"$work/selectors.json")" = True
check "doctor json: never-matched selectors are those of --selectors with matched 0" \
  test "$("$cli" doctor "$store" --format json | json 'sorted(r["selector"] for r in d["selectors_never_matched"])')" \
  = "$(json 'sorted(r["selector"] for r in d if r["matched"] == 0)' <"$work/selectors.json")"
cp "$store" "$work/nomatch.db"
python3 -c "import sqlite3; c=sqlite3.connect('$work/nomatch.db'); c.execute(\"UPDATE selectors SET matched = 0 WHERE step = 'parse_justices_json' OR (step = 'parse_case_detail' AND selector = (SELECT min(selector) FROM selectors WHERE step = 'parse_case_detail'))\"); c.commit()"
first_case_selector=$(json 'min(r["selector"] for r in d if r["step"] == "parse_case_detail")' <"$work/selectors.json")
"$cli" doctor "$work/nomatch.db" >"$work/nomatch.txt"
check "doctor lists a selector that matched on no response, by step" \
  grep -qF "parse_case_detail  " "$work/nomatch.txt"
check "... naming it" grep -qF -- "$first_case_selector" "$work/nomatch.txt"
cp "$store" "$work/v4.db"
python3 -c "import sqlite3; c=sqlite3.connect('$work/v4.db'); c.execute('DROP TABLE selectors'); c.execute('PRAGMA user_version = 4'); c.commit()"
"$cli" doctor "$work/v4.db" >"$work/v4.txt"; rc=$?
check "doctor on a version 4 store exits 0 (got $rc), selectors not recorded" \
  bash -c "test $rc -eq 0 && grep -q 'selectors that never matched: not recorded by the store' '$work/v4.txt'"
"$cli" doctor "$work/v4.db" --selectors 2>"$work/v4.err"; rc=$?
check "doctor --selectors on a version 4 store exits 1 (got $rc)" test $rc -eq 1

# failures: a run against a port where nothing listens
python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' >"$work/port"
dead="http://127.0.0.1:$(cat "$work/port")"
fstore=$work/fail.db
timeout 60 "$crawl_bin" --base-url "$dead" --workers 2 --out "$work/fail.jsonl" \
  --storage "$work/fail-files" --seed '[{"get_justices": {}}, {"get_oral_arguments": {}}]' \
  --store "$fstore" --quiet 2>/dev/null
"$cli" failures list "$fstore" --format json >"$work/failures.json"
nfail=$(json 'len(d)' <"$work/failures.json")
check "failures list shows the refused requests ($nfail)" test "$nfail" -eq 2
check "failures list --kind ConnectionError keeps them" \
  test "$("$cli" failures list "$fstore" --kind ConnectionError --format jsonl | wc -l)" -eq 2
check "failures summary groups them" bash -c "\"$cli\" failures summary \"$fstore\" | grep -q '^ConnectionError'"
# The dashboard's retry button (serve --allow-control) does what failures retry does.
cp "$fstore" "$work/serve-fail.db"
"$cli" serve "$work/serve-fail.db" --allow-control --port 0 --port-file "$work/serve.url" >"$work/serve.out" 2>&1 &
serve=$!
pids+=($serve)
for _ in $(seq 1 200); do [ -s "$work/serve.url" ] && break; sleep 0.05; done
post() {  # post PATH HEADER: the status and body of a POST to the dashboard
  python3 - "$(cat "$work/serve.url")" "$1" "$2" <<'PY'
import sys, urllib.request, urllib.error
url, path, header = sys.argv[1], sys.argv[2], sys.argv[3]
req = urllib.request.Request(url + path.lstrip("/"), data=b'{"kind": "ConnectionError"}', method="POST")
req.add_header("Content-Type", "application/json")
if header: req.add_header(header, "1")
try:
    r = urllib.request.urlopen(req, timeout=10); print(r.status, r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode())
PY
}
check "serve: a control request without its header is refused (403)" \
  bash -c "$(declare -f post); work='$work' post /api/control/retry '' | grep -q '^403'"
check "serve --allow-control: retry by kind puts both back" \
  bash -c "$(declare -f post); work='$work' post /api/control/retry X-Uvscrape-Control | grep -q '\"retried\":2'"
check "... and the store says so" \
  test "$("$cli" info "$work/serve-fail.db" --format json | json 'd["requests"]["pending"]')" -eq 2
kill -TERM "$serve"; wait "$serve"; rc=$?
check "serve stops on SIGTERM with exit 0 (got $rc)" test $rc -eq 0
"$cli" failures retry "$fstore"; rc=$?
check "failures retry without a choice is a usage error (got $rc)" test $rc -eq 2
flock "$fstore.lock" sleep 3 &
holder=$!
sleep 0.3
"$cli" failures retry "$fstore" --all 2>"$work/retry.err"; rc=$?
check "failures retry refuses while the lock is held (got $rc)" test $rc -eq 1
check "... saying the store is in use" grep -q "in use by another run" "$work/retry.err"
wait $holder
"$cli" failures retry "$fstore" --all >"$work/retry.out"; rc=$?
check "failures retry --all exits 0 (got $rc)" test $rc -eq 0
"$cli" info "$fstore" --format json >"$work/finfo.json"
check "retried requests are pending" test "$(json 'd["requests"]["pending"]' <"$work/finfo.json")" -eq 2
check "no failures left" test "$(json 'len(d["failures"])' <"$work/finfo.json")" -eq 0
check "the run is resumable (status stopped)" test "$(json 'd["status"]' <"$work/finfo.json")" = stopped

# bad stores and usage
"$cli" info "$work/missing.db" 2>"$work/e1"; rc=$?
check "missing store exits 1 (got $rc)" test $rc -eq 1
check "... one line naming the file" bash -c "test \$(wc -l <'$work/e1') -eq 1 && grep -q 'missing.db: no such file' '$work/e1'"
head -c 5000 /dev/urandom >"$work/corrupt.db"
"$cli" info "$work/corrupt.db" 2>"$work/e2"; rc=$?
check "corrupt store exits 1 (got $rc)" test $rc -eq 1
check "... one line naming the file" bash -c "test \$(wc -l <'$work/e2') -eq 1 && grep -q 'corrupt.db: not a uvscrape run store' '$work/e2'"
cp "$store" "$work/newer.db"
sqlite3 "$work/newer.db" "PRAGMA user_version = 99" 2>/dev/null ||
  python3 -c "import sqlite3; c=sqlite3.connect('$work/newer.db'); c.execute('PRAGMA user_version = 99'); c.commit()"
"$cli" info "$work/newer.db" 2>"$work/e3"; rc=$?
check "newer schema exits 1 (got $rc)" test $rc -eq 1
check "... saying so" grep -q "newer.db: made by a newer uvscrape (schema version 99" "$work/e3"
"$cli" info "$store" --format xml 2>/dev/null; rc=$?
check "a bad --format exits 2 (got $rc)" test $rc -eq 2
"$cli" frobnicate 2>/dev/null; rc=$?
check "an unknown command exits 2 (got $rc)" test $rc -eq 2
for c in info requests responses results failures doctor serve; do
  "$cli" $c --help >"$work/help" 2>&1; rc=$?
  check "$c --help exits 0 with a usage line" bash -c "test $rc -eq 0 && grep -q '^usage: uvscrape $c' '$work/help'"
done

# the demo program carries the same subcommands
"$crawl_bin" info "$store" --format json >"$work/crawl-info.json"; rc=$?
check "bug_court_crawl info exits 0" test $rc -eq 0
check "bug_court_crawl info reads the same store" \
  test "$(json 'd["items"]' <"$work/crawl-info.json")" -eq "$items"
check "bug_court_crawl --help still works" bash -c "\"$crawl_bin\" --help 2>&1 | grep -q -- '--store'"

finish
