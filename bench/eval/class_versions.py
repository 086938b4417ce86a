"""class_versions.py — the `make eval` class "duplicates and versions".

Owns: the class's ground truth (which documents of corpus-real are editions
or copies of one statute, which of them are the same text), its queries,
its two metrics (newest@1 is success@1 against the newest edition; once@10
and nodup@10 below) and its report section, with the hand-checked precision
of the groups the engine forms (versions_checked.tsv, made with
versions_sample.py).

Ground truth, computed from the texts, never by asking the engine:
  - a statute's editions: the Chinese documents that share one exact
    (normalized) title.  On corpus-real every such title is one statute in
    several editions, or one text from two sources (read: versions_sample.py
    lists them).  English titles are left out: same-titled executive orders
    are different orders (each has its own number).
  - the same text: two of them whose normalized bodies (letters, digits and
    Han characters only) share at least 80% of their 4-character shingles
    (exact Jaccard) and whose dates are at most 92 days apart — the
    contract's definition (docs/protocol.md), computed exactly here.

Queries (every one sent once without and once with "collapse":true):
  ver_title  a statute's exact title, for every title with 2+ editions and
             one newest date; relevant: the newest edition(s)
  dup        for every pair of the same text: its title and up to 4 body
             pieces (6-12 characters, 4+ of them Han) that both hold
Metrics:
  newest@1   the first hit is the newest edition (success@1)
  once@10    no two editions of one statute among the top 10
  nodup@10   no two copies of one text among the top 10
"""

import csv
import json
import os
import random
import re
from collections import defaultdict

from corpus import CJK_CHAR, norm

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKED = os.path.join(HERE, "versions_checked.tsv")

DUP_JACCARD = 0.8
DUP_DAYS = 92
SHINGLE = 4
PIECES = 4
SYNTAX_CHARS = set('"()-:')
KEEP = re.compile(r"[^\W_]")

ROWS = [
    ("ver_title", "versions: a statute's exact title", ["newest@1", "once@10"]),
    ("ver_title_c", "… same, \"collapse\":true", ["newest@1", "once@10"]),
    ("dup", "duplicates: title or shared body piece", ["nodup@10"]),
    ("dup_c", "… same, \"collapse\":true", ["nodup@10"]),
]

# id -> edition group number, and the set of same-text pairs (load_truth).
GROUP_OF = {}
DUP_PAIRS = set()


def _days(date):
    m = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$", date or "")
    if not m:
        return None
    import datetime
    return datetime.date(int(m.group(1)), int(m.group(2) or 1),
                         int(m.group(3) or 1)).toordinal()


def _shingles(text):
    s = "".join(ch for ch in norm(text) if KEEP.match(ch))
    return {s[i:i + SHINGLE] for i in range(max(0, len(s) - SHINGLE + 1))}


def same_text(a, b, sa, sb):
    """The contract's duplicate rule, with the exact Jaccard."""
    if not sa or not sb or len(sa & sb) / len(sa | sb) < DUP_JACCARD:
        return False
    da, db = _days(a.get("date")), _days(b.get("date"))
    if da is None or db is None:
        return da is None and db is None
    return abs(da - db) <= DUP_DAYS


def truth(docs):
    """([edition groups: lists of doc indexes], [same-text pairs (i, j)])."""
    by = defaultdict(list)
    for i, d in enumerate(docs):
        if d.get("lang") == "zh" and d.get("title", "").strip():
            by[norm(d["title"]).strip()].append(i)
    groups = [v for v in by.values() if len(v) > 1]
    pairs = []
    for g in groups:
        sh = {i: _shingles(docs[i].get("body", "") or docs[i]["title"]) for i in g}
        for x in range(len(g)):
            for y in range(x + 1, len(g)):
                if same_text(docs[g[x]], docs[g[y]], sh[g[x]], sh[g[y]]):
                    pairs.append((g[x], g[y]))
    return groups, pairs


def load_truth(files):
    """Fills GROUP_OF and DUP_PAIRS from the corpus files (the metrics
    read them; the query set may come from the cache)."""
    docs = [json.loads(line) for f in files for line in open(f, encoding="utf-8")
            if line.strip()]
    groups, pairs = truth(docs)
    GROUP_OF.clear()
    DUP_PAIRS.clear()
    for n, g in enumerate(groups):
        for i in g:
            GROUP_OF[docs[i]["id"]] = n
    for i, j in pairs:
        DUP_PAIRS.add(frozenset((docs[i]["id"], docs[j]["id"])))


def once_at(ranked, rel, k=10):
    seen = set()
    for d in ranked[:k]:
        g = GROUP_OF.get(d)
        if g is not None:
            if g in seen:
                return 0.0
            seen.add(g)
    return 1.0


def nodup_at(ranked, rel, k=10):
    top = ranked[:k]
    for x in range(len(top)):
        for y in range(x + 1, len(top)):
            if frozenset((top[x], top[y])) in DUP_PAIRS:
                return 0.0
    return 1.0


def metric_fns(metrics):
    return {
        "newest@1": lambda r, rel: metrics.success_at(r, rel, 1),
        "once@10": once_at,
        "nodup@10": nodup_at,
    }


def _q(cls, text, rel, src, collapse, **extra):
    arg = {"q": text, "limit": 10}
    if collapse:
        arg["collapse"] = True
    return {"cls": cls + ("_c" if collapse else ""), "text": text,
            "arg": json.dumps(arg, ensure_ascii=False), "rel": sorted(set(rel)),
            "src": src, "extra": extra}


def _pieces(corp, i, j, rng):
    """Up to PIECES body pieces of document i that document j holds too."""
    paras = [p.strip() for p in corp.docs[i].get("body", "").split("\n") if len(p.strip()) >= 12]
    out = []
    for _ in range(60):
        if not paras or len(out) >= PIECES:
            break
        p = rng.choice(paras)
        n = rng.randint(6, 12)
        s = rng.randrange(0, len(p) - n + 1)
        piece = p[s:s + n]
        if any(ch in SYNTAX_CHARS for ch in piece) or not (piece[0].isalnum() and
                                                           piece[-1].isalnum()):
            continue
        if len(CJK_CHAR.findall(piece)) < 4 or piece in out:
            continue
        pn = norm(piece)
        if pn in corp.norm_text[i] and pn in corp.norm_text[j]:
            out.append(piece)
    return out


def queries(corp, seed, per_class):
    """The class's queries (both forms), from the corpus."""
    rng = random.Random(seed)
    groups, pairs = truth(corp.docs)
    out = []
    for g in groups[:per_class]:
        dated = [(_days(corp.docs[i].get("date")), i) for i in g]
        dated = [(d, i) for d, i in dated if d is not None]
        if not dated:
            continue
        newest = max(d for d, _ in dated)
        rel = [corp.docs[i]["id"] for d, i in dated if d == newest]
        src = g[rng.randrange(len(g))]
        for collapse in (False, True):
            out.append(_q("ver_title", corp.docs[src]["title"].strip(), rel,
                          rel[0], collapse, editions=len(g)))
    for i, j in pairs[:per_class]:
        ids = [corp.docs[i]["id"], corp.docs[j]["id"]]
        texts = [corp.docs[i]["title"].strip()] + _pieces(corp, i, j, rng)
        for t in texts:
            for collapse in (False, True):
                out.append(_q("dup", t, ids, ids[0], collapse))
    return out


# ---- the report ---------------------------------------------------------------------

def checked_sample():
    """The hand-checked sample: rows of versions_checked.tsv."""
    if not os.path.exists(CHECKED):
        return []
    with open(CHECKED, encoding="utf-8") as f:
        return [r for r in csv.DictReader((line for line in f if not line.startswith("#")),
                                          delimiter="\t")]


def section():
    """The markdown section of docs/quality.md."""
    rows = checked_sample()
    groups = defaultdict(list)
    for r in rows:
        groups[r["group"]].append(r)
    right = sum(1 for r in rows if r["verdict"] == "right")
    by_rel = defaultdict(lambda: [0, 0])
    for r in rows:
        by_rel[r["engine"]][0] += 1
        by_rel[r["engine"]][1] += r["verdict"] == "right"
    whole = sum(1 for g in groups.values() if all(r["verdict"] == "right" for r in g))
    md = ["\n## Duplicates and versions\n",
          "What the rows \"versions\" and \"duplicates\" above measure: whether the "
          "newest edition of a statute comes first when its exact title is searched "
          "(newest@1, with and without `\"collapse\":true`), whether a collapsed "
          "answer holds each statute once (once@10: no two editions of one statute "
          "among the top 10; without collapsing every edition is its own hit, as the "
          "contract says, so that row is low by design), and whether a collapsed "
          "answer never shows one text and its copy as two hits (nodup@10).  Ground "
          "truth from the texts (bench/eval/class_versions.py): the editions of a "
          "statute are the Chinese documents sharing one exact title; two of them are "
          "the same text when their bodies share 80% of their 4-character shingles "
          "(exact Jaccard) and their dates are at most 92 days apart.\n",
          "How well the engine groups and judges, checked by reading: %d groups the "
          "engine forms on corpus-real (both files indexed), sampled with a fixed seed "
          "by `bench/eval/versions_sample.py`, each member's title, date, document "
          "number, issuer and the start and length of its body read and its relation "
          "to the group's preferred document judged by hand "
          "(`bench/eval/versions_checked.tsv`; "
          "`tests/integration/test_versions.py` checks that the engine still judges "
          "them so).\n" % len(groups),
          "| engine says | pairs | right | precision |",
          "|---|---:|---:|---:|"]
    for rel in sorted(by_rel):
        n, k = by_rel[rel]
        md.append("| %s | %d | %d | %.3f |" % (rel, n, k, k / n if n else 0))
    md.append("| all | %d | %d | %.3f |" % (len(rows), right,
                                           right / len(rows) if rows else 0))
    md.append("\nGroups whose every member is judged right: %d of %d.  Wrong or "
              "doubtful judgments:\n" % (whole, len(groups)))
    bad = [r for r in rows if r["verdict"] != "right"]
    md += ["- %s / %s: engine says %s; %s" % (r["preferred"], r["member"], r["engine"],
                                             r["note"]) for r in bad] or ["- none"]
    return "\n".join(md)
