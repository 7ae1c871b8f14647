#!/usr/bin/env python3
"""Prints the fault-site benchmark's table (bench/fault_crawl).

    fault_report.py RESULTS VERIFIED --plan PLAN [--crawl NAME] [--peer NAME]
                    [--stall-ms 3000] [--max-retries 3] [--backoff-base-s 1]

RESULTS: measure.py's JSON lines (wall, CPU, exit status of each crawl);
VERIFIED: verify_crawl.py --summary lines (items, documents, duplicates of each
crawl), in the same order. PLAN: fault_site's plan, for what a complete crawl
gets and what bounds the crawl's time. --max-retries and --backoff-base-s are
the DriverOptions defaults cases_crawl runs with (docs/options.md).

Exits 1 when a uvscrape crawl was wrong, incomplete or failed (any repetition),
3 when it was right but not faster than the peer (median wall time), else 0.
"""
import argparse
import collections
import json
import statistics


def read_lines(path):
    with open(path) as fh:
        return [json.loads(line) for line in fh if line.strip()]


def plan_counts(path):
    faults = collections.Counter()
    servable = 0
    total = 0
    with open(path) as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            _path, fault, ok = line.split()
            faults[fault] += 1
            total += 1
            servable += ok == "yes"
    return faults, servable, total


def span(values, fmt="{}"):
    lo, hi = min(values), max(values)
    return fmt.format(lo) if lo == hi else f"{fmt.format(lo)}-{fmt.format(hi)}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("verified")
    ap.add_argument("--plan", required=True)
    ap.add_argument("--crawl", default="uvscrape cases_crawl")
    ap.add_argument("--peer", default="Scrapy")
    ap.add_argument("--stall-ms", type=int, default=3000)
    ap.add_argument("--max-retries", type=int, default=3)
    ap.add_argument("--backoff-base-s", type=float, default=1.0)
    a = ap.parse_args()

    measured = read_lines(a.results)
    verified = read_lines(a.verified)
    runs = collections.defaultdict(list)  # name -> [(measure row, verify row)]
    queues = collections.defaultdict(list)
    for v in verified:
        queues[v["name"]].append(v)
    for m in measured:
        runs[m["name"]].append((m, queues[m["name"]].pop(0) if queues[m["name"]] else None))
    if not runs:
        raise SystemExit("fault_report: no results")

    faults, servable_paths, total_paths = plan_counts(a.plan)
    first = next(v for _m, v in runs[next(iter(runs))] if v)
    print(f"\nthe site: {total_paths} paths, {servable_paths} servable; a complete crawl gets "
          f"{first['expected_items']} items and {first['expected_documents']} documents")
    print("faults by kind: " + ", ".join(f"{k} {n}" for k, n in sorted(faults.items()) if k != "none"))
    print()
    print(f"{'program':<22} {'reps':>4} {'wall s':>7} {'(min-max)':>13} {'CPU s':>6} {'RSS MiB':>7} "
          f"{'items':>11} {'documents':>9} {'dups':>4} {'exit':>5} {'correct':>7}")
    medians = {}
    for name, rows in runs.items():
        walls = [m["wall_s"] for m, _v in rows]
        medians[name] = statistics.median(walls)
        ver = [v for _m, v in rows if v]
        items = span([v["items"] for v in ver]) if ver else "?"
        docs = span([v["documents"] for v in ver]) if ver else "?"
        dups = max((v["duplicates"] for v in ver), default=0)
        exits = span([m["status"] for m, _v in rows])
        correct = f"{sum(1 for v in ver if v['ok'])}/{len(rows)}"
        print(f"{name:<22} {len(rows):>4} {medians[name]:>7.2f} {'(' + span(walls, '{:.2f}') + ')':>13} "
              f"{statistics.median(m['cpu_s'] for m, _v in rows):>6.2f} "
              f"{statistics.median(m['rss_mib'] for m, _v in rows):>7.1f} "
              f"{items:>11} {docs:>9} {dups:>4} {exits:>5} {correct:>7}")
    print()

    status = 0
    crawl = runs.get(a.crawl, [])
    complete = bool(crawl) and all(
        m["status"] == 0 and v is not None and v["ok"] and v["duplicates"] == 0 for m, v in crawl)
    print(f"  {a.crawl}: every servable item once, every servable document byte-exact, exit 0 "
          f"in every repetition: {'PASS' if complete else 'FAIL'}")
    if not complete:
        status = 1
    if a.crawl in medians and a.peer in medians:
        ratio = medians[a.crawl] / medians[a.peer]
        faster = ratio < 1.0
        print(f"  {a.crawl} wall / {a.peer} wall (medians): {ratio:.2f}x "
              f"({medians[a.crawl]:.2f} s against {medians[a.peer]:.2f} s)   target < 1   "
              f"{'PASS' if faster else 'FAIL'}")
        if not faster and status == 0:
            status = 3

    # What bounds uvscrape's time: the waits, not the fetching.
    retried_for_good = faults["503"] + faults["truncated"] + faults["reset"]
    waits = [a.backoff_base_s * 2 ** k for k in range(a.max_retries)]
    longest = sum(waits)
    print()
    print(f"What bounds {a.crawl}'s time is the waiting, not the fetching:")
    print(f"  * {retried_for_good} pages fail for good with a transient fault (503, reset, truncated body):")
    print(f"    each is sent 1 + {a.max_retries} times (max_retries), waiting before retry n a time drawn from")
    print(f"    [0, {a.backoff_base_s:g} s x 2^(n-1)] (retry_backoff_base, full jitter): "
          + ", ".join(f"[0, {w:g} s]" for w in waits) + ",")
    print(f"    so up to {longest:g} s, {longest / 2:g} s on average, before it is recorded;")
    twice = faults["503-then-okx2"]
    once = faults["503-then-okx1"]
    print(f"  * {once} pages answer 503 once and {twice} twice before succeeding: up to "
          f"{waits[0]:g} s and {sum(waits[:2]):g} s of waiting;")
    print(f"  * {faults['stall']} pages stall {a.stall_ms / 1000:g} s: first_byte_timeout (30 s by default) "
          f"is longer, so each is waited out, not retried;")
    print(f"  * {faults['garbage-status'] + faults['bad-chunk']} pages answer a garbage status line or bad "
          f"chunked encoding: protocol failures, recorded at once, not retried.")
    print(f"  {a.peer} retries at once (RETRY_TIMES 2, no backoff): its time is its fetching and parsing.")
    raise SystemExit(status)


if __name__ == "__main__":
    main()
