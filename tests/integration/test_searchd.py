"""test_searchd.py — zhengce-searchd against protocol.md: every verb, the
error codes a read-only daemon can give, the SEARCH options one by one over
documents with known fields, and hostile or unusual clients (pipelining,
one byte at a time, 200 at once, 2 MiB lines, invalid UTF-8, NUL, random
junk, QUIT, half-close).

Uses the `server` fixture (conftest.py): one real daemon for the module on
a free loopback port, or the one ZC_SEARCHD=host:port names (zcproto.py).
Daemons with special options are in test_searchd_ops.py and
test_searchd_write.py.
"""

import json
import random
import shutil
import socket
import sys
import threading
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from zcproto import (EXTERNAL, SEARCHD, TEST_DOCS, TOKEN, Daemon, err_code,  # noqa: E402
                     parse_reply, sample_docs)

pytestmark = pytest.mark.skipif(not SEARCHD.exists(), reason="zhengce-searchd not built")

def search(server, **opts):
    opts.setdefault("q", TOKEN)
    return server.request("SEARCH " + json.dumps(opts, ensure_ascii=False))


def ids(reply):
    assert reply["ok"] is True, reply
    return [h["id"] for h in reply["hits"]]


def idset(reply):
    return set(ids(reply))


ZH = {"t1", "t2", "t3", "t6", "t8"}
EN = {"t4", "t5", "t7"}
ALL = ZH | EN


# -- verbs -----------------------------------------------------------------------

def test_ping(server):
    assert server.request("PING") == {"ok": True, "pong": True}
    with server.conn() as c:
        c.send(b"ping\r\n  PiNg  \r\n")
        assert c.reply() == {"ok": True, "pong": True}
        assert c.reply() == {"ok": True, "pong": True}


def test_help_lists_every_verb(server):
    r = server.request("HELP")
    assert r["ok"] is True
    assert {"PING", "SEARCH", "GET", "ADD", "DEL", "COMMIT", "STATS", "AUTH", "HELP",
            "QUIT"} <= set(r["verbs"])


def test_stats_fields(server):
    r = server.request("STATS")
    assert r["ok"] is True
    for k in ("docs", "revision", "uptime_s", "connections", "connections_total", "queries"):
        assert isinstance(r[k], (int, float)), k
    assert r["docs"] >= len(TEST_DOCS)
    assert r["connections"] >= 1
    assert r["connections_total"] >= r["connections"]
    lat = r["latency_ms"]
    assert 0 <= lat["p50"] <= lat["p99"]


def test_stats_counts_queries(server):
    before = server.request("STATS")
    for _ in range(3):
        assert search(server)["ok"]
    after = server.request("STATS")
    assert after["queries"] >= before["queries"] + 3
    assert after["connections_total"] > before["connections_total"]
    assert after["uptime_s"] >= before["uptime_s"]
    if not EXTERNAL:
        assert after["docs"] == len(sample_docs()) + 6 + len(TEST_DOCS)  # + 6 text files
        assert after["latency_ms"]["p50"] > 0


def test_search_plain_text_equals_json_form(server):
    plain = server.request("SEARCH 振兴东北")
    js = server.request('SEARCH {"q":"振兴东北"}')
    assert ids(plain) == ids(js)
    assert len(ids(plain)) > 0
    assert server.request("SEARCH " + TOKEN)["total"] == len(ALL)


def test_search_reply_shape(server):
    r = search(server, limit=3)
    assert r["ok"] is True
    assert isinstance(r["total"], int) and r["total"] == len(ALL)
    assert isinstance(r["exact"], bool)
    assert isinstance(r["took_ms"], (int, float))
    assert "facets" not in r
    assert len(r["hits"]) == 3
    for h in r["hits"]:
        for k in ("id", "score", "lang", "title"):
            assert k in h, (k, h)
        assert h["lang"] in ("zh", "en")
    # a hit carries date/issuer/docno/pair only when the document has them
    hits = {h["id"]: h for h in search(server, limit=20)["hits"]}
    assert "date" not in hits["t6"] and "date" not in hits["t7"]
    assert "issuer" not in hits["t7"]
    assert hits["t1"]["docno"] == "测发〔2001〕1号"
    assert "docno" not in hits["t2"]
    assert hits["t2"]["date"] == "2001-06"


def test_get_returns_every_stored_field(server):
    for d in TEST_DOCS:
        r = server.request("GET " + d["id"])
        assert r["ok"] is True
        assert r["doc"] == d
    for d in sample_docs()[:5]:
        r = server.request("GET " + d["id"])
        assert r["doc"] == d


def test_get_not_found(server):
    assert err_code(server.request("GET no-such-document")) == "not_found"
    # The argument is verbatim, and no id ends with a space (issue 11): a
    # clear bad_request rather than a not_found that hides the typo.
    r = server.request("GET t1 ")
    assert err_code(r) == "bad_request" and "space" in r["error"]["message"]


def test_unknown_command(server):
    for line in ("FOO", "PINGX", "搜索 东北", "SEARCHX zzqtoken", "GETT t1"):
        r = server.request(line)
        assert err_code(r) == "unknown_command", line


def test_argument_presence(server):
    for line in ("PING x", "STATS now", "HELP me", "QUIT now", "COMMIT x"):
        assert err_code(server.request(line)) == "bad_request", line
    for line in ("SEARCH", "SEARCH   ", "GET", "GET ", "AUTH", "ADD", "DEL"):
        assert err_code(server.request(line)) == "bad_request", line


def test_write_verbs_on_read_only_daemon(server):
    if EXTERNAL:
        pytest.skip("the external daemon may be writable")
    doc = json.dumps({"id": "x1", "title": "t"})
    assert err_code(server.request("ADD " + doc)) == "read_only"
    assert err_code(server.request("DEL t1")) == "read_only"
    assert err_code(server.request("COMMIT")) == "read_only"
    # read_only comes before document validation
    assert err_code(server.request("ADD {not json")) == "read_only"
    assert server.request("GET t1")["ok"] is True


# -- SEARCH options ------------------------------------------------------------------

@pytest.mark.parametrize("opts,field", [
    ({"q": ""}, "q"),
    ({"q": "   "}, "q"),
    ({"q": "NOT " + TOKEN}, None),             # no positive term
    ({"q": "-" + TOKEN}, None),
    ({"limit": 1001}, "limit"),
    ({"limit": -1}, "limit"),
    ({"limit": "10"}, "limit"),
    ({"offset": -1}, "offset"),
    ({"lang": "fr"}, "lang"),
    ({"sort": "newest"}, "sort"),
    ({"facets": ["colour"]}, "facets"),
    ({"snippet": "yes"}, "snippet"),
    ({"from": "2001-02-30"}, "from"),
    ({"to": "2001-13"}, "to"),
    ({"from": "20011"}, "from"),
    ({"issuer": 7}, "issuer"),
])
def test_bad_search_options(server, opts, field):
    r = search(server, **opts)
    assert err_code(r) == "bad_request", r
    if field:
        assert field in r["error"]["message"], r


def test_search_without_q(server):
    r = server.request('SEARCH {"limit":3}')
    assert err_code(r) == "bad_request" and "q" in r["error"]["message"]


def test_bad_search_json(server):
    for arg in ('{"q": "x"', '{"q": }', "{", '{"q":"x"} trailing'):
        assert err_code(server.request("SEARCH " + arg)) == "bad_request", arg


def test_unknown_option_keys_are_ignored(server):
    assert idset(search(server, colour="red", limit=20)) == ALL


def test_limit_bounds(server):
    r = search(server, limit=0)
    assert r["hits"] == [] and r["total"] == len(ALL)
    r = search(server, limit=1000)
    assert idset(r) == ALL
    assert len(search(server)["hits"]) == len(ALL)   # default limit 10 >= 8


def test_lang(server):
    assert idset(search(server, lang="zh", limit=20)) == ZH
    assert idset(search(server, lang="en", limit=20)) == EN
    assert idset(search(server, limit=20)) == ALL


def test_lang_any_case(server):
    # The option and the query field alike: "ZH", "En" are zh, en.
    assert idset(search(server, lang="ZH", limit=20)) == ZH
    assert idset(search(server, lang="En", limit=20)) == EN
    assert idset(search(server, q=TOKEN + " lang:EN", limit=20)) == EN
    r = search(server, lang="zh-CN")
    assert err_code(r) == "bad_request" and "lang" in r["error"]["message"], r


def test_inverted_date_range_is_bad_request(server):
    # An empty range is a mistake in the request, named as such, not 0 hits.
    for frm, to in (("2017", "2016"), ("2002-01-02", "2002-01-01"), ("2002-02", "2002-01")):
        r = search(server, **{"from": frm, "to": to})
        assert err_code(r) == "bad_request", (frm, to, r)
        msg = r["error"]["message"]
        assert '"from"' in msg and '"to"' in msg and frm in msg and to in msg, msg
    # from = to, or a from inside a partial to: the whole period.
    assert idset(search(server, **{"from": "2003", "to": "2003", "limit": 20})) == {"t5"}
    assert idset(search(server, **{"from": "2002-01-01", "to": "2002",
                                    "limit": 20})) == {"t4", "t8"}


@pytest.mark.parametrize("q,prefix", [
    ("tags:营商环境", "tags:"),
    ("title:climte", "title:"),
    ("issuer:obama", "issuer:"),
    ("Tags：documnet", "Tags："),
    ("issued_by:documnet", "issued_by:"),
])
def test_suggest_never_corrects_a_field_name(server, q, prefix):
    r = search(server, q=q)
    assert r["ok"] is True, r
    assert r.get("suggest") is None or r["suggest"].startswith(prefix), r


def test_suggest_corrects_the_value_of_an_unknown_field(server):
    # The name stays, the misspelled value is still corrected (free text).
    r = search(server, q="topic:documnet")
    assert r.get("suggest") == "topic:document", r
    # tags: is a field of its own (a whole tag): never "corrected" to lags:
    r = search(server, q="tags:documnet")
    assert not r.get("suggest", "tags:").startswith("lags"), r


def test_issuer(server):
    assert idset(search(server, issuer="甲局", limit=20)) == {"t1", "t2", "t8"}
    assert idset(search(server, issuer=["甲局", "丙办"], limit=20)) == {"t1", "t2", "t6", "t8"}
    assert idset(search(server, issuer="Port Bureau", limit=20)) == {"t4"}
    # same normalization as indexing: case
    assert idset(search(server, issuer="PORT BUREAU", limit=20)) == {"t4"}
    assert idset(search(server, issuer="甲", limit=20)) == set()   # exact, not a prefix


@pytest.mark.parametrize("frm,to,want", [
    ("2002", None, {"t4", "t5", "t8"}),
    (None, "2001", {"t1", "t2", "t3"}),
    ("2001-06", "2001-06", {"t2", "t3"}),
    ("2001-06-15", "2002-01-01", {"t3", "t4"}),
    ("2001-06-02", None, {"t3", "t4", "t5", "t8"}),
    (None, "2002-01", {"t1", "t2", "t3", "t4"}),
    ("2003-12-31", "2003-12-31", {"t5"}),
    ("2001-01-01", "2001-01-01", {"t1"}),   # a partial date counts as its first day
    ("2004", None, set()),
    ("2000", "2010", {"t1", "t2", "t3", "t4", "t5", "t8"}),   # undated never match
])
def test_date_ranges(server, frm, to, want):
    opts = {"limit": 20}
    if frm:
        opts["from"] = frm
    if to:
        opts["to"] = to
    assert idset(search(server, **opts)) == want


def test_sort_by_date_both_ways(server):
    desc = ids(search(server, sort="date", limit=20))
    assert desc[:6] == ["t5", "t8", "t4", "t3", "t2", "t1"]
    assert set(desc[6:]) == {"t6", "t7"}       # undated last
    asc = ids(search(server, sort="date_asc", limit=20))
    assert asc[:6] == ["t1", "t2", "t3", "t4", "t8", "t5"]
    assert set(asc[6:]) == {"t6", "t7"}        # undated last in both orders


def test_sort_relevance(server):
    for r in (search(server, limit=20), search(server, sort="relevance", limit=20)):
        scores = [h["score"] for h in r["hits"]]
        assert scores == sorted(scores, reverse=True)


def test_offsets(server):
    full = ids(search(server, sort="date", limit=20))
    pages = []
    for off in (0, 3, 6):
        r = search(server, sort="date", limit=3, offset=off)
        assert r["total"] == len(ALL)
        pages += ids(r)
    assert pages == full
    assert search(server, sort="date", offset=8)["hits"] == []
    assert search(server, sort="date", offset=100000)["hits"] == []


def test_facets(server):
    r = search(server, facets=["issuer", "year", "lang"], limit=0)
    f = r["facets"]
    assert f["issuer"][0] == {"value": "甲局", "count": 3}
    assert f["issuer"][1] == {"value": "乙委", "count": 2}
    assert {(v["value"], v["count"]) for v in f["issuer"][2:]} == {("丙办", 1), ("Port Bureau", 1)}
    assert f["year"] == [{"value": "2001", "count": 3}, {"value": "2002", "count": 2},
                         {"value": "2003", "count": 1}]
    assert f["lang"] == [{"value": "zh", "count": 5}, {"value": "en", "count": 3}]
    # counts are over the whole match set, not the page
    assert search(server, facets=["lang"], limit=1)["facets"]["lang"][0]["count"] == 5
    only = search(server, facets=["year"])["facets"]
    assert set(only) == {"year"}
    assert len(search(server, facets=["issuer"], facet_limit=1)["facets"]["issuer"]) == 1


def test_snippets(server):
    r = search(server, limit=20)
    for h in r["hits"]:
        assert "<b>" in h["snippet"] and "</b>" in h["snippet"], h
        assert TOKEN in h["snippet"].lower()
    r = search(server, snippet=False, limit=20)
    assert all("snippet" not in h for h in r["hits"])
    # the rest of the text is HTML-escaped: & < > "
    h = search(server, q=TOKEN + " seventh")["hits"][0]
    assert h["id"] == "t7"
    s = h["snippet"]
    assert "&lt;angle&gt;" in s and "&amp;" in s and "&quot;quoted&quot;" in s
    assert "<angle>" not in s


# -- framing and hostile input ---------------------------------------------------------

def test_empty_lines_get_no_reply(server):
    with server.conn() as c:
        c.send(b"\n\n   \n\r\n \r\nPING\n")
        assert c.reply() == {"ok": True, "pong": True}
        c.send(b"\nHELP\n")
        assert c.reply()["verbs"]


@pytest.mark.parametrize("raw", [
    b"SEARCH \xff\xfe",
    b"SEARCH \xc0\xaf",              # overlong
    b"GET \xed\xa0\x80",             # surrogate
    b"SEARCH \xe4\xb8",              # truncated
    b"\xf5PING",
    b'SEARCH {"q":"\xe4\xb8\xad\xff"}',
])
def test_invalid_utf8_is_bad_request_and_connection_stays(server, raw):
    with server.conn() as c:
        c.send(raw + b"\nPING\n")
        assert err_code(c.reply()) == "bad_request"
        assert c.reply() == {"ok": True, "pong": True}


def test_nul_bytes(server):
    with server.conn() as c:
        c.send(b"PING\x00\nSEARCH a\x00b\n\x00\nPING\n")
        assert err_code(c.reply()) == "bad_request"
        assert err_code(c.reply()) == "bad_request"
        assert err_code(c.reply()) == "bad_request"
        assert c.reply() == {"ok": True, "pong": True}


def expected_reply_count(junk):
    """How many replies protocol.md promises for these complete lines."""
    n = 0
    for line in junk.split(b"\n")[:-1]:
        if line.endswith(b"\r"):
            line = line[:-1]
        if b"\x00" in line:
            n += 1
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            n += 1
            continue
        if text.strip(" ") != "":
            n += 1
    return n


def test_random_binary_junk(server):
    rng = random.Random(20240501)
    for round_ in range(5):
        parts = []
        for _ in range(200):
            k = rng.randrange(0, 300)
            chunk = bytes(rng.randrange(256) for _ in range(k)).replace(b"\n", b"")
            if rng.random() < 0.3:
                chunk = rng.choice([b"PING", b"SEARCH ", b"GET ", b"ADD {", b"  ", b"\r"]) + chunk
            parts.append(chunk)
        junk = b"\n".join(parts) + b"\n"
        want = expected_reply_count(junk)
        with server.conn() as c:
            sender = threading.Thread(target=c.send, args=(junk + b"PING\n",))
            sender.start()
            got = [c.reply() for _ in range(want)]
            sender.join(30)
            last = c.reply()
            assert last == {"ok": True, "pong": True}, (round_, last)
            assert len(got) == want
    assert server.request("PING")["pong"] is True


def _send_in_thread(conn, data):
    def run():
        try:
            conn.send(data)
        except OSError:
            pass      # the server may close before taking everything
    t = threading.Thread(target=run)
    t.start()
    return t


def test_2mib_line_gets_line_too_long_then_close(server):
    big = b"SEARCH " + b"a" * (2 * 1024 * 1024)
    with server.conn() as c:
        t = _send_in_thread(c, b"PING\nSEARCH " + TOKEN.encode() + b"\n" + big + b"\nPING\n")
        r1 = c.reply()
        r2 = c.reply()
        r3 = c.reply()
        assert r1 == {"ok": True, "pong": True}          # earlier replies come first
        assert r2["ok"] is True and r2["total"] == len(ALL)
        assert err_code(r3) == "line_too_long"
        rest, _ = c.read_until_eof()
        assert rest == []                                 # then the connection closes
        t.join(30)
    assert server.request("PING")["pong"] is True         # nothing else is affected


def test_line_at_the_limit(server):
    if EXTERNAL:
        pytest.skip("needs the default --max-line")
    limit = 1024 * 1024
    with server.conn() as c:
        # exactly the limit (+ CR): answered (the query itself is too long
        # for the library: bad_request, not line_too_long)
        line = b"SEARCH " + b"a" * (limit - 7)
        t = _send_in_thread(c, line + b"\r\n" + line + b"\nPING\n")
        assert err_code(c.reply()) == "bad_request"
        assert err_code(c.reply()) == "bad_request"
        assert c.reply()["pong"] is True
        t.join(30)
    with server.conn() as c:
        t = _send_in_thread(c, b"SEARCH " + b"a" * (limit - 6) + b"\n")
        assert err_code(c.reply()) == "line_too_long"
        assert c.read_until_eof()[0] == []
        t.join(30)


def test_1000_pipelined_requests_answered_in_order(server):
    reqs, checks = [], []
    for i in range(1000):
        k = i % 4
        if k == 0:
            reqs.append("PING")
            checks.append(lambda r: r == {"ok": True, "pong": True})
        elif k == 1:
            did = "t%d" % (1 + i % 8)
            reqs.append("GET " + did)
            checks.append(lambda r, did=did: r["ok"] and r["doc"]["id"] == did)
        elif k == 2:
            lim = i % 9
            reqs.append("SEARCH " + json.dumps({"q": TOKEN, "limit": lim, "sort": "date"}))
            checks.append(lambda r, lim=lim: r["ok"] and len(r["hits"]) == min(lim, 8))
        else:
            reqs.append("BOGUS%d" % i)
            checks.append(lambda r, i=i: err_code(r) == "unknown_command"
                          and ("BOGUS%d" % i) in r["error"]["message"])
    data = ("\n".join(reqs) + "\n").encode()
    with server.conn() as c:
        t = _send_in_thread(c, data)
        for i, check in enumerate(checks):
            r = c.reply()
            assert check(r), (i, reqs[i], r)
        t.join(30)
        assert c.request("PING")["pong"] is True


def test_request_sent_one_byte_at_a_time(server):
    line = 'SEARCH {"q":"振兴东北","limit":5}\n'.encode()
    want = ids(server.request(line[:-1].decode()))
    with server.conn() as c:
        for b in line:
            c.send(bytes([b]))
            time.sleep(0.002)
        assert ids(c.reply()) == want
        for b in b"PING\r\n":
            c.send(bytes([b]))
        assert c.reply()["pong"] is True


def test_200_concurrent_clients(server):
    n = 200
    barrier = threading.Barrier(n, timeout=60)
    errors = []
    before = server.request("STATS")["connections_total"]

    def client(i):
        try:
            with server.conn(timeout=60) as c:
                barrier.wait()       # all 200 are connected at the same time
                assert c.request("PING")["pong"] is True
                r = c.request("SEARCH " + json.dumps({"q": TOKEN, "limit": 1 + i % 8}))
                assert len(r["hits"]) == 1 + i % 8
                did = "t%d" % (1 + i % 8)
                assert c.request("GET " + did)["doc"]["id"] == did
        except Exception as e:            # noqa: BLE001 — collected and asserted below
            errors.append((i, repr(e)))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert server.request("STATS")["connections_total"] >= before + n


def test_quit(server):
    with server.conn() as c:
        c.send(b"PING\nQUIT\nPING\n")
        assert c.reply()["pong"] is True
        assert c.reply() == {"ok": True}
        rest, _ = c.read_until_eof()
        assert rest == []                    # nothing after QUIT is answered


def test_half_close_answers_complete_requests(server):
    with server.conn() as c:
        c.send(b"PING\nSEARCH " + TOKEN.encode() + b"\nPIN")
        c.sock.shutdown(socket.SHUT_WR)
        replies, clean = c.read_until_eof()
        assert [r.get("pong") for r in replies] == [True, None]
        assert replies[1]["total"] == len(ALL)
        assert clean


def test_pipelined_reads_after_close_still_ordered(server):
    # a client that sends a batch and closes its side at once still gets
    # every reply, in order
    with server.conn() as c:
        reqs = ["GET t%d" % (1 + i % 8) for i in range(100)]
        c.send(("\n".join(reqs) + "\n").encode())
        c.sock.shutdown(socket.SHUT_WR)
        replies, _ = c.read_until_eof()
        assert [r["doc"]["id"] for r in replies] == [q[4:] for q in reqs]


def test_reply_lines_are_single_json_objects(server):
    # bodies with newlines come back escaped on one line
    with server.conn() as c:
        c.send_line("GET " + sample_docs()[0]["id"])
        raw = c.recv_line()
        doc = parse_reply(raw)["doc"]
        assert "\n" in doc["body"]
        assert b"\n" not in raw


def test_internal_error_when_the_index_is_damaged_under_the_daemon(index, tmp_path):
    # `internal` needs a failure the client cannot cause: here the index
    # files are overwritten while the daemon has them open.
    ix = tmp_path / "ix"
    shutil.copytree(index, ix)
    with Daemon(ix, "--workers", "1") as d:
        with d.conn() as c:
            assert c.request("SEARCH " + TOKEN)["total"] == len(ALL)
            for f in ix.glob("*.glass"):
                with open(f, "r+b") as fh:
                    fh.write(b"\xff" * 32768)
            replies = [c.request(q) for q in
                       ("SEARCH 振兴", "SEARCH revitalization", "GET ne-2003-en",
                        'SEARCH {"q":"东北","facets":["year","issuer"]}')]
            # blocks Xapian still caches may answer some; none may crash
            assert all(r["ok"] or err_code(r) == "internal" for r in replies)
            assert any(not r["ok"] for r in replies)
            assert c.request("PING")["pong"] is True      # no input ends the daemon
        assert "internal_error" in d.log_text()
