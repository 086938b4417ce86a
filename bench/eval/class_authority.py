"""class_authority.py — the judged class "authority": for each national law
of the corpus, the words of its topic should find the law in the top 3.

Owns: choosing these queries and their judgments from the corpus alone
(never from the engine's own level classifier: lib/authority.c is what is
being judged).  A national law is a document whose issuer is the National
People's Congress or its Standing Committee (全国人民代表大会,
全国人民代表大会常务委员会) and whose title is 中华人民共和国<topic>法 with a
topic of two characters or more; the query is the topic as a user types it
(中华人民共和国大气污染防治法 -> 大气污染防治), unquoted; correct: every
document with exactly that (normalized) title (the versions of the law).
One query per distinct topic, in corpus order (no random draw: the other
classes' queries stay as they were), at most per_class of them.

The local regulations of the same topic (菏泽市大气污染防治条例, ...) hold the
same words in shorter titles and outrank a law on words alone; the question
is whether the engine puts the law, the higher authority, first among them.
"""

import re

from corpus import norm

CLS = "authority_zh"
LABEL = "authority: national law in top 3 for its topic words (zh)"
METRICS = ["success@3", "mrr@10"]
NPC = ("全国人民代表大会", "全国人民代表大会常务委员会")
LAW_TITLE = re.compile(r"^中华人民共和国(.{2,})法$")

DESCRIPTION = """\
- **Authority** (added 2026-12, issue 13): for each national law (issuer
  the NPC or its Standing Committee, title 中华人民共和国<topic>法), its
  topic words as typed, unquoted (`大气污染防治` for
  中华人民共和国大气污染防治法).  Correct: the documents with the law's exact
  title (its versions).  The city and provincial regulations on the same
  topic hold the same words in shorter titles; success@3 says how often the
  law, the higher authority, is among the first three.  One query per law
  in corpus order (no random draw).  success@3, MRR@10."""


def generate(gen, make_query):
    """The queries of the class, from a querygen.Generator's corpus;
    make_query is querygen.q."""
    by_title = {}
    for i, d in enumerate(gen.c.docs):
        t = norm(d.get("title", "")).strip()
        if t:
            by_title.setdefault(t, []).append(i)
    out, seen = [], set()
    for i, d in enumerate(gen.c.docs):
        if d.get("issuer", "").strip() not in NPC:
            continue
        title = norm(d.get("title", "")).strip()
        m = LAW_TITLE.match(title)
        if not m or m.group(1) in seen:
            continue
        topic = m.group(1)
        seen.add(topic)
        rel = gen.ids(by_title[title])
        out.append(make_query(CLS, topic, rel, d["id"], 10, versions=len(rel)))
        if len(out) >= gen.n:
            break
    return out
