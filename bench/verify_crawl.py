#!/usr/bin/env python3
"""Checks a crawl's output against what the generated site holds.

    verify_crawl.py OUT_DIR --cases N [--doc-kb 32] [--plan PLAN] [--summary FILE --name NAME]
                    [--failure-counts LOG]

OUT_DIR/items.jsonl must hold exactly one item per case whose docket, filed,
judge and status equal gen_site.case_fields(); every other file under OUT_DIR
(except *.json/*.jsonl/*.log) is an archived document, and together they must be
exactly the site's documents, byte for byte (each document's bytes are unique,
so file names do not matter). Prints every problem found (the first few of
each kind) and exits 1 if there is any.

With --plan (the file `fault_site --plan` writes: "PATH FAULT SERVABLE" lines),
the site is the fault site: the expected items are those of the servable case
pages, the expected documents those whose case page and document are both
servable. --summary appends one JSON line (name, items, duplicates, documents,
what was expected, ok) for the fault benchmark's table. --failure-counts LOG
(with --plan) also checks the failure counts by kind that examples/cases_crawl
printed ("  ConnectionError: 28" lines) against the faults of the pages a
crawl requests: every page that fails for good is recorded, with its kind.
"""
import argparse
import collections
import hashlib
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_site  # noqa: E402

FIELDS = ("docket", "filed", "judge", "status")
SHOWN = 5


def read_plan(path):
    """PATH -> servable (bool), from fault_site's plan file."""
    servable = {}
    with open(path) as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            p, _fault, ok = line.split()
            servable[p] = ok == "yes"
    return servable


def expected_sets(cases, plan):
    """The case numbers whose item a complete crawl gets, and those whose document it gets."""
    if plan is None:
        items = set(range(1, cases + 1))
        return items, {i for i in items if gen_site.has_document(i)}, []
    problems = []
    for path, ok in sorted(plan.items()):
        if path.startswith("/cases/page/") and not ok:
            problems.append(f"the plan makes list page {path} unservable: what a crawl gets is not known")
    items = {i for i in range(1, cases + 1) if plan.get(f"/cases/{i}.html", False)}
    docs = {i for i in items if gen_site.has_document(i) and plan.get(f"/docs/{i}.pdf", False)}
    return items, docs, problems


# The failure kind (cases_crawl's names) each fault that never passes ends as.
FAILURE_KIND = {
    "503": "HTMLResponseAssumptionException",  # a transient status, retried, then recorded
    "truncated": "ConnectionError",
    "reset": "ConnectionError",
    "garbage-status": "ProtocolError",
    "bad-chunk": "ProtocolError",
}


def read_faults(path):
    faults = {}
    with open(path) as fh:
        for line in fh:
            if not line.startswith("#") and line.strip():
                p, fault, _ok = line.split()
                faults[p] = fault
    return faults


def check_failure_counts(log_path, plan_path, cases, want_items):
    """The counts cases_crawl printed against those the plan implies."""
    faults = read_faults(plan_path)
    requested = [p for p in faults if p.startswith("/cases/")]  # every list and case page
    requested += [f"/docs/{i}.pdf" for i in sorted(want_items) if gen_site.has_document(i)]
    expected = collections.Counter(FAILURE_KIND[faults[p]] for p in requested if faults[p] in FAILURE_KIND)
    got = collections.Counter()
    with open(log_path) as fh:
        for line in fh:
            m = re.fullmatch(r"  (\w+): (\d+)\n?", line)
            if m:
                got[m.group(1)] = int(m.group(2))
    if got == expected:
        return []
    return [f"failure counts by kind {dict(sorted(got.items()))} != expected {dict(sorted(expected.items()))}"]


def check_items(path, want_ids):
    """-> (problems, items read, duplicates)"""
    problems = []
    expected = {gen_site.case_fields(i)["docket"]: gen_site.case_fields(i) for i in want_ids}
    seen = set()
    count = 0
    duplicates = 0
    try:
        fh = open(path, encoding="utf-8")
    except OSError as e:
        return [f"cannot read items: {e}"], 0, 0
    with fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            count += 1
            try:
                item = json.loads(line)
            except ValueError as e:
                problems.append(f"items.jsonl:{lineno}: not JSON ({e})")
                continue
            got = {k: item.get(k) for k in FIELDS}
            want = expected.get(got["docket"])
            if got["docket"] in seen:
                duplicates += 1
                problems.append(f"items.jsonl:{lineno}: duplicate item {got['docket']}")
            elif want is None:
                problems.append(f"items.jsonl:{lineno}: unknown or unservable docket {got['docket']!r}")
            elif got != want:
                problems.append(f"items.jsonl:{lineno}: {got} != expected {want}")
            seen.add(got["docket"])
    if count != len(want_ids):
        problems.insert(0, f"{count} items, expected {len(want_ids)}")
    missing = [d for d in expected if d not in seen]
    if missing:
        problems.append(f"{len(missing)} cases have no item, e.g. {missing[:SHOWN]}")
    return problems, count, duplicates


def check_documents(out_dir, want_ids, doc_kb):
    """-> (problems, correct documents, duplicates)"""
    expected = {hashlib.sha256(gen_site.document_bytes(i, doc_kb)).hexdigest(): i for i in want_ids}
    problems = []
    found = {}
    duplicates = 0
    for root, _dirs, files in os.walk(out_dir):
        for name in files:
            if name.endswith((".json", ".jsonl", ".log")):
                continue
            path = os.path.join(root, name)
            with open(path, "rb") as fh:
                digest = hashlib.sha256(fh.read()).hexdigest()
            if digest not in expected:
                problems.append(f"{path}: not one of the site's servable documents (wrong or truncated bytes)")
            elif digest in found:
                duplicates += 1
                problems.append(f"{path}: same document as {found[digest]}")
            else:
                found[digest] = path
    if len(found) != len(expected):
        missing = sorted(i for d, i in expected.items() if d not in found)
        problems.insert(0, f"{len(found)} correct documents, expected {len(expected)}; "
                           f"missing e.g. cases {missing[:SHOWN]}")
    return problems, len(found), duplicates


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out_dir")
    ap.add_argument("--cases", type=int, required=True)
    ap.add_argument("--doc-kb", type=int, default=32)
    ap.add_argument("--plan", help="fault_site's plan file: expect only what is servable")
    ap.add_argument("--summary", help="append a JSON line with the counts to this file")
    ap.add_argument("--name", default="crawl", help="the crawl's name in the summary")
    ap.add_argument("--failure-counts", metavar="LOG",
                    help="with --plan: check the failure counts by kind cases_crawl printed to LOG")
    ap.add_argument("--quiet", action="store_true", help="print problems, not the verdict line")
    a = ap.parse_args()
    plan = read_plan(a.plan) if a.plan else None
    want_items, want_docs, plan_problems = expected_sets(a.cases, plan)
    problems, n_items, dup_items = check_items(os.path.join(a.out_dir, "items.jsonl"), want_items)
    doc_problems, n_docs, dup_docs = check_documents(a.out_dir, want_docs, a.doc_kb)
    problems = plan_problems + problems
    if a.failure_counts and plan is not None:
        problems += check_failure_counts(a.failure_counts, a.plan, a.cases, want_items)
    for kind, found in (("items", problems), ("documents", doc_problems)):
        for p in found[:SHOWN]:
            print(f"VERIFY FAIL ({kind}): {p}", file=sys.stderr)
        if len(found) > SHOWN:
            print(f"VERIFY FAIL ({kind}): ... and {len(found) - SHOWN} more", file=sys.stderr)
    ok = not problems and not doc_problems
    if a.summary:
        row = {"name": a.name, "items": n_items, "expected_items": len(want_items),
               "documents": n_docs, "expected_documents": len(want_docs),
               "duplicates": dup_items + dup_docs, "ok": ok}
        with open(a.summary, "a") as fh:
            fh.write(json.dumps(row) + "\n")
    if not ok:
        sys.exit(1)
    if not a.quiet:
        what = "servable " if plan is not None else ""
        print(f"verified: {len(want_items)} {what}items correct, {len(want_docs)} documents byte-exact")


if __name__ == "__main__":
    main()
