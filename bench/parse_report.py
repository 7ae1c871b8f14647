#!/usr/bin/env python3
"""Prints the parse-heavy crawl's table from measure.py's JSON lines.

    parse_report.py RESULTS [TARGETS_FILE]

Rows are named "step_threads N"; medians over the repetitions; the speed-up of
each thread count in pages per second against step_threads 0, and PASS/MISS for
the target of 1 thread against 0 (>= 1.6x on a 2-core machine; bench/targets.py).
With TARGETS_FILE the speed-up is added to bench/run's summary. Exits 3 when
the target is missed.
"""
import json
import statistics
import sys

import targets

FIGURE = "parse-heavy pages/s, step_threads 1 / 0"
TARGET_SPEEDUP = targets.target_of(FIGURE)[1]


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    by_name = {}
    with open(sys.argv[1]) as fh:
        for line in fh:
            row = json.loads(line)
            by_name.setdefault(row["name"], []).append(row)
    stats = {}
    for name, rows in by_name.items():
        stats[name] = {k: statistics.median(r[k] for r in rows) for k in ("wall_s", "cpu_s", "rss_mib", "req_per_s")}
        stats[name]["reps"] = len(rows)
    print(f"{'program':<22} {'reps':>4} {'wall s':>7} {'CPU s':>6} {'CPU/wall':>8} {'peak RSS MiB':>12} {'pages/s':>8} {'vs 0':>6}")
    base = stats.get("step_threads 0")
    for name, s in sorted(stats.items(), key=lambda kv: (int(kv[0].split()[1]), kv[0])):
        speedup = s["req_per_s"] / base["req_per_s"] if base else float("nan")
        print(f"{name:<22} {s['reps']:>4} {s['wall_s']:>7.3f} {s['cpu_s']:>6.2f} {s['cpu_s'] / s['wall_s']:>8.2f} "
              f"{s['rss_mib']:>12.1f} {s['req_per_s']:>8.0f} {speedup:>5.2f}x")
    one = stats.get("step_threads 1")
    if not (base and one):
        sys.exit("parse_report: needs step_threads 0 and 1")
    speedup = one["req_per_s"] / base["req_per_s"]
    ok = speedup >= TARGET_SPEEDUP
    if len(sys.argv) == 3:
        targets.add(sys.argv[2], FIGURE, speedup)
    print(f"  step_threads 1 / 0 pages/s : {speedup:4.2f}x   target >= {TARGET_SPEEDUP}x {'PASS' if ok else 'MISS'}")
    sys.exit(0 if ok else 3)


if __name__ == "__main__":
    main()
