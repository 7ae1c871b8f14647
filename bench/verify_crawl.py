#!/usr/bin/env python3
"""Checks a crawl's output against what the generated site holds.

    verify_crawl.py OUT_DIR --cases N [--doc-kb 32]

OUT_DIR/items.jsonl must hold exactly one item per case whose docket, filed,
judge and status equal gen_site.case_fields(); every other file under OUT_DIR
(except *.json/*.jsonl/*.log) is an archived document, and together they must be
exactly the site's documents, byte for byte (each document's bytes are unique,
so file names do not matter). Prints every problem found (the first few of
each kind) and exits 1 if there is any.
"""
import argparse
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_site  # noqa: E402

FIELDS = ("docket", "filed", "judge", "status")
SHOWN = 5


def check_items(path, cases):
    problems = []
    expected = {gen_site.case_fields(i)["docket"]: gen_site.case_fields(i) for i in range(1, cases + 1)}
    seen = set()
    count = 0
    try:
        fh = open(path, encoding="utf-8")
    except OSError as e:
        return [f"cannot read items: {e}"]
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
            if want is None:
                problems.append(f"items.jsonl:{lineno}: unknown docket {got['docket']!r}")
            elif got != want:
                problems.append(f"items.jsonl:{lineno}: {got} != expected {want}")
            elif got["docket"] in seen:
                problems.append(f"items.jsonl:{lineno}: duplicate item {got['docket']}")
            seen.add(got["docket"])
    if count != cases:
        problems.insert(0, f"{count} items, expected {cases}")
    missing = [d for d in expected if d not in seen]
    if missing:
        problems.append(f"{len(missing)} cases have no item, e.g. {missing[:SHOWN]}")
    return problems


def check_documents(out_dir, cases, doc_kb):
    expected = {}
    for i in range(1, cases + 1):
        if gen_site.has_document(i):
            expected[hashlib.sha256(gen_site.document_bytes(i, doc_kb)).hexdigest()] = i
    problems = []
    found = {}
    for root, _dirs, files in os.walk(out_dir):
        for name in files:
            if name.endswith((".json", ".jsonl", ".log")):
                continue
            path = os.path.join(root, name)
            with open(path, "rb") as fh:
                digest = hashlib.sha256(fh.read()).hexdigest()
            if digest not in expected:
                problems.append(f"{path}: not one of the site's documents (wrong or truncated bytes)")
            elif digest in found:
                problems.append(f"{path}: same document as {found[digest]}")
            else:
                found[digest] = path
    if len(found) != len(expected):
        missing = sorted(i for d, i in expected.items() if d not in found)
        problems.insert(0, f"{len(found)} correct documents, expected {len(expected)}; "
                           f"missing e.g. cases {missing[:SHOWN]}")
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out_dir")
    ap.add_argument("--cases", type=int, required=True)
    ap.add_argument("--doc-kb", type=int, default=32)
    a = ap.parse_args()
    problems = check_items(os.path.join(a.out_dir, "items.jsonl"), a.cases)
    doc_problems = check_documents(a.out_dir, a.cases, a.doc_kb)
    for kind, found in (("items", problems), ("documents", doc_problems)):
        for p in found[:SHOWN]:
            print(f"VERIFY FAIL ({kind}): {p}", file=sys.stderr)
        if len(found) > SHOWN:
            print(f"VERIFY FAIL ({kind}): ... and {len(found) - SHOWN} more", file=sys.stderr)
    if problems or doc_problems:
        sys.exit(1)
    n_docs = sum(1 for i in range(1, a.cases + 1) if gen_site.has_document(i))
    print(f"verified: {a.cases} items correct, {n_docs} documents byte-exact")


if __name__ == "__main__":
    main()
