"""zhir.py — the outside retrieval yardstick: shared/zh-ir (STARD, pool only).

Owns: reading docs.jsonl, queries.tsv, qrels.tsv and dev-qids.txt, checking
them against the sha256 sums in its README, and scoring a run with the
README's metric definitions (metrics.py: ndcg_at, rr_at, recall_at).

How the questions are sent: the way a client sends a natural-language
question to the daemon, with the protocol's "match": "any" option
(docs/protocol.md): each line is the SEARCH argument
{"q": question, "match": "any", "limit": 1000}, which the library turns
into an OR of the question's analyzed terms ranked by BM25.  (The
harness once built that OR itself with evalq --any-words; it measures
the real option now.)
"""

import json
import os

from corpus import sha256_file
from metrics import mean, ndcg_at, recall_at, rr_at

EXPECTED_SHA = {
    "docs.jsonl": "aaaf2b391263ed742932d601a8822710bbe90a68e8a811e7f11f1430f858b5da",
    "queries.tsv": "1820301328eb1a09a492dba3bc1ebc7365e6221579bf1eacc8df3dd4ab86be9c",
    "qrels.tsv": "5ae8638ff1112566e1914e634da05dbb3e39dd80b5a8704010c99ca34cc0f350",
    "dev-qids.txt": "19f940911908b76136d97b7a373edaa489b2d39412b628d3dd18ab0c09e67aa5",
}

# The README's reference run (zh_ir_check.py --bm25: Lucene BM25 k1 0.9,
# b 0.4, CJK bigrams), copied here so the report can print it.
BM25_REF = {
    "all": {"ndcg@10": 0.5038, "mrr@10": 0.5181, "recall@10": 0.6176,
            "recall@100": 0.8412, "recall@1000": 0.9198},
    "dev": {"ndcg@10": 0.4844, "mrr@10": 0.4962, "recall@10": 0.6018,
            "recall@100": 0.8224, "recall@1000": 0.9187},
}
METRICS = ["ndcg@10", "mrr@10", "recall@10", "recall@100", "recall@1000"]


class ZhIr:
    def __init__(self, root, progress):
        self.root = root
        self.docs_path = os.path.join(root, "docs.jsonl")
        self.shas = {}
        for name, want in EXPECTED_SHA.items():
            got = sha256_file(os.path.join(root, name))
            self.shas[name] = got
            if got != want:
                progress("zh-ir: WARNING %s sha256 %s differs from the README's %s: "
                         "the reference figures may not apply" % (name, got[:12], want[:12]))
        self.sha_ok = all(self.shas[n] == w for n, w in EXPECTED_SHA.items())
        with open(self.docs_path, encoding="utf-8") as f:
            self.doc_ids = [json.loads(line)["id"] for line in f if line.strip()]
        self.queries = []
        with open(os.path.join(root, "queries.tsv"), encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if line:
                    qid, text = line.split("\t", 1)
                    self.queries.append((qid, text))
        self.qrels = {}
        with open(os.path.join(root, "qrels.tsv"), encoding="utf-8") as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3 and int(parts[2]) > 0:
                    self.qrels.setdefault(parts[0], set()).add(parts[1])
        with open(os.path.join(root, "dev-qids.txt"), encoding="utf-8") as f:
            self.dev = {line.strip() for line in f if line.strip()}
        # Sanity: every query judged, every judged document present.
        ids = set(self.doc_ids)
        missing = [q for q, _ in self.queries if not self.qrels.get(q)]
        assert not missing, "zh-ir: queries without relevant documents: %s" % missing[:5]
        stray = {d for rel in self.qrels.values() for d in rel} - ids
        assert not stray, "zh-ir: judged documents not in docs.jsonl: %s" % sorted(stray)[:5]
        assert self.dev <= {q for q, _ in self.queries}, "zh-ir: dev qids not in queries"
        progress("zh-ir: %d documents, %d queries (%d dev), %d judgments" %
                 (len(self.doc_ids), len(self.queries), len(self.dev),
                  sum(len(r) for r in self.qrels.values())))

    def lines(self):
        # One SEARCH argument per line (JSON: a newline is escaped).
        return [json.dumps({"q": text, "match": "any", "limit": 1000}, ensure_ascii=False)
                for _, text in self.queries]

    def score(self, answers):
        """answers: one entry per query (ids, or an error tuple).  Returns
        {"all": {...}, "dev": {...}} with the metrics and counts."""
        per = []
        errors = 0
        empty = 0
        for (qid, _), ans in zip(self.queries, answers):
            if isinstance(ans, tuple):
                errors += 1
                ans = []
            if not ans:
                empty += 1
            rel = self.qrels[qid]
            per.append((qid, {
                "ndcg@10": ndcg_at(ans, rel, 10),
                "mrr@10": rr_at(ans, rel, 10),
                "recall@10": recall_at(ans, rel, 10),
                "recall@100": recall_at(ans, rel, 100),
                "recall@1000": recall_at(ans, rel, 1000),
            }))
        out = {}
        for split, keep in (("all", lambda q: True), ("dev", lambda q: q in self.dev)):
            rows = [m for q, m in per if keep(q)]
            out[split] = {k: mean(m[k] for m in rows) for k in METRICS}
            out[split]["n"] = len(rows)
        out["errors"] = errors
        out["empty"] = empty
        return out
