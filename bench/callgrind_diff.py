#!/usr/bin/env python3
"""Where a crawl's instructions go per request: callgrind profile of a crawl
minus the profile of a startup-only crawl, function by function.

    callgrind_diff.py STARTUP.out CRAWL.out REQUESTS [--top 20] [--inclusive]

Subtracting the startup-only run removes dynamic linking, option parsing and
everything else paid once, so what remains is the cost of fetching and
processing REQUESTS more pages.
"""
import argparse
import re
import subprocess

LINE = re.compile(r"^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(\S.*)$")


def costs(path, inclusive):
    cmd = ["callgrind_annotate", "--threshold=100", "--auto=no", f"--inclusive={'yes' if inclusive else 'no'}", path]
    text = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    # Only the function table: the lines after the "Ir  file:function" header.
    text = text.split("file:function", 1)[-1]
    table = {}
    for line in text.splitlines():
        m = LINE.match(line)
        if m and "PROGRAM TOTALS" not in m.group(2):
            name = m.group(2)
            table[name] = table.get(name, 0) + int(m.group(1).replace(",", ""))
    return table


def shorten(name):
    # "path/file.cpp:ns::Class::fn(args) [lib]" -> "fn location [lib]", still unambiguous enough to act on.
    return name if len(name) <= 150 else name[:147] + "..."


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("startup")
    ap.add_argument("crawl")
    ap.add_argument("requests", type=int)
    ap.add_argument("--top", type=int, default=20)
    ap.add_argument("--inclusive", action="store_true")
    a = ap.parse_args()
    before, after = costs(a.startup, a.inclusive), costs(a.crawl, a.inclusive)
    delta = {k: after.get(k, 0) - before.get(k, 0) for k in after}
    total = sum(v for v in delta.values()) if not a.inclusive else None
    rows = sorted(delta.items(), key=lambda kv: kv[1], reverse=True)[: a.top]
    kind = "inclusive" if a.inclusive else "self"
    print(f"  {'Ir/request':>10} {'share':>6}  function ({kind} cost, crawl minus startup-only)")
    for name, ir in rows:
        share = f"{100.0 * ir / total:5.1f}%" if total else "     -"
        print(f"  {ir / a.requests:>10.0f} {share}  {shorten(name)}")


if __name__ == "__main__":
    main()
