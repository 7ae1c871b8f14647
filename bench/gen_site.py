#!/usr/bin/env python3
"""Writes the benchmark's static court-records site, deterministically.

    gen_site.py OUT_DIR [--cases N] [--per-page 50] [--doc-kb 32]

Shape (the workload every crawler in the comparison fetches):
  cases/page/<p>.html  list pages: PER_PAGE `a.case` links and an `a[rel=next]`
  cases/<i>.html       case pages (~6 KB): dd.docket, dd.filed, dd.judge,
                       dd.status; every 10th case links `a.pdf`
  docs/<i>.pdf         DOC_KB KiB documents, each one's bytes distinct
  paths.txt            every path above, one a line: the URL list for curl

Nothing here is random at run time: `case_fields(i)` and `document_bytes(i)`
recompute what a correct crawl must produce, so the verifier imports them.
"""
import argparse
import hashlib
import os

JUDGES = ("Justice Mantis", "Justice Weevil", "Justice Moth", "Justice Aphid")
STATUSES = ("open", "closed", "stayed")
WORDS = ("lorem", "ipsum", "dolor", "sit", "amet", "court", "motion", "appeal",
         "brief", "remand", "affirmed", "counsel", "record", "hearing")
PDF_EVERY = 10


def _mix(i):
    """A cheap integer hash so fields vary from case to case yet stay reproducible."""
    h = (i * 0x9E3779B1) & 0xFFFFFFFF
    h ^= h >> 15
    h = (h * 0x85EBCA77) & 0xFFFFFFFF
    return h ^ (h >> 13)


def case_fields(i):
    h = _mix(i)
    return {
        "docket": f"BCC-{i:06d}",
        "filed": f"2024-{h % 12 + 1:02d}-{i % 28 + 1:02d}",
        "judge": JUDGES[(h >> 8) % len(JUDGES)],
        "status": STATUSES[(h >> 16) % len(STATUSES)],
    }


def has_document(i):
    return i % PDF_EVERY == 0


_blob_cache = {}


def document_bytes(i, doc_kb=32):
    size = doc_kb * 1024
    blob = _blob_cache.get(size)
    if blob is None:
        blob = _blob_cache[size] = hashlib.shake_256(b"uvscrape bench document").digest(size)
    header = f"%PDF-1.4\n%uvscrape bench case {i}\n".encode()
    return header + blob[: size - len(header)]


def _summary(i):
    # ~5.5 KB of prose; the starting word shifts per case so pages are not identical.
    n = len(WORDS)
    return " ".join(WORDS[(i + k * k) % n] for k in range(880))


def list_page(p, pages, ids):
    rows = "".join(
        f'<tr><td><a class="case" href="/cases/{i}.html">Case {i}</a></td>'
        f'<td>{case_fields(i)["filed"]}</td></tr>\n' for i in ids)
    nav = f'<a rel="next" href="/cases/page/{p + 1}.html">Next page</a>' if p < pages else ""
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Cases, page {p}</title></head>\n"
            f"<body><table id=\"cases\">\n{rows}</table>\n<nav>{nav}</nav></body></html>\n")


def case_page(i):
    f = case_fields(i)
    doc = (f'<div class="documents"><a class="pdf" href="/docs/{i}.pdf">Opinion (PDF)</a></div>'
           if has_document(i) else "")
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Case {i}</title></head>\n"
            f"<body><div class=\"case-details\"><h1>Beetle v. Ant, No. {i}</h1>\n<dl>\n"
            f"<dt>Docket</dt><dd class=\"docket\">{f['docket']}</dd>\n"
            f"<dt>Filed</dt><dd class=\"filed\">{f['filed']}</dd>\n"
            f"<dt>Judge</dt><dd class=\"judge\">{f['judge']}</dd>\n"
            f"<dt>Status</dt><dd class=\"status\">{f['status']}</dd>\n"
            f"</dl>\n<p class=\"summary\">{_summary(i)}</p>\n{doc}</div></body></html>\n")


def generate(out, cases, per_page=50, doc_kb=32):
    os.makedirs(f"{out}/cases/page", exist_ok=True)
    os.makedirs(f"{out}/docs", exist_ok=True)
    pages = (cases + per_page - 1) // per_page
    paths = []
    for p in range(1, pages + 1):
        ids = range((p - 1) * per_page + 1, min(p * per_page, cases) + 1)
        with open(f"{out}/cases/page/{p}.html", "w") as fh:
            fh.write(list_page(p, pages, ids))
        paths.append(f"/cases/page/{p}.html")
    for i in range(1, cases + 1):
        with open(f"{out}/cases/{i}.html", "w") as fh:
            fh.write(case_page(i))
        paths.append(f"/cases/{i}.html")
        if has_document(i):
            with open(f"{out}/docs/{i}.pdf", "wb") as fh:
                fh.write(document_bytes(i, doc_kb))
            paths.append(f"/docs/{i}.pdf")
    with open(f"{out}/paths.txt", "w") as fh:
        fh.write("\n".join(paths) + "\n")
    return pages, len(paths)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--cases", type=int, default=20000)
    ap.add_argument("--per-page", type=int, default=50)
    ap.add_argument("--doc-kb", type=int, default=32)
    a = ap.parse_args()
    pages, urls = generate(a.out, a.cases, a.per_page, a.doc_kb)
    print(f"site: {a.cases} cases, {pages} list pages, {a.cases // PDF_EVERY} documents, {urls} URLs")


if __name__ == "__main__":
    main()
