#!/usr/bin/env python3
"""bench/report.py — the one table of `make bench` / `make bench-quick`.

Owns: turning bench/peers.sh's results file (key=value lines) into one
Markdown table (printed), a short list of the issue's targets met or missed,
and the section of docs/benchmarks.md between
<!-- bench:MODE:begin --> and <!-- bench:MODE:end --> (replaced; the rest of
the document is left as it is; the markers are appended if missing).
Must never: run anything or read anything but the results file and the doc.

    report.py --results FILE --doc docs/benchmarks.md|- --mode quick|full

Ratios are zhengce / peer for every metric: above 1 means zhengce's number
is larger (better for MB/s and QPS, worse for seconds, MB and latency).
"""

import argparse
import os
import re
import sys

CLASSES = ["zh1", "zh2", "zhphrase", "en1", "enphrase", "docno", "filtered", "faceted", "deep"]
ENGINES = ["zhengce", "xapian", "sphinx", "fts5_trigram", "fts5_unicode61", "redis"]
HEAD = ["zhengce", "Xapian bound", "Sphinx 2.2", "FTS5 trigram", "FTS5 unicode61", "redis"]
RATIO_TO = ["xapian", "sphinx", "fts5_trigram", "redis"]
RATIO_HEAD = ["zc ÷ Xapian", "zc ÷ Sphinx", "zc ÷ FTS5 tri", "zc ÷ redis"]


def load(path):
    r = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if "=" in line and "." in line.split("=", 1)[0]:
                k, v = line.split("=", 1)
                r[k] = v
    return r


def num(r, key):
    try:
        return float(r[key])
    except (KeyError, ValueError):
        return None


def fmt(x, digits=None):
    if x is None:
        return "—"
    if digits is None:
        digits = 0 if abs(x) >= 100 else 1 if abs(x) >= 10 else 2 if abs(x) >= 1 else 3
    return "{:,.{d}f}".format(x, d=digits).replace(",", " ")


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "—"
    q = a / b
    return "%.2f×" % q if q < 10 else "%.1f×" % q


class Table:
    def __init__(self, r):
        self.r = r
        self.rows = []

    def add(self, label, values, cells=None):
        """values: engine -> number (for ratios); cells: engine -> text shown."""
        cells = cells or {}
        out = [label]
        for e in ENGINES:
            out.append(cells.get(e, fmt(values.get(e))))
        z = values.get("zhengce")
        for e in RATIO_TO:
            out.append(ratio(z, values.get(e)))
        self.rows.append(out)

    def section(self, title):
        self.rows.append(["**%s**" % title] + [""] * (len(ENGINES) + len(RATIO_TO)))

    def markdown(self):
        lines = ["| metric | " + " | ".join(HEAD + RATIO_HEAD) + " |",
                 "|---|" + "---:|" * (len(HEAD) + len(RATIO_HEAD))]
        for row in self.rows:
            lines.append("| " + " | ".join(row) + " |")
        return "\n".join(lines)


def build(r):
    t = Table(r)
    mb = num(r, "corpus.bytes") / 1048576 if num(r, "corpus.bytes") else None
    docs = num(r, "corpus.docs")
    idx = ["zhengce", "xapian", "sphinx", "fts5_trigram", "fts5_unicode61"]
    t.section("indexing, %s MiB, %s docs" % (fmt(mb, 0), fmt(docs, 0)))
    wall = {e: num(r, e + ".index_wall") for e in idx}
    failed = {e: (e + ".index_failed") in r for e in idx}
    t.add("wall time, s", wall, {e: "failed" for e in idx if failed[e]})
    t.add("MB/s (MiB of JSON Lines per second)",
          {e: (mb / wall[e]) if (mb and wall[e]) else None for e in idx})
    t.add("docs/s", {e: (docs / wall[e]) if (docs and wall[e]) else None for e in idx})
    t.add("peak RSS, MB", {e: num(r, e + ".index_rss_mb") for e in idx})
    size = {e: (num(r, e + ".index_kb") or 0) / 1024 or None for e in idx}
    t.add("index on disk, MB (× corpus)", size,
          {e: "%s (%.2f×)" % (fmt(size[e]), size[e] / mb) for e in idx if size[e] and mb})
    comp = {e: (num(r, e + ".compact_kb") or 0) / 1024 or None for e in ("zhengce", "xapian")}
    t.add("after xapian-compact, MB (× corpus)", comp,
          {e: "%s (%.2f×)" % (fmt(comp[e]), comp[e] / mb) for e in comp if comp[e] and mb})

    inproc = ["zhengce", "xapian", "fts5_trigram", "fts5_unicode61"]
    t.section("queries in process (one thread): p50 / p99 ms, [queries with ≥1 hit]")
    for c in CLASSES + ["all"]:
        p50 = {e: num(r, "%s.q_%s_p50" % (e, c)) for e in inproc}
        cells = {}
        for e in inproc:
            a, b = num(r, "%s.q_%s_p50" % (e, c)), num(r, "%s.q_%s_p99" % (e, c))
            m = r.get("%s.q_%s_matched" % (e, c))
            if a is not None:
                cells[e] = "%s / %s [%s]" % (fmt(a), fmt(b), m or "?")
        t.add(c, p50, cells)
    # Exact totals (issue 13): the mix again with "exact_count":0, counting
    # no further than the page as before; bench/counts.sh has the detail.
    a, b = num(r, "zhengce_count0.q_all_p50"), num(r, "zhengce_count0.q_all_p99")
    t.add("all, \"exact_count\":0 (no exact totals)", {"zhengce": a},
          {"zhengce": "%s / %s" % (fmt(a), fmt(b))} if a is not None else {})
    if num(r, "zhengce_noprior.q_all_p50") is not None:
        # issue 13: the authority prior's cost, the same pass right after
        t.section("zhengce without the authority prior (\"prior\":false), right after: "
                  "p50 / p99 ms")
        for c in CLASSES + ["all"]:
            a, b = num(r, "zhengce_noprior.q_%s_p50" % c), num(r, "zhengce_noprior.q_%s_p99" % c)
            if a is not None:
                t.add(c + ", no prior", {"zhengce": a}, {"zhengce": "%s / %s" % (fmt(a), fmt(b))})
    nthr = r.get("meta.nproc", "2")
    t.add("QPS, 1 thread", {e: num(r, e + ".q_qps1") for e in inproc})
    t.add("QPS, %s threads (one handle each)" % nthr, {e: num(r, "%s.q_qps%s" % (e, nthr)) for e in inproc})

    t.section("daemons over loopback: QPS (p50 / p99 / p99.9 ms)")
    for kind, what in (("ping", "PING"), ("query", "query mix")):
        for c in (1, 8, 64):
            vals, cells = {}, {}
            for e in ("zhengce", "sphinx", "redis"):
                k = "%s.d_%s_c%d" % (e, kind, c)
                q = num(r, k + "_qps")
                if q is None:
                    continue
                vals[e] = q
                p999 = num(r, k + "_p999")
                err = num(r, k + "_errors")
                cells[e] = "%s (%s / %s%s)%s" % (
                    fmt(q, 0), fmt(num(r, k + "_p50")), fmt(num(r, k + "_p99")),
                    (" / " + fmt(p999)) if p999 is not None else "",
                    (" %d err" % err) if err else "")
            if kind == "query" and c == 8:
                # the yardstick: the daemon against Xapian in process
                vals["xapian"] = num(r, "xapian.q_qps%s" % nthr)
                if vals["xapian"] is not None:
                    cells["xapian"] = "%s (in process, %s thr)" % (fmt(vals["xapian"], 0), nthr)
            t.add("%s, %d conn%s" % (what, c, "s" if c > 1 else ""), vals, cells)
    t.add("RSS idle, MB", {e: num(r, e + ".d_idle_rss_mb") for e in ("zhengce", "sphinx")})
    busy = {e: num(r, e + ".d_busy_rss_mb") for e in ("zhengce", "sphinx")}
    t.add("RSS, 64 busy conns, MB (anon + file)", busy,
          {e: "%s (%s + %s)" % (fmt(busy[e]), fmt(num(r, e + ".d_busy_anon_mb")),
                                fmt(num(r, e + ".d_busy_file_mb")))
           for e in busy if busy[e] is not None})
    return t


def targets(r):
    mb = num(r, "corpus.bytes") / 1048576 if num(r, "corpus.bytes") else None
    out = []

    def check(name, ok, detail):
        if ok is None:
            out.append("- %s: not measured" % name)
        else:
            out.append("- %s: **%s** (%s)" % (name, "met" if ok else "missed", detail))

    w = num(r, "zhengce.index_wall")
    x = num(r, "xapian.index_wall")
    rate = mb / w if (mb and w) else None
    check("indexing ≥ 4 MB/s", None if rate is None else rate >= 4, "%s MB/s" % fmt(rate))
    check("indexing ≥ 9× the Xapian bound", None if not (w and x) else x / w >= 9,
          "%s×" % fmt(x / w if (w and x) else None))
    rss = num(r, "zhengce.index_rss_mb")
    check("indexing peak RSS ≤ 512 MB", None if rss is None else rss <= 512, "%s MB" % fmt(rss))
    comp = num(r, "zhengce.compact_kb")
    cx = comp / 1024 / mb if (comp and mb) else None
    check("compacted index ≤ 2× corpus", None if cx is None else cx <= 2, "%s×" % fmt(cx))
    zq, sq = num(r, "zhengce.d_query_c8_qps"), num(r, "sphinx.d_query_c8_qps")
    check("daemon query mix at 8 conns ≥ 5× Sphinx searchd",
          None if not (zq and sq) else zq / sq >= 5, "%s×" % fmt(zq / sq if (zq and sq) else None))
    xq = num(r, "xapian.q_qps%s" % r.get("meta.nproc", "2"))
    check("daemon query mix at 8 conns ≥ 0.7× the in-process Xapian bound",
          None if not (zq and xq) else zq / xq >= 0.7, "%s×" % fmt(zq / xq if (zq and xq) else None))
    p99 = num(r, "zhengce.d_query_c8_p99")
    check("daemon p99 ≤ 10 ms (the target is stated at 50 MB; this corpus: %s MB)" % fmt(mb, 0),
          None if p99 is None else p99 <= 10, "%s ms at 8 conns" % fmt(p99))
    zp, rp = num(r, "zhengce.d_ping_c64_qps"), num(r, "redis.d_ping_c64_qps")
    check("PING at 64 conns within 2× of redis", None if not (zp and rp) else zp * 2 >= rp,
          "%s×" % fmt(zp / rp if (zp and rp) else None))
    busy = num(r, "zhengce.d_busy_anon_mb")
    check("searchd RSS at 64 busy conns ≤ 64 MB + page cache share",
          None if busy is None else busy <= 64, "%s MB anonymous" % fmt(busy))
    return "\n".join(out)


def section(r, mode):
    t = build(r).markdown()
    meta = [
        "Run: `%s` on %s (%s); commit %s." % (r.get("meta.command", "?"), r.get("meta.date", "?"),
                                               "full" if mode == "full" else "quick",
                                               r.get("meta.commit", "?")),
        "Machine: %s cores, %s, %s GB RAM, Linux %s; load average %s at the start, %s at the end "
        "(other work on the machine shares these cores; compare within one run)." % (
            r.get("meta.nproc", "?"), r.get("meta.cpu", "?"), r.get("meta.ram_gb", "?"),
            r.get("meta.kernel", "?"), r.get("meta.load_start", "?"), r.get("meta.load_end", "?")),
        "Versions: zhengce analyzer `%s`; Xapian %s; Sphinx %s; SQLite %s; redis %s; libevent %s; %s." % (
            r.get("zhengce.analyzer", "?"), r.get("meta.xapian", "?"), r.get("meta.sphinx", "?"),
            r.get("meta.sqlite", "?"), r.get("meta.redis", "?"), r.get("meta.libevent", "?"),
            r.get("meta.cc", "?")),
        "Whole run: %s s.  xapian-compact took %s s (zhengce) and %s s (Xapian bound); "
        "bench/prep.py made Sphinx's TSV in %s s (not counted in Sphinx's indexing time)." % (
            r.get("meta.total_secs", "?"), r.get("zhengce.compact_secs", "?"),
            r.get("xapian.compact_secs", "?"), r.get("sphinx.tsv_secs", "?")),
    ]
    fails = sorted(k for k in r if k.endswith("_failed"))
    if fails:
        meta.append("Failed steps: " + ", ".join("%s (%s)" % (k, r[k]) for k in fails) + ".")
    return "\n\n".join(meta) + "\n\n" + t + "\n\nTargets (issue 6):\n\n" + targets(r) + "\n"


def update_doc(path, mode, text, title=None):
    """Replaces the block between <!-- bench:MODE:begin/end --> in the doc at
    path with text, or appends it under title (default: the make target of
    mode) when the doc has no such block; written atomically."""
    begin, end = "<!-- bench:%s:begin -->" % mode, "<!-- bench:%s:end -->" % mode
    block = begin + "\n" + text + end
    doc = open(path, encoding="utf-8").read() if os.path.exists(path) else "# Benchmarks\n"
    if begin in doc and end in doc:
        doc = doc[:doc.index(begin)] + block + doc[doc.index(end) + len(end):]
    else:
        if title is None:
            title = "## Latest `make %s`" % ("bench" if mode == "full" else "bench-quick")
        doc = doc.rstrip("\n") + "\n\n" + title + "\n\n" + block + "\n"
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write(doc)
    os.replace(path + ".tmp", path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--results", required=True)
    ap.add_argument("--doc", default="docs/benchmarks.md")
    ap.add_argument("--mode", choices=("quick", "full"), required=True)
    a = ap.parse_args()
    r = load(a.results)
    text = section(r, a.mode)
    print()
    print(text)
    if a.doc != "-":
        update_doc(a.doc, a.mode, text)
        print("(written to %s)" % a.doc)


if __name__ == "__main__":
    sys.exit(main())
