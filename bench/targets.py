#!/usr/bin/env python3
"""The targets of the benchmark, collected over one bench/run and printed together.

    targets.py add FILE FIGURE VALUE                  # appends one measured figure
    targets.py print FILE                             # the table, PASS or MISS per target

Every section of bench/run (the crawl table, callgrind, the latency-bound
crawl, the parse-heavy crawl) adds its figures here, so the end of the run
shows every target of the performance issue in one place. A missed target is
printed as MISS, never left out; a figure that could not be measured in this
run (a section not run, a program not built) is printed as "not measured".
`print` exits 3 when a measured target is missed.
"""
import json
import sys

# The figures of the performance targets (2-core machine, medians, same run as
# curl), in the order they are printed. Each: figure name, OP, target, unit.
TARGETS = [
    ("crawl wall / curl wall", "<=", 1.4, "x"),
    ("crawl CPU / curl CPU", "<=", 1.8, "x"),
    ("crawl instructions per page / curl's", "<=", 3.0, "x"),
    ("crawl peak RSS", "<=", 64.0, "MiB"),
    ("parse-heavy pages/s, step_threads 1 / 0", ">=", 1.6, "x"),
    ("latency-bound crawl (5,000 pages x 100 ms, 500 workers)", "<=", 1.05, "s"),
]


def target_of(figure):
    for name, op, target, unit in TARGETS:
        if name == figure:
            return op, target, unit
    raise SystemExit(f"targets.py: unknown figure {figure!r}")


def met(value, op, target):
    return value <= target if op == "<=" else value >= target


def add(path, figure, value):
    op, target, unit = target_of(figure)
    with open(path, "a") as fh:
        fh.write(json.dumps({"figure": figure, "value": float(value), "op": op, "target": target,
                             "unit": unit}) + "\n")
    return met(float(value), op, target)


def print_table(path):
    rows = {}
    try:
        with open(path) as fh:
            for line in fh:
                row = json.loads(line)
                rows[row["figure"]] = row  # the last measurement of a figure counts
    except FileNotFoundError:
        pass
    missed = False
    width = max(len(t[0]) for t in TARGETS)
    print(f"{'figure':<{width}}  {'measured':>12}  {'target':>10}  verdict")
    for figure, op, target, unit in TARGETS:
        row = rows.get(figure)
        goal = f"{op} {target:g} {unit}"
        if row is None:
            print(f"{figure:<{width}}  {'-':>12}  {goal:>10}  not measured in this run")
            continue
        ok = met(row["value"], op, target)
        missed |= not ok
        measured = f"{row['value']:.2f} {unit}"
        print(f"{figure:<{width}}  {measured:>12}  {goal:>10}  {'PASS' if ok else 'MISS'}")
    return 3 if missed else 0


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "add" and len(sys.argv) == 5:
        add(sys.argv[2], sys.argv[3], sys.argv[4])
        return 0
    if len(sys.argv) == 3 and sys.argv[1] == "print":
        return print_table(sys.argv[2])
    raise SystemExit(__doc__)


if __name__ == "__main__":
    sys.exit(main())
