#!/usr/bin/python3
"""test_eval.py — tests of the evaluation harness itself (stdlib unittest).

Owns: checking that the judge is right before it judges: the metrics, the
ground-truth scans (no match across documents, English word boundaries),
the document-number canonical form, the answer parser, zh-ir scoring, and
how an analyzer mode is found available or not (with stand-in indexers
around the real one).  run.sh runs these before every `make eval`.

Usage: /usr/bin/python3 bench/eval/test_eval.py [-v]
Environment: BUILD (default build) — the analyzer-probe tests need
$BUILD/bin/zhengce-indexer and $BUILD/bench/evalq and are skipped without.
"""

import json
import os
import stat
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import class_abbrev  # noqa: E402
import class_counts  # noqa: E402
import class_units  # noqa: E402
import corpus  # noqa: E402
import engine  # noqa: E402
import metrics  # noqa: E402
import querygen  # noqa: E402
import zhir  # noqa: E402

REPO = HERE.parent.parent
BUILD = Path(os.environ.get("BUILD", "build"))
if not BUILD.is_absolute():
    BUILD = REPO / BUILD


def write_jsonl(path, docs):
    with open(path, "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")


class Metrics(unittest.TestCase):
    def test_self_check(self):
        self.assertTrue(metrics.self_check())

    def test_empty_relevant_set_is_an_error(self):
        with self.assertRaises(ValueError):
            metrics.rcap_at(["a"], set())
        with self.assertRaises(ValueError):
            metrics.ndcg_at(["a"], set())


class GroundTruth(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        p = os.path.join(self.tmp.name, "c.jsonl")
        write_jsonl(p, [
            {"id": "a", "lang": "zh", "title": "振兴东北", "body": "老工业基地\n调整改造"},
            {"id": "b", "lang": "zh", "title": "基地建设", "body": "东北老工业基地振兴"},
            {"id": "c", "lang": "en", "title": "Pay Rates",
             "body": "The President's order, WTO协定 rules\nNext Section"},
            {"id": "d", "lang": "en", "title": "ＦＵＬＬ Width",
             "body": "order rules apply; the president s order"},
        ])
        self.c = corpus.Corpus([p])

    def tearDown(self):
        self.tmp.cleanup()

    def ids(self, idxs):
        return [self.c.docs[i]["id"] for i in idxs]

    def test_chinese_substrings(self):
        self.assertEqual(self.ids(self.c.docs_containing("老工业基地")), ["a", "b"])
        self.assertEqual(self.ids(self.c.docs_containing("基地调整")), [])   # paragraph break
        self.assertTrue(self.c.only_in("调整改造", 0))
        self.assertFalse(self.c.only_in("工业", 0))
        # Never across the end of one document and the start of the next.
        self.assertEqual(self.c.docs_containing("改造基地"), [])
        self.assertEqual(self.c.docs_containing("振兴", cap=0), [0])

    def test_normalization(self):
        self.assertEqual(self.ids(self.c.docs_containing("full width")), ["d"])

    def test_english_tokens(self):
        toks = corpus.en_tokens(corpus.norm("The President's order, WTO协定 rules\nNext"))
        B = corpus.BLOCK
        self.assertEqual(toks, ["the", "president", "s", "order", "wto", B, "rules", B,
                                "next"])

    def test_english_phrases(self):
        c = self.c
        self.assertEqual(self.ids(c.en_docs_containing(["president", "s", "order"])),
                         ["c", "d"])                       # punctuation-insensitive
        self.assertEqual(self.ids(c.en_docs_containing(["order", "rules"])), ["d"])
        self.assertEqual(self.ids(c.en_docs_containing(["wto", "rules"])), [])  # CJK between
        self.assertEqual(self.ids(c.en_docs_containing(["rules", "next"])), [])  # paragraph
        self.assertEqual(self.ids(c.en_docs_containing(["rates", "the"])), [])   # title|body
        self.assertEqual(self.ids(c.en_docs_containing(["rule"])), [])          # whole words


class Abbreviations(unittest.TestCase):
    """class_abbrev.py: its own reading of the synonym list format, and
    judgments from corpus scans."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        d = Path(self.tmp.name)
        self.lst = d / "syn.txt"
        self.lst.write_text(
            "# comment\n国家发展改革委 | 发改委  # trailing\nC# | csharp\n"
            "EO | E.O. => Executive Order\n!no-default\n\n", encoding="utf-8")
        p = d / "docs.jsonl"
        docs = [{"id": "a", "lang": "zh", "title": "通知", "body": "国家发展改革委发布"},
                {"id": "b", "lang": "zh", "title": "答问", "body": "发改委表示"},
                {"id": "c", "lang": "en", "title": "Order", "body": "Executive Order 13769.",
                 "docno": "Executive Order 13769"},
                {"id": "d", "lang": "en", "title": "Other", "body": "an EO here"}]
        p.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in docs),
                     encoding="utf-8")
        self.c = corpus.Corpus([str(p)])

    def tearDown(self):
        self.tmp.cleanup()

    def test_read_list(self):
        got = class_abbrev.read_list(self.lst)
        self.assertEqual(got, [
            (["发改委"], ["国家发展改革委", "发改委"], "国家发展改革委"),
            (["csharp"], ["C#", "csharp"], "C#"),
            (["EO", "E.O."], ["EO", "E.O.", "Executive Order"], "Executive Order")])

    def test_queries(self):
        qs = class_abbrev.queries(self.c, 1, path=self.lst)
        by = {(x["cls"], x["text"]): x["rel"] for x in qs}
        self.assertEqual(by[("abbrev", "发改委")], ["a", "b"])
        self.assertEqual(by[("abbrev_other", "发改委")], ["a"])
        # EO: every document with any form (the word EO in d, the full name in c)
        self.assertEqual(by[("abbrev", "EO")], ["c", "d"])
        self.assertEqual(by[("abbrev_other", "EO")], ["c"])
        self.assertEqual(by[("abbrev_eo", "EO 13769")], ["c"])
        self.assertEqual(by[("abbrev_eo", "E.O. 13769")], ["c"])
        self.assertNotIn(("abbrev", "csharp"), by)   # C# is in no document


class DocNumbers(unittest.TestCase):
    def test_canonical(self):
        a = corpus.docno_canonical("国发〔2016〕62号")
        for s in ("国发[2016]62号", "国发（２０１６）６２号", "国发(2016)62号", "国发 〔2016〕 62号"):
            self.assertEqual(corpus.docno_canonical(s), a, s)
        self.assertNotEqual(corpus.docno_canonical("国发〔2016〕63号"), a)

    def test_spellings(self):
        sp = dict(querygen.docno_spellings("国发〔2016〕62号"))
        self.assertEqual(sp["as stored"], "国发〔2016〕62号")
        self.assertEqual(sp["[ ] brackets"], "国发[2016]62号")
        self.assertEqual(sp["（ ） brackets"], "国发（2016）62号")
        self.assertEqual(sp["full-width digits"], "国发〔２０１６〕６２号")
        sp = dict(querygen.docno_spellings("国务院令第406号"))
        self.assertEqual(set(sp), {"as stored", "full-width digits"})
        sp = dict(querygen.docno_spellings("Executive Order 13771"))
        self.assertEqual(sp["lower case"], "executive order 13771")


class Answers(unittest.TestCase):
    def parse(self, text, n):
        with tempfile.NamedTemporaryFile("w", delete=False, encoding="utf-8") as f:
            f.write(text)
        try:
            return engine.parse_answers(f.name, n)
        finally:
            os.unlink(f.name)

    def test_lines(self):
        got = self.parse("a\tb\n\n#ERR\tbad_request\tno positive term\n", 3)
        self.assertEqual(got, [["a", "b"], [], ("#ERR", "bad_request", "no positive term")])

    def test_count_mismatch(self):
        with self.assertRaises(RuntimeError):
            self.parse("a\n", 2)

    def test_duplicate_id(self):
        with self.assertRaises(RuntimeError):
            self.parse("a\tb\ta\n", 1)
        # With a problems list: reported, and counted once.
        with tempfile.NamedTemporaryFile("w", delete=False, encoding="utf-8") as f:
            f.write("a\tb\ta\tc\n")
        try:
            problems = []
            got = engine.parse_answers(f.name, 1, problems, ["q1"])
        finally:
            os.unlink(f.name)
        self.assertEqual(got, [["a", "b", "c"]])
        self.assertEqual(len(problems), 1)
        self.assertIn("q1", problems[0])


class ZhIrScoring(unittest.TestCase):
    def test_perfect_run_scores_one(self):
        root = Path(os.environ.get("SHARED", REPO.parent / "shared")) / "zh-ir"
        if not (root / "qrels.tsv").exists():
            self.skipTest("no shared/zh-ir")
        z = zhir.ZhIr(str(root), lambda m: None)
        perfect = [sorted(z.qrels[q]) for q, _ in z.queries]
        res = z.score(perfect)
        for split in ("all", "dev"):
            for m in zhir.METRICS:
                if m == "recall@10":
                    continue
                self.assertAlmostEqual(res[split][m], 1.0, msg="%s %s" % (split, m))
        # Recall@10 is not capped (README definition): queries with more than
        # 10 relevant articles cannot reach 1.
        want = metrics.mean(min(10, len(r)) / len(r) for r in z.qrels.values())
        self.assertAlmostEqual(res["all"]["recall@10"], want)
        self.assertLess(want, 1.0)
        self.assertEqual(res["dev"]["n"], 308)
        nothing = z.score([[] for _ in z.queries])
        self.assertEqual(nothing["all"]["ndcg@10"], 0.0)


FAKE_INDEXER = """#!/bin/sh
# A stand-in zhengce-indexer: %s
%s
exec %s "$@"
"""


class AnalyzerProbe(unittest.TestCase):
    """Engine.probe against the real indexer, and against stand-ins that
    accept --analyzer but ignore it."""

    def setUp(self):
        self.real = BUILD / "bin" / "zhengce-indexer"
        self.evalq = BUILD / "bench" / "evalq"
        if not (os.access(self.real, os.X_OK) and os.access(self.evalq, os.X_OK)):
            self.skipTest("%s or %s not built" % (self.real, self.evalq))
        self.tmp = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.tmp.cleanup()

    def fake_build(self, comment, body):
        b = Path(self.tmp.name) / "build"
        (b / "bin").mkdir(parents=True)
        (b / "bench").mkdir()
        os.symlink(self.evalq, b / "bench" / "evalq")
        ix = b / "bin" / "zhengce-indexer"
        ix.write_text(FAKE_INDEXER % (comment, body, self.real))
        ix.chmod(ix.stat().st_mode | stat.S_IXUSR)
        return str(b)

    def engine(self, build):
        work = os.path.join(self.tmp.name, "work")
        os.makedirs(work, exist_ok=True)
        return engine.Engine(build, work, lambda m: None)

    def test_real_indexer(self):
        # At least the indexer's default mode must be available, and a mode
        # reported available must be what the index records (probe checks).
        e = self.engine(str(BUILD))
        default = self.default_mode(e)
        how, _ = e.probe(default)
        self.assertIn(how, ("flag", "env"))

    def test_ignored_flag_is_unavailable(self):
        # Accepts --analyzer MODE, drops it, builds the default (ngram).
        body = ('args=""; skip=0\n'
                'for a in "$@"; do\n'
                '  if [ $skip = 1 ]; then skip=0; continue; fi\n'
                '  if [ "$a" = "--analyzer" ]; then skip=1; continue; fi\n'
                '  args="$args $a"\n'
                'done\n'
                'set -- $args')
        e = self.engine(self.fake_build("ignores --analyzer", body))
        # Whatever the real indexer's default is, the stand-in always builds
        # it: that mode is available, any other is not.
        default = self.default_mode(e)
        self.assertEqual(e.probe(default)[0], "flag")
        other = next(m for m in ("ngram", "words", "hybrid") if m != default)
        with self.assertRaises(engine.Unavailable) as cm:
            e.probe(other)
        self.assertIn("records analyzer '%s'" % default, str(cm.exception))

    def default_mode(self, e):
        d = os.path.join(self.tmp.name, "default")
        os.makedirs(d)
        doc = os.path.join(d, "d.jsonl")
        write_jsonl(doc, [{"id": "x", "title": "振兴东北", "body": "老工业基地"}])
        import subprocess
        env = {k: v for k, v in os.environ.items() if k != "ZC_ANALYZER"}
        subprocess.run([str(self.real), "--index", os.path.join(d, "ix"), doc], env=env,
                       check=True, capture_output=True)
        mode = engine.recorded_mode(e.info(os.path.join(d, "ix")).get("analyzer"))
        self.assertIsNotNone(mode)
        return mode

    def test_failing_indexer_is_unavailable(self):
        e = self.engine(self.fake_build("always fails", 'echo "broken" >&2; exit 3'))
        with self.assertRaises(engine.Unavailable):
            e.probe("hybrid")


class CountAccuracy(unittest.TestCase):
    """The count class's truth (text and document number, each document
    once) and its figures."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        p = os.path.join(self.tmp.name, "c.jsonl")
        write_jsonl(p, [
            {"id": "a", "lang": "zh", "title": "营商环境", "body": "营商环境 营商环境"},
            {"id": "b", "lang": "zh", "title": "通知", "body": "优化营商\n环境"},
            {"id": "c", "lang": "zh", "title": "通知", "body": "无关", "docno": "营商〔2020〕1号"},
            {"id": "d", "lang": "en", "title": "Notice", "body": "nothing"},
        ])
        self.c = corpus.Corpus([p])

    def tearDown(self):
        self.tmp.cleanup()

    def test_holders(self):
        import random
        k = class_counts.Counts(self.c, random.Random(1), lambda m: None)
        self.assertEqual(k.holders("营商环境"), {0})          # not across the paragraph
        self.assertEqual(k.holders("营商"), {0, 1, 2})        # the docno counts too
        self.assertTrue(k.fold_stable("营商", {0, 1, 2}))

    def test_score(self):
        qs = [{"q": "a", "truth": 5}, {"q": "b", "truth": 2000}, {"q": "c", "truth": 4000},
              {"q": "d", "truth": 100}]
        ans = [(5, True, 5, True), (2100, False, 2100, False), (3000, False, 3000, False),
               (99, True, 99, False)]
        s = class_counts.score(qs, ans, 1000)
        self.assertEqual(s["n"], 4)
        self.assertAlmostEqual(s["exact"], 0.5)
        self.assertAlmostEqual(s["exact_right"], 0.5)       # 99 for 100 is wrong
        self.assertAlmostEqual(s["within_exact"], 1.0)
        self.assertEqual(s["n_est"], 2)
        self.assertAlmostEqual(s["worst_err"], 0.25)
        self.assertAlmostEqual(s["median_err"], 0.25)       # the upper median of 2
        self.assertAlmostEqual(s["est_10pct"], 0.5)
        self.assertAlmostEqual(s["paging"], 0.75)           # page 3 of "d" said inexact
        self.assertEqual(s["worst_q"], "c")
class UnitsJudge(unittest.TestCase):
    """class_units.py: its own judge of dates, values and document numbers,
    and the queries it makes from a small corpus."""

    def test_known_strings(self):
        class_units.check(None, [])
        t = corpus.norm("会议于２０１７年６月２７日召开，2017.6.27，二零一七年六月二十七日")
        self.assertEqual(class_units.dates_in(t), {(2017, 6, 27)})
        self.assertEqual(class_units.values_in(corpus.norm("５％和百分之零点五、0.5%")),
                         {("%", "5"), ("%", "0.5")})
        self.assertEqual(class_units.values_in("一万五千元、15000元、1.5万元"),
                         {("元", "15000")})
        self.assertIsNone(class_units.cn_int("一九"))
        self.assertEqual(class_units.to_cn(10010), "一万零一十")

    def test_generated_queries(self):
        with tempfile.TemporaryDirectory() as tmp:
            p = os.path.join(tmp, "c.jsonl")
            write_jsonl(p, [
                {"id": "a", "lang": "zh", "title": "通知", "docno": "国发〔2016〕12号",
                 "body": "于2017年6月27日起施行，税率5%，资金300万元。"},
                {"id": "b", "lang": "zh", "title": "条例",
                 "body": "自二〇一七年六月二十七日起，税率百分之五，罚款三百万元；依据国发〔2016〕12号。"},
                {"id": "c", "lang": "zh", "title": "计划",
                 "body": "2017年6月完成，27日前上报，税率15%，国发〔2016〕120号。"},
            ])
            c = corpus.Corpus([p])
            qs = class_units.generate(c, 7, 30, lambda m: None)
            class_units.check(c, qs)
            by = {}
            for x in qs:
                by.setdefault(x["cls"], []).append(x)
            for x in by["units_date"] + by["units_date_q"]:
                self.assertEqual(x["rel"], ["a", "b"], x)
            self.assertEqual({x["text"] for x in by["units_date"]},
                             {"2017年6月27日", "２０１７年６月２７日", "2017-06-27",
                              "二〇一七年六月二十七日"})
            for x in by["units_num"]:
                fifteen = x["text"] in ("15%", "１５％", "百分之十五")
                self.assertEqual(x["rel"], ["c"] if fifteen else ["a", "b"], x)
            for x in by["units_docno"]:
                self.assertEqual(x["rel"], ["a", "b"], x)


if __name__ == "__main__":
    unittest.main()
