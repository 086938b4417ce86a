"""class_units.py — the "units typed without quotes" query classes of `make eval`
(issue 13 items 5 and 7): dates, percentages, amounts and document numbers as
people type them, without quotes, in several spellings.

Owns: choosing these queries from the corpus and their relevant sets, and the
by-spelling table.  The judge is its own: regular expressions and a Chinese
numeral reader written here, over the normalized text (NFKC + casefold, as
corpus.py), never the engine's scanner (lib/unit.c).

Classes (each query: {"q": text, "limit": 100}):
  units_date    a full date found in a Chinese document (Y年M月D日), typed
                as found, in full-width digits, as Y-MM-DD, and in Chinese
                numerals (二〇一七年六月二十七日); relevant: every document
                holding that date in any of the spellings the judge reads
                (Y年M月D日 in ASCII, full-width or Chinese digits; Y-M-D,
                Y.M.D, Y/M/D)
  units_date_q  the same dates in quotes, as found (the issue's yardstick:
                "quoted, every hit does"); same relevant sets
  units_num     a percentage (5%, 百分之五) or an amount in 万元 (300万元,
                三百万元) found in a Chinese document, typed in Arabic
                digits, full-width (percentages) and Chinese numerals;
                relevant: the documents holding that value with that unit
                in any spelling (so 5% is not 15%, 百分之五十 or 0.5%)
  units_docno   a document number of the 〔year〕 kind (国办函〔2018〕71号)
                as stored and with [ ] brackets, typed alone; relevant: the
                documents with that number and those citing it (the number
                in their text, any bracket or width: its prefix ends the run
                of characters before the bracket)
"""

import random
import re
from decimal import Decimal

GEN_VERSION = 1

# (class, row label, metrics) for eval.py's main table.
ROWS = [
    ("units_date", "unquoted date, every spelling", ["prec@10", "fill@10", "recall@100"]),
    ("units_date_q", "… same dates, \"quoted\" as found", ["prec@10", "fill@10", "recall@100"]),
    ("units_num", "unquoted percentage or amount", ["prec@10", "fill@10", "recall@100"]),
    ("units_docno", "unquoted document number (zh)", ["prec@10", "fill@10"]),
]
CLASSES = {r[0] for r in ROWS}

METHOD = """\
- **Units typed without quotes** (added 2026-12-08, `bench/eval/class_units.py`):
  the issue-13 question "a date typed without quotes matches documents holding
  its digits anywhere; quoted, every hit does".  Up to %(dates)d full dates
  (Y年M月D日) found in sampled Chinese documents, each typed as found, in
  full-width digits, as Y-MM-DD and in Chinese numerals (二〇一七年六月二十七日);
  the same dates in quotes as found; up to %(nums)d percentages (typed 5%%, ５％,
  百分之五) and %(nums)d amounts in 万元 (300万元, 三百万元); up to %(docnos)d
  document numbers of the 〔year〕 kind, as stored and with [ ].  Relevant:
  every document holding the same date, the same value with the same unit, or
  the same number (its own, or cited in its text), in any spelling the
  judge's own regular expressions and Chinese-numeral reader find (never the
  engine's).  prec@10 (exactness), fill@10, recall@100; by spelling in the
  table "Units typed without quotes".
"""

SPELLINGS = ["as found", "full-width", "Y-MM-DD", "Chinese numerals", "quoted as found",
             "[ ] brackets", "as stored"]

FW = str.maketrans("0123456789%-", "０１２３４５６７８９％－")

# ---- the judge: Chinese numerals -------------------------------------------

CN_DIGIT = {"〇": 0, "零": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
            "六": 6, "七": 7, "八": 8, "九": 9}
CN_SMALL = {"十": 10, "百": 100, "千": 1000}
CN_NUM = "〇零○一二三四五六七八九两十百千万亿"
CN_CLASS = "[" + CN_NUM + "]"


def cn_int(s):
    """A Chinese integer in the usual grammar (三百万, 一万五千, 十五, a
    leading 十 百 千 meaning one of it, 十 after 百 or 千 meaning 一十:
    四百十一), or None (一九: digits in a row are no number of this
    grammar)."""
    total = wan = section = last = 0
    num = None
    for k, ch in enumerate(s):
        if ch in CN_DIGIT:
            if num not in (None, 0) or (num == 0 and CN_DIGIT[ch] == 0):
                return None
            num = CN_DIGIT[ch]
        elif ch in CN_SMALL:
            u = CN_SMALL[ch]
            if num:
                mult = num
            elif (num is None and k == 0) or (ch == "十" and last >= 100):
                mult = 1
            else:
                return None
            if last and u >= last:
                return None
            section += mult * u
            last = u
            num = None
        elif ch in ("万", "亿"):
            part = section + (num or 0)
            if ch == "万":
                if wan:
                    total += (wan + part) * 10000   # 八万六千万: 86000 of 万
                    wan = 0
                elif part == 0:
                    return None
                else:
                    wan = part * 10000
            else:
                if total + wan + part == 0:
                    return None
                total = (total + wan + part) * 100000000
                wan = 0
            section, num, last = 0, None, 0
        else:
            return None
    return total + wan + section + (num or 0)


def cn_value(s):
    """A Chinese number with an optional 点 and digits (十五点五), as a Decimal."""
    if "点" in s:
        whole, frac = s.split("点", 1)
        w = cn_int(whole) if whole else 0
        if w is None or not frac or any(c not in CN_DIGIT or c == "两" for c in frac):
            return None
        return Decimal(w) + Decimal("0." + "".join(str(CN_DIGIT[c]) for c in frac))
    v = cn_int(s)
    return None if v is None else Decimal(v)


def to_cn(n):
    """The usual Chinese spelling of a non-negative integer below 10^8."""
    if n == 0:
        return "零"
    digits = "零一二三四五六七八九"

    def four(x, lead):
        out, zero = "", False
        for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            d = x // unit % 10
            if d == 0:
                zero = bool(out)
                continue
            if zero:
                out += "零"
                zero = False
            out += ("" if (d == 1 and unit == 10 and lead and not out) else digits[d]) + name
        return out

    hi, lo = divmod(n, 10000)
    if hi == 0:
        return four(lo, True)
    s = four(hi, True) + "万"
    if lo:
        s += ("零" if lo < 1000 else "") + four(lo, False)
    return s


def dec_cn(v):
    """A Decimal as Chinese numerals (15.5 -> 十五点五)."""
    t = format(v.normalize(), "f")
    if "." not in t:
        return to_cn(int(t))
    w, f = t.split(".")
    return to_cn(int(w)) + "点" + "".join("零一二三四五六七八九"[int(c)] for c in f)


def norm_dec(v):
    v = v.normalize()
    return format(v, "f")


# ---- the judge: what a normalized text holds --------------------------------

# An Arabic number starts after no letter, digit or '.', nor after the ','
# of a number (1,000); blanks may stand inside a date (2021年1月 1日).
AR = r"(?<![0-9a-z.])(?<![0-9],)"
B = r"[ \t]*"
DATE_AR = re.compile(AR + r"([0-9]{4})" + B + "年" + B + "([0-9]{1,2})" + B + "月" + B +
                     "([0-9]{1,2})" + B + "日")
DATE_SEP = re.compile(AR + r"([0-9]{4})([-./])([0-9]{1,2})\2([0-9]{1,2})(?![0-9])")
DATE_CN = re.compile(r"(?<!" + CN_CLASS + r")([〇零○一二三四五六七八九]{4})" + B + "年" + B +
                     "([一二三四五六七八九十]{1,3})" + B + "月" + B + "([一二三四五六七八九十]{1,3})" +
                     B + "日")
PCT_AR = re.compile(AR + r"([0-9]+(?:\.[0-9]+)?)%")
PCT_CN = re.compile(r"(?<!" + CN_CLASS + r")百分之(" + CN_CLASS[:-1] + r"点]+|[0-9]+(?:\.[0-9]+)?)")
AMT_AR = re.compile(AR + r"([0-9]+(?:\.[0-9]+)?)([百千万亿]{0,3})元")
AMT_CN = re.compile(r"(?<![0-9.〇零○一二三四五六七八九两十百千万亿点])"
                    r"([〇零○一二三四五六七八九两十百千]" + CN_CLASS +
                    r"*(?:点[〇零○一二三四五六七八九]+[万亿]{0,2})?)元")
DOCNO_TEXT = re.compile(r"([\u4e00-\u9fff]+)[〔\[(【]\s*([0-9]{4})\s*[〕\])】]\s*([0-9]{1,6})号")
DOCNO_FIELD = re.compile(r"^([\u4e00-\u9fff]+)〔([0-9]{4})〕([0-9]{1,6})号$")
MULT = {"百": 100, "千": 1000, "万": 10000, "亿": 100000000}


def date_ok(y, m, d):
    return 1 <= m <= 12 and 1 <= d <= 31


# The Traditional forms the engine reads as Simplified (docs/protocol.md).
TRAD = str.maketrans("萬億兩點個項戶歲噸畝時頃", "万亿两点个项户岁吨亩时顷")


def dates_in(text):
    text = text.translate(TRAD)
    out = set()
    for m in DATE_AR.finditer(text):
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if date_ok(y, mo, d):
            out.add((y, mo, d))
    for m in DATE_SEP.finditer(text):
        y, mo, d = int(m.group(1)), int(m.group(3)), int(m.group(4))
        # not a fourth piece (a version or a code)
        rest = text[m.end():m.end() + 2]
        if date_ok(y, mo, d) and not (rest[:1] == m.group(2) and rest[1:2].isdigit()):
            out.add((y, mo, d))
    for m in DATE_CN.finditer(text):
        y = int("".join(str(CN_DIGIT[c]) for c in m.group(1)))
        mo, d = cn_int(m.group(2)), cn_int(m.group(3))
        if mo and d and date_ok(y, mo, d):
            out.add((y, mo, d))
    return out


def values_in(text):
    """{("%", value) or ("元", value)} of a text."""
    text = text.translate(TRAD)
    out = set()
    for m in PCT_AR.finditer(text):
        out.add(("%", norm_dec(Decimal(m.group(1)))))
    for m in PCT_CN.finditer(text):
        g = m.group(1)
        v = Decimal(g) if g[0].isdigit() else cn_value(g)
        if v is not None:
            out.add(("%", norm_dec(v)))
    for m in AMT_AR.finditer(text):
        v = Decimal(m.group(1))
        for c in m.group(2):
            v *= MULT[c]
        out.add(("元", norm_dec(v)))
    for m in AMT_CN.finditer(text):
        g = m.group(1)
        if "点" in g:
            base, _, tail = g.partition("点")
            frac = tail.rstrip("万亿")
            v = cn_value(base + "点" + frac)
            for c in tail[len(frac):]:
                v = v * MULT[c] if v is not None else None
        else:
            v = cn_value(g)
        if v is not None:
            out.add(("元", norm_dec(v)))
    return out


def docnos_in(text):
    """{(prefix, year, number)} of the 〔year〕 document numbers a text
    cites; the prefix is the whole run of characters before the bracket."""
    return {(m.group(1), int(m.group(2)), int(m.group(3))) for m in DOCNO_TEXT.finditer(text)}


# ---- the queries -------------------------------------------------------------

def arg(text):
    import json
    return json.dumps({"q": text, "limit": 100}, ensure_ascii=False)


def query(cls, text, rel, src, **extra):
    return {"cls": cls, "text": text, "arg": arg(text), "rel": sorted(set(rel)), "src": src,
            "extra": extra}


def generate(corpus, seed, per_class, progress):
    """The queries of the four classes (a list of query dicts as
    querygen.py makes them), from their own random stream: adding them
    changes no other class."""
    rng = random.Random(seed ^ 0x756E697473)
    ids = [d["id"] for d in corpus.docs]
    zh = [i for i in range(len(corpus.docs)) if corpus.lang(i) == "zh"]
    progress("query set: units: scanning %d texts for dates, values, numbers" % len(zh))
    dates, vals, cites = {}, {}, {}
    for i in zh:
        t = corpus.norm_text[i]
        for k in dates_in(t):
            dates.setdefault(k, set()).add(i)
        for k in values_in(t):
            vals.setdefault(k, set()).add(i)
        for k in docnos_in(t):
            cites.setdefault(k, set()).add(i)
    order = list(zh)
    rng.shuffle(order)
    out = []

    # dates, typed as found in the sampled document
    n_dates = max(1, per_class // 3)
    seen = set()
    for i in order:
        found = sorted(DATE_AR.finditer(corpus.norm_text[i]), key=lambda m: m.start())
        found = [m for m in found if date_ok(int(m.group(1)), int(m.group(2)), int(m.group(3)))]
        if not found:
            continue
        m = rng.choice(found)
        key = (int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if key in seen or i not in dates.get(key, ()):
            continue
        seen.add(key)
        y, mo, d = key
        rel = [ids[j] for j in dates[key]]
        src = ids[i]
        typed = m.group(0)
        cy = "".join("〇一二三四五六七八九"[int(c)] for c in str(y))
        forms = [("as found", typed), ("full-width", typed.translate(FW)),
                 ("Y-MM-DD", "%04d-%02d-%02d" % key),
                 ("Chinese numerals", "%s年%s月%s日" % (cy, to_cn(mo), to_cn(d)))]
        for sp, text in forms:
            out.append(query("units_date", text, rel, src, spelling=sp, df=len(rel)))
        out.append(query("units_date_q", '"%s"' % typed, rel, src, spelling="quoted as found",
                         df=len(rel)))
        if len(seen) >= n_dates:
            break

    # percentages and amounts in 万元
    n_vals = max(1, per_class // 6)
    got = {"%": 0, "元": 0}
    seen = set()
    for i in order:
        t = corpus.norm_text[i]
        cands = []
        for m in PCT_AR.finditer(t):
            v = Decimal(m.group(1))
            if 0 < v <= 100 and v == v.quantize(Decimal("0.1")):
                cands.append(("%", v))
        for m in AMT_AR.finditer(t):
            if m.group(2) == "万" and "." not in m.group(1) and 0 < int(m.group(1)) < 100000:
                cands.append(("元", Decimal(m.group(1))))
        for m in PCT_CN.finditer(t):
            v = Decimal(m.group(1)) if m.group(1)[0].isdigit() else cn_value(m.group(1))
            if v is not None and 0 < v <= 100 and v == v.quantize(Decimal("0.1")):
                cands.append(("%", v))
        for m in AMT_CN.finditer(t):
            v = cn_value(m.group(1)) if m.group(1).endswith("万") else None
            if v is not None and 0 < v < 1000000000 and v % 10000 == 0:
                cands.append(("元", v / 10000))
        if not cands:
            continue
        unit, v = rng.choice(cands)
        if got[unit] >= n_vals or (unit, v) in seen:
            continue
        key = (unit, norm_dec(v * 10000 if unit == "元" else v))
        if i not in vals.get(key, ()):
            continue
        seen.add((unit, v))
        got[unit] += 1
        rel = [ids[j] for j in vals[key]]
        if unit == "%":
            a = norm_dec(v) + "%"
            forms = [("as found", a), ("full-width", a.translate(FW).replace(".", "．")),
                     ("Chinese numerals", "百分之" + dec_cn(v))]
        else:
            forms = [("as found", "%d万元" % int(v)), ("Chinese numerals", to_cn(int(v)) + "万元")]
        for sp, text in forms:
            out.append(query("units_num", text, rel, ids[i], spelling=sp, unit=unit,
                             df=len(rel)))
        if got["%"] >= n_vals and got["元"] >= n_vals:
            break

    # document numbers of the 〔year〕 kind
    n_docnos = max(1, per_class // 3)
    field = {}
    for i in zh:
        m = DOCNO_FIELD.match(corpus.docs[i].get("docno", "").strip())
        if m:
            field.setdefault((m.group(1), int(m.group(2)), int(m.group(3))), set()).add(i)
    taken = 0
    for i in order:
        m = DOCNO_FIELD.match(corpus.docs[i].get("docno", "").strip())
        if not m:
            continue
        pre, y, n = m.group(1), int(m.group(2)), int(m.group(3))
        if taken >= n_docnos:
            break
        if i not in field.get((pre, y, n), ()):
            continue
        holders = set(field[(pre, y, n)])
        for (p2, y2, n2), js in cites.items():
            if y2 == y and n2 == n and p2.endswith(pre):
                holders |= js
        if any(ids[i] == q["src"] for q in out if q["cls"] == "units_docno"):
            continue
        taken += 1
        rel = [ids[j] for j in holders]
        dn = corpus.docs[i]["docno"].strip()
        for sp, text in (("as stored", dn),
                         ("[ ] brackets", dn.replace("〔", "[").replace("〕", "]"))):
            out.append(query("units_docno", text, rel, ids[i], spelling=sp, df=len(rel)))
    progress("query set: units: %d queries" % len(out))
    return out


def check(corpus, qs):
    """Sanity: the judge on known strings, and every relevant set holds its
    source document."""
    assert dates_in("于2017年6月27日、２０１７－０６－２７和二〇一七年六月二十七日") == {(2017, 6, 27)}
    assert dates_in("12017年6月27日 2017.6.27.1 2016-13-01") == set()
    assert values_in("税率5%，百分之五，不是15%或百分之五十") == {("%", "5"), ("%", "15"), ("%", "50")}
    assert values_in("三百万元和300万元，12.5亿元") == {("元", "3000000"), ("元", "1250000000")}
    assert to_cn(27) == "二十七" and to_cn(10) == "十" and to_cn(105) == "一百零五"
    assert to_cn(15000) == "一万五千" and dec_cn(Decimal("15.5")) == "十五点五"
    assert cn_value("十五点五") == Decimal("15.5") and cn_int("三百万") == 3000000
    assert cn_int("四百十一") == 411 and cn_int("一千零十") == 1010 and cn_int("一九") is None
    assert cn_int("八万六千万") == 860000000 and cn_int("一亿五千万") == 150000000
    assert dates_in("通过,2009年11月27日；自2021年1月 1日起；3.2017年1月1日") == {
        (2009, 11, 27), (2021, 1, 1)}
    assert values_in("百分之十一點一，百分之四百十一") == {("%", "11.1"), ("%", "411")}
    assert docnos_in("根据国发〔2016〕12号和国办发[2016]12号") == {("根据国发", 2016, 12),
                                                                 ("和国办发", 2016, 12)}
    for x in qs:
        if x["cls"] in CLASSES:
            assert x["rel"] and x["src"] in x["rel"], x


def by_spelling(rows, metric_fn):
    """{"class · spelling": (prec@10 mean, n)} over (query, answer) pairs."""
    acc = {}
    for x, a in rows:
        if x["cls"] not in CLASSES:
            continue
        if isinstance(a, tuple):
            a = []
        k = "%s · %s" % (x["cls"], x["extra"]["spelling"])
        acc.setdefault(k, []).append(metric_fn(a, set(x["rel"])))
    return {k: (sum(v) / len(v), len(v)) for k, v in sorted(acc.items())}


def table(columns, results):
    """The by-spelling table (markdown), "" when no column has the classes."""
    keys = []
    for c in columns:
        for k in results.get(c, {}).get("units_by", {}):
            if k not in keys:
                keys.append(k)
    if not keys:
        return ""
    lines = ["| class · spelling | n | " + " | ".join(columns) + " |",
             "|---|---:|" + "---:|" * len(columns)]
    for k in keys:
        n = next(results[c]["units_by"][k][1] for c in columns
                 if k in results.get(c, {}).get("units_by", {}))
        cells = ["%.3f" % results[c]["units_by"][k][0]
                 if k in results.get(c, {}).get("units_by", {}) else "—" for c in columns]
        lines.append("| %s | %d | %s |" % (k, n, " | ".join(cells)))
    return "\n".join(lines)
