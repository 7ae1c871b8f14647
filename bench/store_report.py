#!/usr/bin/env python3
"""The run-store figures of bench/run --store.

    store_report.py RESULTS --memory NAME --sqlite NAME --responses NAME --stores DB...

RESULTS is measure.py's JSON lines. Prints, from the medians of the repetitions,
the wall and CPU of the crawl with a SQLite store and with stored responses
against the same crawl in memory, and, from the stores of the stored-responses
crawls, the stored responses' compressed bytes per page (bodies, then with the
per-step dictionaries) and the ratio raw / compressed. Exits 1 when the SQLite
store misses its targets (wall <= 1.3x, CPU <= 1.5x the crawl in memory).
"""
import argparse
import json
import os
import sqlite3
import statistics
import sys


def medians(path):
    rows = {}
    with open(path) as fh:
        for line in fh:
            r = json.loads(line)
            rows.setdefault(r["name"], []).append(r)
    return {
        name: {k: statistics.median(x[k] for x in rs) for k in ("wall_s", "cpu_s", "rss_mib")
               if all(k in x for x in rs)}
        for name, rs in rows.items()
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--memory", required=True)
    ap.add_argument("--sqlite", required=True)
    ap.add_argument("--responses", required=True)
    ap.add_argument("--stores", nargs="*", default=[])
    a = ap.parse_args()
    stats = medians(a.results)
    memory = stats.get(a.memory)
    if not memory:
        print(f"store_report: no runs of {a.memory}", file=sys.stderr)
        return 1
    missed = False
    for name, targets in ((a.sqlite, (1.3, 1.5)), (a.responses, None)):
        s = stats.get(name)
        if not s:
            print(f"  {name}: no runs")
            missed = True
            continue
        wall = s["wall_s"] / memory["wall_s"]
        cpu = s["cpu_s"] / max(memory["cpu_s"], 1e-6)
        line = (f"  {name}: wall {s['wall_s']:.3f} s, CPU {s['cpu_s']:.3f} s; "
                f"against memory wall {wall:.2f}x, CPU {cpu:.2f}x")
        if targets:
            ok = wall <= targets[0] and cpu <= targets[1]
            line += f" (targets <= {targets[0]}x, <= {targets[1]}x: {'met' if ok else 'MISSED'})"
            missed |= not ok
        print(line)
    for path in a.stores:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        pages, raw, packed = db.execute(
            "SELECT count(*), coalesce(sum(size), 0), coalesce(sum(length(body)), 0) "
            "FROM responses").fetchone()
        dicts, dict_bytes = db.execute(
            "SELECT count(*), coalesce(sum(length(body)), 0) FROM dictionaries").fetchone()
        with_dict = db.execute("SELECT count(*) FROM responses WHERE dictionary <> 0").fetchone()[0]
        db.close()
        if pages == 0:
            print(f"  {path}: no stored responses")
            missed = True
            continue
        size = os.path.getsize(path)
        print(f"  {os.path.basename(path)}: {pages} responses ({with_dict} with one of {dicts} "
              f"dictionaries, {dict_bytes / 1024:.0f} KiB), raw {raw / pages:.0f} B/page, "
              f"stored {packed / pages:.0f} B/page ({(packed + dict_bytes) / pages:.0f} with the "
              f"dictionaries), ratio {raw / max(packed, 1):.1f}x "
              f"({raw / max(packed + dict_bytes, 1):.1f}x); store file {size / 1e6:.1f} MB")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
