#!/usr/bin/env python3
"""bench/prep.py — the benchmark's query mix and the Sphinx source, from the corpus.

Owns: turning the benchmark corpus (JSON Lines, made by bench/run.sh) into
  OUT/queries.tsv          the query mix, one query a line, every engine's form
  OUT/queries-searchd.txt  the same queries as zhengce protocol lines (loadgen)
  OUT/queries-sphinxql.txt the same queries as SphinxQL statements (sphinxql_load)
  OUT/sphinx.tsv           the documents for Sphinx's tsvpipe source (--sphinx-tsv)
Must never: read anything but the corpus, or depend on hash order: one
random.Random(--seed) drives every choice, so the same corpus and arguments
give the same bytes.

    prep.py --corpus FILE --out DIR [--per-class N] [--seed S] [--sphinx-tsv]

Query classes (N of each):
  zh1      one Chinese word (policy vocabulary, or a 2-4 character piece of a title)
  zh2      two Chinese words, implicit AND
  zhphrase a quoted 4-6 character piece of a Chinese title
  en1      one English word from an English title
  enphrase a quoted two-word phrase from an English title
  docno    a document number of the corpus, bracket style sometimes changed
  filtered a zh1/en1 query with a lang, a date range or an issuer filter
  faceted  a zh1/en1 query with issuer, year and lang facets
  deep     a zh1/en1 query at offset 100..990

queries.tsv columns (tab-separated, no tabs inside):
  class q lang issuer from to facets offset limit zjson sphinx_match fts_tri fts_uni
where from/to are YYYYMMDD numbers (0 = none), facets a comma list, zjson the
zhengce SEARCH JSON argument, sphinx_match the full SphinxQL statement, and
fts_tri / fts_uni the FTS5 MATCH expressions for the trigram tokenizer and for
unicode61 over CJK-split text (bench/fts5_bench.c splits documents the same way).
"""

import argparse
import json
import os
import random
import re
import sys
import zlib

CLASSES = ["zh1", "zh2", "zhphrase", "en1", "enphrase", "docno", "filtered", "faceted", "deep"]

# Common policy words; most occur in both the real corpus and corpus/gen.
ZH_WORDS = [
    "营商环境", "安全生产", "环境保护", "教育", "农村", "交通运输", "科技创新", "食品安全",
    "老工业基地", "城乡规划", "医疗", "养老", "住房", "就业", "金融", "生态", "能源", "文化",
    "人才", "标准化", "数字", "海洋", "公共服务", "知识产权", "扶贫", "税收", "财政",
    "监督管理", "土地", "水利", "国有资产", "网络安全", "政府网站", "乡村振兴", "职业教育",
    "市场监管", "行政审批", "改革", "振兴东北", "基础设施", "对外开放", "产业结构", "资源型城市",
    "中小企业", "社会保障", "绿色发展", "区域协调", "数字经济", "创新驱动", "民营经济",
]
EN_STOP = {"the", "of", "on", "and", "for", "in", "to", "a", "an", "with", "by", "its",
           "about", "further", "notice", "opinions", "state", "council"}
CJK_RUN = re.compile(r"[\u4e00-\u9fff]{4,}")
WORD = re.compile(r"[A-Za-z]{4,}")


def is_cjk(ch):
    o = ord(ch)
    return (0x2E80 <= o <= 0x2FDF or 0x3040 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF
            or 0x20000 <= o <= 0x2FA1F)


def cjk_split(text):
    """Spaces around every CJK character: unicode61 then sees one token per
    character, as Sphinx's ngram_len=1 does (fts5_bench.c does the same)."""
    out = []
    for ch in text:
        if is_cjk(ch):
            out.append(" " + ch + " ")
        else:
            out.append(ch)
    return "".join(out)


def fts_quote(s):
    return '"' + s.replace('"', '""') + '"'


def sphinx_escape(s):
    # Sphinx query syntax specials, then the SQL string literal.
    for ch in "\\()|-!@~\"&/^$=<":
        s = s.replace(ch, "\\" + ch)
    return s.replace("\\", "\\\\").replace("'", "\\'")


def date_num(s):
    m = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$", s or "")
    if not m:
        return 0
    return int(m.group(1)) * 10000 + int(m.group(2) or 1) * 100 + int(m.group(3) or 1)


def scan(corpus):
    """What the query mix samples from, in corpus order."""
    zh_titles, en_titles, docnos, years = [], [], [], []
    issuers = {"zh": [], "en": []}
    with open(corpus, "rb") as f:
        for raw in f:
            try:
                d = json.loads(raw)
            except ValueError:
                continue
            t = d.get("title") or ""
            if d.get("lang") == "en":
                en_titles.append(t)
            elif d.get("lang") == "zh":
                zh_titles.append(t)
            if isinstance(d.get("docno"), str) and d["docno"].strip():
                docnos.append(d["docno"].strip())
            if isinstance(d.get("issuer"), str) and d["issuer"].strip() and \
                    d.get("lang") in issuers:
                issuers[d["lang"]].append(d["issuer"].strip())
            n = date_num(d.get("date") if isinstance(d.get("date"), str) else "")
            if n:
                years.append(n // 10000)
    return zh_titles, en_titles, docnos, issuers, years


class Mix:
    def __init__(self, rng, zh_titles, en_titles, docnos, issuers, years):
        self.rng = rng
        self.zh_titles, self.en_titles = zh_titles, en_titles
        self.docnos, self.issuers, self.years = docnos, issuers, years

    def zh_piece(self, lo, hi):
        for _ in range(1000):
            runs = CJK_RUN.findall(self.rng.choice(self.zh_titles))
            if runs:
                r = self.rng.choice(runs)
                n = min(len(r), self.rng.randint(lo, hi))
                i = self.rng.randint(0, len(r) - n)
                return r[i:i + n]
        return self.rng.choice(ZH_WORDS)

    def zh_word(self):
        if self.rng.random() < 0.7 or not self.zh_titles:
            return self.rng.choice(ZH_WORDS)
        return self.zh_piece(2, 3)

    def en_words(self):
        for _ in range(1000):
            ws = [w.lower() for w in WORD.findall(self.rng.choice(self.en_titles))]
            ws = [w for w in ws if w not in EN_STOP]
            if ws:
                return ws
        return ["development"]

    def en_word(self):
        return self.rng.choice(self.en_words())

    def en_phrase(self):
        for _ in range(1000):
            ws = [w.lower() for w in re.findall(r"[A-Za-z]+", self.rng.choice(self.en_titles))]
            pairs = [(a, b) for a, b in zip(ws, ws[1:])
                     if len(a) >= 4 and len(b) >= 4 and a not in EN_STOP and b not in EN_STOP]
            if pairs:
                return "%s %s" % self.rng.choice(pairs)
        return "industrial base"

    def docno(self):
        d = self.rng.choice(self.docnos)
        r = self.rng.random()
        if r < 0.25:
            d = d.replace("〔", "[").replace("〕", "]")
        elif r < 0.4:
            d = d.replace("〔", "(").replace("〕", ")")
        return d

    def word(self):
        """A zh1 or en1 query: (q, lang, terms) where terms are the words."""
        if self.rng.random() < 0.7 or not self.en_titles:
            w = self.zh_word()
            return w, "zh", [("zh", w)]
        w = self.en_word()
        return w, "en", [("en", w)]

    def make(self, cls):
        q = dict(cls=cls, lang="", issuer="", frm=0, to=0, facets=[], offset=0, limit=10)
        if cls == "zh1":
            w = self.zh_word()
            q.update(q=w, terms=[("zh", w)])
        elif cls == "zh2":
            a, b = self.zh_word(), self.zh_word()
            while b == a:
                b = self.zh_word()
            q.update(q="%s %s" % (a, b), terms=[("zh", a), ("zh", b)])
        elif cls == "zhphrase":
            p = self.zh_piece(4, 6)
            q.update(q='"%s"' % p, terms=[("zhp", p)])
        elif cls == "en1":
            w = self.en_word()
            q.update(q=w, terms=[("en", w)])
        elif cls == "enphrase":
            p = self.en_phrase()
            q.update(q='"%s"' % p, terms=[("enp", p)])
        elif cls == "docno":
            d = self.docno()
            q.update(q=d, terms=[("docno", d)])
        else:
            w, lang, terms = self.word()
            q.update(q=w, terms=terms)
            if cls == "filtered":
                kind = self.rng.choice(["lang", "date", "issuer"])
                if kind == "lang":
                    q["lang"] = lang
                elif kind == "date" and self.years:
                    y = self.rng.choice(self.years)
                    q["frm"] = y * 10000 + 101
                    q["to"] = (y + self.rng.randint(0, 4)) * 10000 + 1231
                elif self.issuers[lang]:
                    q["issuer"] = self.rng.choice(self.issuers[lang])
            elif cls == "faceted":
                q["facets"] = ["issuer", "year", "lang"]
            elif cls == "deep":
                q["offset"] = self.rng.choice([100, 200, 500, 990])
        return q


def zjson(q):
    o = {"q": q["q"], "limit": q["limit"]}
    if q["offset"]:
        o["offset"] = q["offset"]
    if q["lang"]:
        o["lang"] = q["lang"]
    if q["issuer"]:
        o["issuer"] = q["issuer"]
    if q["frm"]:
        o["from"] = "%04d-%02d-%02d" % (q["frm"] // 10000, q["frm"] // 100 % 100, q["frm"] % 100)
        o["to"] = "%04d-%02d-%02d" % (q["to"] // 10000, q["to"] // 100 % 100, q["to"] % 100)
    if q["facets"]:
        o["facets"] = q["facets"]
    return json.dumps(o, ensure_ascii=False, separators=(",", ":"))


LANG_NUM = {"zh": 1, "en": 2}


def sphinxql(q):
    parts = []
    for kind, t in q["terms"]:
        if kind in ("zh", "zhp", "enp", "docno"):
            # ngram_len=1 makes each CJK character a keyword: a word is the
            # phrase of its characters, as Sphinx's documentation advises.
            parts.append('"' + sphinx_escape(t) + '"')
        else:
            parts.append(sphinx_escape(t))
    sql = "SELECT id, title FROM zc WHERE MATCH('%s')" % " ".join(parts)
    if q["lang"]:
        sql += " AND lang=%d" % LANG_NUM[q["lang"]]
    if q["issuer"]:
        sql += " AND issuer_crc=%d" % zlib.crc32(q["issuer"].encode())
    if q["frm"]:
        sql += " AND date_num BETWEEN %d AND %d" % (q["frm"], q["to"])
    sql += " LIMIT %d,%d" % (q["offset"], q["limit"])
    if q["facets"]:
        sql += " FACET issuer LIMIT 100 FACET year LIMIT 100 FACET lang LIMIT 100"
    return sql


def fts(q, uni):
    parts = []
    for kind, t in q["terms"]:
        if uni:
            t = cjk_split(t)
            t = " ".join(t.split())
        parts.append(fts_quote(t))
    return " AND ".join(parts)


def write_sphinx_tsv(corpus, path):
    """id title body docno lang issuer issuer_crc date_num year — no tabs or
    newlines inside values (tsvpipe has no escapes)."""
    clean = str.maketrans({"\t": " ", "\n": " ", "\r": " ", "\\": " "})
    n = 0
    with open(corpus, "rb") as f, open(path, "w", encoding="utf-8") as out:
        for raw in f:
            try:
                d = json.loads(raw)
            except ValueError:
                continue
            n += 1

            def s(k):
                v = d.get(k)
                return v.translate(clean) if isinstance(v, str) else ""
            dn = date_num(s("date"))
            out.write("\t".join([str(n), s("title"), s("body"), s("docno"),
                                 str(LANG_NUM.get(d.get("lang"), 0)), s("issuer"),
                                 str(zlib.crc32(s("issuer").strip().encode())),
                                 str(dn), str(dn // 10000)]) + "\n")
    return n


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--per-class", type=int, default=50)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--sphinx-tsv", action="store_true")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    rng = random.Random(a.seed)
    mix = Mix(rng, *scan(a.corpus))
    if not mix.zh_titles or not mix.docnos:
        sys.exit("prep.py: the corpus has no Chinese titles or no document numbers")
    qs = []
    for cls in CLASSES:
        for _ in range(a.per_class):
            qs.append(mix.make(cls))
    # Interleave the classes so that any prefix of the file is a mix.
    rng.shuffle(qs)
    with open(os.path.join(a.out, "queries.tsv"), "w", encoding="utf-8") as t, \
         open(os.path.join(a.out, "queries-searchd.txt"), "w", encoding="utf-8") as s, \
         open(os.path.join(a.out, "queries-sphinxql.txt"), "w", encoding="utf-8") as x:
        for q in qs:
            z = zjson(q)
            sq = sphinxql(q)
            row = [q["cls"], q["q"], q["lang"], q["issuer"], str(q["frm"]), str(q["to"]),
                   ",".join(q["facets"]), str(q["offset"]), str(q["limit"]), z, sq,
                   fts(q, False), fts(q, True)]
            assert not any("\t" in c or "\n" in c for c in row), row
            t.write("\t".join(row) + "\n")
            s.write("SEARCH " + z + "\n")
            x.write(sq + "\n")
    print("prep.py: %d queries (%d classes x %d)" % (len(qs), len(CLASSES), a.per_class))
    if a.sphinx_tsv:
        n = write_sphinx_tsv(a.corpus, os.path.join(a.out, "sphinx.tsv"))
        print("prep.py: sphinx.tsv with %d documents" % n)


if __name__ == "__main__":
    main()
