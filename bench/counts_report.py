#!/usr/bin/env python3
"""bench/counts_report.py — the table of `make bench-counts` (bench/counts.sh).

Owns: turning its results (qbench's LABEL.key=value lines, LABEL =
CORPUS.rROUND.eSETTING) and the evalq totals files into one Markdown
section, printed and put into docs/benchmarks.md between
<!-- bench:counts:begin --> and <!-- bench:counts:end --> (the rest of the
document is left as it is).  Must never: run anything.

    counts_report.py --results FILE --out DIR --doc docs/benchmarks.md|-

Per corpus and "exact_count" setting: p50 and p99 of the whole mix, one
thread, the median over the rounds with their range (the machine is shared:
compare within one run), the change against 0 (a search before exact
totals), the busiest classes' p50/p99, and from the totals files the share
of exact totals and the worst estimate error against the count of "all".
"""

import argparse
import json
import os
import re
import statistics
import sys

import report  # bench/report.py: the doc block writer

CLASSES = ["zh1", "zh2", "zhphrase", "en1", "enphrase", "docno", "filtered", "faceted", "deep"]
KEY = re.compile(r"^(\w+)\.r(\d+)\.e(\w+)\.q_(\w+)_(p50|p99)=([\d.]+)$")


def load(path):
    meta, lat = {}, {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            m = KEY.match(line)
            if m:
                c, r, s, cls, p, v = m.groups()
                lat.setdefault((c, s, cls, p), []).append(float(v))
            elif "=" in line:
                k, v = line.split("=", 1)
                meta[k] = v
    return meta, lat


def totals(out, corpus, setting):
    p = os.path.join(out, "%s-totals-%s.jsonl" % (corpus, setting))
    try:
        with open(p, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]
    except OSError:
        return None


def matches(truth):
    """The range of the true counts, e.g. "13,964–17,026 matches"."""
    t = [x["total"] for x in truth or [] if x.get("ok")]
    return "%s–%s matches" % ("{:,}".format(min(t)), "{:,}".format(max(t))) if t else "?"


def fmt(v):
    if v is None:
        return "—"
    return "%.0f" % v if v >= 100 else "%.1f" % v if v >= 10 else "%.2f" % v


def cell(lat, c, s, cls, p):
    v = lat.get((c, s, cls, p))
    if not v:
        return None, "—"
    med = statistics.median(v)
    if len(v) > 1:
        return med, "%s (%s–%s)" % (fmt(med), fmt(min(v)), fmt(max(v)))
    return med, fmt(med)


def section(meta, lat, out):
    lines = [
        "Run: `%s` on %s, commit %s; %s cores (%s), load average %s at the start, %s at "
        "the end." % (meta.get("meta.command", "?"), meta.get("meta.date", "?"),
                      meta.get("meta.commit", "?"), meta.get("meta.nproc", "?"),
                      meta.get("meta.cpu", "?"), meta.get("meta.load_start", "?"),
                      meta.get("meta.load_end", "?")),
        "",
        "One thread, in process (`qbench --threads 0 --exact-count N`), the query mix of "
        "`bench/prep.py` for that corpus (9 classes, snippets on); each cell is the median "
        "of the rounds (their range in parentheses); \"Δ\" compares the medians with 0, "
        "what a search did before exact totals (Xapian checks the page only).  Exact "
        "totals and the estimate error come from the same mix answered once per setting "
        "(`evalq --json`), against the totals counted with `all`.",
        "",
        "| index, queries | exact_count | all p50 ms | Δ p50 | all p99 ms | Δ p99 | zh1 p50 / p99 "
        "| zh2 p50 / p99 | deep p50 / p99 | exact totals | worst estimate error |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c in ("real", "big", "common"):
        settings = meta.get("%s.settings" % c, "").split()
        if not settings:
            continue
        truth = totals(out, c, "all")
        base50, _ = cell(lat, c, "0", "all", "p50")
        base99, _ = cell(lat, c, "0", "all", "p99")
        for s in settings:
            v50, t50 = cell(lat, c, s, "all", "p50")
            v99, t99 = cell(lat, c, s, "all", "p99")
            d50 = "%+.0f%%" % (100 * (v50 / base50 - 1)) if v50 and base50 and s != "0" else ""
            d99 = "%+.0f%%" % (100 * (v99 / base99 - 1)) if v99 and base99 and s != "0" else ""
            per = []
            for cls in ("zh1", "zh2", "deep"):
                a, _ = cell(lat, c, s, cls, "p50")
                b, _ = cell(lat, c, s, cls, "p99")
                per.append("%s / %s" % (fmt(a), fmt(b)))
            got = totals(out, c, s)
            ex, worst = "—", "—"
            if got and truth and len(got) == len(truth):
                ok = [g for g in got if g.get("ok")]
                ex = "%d / %d" % (sum(1 for g in ok if g["exact"]), len(got))
                errs = [abs(g["total"] - t["total"]) / t["total"] for g, t in zip(got, truth)
                        if g.get("ok") and t.get("ok") and not g["exact"] and t["total"]]
                worst = "%.1f%%" % (100 * max(errs)) if errs else "none estimated"
            docs = meta.get("%s.docs" % c, "?")
            label = {"real": "corpus-real (%s docs)" % docs,
                     "big": "corpus-real + generated (%s docs)" % docs,
                     "common": "the same, 8 common words (%s)" % matches(truth)}[c]
            lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                label, s, t50, d50, t99, d99, per[0], per[1], per[2], ex, worst))
    fails = sorted(k for k in meta if k.endswith("failed"))
    if fails:
        lines += ["", "Failed steps: " + ", ".join(fails) + "."]
    return "\n".join(lines) + "\n"


def update_doc(path, text):
    report.update_doc(path, "counts", text, title="### Latest `make bench-counts`")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--results", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--doc", default="docs/benchmarks.md")
    a = ap.parse_args()
    meta, lat = load(a.results)
    text = section(meta, lat, a.out)
    print()
    print(text)
    if a.doc != "-":
        update_doc(a.doc, text)
        print("(written to %s)" % a.doc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
