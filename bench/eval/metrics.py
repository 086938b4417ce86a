"""metrics.py — ranking metrics, each a function of (ranked ids, relevant ids).

Owns: the metric definitions the report prints, and their self-check.  Every
function takes the engine's ranked list (a list of ids, best first) and the
set of relevant ids, and returns a number in [0, 1].  Averages are plain
means over queries.

Definitions (binary relevance throughout):
  rr@k        1 / rank of the first relevant id in the top k, else 0 (MRR@k
              is its mean)
  success@k   1 if a relevant id is in the top k, else 0
  prec@k      relevant ids among the top min(k, returned), divided by that
              number; 0 when nothing is returned.  (Not divided by k: a
              phrase with 3 matching documents answered exactly scores 1,
              so the figure measures exactness, not document frequency.)
  rcap@k      |relevant ∩ top k| / min(|relevant|, k): recall that a perfect
              ranking reaches even when more than k documents are relevant
  recall@k    |relevant ∩ top k| / |relevant| (as in zh-ir's README)
  ndcg@k      gain 2^rel - 1 (= 1 for a relevant id), discount log2(rank+1)
              over the top k; ideal DCG from the relevant set
"""

import math


def rr_at(ranked, rel, k=10):
    for i, d in enumerate(ranked[:k]):
        if d in rel:
            return 1.0 / (i + 1)
    return 0.0


def success_at(ranked, rel, k):
    return 1.0 if any(d in rel for d in ranked[:k]) else 0.0


def prec_at(ranked, rel, k=10):
    top = ranked[:k]
    if not top:
        return 0.0
    return sum(1 for d in top if d in rel) / len(top)


def rcap_at(ranked, rel, k=100):
    if not rel:
        raise ValueError("empty relevant set")
    return sum(1 for d in ranked[:k] if d in rel) / min(len(rel), k)


def recall_at(ranked, rel, k):
    if not rel:
        raise ValueError("empty relevant set")
    return sum(1 for d in ranked[:k] if d in rel) / len(rel)


def ndcg_at(ranked, rel, k=10):
    if not rel:
        raise ValueError("empty relevant set")
    dcg = sum(1.0 / math.log2(i + 2) for i, d in enumerate(ranked[:k]) if d in rel)
    idcg = sum(1.0 / math.log2(i + 2) for i in range(min(len(rel), k)))
    return dcg / idcg


def mean(xs):
    xs = list(xs)
    return sum(xs) / len(xs) if xs else float("nan")


def ci95(xs):
    """Half-width of a normal 95% confidence interval of the mean."""
    xs = list(xs)
    n = len(xs)
    if n < 2:
        return float("nan")
    m = sum(xs) / n
    var = sum((x - m) ** 2 for x in xs) / (n - 1)
    return 1.96 * math.sqrt(var / n)


def self_check():
    """Asserts the metrics on rankings whose answers are known; raises
    AssertionError if any definition is off."""
    def close(a, b):
        return abs(a - b) < 1e-12

    rel = {"a", "b", "c"}
    perfect = ["a", "b", "c", "x", "y"]
    assert rr_at(perfect, rel) == 1.0
    assert success_at(perfect, rel, 1) == 1.0
    assert close(ndcg_at(perfect, rel), 1.0)
    assert close(rcap_at(perfect, rel), 1.0)
    assert close(recall_at(perfect, rel, 100), 1.0)
    assert close(prec_at(["a", "b", "c"], rel), 1.0)
    # A perfect ranking of more relevant documents than the cutoff.
    many = {str(i) for i in range(150)}
    ranked = [str(i) for i in range(150)]
    assert close(rcap_at(ranked, many, 100), 1.0)
    assert close(recall_at(ranked, many, 100), 100 / 150)
    assert close(prec_at(ranked, many, 10), 1.0)
    assert close(ndcg_at(ranked, many, 10), 1.0)
    # Nothing relevant retrieved, or nothing retrieved.
    assert rr_at(["x", "y"], rel) == 0.0 and rr_at([], rel) == 0.0
    assert prec_at([], rel) == 0.0 and ndcg_at([], rel) == 0.0
    assert success_at(["x"] * 10 + ["a"], rel, 10) == 0.0
    # Hand-computed cases.
    assert close(rr_at(["x", "y", "b"], rel), 1 / 3)
    assert rr_at(["x"] * 10 + ["a"], rel, 10) == 0.0
    assert close(prec_at(["a", "x", "b", "y"], rel), 0.5)
    assert close(rcap_at(["x", "a"], rel), 1 / 3)
    one = {"a"}
    assert close(ndcg_at(["x", "a"], one), 1 / math.log2(3))
    two = {"a", "b"}
    want = (1 / math.log2(3) + 1 / math.log2(4)) / (1 + 1 / math.log2(3))
    assert close(ndcg_at(["x", "a", "b"], two), want)
    assert close(mean([1, 0, 0.5]), 0.5)
    return True
