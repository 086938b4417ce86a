"""test_one_executor.py — one executor answers every front end (issue 12):
`zhengce --index DIR` (in-process) and zhengce-searchd give byte-identical
replies for the same requests.

Two sets, each run once in every mode:
  RAW   200+ protocol request lines: every verb, SEARCH with every option
        (good and bad values), GET of present, absent and invalid ids,
        STATS, PING, HELP, argument errors, unknown verbs, invalid UTF-8,
        the write verbs of a read-only index.  Sent over one connection to
        the daemon, and typed into `zhengce --index DIR shell`, which passes
        a line that is not a client command to its backend verbatim and
        prints the reply as it is.
  CLI   the client's own commands (search with every flag, get, stats,
        ping; their error replies) with --json, in `zhengce --index DIR`
        and `zhengce --server ADDR`: one shell session per mode, plus a few
        plain command-line runs checked against the daemon's raw reply.

What may differ, and why (and nothing else):
  - `took_ms` in a SEARCH reply: the time that search took, measured anew
    by whichever process ran it.  Its value is replaced by 0 on both sides;
    the rest of the line is compared byte for byte.
  - STATS: the figures of the process that answers — `uptime_s`, the
    counters (`connections`, `connections_total`, `queries`, `gets`,
    `writes`, `requests`, `timeouts`, `errors`, `busy`, `evicted`,
    `auth_failures`, `per_ip_refused`), `latency_ms`, `workers` (the
    daemon's pool, 1 in process) and `client_memory`/`client_memory_max`
    (the daemon's client budget, 0 in process) — are replaced by null; the
    keys, their order and `ok`, `docs`, `revision`, `writable`, `version`
    must be identical.
  - A raw NUL cannot be typed into the shell (its lines are C strings), so
    the NUL case is checked on the daemon only (test_searchd.py).
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from zcproto import CLI, SAMPLE, SEARCHD, TOKEN, Daemon, shared_index  # noqa: E402

pytestmark = pytest.mark.skipif(not (CLI.exists() and SEARCHD.exists()),
                                reason="zhengce / zhengce-searchd not built")

STATS_VOLATILE = ("uptime_s", "connections", "connections_total", "queries", "gets",
                  "writes", "requests", "timeouts", "errors", "busy", "latency_ms",
                  "workers", "client_memory", "client_memory_max", "evicted",
                  "auth_failures", "per_ip_refused")
TOOK = re.compile(rb'"took_ms":[-0-9.eE+]+')


def sample_ids():
    ids = []
    for f in sorted(SAMPLE.glob("*.jsonl")):
        with open(f, encoding="utf-8") as fh:
            for i, line in enumerate(fh):
                if i % 2 == 0 and line.strip():
                    ids.append(json.loads(line)["id"])
    return ids[:12]


def search_json(**kw):
    return "SEARCH " + json.dumps(kw, ensure_ascii=False, separators=(",", ":"))


def raw_requests():
    """The RAW set, as bytes lines (no LF)."""
    q = []
    # SEARCH, plain text: languages, operators, fields, document numbers
    for text in [TOKEN, "振兴东北", "振兴东北 老工业基地", "revitalize northeast",
                 "revitalise industral", '"老工业基地"', "东北 OR 西部", "东北 NOT 西部",
                 "东北 -西部", "(东北 OR 西部) AND 开发", "title:东北", "issuer:国务院",
                 "lang:en " + TOKEN, "docno:国发〔2016〕62号", "国发[2016]62号",
                 "国發〔2016〕62號", "ＺＺＱＴＯＫＥＮ", "Made in China 2025", "製造",
                 "the of and", "NOT " + TOKEN, "-" + TOKEN, "noSuchWordAnywhere",
                 "营商环境 zzqtoken", "ports AND logistics", "\"Five-Year Plan\"",
                 "AND", "((((", '"unterminated phrase', "a" * 300]:
        q.append("SEARCH " + text)
    # SEARCH, JSON: each option with good and bad values
    opts = [
        {}, {"limit": 0}, {"limit": 1}, {"limit": 3}, {"limit": 1000}, {"limit": 1001},
        {"limit": -1}, {"limit": "3"}, {"limit": 2.5}, {"offset": 2}, {"offset": 7},
        {"offset": 100}, {"offset": -1}, {"offset": 2, "limit": 3}, {"lang": "zh"},
        {"lang": "en"}, {"lang": "fr"}, {"lang": ""}, {"issuer": "甲局"},
        {"issuer": ["甲局", "丙办"]}, {"issuer": []}, {"issuer": 5},
        {"issuer": ["x%d" % i for i in range(65)]}, {"from": "2001"}, {"to": "2002"},
        {"from": "2001-06", "to": "2002"}, {"from": "2001-06-15", "to": "2001-06-15"},
        {"from": "2001-02-30"}, {"to": "2001-13"}, {"from": "yesterday"},
        {"sort": "relevance"}, {"sort": "date"}, {"sort": "date_asc"}, {"sort": "random"},
        {"facets": ["issuer"]}, {"facets": ["year"]}, {"facets": ["lang"]},
        {"facets": ["issuer", "year", "lang"], "limit": 0}, {"facets": ["colour"]},
        {"facets": ["year"] * 17}, {"facets": "year"},
        {"facets": ["issuer"], "facet_limit": 1}, {"facet_limit": -3, "facets": ["year"]},
        {"snippet": True}, {"snippet": False}, {"snippet": "no"}, {"match": "all"},
        {"match": "any"}, {"match": "some"}, {"unknown_key": 1},
        {"sort": "date", "lang": "en", "limit": 2, "facets": ["issuer"], "snippet": False},
    ]
    for text in (TOKEN, "东北 OR revitalization"):
        for o in opts:
            q.append(search_json(q=text, **o))
    for o in [{"q": "振兴东北", "facets": ["year"]}, {"q": "振兴东北", "lang": "en"},
              {"q": "谁可以成为个体工商户？", "match": "any"}, {"q": "revitalization",
                                                           "sort": "date", "limit": 3}]:
        q.append(search_json(**o))
    q += ['SEARCH {"q":""}', 'SEARCH {"limit":3}', 'SEARCH {"q":5}', 'SEARCH {"q":"x",',
          'SEARCH {not json}', 'SEARCH {"q":"a","q":"b"}', "SEARCH []", "SEARCH {}",
          'SEARCH {"q":"' + TOKEN + '"}   ']
    # GET: present (test and sample documents), absent, invalid ids
    q += ["GET t%d" % i for i in range(1, 9)]
    q += ["GET " + i for i in sample_ids()]
    q += ["GET nope", "GET a b", "GET " + "x" * 300, "GET t1 ", "GET \u3000t1",
          "GET t1\u00a0", "gET t1", "Get t2"]
    # STATS, PING, HELP and argument errors
    q += ["STATS", "PING", "HELP", "Ping", "HeLp", "sTaTs", "PING x", "HELP me",
          "STATS now", "SEARCH", "GET", "   PING", "PING   ", "PING\r"]
    # unknown verbs
    q += ["FOO", "FROBNICATE x y", "Z" * 300, "东北 PING", "SEARCHX " + TOKEN, "PINGPING"]
    # writes and AUTH against a read-only index
    q += ['ADD {"id":"x","title":"t","body":"b"}', "ADD {not json", "DEL t1", "COMMIT",
          "COMMIT now", "ADD", "AUTH secret"]
    lines = [s.encode() for s in q]
    # invalid UTF-8 (strict: overlongs, surrogates, past U+10FFFF, truncated)
    lines += [b"SEARCH \xff\xfe", b"GET \xc0\xaf", b"\xe4\xb8 PING", b"SEARCH \xed\xa0\x80",
              b"SEARCH \xf4\x90\x80\x80", b"SEARCH abc\xe4\xb8", b"GET t1\x80",
              b"SEARCH \xc1\xbf", b"PING \xff"]
    return lines


def cli_commands():
    """The CLI set: shell lines of client commands."""
    t = TOKEN
    cmds = ["search --json " + t, "search --json --lang zh " + t,
            "search --json --lang en --limit 2 " + t,
            "search --json --issuer 甲局 --issuer 丙办 " + t,
            "search --json --from 2001-06 --to 2002 " + t, "search --json --sort date " + t,
            "search --json --sort date_asc --offset 2 --limit 3 " + t,
            "search --json --facets issuer,year,lang --limit 0 " + t,
            "search --json --no-snippet " + t, "search --json 振兴东北 老工业基地",
            "search --json --limit 1001 " + t, "search --json --lang fr " + t,
            "search --json --from 2001-13 " + t, "search --json --sort bogus " + t,
            "search --json --facets colour " + t, "search --json --offset -1 " + t,
            "search --json NOT " + t, "search --json --limit abc " + t,
            "search --json", "get --json t8", "get --json t1", "get --json nope",
            "get --json", "stats --json", "ping --json", "search --json \"Five-Year Plan\"",
            "search --json --lang en --sort date --limit 3 revitalization"]
    return cmds


def norm(line):
    """A reply line with its volatile values neutralised (see the module
    docstring); everything else is kept byte for byte."""
    line = TOOK.sub(b'"took_ms":0', line)
    if b'"uptime_s"' in line:
        o = json.loads(line, object_pairs_hook=lambda kv: kv)
        o = [(k, None if k in STATS_VOLATILE else v) for k, v in o]
        line = json.dumps(o).encode()
    return line


def run_shell(mode_args, lines, timeout=300):
    p = subprocess.run([str(CLI)] + mode_args + ["shell"], input=b"\n".join(lines) + b"\n",
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    return p.stdout.split(b"\n")[:-1], p.stderr


@pytest.fixture(scope="module")
def index():
    return shared_index()


@pytest.fixture(scope="module")
def daemon(index):
    with Daemon(index) as d:
        yield d


def daemon_replies(daemon, lines):
    out = []
    with daemon.conn() as c:
        for line in lines:
            c.send_line(line)
            r = c.recv_line()
            assert r is not None, line
            out.append(r)
    return out


def test_raw_requests_byte_identical(daemon, index):
    lines = raw_requests()
    assert len(lines) >= 200
    # no line may be taken by the shell as one of its own commands
    assert not any(l.split(b" ")[0] in (b"search", b"get", b"stats", b"ping", b"help",
                                        b"quit", b"exit") for l in lines)
    remote = daemon_replies(daemon, lines)
    local, err = run_shell(["--index", str(index)], lines)
    assert len(local) == len(lines), err.decode(errors="replace")
    codes = set()
    for req, a, b in zip(lines, remote, local):
        assert norm(a) == norm(b), (req, a[:300], b[:300])
        o = json.loads(a)
        codes.add(o["error"]["code"] if not o["ok"] else "ok")
    # every kind of reply was among them
    assert codes >= {"ok", "bad_request", "unknown_command", "not_found", "read_only"}
    # QUIT last: the same reply, then the daemon closes
    with daemon.conn() as c:
        c.send_line("QUIT")
        q = c.recv_line()
        assert c.recv_line() is None
    assert run_shell(["--index", str(index)], [b"QUIT"])[0] == [q]


def test_stats_differs_only_in_volatile_fields(daemon, index):
    a = daemon_replies(daemon, [b"STATS"])[0]
    b = run_shell(["--index", str(index)], [b"STATS"])[0][0]
    oa = json.loads(a, object_pairs_hook=lambda kv: kv)
    ob = json.loads(b, object_pairs_hook=lambda kv: kv)
    assert [k for k, _ in oa] == [k for k, _ in ob]
    da, db = dict(oa), dict(ob)
    for k in ("ok", "docs", "revision", "writable", "version"):
        assert da[k] == db[k], k
    assert da["docs"] >= 8 and db["workers"] == 1


def test_cli_commands_same_in_both_modes(daemon, index):
    cmds = [c.encode() for c in cli_commands()]
    out_local, err_local = run_shell(["--index", str(index)], cmds)
    out_remote, err_remote = run_shell(["--server", "%s:%d" % daemon.addr], cmds)
    assert len(out_local) >= 20
    assert [norm(x) for x in out_local] == [norm(x) for x in out_remote]
    # usage errors are the client's own, the same in both modes
    assert err_local == err_remote and b"--limit wants a number" in err_local


@pytest.mark.parametrize("args,line", [
    (["search", "--json", "--limit", "3", TOKEN],
     search_json(q=TOKEN, limit=3)),
    (["search", "--json", "--lang", "fr", TOKEN], search_json(q=TOKEN, lang="fr")),
    (["get", "--json", "t8"], "GET t8"),
    (["get", "--json", "nope"], "GET nope"),
    (["ping", "--json"], "PING"),
])
def test_command_line_equals_the_daemons_raw_reply(daemon, index, args, line):
    p = subprocess.run([str(CLI), "--index", str(index)] + args, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    raw = daemon_replies(daemon, [line.encode()])[0]
    assert p.stdout.endswith(b"\n") and p.stdout.count(b"\n") == 1
    assert norm(p.stdout[:-1]) == norm(raw)
    assert p.returncode == (0 if json.loads(raw)["ok"] else 1)
