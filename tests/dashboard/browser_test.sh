#!/usr/bin/env bash
# The dashboard in a real browser: headless Chromium loads the page that
# bug_court_crawl --dashboard serves during a (slowed) crawl of the demo site;
# two DOM dumps a while apart show the counters moving, the page reports no
# error of its own (#errors) and the browser logs no console error. Then
# `uvscrape serve` over the finished store shows the final counts. Chromium's
# processes are killed and its profile removed at the end.
# usage: browser_test.sh BUG_COURT_SERVER BUG_COURT_CRAWL UVSCRAPE [SCREENSHOT.png]
server_bin=$1 crawl_bin=$2 cli=$3 screenshot=${4:-}
source "$(dirname "$0")/../support/check.sh" browser
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
  echo "FAIL - chromium is not installed (scripts/install-deps.sh installs it)"
  exit 1
fi
# Chromium forks renderers and helpers: each browse runs in a process group
# of its own, killed whole at exit.
groups=()
kill_browsers() {
  for g in "${groups[@]}"; do kill -KILL -- "-$g" 2>/dev/null; done
}
cleanup_hooks+=(kill_browsers)
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
# browse NAME URL [extra chromium flags]: the DOM after ~2.5 s of the page's
# own time, in $work/NAME.html, and chromium's log in $work/NAME.log. Run in
# a process group of its own so that nothing of it outlives the test.
browse() {
  local name=$1 url=$2; shift 2
  setsid timeout -k 5 40 "$chromium" --headless --disable-gpu --no-sandbox \
    --user-data-dir="$work/profile-$name" --no-first-run --disable-extensions \
    --enable-logging=stderr --v=0 --virtual-time-budget=2500 "${@:---dump-dom}" \
    "$url" >"$work/$name.html" 2>"$work/$name.log" &
  local pid=$!
  groups+=("$pid")
  wait "$pid"
}
# counter FILE ID: the number in <b id="ID"> of a DOM dump.
counter() {
  python3 -c "import re,sys; m=re.search(r'id=\"$2\">(\d+)<', open('$1').read()); print(m.group(1) if m else -1)"
}
page_errors() {
  python3 -c "import re; m=re.search(r'<div id=\"errors\">(.*?)</div>', open('$1').read(), re.S); print(m.group(1).strip() if m else 'no #errors element')"
}
# rows FILE TBODY_ID: the cells of each row of a table body, one row a line
# (cells joined by |); "none" for an empty table.
rows() {
  python3 -c "
import html, re
body = re.search(r'<tbody id=\"$2\">(.*?)</tbody>', open('$1').read(), re.S).group(1)
for tr in re.findall(r'<tr>(.*?)</tr>', body, re.S):
    print('|'.join(html.unescape(re.sub(r'<[^>]+>', '', td)) for td in re.findall(r'<td[^>]*>(.*?)</td>', tr, re.S)))
"
}
console_errors() {  # the page writes nothing to the console: any message is an error
  grep -E 'CONSOLE' "$1" || true
}

timeout 120 "$server_bin" --port 0 --port-file "$work/url" --quiet --delay-ms 150 \
  >"$work/server.log" 2>&1 &
pids+=($!)
wait_for_file "$work/url"
url=$(cat "$work/url")
port=$(free_port)
seed='[{"fetch_case": {"case_id": {"year": 2024, "min": 1, "gap": 3}}},
       {"fetch_case": {"case_id": {"year": 2025, "min": 1, "gap": 3}}},
       {"get_justices": {}}, {"get_oral_arguments": {}}]'
timeout 100 "$crawl_bin" --base-url "$url" --workers 1 --out "$work/results.jsonl" \
  --storage "$work/files" --seed "$seed" --store "$work/run.db" --dashboard "$port" \
  >"$work/crawl.out" 2>"$work/crawl.err" &
crawl=$!
pids+=($crawl)
board="http://127.0.0.1:$port/"
for _ in $(seq 1 100); do
  python3 -c "import urllib.request; urllib.request.urlopen('${board}api/snapshot', timeout=1)" \
    2>/dev/null && break
  sleep 0.1
done

browse first "$board"
if [ -n "$screenshot" ]; then  # taken between the two dumps, during the crawl
  browse shot "$board" --window-size=1280,1100 --hide-scrollbars --screenshot="$work/shot.png"
else
  sleep 2
fi
browse second "$board"
crawl_alive=$(kill -0 "$crawl" 2>/dev/null && echo yes || echo no)
check "the crawl was still running at the second load" test "$crawl_alive" = yes

done1=$(counter "$work/first.html" c-done) done2=$(counter "$work/second.html" c-done)
items1=$(counter "$work/first.html" c-items) items2=$(counter "$work/second.html" c-items)
check "the first load shows the counters (done $done1, items $items1)" test "$done1" -ge 0
check "done moved between the loads ($done1 -> $done2)" test "$done2" -gt "$done1"
check "items did not go back ($items1 -> $items2)" test "$items2" -ge "$items1"
check "the page polled (updates > 1)" test "$(python3 -c "import re; print(re.search(r'id=\"updates\">(\d+)<', open('$work/second.html').read()).group(1))")" -gt 1
check "the chart has a bar per interval" \
  test "$(grep -o '<rect' "$work/second.html" | wc -l)" -eq 60
for n in first second; do
  check "no page error in the $n load: '$(page_errors "$work/$n.html")'" \
    test -z "$(page_errors "$work/$n.html")"
  check "no console error in the $n load" test -z "$(console_errors "$work/$n.log")"
done
if [ -n "$screenshot" ]; then
  check "a screenshot was taken" test -s "$work/shot.png"
  cp "$work/shot.png" "$screenshot" 2>/dev/null
fi

wait "$crawl"; rc=$?
check "the crawl exits 0 (got $rc)" test $rc -eq 0
check "... having said where the dashboard was" grep -q "dashboard: $board" "$work/crawl.err"
check "the dashboard closed with the crawl" bash -c "! python3 -c \"import urllib.request; urllib.request.urlopen('${board}', timeout=1)\" 2>/dev/null"

# uvscrape serve over the finished store: the final counts.
"$cli" serve "$work/run.db" --port 0 --port-file "$work/serve.url" >"$work/serve.out" 2>&1 &
serve=$!
pids+=($serve)
wait_for_file "$work/serve.url"
browse final "$(cat "$work/serve.url")"
want=$(python3 -c "import sqlite3; print(sqlite3.connect('$work/run.db').execute('SELECT count(*) FROM requests WHERE state = 2').fetchone()[0])")
check "serve shows every done request of the store ($want)" \
  test "$(counter "$work/final.html" c-done)" -eq "$want"
check "serve shows the items the crawl wrote" \
  test "$(counter "$work/final.html" c-items)" -eq "$(wc -l <"$work/results.jsonl")"
# The panels against the store: failures by kind, the one host, the latest items.
store_query() { python3 -c "import sqlite3; print('\n'.join('|'.join(str(c) for c in r) for r in sqlite3.connect('$work/run.db').execute(\"$1\")))"; }
want_failures=$(store_query "SELECT kind, count(*) FROM failures GROUP BY kind ORDER BY 2 DESC, 1")
got_failures=$(rows "$work/final.html" failures | cut -d'|' -f1,2)
check "the failures panel shows the store's kinds and counts ('${want_failures:-none}')" \
  test "$got_failures" = "${want_failures:-none}"
host=${url#http://}; host=${host%%/*}
check "the hosts panel shows the demo site's host with every settled request" \
  test "$(rows "$work/final.html" hosts)" = "$host|0|0|$(store_query "SELECT count(*) FROM requests WHERE settled_at IS NOT NULL")"
check "the slowest hosts panel shows the demo site's host with every timed request" \
  test "$(rows "$work/final.html" slowest | cut -d'|' -f1,2)" = "$host|$(store_query "SELECT count(*) FROM requests WHERE fetch_ms IS NOT NULL")"
check "the recent items are the store's ten latest" \
  test "$(rows "$work/final.html" items | cut -d'|' -f2)" = "$(store_query "SELECT body FROM items ORDER BY id DESC LIMIT 10")"
check "the rates line counts the last minute" grep -q 'id="rates"[^>]*>[0-9]* in the last minute' "$work/final.html"
check "no page error under serve: '$(page_errors "$work/final.html")'" \
  test -z "$(page_errors "$work/final.html")"
kill -INT "$serve"; wait "$serve"; rc=$?
check "serve stops cleanly on SIGINT (exit $rc)" test $rc -eq 0
check "... saying so" grep -q "^stopped" "$work/serve.out"

finish
