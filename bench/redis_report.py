#!/usr/bin/env python3
"""The Redis-store figures of bench/run --redis.

    redis_report.py RESULTS --memory NAME --one NAME --two NAME
                    --queue FILE... --seen FILE... --shares FILE...

RESULTS is measure.py's JSON lines. Prints, from the medians of the
repetitions, the wall and CPU of the crawl with the Redis store (one process,
then two processes sharing it) against the same crawl in memory; the Redis
bytes per queued request (at the peak of the frontier: the request's JSON,
priority and frontier entry) and per seen key; each process's share. Exits 1
when one process misses its target (wall <= 1.5x the crawl in memory).
"""
import argparse
import json
import statistics
import sys


def medians(path):
    rows = {}
    with open(path) as fh:
        for line in fh:
            r = json.loads(line)
            rows.setdefault(r["name"], []).append(r)
    return {name: {k: statistics.median(x[k] for x in rs) for k in ("wall_s", "cpu_s")
                   if all(k in x for x in rs)} for name, rs in rows.items()}


def pairs(files):
    out = []
    for f in files:
        with open(f) as fh:
            a, b = fh.read().split()[:2]
            out.append((int(a), int(b)))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--memory", required=True)
    ap.add_argument("--one", required=True)
    ap.add_argument("--two", required=True)
    ap.add_argument("--queue", nargs="*", default=[])
    ap.add_argument("--seen", nargs="*", default=[])
    ap.add_argument("--shares", nargs="*", default=[])
    a = ap.parse_args()
    m = medians(a.results)
    mem, one, two = m[a.memory], m[a.one], m[a.two]
    ok = True
    for name, r in ((a.one, one), (a.two, two)):
        print(f"{name:55s} wall {r['wall_s']:7.2f} s ({r['wall_s'] / mem['wall_s']:.2f}x in memory)"
              f"  cpu {r.get('cpu_s', 0):7.2f} s")
    print(f"{a.memory:55s} wall {mem['wall_s']:7.2f} s")
    ratio = one["wall_s"] / mem["wall_s"]
    verdict = "PASS" if ratio <= 1.5 else "MISS"
    ok = ok and ratio <= 1.5
    print(f"target: one process <= 1.5x the wall in memory: {ratio:.2f}x {verdict}")
    print(f"scaling, one process -> two: {one['wall_s'] / two['wall_s']:.2f}x faster")
    for queued, used in pairs(a.queue):
        print(f"queued requests at the peak: {queued}, {used / max(queued, 1):.0f} bytes each in Redis")
    for keys, used in pairs(a.seen):
        print(f"seen keys: {keys}, {used / max(keys, 1):.1f} bytes each in Redis")
    for x, y in pairs(a.shares):
        print(f"two processes: items {x} + {y}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
