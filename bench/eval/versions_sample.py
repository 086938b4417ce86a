#!/usr/bin/python3
"""versions_sample.py — the groups of duplicates and versions the engine forms
on corpus-real, a fixed-seed sample of them to check by reading, and the
check of a recorded sample against the engine.

Owns: finding the engine's groups through its public path only (every
distinct title of the corpus sent as SEARCH {"q": title, "collapse": true}
through build/bench/evalq --json; a hit listing duplicates or versions is
a group, its members judged against the hit shown, which for its own exact
title is the group's preferred document), sampling them (every group the engine says holds a duplicate, they are
few, then groups of versions in a fixed-seed order up to --n), and writing
what a reader needs
to judge each member: title, date, document number, issuer, body length
and the body's first lines.

    versions_sample.py --index DIR [--build build] [--n 40] [--seed 20240605]
                       [--sheet FILE] [--tsv FILE]      # a new sample to read
    versions_sample.py --index DIR --verify TSV         # the engine still agrees?

The sheet (markdown) is for reading; the TSV has one row per member with the
engine's relation and an empty verdict column, filled by hand into
bench/eval/versions_checked.tsv (verdict: right or wrong; note: why).
--verify exits 1 when the engine now judges a recorded pair otherwise.
"""

import argparse
import json
import os
import random
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def load_docs(shared):
    d = {}
    for name in ("policies.jsonl", "policies-en.jsonl"):
        with open(os.path.join(shared, "corpus-real", name), encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    x = json.loads(line)
                    d[x["id"]] = x
    return d


def engine_groups(build, index, titles):
    """{frozenset(members): (preferred, {member: "duplicate"|"version"})}."""
    evalq = os.path.join(build, "bench", "evalq")
    lines = [json.dumps({"q": t, "collapse": True, "limit": 50, "snippet": False},
                        ensure_ascii=False) for t in titles]
    r = subprocess.run([evalq, "--json", index], input="\n".join(lines) + "\n",
                       capture_output=True, text=True, check=True)
    groups = {}
    for line in r.stdout.splitlines():
        rep = json.loads(line)
        for h in rep.get("hits", []):
            rel = {d: "duplicate" for d in h.get("duplicates", [])}
            rel.update({v["id"]: "version" for v in h.get("versions", [])})
            if not rel or "version_of" in h or "duplicate_of" in h:
                continue   # singletons; a hit that is not its group's preferred
            groups[frozenset([h["id"]] + list(rel))] = (h["id"], rel)
    return groups


def sheet_entry(n, pref, rel, docs):
    out = ["## group %d" % n, ""]
    for i, m in enumerate([pref] + sorted(rel)):
        d = docs[m]
        body = d.get("body", "")
        head = " ⏎ ".join(body.split("\n")[:4])[:240]
        out.append("- %s **%s** — %s · %s · %s · docno %s · %d chars" % (
            "PREFERRED" if i == 0 else rel[m], m, d.get("title"), d.get("date") or "undated",
            d.get("issuer") or "-", d.get("docno") or "-", len(body)))
        out.append("  > " + head)
    out.append("")
    return out


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("--index", required=True)
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(REPO), "shared"))
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--seed", type=int, default=20240605)
    ap.add_argument("--sheet", default="-")
    ap.add_argument("--tsv")
    ap.add_argument("--verify")
    a = ap.parse_args(argv)
    docs = load_docs(a.shared)
    titles = sorted({d["title"].strip() for d in docs.values() if d.get("title", "").strip()})
    groups = engine_groups(a.build, a.index, titles)
    print("engine groups with 2+ members: %d (%d members)" % (
        len(groups), sum(len(g) for g in groups)), file=sys.stderr)
    if a.verify:
        by_member = {}
        for pref, rel in groups.values():
            for m, r in rel.items():
                by_member[(pref, m)] = r
        bad = 0
        with open(a.verify, encoding="utf-8") as f:
            rows = [line.rstrip("\n").split("\t") for line in f
                    if line.strip() and not line.startswith("#")]
        head = rows[0]
        for row in rows[1:]:
            r = dict(zip(head, row))
            now = by_member.get((r["preferred"], r["member"]), "not grouped")
            if now != r["engine"]:
                bad += 1
                print("%s / %s: recorded %s, engine now %s" % (r["preferred"], r["member"],
                                                               r["engine"], now))
        print("%d of %d recorded judgments differ" % (bad, len(rows) - 1), file=sys.stderr)
        return 1 if bad else 0
    keys = sorted(groups, key=lambda k: sorted(k))
    random.Random(a.seed).shuffle(keys)
    # Duplicates are rare (a few groups): every group holding one is read,
    # and groups of versions, in the shuffled order, fill the sample.
    dups = [k for k in keys if "duplicate" in groups[k][1].values()]
    sample = dups + [k for k in keys if k not in dups][:max(0, a.n - len(dups))]
    sheet, tsv = [], ["group\tpreferred\tmember\tengine\tverdict\tnote"]
    for n, k in enumerate(sample, 1):
        pref, rel = groups[k]
        sheet += sheet_entry(n, pref, rel, docs)
        for m in sorted(rel):
            tsv.append("%d\t%s\t%s\t%s\t\t" % (n, pref, m, rel[m]))
    text = "\n".join(sheet) + "\n"
    if a.sheet == "-":
        sys.stdout.write(text)
    else:
        with open(a.sheet, "w", encoding="utf-8") as f:
            f.write(text)
    if a.tsv:
        with open(a.tsv, "w", encoding="utf-8") as f:
            f.write("\n".join(tsv) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
