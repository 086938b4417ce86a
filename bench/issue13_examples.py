#!/usr/bin/env python3
"""issue13_examples.py — the examples of issue 13, measured on an index of
the real corpus (both files), for the before/after table of its closing
note and docs/quality.md.

Usage: bench/issue13_examples.py --zhengce BUILD/bin/zhengce --index DIR

Prints one line per example: counts (reported total and whether exact,
against the true count read with facets, which count every match),
the rank of a named document (authority), the order of a law's versions
and of a regulation's two sources (duplicates), and abbreviation totals.
Options a build does not know (collapse) are tried and reported as
"unsupported" rather than failing, so the same script runs on old builds.
"""
import argparse
import json
import subprocess
import sys


def search(zc, index, q, *opts):
    p = subprocess.run([zc, "search", "--index", index, "--json", *opts, "--", q],
                       capture_output=True, text=True)
    if p.returncode not in (0, 1) or not p.stdout.strip():
        return None
    return json.loads(p.stdout)


def true_count(zc, index, q):
    r = search(zc, index, q, "--facets", "lang", "--limit", "1")
    return sum(v["count"] for v in r["facets"]["lang"]) if r and r.get("ok") else None


def rank_of(hits, title):
    for i, h in enumerate(hits):
        if h.get("title") == title:
            return i + 1
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--zhengce", required=True)
    ap.add_argument("--index", required=True)
    a = ap.parse_args()
    zc, ix = a.zhengce, a.index
    print("## counts (reported on pages 1, 3 and 10 / true)")
    for q in ["知识产权", "国务院", '"national security"', "的", "order"]:
        tot = []
        for off in ("0", "20", "90"):
            r = search(zc, ix, q, "--offset", off)
            tot.append("%s%s" % (r["total"], "" if r.get("exact") else "~") if r else "err")
        print("count  %-22s %-22s true %s" % (q, " / ".join(tot), true_count(zc, ix, q)))
    print("## authority (rank of the national document, top 50)")
    for q, title in [("大气污染防治", "中华人民共和国大气污染防治法"),
                     ("城乡规划", "中华人民共和国城乡规划法"),
                     ("营商环境", "优化营商环境条例"),
                     ("房地产", "中华人民共和国城市房地产管理法")]:
        r = search(zc, ix, q, "--limit", "50", "--no-snippet")
        print("rank   %-12s %-34s %s" % (q, title, rank_of(r["hits"], title) if r else "err"))
    print("## versions and duplicates (top hits: id date docno [marks])")
    for q in ["中华人民共和国农产品质量安全法", "个人所得税法实施条例"]:
        for extra in ([], ["--collapse"]):
            r = search(zc, ix, q, "--limit", "3", "--no-snippet", *extra)
            label = "collapse" if extra else "default"
            if r is None:
                print("group  %-30s %-8s unsupported" % (q, label))
                continue
            hs = []
            for h in r["hits"]:
                marks = [k + "=" + json.dumps(h[k], ensure_ascii=False)
                         for k in ("version_of", "duplicate_of", "versions", "duplicates")
                         if k in h]
                hs.append("%s %s %s %s" % (h["id"], h.get("date"), h.get("docno"),
                                           " ".join(marks)))
            print("group  %-30s %-8s %s" % (q, label, " | ".join(hs)))
    print("## abbreviations (reported total / true count)")
    for q in ["发改委", "发展改革委", "国家发展和改革委员会", "EO 13769", "E.O. 13769",
              "Executive Order 13769", "人社部", "住建部", "国办"]:
        r = search(zc, ix, q, "--limit", "1", "--no-snippet")
        print("abbr   %-24s %s / %s" % (q, r["total"] if r else "err", true_count(zc, ix, q)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
