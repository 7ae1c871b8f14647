#!/usr/bin/env bash
# `replay` over a store made by a real crawl of the demo site (with stored
# responses): the demo scraper gives zero differences, a variant with one field
# renamed gives exactly the justices' items changed, no connection is made (a
# listener on the stored run's port counts accepts), each miss policy, exit codes.
# usage: replay_cli_test.sh BUG_COURT_SERVER BUG_COURT_CRAWL UVSCRAPE RENAMED_FIELD_CRAWL
server_bin=$1 crawl_bin=$2 cli=$3 renamed_bin=$4
source "$(dirname "$0")/../support/check.sh" replay-cli
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
sql() { python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); r=c.execute(sys.argv[2]).fetchall(); c.commit(); print(r[0][0] if r else '')" "$@"; }

timeout 120 "$server_bin" --port 0 --port-file "$work/url" --quiet >"$work/server.log" 2>&1 &
server_pid=$!
pids+=($server_pid)
wait_for_file "$work/url"
url=$(cat "$work/url")
port=${url##*:}; port=${port%%/*}
seed='[{"fetch_case": {"case_id": {"year": 2024, "min": 1, "gap": 3}}},
       {"get_justices": {}}, {"get_oral_arguments": {}}]'
store=$work/run.db
timeout 60 "$crawl_bin" --base-url "$url" --workers 4 --out "$work/results.jsonl" \
  --storage "$work/files" --seed "$seed" --store "$store" --store-responses --quiet
check "the crawl with stored responses exits 0" test $? -eq 0
items=$(wc -l <"$work/results.jsonl")
justices=$(grep -c '"_type":"JusticeData"' "$work/results.jsonl")
check "the crawl found justices ($justices)" test "$justices" -gt 0

# A run given more entries later (--add-seed on the completed store).
timeout 60 "$crawl_bin" --base-url "$url" --workers 4 --out "$work/added.jsonl" \
  --storage "$work/added-files" --seed '[{"get_justices": {}}]' --store "$work/added.db" \
  --store-responses --quiet
timeout 60 "$crawl_bin" --base-url "$url" --workers 4 --out "$work/added.jsonl" \
  --storage "$work/added-files" --seed '[{"get_justices": {}}]' --store "$work/added.db" \
  --add-seed '[{"get_oral_arguments": {}}]' --store-responses --quiet
check "the added entries' items are in the store" \
  test "$(grep -c '"_type":"OralArgumentData"' "$work/added.jsonl")" -gt 0

# The server goes; a listener on its port counts every connection attempt.
kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null
python3 - "$port" "$work/accepts" <<'PY' &
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16)
n = 0
open(sys.argv[2], "w").write("0")
s.settimeout(90)
try:
    while True:
        c, _ = s.accept(); n += 1; open(sys.argv[2], "w").write(str(n)); c.close()
except socket.timeout:
    pass
PY
pids+=($!)
wait_for_file "$work/accepts"

# The demo scraper over its own run: no differences.
"$crawl_bin" replay "$store" >"$work/same.txt"; rc=$?
check "bug_court_crawl replay exits 0 (got $rc)" test $rc -eq 0
check "... and says no differences" grep -q "^no differences" "$work/same.txt"
"$crawl_bin" replay "$store" --format json >"$work/same.json"; rc=$?
check "replay --format json exits 0 (got $rc)" test $rc -eq 0
check "... 0 differences" test "$(json 'len(d["differences"])' <"$work/same.json")" -eq 0
check "... the replay emitted the run's $items items" test "$(json 'd["replay"]["items"]' <"$work/same.json")" -eq "$items"
check "... with no failures" test "$(json 'd["replay"]["failures"]' <"$work/same.json")" -eq 0
check "... every item unchanged" test "$(json 'sum(g["unchanged"] for g in d["by_step"])' <"$work/same.json")" -eq "$items"
check "replay --format jsonl prints nothing without differences" \
  test "$("$crawl_bin" replay "$store" --format jsonl | wc -l)" -eq 0

# A run with entries added later: the replay seeds them too, so nothing differs.
"$crawl_bin" replay "$work/added.db" --format json >"$work/added.json"; rc=$?
check "replay of a run with --add-seed entries exits 0 (got $rc)" test $rc -eq 0
check "... the replay emitted every stored item ($(wc -l <"$work/added.jsonl"))" \
  test "$(json 'd["replay"]["items"]' <"$work/added.json")" -eq "$(wc -l <"$work/added.jsonl")"
check "... with the added entries' items unchanged, not removed" \
  test "$(json 'sum(g["removed"] for g in d["by_step"])' <"$work/added.json")" -eq 0

# One field renamed: exactly the justices' items change, title -> rank.
"$renamed_bin" replay "$store" --format json >"$work/renamed.json"; rc=$?
check "the renamed-field scraper's replay exits 1 (got $rc)" test $rc -eq 1
check "... $justices differences" test "$(json 'len(d["differences"])' <"$work/renamed.json")" -eq "$justices"
check "... all changed, in parse_justices_json" test "$(json 'all(x["change"] == "changed" and x["step"] == "parse_justices_json" for x in d["differences"])' <"$work/renamed.json")" = True
check "... each: title gone, rank new with its value" test "$(json 'all([f["field"] for f in x["fields"]] == ["title", "rank"] and x["fields"][0]["new"] is None and x["fields"][1]["old"] is None and x["fields"][0]["old"] == x["fields"][1]["new"] for x in d["differences"])' <"$work/renamed.json")" = True
check "... the other steps unchanged" test "$(json 'sum(g["unchanged"] for g in d["by_step"] if g["step"] != "parse_justices_json")' <"$work/renamed.json")" -eq $((items - justices))
check "... jsonl: one line a difference" test "$("$renamed_bin" replay "$store" --format jsonl | wc -l)" -eq "$justices"
"$renamed_bin" replay "$store" >"$work/renamed.txt"
check "... the table shows -title +rank" grep -q "changed  parse_justices_json .* -title +rank" "$work/renamed.txt"

# Misses: the stored response of one oral-argument page is gone.
miss_store=$work/miss.db
cp "$store" "$miss_store"
miss_id=$(sql "$miss_store" "SELECT r.request FROM responses r WHERE r.step = 'parse_oral_argument_detail' ORDER BY r.request LIMIT 1")
miss_url=$("$cli" requests show "$store" "$miss_id" --format json | json 'd["url"]')
sql "$miss_store" "DELETE FROM responses WHERE request = $miss_id" >/dev/null
"$crawl_bin" replay "$miss_store" --format json >"$work/fail.json" 2>"$work/fail.err"; rc=$?
check "--miss fail (the default): exit 1, the page's items are missing (got $rc)" test $rc -eq 1
check "... one failure with no stored response" test "$(json 'd["replay"]["no_stored_response"]' <"$work/fail.json")" -eq 1
check "... items removed, none added or changed" test "$(json 'len([x for x in d["differences"] if x["change"] != "removed"])' <"$work/fail.json")" -eq 0
"$crawl_bin" replay "$miss_store" --miss skip --format json >"$work/skip.json"; rc=$?
check "--miss skip: exit 1 (got $rc), one skipped, no failure" \
  test $rc -eq 1 -a "$(json 'd["replay"]["skipped"]' <"$work/skip.json")" -eq 1 -a "$(json 'd["replay"]["failures"]' <"$work/skip.json")" -eq 0
"$crawl_bin" replay "$miss_store" --miss pending --output "$work/pending.db" --format json >"$work/pending.json"; rc=$?
check "--miss pending: exit 1 (got $rc), one left pending" \
  test $rc -eq 1 -a "$(json 'd["replay"]["left_pending"]' <"$work/pending.json")" -eq 1
"$cli" requests list "$work/pending.db" --state pending --format json >"$work/pending-list.json"
check "... the new store holds it pending ($miss_url)" \
  test "$(json '[r["url"] for r in d]' <"$work/pending-list.json")" = "['$miss_url']"
check "... and the new store's run is resumable (stopped)" \
  test "$("$cli" info "$work/pending.db" --format json | json 'd["status"]')" = stopped
"$crawl_bin" replay "$miss_store" --output "$work/pending.db" 2>"$work/exists.err"; rc=$?
check "--output of an existing file exits 2 (got $rc)" test $rc -eq 2

check "no replay made a connection (accepts on the stored run's port: $(cat "$work/accepts"))" \
  test "$(cat "$work/accepts")" -eq 0
# The control: the listener does count a connection.
python3 -c "import socket; socket.create_connection(('127.0.0.1', $port)).close()"
for _ in $(seq 1 100); do [ "$(cat "$work/accepts")" != 0 ] && break; sleep 0.05; done
check "... and the listener counts one when it is made" test "$(cat "$work/accepts")" -eq 1

# Usage and errors
"$cli" replay "$store" 2>"$work/noscraper.err"; rc=$?
check "the installed uvscrape replay exits 2 (got $rc)" test $rc -eq 2
check "... saying it needs a program's scraper" grep -q "needs a scraper.*uvscrape::cli::main" "$work/noscraper.err"
"$crawl_bin" replay --help >"$work/help"; rc=$?
check "replay --help exits 0 with a usage line" bash -c "test $rc -eq 0 && grep -q '^usage: uvscrape replay' '$work/help'"
check "... and states the exit codes" grep -q "0 no differences, 1 differences, 2 error" "$work/help"
"$crawl_bin" replay "$store" --miss sometimes 2>/dev/null; rc=$?
check "a bad --miss exits 2 (got $rc)" test $rc -eq 2
"$crawl_bin" replay "$work/missing.db" 2>"$work/missing.err"; rc=$?
check "a missing store exits 2 (got $rc), naming it" bash -c "test $rc -eq 2 && grep -q 'missing.db: no such file' '$work/missing.err'"
"$crawl_bin" replay "$work/pending.db" 2>"$work/noresp.err"; rc=$?
check "a store without responses exits 2 (got $rc), saying so" bash -c "test $rc -eq 2 && grep -q 'keeps no responses' '$work/noresp.err'"

finish
