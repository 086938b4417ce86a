"""test_corpus.py — checks of the data in corpus/: the sample documents and
the synthetic generator corpus/gen.

Owns: the contract that every sample document follows protocol.md
("Documents"), that pairs link both ways, that ids are unique across the
JSON Lines and header-format text files, and that corpus/gen is a
deterministic, fast producer of valid documents.  Needs no build: it reads
files and runs corpus/gen with this interpreter.
"""

import calendar
import hashlib
import json
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from zcproto import SAMPLE, Paths, sample_records  # noqa: E402

GEN = Paths.gen

STRING_FIELDS = ("id", "lang", "title", "body", "date", "issuer", "docno", "pair", "url")
DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


# -- helpers ------------------------------------------------------------------

def valid_date(s):
    """protocol.md: YYYY, YYYY-MM or YYYY-MM-DD, a real calendar date."""
    m = DATE_RE.match(s)
    if not m:
        return False
    y = int(m.group(1))
    if y < 1:
        return False
    if m.group(2) is None:
        return True
    mo = int(m.group(2))
    if not 1 <= mo <= 12:
        return False
    if m.group(3) is None:
        return True
    return 1 <= int(m.group(3)) <= calendar.monthrange(y, mo)[1]


def check_document(d, where):
    """Asserts the protocol.md document rules; returns nothing."""
    assert isinstance(d, dict), where
    assert isinstance(d.get("id"), str), f"{where}: id"
    assert 1 <= len(d["id"].encode("utf-8")) <= 256, f"{where}: id length"
    assert not CONTROL_RE.search(d["id"]), f"{where}: control character in id"
    assert isinstance(d.get("title"), str) and d["title"].strip(), f"{where}: title"
    for f in STRING_FIELDS:
        if f in d:
            assert isinstance(d[f], str), f"{where}: {f} must be a string"
            assert "\x00" not in d[f], f"{where}: NUL in {f}"
    if d.get("lang"):
        assert d["lang"] in ("zh", "en"), f"{where}: lang {d['lang']!r}"
    if d.get("date"):
        assert valid_date(d["date"]), f"{where}: date {d['date']!r}"
    if "tags" in d:
        assert isinstance(d["tags"], list), f"{where}: tags"
        assert all(isinstance(t, str) for t in d["tags"]), f"{where}: tags"


def run_gen(*args, env_extra=None, direct=False, check=True):
    env = dict(os.environ)
    env.update(env_extra or {})
    cmd = [str(GEN), *args] if direct else [sys.executable, str(GEN), *args]
    p = subprocess.run(cmd, capture_output=True, env=env, timeout=300)
    if check:
        assert p.returncode == 0, p.stderr.decode("utf-8", "replace")
    return p


def gen_docs(data):
    lines = data.decode("utf-8").split("\n")
    assert lines[-1] == "", "output must end with a newline"
    return [json.loads(l) for l in lines[:-1]]


@pytest.fixture(scope="module")
def sample():
    return sample_records()


@pytest.fixture(scope="module")
def gen7():
    return run_gen("--seed", "7", "--mb", "1").stdout


# -- the sample ---------------------------------------------------------------

def test_sample_jsonl_lines_parse_with_required_fields():
    files = sorted(SAMPLE.glob("*.jsonl"))
    assert files, "no JSONL files in corpus/sample"
    for f in files:
        raw = f.read_bytes()
        assert raw.endswith(b"\n"), f"{f.name}: last line must end with LF"
        for n, line in enumerate(raw.decode("utf-8").split("\n")[:-1], 1):
            assert line.strip(), f"{f.name}:{n}: blank line"
            d = json.loads(line)
            check_document(d, f"{f.name}:{n}")
            assert isinstance(d.get("body"), str) and d["body"], f"{f.name}:{n}: body"


def test_sample_text_files_have_header_and_body(sample):
    texts = [(w, d) for w, d in sample if w.startswith("text/")]
    assert len(texts) >= 6
    for where, d in texts:
        check_document(d, where)
        for k in ("id", "title", "lang", "date", "issuer"):
            assert d.get(k), f"{where}: header {k} missing"
        assert d["body"].count("\n") >= 3, f"{where}: body should have paragraphs"


def test_sample_size_and_languages(sample):
    assert len(sample) >= 44
    langs = [d.get("lang") for _, d in sample]
    assert langs.count("zh") >= 22 and langs.count("en") >= 22


def test_sample_bodies_look_like_policy_text(sample):
    for where, d in sample:
        body = d["body"]
        assert 300 <= len(body) <= 1500, f"{where}: body of {len(body)} characters"
        assert "\n" in body, f"{where}: body should have paragraphs"
        if d.get("lang") == "en":
            assert re.search(r"^(1\.|\(1\))", body, re.M), where
        else:
            assert re.search(r"[一二三四五六七八九]、|（一）", body), where


def test_sample_ids_unique_across_formats(sample):
    ids = [d["id"] for _, d in sample]
    dups = {i for i in ids if ids.count(i) > 1}
    assert not dups, f"duplicate ids: {sorted(dups)}"
    for i in ids:
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", i), f"id {i!r} should be ASCII"


def test_sample_pairs_link_both_ways(sample):
    by_id = {d["id"]: d for _, d in sample}
    npairs = 0
    for where, d in sample:
        p = d.get("pair")
        if not p:
            continue
        assert p in by_id, f"{where}: pair {p!r} does not exist"
        other = by_id[p]
        assert other.get("pair") == d["id"], f"{where}: {p} does not pair back"
        assert {d.get("lang"), other.get("lang")} == {"zh", "en"}, f"{where}: pair languages"
        assert d.get("docno", "") == other.get("docno", ""), f"{where}: pair docno differs"
        assert d.get("date", "") == other.get("date", ""), f"{where}: pair date differs"
        npairs += 1
    assert npairs >= 44  # counted from both sides


def test_sample_has_the_variety_tests_need(sample):
    docs = [d for _, d in sample]
    dates = [d.get("date", "") for d in docs]
    assert any(re.fullmatch(r"\d{4}", x) for x in dates), "a year-only date"
    assert any(re.fullmatch(r"\d{4}-\d{2}", x) for x in dates), "a YYYY-MM date"
    assert any("lang" not in d for d in docs), "a document without lang"
    known = set(STRING_FIELDS) | {"tags"}
    assert any(set(d) - known for d in docs), "a document with an unknown field"
    bodies = "\n".join(d["body"] for d in docs)
    assert "ＧＤＰ" in bodies and "２０１６" in bodies, "full-width text"
    assert re.search(r"[發區灣規劃綱]", bodies), "Traditional Chinese"
    for cited in ("国发[2009]33号", "中发（2016）7号", "国发（2000）33号", "国发〔２０１４〕２８号"):
        assert cited in bodies, f"body citation {cited}"
    en = " ".join(d["body"].lower() for d in docs if d.get("lang") == "en")
    for w in ("revitalization", "revitalize", "northeast", "industrial base"):
        assert w in en, w


def test_sample_known_documents(sample):
    by_id = {d["id"]: d for _, d in sample}
    expect = {
        "ne-2003-zh": ("中发〔2003〕11号", "2003-10-05"),
        "ne-2009-zh": ("国发〔2009〕33号", "2009-09-09"),
        "ne-2016-zh": ("中发〔2016〕7号", "2016-04-26"),
        "ne-2016-62-zh": ("国发〔2016〕62号", "2016-11-01"),
        "west-2000-zh": ("国发〔2000〕33号", "2000-10-26"),
        "central-2006-zh": ("中发〔2006〕10号", "2006-04-15"),
        "central-2012-zh": ("国发〔2012〕43号", "2012-07-25"),
        "yreb-2014-zh": ("国发〔2014〕39号", "2014-09-12"),
        "mic2025-zh": ("国发〔2015〕28号", "2015-05-08"),
        "soe-2015-zh": ("中发〔2015〕22号", "2015-08-24"),
    }
    for i, (docno, date) in expect.items():
        assert by_id[i]["docno"] == docno and by_id[i]["date"] == date, i


def test_sample_readme_lists_every_document(sample):
    readme = (SAMPLE / "README.md").read_text(encoding="utf-8")
    assert "not official" in readme
    for _, d in sample:
        assert f"`{d['id']}`" in readme, f"README misses {d['id']}"


# -- the generator -------------------------------------------------------------

def test_gen_is_executable_python3_script():
    assert os.access(GEN, os.X_OK)
    assert GEN.read_text(encoding="utf-8").startswith("#!/usr/bin/env python3\n")
    p = run_gen("--seed", "3", "--docs", "2", direct=True)
    assert len(gen_docs(p.stdout)) == 2


def test_gen_same_seed_same_bytes(gen7):
    # A different hash seed must not matter.
    again = run_gen("--seed", "7", "--mb", "1", env_extra={"PYTHONHASHSEED": "12345"}).stdout
    assert hashlib.sha256(gen7).hexdigest() == hashlib.sha256(again).hexdigest()


def test_gen_different_seed_different_bytes(gen7):
    other = run_gen("--seed", "8", "--mb", "1").stdout
    assert hashlib.sha256(gen7).hexdigest() != hashlib.sha256(other).hexdigest()


def test_gen_size_follows_mb(gen7):
    assert 1048576 <= len(gen7) < 1048576 + 3 * 65536
    half = run_gen("--seed", "7", "--mb", "0.5").stdout
    assert 524288 <= len(half) < 524288 + 3 * 65536
    assert gen7.startswith(half), "a smaller run is a prefix of a larger one"


def test_gen_documents_are_valid(gen7):
    docs = gen_docs(gen7)
    ids = [d["id"] for d in docs]
    assert ids == [f"gen-7-{n}" for n in range(1, len(docs) + 1)]
    by_id = {d["id"]: d for d in docs}
    for d in docs:
        check_document(d, d["id"])
        assert isinstance(d.get("body"), str) and "\n" in d["body"], d["id"]
        if d.get("pair"):
            other = by_id[d["pair"]]
            assert other.get("pair") == d["id"]
            assert {d["lang"], other["lang"]} == {"zh", "en"}
    assert sum(1 for d in docs if d.get("pair")) >= 10


def test_gen_variety(gen7):
    docs = gen_docs(gen7)
    text = gen7.decode("utf-8")
    langs = [d.get("lang") for d in docs]
    assert langs.count("zh") > 10 and langs.count("en") > 10
    assert any("lang" not in d for d in docs + gen_docs(run_gen("--seed", "9", "--mb", "2").stdout))
    dates = [d.get("date") for d in docs]
    assert any(x and len(x) == 10 for x in dates)
    assert any(x and len(x) == 7 for x in dates)
    assert any(x and len(x) == 4 for x in dates)
    assert "" in dates and None in dates
    docnos = [d["docno"] for d in docs if d.get("docno")]
    styles = {b for n in docnos for b in "〔[（(" if b in n}
    assert len(styles) >= 3, styles
    assert any(re.search(r"[０-９]", n) for n in docnos), "full-width digits in a docno"
    assert "ＧＤＰ" in text or "％" in text
    assert re.search(r"[０-９]{2}", text)
    # mixed lines: a Chinese paragraph that also holds an English sentence
    assert any(re.search(r"[\u4e00-\u9fff].*\b[A-Z][a-z]+ [a-z]+ [a-z]+", line)
               for d in docs if d.get("lang") == "zh" for line in d["body"].split("\n"))
    # document numbers cited inside bodies
    assert any(n in d["body"] for d in docs for n in docnos[:200])
    issuers = [d.get("issuer") for d in docs if d.get("issuer")]
    top = max(set(issuers), key=issuers.count)
    assert issuers.count(top) > len(issuers) / 10, "issuers should be skewed"


def test_gen_body_sizes_like_real_documents():
    docs = gen_docs(run_gen("--seed", "11", "--mb", "3").stdout)
    sizes = [len(d["body"].encode("utf-8")) for d in docs]
    assert 3000 <= statistics.median(sizes) <= 10000
    assert min(sizes) >= 800 and max(sizes) <= 24000


def test_gen_docs_limit_and_out_file(tmp_path):
    p = run_gen("--seed", "5", "--docs", "25")
    docs = gen_docs(p.stdout)
    assert len(docs) == 25
    ids = {d["id"] for d in docs}
    assert all(d["pair"] in ids for d in docs if d.get("pair")), "no dangling pair"
    out = tmp_path / "g.jsonl"
    q = run_gen("--seed", "5", "--docs", "25", "--out", str(out))
    assert q.stdout == b""
    assert out.read_bytes() == p.stdout


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_gen_single_language(lang):
    docs = gen_docs(run_gen("--seed", "2", "--docs", "60", "--lang", lang).stdout)
    assert len(docs) == 60
    assert all(d.get("lang", lang) == lang for d in docs)
    assert not any(d.get("pair") for d in docs)
    sample_body = docs[0]["body"]
    if lang == "zh":
        assert re.search(r"[\u4e00-\u9fff]{8}", sample_body)
    else:
        assert re.search(r"[A-Za-z]+ [a-z]+ [a-z]+", sample_body)


def test_gen_stdout_is_data_only_and_verbose_goes_to_stderr():
    quiet = run_gen("--seed", "4", "--docs", "5")
    assert quiet.stderr == b""
    loud = run_gen("--seed", "4", "--docs", "5", "--verbose")
    assert loud.stdout == quiet.stdout
    assert b"docs" in loud.stderr


def test_gen_rejects_bad_arguments():
    for args in (["--mb", "1"], ["--seed", "1", "--mb", "0"], ["--seed", "1", "--docs", "0"],
                 ["--seed", "x"], ["--seed", "1", "--lang", "fr"]):
        p = run_gen(*args, check=False)
        assert p.returncode != 0, args
        assert p.stdout == b"", args
