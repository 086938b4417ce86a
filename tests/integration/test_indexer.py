"""test_indexer.py — zhengce-indexer end to end: the real corpora and the
sample corpus indexed and read back (every document by id, every document
number in three spellings, titles in the top 3), re-runs without duplicates,
kill -9 in the middle of a run, bad records reported as FILE:LINE, --strict,
text documents, standard input, deletes, locks and usage errors.

The real corpora and the test index are indexed once (the real_index and
index fixtures, cached under ZC_BUILD/test-cache).  Reading back uses the `zhengce` CLI (search --stdin
batches queries through one index handle) and, for fetching every document
by id, the daemon with pipelined GETs; each such test is skipped, with the
reason, when its program is not built.
"""

import json
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from zcproto import (TEST_DOCS, Daemon, Paths, doc, read_jsonl, require,  # noqa: E402
                     run_indexer, sample_records, write_jsonl)

SUMMARY_RE = re.compile(
    r"^indexed (\d+) documents? \(([\d.]+) MB\) in ([\d.]+) s: (\d+) docs/s, ([\d.]+) MB/s; "
    r"(\d+) errors?; index (.+) has (\d+) documents?$", re.M)


# -- helpers -------------------------------------------------------------------

def doc_count(index):
    """Documents in a (writable, not locked) index, through the indexer's
    own summary: with no inputs it only opens, commits nothing new, and
    reports."""
    p = run_indexer(index, "--json", "--quiet", check=0)
    return json.loads(p.stdout)["docs"]


def cli(index, *args, input=None, timeout=600):
    exe = require(Paths.cli)
    cmd = [str(exe), "--index", str(index)] + [str(a) for a in args]
    return subprocess.run(cmd, capture_output=True, text=True, input=input, timeout=timeout)


def cli_get(index, doc_id):
    """The stored document, or None when not found."""
    p = cli(index, "get", "--json", doc_id)
    reply = json.loads(p.stdout)
    if not reply["ok"]:
        assert reply["error"]["code"] == "not_found", reply
        return None
    return reply["doc"]


def cli_search_many(index, requests):
    """Runs SEARCH requests (dicts of the JSON form) through one
    `zhengce search --stdin --json`; returns the replies in order."""
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in requests)
    p = cli(index, "search", "--stdin", "--json", input=text)
    replies = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
    assert len(replies) == len(requests), p.stderr[-2000:]
    return replies


def hit_ids(reply):
    assert reply["ok"], reply
    return [h["id"] for h in reply["hits"]]


FW_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


def docno_variants(docno):
    """Two other spellings of a document number that must find the same
    document: other brackets, full-width digits, letter case, a leading
    zero on the number."""
    if re.search(r"[A-Za-z]", docno):
        return [docno.lower(), docno.upper().translate(FW_DIGITS)]
    if "〔" in docno or "〕" in docno:
        return [docno.replace("〔", "[").replace("〕", "]"),
                docno.replace("〔", "（").replace("〕", "）").translate(FW_DIGITS)]
    zero = re.sub(r"(\d+)(?!.*\d)", lambda m: "0" + m.group(1), docno)
    return [docno.translate(FW_DIGITS), zero]


# -- the real corpora ------------------------------------------------------------

def test_real_corpora_all_indexed(real_index, real_docs):
    ids = {d["id"] for d in real_docs}
    assert len(ids) == len(real_docs) == 4155
    p = cli(real_index, "stats", "--json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["docs"] == len(ids)


def test_real_every_document_by_id(real_index, real_docs):
    """GET of every id returns exactly the input object (pipelined over one
    daemon connection)."""
    require(Paths.searchd)
    with Daemon(real_index) as d, d.conn(timeout=60) as c:
        window = 100
        for start in range(0, len(real_docs), window):
            chunk = real_docs[start:start + window]
            c.send(b"".join(("GET " + x["id"] + "\n").encode() for x in chunk))
            for want in chunk:
                reply = c.reply()
                assert reply["ok"], (want["id"], reply)
                assert reply["doc"] == want, want["id"]


def test_real_cli_get_spot_check(real_index, real_docs):
    rnd = random.Random(7)
    for want in rnd.sample(real_docs, 8):
        assert cli_get(real_index, want["id"]) == want
    assert cli_get(real_index, "no-such-id-anywhere") is None


def test_real_docno_three_spellings(real_index, real_docs):
    """Every non-empty docno finds its document as written and in two other
    spellings (docno: field), and bracketed Chinese ones as plain text."""
    reqs, want = [], []
    for d in real_docs:
        if not d.get("docno"):
            continue
        for spelling in [d["docno"]] + docno_variants(d["docno"]):
            reqs.append({"q": 'docno:"%s"' % spelling, "limit": 100, "snippet": False})
            want.append((d["id"], spelling))
        if "〔" in d["docno"]:
            reqs.append({"q": d["docno"].replace("〔", "[").replace("〕", "]"),
                         "limit": 100, "snippet": False})
            want.append((d["id"], "plain " + d["docno"]))
    assert len(want) > 3 * 1600
    replies = cli_search_many(real_index, reqs)
    missed = [w for w, r in zip(want, replies) if w[0] not in hit_ids(r)]
    assert not missed, f"{len(missed)} docno lookups missed, e.g. {missed[:10]}"


@pytest.mark.parametrize("corpus", ["zh", "en"])
def test_real_title_in_top3(real_index, real_docs, corpus):
    """The exact title finds the document (or one with the identical title,
    for the statutes and orders whose titles repeat) in the top 3, for at
    least 95% of a seeded sample of 600 documents per corpus."""
    docs = [d for d in real_docs if (d["lang"] == "en") == (corpus == "en")
            and not d["id"].startswith("npc-constitution")]
    sample = random.Random(2024).sample(docs, min(600, len(docs)))
    replies = cli_search_many(real_index, [{"q": d["title"], "limit": 3, "snippet": False}
                                           for d in sample])
    good, bad = 0, []
    for d, r in zip(sample, replies):
        assert r["ok"], (d["id"], r)
        if any(h["id"] == d["id"] or h["title"] == d["title"] for h in r["hits"]):
            good += 1
        else:
            bad.append((d["id"], d["title"]))
    assert good >= 0.95 * len(sample), f"{good}/{len(sample)}; missed e.g. {bad[:10]}"


def test_real_rerun_keeps_count(real_index, tmp_path):
    """Indexing the English corpus again into a copy of the full index
    replaces by id: the count does not move."""
    copy = tmp_path / "real"
    shutil.copytree(real_index, copy)
    before = doc_count(copy)
    p = run_indexer(copy, "--json", Paths.policies_en, check=0)
    s = json.loads(p.stdout)
    assert s["indexed"] == 1016 and s["errors"] == 0
    assert s["docs"] == before == 4155


# -- crash safety ------------------------------------------------------------------

@pytest.mark.crash
@pytest.mark.realcorpus
def test_kill9_mid_run_then_rerun(tmp_index):
    """kill -9 after some batches were committed: xapian-check accepts the
    index, it holds at least what was committed, and a re-run completes it
    with the exact count."""
    xcheck = shutil.which("xapian-check")
    if xcheck is None:
        pytest.skip("xapian-check is not installed")
    src = Paths.policies_en
    n = len({d["id"] for d in read_jsonl(src)})
    cmd = [str(Paths.indexer), "--index", str(tmp_index), "--batch", "40", "--verbose", str(src)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    committed = 0
    try:
        deadline = time.monotonic() + 300
        for line in proc.stderr:
            m = re.match(r"committed batch (\d+) \((\d+) documents?\), index has (\d+) documents?",
                         line)
            if m:
                committed = int(m.group(3))
                if int(m.group(1)) >= 3:
                    break
            assert time.monotonic() < deadline, "no third batch in time"
        assert committed > 0, "the indexer finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(30)
    assert proc.returncode == -signal.SIGKILL
    chk = subprocess.run([xcheck, str(tmp_index)], capture_output=True, text=True, timeout=300)
    assert chk.returncode == 0, chk.stdout[-3000:] + chk.stderr[-3000:]
    after_kill = doc_count(tmp_index)
    assert committed <= after_kill < n
    p = run_indexer(tmp_index, "--json", "--batch", "500", src, check=0)
    assert json.loads(p.stdout)["docs"] == n
    chk = subprocess.run([xcheck, str(tmp_index)], capture_output=True, text=True, timeout=300)
    assert chk.returncode == 0, chk.stdout[-3000:]


# -- the sample corpus -------------------------------------------------------------

def test_sample_corpus(index):
    """The test index (corpus/sample + the controlled TEST_DOCS) holds
    every document as given."""
    records = sample_records()
    docs = [d for where, d in records if not where.startswith("text/")] + list(TEST_DOCS)
    text_docs = [d for where, d in records if where.startswith("text/")]
    assert doc_count_readonly(index) == len(docs) + len(text_docs)
    for d in docs:
        got = cli_get(index, d["id"])
        want = dict(d)
        if not want.get("lang"):
            # A detected lang is stored as if it had been given.
            assert got["lang"] in ("zh", "en")
            want["lang"] = got["lang"]
        assert got == want, d["id"]
    # Text documents: their Id header is their id; every header is a field.
    for fields in text_docs:
        got = cli_get(index, fields["id"])
        assert got is not None, fields["id"]
        assert got["title"] == fields["title"]
        if "tags" in fields:
            assert got["tags"] == fields["tags"]
        assert got["body"] and "\r" not in got["body"]


def doc_count_readonly(index):
    p = cli(index, "stats", "--json")
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)["docs"]


def test_sample_rerun_keeps_count(tmp_index):
    p1 = run_indexer(tmp_index, "--json", Paths.sample, check=0)
    p2 = run_indexer(tmp_index, "--json", Paths.sample, check=0)
    s1, s2 = json.loads(p1.stdout), json.loads(p2.stdout)
    assert s1["docs"] == s2["docs"] == s1["indexed"] == s2["indexed"] > 40


# -- bad records -------------------------------------------------------------------

def bad_input(path):
    """A JSON Lines file with good and bad records; returns the expected
    error lines (as regexes) and the ids that must get in."""
    lines = [
        json.dumps(doc(1), ensure_ascii=False),                          # 1 ok
        json.dumps(doc(2, date="2003-02-30"), ensure_ascii=False),       # 2 bad date
        "",                                                              # 3 blank
        '{"id":"d4","title":"broken"',                                   # 4 bad JSON
        json.dumps({"id": "d5"}),                                        # 5 no title
        json.dumps(doc(6), ensure_ascii=False),                          # 6 ok
        json.dumps(doc(7, lang="fr"), ensure_ascii=False),               # 7 bad lang
        None,                                                            # 8 bad UTF-8
        json.dumps(doc(9, body="很长" * 3000), ensure_ascii=False),      # 9 over --max-record
        json.dumps(doc(10, date="2024-02-29"), ensure_ascii=False),      # 10 ok (leap day)
        json.dumps(doc(11, tags="x"), ensure_ascii=False),               # 11 bad tags
        json.dumps(doc(12), ensure_ascii=False),                         # 12 ok, no newline
    ]
    with open(path, "wb") as f:
        for i, line in enumerate(lines):
            if line is None:
                f.write(b'{"id":"d8","title":"\xff\xfe"}')
            else:
                f.write(line.encode())
            if i < len(lines) - 1:
                f.write(b"\r\n" if i == 5 else b"\n")
    name = re.escape(str(path))
    errors = [
        rf"^{name}:2: error: field 'date': \"2003-02-30\" is not a real calendar date "
        r"\(YYYY, YYYY-MM or YYYY-MM-DD\)$",
        rf"^{name}:4: error: invalid JSON",
        rf"^{name}:5: error: field 'title': required$",
        rf"^{name}:7: error: field 'lang': \"fr\" is not \"zh\" or \"en\"$",
        rf"^{name}:8: error: invalid UTF-8 at byte offset \d+",
        rf"^{name}:9: error: record of more than 4096 bytes",
        rf"^{name}:11: error: field 'tags': must be an array of strings",
    ]
    return errors, ["d1", "d6", "d10", "d12"]


def test_bad_records_reported_and_skipped(tmp_path, tmp_index):
    src = tmp_path / "mixed.jsonl"
    errors, good = bad_input(src)
    p = run_indexer(tmp_index, "--json", "--max-record", "4096", src, check=1)
    err_lines = [l for l in p.stderr.splitlines() if ": error: " in l]
    assert len(err_lines) == len(errors), p.stderr
    for line, rx in zip(err_lines, errors):
        assert re.match(rx, line), (line, rx)
    s = json.loads(p.stdout)
    assert s["ok"] is False and s["errors"] == len(errors)
    assert s["indexed"] == len(good) and s["docs"] == len(good)
    m = SUMMARY_RE.search(p.stderr)
    assert m and int(m.group(1)) == len(good) and int(m.group(6)) == len(errors)
    if Paths.cli.exists():
        for i in good:
            assert cli_get(tmp_index, i)["id"] == i
        assert cli_get(tmp_index, "d2") is None


def test_strict_stops_at_first_bad_record(tmp_path, tmp_index):
    src = tmp_path / "mixed.jsonl"
    errors, _ = bad_input(src)
    p = run_indexer(tmp_index, "--json", "--strict", "--max-record", "4096", src, check=1)
    err_lines = [l for l in p.stderr.splitlines() if ": error: " in l]
    assert len(err_lines) == 1 and re.match(errors[0], err_lines[0]), p.stderr
    s = json.loads(p.stdout)
    # The good record before the bad one is committed; nothing after it.
    assert s["indexed"] == 1 and s["docs"] == 1 and s["errors"] == 1
    # A second input file is not read either.
    other = tmp_path / "other.jsonl"
    write_jsonl(other, [doc(100)])
    p = run_indexer(tmp_index, "--json", "--strict", src, other, check=1)
    assert json.loads(p.stdout)["docs"] == 1


def test_huge_record_skipped_next_read(tmp_path, tmp_index):
    src = tmp_path / "huge.jsonl"
    with open(src, "w", encoding="utf-8") as f:
        f.write(json.dumps(doc(1, body="x" * 3_000_000)) + "\n")
        f.write(json.dumps(doc(2)) + "\n")
    p = run_indexer(tmp_index, "--json", "--max-record", "100000", src, check=1)
    assert re.search(rf"^{re.escape(str(src))}:1: error: record of more than 100000 bytes",
                     p.stderr, re.M), p.stderr
    s = json.loads(p.stdout)
    assert s["indexed"] == 1 and s["docs"] == 1


def test_bom_crlf_and_last_line_without_newline(tmp_path, tmp_index):
    src = tmp_path / "bom.jsonl"
    body = "\r\n".join(json.dumps(doc(i), ensure_ascii=False) for i in range(5))
    src.write_bytes(b"\xef\xbb\xbf" + body.encode())
    p = run_indexer(tmp_index, "--json", src, check=0)
    assert json.loads(p.stdout)["docs"] == 5


# -- text documents, directories, stdin ------------------------------------------------

def test_text_documents_and_walk(tmp_path, tmp_index):
    root = tmp_path / "in"
    (root / "text" / "sub").mkdir(parents=True)
    (root / "text" / "a.txt").write_text(
        "Title: 关于加强管理的通知\nDate: 2016-07-28\nIssuer: 国务院\nDocno: 国发〔2016〕62号\n"
        "Tags: 科技, 创新\n\n第一段。\n第二段。\n", encoding="utf-8")
    (root / "text" / "sub" / "b.txt").write_bytes(
        "\ufeffId: explicit-b\r\nTitle: Notice on Ports\r\nLang: en\r\n\r\nBody line.\r\n"
        .encode())
    (root / "text" / "c.txt").write_text("无标题头的文件第一行\n正文。\n", encoding="utf-8")
    (root / "text" / "bad.txt").write_text("Title: x\nDate: 2023-02-29\n\nbody\n",
                                           encoding="utf-8")
    (root / ".hidden.jsonl").write_text(json.dumps(doc(99)) + "\n")
    (root / "notes.md").write_text("# not indexed\n")
    write_jsonl(root / "docs.jsonl", [doc(1), doc(2)])
    write_jsonl(root / "more.json", [doc(3)])
    p = run_indexer(tmp_index, "--json", "--id-root", root, root, check=1)
    assert re.search(rf"^{re.escape(str(root))}/text/bad.txt:2: error: field 'date'",
                     p.stderr, re.M), p.stderr
    s = json.loads(p.stdout)
    assert s["errors"] == 1 and s["docs"] == 6
    if not Paths.cli.exists():
        pytest.skip("zhengce CLI not built: ids not checked")
    a = cli_get(tmp_index, "text/a")
    assert a["title"] == "关于加强管理的通知" and a["docno"] == "国发〔2016〕62号"
    assert a["tags"] == ["科技", "创新"] and a["body"] == "第一段。\n第二段。"
    assert a["lang"] == "zh"
    b = cli_get(tmp_index, "explicit-b")
    assert b["title"] == "Notice on Ports" and b["body"] == "Body line." and b["lang"] == "en"
    c = cli_get(tmp_index, "text/c")
    assert c["title"] == "无标题头的文件第一行"
    assert cli_get(tmp_index, "d99") is None
    # A text file named directly keeps the id the walk gave it.
    p = run_indexer(tmp_index, "--json", "--id-root", root, root / "text" / "a.txt", check=0)
    assert json.loads(p.stdout)["docs"] == 6
    assert cli_get(tmp_index, "text/a")["title"] == "关于加强管理的通知"


def _text_ids(index):
    """The ids of every document in the index, sorted (through the CLI)."""
    p = cli(index, "search", "--json", "--limit", "100", "body")
    return sorted(h["id"] for h in json.loads(p.stdout)["hits"])


def test_text_id_stable_however_named(tmp_path, tmp_index, monkeypatch):
    """One file named through a directory walk, relative with ./ and ..,
    absolute, and through a symlinked directory, from two working
    directories, in one run and in several: one document, one id (its
    canonical path without extension; relative to --id-root when given)."""
    corpus = tmp_path / "corpus"
    (corpus / "a").mkdir(parents=True)
    f = corpus / "a" / "notice.txt"
    f.write_text("Title: 通知\n\nbody 正文\n", encoding="utf-8")
    (tmp_path / "link").symlink_to(corpus, target_is_directory=True)
    want = str(f.resolve())[:-len(".txt")]
    monkeypatch.chdir(tmp_path)
    names = [Path("corpus"), Path("./corpus/a/../a/notice.txt"), f.resolve(),
             Path("link/a/notice.txt")]
    p = run_indexer(tmp_index, "--json", *names, check=0)
    assert json.loads(p.stdout)["docs"] == 1, p.stderr
    for name in names:
        p = run_indexer(tmp_index, "--json", name, check=0)
        assert json.loads(p.stdout)["docs"] == 1, (name, p.stderr)
    monkeypatch.chdir(corpus / "a")
    p = run_indexer(tmp_index, "--json", "notice.txt", check=0)
    assert json.loads(p.stdout)["docs"] == 1, p.stderr
    if not Paths.cli.exists():
        pytest.skip("zhengce CLI not built: ids not checked")
    assert _text_ids(tmp_index) == [want]
    # Under a root the id is relative, and the root may itself be named
    # through the symlink.
    rooted = tmp_path / "rooted"
    for root, name in [(corpus, "notice.txt"), (tmp_path / "link", corpus), ("..", ".")]:
        p = run_indexer(rooted, "--json", "--id-root", root, name, check=0)
        assert json.loads(p.stdout)["docs"] == 1, (root, name, p.stderr)
    assert _text_ids(rooted) == ["a/notice"]


def test_text_id_collisions(tmp_path, tmp_index):
    """Two b.txt in different folders get distinct ids; two files that
    would share one (same name but the extension, or one Id header) are an
    error naming both, the second skipped, nothing overwritten."""
    root = tmp_path / "in"
    for sub in ("x", "y"):
        (root / sub).mkdir(parents=True)
        (root / sub / "b.txt").write_text(f"Title: {sub}\n\nbody\n", encoding="utf-8")
    p = run_indexer(tmp_index, "--json", "--id-root", root, root, check=0)
    assert json.loads(p.stdout)["docs"] == 2
    (root / "x" / "b.md").write_text("Title: md\n\nbody\n", encoding="utf-8")
    p = run_indexer(tmp_index, "--json", "--id-root", root, root / "x" / "b.txt",
                    root / "x" / "b.md", check=1)
    assert re.search(rf"^{re.escape(str(root))}/x/b.md: error: id 'x/b' is already the id of "
                     rf"{re.escape(str(root))}/x/b.txt; skipped", p.stderr, re.M), p.stderr
    s = json.loads(p.stdout)
    assert s["errors"] == 1 and s["indexed"] == 1 and s["docs"] == 2
    # An Id header wins over the path, and is checked the same way.
    (root / "y" / "c.txt").write_text("Id: x/b\nTitle: c\n\nbody\n", encoding="utf-8")
    (root / "y" / "d.txt").write_text("Id: kept-d\nTitle: d\n\nbody\n", encoding="utf-8")
    p = run_indexer(tmp_index, "--json", "--id-root", root, root / "x" / "b.txt",
                    root / "y", check=1)
    assert re.search(rf"^{re.escape(str(root))}/y/c.txt:1: error: id 'x/b' is already the id "
                     rf"of {re.escape(str(root))}/x/b.txt; skipped", p.stderr, re.M), p.stderr
    assert json.loads(p.stdout)["docs"] == 3
    # Outside the root and without an Id header: no id, an error.
    p = run_indexer(tmp_path / "ix2", "--json", "--id-root", root / "x", root / "y", check=1)
    assert re.search(rf"^{re.escape(str(root))}/y/b.txt: error: outside --id-root",
                     p.stderr, re.M), p.stderr
    p = run_indexer(tmp_index, "--id-root", tmp_path / "missing", root, check=2)
    assert "--id-root" in p.stderr
    if not Paths.cli.exists():
        pytest.skip("zhengce CLI not built: ids not checked")
    assert cli_get(tmp_index, "x/b")["title"] == "x"
    assert cli_get(tmp_index, "y/b")["title"] == "y"
    assert cli_get(tmp_index, "kept-d")["title"] == "d"


def test_stdin(tmp_index):
    text = "".join(json.dumps(doc(i), ensure_ascii=False) + "\n" for i in range(7))
    p = run_indexer(tmp_index, "--json", "-", input=text, check=0)
    s = json.loads(p.stdout)
    assert s["indexed"] == 7 and s["docs"] == 7


def test_batches_and_summary(tmp_path, tmp_index):
    src = tmp_path / "b.jsonl"
    write_jsonl(src, [doc(i) for i in range(25)])
    p = run_indexer(tmp_index, "--json", "--verbose", "--batch", "10", src, check=0)
    batches = re.findall(r"^committed batch (\d+) \((\d+) documents?\), index has (\d+) documents?$",
                         p.stderr, re.M)
    assert [(int(a), int(b), int(c)) for a, b, c in batches] == [(1, 10, 10), (2, 10, 20),
                                                                   (3, 5, 25)]
    s = json.loads(p.stdout)
    assert set(s) >= {"ok", "indexed", "errors", "bytes", "seconds", "docs_per_s", "mb_per_s",
                      "docs", "committed_batches"}
    assert s["ok"] is True and s["committed_batches"] == 3 and s["bytes"] == src.stat().st_size
    m = SUMMARY_RE.search(p.stderr)
    assert m and m.group(7) == str(tmp_index) and int(m.group(8)) == 25
    # Not a terminal: no progress line.
    assert "\r" not in p.stderr and "\033" not in p.stderr


def test_delete(tmp_path, tmp_index):
    src = tmp_path / "d.jsonl"
    write_jsonl(src, [doc(i) for i in range(4)])
    run_indexer(tmp_index, src, check=0)
    p = run_indexer(tmp_index, "--json", "--delete", "d1", "--delete", "d2", "--delete", "nope",
                    check=0)
    s = json.loads(p.stdout)
    assert s["deleted"] == 2 and s["docs"] == 2
    assert "nope" in p.stderr


# -- locks and usage ---------------------------------------------------------------

def test_second_writer_is_refused(tmp_index):
    holder = subprocess.Popen([str(Paths.indexer), "--index", str(tmp_index), "-"],
                              stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    try:
        # The first writer holds the lock while it waits for stdin.
        deadline = time.monotonic() + 30
        while not (tmp_index / "flintlock").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)
        p = run_indexer(tmp_index, "--json", check=2)
        assert f"index {tmp_index} is locked by another writer" in p.stderr
        reply = json.loads(p.stdout)
        assert reply["ok"] is False and reply["error"]["code"] == "busy"
    finally:
        holder.stdin.close()
        holder.wait(30)
    assert holder.returncode == 0


@pytest.mark.parametrize("args,message", [
    ([], "--index DIR is required"),
    (["--index", "{idx}", "--batch", "0"], "--batch"),
    (["--index", "{idx}", "--max-record", "x"], "--max-record"),
    (["--index", "{idx}", "--bogus"], "unknown option"),
    (["--index", "{idx}", "/nonexistent/file.jsonl"], "cannot read /nonexistent/file.jsonl"),
    (["--index", "{idx}", "--to", "127.0.0.1:7420"], "not both"),
    (["--to", "127.0.0.1:1", "--token-file", "/nonexistent/token"], "--token-file"),
    (["--index", "{idx}", "--token-file", "/nonexistent/token"], "goes with --to"),
    (["--to", "127.0.0.1:1"], "cannot connect to 127.0.0.1:1"),
])
def test_usage_errors(tmp_index, args, message):
    args = [a.replace("{idx}", str(tmp_index)) for a in args]
    p = subprocess.run([str(Paths.indexer)] + args, capture_output=True, text=True, timeout=60)
    assert p.returncode == 2, p.stderr
    assert message in p.stderr
    assert not tmp_index.exists()


def test_help():
    p = subprocess.run([str(Paths.indexer), "--help"], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0
    assert "usage: zhengce-indexer --index DIR" in p.stdout and "--strict" in p.stdout


def test_open_error_is_exit_2(tmp_path):
    f = tmp_path / "file"
    f.write_text("not a directory")
    p = run_indexer(f / "index", "--json", check=2)
    assert json.loads(p.stdout)["ok"] is False


# -- --to: sending to a daemon ---------------------------------------------------------

@pytest.fixture
def writable_daemon(tmp_path):
    require(Paths.searchd)
    index = tmp_path / "served"
    run_indexer(index, check=0)  # an empty index for the daemon to serve
    token = tmp_path / "token"
    token.write_text("s3cret\n")
    with Daemon(index, "--writable", "--token-file", token) as d:
        yield d, token


def addr(d):
    return "%s:%d" % d.addr


def test_to_daemon(writable_daemon, tmp_path):
    d, token = writable_daemon
    src = tmp_path / "mixed.jsonl"
    errors, good = bad_input(src)
    big = tmp_path / "big.jsonl"
    with open(big, "w", encoding="utf-8") as f:
        f.write(json.dumps(doc(50, body="长" * 700_000), ensure_ascii=False) + "\n")
        f.write(json.dumps(doc(51), ensure_ascii=False) + "\n")
    p = subprocess.run([str(Paths.indexer), "--to", addr(d), "--token-file", str(token), "--json",
                        "--max-record", "4096", "--batch", "2", "--verbose", str(src)],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 1, p.stderr
    err_lines = [l for l in p.stderr.splitlines() if ": error: " in l]
    assert len(err_lines) == len(errors), p.stderr
    for line, rx in zip(err_lines, errors):
        assert re.match(rx, line), (line, rx)
    s = json.loads(p.stdout)
    assert s["indexed"] == len(good) and s["docs"] == len(good) and s["errors"] == len(errors)
    assert re.search(r"server \S+ has 4 documents$", p.stderr, re.M)
    # A record over the daemon's line limit (1 MiB) is reported; the next
    # one still gets in (the client reconnects).
    p = subprocess.run([str(Paths.indexer), "--to", addr(d), "--token-file", str(token), "--json",
                        "--delete", "d1", str(big)], capture_output=True, text=True, timeout=300)
    assert p.returncode == 1, p.stderr
    assert re.search(rf"^{re.escape(str(big))}:1: error: record of \d+ bytes is longer than the "
                     r"server's line limit", p.stderr, re.M), p.stderr
    s = json.loads(p.stdout)
    assert s["indexed"] == 1 and s["deleted"] == 1 and s["docs"] == 4
    with d.conn() as c:
        assert c.request("GET d51")["doc"]["id"] == "d51"
        assert c.request("GET d1")["ok"] is False


def test_to_daemon_refusals(writable_daemon, tmp_path):
    d, token = writable_daemon
    src = tmp_path / "a.jsonl"
    write_jsonl(src, [doc(1)])
    # No token: the daemon answers forbidden; the run stops with status 2.
    p = subprocess.run([str(Paths.indexer), "--to", addr(d), str(src)],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and "forbidden" in p.stderr, p.stderr
    bad = tmp_path / "bad-token"
    bad.write_text("wrong\n")
    p = subprocess.run([str(Paths.indexer), "--to", addr(d), "--token-file", str(bad), str(src)],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and "AUTH refused" in p.stderr, p.stderr


def test_to_read_only_daemon(index, tmp_path):
    require(Paths.searchd)
    src = tmp_path / "a.jsonl"
    write_jsonl(src, [doc(1)])
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    with Daemon(index) as d:
        p = subprocess.run([str(Paths.indexer), "--to", addr(d), "--json", str(src)],
                           capture_output=True, text=True, timeout=120)
        # nothing to send: still told, not "server has 0 documents"
        q = subprocess.run([str(Paths.indexer), "--to", addr(d), str(empty)],
                           capture_output=True, text=True, timeout=120)
    assert p.returncode == 2, p.stderr
    assert p.stderr == ("zhengce-indexer: the daemon is read-only: start it with --writable\n")
    assert json.loads(p.stdout)["error"]["code"] == "read_only"
    assert q.returncode == 2 and "read-only: start it with --writable" in q.stderr, q.stderr
    assert "documents" not in q.stderr


def test_version_and_counts_in_words(tmp_index, tmp_path):
    p = subprocess.run([str(Paths.indexer), "--version"], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0 and re.match(r"^zhengce-indexer \S+ \(libzhengce \S+\)$",
                                          p.stdout), p.stdout
    assert "--version" in subprocess.run([str(Paths.indexer), "--help"], capture_output=True,
                                         text=True, timeout=60).stdout
    src = tmp_path / "one.jsonl"
    write_jsonl(src, [doc(1)])
    p = run_indexer(tmp_index, "--verbose", src)
    assert "committed batch 1 (1 document), index has 1 document\n" in p.stderr, p.stderr
    assert re.search(r"^indexed 1 document \(.*; 0 errors; index .* has 1 document$",
                     p.stderr, re.M), p.stderr
