"""class_abbrev.py — the abbreviation classes of `make eval`: queries typed
as an abbreviation or another name of a body (发改委, 人社部, DHS, EO 13769)
must find the documents that use any of its forms.

Owns: reading the built-in synonym list (data/synonyms.txt, the format of
docs/synonyms.md) independently of the engine, choosing the queries and
their exact relevant sets.  Ground truth never asks the engine: a form is
found in a document by the scans of corpus.py (a Chinese form as a
substring of the normalized text, an English one as a word sequence).

Classes:
  abbrev        each non-canonical form of a group whose canonical (full)
                form occurs in the corpus, sent unquoted; correct = every
                document holding any form of the group
  abbrev_other  the same queries, judged on the documents that hold another
                form but not the one typed: those only synonyms can find
  abbrev_eo     "EO N" and "E.O. N" for sampled Executive Orders; correct =
                the order N (its docno "Executive Order N")
"""

import json
import random
import re
from pathlib import Path

from corpus import CJK_CHAR, WORDISH, docno_canonical, norm, strip_marks

HERE = Path(__file__).resolve().parent
LIST = HERE.parent.parent / "data" / "synonyms.txt"
# What the query set depends on beyond querygen.py (eval.py hashes these).
SOURCES = [Path(__file__).resolve(), LIST]

ROWS = [
    ("abbrev", "abbreviation: documents with any form", ["recall@100", "success@10"]),
    ("abbrev_other", "… only those with another form", ["recall@100", "success@10"]),
    ("abbrev_eo", "… EO N / E.O. N: the order first", ["success@1"]),
]

EO_SAMPLE = 100

METHOD = """\
- **Abbreviations** (added for issue 13): the built-in synonym list
  (`data/synonyms.txt`, read by `bench/eval/class_abbrev.py` with its own
  parser).  For every group whose canonical (first, full) form occurs in
  the corpus, each other form of the group is a query, sent unquoted
  (`发改委`, `人社部`, `DHS`, `Justice Department`).  `abbrev`: correct =
  every document holding any form of the group (Chinese forms as
  substrings of the normalized text, English ones as word sequences);
  recall@100 (of min(|relevant|, 100)) and success@10.  `abbrev_other`:
  the same queries judged only on the documents that hold another form
  but not the one typed, found through synonyms or not at all (queries
  where there is no such document are left out).  `abbrev_eo`: `EO N`
  and `E.O. N` for %(eo)d sampled Executive Orders; correct = the order
  whose number is N; success@1.
"""


def read_list(path=None):
    """[(keys, alternatives, canonical)] of the list: keys are the forms a
    query may be typed as (every form of a group; the left side of a
    one-way rule), alternatives every form of the line."""
    out = []
    for raw in Path(path or LIST).read_text(encoding="utf-8").split("\n"):
        line = re.split(r"(?:^|(?<=[ \t]))#", raw, maxsplit=1)[0].strip()
        if not line or line == "!no-default":
            continue
        if "=>" in line:
            left, right = line.split("=>", 1)
            keys = [a.strip() for a in left.split("|")]
            alts = [a.strip() for a in right.split("|")]
            out.append((keys, keys + alts, alts[0]))
        else:
            alts = [a.strip() for a in line.split("|")]
            out.append((alts[1:], alts, alts[0]))
    return out


def holders(corp, form):
    """Indexes of the documents holding the form."""
    n = norm(form)
    if CJK_CHAR.search(n):
        return set(corp.docs_containing(n))
    words = WORDISH.findall(strip_marks(n))
    return set(corp.en_docs_containing(words)) if words else set()


def q(cls, text, rel_ids, limit, **extra):
    rel = sorted(set(rel_ids))
    return {"cls": cls, "text": text,
            "arg": json.dumps({"q": text, "limit": limit}, ensure_ascii=False),
            "rel": rel, "src": rel[0], "extra": extra}


def queries(corp, seed, progress=None, path=None):
    ids = [d["id"] for d in corp.docs]
    # A form named by several groups (WTO) finds the forms of all of them;
    # a group counts when its canonical form occurs.
    groups, order, cache = {}, [], {}
    for keys, alts, canon in read_list(path):
        for a in alts:
            if a not in cache:
                cache[a] = holders(corp, a)
        if not cache[canon]:
            continue
        for k in keys:
            if k == canon:
                continue
            if k not in groups:
                groups[k] = (canon, [])
                order.append(k)
            groups[k][1].extend(a for a in alts if a not in groups[k][1])
    out = []
    for k in order:
        canon, alts = groups[k]
        anyform = set().union(*(cache[a] for a in alts))
        out.append(q("abbrev", k, [ids[i] for i in anyform], 100,
                     canonical=canon, typed_df=len(cache[k])))
        other = anyform - cache[k]
        if other:
            out.append(q("abbrev_other", k, [ids[i] for i in other], 100, canonical=canon))
    # Executive Orders by number, in the two abbreviated spellings.
    orders = {}
    for i, d in enumerate(corp.docs):
        m = re.fullmatch(r"Executive Order (\d+)", (d.get("docno") or "").strip())
        if m:
            orders.setdefault(docno_canonical(d["docno"]), []).append(i)
    rng = random.Random(seed)
    keys = sorted(orders)
    for canon in sorted(rng.sample(keys, min(EO_SAMPLE, len(keys)))):
        num = re.search(r"\d+$", canon).group(0)
        rel = [ids[i] for i in orders[canon]]
        for text in ("EO %s" % num, "E.O. %s" % num):
            out.append(q("abbrev_eo", text, rel, 10, spelling=text.split()[0]))
    if progress:
        progress("query set: abbreviations: %d queries" % len(out))
    return out
