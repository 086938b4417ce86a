"""corpus.py — the evaluation corpus in memory, and exact ground truth over it.

Owns: loading the JSON Lines inputs, the two normalized views the ground
truth is computed on, and the scans that answer "which documents contain
this string".  Nothing here asks the engine anything: the ground truth must
stay independent of the system it judges.

Normalized views (one string per corpus, documents separated by NUL, with a
sorted offset table so a match position maps back to its document):
  - `text`: NFKC + casefold of title + "\\n" + body.  The engine normalizes
    with utf8proc (NFKC, case folding, full-width forms); for Chinese this is
    the same text.  Chinese substrings are matched here.
  - `words`: the English view: the normalized text cut into runs of letters
    and digits (marks dropped), joined by one space, with a BLOCK token
    wherever a CJK character or a paragraph break stands between two words.
    An English phrase matches when " w1 w2 ... " occurs in it: on word
    boundaries, lower case, punctuation-insensitive, never across a
    paragraph or a Chinese character.
Python 3 standard library only.
"""

import bisect
import hashlib
import json
import re
import unicodedata

SEP = "\x00"
BLOCK = "\x01"

# Han ideographs (BMP blocks, compatibility block and the supplementary
# planes), the characters a Chinese phrase is made of.
CJK_CLASS = ("\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
             "\U00020000-\U0002ffff\U00030000-\U0003134f")
CJK_RUN = re.compile("[" + CJK_CLASS + "]+")
CJK_CHAR = re.compile("[" + CJK_CLASS + "]")
# A word of the English view: letters and digits; anything else separates.
# CJK characters are matched too, so they can become BLOCK tokens.
WORDISH = re.compile(r"[^\W_]+")


def norm(s):
    """The engine's normalization, as close as the standard library gets."""
    return unicodedata.normalize("NFKC", s).casefold()


def strip_marks(s):
    """Drops combining marks (the engine drops them: café -> cafe)."""
    d = unicodedata.normalize("NFKD", s)
    if d.isascii():
        return d
    return unicodedata.normalize(
        "NFKC", "".join(c for c in d if not unicodedata.combining(c)))


def en_tokens(text_norm):
    """The English view of one normalized text, as a list of tokens
    (BLOCK for a paragraph break or a run holding CJK characters)."""
    out = []
    for para in text_norm.split("\n"):
        if out and out[-1] != BLOCK:
            out.append(BLOCK)
        for m in WORDISH.finditer(strip_marks(para)):
            w = m.group(0)
            if CJK_CHAR.search(w):
                # Split "wto协定" into its Latin part(s) and a block.
                for part in re.split("([" + CJK_CLASS + "]+)", w):
                    if not part:
                        continue
                    if CJK_CHAR.match(part):
                        if out and out[-1] != BLOCK:
                            out.append(BLOCK)
                    else:
                        out.append(part)
            else:
                out.append(w)
    return out


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class Corpus:
    """Documents of one or more JSON Lines files, in input order."""

    def __init__(self, paths, progress=None):
        self.docs = []
        for p in paths:
            with open(p, encoding="utf-8") as f:
                for line in f:
                    line = line.strip()
                    if line:
                        self.docs.append(json.loads(line))
        ids = [d["id"] for d in self.docs]
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate document ids in %s" % (paths,))
        self.index_of = {d["id"]: i for i, d in enumerate(self.docs)}
        if progress:
            progress("normalizing %d documents" % len(self.docs))
        self.norm_text = [norm(d.get("title", "") + "\n" + d.get("body", ""))
                          for d in self.docs]
        self.text, self.text_off = self._join(self.norm_text)
        self._words = None

    @staticmethod
    def _join(parts):
        offs, pos = [], 0
        for p in parts:
            offs.append(pos)
            pos += len(p) + 1
        return SEP.join(parts), offs

    def lang(self, i):
        return self.docs[i].get("lang") or "zh"

    # ---- Chinese (and any) substrings of the normalized text ------------

    def docs_containing(self, sub, cap=None):
        """Indexes of the documents whose normalized text contains `sub`
        (already normalized), in order; stops after cap + 1 documents."""
        return self._scan(self.text, self.text_off, sub, cap)

    @staticmethod
    def _scan(big, offs, sub, cap):
        found = []
        start = 0
        while True:
            pos = big.find(sub, start)
            if pos < 0:
                break
            d = bisect.bisect_right(offs, pos) - 1
            found.append(d)
            if cap is not None and len(found) > cap:
                break
            # Jump to the next document: each counts once.
            start = offs[d + 1] if d + 1 < len(offs) else len(big)
        return found

    def only_in(self, sub, i):
        """True if `sub` occurs in document i's normalized text and nowhere
        else."""
        return self.docs_containing(sub, cap=1) == [i]

    # ---- English phrases ---------------------------------------------------

    def _build_words(self):
        self.word_tokens = [en_tokens(t) for t in self.norm_text]
        streams = [" " + " ".join(toks) + " " for toks in self.word_tokens]
        self._words, self._words_off = self._join(streams)

    def en_docs_containing(self, words, cap=None):
        """Documents containing the word sequence (lower case words)."""
        if self._words is None:
            self._build_words()
        return self._scan(self._words, self._words_off, " " + " ".join(words) + " ", cap)

    def tokens(self, i):
        if self._words is None:
            self._build_words()
        return self.word_tokens[i]


def docno_canonical(s):
    """Our own canonical document number, independent of the engine's:
    NFKC (full-width digits and brackets to ASCII), every bracket style to
    [ ], spaces dropped, case folded."""
    s = unicodedata.normalize("NFKC", s)
    s = s.translate(str.maketrans({"〔": "[", "〕": "]", "【": "[", "】": "]",
                                   "(": "[", ")": "]", "［": "[", "］": "]",
                                   "（": "[", "）": "]"}))
    return "".join(s.split()).casefold()
