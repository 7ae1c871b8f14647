# Shared by the shell tests: a scratch directory, background processes that
# are stopped at exit, and a `check` that counts failures instead of exiting,
# so one run reports every broken expectation.
# usage (from a test): source "$(dirname "$0")/../support/check.sh" NAME
#   then start servers with `cmd & pids+=($!)`, assert with `check`, and end
#   with `finish` (exit 1 if any check failed, after showing the logs).
#   What else must go at exit goes in a function named in `cleanup_hooks`
#   (`cleanup_hooks+=(my_cleanup)`); hooks run first, before the processes
#   are stopped and $work is removed.
set -uo pipefail
work=$(mktemp -d -t "uvscrape-$1.XXXXXX")
pids=()
cleanup_hooks=()
cleanup() {
  for hook in "${cleanup_hooks[@]}"; do "$hook"; done
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
failures=0
check() {  # check DESCRIPTION CONDITION...
  local what=$1; shift
  if "$@"; then echo "ok   - $what"; else echo "FAIL - $what"; failures=$((failures + 1)); fi
}
wait_for_file() {  # a file another process writes, non-empty within 10 s
  for _ in $(seq 1 200); do [ -s "$1" ] && return 0; sleep 0.05; done
  return 1
}
# Programs that receive signals run without `timeout` (it would pass each signal
# on twice); this kills them if they outlive a minute.
watchdog() {  # watchdog PID
  (
    sleep 60 &
    nap=$!
    trap 'kill "$nap" 2>/dev/null; exit 0' TERM
    wait "$nap" && kill -KILL "$1" 2>/dev/null
  ) &
  pids+=($!)
}
# Runs a command in the background (stderr to ERR), sends it SIGNAL after
# SECONDS and waits for it; its exit status is left in $rc.
signal_after() {  # signal_after SECONDS SIGNAL ERR COMMAND...
  local delay=$1 signal=$2 err=$3
  shift 3
  "$@" 2>"$err" &
  local child=$!
  watchdog "$child"
  sleep "$delay"
  kill -"$signal" "$child"
  wait "$child"
  rc=$?
}
# The demo site (bug_court_server, in $server_bin) on a free port; sets $url.
start_server() {  # start_server NAME [server args...]
  local name=$1; shift
  timeout 120 "$server_bin" --port 0 --port-file "$work/$name.url" --quiet "$@" \
    >"$work/$name.log" 2>&1 &
  pids+=($!)
  wait_for_file "$work/$name.url" || { echo "FAIL - server $name did not start"; exit 1; }
  url=$(cat "$work/$name.url")
}
finish() {  # the verdict; on failure the tail of every log under $work
  echo "$failures failure(s)"
  if [ "$failures" -ne 0 ]; then
    for f in "$work"/*.err "$work"/*.out "$work"/*.log; do
      [ -f "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }
    done
    exit 1
  fi
}
