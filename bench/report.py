#!/usr/bin/env python3
"""Prints the crawl benchmark's table from measure.py's JSON lines.

    report.py RESULTS [--crawl NAME] [--also NAME] [--client NAME] [--floor NAME] [--targets FILE]

Medians over the repetitions of each program; the ratios uvscrape/curl for wall
and CPU time; PASS/MISS against the targets (bench/targets.py holds them; with
--targets FILE the figures are also added to bench/run's summary). Exits 3 when
a target is missed (the caller decides whether that is fatal).
"""
import argparse
import json
import statistics

import targets

WALL = "crawl wall / curl wall"
CPU = "crawl CPU / curl CPU"
RSS = "crawl peak RSS"
TARGET_WALL_RATIO = targets.target_of(WALL)[1]
TARGET_CPU_RATIO = targets.target_of(CPU)[1]
TARGET_RSS_MIB = targets.target_of(RSS)[1]


def medians(rows):
    keys = ("wall_s", "cpu_s", "user_s", "sys_s", "rss_mib", "req_per_s")
    return {k: statistics.median(r[k] for r in rows) for k in keys} | {
        "reps": len(rows),
        "wall_min": min(r["wall_s"] for r in rows),
        "wall_max": max(r["wall_s"] for r in rows),
        "requests": rows[0]["requests"],
    }


def verdict(ok):
    return "PASS" if ok else "MISS"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--crawl", default="uvscrape cases_crawl")
    ap.add_argument("--also", default=None, help="another crawl (e.g. step_threads 0): ratios only")
    ap.add_argument("--client", default="uvscrape http_fetch")
    ap.add_argument("--floor", default="curl --parallel")
    ap.add_argument("--targets", default=None, help="bench/run's summary file: the figures are added to it")
    a = ap.parse_args()

    by_name = {}
    with open(a.results) as fh:
        for line in fh:
            row = json.loads(line)
            by_name.setdefault(row["name"], []).append(row)
    if not by_name:
        raise SystemExit("report: no results")
    stats = {name: medians(rows) for name, rows in by_name.items()}

    print()
    print(f"{'program':<34} {'reps':>4} {'wall s':>7} {'(min-max)':>13} {'CPU s':>6} {'(user':>6} {'sys)':>5} "
          f"{'peak RSS MiB':>12} {'requests':>8} {'req/s':>7}")
    for name, s in stats.items():
        spread = f"({s['wall_min']:.2f}-{s['wall_max']:.2f})"
        print(f"{name:<34} {s['reps']:>4} {s['wall_s']:>7.3f} {spread:>13} {s['cpu_s']:>6.3f} {s['user_s']:>6.2f} "
              f"{s['sys_s']:>5.2f} {s['rss_mib']:>12.1f} {s['requests']:>8} {s['req_per_s']:>7.0f}")
    print()

    failed = False
    floor = stats.get(a.floor)
    crawl = stats.get(a.crawl)
    if crawl and floor:
        wall_ratio = crawl["wall_s"] / floor["wall_s"]
        cpu_ratio = crawl["cpu_s"] / max(floor["cpu_s"], 1e-6)
        checks = [
            (f"crawl wall  / curl wall : {wall_ratio:5.2f}x", f"<= {TARGET_WALL_RATIO}x", wall_ratio <= TARGET_WALL_RATIO),
            (f"crawl CPU   / curl CPU  : {cpu_ratio:5.2f}x", f"<= {TARGET_CPU_RATIO}x", cpu_ratio <= TARGET_CPU_RATIO),
            (f"crawl peak RSS          : {crawl['rss_mib']:5.1f} MiB", f"<= {TARGET_RSS_MIB:.0f} MiB",
             crawl["rss_mib"] <= TARGET_RSS_MIB),
        ]
        if a.targets:
            targets.add(a.targets, WALL, wall_ratio)
            targets.add(a.targets, CPU, cpu_ratio)
            targets.add(a.targets, RSS, crawl["rss_mib"])
        for what, target, ok in checks:
            print(f"  {what}   target {target:<10} {verdict(ok)}")
            failed |= not ok
    also = stats.get(a.also) if a.also else None
    if also and floor:
        print(f"  {a.also}: wall / curl {also['wall_s'] / floor['wall_s']:5.2f}x, "
              f"CPU / curl {also['cpu_s'] / max(floor['cpu_s'], 1e-6):5.2f}x"
              + (f", crawl wall / it {crawl['wall_s'] / also['wall_s']:4.2f}x" if crawl else ""))
    client = stats.get(a.client)
    if client and floor:
        ratio = client["wall_s"] / floor["wall_s"]
        cpu_ratio = client["cpu_s"] / max(floor["cpu_s"], 1e-6)
        # Issue 3 sets no target for the client alone: this line is information.
        print(f"  client wall / curl wall : {ratio:5.2f}x   client CPU / curl CPU : {cpu_ratio:5.2f}x")
    raise SystemExit(3 if failed else 0)


if __name__ == "__main__":
    main()
