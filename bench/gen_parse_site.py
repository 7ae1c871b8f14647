#!/usr/bin/env python3
"""Generates the parse-heavy site: an index linking PAGES pages of about
PAGE_KB KiB of HTML each (a table of rows with links, classes and text).

    gen_parse_site.py OUT_DIR [--pages 2000] [--page-kb 100]

The pages are what a step spends its CPU on: libxml2's parse and XPath. The
index is OUT_DIR/parse/index.html; each page says how many rows it has in
<meta name="rows">, which bench/parse_crawl checks.
"""
import argparse
import os


def page(n, target_bytes):
    head = (f"<!DOCTYPE html><html><head><title>Page {n}</title>"
            f"<meta charset='utf-8'></head><body><h1>Record set {n}</h1><table class='rows'>")
    rows = []
    size = len(head)
    i = 0
    while size < target_bytes:
        row = (f"<tr class='r{i % 7}'><td class='id'>{n}-{i}</td>"
               f"<td class='name'><a href='/parse/item/{n}/{i}.html'>Item {i} of set {n}</a></td>"
               f"<td class='text'>Lorem ipsum dolor sit amet, consectetur adipiscing elit {i * 31 % 997}"
               f" &amp; sed do eiusmod tempor</td><td class='v'>{i * 7919 % 10007}</td></tr>\n")
        rows.append(row)
        size += len(row)
        i += 1
    meta = f"<meta name='rows' content='{i}'>"
    return head.replace("</head>", meta + "</head>") + "".join(rows) + "</table></body></html>\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--page-kb", type=int, default=100)
    a = ap.parse_args()
    root = os.path.join(a.out, "parse")
    os.makedirs(os.path.join(root, "p"), exist_ok=True)
    with open(os.path.join(root, "index.html"), "w") as fh:
        fh.write("<!DOCTYPE html><html><body><ul>")
        for n in range(a.pages):
            fh.write(f"<li><a class='page' href='/parse/p/{n}.html'>{n}</a></li>")
        fh.write("</ul></body></html>\n")
    for n in range(a.pages):
        with open(os.path.join(root, "p", f"{n}.html"), "w") as fh:
            fh.write(page(n, a.page_kb * 1024))
    # The URL list bench/run writes for every site it serves.
    with open(os.path.join(a.out, "paths.txt"), "w") as fh:
        fh.write("/parse/index.html\n")
        for n in range(a.pages):
            fh.write(f"/parse/p/{n}.html\n")
    print(f"parse site: {a.pages} pages of ~{a.page_kb} KiB in {root}")


if __name__ == "__main__":
    main()
