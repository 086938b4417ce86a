"""class_counts.py — the "count accuracy" class of `make eval`: is the
total a search reports (`total`, `exact`) one a reader can quote?

Owns: its query sets and their true match counts (computed by scanning the
texts, never by asking the engine), the generated corpus it counts on past
the default bound, running its queries through evalq --json, and its table
in docs/quality.md.

Two corpora:
  - corpus-real (every analyzer's index of the main evaluation): quoted
    Chinese phrases of 2-4 Han characters, and pairs of them (both
    required), whose document frequencies spread from 1 to the whole
    corpus.  Sent with the default bound (every true count is below it:
    every total must be exact and right) and with a deliberately small
    bound, "exact_count": SMALL_BOUND, so that most are estimated.
  - a generated corpus (corpus/gen --lang zh, GEN_MB MiB, one index in the
    fastest analyzer) big enough that common phrases pass the default bound
    of 10,000: the estimates users get by default.
Truth: the documents whose normalized title + "\\n" + body, or document
number, contain the phrase (both phrases for a pair): the engine indexes
the document number's words as free text.  Chinese phrases only, kept when
folding the corpus from Traditional (OpenCC t2s) does not change who holds
them, as the phrase class does.

Every query is also sent for its third page (offset 20): the total must not
change.  Figures per row: the share of queries with an exact total, the
share of exact totals equal to the truth, the share of queries whose truth
is within the bound that are exact, and for the estimated ones the median
and worst relative error |total - truth| / truth and the share within 10%.
"""

import hashlib
import json
import math
import os
import random
import subprocess
import sys
from pathlib import Path

from corpus import CJK_RUN, Corpus, norm, sha256_file

GEN_VERSION = 1
SEED = 1313
GEN_SEED = 4242
GEN_MB = 120
DEFAULT_BOUND = 10000        # ZC_SEARCH_EXACT_COUNT_DEFAULT
SMALL_BOUND = 1000
PER_CORPUS = 150             # queries per corpus (phrases and pairs)
PAIR_SHARE = 3               # every PAIR_SHARE-th query is a pair
TRIES = 200                  # candidate phrases tried per wanted query
PROBE = 300                  # documents a candidate is first counted in
REPO = Path(__file__).resolve().parent.parent.parent


def _rel_err(total, truth):
    return abs(total - truth) / truth


class Counts:
    """The class's queries over one corpus: [{"q", "truth", "kind"}]."""

    def __init__(self, corp, rng, progress, folded=None, docnos=True):
        self.c = corp
        self.rng = rng
        self.progress = progress
        self.folded = folded or {}
        self.dn = [norm(d.get("docno", "") or "") for d in corp.docs] if docnos else None
        self.zh = [i for i, d in enumerate(corp.docs) if (d.get("lang") or "zh") == "zh"]
        self.probe = rng.sample(range(len(corp.docs)), min(PROBE, len(corp.docs)))

    def holders(self, p):
        """Indexes of the documents the engine finds for the phrase p."""
        h = set(self.c.docs_containing(p))
        if self.dn:
            h.update(i for i, t in enumerate(self.dn) if t and p in t)
        return h

    def fold_stable(self, p, h):
        return all((p in ft) == (j in h) for j, ft in self.folded.items())

    def phrase(self, lo, hi):
        """A phrase of 2-4 Han characters, cut from a random Chinese
        document, held by lo..hi documents, with its holders; or None.
        Candidates are first counted in PROBE random documents, so that a
        whole scan is spent only on a likely one."""
        n = len(self.c.docs)
        for _ in range(TRIES):
            i = self.rng.choice(self.zh)
            runs = [m.group(0) for m in CJK_RUN.finditer(self.c.norm_text[i])
                    if len(m.group(0)) >= 2]
            if not runs:
                continue
            r = self.rng.choice(runs)
            k = min(len(r), self.rng.choice((2, 3, 3, 4, 4)))
            s = self.rng.randrange(0, len(r) - k + 1)
            p = r[s:s + k]
            guess = sum(p in self.c.norm_text[j] for j in self.probe) * n / len(self.probe)
            if guess > hi * 2 + 20 or guess * 2 + 20 < lo:
                continue
            h = self.holders(p)
            if lo <= len(h) <= hi and self.fold_stable(p, h):
                return p, h
        return None

    def build(self, n, lo_exp, hi_exp):
        """n queries whose true counts spread evenly over the powers of two
        2^lo_exp .. 2^hi_exp (more documents than the corpus has cannot be
        asked for: the top bin ends at the corpus size)."""
        out, seen = [], set()
        bins = list(range(lo_exp, hi_exp + 1))
        for k in range(n * 3):
            if len(out) >= n:
                break
            b = bins[k % len(bins)]
            lo, hi = 1 << b, (1 << (b + 1)) - 1
            if k % PAIR_SHARE == PAIR_SHARE - 1:
                # Two phrases, each more common than the pair: the count of
                # an AND is what Xapian cannot know without counting.
                a = self.phrase(lo, len(self.c.docs))
                if a is None:
                    continue
                bb = self.phrase(lo, len(self.c.docs))
                if bb is None or bb[0] == a[0]:
                    continue
                both = a[1] & bb[1]
                q = '"%s" "%s"' % (a[0], bb[0])
                if not both or q in seen:
                    continue
                seen.add(q)
                out.append({"q": q, "truth": len(both), "kind": "pair"})
            else:
                got = self.phrase(lo, hi)
                if got is None:
                    continue
                q = '"%s"' % got[0]
                if q in seen:
                    continue
                seen.add(q)
                out.append({"q": q, "truth": len(got[1]), "kind": "phrase"})
        self.progress("count accuracy: %d queries, true counts %d..%d" % (
            len(out), min((x["truth"] for x in out), default=0),
            max((x["truth"] for x in out), default=0)))
        return out


def _folded(work, shas):
    """eval.py's cache of the documents OpenCC t2s changes (written when it
    built its query set), or {} when there is none."""
    key = hashlib.sha256(json.dumps(shas, sort_keys=True).encode()).hexdigest()
    try:
        c = json.loads((work / "t2s-folded.json").read_text(encoding="utf-8"))
        if c.get("key") == key:
            return {int(k): v for k, v in c["folded"].items()}
    except (OSError, ValueError):
        pass
    return {}


def generate(work, progress):
    """The generated corpus (deterministic: corpus/gen's seed and size)."""
    path = work / ("counts-gen-%d-%dmb.jsonl" % (GEN_SEED, GEN_MB))
    if not path.exists():
        progress("count accuracy: corpus/gen --seed %d --mb %d --lang zh" % (GEN_SEED, GEN_MB))
        tmp = path.with_suffix(".tmp")
        subprocess.run([sys.executable, str(REPO / "corpus" / "gen"), "--seed", str(GEN_SEED),
                        "--mb", str(GEN_MB), "--lang", "zh", "--out", str(tmp)], check=True)
        os.replace(tmp, path)
    return path


def source_hash():
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def query_sets(work, files, shas, gen_path, gen_sha, progress):
    """{"real": [...], "gen": [...]}, cached under work/ by the inputs."""
    key = hashlib.sha256(json.dumps({"v": GEN_VERSION, "seed": SEED, "inputs": shas,
                                     "gen": gen_sha, "src": source_hash()},
                                    sort_keys=True).encode()).hexdigest()
    cache = work / "counts-queries.json"
    try:
        c = json.loads(cache.read_text(encoding="utf-8"))
        if c.get("key") == key:
            return c["sets"]
    except (OSError, ValueError):
        pass
    rng = random.Random(SEED)
    progress("count accuracy: loading corpus-real")
    real = Corpus(files)
    sets = {"real": Counts(real, rng, progress, _folded(work, shas)).build(
        PER_CORPUS, 0, int(math.log2(len(real.docs))))}
    del real
    progress("count accuracy: loading the generated corpus (%d MiB)" % GEN_MB)
    gen = Corpus([str(gen_path)])
    sets["gen"] = Counts(gen, rng, progress).build(
        PER_CORPUS, 9, int(math.log2(len(gen.docs))))
    cache.write_text(json.dumps({"key": key, "sets": sets}, ensure_ascii=False),
                     encoding="utf-8")
    return sets


def ask(evalq, index, qs, bound):
    """[(total, exact, total of page 3, exact of page 3)] for the queries,
    with "exact_count": bound (None: the default)."""
    lines = []
    for x in qs:
        for offset in (0, 20):
            a = {"q": x["q"], "limit": 10, "offset": offset}
            if bound is not None:
                a["exact_count"] = bound
            lines.append(json.dumps(a, ensure_ascii=False))
    r = subprocess.run([evalq, "--json", str(index)], input="\n".join(lines) + "\n",
                       capture_output=True, text=True, check=True)
    rep = [json.loads(l) for l in r.stdout.splitlines()]
    if len(rep) != len(lines) or not all(x.get("ok") for x in rep):
        bad = [x for x in rep if not x.get("ok")][:3]
        raise RuntimeError("evalq --json %s: %d replies for %d, errors %s" %
                           (index, len(rep), len(lines), bad))
    return [(rep[k]["total"], rep[k]["exact"], rep[k + 1]["total"], rep[k + 1]["exact"])
            for k in range(0, len(rep), 2)]


def score(qs, answers, bound):
    n = len(qs)
    exact = [(x, a) for x, a in zip(qs, answers) if a[1]]
    est = [(x, a) for x, a in zip(qs, answers) if not a[1]]
    within = [(x, a) for x, a in zip(qs, answers) if x["truth"] <= bound]
    errs = sorted(_rel_err(a[0], x["truth"]) for x, a in est)
    return {
        "n": n, "bound": bound,
        "truth_max": max((x["truth"] for x in qs), default=0),
        "exact": len(exact) / n if n else 0,
        "exact_right": (sum(a[0] == x["truth"] for x, a in exact) / len(exact)) if exact else None,
        "within_exact": (sum(a[1] for _, a in within) / len(within)) if within else None,
        "n_within": len(within),
        "n_est": len(est),
        "median_err": errs[len(errs) // 2] if errs else None,
        "worst_err": errs[-1] if errs else None,
        "worst_q": max(est, key=lambda p: _rel_err(p[1][0], p[0]["truth"]))[0]["q"] if est else None,
        "est_10pct": (sum(e <= 0.10 for e in errs) / len(errs)) if errs else None,
        "paging": sum(a[0] == a[2] and a[1] == a[3] for a in answers) / n if n else 0,
    }


def run(eng, how, columns, corpus_idx, files, shas, args, work, progress):
    """Runs the class; returns {"rows": [(label, score)], "notes": [...]}."""
    work = Path(work)
    gen_path = generate(work, progress)
    gen_sha = sha256_file(gen_path)
    sets = query_sets(work, files, shas, gen_path, gen_sha, progress)
    rows, notes = [], []
    for col in columns:
        if col not in corpus_idx:
            continue
        for bound in (None, SMALL_BOUND):
            ans = ask(eng.evalq, corpus_idx[col], sets["real"], bound)
            label = "corpus-real, %s, %s" % (
                col, "default bound" if bound is None else "\"exact_count\":%d" % bound)
            rows.append((label, score(sets["real"], ans, bound or DEFAULT_BOUND)))
    mode = "ngram" if "ngram" in columns else columns[0]
    n_docs = sum(1 for line in open(gen_path, encoding="utf-8") if line.strip())
    idx, secs, reused = eng.ensure_index(mode, how[mode], "counts-gen", [str(gen_path)],
                                         {gen_path.name: gen_sha}, n_docs, args.rebuild)
    ans = ask(eng.evalq, idx, sets["gen"], None)
    rows.append(("generated %d MiB (%d docs), %s, default bound" % (GEN_MB, n_docs, mode),
                 score(sets["gen"], ans, DEFAULT_BOUND)))
    notes.append("count accuracy: the generated index was %s" % (
        "reused" if reused else "built in %.0f s" % secs))
    return {"rows": rows, "notes": notes}


def _f(v, pct=False):
    if v is None:
        return "—"
    return "%.1f%%" % (100 * v) if pct else "%.3f" % v


def table(res):
    lines = ["| corpus, index, bound | queries (max true count) | exact | exact and right "
             "| within the bound: exact | estimated | median error | worst error "
             "| estimates within 10% | same total on page 3 |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for label, s in res["rows"]:
        lines.append("| %s | %d (%d) | %s | %s | %s | %d | %s | %s | %s | %s |" % (
            label, s["n"], s["truth_max"], _f(s["exact"]), _f(s["exact_right"]),
            _f(s["within_exact"]), s["n_est"], _f(s["median_err"], True),
            _f(s["worst_err"], True), _f(s["est_10pct"]), _f(s["paging"])))
    return "\n".join(lines)


def markdown(res):
    worst = [(label, s["worst_q"]) for label, s in res["rows"] if s["worst_q"]]
    return "\n".join([
        "\n## Count accuracy (`bench/eval/class_counts.py`)\n",
        "Whether the `total` of a reply can be quoted: exact (`\"exact\":true`) whenever "
        "the query has at most the count bound of matches (SEARCH `\"exact_count\"`, "
        "default 10,000), and past it an estimate close to the truth, the same on every "
        "page.  Queries: quoted Chinese phrases of 2-4 characters and pairs of them, "
        "true counts spread over powers of two; truth = the documents whose normalized "
        "title, body or document number hold the phrase(s), by a scan of the texts.  "
        "corpus-real has 4,155 documents, so with the default bound every total must be "
        "exact and right; the small bound and the generated corpus (`corpus/gen --seed "
        "%d --mb %d --lang zh`) show the estimates.  An estimate counts the matches of "
        "one hash sample level holding about bound/5 of them (docs/protocol.md): its "
        "expected relative error is about 1/√(bound/5), 2.2%% at the default bound, "
        "7%% at 1,000.  \"same total on page 3\": offset 20 reports the same total and "
        "`exact`.\n" % (GEN_SEED, GEN_MB),
        table(res),
        "" if not worst else "\nWorst estimate per row: " + "; ".join(
            "%s: `%s`" % w for w in worst) + ".",
    ])
