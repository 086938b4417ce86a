#!/usr/bin/python3
"""eval.py — `make eval`: measured search quality of zhengce, per analyzer.

Owns: the run as a whole — check the inputs, build the judged query set
(querygen.py) from shared/corpus-real, index the corpus once per analyzer
mode (engine.py), run every query through build/bench/evalq, score
(metrics.py), run the outside yardsticks (zhir.py; bench/segeval.sh), print
one table and write docs/quality.md.

Every stage reports progress on standard error; the table goes to standard
output.  Deterministic: the query set depends only on the inputs and the
seed, and indexes and query sets are cached under build/eval/ keyed by the
inputs' sha256 (and, for indexes, the indexer binary).

Must never: judge with the engine's own help (ground truth is computed by
scanning the normalized texts in Python), or print a number for an analyzer
the indexer could not build (that column says "unavailable" and why).

Usage: python3 bench/eval/eval.py [--build DIR] [--shared DIR]
          [--analyzers ngram,words,hybrid] [--seed N] [--per-class N]
          [--jobs N] [--out FILE | --no-write] [--rebuild]
          [--daemon HOST:PORT] [--no-zhir] [--no-seg] [--no-counts] [--self-test]
"""

import argparse
import concurrent.futures
import datetime
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))

import class_counts  # noqa: E402
import class_versions  # noqa: E402
import class_authority  # noqa: E402
import class_units  # noqa: E402
import corpus as corpus_mod  # noqa: E402
import engine as engine_mod  # noqa: E402
import metrics  # noqa: E402
import querygen  # noqa: E402
import zhir as zhir_mod  # noqa: E402
import class_abbrev  # noqa: E402

T0 = time.time()
MODES = ("ngram", "words", "hybrid")
# Relative indexing time of each mode (measured: about 90, 150, 280 s on 2
# cores); only used to start the slowest index first.
BUILD_COST = {"ngram": 1, "words": 2, "hybrid": 3}
DEFAULT_SEED = 20240605
DEFAULT_PER_CLASS = 300

CORPUS_SHA = {
    "policies.jsonl": "4d7958b2b03f4948f1eb3e25cbffd8627d501202e2328aa14cf747f283218284",
    "policies-en.jsonl": "8c713de65676ab31337591f10cff1522b3c505058f3ba7b37db511b416b0c3d5",
}

# (class, row label, metrics).  A "_t" class is printed under its source
# with the difference to it.
ROWS = [
    ("title_zh", "known item: exact title (zh)", ["mrr@10", "success@1", "success@10"]),
    ("title_zh_t", "… same, Traditional (OpenCC s2t)", ["mrr@10", "success@1", "success@10"]),
    ("titlewords_zh", "known item: 2-3 title words (zh)", ["mrr@10", "success@1", "success@10"]),
    ("body_zh", "known item: 6-12 char body piece (zh)", ["mrr@10", "success@1", "success@10"]),
    ("body_zh_t", "… same, Traditional", ["mrr@10", "success@1", "success@10"]),
    ("body_zh_q", "… same, in quotes", ["mrr@10", "success@1", "success@10"]),
    ("phrase_zh", "phrase: \"2-8 Han characters\"", ["prec@10", "fill@10", "recall@100"]),
    ("phrase_zh_t", "… same, Traditional", ["prec@10", "fill@10", "recall@100"]),
    ("phrase_zh_u", "phrase: 2-8 Han characters, unquoted", ["prec@10", "fill@10", "recall@100"]),
    ("phrase_en", "phrase: \"2-4 English words\"", ["prec@10", "fill@10", "recall@100"]),
    ("phrase_en_u", "phrase: 2-4 English words, unquoted", ["prec@10", "fill@10", "recall@100"]),
    ("docno", "document number, all spellings", ["success@1"]),
    ("title_en", "English: exact EO title", ["mrr@10", "success@1", "success@10"]),
    ("words_en", "English: 2-4 words, unquoted", ["mrr@10", "success@1", "success@10"]),
] + class_abbrev.ROWS + class_versions.ROWS + [
    (class_authority.CLS, class_authority.LABEL, class_authority.METRICS),
] + class_units.ROWS

METRIC_FN = {
    "mrr@10": lambda r, rel: metrics.rr_at(r, rel, 10),
    "success@1": lambda r, rel: metrics.success_at(r, rel, 1),
    "success@3": lambda r, rel: metrics.success_at(r, rel, 3),
    "success@10": lambda r, rel: metrics.success_at(r, rel, 10),
    "prec@10": lambda r, rel: metrics.prec_at(r, rel, 10),
    "recall@100": lambda r, rel: metrics.rcap_at(r, rel, 100),
    # |relevant ∩ top 10| / min(10, |relevant|): 1 when the top 10 holds as
    # many relevant documents as it can (the ranking question of the
    # unquoted phrase classes, where prec@10 is capped by |relevant| / 10).
    "fill@10": lambda r, rel: metrics.rcap_at(r, rel, 10),
}
METRIC_FN.update(class_versions.metric_fns(metrics))


def progress(msg):
    # One write per line: index builds report from several threads.
    sys.stderr.write("[eval %6.1fs] %s\n" % (time.time() - T0, msg))
    sys.stderr.flush()


def parse_args(argv):
    ap = argparse.ArgumentParser(description="zhengce search-quality evaluation")
    ap.add_argument("--build", default=os.environ.get("BUILD", "build"))
    ap.add_argument("--shared", default=os.environ.get("SHARED", str(REPO.parent / "shared")))
    ap.add_argument("--analyzers", default=os.environ.get("EVAL_ANALYZERS", ",".join(MODES)))
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--per-class", type=int, default=DEFAULT_PER_CLASS)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--out", default=str(REPO / "docs" / "quality.md"))
    ap.add_argument("--no-write", action="store_true", help="do not write docs/quality.md")
    ap.add_argument("--rebuild", action="store_true", help="rebuild indexes and query set")
    ap.add_argument("--daemon", metavar="HOST:PORT",
                    help="query a running zhengce-searchd (serving the corpus) instead")
    ap.add_argument("--no-zhir", action="store_true")
    ap.add_argument("--no-seg", action="store_true")
    ap.add_argument("--no-counts", action="store_true",
                    help="skip the count accuracy class (its generated index)")
    ap.add_argument("--self-test", action="store_true", help="check the metrics and exit")
    a = ap.parse_args(argv)
    a.modes = [m.strip() for m in a.analyzers.split(",") if m.strip()]
    bad = [m for m in a.modes if m not in MODES]
    if bad:
        ap.error("unknown analyzer %s (choose from %s)" % (bad, ", ".join(MODES)))
    return a


# ---- cached preparation ------------------------------------------------------

def source_hash():
    h = hashlib.sha256()
    for path in ([HERE / "corpus.py", HERE / "querygen.py"] + sorted(HERE.glob("class_*.py"))
                 + class_abbrev.SOURCES):
        h.update(path.read_bytes())
    return h.hexdigest()


def folded_texts(corp, work, opencc, corpus_key):
    """{doc index: normalized OpenCC t2s text} for the documents whose text
    t2s changes (the few partly Traditional ones).  Cached."""
    cache = work / "t2s-folded.json"
    if cache.exists():
        try:
            c = json.loads(cache.read_text(encoding="utf-8"))
            if c.get("key") == corpus_key:
                return {int(k): v for k, v in c["folded"].items()}
        except ValueError:
            pass
    progress("folding the corpus with OpenCC t2s to find Traditional text")
    src = work / "t2s-in.txt"
    dst = work / "t2s-out.txt"
    lines = [(d.get("title", "") + " " + d.get("body", "")).replace("\n", " ")
             for d in corp.docs]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    subprocess.run([opencc, "-c", "t2s.json", "-i", str(src), "-o", str(dst)], check=True)
    out = dst.read_text(encoding="utf-8").split("\n")
    if out and out[-1] == "":
        out.pop()
    if len(out) != len(lines):
        raise RuntimeError("opencc t2s returned %d lines for %d" % (len(out), len(lines)))
    folded = {i: corpus_mod.norm(o) for i, (l, o) in enumerate(zip(lines, out)) if l != o}
    cache.write_text(json.dumps({"key": corpus_key, "folded": folded}, ensure_ascii=False),
                     encoding="utf-8")
    src.unlink()
    dst.unlink()
    progress("t2s changes %d documents" % len(folded))
    return folded


def build_queries(args, work, files, shas):
    opencc = shutil.which("opencc")
    key = hashlib.sha256(json.dumps({
        "gen": querygen.GEN_VERSION, "seed": args.seed, "per_class": args.per_class,
        "inputs": shas, "src": source_hash(), "opencc": bool(opencc)},
        sort_keys=True).encode()).hexdigest()
    cache = work / "queries.json"
    if cache.exists() and not args.rebuild:
        try:
            c = json.loads(cache.read_text(encoding="utf-8"))
            if c.get("key") == key:
                progress("query set: reusing %s (%d queries)" % (cache, len(c["queries"])))
                return c["queries"], c["notes"], None
        except ValueError:
            pass
    progress("query set: loading the corpus")
    corp = corpus_mod.Corpus(files, progress)
    notes = []
    folded = {}
    if opencc:
        folded = folded_texts(corp, work, opencc, hashlib.sha256(
            json.dumps(shas, sort_keys=True).encode()).hexdigest())
    else:
        notes.append("opencc not found: no Traditional queries, no folding check")
    wl = [Path(args.shared) / "seg-gold" / n for n in ("pku_training_words.utf8",
                                                       "msr_training_words.utf8")]
    words = None
    if all(p.exists() for p in wl):
        words = querygen.load_words([str(p) for p in wl])
    else:
        notes.append("seg-gold word lists missing: no title-word queries")
    gen = querygen.Generator(corp, args.seed, args.per_class, folded, progress, words)
    qs = gen.build()
    qs += querygen.variants(qs)
    qs += class_units.generate(corp, args.seed, args.per_class, progress)
    if opencc:
        qs += querygen.traditional(qs, [opencc, "-c", "s2t.json"], work, progress)
    qs += class_abbrev.queries(corp, args.seed, progress)
    qs += class_versions.queries(corp, args.seed, args.per_class)
    check_ground_truth(corp, qs)
    cache.write_text(json.dumps({"key": key, "queries": qs, "notes": notes},
                                ensure_ascii=False), encoding="utf-8")
    return qs, notes, corp


def check_ground_truth(corp, qs):
    """Sanity checks on the judgments, by a second, slower method."""
    ids = {d["id"] for d in corp.docs}
    for x in qs:
        assert x["rel"], "empty relevant set: %r" % x
        assert set(x["rel"]) <= ids, "unknown relevant id: %r" % x
        assert x["src"] in x["rel"], "the source document is not relevant: %r" % x
    # Re-derive some phrase sets by testing every document directly.
    by = {}
    for x in qs:
        by.setdefault(x["cls"], []).append(x)
    for x in by.get("phrase_zh", [])[:25]:
        p = x["extra"]["phrase"]
        want = sorted(d["id"] for d, t in zip(corp.docs, corp.norm_text) if p in t)
        assert want == x["rel"], "phrase_zh judgments differ for %s" % p
    for x in by.get("body_zh", [])[:25]:
        p = corpus_mod.norm(x["text"])
        want = [d["id"] for d, t in zip(corp.docs, corp.norm_text) if p in t]
        assert want == x["rel"], "body_zh piece not distinctive: %s" % p
    for x in by.get("phrase_en", [])[:25]:
        w = x["extra"]["phrase"].split()
        want = sorted(d["id"] for i, d in enumerate(corp.docs)
                      if any(corp.tokens(i)[k:k + len(w)] == w
                             for k in range(len(corp.tokens(i)) - len(w) + 1)))
        assert want == x["rel"], "phrase_en judgments differ for %s" % w
    class_units.check(corp, qs)
    progress("query set: ground truth re-checked by direct scan")


# ---- scoring -----------------------------------------------------------------

def score(qs, answers):
    """{class: {"n", "errors", metric: (mean, ci95)}} for one column."""
    out = {}
    by = {}
    for x, a in zip(qs, answers):
        by.setdefault(x["cls"], []).append((x, a))
    for cls, _, mets in ROWS:
        rows = by.get(cls, [])
        if not rows:
            continue
        res = {"n": len(rows), "errors": 0, "empty": 0}
        vals = {m: [] for m in mets}
        for x, a in rows:
            if isinstance(a, tuple):
                res["errors"] += 1
                if res["errors"] <= 3:
                    res.setdefault("error_examples", []).append([x["text"], a[1], a[2]])
                a = []
            if not a:
                res["empty"] += 1
            rel = set(x["rel"])
            for m in mets:
                vals[m].append(METRIC_FN[m](a, rel))
        for m in mets:
            res[m] = (metrics.mean(vals[m]), metrics.ci95(vals[m]))
        if cls.endswith("_t"):
            res["changed"] = sum(1 for x, _ in rows if x["extra"].get("changed"))
        out[cls] = res
    # Document numbers by spelling and language.
    dn = {}
    for x, a in by.get("docno", []):
        if isinstance(a, tuple):
            a = []
        key = "%s · %s" % (x["extra"]["lang"], x["extra"]["spelling"])
        dn.setdefault(key, []).append(metrics.success_at(a, set(x["rel"]), 1))
    out["docno_by"] = {k: (metrics.mean(v), len(v)) for k, v in sorted(dn.items())}
    out["units_by"] = class_units.by_spelling(zip(qs, answers), METRIC_FN["prec@10"])
    return out


# ---- report --------------------------------------------------------------------

def fmt(v):
    return "%.3f" % v


def main_table(qs, columns, results):
    counts = {}
    for x in qs:
        counts[x["cls"]] = counts.get(x["cls"], 0) + 1
    head = "| query class | n | metric | " + " | ".join(columns) + " |"
    sep = "|---|---:|---|" + "---:|" * len(columns)
    lines = [head, sep]
    for cls, label, mets in ROWS:
        if cls not in counts:
            continue
        n = str(counts[cls])
        if cls.endswith("_t"):
            ch = [results[c][cls].get("changed") for c in columns if c in results and
                  cls in results[c]]
            if ch and ch[0] is not None:
                n += " (%d changed)" % ch[0]
        for k, m in enumerate(mets):
            cells = []
            for c in columns:
                r = results.get(c, {}).get(cls)
                if r is None:
                    cells.append("—")
                    continue
                v = r[m][0]
                cell = fmt(v)
                if cls.endswith("_t"):
                    base = results[c].get(cls[:-2])
                    if base:
                        cell += " (%+.3f)" % (v - base[m][0])
                cells.append(cell)
            lines.append("| %s | %s | %s | %s |" % (label if k == 0 else "",
                                                     n if k == 0 else "", m,
                                                     " | ".join(cells)))
    return "\n".join(lines)


def docno_table(columns, results):
    keys = []
    for c in columns:
        for k in results.get(c, {}).get("docno_by", {}):
            if k not in keys:
                keys.append(k)
    lines = ["| language · spelling | n | " + " | ".join(columns) + " |",
             "|---|---:|" + "---:|" * len(columns)]
    for k in keys:
        n = next(results[c]["docno_by"][k][1] for c in columns
                 if k in results.get(c, {}).get("docno_by", {}))
        cells = [fmt(results[c]["docno_by"][k][0]) if k in results.get(c, {}).get(
            "docno_by", {}) else "—" for c in columns]
        lines.append("| %s | %d | %s |" % (k, n, " | ".join(cells)))
    return "\n".join(lines)


def zhir_table(zres):
    lines = ["| run | queries | nDCG@10 | MRR@10 | Recall@10 | Recall@100 | Recall@1000 |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for split, label in (("all", "all 1,543"), ("dev", "dev 308")):
        ref = zhir_mod.BM25_REF[split]
        lines.append("| BM25 reference (README) | %s | %s |" % (
            label, " | ".join("%.4f" % ref[m] for m in zhir_mod.METRICS)))
        for col, r in zres.items():
            s = r[split]
            lines.append("| zhengce %s | %s | %s |" % (col, label, " | ".join(
                "%.4f" % s[m] for m in zhir_mod.METRICS)))
    return "\n".join(lines)


def run_segeval(build, shared):
    env = dict(os.environ, BUILD=build, SHARED=shared)
    r = subprocess.run(["bash", str(REPO / "bench" / "segeval.sh")], cwd=str(REPO), env=env,
                       capture_output=True, text=True)
    rows = []
    for line in r.stdout.splitlines():
        f = line.split()
        if len(f) >= 5 and f[0] in ("pku", "msr"):
            rows.append({"set": f[0], "P": f[1], "R": f[2], "F1": f[3], "jieba": f[4]})
    return {"rc": r.returncode, "stdout": r.stdout, "stderr": r.stderr.strip(), "rows": rows}


def seg_table(seg):
    lines = ["| test set | P | R | F1 | jieba F1 (published) | F1 ≥ jieba |",
             "|---|---:|---:|---:|---:|---|"]
    for r in seg["rows"]:
        try:
            ok = "yes" if float(r["F1"]) >= float(r["jieba"]) else "no"
        except ValueError:
            ok = "?"
        lines.append("| %s | %s | %s | %s | %s | %s |" % (
            r["set"].upper(), r["P"], r["R"], r["F1"], r["jieba"], ok))
    return "\n".join(lines)


def machine_note():
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return "%s, %d cores, %s %s, Python %s" % (cpu or "unknown CPU", os.cpu_count() or 0,
                                               platform.system(), platform.release(),
                                               platform.python_version())


def git_note():
    try:
        head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--",
                                "lib", "wrappers", "indexer"],
                               capture_output=True, text=True).stdout.strip()
        return head + (" (with uncommitted changes in lib/, wrappers/ or indexer/)"
                       if dirty else "")
    except OSError:
        return "unknown"


# ---- main ------------------------------------------------------------------------

def main(argv):
    args = parse_args(argv)
    # The tree the binaries are built from: make eval builds them just
    # before; read now, not at the end, when others may have changed it.
    args.git_note = git_note()
    metrics.self_check()
    progress("metric self-check passed (a perfect ranking scores 1, known cases agree)")
    if args.self_test:
        return 0

    shared = Path(args.shared)
    cdir = shared / "corpus-real"
    files = [str(cdir / "policies.jsonl"), str(cdir / "policies-en.jsonl")]
    if not all(os.path.exists(f) for f in files):
        print("eval: %s is missing (the shared corpora are not here): nothing to "
              "evaluate; docs/quality.md left as it is." % cdir, file=sys.stderr)
        return 0

    build = args.build
    work = Path(build) / "eval"
    work.mkdir(parents=True, exist_ok=True)

    progress("hashing the inputs")
    shas = {}
    for f in files:
        name = os.path.basename(f)
        shas[name] = corpus_mod.sha256_file(f)
        if shas[name] != CORPUS_SHA[name]:
            progress("WARNING %s sha256 %s differs from SOURCE.md's" % (name, shas[name][:12]))
    n_docs = sum(1 for f in files for line in open(f, encoding="utf-8") if line.strip())
    class_versions.load_truth(files)

    notes = []
    columns = []
    unavailable = {}
    how = {}
    eng = None
    zhir = None
    if not args.no_zhir and (shared / "zh-ir" / "docs.jsonl").exists():
        zhir = zhir_mod.ZhIr(str(shared / "zh-ir"), progress)
    elif not args.no_zhir:
        notes.append("%s is missing: zh-ir yardstick skipped" % (shared / "zh-ir"))

    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs))
    futures = {}
    index_secs = {}
    if args.daemon:
        daemon = engine_mod.Daemon(args.daemon, progress)
        st = daemon.stats()
        col = "daemon %s" % args.daemon
        columns.append(col)
        if st.get("docs") != n_docs:
            notes.append("the daemon serves %s documents, the corpus has %d" %
                         (st.get("docs"), n_docs))
        zhir = None
        notes.append("daemon mode: zh-ir needs its own index and is skipped")
    else:
        eng = engine_mod.Engine(build, str(work), progress)
        for mode in args.modes:
            try:
                how[mode], note = eng.probe(mode)
                if note:
                    notes.append("%s: %s" % (mode, note))
                columns.append(mode)
                progress("analyzer %s: available (%s)" % (mode, how[mode]))
            except engine_mod.Unavailable as e:
                unavailable[mode] = str(e)
                progress("analyzer %s: UNAVAILABLE — %s (column skipped)" % (mode, e))
        # Indexes build in the background while the query set is made; the
        # slowest (hybrid, then words) start first, so the run ends sooner.
        for mode in sorted(columns, key=lambda m: -BUILD_COST[m]):
            futures[(mode, "corpus")] = pool.submit(
                eng.ensure_index, mode, how[mode], "corpus", files, shas, n_docs,
                args.rebuild)
        for mode in columns:
            if zhir:
                futures[(mode, "zhir")] = pool.submit(
                    eng.ensure_index, mode, how[mode], "zhir", [zhir.docs_path],
                    {"docs.jsonl": zhir.shas["docs.jsonl"]}, len(zhir.doc_ids), args.rebuild)
    seg_future = None
    if not args.no_seg:
        if (shared / "seg-gold" / "pku_test.utf8").exists():
            progress("segmenter F1: running bench/segeval.sh in the background")
            seg_future = pool.submit(run_segeval, build, str(shared))
        else:
            notes.append("%s is missing: segmenter F1 skipped" % (shared / "seg-gold"))

    qs, qnotes, _ = build_queries(args, work, files, shas)
    notes += qnotes
    progress("query set: %d queries in %d classes" %
             (len(qs), len({x["cls"] for x in qs})))

    # Queries, per column.
    results, zres, timings = {}, {}, {}
    args_list = [x["arg"] for x in qs]
    run_futures = {}
    # Queries get their own workers: they must not wait behind index builds
    # of other columns.
    qpool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs))
    if args.daemon:
        for col in columns:
            run_futures[(col, "corpus")] = qpool.submit(daemon.run, args_list)
    # Each index's queries start as soon as that index is ready.
    waiting = {fut: key for key, fut in futures.items()}
    for fut in concurrent.futures.as_completed(list(waiting)):
        col, what = waiting[fut]
        idx, secs, reused = fut.result()
        if what == "corpus":
            if reused:
                index_secs[col] = "reused" + (" (built in %.0f s)" % secs if secs else "")
            else:
                index_secs[col] = "%.0f s" % secs
            run_futures[(col, what)] = qpool.submit(eng.run_evalq, idx, args_list, "judged")
        else:
            run_futures[(col, what)] = qpool.submit(
                eng.run_evalq, idx, zhir.lines(), "zhir")
    # Scored in a fixed order, whatever order they finished in.
    run_futures = {k: run_futures[k] for k in sorted(
        run_futures, key=lambda k: (columns.index(k[0]), k[1] != "corpus"))}
    index_secs = {c: index_secs[c] for c in columns if c in index_secs}
    known = None
    corpus_idx = {}
    for (col, what), fut in futures.items():
        if what == "corpus":
            corpus_idx[col] = fut.result()[0]
    for (col, what), fut in run_futures.items():
        answers, secs, problems = fut.result()
        timings["%s/%s" % (col, what)] = secs
        for pr in problems[:3]:
            notes.append("%s, %s: %s" % (col, what, pr))
        if len(problems) > 3:
            notes.append("%s, %s: %d more answers ranked a document twice" %
                         (col, what, len(problems) - 3))
        progress("%s: %s queries answered in %.1f s" % (col, what, secs))
        if what == "corpus":
            if known is None:
                known = set()
                for f in files:
                    with open(f, encoding="utf-8") as fh:
                        known.update(json.loads(line)["id"] for line in fh if line.strip())
            stray = {d for a in answers if isinstance(a, list) for d in a} - known
            assert not stray, "evalq returned ids not in the corpus: %s" % sorted(stray)[:5]
            results[col] = score(qs, answers)
            errs = sum(r.get("errors", 0) for k, r in results[col].items()
                       if k not in ("docno_by", "units_by"))
            if errs:
                notes.append("%s: %d queries were refused by the engine (scored as empty)"
                             % (col, errs))
            # A class where most queries find nothing points at an engine
            # bug (or a broken index), not at ranking: say so.
            for cls, label, _ in ROWS:
                r = results[col].get(cls)
                if r and r["empty"] * 2 >= r["n"]:
                    notes.append("%s: %d of %d \"%s\" queries found nothing — check the "
                                 "engine before reading this row" % (col, r["empty"], r["n"],
                                                                     label))
        else:
            zres[col] = zhir.score(answers)
            if zres[col]["errors"]:
                notes.append("%s: %d zh-ir queries refused" % (col, zres[col]["errors"]))
            if zres[col]["empty"]:
                notes.append("%s: %d zh-ir queries found nothing" % (col, zres[col]["empty"]))
    counts = None
    if eng is not None and columns and not args.no_counts:
        counts = class_counts.run(eng, how, columns, corpus_idx, files, shas, args, work,
                                  progress)
        notes += counts["notes"]
    seg = seg_future.result() if seg_future else None
    if seg:
        progress("segmenter F1: %s" % ("; ".join("%s F1 %s" % (r["set"], r["F1"])
                                                for r in seg["rows"]) or
                                      "failed: " + seg["stderr"][:200]))
    pool.shutdown()
    qpool.shutdown()

    for m, why in unavailable.items():
        notes.append("%s: unavailable — %s" % (m, why))
    report = render(args, argv, qs, columns, results, zres, seg, notes, unavailable, shas,
                    zhir, index_secs, timings, counts)
    print(report["console"])
    (work / "results.json").write_text(json.dumps({
        "columns": columns, "results": results, "zhir": zres, "seg": seg,
        "notes": notes, "unavailable": unavailable, "timings": timings,
        "index_secs": index_secs, "counts": counts}, ensure_ascii=False, indent=1),
        encoding="utf-8")
    if not args.no_write:
        Path(args.out).write_text(report["markdown"], encoding="utf-8")
        progress("wrote %s and %s" % (args.out, work / "results.json"))
    progress("done in %.0f s" % (time.time() - T0))
    return 0


def make_command(args, argv):
    """The `make eval` line that reproduces this run (run.sh adds --build
    and --shared from make's BUILD and SHARED)."""
    user, skip = [], False
    for k, a in enumerate(argv):
        if skip:
            skip = False
            continue
        if a in ("--build", "--shared"):
            skip = True
            continue
        if a.startswith("--build=") or a.startswith("--shared="):
            continue
        user.append(a)
    cmd = "make eval"
    if os.path.normpath(args.build) != "build":
        cmd += " BUILD=%s" % args.build
    if user:
        cmd += " EVAL_ARGS='%s'" % " ".join(user)
    return cmd


def render(args, argv, qs, columns, results, zres, seg, notes, unavailable, shas, zhir,
           index_secs, timings, counts=None):
    shown = columns + [m for m in unavailable if m not in columns]
    table = main_table(qs, shown, results)
    dtable = docno_table(shown, results)
    ztable = zhir_table(zres) if zres else None
    stable = seg_table(seg) if seg and seg["rows"] else None
    command = make_command(args, argv)
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    elapsed = time.time() - T0

    console = ["", "Search quality (judged queries on corpus-real; columns: analyzers)", "",
               table, "", dtable]
    if counts:
        console += ["", "Count accuracy", "", class_counts.table(counts)]
    if class_units.table(shown, results):
        console += ["", class_units.table(shown, results)]
    if ztable:
        console += ["", 'zh-ir (STARD pool; questions sent as SEARCH {"q":…,"match":"any","limit":1000})', "", ztable]
    if stable:
        console += ["", "Segmenter word F1 (SIGHAN 2005)", "", stable]
    if notes:
        console += ["", "Notes:"] + ["- " + n for n in notes]
    console.append("")

    md = []
    md.append("# Search quality\n")
    md.append("Generated by `%s` (which runs `bash bench/eval/run.sh`, i.e. "
              "`bench/eval/eval.py`) — do not edit by hand; run it again.\n" % command)
    md.append("- Date: %s; whole run %.0f s (indexing: %s)." % (
        now, elapsed, ", ".join("%s %s" % kv for kv in index_secs.items()) or "n/a"))
    md.append("- Machine: %s." % machine_note())
    md.append("- zhengce commit: %s (at the start of the run)." % args.git_note)
    md.append("- Query set: seed %d, up to %d queries per class, %d queries in all; "
              "the same queries for every analyzer." % (args.seed, args.per_class, len(qs)))
    md.append("- Inputs: %s." % ", ".join("`%s` sha256 %s…" % (k, v[:16])
                                          for k, v in shas.items()))
    md.append("")
    md.append("## Judged queries on corpus-real\n")
    md.append("Rows: query classes; columns: analyzer the index was built with "
              "(\"—\": the analyzer is not available in this build, see the notes). "
              "Traditional rows show the difference to their Simplified row in "
              "parentheses.\n")
    md.append(table)
    widest = max((r[m][1] for c in results.values() for cls, r in c.items()
                  if cls not in ("docno_by", "units_by") for m in r if isinstance(r[m], tuple)
                  and r[m][1] == r[m][1]), default=None)
    if widest is not None:
        md.append("\nSampling error: the widest 95%% confidence half-width of a cell "
                  "above is ±%.3f (normal approximation over the queries of its row; "
                  "every cell's is in `%s/eval/results.json`).  Traditional and "
                  "Simplified rows, and the analyzer columns, use the same queries, so "
                  "their differences are paired and less noisy than that." %
                  (widest, args.build))
    md.append("\nDocument numbers, success@1 by spelling:\n")
    md.append(dtable)
    md.append(class_versions.section())
    utable = class_units.table(shown, results)
    if utable:
        md.append("\nUnits typed without quotes (dates, percentages and amounts, document "
                  "numbers: `class_units.py`), prec@10 by spelling — the share of the top 10 "
                  "that holds the date, value or number in some spelling:\n")
        md.append(utable)
    if notes:
        md.append("\nNotes:\n")
        md += ["- " + n for n in notes]
    if counts:
        md.append(class_counts.markdown(counts))
    if ztable:
        md.append("\n## Outside yardstick: zh-ir (STARD statute retrieval, pool only)\n")
        md.append("`../shared/zh-ir/`: 1,445 articles, 1,543 real questions, binary "
                  "judgments.  Metric definitions as in its README (nDCG@10 with gain "
                  "2^rel−1 and log2(rank+1) discount, ideal from the qrels; MRR@10; "
                  "Recall@k = |relevant ∩ top k| / |relevant|), averaged over queries.  "
                  "The BM25 rows are the README's reference run (Lucene BM25 k1 0.9, "
                  "b 0.4, CJK bigrams over title + body).%s\n" % (
                      "" if zhir is None or zhir.sha_ok else
                      "  **The input files differ from the README's sha256: the reference "
                      "figures may not apply.**"))
        md.append("How the questions are sent: as a client of the daemon sends a "
                  "natural-language question, with the protocol's `\"match\":\"any\"` "
                  "option (docs/protocol.md): each question is one SEARCH argument "
                  "`{\"q\": question, \"match\": \"any\", \"limit\": 1000}`, run by "
                  "`evalq` through `zc_search_request_parse` and `zc_search`, the code "
                  "path of the daemon.  The library then makes the free text an OR of "
                  "its analyzed terms (CJK bigrams, and in words and hybrid mode the "
                  "dictionary words) ranked by BM25.  Before 2026-11-28 the harness "
                  "built that OR itself (`evalq --any-words`), which is not what users "
                  "get; the figures below are the real path's.\n")
        md.append(ztable)
    if stable or seg:
        md.append("\n## Segmenter alone: word F1 on SIGHAN 2005 (`bash bench/segeval.sh`)\n")
        if stable:
            md.append(stable)
        if seg and seg["rc"] != 0:
            md.append("\nsegeval.sh failed (exit %d): %s" % (seg["rc"], seg["stderr"][:300]))
        if seg and seg["stdout"]:
            md.append("\nOutput of segeval.sh:\n\n```\n%s```" % seg["stdout"])
    md.append("\n## How the judged queries are built\n")
    md.append((METHOD_TEXT + class_abbrev.METHOD) % {
        "zh_docno": args.per_class, "en_docno": max(1, args.per_class // 3),
        "eo": class_abbrev.EO_SAMPLE})
    md.append("Classes added since:\n\n" + class_authority.DESCRIPTION + "\n")
    md.append(class_units.METHOD % {"dates": max(1, args.per_class // 3),
                                    "nums": max(1, args.per_class // 6),
                                    "docnos": max(1, args.per_class // 3)})
    return {"console": "\n".join(console), "markdown": "\n".join(md) + "\n"}


METHOD_TEXT = """\
The corpus is `../shared/corpus-real/policies.jsonl` (3,139 documents, 3,138
Chinese) plus `policies-en.jsonl` (1,016 U.S. Executive Orders), indexed
together once per analyzer into `build/eval/<analyzer>/corpus/`.  Every query
goes through `build/bench/evalq` (the library's `zc_search_request_parse` and
`zc_search` on a read-only index, one process) as the JSON form of a SEARCH
argument: `{"q": ..., "limit": 10}` (100 for phrase classes), no filters.

Ground truth never asks the engine.  Texts are normalized as the engine
does (Python's NFKC + casefold over title + "\\n" + body) and scanned:

- **Known item, exact title**: a sampled document's title, as typed.
  Correct: every document with exactly that (normalized) title (90 titles
  repeat: versions of one statute).  MRR@10, success@1, success@10.
- **Known item, title words** (added 2026-11-28): 2 or 3 words of a
  sampled Chinese title, in title order, separated by spaces — what
  someone who remembers a document's name types (`洛阳市 森林公园 条例`,
  `枪支 管理`).  The words are cut by forward maximum matching over the
  SIGHAN 2005 training word lists (`../shared/seg-gold/`, PKU + MSR), not
  by the engine's segmenter, so the queries do not favour one analyzer;
  a combination is kept when the titles of 1-5 documents hold every word.
  Correct: those documents.  Sent unquoted.  MRR@10, success@1,
  success@10.
- **Known item, body piece**: 6-12 characters cut from one paragraph of a
  sampled body, at least 4 of them Han characters, no character the query
  syntax uses (`" ( ) - :`), starting and ending on a letter or character,
  and occurring in no other document's normalized text (checked by a scan of
  the whole corpus).  Sent unquoted.  Correct: that document.
- **Chinese phrase**: `"..."` of 2-8 Han characters (lengths cycled evenly)
  cut from a sampled document, whose document frequency is 2-200.  Correct:
  exactly the documents whose normalized text contains it.
- **English phrase**: `"..."` of 2-4 words (letters only; the first and
  the last a content word: not a stop word, 3 letters or more) from an
  Executive Order, document frequency 2-200.  Matching is on
  word boundaries, lower case and punctuation-insensitive, never across a
  paragraph break or a Chinese character.
- **Precision@10** is the share of relevant documents among the top
  min(10, returned) — not divided by 10, so a phrase found in 3 documents and
  answered with exactly those scores 1; nothing returned scores 0.
  **Recall@100** is |relevant ∩ top 100| / min(|relevant|, 100), so a
  perfect ranking scores 1 however many documents match; **fill@10** is
  the same at 10: |relevant ∩ top 10| / min(|relevant|, 10).  For an
  unquoted phrase the engine also returns documents holding the words
  apart, so prec@10 there is at most |relevant| / 10 when fewer than 10
  documents hold the phrase; fill@10 is 1 exactly when every document
  holding the phrase that fits in the top 10 is there.
- **Unquoted and quoted forms** (added 2026-11-28): most people type a
  phrase without quotes, so each phrase query is also sent unquoted
  (`phrase_zh_u`, `phrase_en_u`: the same texts and judgments; the
  question is whether the documents holding the exact string fill the
  top 10), and each body piece is also sent in quotes (`body_zh_q`: an
  exactness check, the one document found by a phrase).  An unquoted
  Chinese run is already a phrase for ngram and hybrid (protocol.md), so
  their unquoted Chinese row equals the quoted one; words mode ANDs the
  words.  Unquoted English words are an AND ranked by BM25 and the
  proximity boosts.
- **Document numbers**: every sampled document number (up to %(zh_docno)d
  Chinese, %(en_docno)d English) in each spelling that differs from the stored one: as stored,
  〔〕 → [ ], 〔〕 → （ ）, full-width digits, lower case (English).  Correct: the
  documents whose number is the same under our own canonical form (NFKC,
  every bracket style alike).  success@1.
- **Traditional**: the Chinese title, body-piece and phrase queries
  converted with `opencc -c s2t.json` in one batch, judged exactly like their
  Simplified forms ("changed" counts the queries OpenCC altered).  Pieces and
  phrases are kept only if folding the corpus with OpenCC t2s (which changes
  the few partly Traditional documents, such as the 1950s work reports)
  leaves their relevant set as it is, so the judgments hold whether or not
  the engine folds.
- **Duplicates and versions** (added 2026-12-08; `bench/eval/class_versions.py`):
  every Chinese title that 2+ documents carry (on corpus-real, the editions
  of one statute, or one text from two sources), typed as it is, without and
  with `"collapse":true` — newest@1: the first hit is the newest edition;
  once@10: no two editions among the top 10 — and, for every pair of the
  same text, its title and up to 4 body pieces both hold — nodup@10: no
  text and its copy as two hits in the top 10.  See "Duplicates and
  versions" above for the ground truth and the hand-checked precision.
- **English**: an Executive Order's exact title (correct: every order with
  that title, e.g. 24 × "Adjustments of Certain Rates of Pay"), and 2-4
  unquoted words (first and last a content word) occurring as a sequence in
  one order only (correct: that order).

Sanity checks: on every run the metrics are checked on rankings with known
answers (a perfect ranking scores 1); when the query set is built, every
relevant set is checked to be non-empty and to hold the query's source
document, and 25 sets per phrase class are re-derived by testing every
document directly; on every run, every answer line matches its query, no
id is ranked twice, every id is a corpus id; each index holds every input
document and records the analyzer it was asked for.  The indexes
(`build/eval/<analyzer>/`) and the query set (`build/eval/queries.json`) are
reused while the inputs' sha256 and the indexer binary are unchanged.
"""


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
