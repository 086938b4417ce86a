"""querygen.py — the judged query set, built from the corpus with a fixed seed.

Owns: choosing the queries of every class and their exact relevant sets.
Every choice goes through one random.Random(seed) in a fixed order over the
documents in input order, so the same inputs and seed give the same set.

A query is a dict:
  cls     class key (CLASSES below)
  text    the query text as a user types it
  arg     the SEARCH argument sent to the engine (JSON form, with limit)
  rel     sorted ids of the documents that count as correct
  src     id of the document the query was taken from
  extra   class-specific details (spelling, phrase length, ...)

Classes (see docs/quality.md for the definitions the report prints):
  title_zh / title_en   a document's exact title; correct = every document
                        with that exact (normalized) title
  body_zh               a 6-12 character piece of one paragraph of a body,
                        occurring in no other document's normalized text
  phrase_zh             "quoted" 2-8 Han characters, document frequency 2-200
  phrase_en             "quoted" 2-4 English words, document frequency 2-200,
                        starting and ending on a content word
  docno                 a document number in one of several spellings;
                        correct = the documents with that number
  words_en              2-4 English words, unquoted, starting and ending on
                        a content word, that occur as a sequence in one
                        document only
  phrase_zh_u / phrase_en_u
                        the phrase queries as most people type them,
                        without quotes; judged exactly like the quoted
                        ones (the ranking question: do the documents that
                        hold the exact string fill the top 10?)
  body_zh_q             the body pieces in quotes (an exactness check:
                        the one document, found by a phrase)
  titlewords_zh         2-3 words of a Chinese title, space-separated,
                        as someone who remembers a document's name types
                        them; words cut by forward maximum matching over
                        the SIGHAN 2005 training word lists (seg-gold:
                        PKU + MSR), not by the engine's segmenter; kept
                        when 1-5 documents' titles hold all of them;
                        correct = those documents
  *_t                   the Traditional form (OpenCC s2t) of title_zh,
                        body_zh and phrase_zh, judged like their source
"""

import json
import random
import subprocess

import class_authority
from corpus import BLOCK, CJK_CHAR, CJK_RUN, docno_canonical, norm

GEN_VERSION = 6          # bump when the rules below change

DF_MIN, DF_MAX = 2, 200  # phrase classes: document frequency window
BODY_MIN, BODY_MAX = 6, 12
PHRASE_MIN, PHRASE_MAX = 2, 8

# Characters the query syntax gives a meaning to; a body piece holding one
# would test the parser, not retrieval.
SYNTAX_CHARS = set('"()-:')

EN_STOP = set("""a about above after again against all am an and any are as at be
because been before being below between both but by can did do does doing down
during each few for from further had has have having he her here hers herself him
himself his how i if in into is it its itself me more most my myself no nor not of
off on once only or other our ours ourselves out over own same she should so some
such than that the their theirs them themselves then there these they this those
through to too under until up very was we were what when where which while who whom
why will with you your yours yourself yourselves shall may must such hereby thereof
therein section sec""".split())


def content_word(w):
    """A word a phrase may start or end with: no stop word, no "ii" or "b"
    (list labels such as "(ii)" are words of the text too)."""
    return len(w) >= 3 and w not in EN_STOP


def search_arg(text, limit):
    return json.dumps({"q": text, "limit": limit}, ensure_ascii=False)


def q(cls, text, rel, src, limit, **extra):
    return {"cls": cls, "text": text, "arg": search_arg(text, limit),
            "rel": sorted(set(rel)), "src": src, "extra": extra}


TW_MAX_TITLES = 5       # titlewords_zh: at most this many titles hold the words
TW_MAX_WORD = 8         # longest dictionary word tried (characters)


def load_words(paths):
    """The word set of the SIGHAN training word lists (one word a line),
    normalized as the corpus is; words of 2+ Han characters only."""
    words = set()
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                w = norm(line.strip())
                if len(w) >= 2 and len(CJK_CHAR.findall(w)) == len(w):
                    words.add(w)
    return words


def fmm(run, words):
    """Forward maximum matching of one CJK run: the dictionary words of
    2+ characters it is cut into (single characters are skipped)."""
    out, i = [], 0
    while i < len(run):
        for n in range(min(TW_MAX_WORD, len(run) - i), 1, -1):
            if run[i:i + n] in words:
                out.append(run[i:i + n])
                i += n
                break
        else:
            i += 1
    return out


class Generator:
    def __init__(self, corpus, seed, per_class, folded, progress, words=None):
        self.c = corpus
        self.rng = random.Random(seed)
        self.n = per_class
        self.folded = folded      # {doc index: normalized t2s text} for docs t2s changes
        self.progress = progress
        self.words = words        # dictionary for titlewords_zh (None: class skipped)
        self.zh = [i for i in range(len(corpus.docs)) if corpus.lang(i) == "zh"]
        self.en = [i for i in range(len(corpus.docs)) if corpus.lang(i) == "en"]

    def shuffled(self, idxs):
        v = list(idxs)
        self.rng.shuffle(v)
        return v

    def ids(self, idxs):
        return [self.c.docs[i]["id"] for i in idxs]

    # ---- titles --------------------------------------------------------

    def titles(self, pool, cls):
        by_title = {}
        for i, d in enumerate(self.c.docs):
            t = norm(d.get("title", "")).strip()
            if t:
                by_title.setdefault(t, []).append(i)
        out, seen = [], set()
        for i in self.shuffled(pool):
            title = self.c.docs[i].get("title", "").strip()
            t = norm(title)
            if not t or t in seen:
                continue
            seen.add(t)
            out.append(q(cls, title, self.ids(by_title[t]), self.c.docs[i]["id"], 10,
                         dup=len(by_title[t])))
            if len(out) >= self.n:
                break
        return out

    # ---- Chinese title words (known item) ---------------------------------

    def title_words(self):
        if not self.words:
            return []
        titles = [norm(d.get("title", "")).strip() for d in self.c.docs]
        out, seen = [], set()
        for i in self.shuffled(self.zh):
            t = titles[i]
            ws = []
            for m in CJK_RUN.finditer(t):
                ws += [w for w in fmm(m.group(0), self.words) if w not in ws]
            if len(ws) < 2:
                continue
            for _ in range(4):
                k = min(len(ws), self.rng.choice((2, 3)))
                pick = sorted(self.rng.sample(range(len(ws)), k))
                chosen = [ws[j] for j in pick]
                key = " ".join(chosen)
                if key in seen:
                    continue
                rel = [j for j, tt in enumerate(titles) if all(w in tt for w in chosen)]
                if not (1 <= len(rel) <= TW_MAX_TITLES) or i not in rel:
                    continue
                seen.add(key)
                out.append(q("titlewords_zh", key, self.ids(rel), self.c.docs[i]["id"], 10,
                             words=k, titles=len(rel)))
                break
            if len(out) >= self.n:
                break
        return out

    # ---- Chinese body pieces (known item) ------------------------------

    def body_pieces(self):
        out = []
        for i in self.shuffled(self.zh):
            paras = [p.strip() for p in self.c.docs[i].get("body", "").split("\n")]
            paras = [p for p in paras if len(p) >= BODY_MAX]
            if not paras:
                continue
            for _ in range(12):
                p = self.rng.choice(paras)
                n = self.rng.randint(BODY_MIN, BODY_MAX)
                s = self.rng.randrange(0, len(p) - n + 1)
                piece = p[s:s + n]
                if any(ch in SYNTAX_CHARS for ch in piece):
                    continue
                if not (piece[0].isalnum() and piece[-1].isalnum()):
                    continue
                if len(CJK_CHAR.findall(piece)) < 4:
                    continue
                if any(w in ("AND", "OR", "NOT") for w in piece.split()):
                    continue
                pn = norm(piece)
                if pn not in self.c.norm_text[i]:
                    continue        # normalization is not local here: skip
                if not self.c.only_in(pn, i):
                    continue
                if not self.fold_stable(pn, [i]):
                    continue
                out.append(q("body_zh", piece, [self.c.docs[i]["id"]],
                             self.c.docs[i]["id"], 10, length=n))
                break
            if len(out) >= self.n:
                break
        return out

    def fold_stable(self, sub, holders):
        """True if folding Traditional characters (OpenCC t2s) would not
        change which documents contain `sub`: then the relevant set is the
        same whether or not the engine folds."""
        for j, ft in self.folded.items():
            if (sub in ft) != (j in holders):
                return False
        return True

    # ---- Chinese phrases -----------------------------------------------

    def phrases_zh(self):
        out, seen = [], set()
        k = 0
        for i in self.shuffled(self.zh):
            want = PHRASE_MIN + k % (PHRASE_MAX - PHRASE_MIN + 1)
            runs = [m.group(0) for m in CJK_RUN.finditer(self.c.norm_text[i])
                    if len(m.group(0)) >= want]
            if not runs:
                continue
            for _ in range(6):
                r = self.rng.choice(runs)
                s = self.rng.randrange(0, len(r) - want + 1)
                p = r[s:s + want]
                if p in seen:
                    continue
                holders = self.c.docs_containing(p, cap=DF_MAX)
                if not (DF_MIN <= len(holders) <= DF_MAX):
                    continue
                if i not in holders or not self.fold_stable(p, holders):
                    continue
                seen.add(p)
                out.append(q("phrase_zh", '"%s"' % p, self.ids(holders),
                             self.c.docs[i]["id"], 100, length=want, df=len(holders),
                             phrase=p))
                k += 1
                break
            if len(out) >= self.n:
                break
        return out

    # ---- English phrases and word queries --------------------------------

    def en_sequences(self, cls, count, lo, hi, accept):
        out, seen = [], set()
        for i in self.shuffled(self.en):
            toks = self.c.tokens(i)
            if len(toks) < hi:
                continue
            for _ in range(8):
                n = self.rng.randint(lo, hi)
                s = self.rng.randrange(0, len(toks) - n + 1)
                w = toks[s:s + n]
                if any(t == BLOCK or not t.isalpha() for t in w):
                    continue
                if any(t in ("and", "or", "not") for t in w) and cls == "words_en":
                    continue
                key = " ".join(w)
                if key in seen:
                    continue
                res = accept(w)
                if res is None:
                    continue
                seen.add(key)
                out.append(res(i))
                break
            if len(out) >= count:
                break
        return out

    def phrases_en(self):
        def accept(w):
            if not (content_word(w[0]) and content_word(w[-1])):
                return None
            holders = self.c.en_docs_containing(w, cap=DF_MAX)
            if not (DF_MIN <= len(holders) <= DF_MAX):
                return None
            text = '"%s"' % " ".join(w)
            return lambda i: q("phrase_en", text, self.ids(holders), self.c.docs[i]["id"],
                               100, length=len(w), df=len(holders), phrase=" ".join(w))
        return self.en_sequences("phrase_en", self.n, 2, 4, accept)

    def words_en(self):
        def accept(w):
            if not (content_word(w[0]) and content_word(w[-1])):
                return None
            holders = self.c.en_docs_containing(w, cap=1)
            if len(holders) != 1:
                return None
            text = " ".join(w)
            return lambda i: q("words_en", text, self.ids(holders), self.c.docs[i]["id"],
                               10, length=len(w))
        return self.en_sequences("words_en", self.n, 2, 4, accept)

    # ---- document numbers ----------------------------------------------

    def docnos(self):
        by_canon = {}
        for i, d in enumerate(self.c.docs):
            if d.get("docno"):
                by_canon.setdefault(docno_canonical(d["docno"]), []).append(i)
        out = []
        for pool, share in ((self.zh, self.n), (self.en, max(1, self.n // 3))):
            seen, taken = set(), 0
            for i in self.shuffled(pool):
                dn = self.c.docs[i].get("docno", "").strip()
                if not dn:
                    continue
                canon = docno_canonical(dn)
                if canon in seen:
                    continue
                seen.add(canon)
                rel = self.ids(by_canon[canon])
                for spelling, text in docno_spellings(dn):
                    out.append(q("docno", text, rel, self.c.docs[i]["id"], 10,
                                 spelling=spelling, lang=self.c.lang(i)))
                taken += 1
                if taken >= share:
                    break
        return out

    def build(self):
        sets = []
        for name, fn in (("title_zh", lambda: self.titles(self.zh, "title_zh")),
                         ("body_zh", self.body_pieces),
                         ("phrase_zh", self.phrases_zh),
                         ("phrase_en", self.phrases_en),
                         ("docno", self.docnos),
                         ("title_en", lambda: self.titles(self.en, "title_en")),
                         ("words_en", self.words_en),
                         ("titlewords_zh", self.title_words),
                         (class_authority.CLS, lambda: class_authority.generate(self, q))):
            self.progress("query set: %s ..." % name)
            got = fn()
            self.progress("query set: %s: %d queries" % (name, len(got)))
            sets.extend(got)
        return sets


def variants(queries):
    """The other form of the phrase and body-piece queries, same judgments:
    phrase_zh/phrase_en unquoted (class + "_u"), body_zh quoted
    ("body_zh_q").  Derived after the random draws, so the other classes
    are the same queries as before."""
    out = []
    for x in queries:
        limit = json.loads(x["arg"])["limit"]
        if x["cls"] in ("phrase_zh", "phrase_en"):
            t = x["text"][1:-1]
            cls = x["cls"] + "_u"
        elif x["cls"] == "body_zh":
            t = '"%s"' % x["text"]
            cls = "body_zh_q"
        else:
            continue
        out.append({"cls": cls, "text": t, "arg": search_arg(t, limit), "rel": x["rel"],
                    "src": x["src"], "extra": dict(x["extra"])})
    return out


FW_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


def docno_spellings(dn):
    """(spelling name, text) pairs: the stored form and the variants that
    differ from it."""
    out = [("as stored", dn)]
    seen = {dn}

    def add(name, text):
        if text not in seen:
            seen.add(text)
            out.append((name, text))

    if "〔" in dn or "〕" in dn:
        add("[ ] brackets", dn.replace("〔", "[").replace("〕", "]"))
        add("（ ） brackets", dn.replace("〔", "（").replace("〕", "）"))
    add("full-width digits", dn.translate(FW_DIGITS))
    if dn.isascii():
        add("lower case", dn.lower())
    return out


def traditional(queries, opencc_cmd, workdir, progress):
    """The Traditional forms of the Chinese title, body and phrase queries,
    converted in one OpenCC call.  Returns the new queries (class + "_t")."""
    src = [x for x in queries if x["cls"] in ("title_zh", "body_zh", "phrase_zh")]
    if not src:
        return []
    texts = [x["text"] for x in src]
    if any("\n" in t for t in texts):
        raise ValueError("a query holds a newline")
    inp = workdir / "s2t-in.txt"
    outp = workdir / "s2t-out.txt"
    inp.write_text("\n".join(texts) + "\n", encoding="utf-8")
    progress("query set: converting %d queries to Traditional (%s)" %
             (len(texts), " ".join(opencc_cmd)))
    subprocess.run(opencc_cmd + ["-i", str(inp), "-o", str(outp)], check=True)
    conv = outp.read_text(encoding="utf-8").split("\n")
    if conv and conv[-1] == "":
        conv.pop()
    if len(conv) != len(texts):
        raise ValueError("opencc returned %d lines for %d" % (len(conv), len(texts)))
    out = []
    for x, t in zip(src, conv):
        limit = json.loads(x["arg"])["limit"]
        extra = dict(x["extra"], simplified=x["text"], changed=t != x["text"])
        out.append({"cls": x["cls"] + "_t", "text": t, "arg": search_arg(t, limit),
                    "rel": x["rel"], "src": x["src"], "extra": extra})
    return out
