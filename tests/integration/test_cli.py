"""test_cli.py — the `zhengce` client: both modes (--index: in-process
through libzhengce; --server: over the protocol) give the same JSON (the
protocol's reply object) for the same command; the readable output; exit
codes (0 ok, 1 error reply / not found, 2 usage); --stdin; the shell.
"""

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from zcproto import CLI, SEARCHD, TEST_DOCS, TOKEN, Daemon  # noqa: E402

pytestmark = pytest.mark.skipif(not (CLI.exists() and SEARCHD.exists()),
                                reason="zhengce / zhengce-searchd not built")


@pytest.fixture(scope="module")
def server(index, tmp_path_factory):
    sock = tmp_path_factory.mktemp("sock") / "zc.sock"
    with Daemon(index, unix=sock) as d:
        d.sock = sock
        yield d


def env_clean():
    env = dict(os.environ)
    env.pop("ZHENGCE_SERVER", None)
    env.pop("ZHENGCE_INDEX", None)
    env.pop("NO_COLOR", None)
    return env


def zc(*args, stdin=None, env=None):
    return subprocess.run([str(CLI)] + [str(a) for a in args], input=stdin,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60,
                          env=env or env_clean())


def remote(server, *args, **kw):
    return zc("--server", "%s:%d" % server.addr, *args, **kw)


def local(index, *args, **kw):
    return zc("--index", index, *args, **kw)


def no_took(obj):
    obj = dict(obj)
    obj.pop("took_ms", None)
    return obj


def json_out(r):
    lines = r.stdout.decode().splitlines()
    assert len(lines) == 1, r.stdout
    return json.loads(lines[0])


OPTION_SETS = [
    [TOKEN],
    ["--lang", "zh", TOKEN],
    ["--lang", "en", "--limit", "2", TOKEN],
    ["--issuer", "甲局", "--issuer", "丙办", TOKEN],
    ["--from", "2001-06", "--to", "2002", TOKEN],
    ["--sort", "date", TOKEN],
    ["--sort", "date_asc", "--offset", "2", "--limit", "3", TOKEN],
    ["--facets", "issuer,year,lang", "--limit", "0", TOKEN],
    ["--no-snippet", TOKEN],
    ["振兴东北", "老工业基地"],
    ["--limit", "1001", TOKEN],          # an error reply, the same in both modes
    ["--lang", "fr", TOKEN],
    ["NOT", TOKEN],
]


@pytest.mark.parametrize("opts", OPTION_SETS, ids=lambda o: " ".join(o))
def test_search_json_same_in_both_modes_and_equal_to_protocol(server, index, opts):
    r_remote = remote(server, "search", "--json", *opts)
    r_local = local(index, "search", "--json", *opts)
    a, b = json_out(r_remote), json_out(r_local)
    assert no_took(a) == no_took(b)
    assert r_remote.returncode == r_local.returncode == (0 if a["ok"] else 1)
    if a["ok"]:
        # exactly the protocol's reply object
        words = [o for o in opts if not o.startswith("--")]
        assert words


def test_search_json_is_the_raw_reply_line(server):
    with server.conn() as c:
        c.send_line("SEARCH " + json.dumps({"q": TOKEN, "limit": 3}))
        raw = c.recv_line()
    r = remote(server, "search", "--json", "--limit", "3", TOKEN)
    assert r.returncode == 0
    assert no_took(json.loads(r.stdout)) == no_took(json.loads(raw))


def test_get_json(server, index):
    for r in (remote(server, "get", "--json", "t8"), local(index, "get", "--json", "t8")):
        assert r.returncode == 0
        assert json_out(r) == {"ok": True, "doc": TEST_DOCS[7]}
    for r in (remote(server, "get", "--json", "nope"), local(index, "get", "--json", "nope")):
        assert r.returncode == 1
        o = json_out(r)
        assert o["ok"] is False and o["error"]["code"] == "not_found"


def test_readable_search(server, index):
    for r in (remote(server, "search", "--sort", "date", "--limit", "3", TOKEN),
              local(index, "search", "--sort", "date", "--limit", "3", TOKEN)):
        assert r.returncode == 0, r.stderr
        out = r.stdout.decode()
        assert out.startswith("8 results")
        lines = out.splitlines()
        i = lines.index("  1. Test document five on energy")
        assert lines[i + 1].strip() == "2003-12-31 · 乙委 · t5 [en]"
        assert "[zzqtoken]" in lines[i + 2]           # not a terminal: brackets
        assert "  2. 测试文件八 节能减排" in lines
        assert "  3. Test document four on ports" in lines
        assert "\033[" not in out
    r = local(index, "search", "--sort", "date", "--limit", "2", "--offset", "2", TOKEN)
    assert "  3. Test document four on ports" in r.stdout.decode().splitlines()
    r = local(index, "search", "--facets", "year", TOKEN)
    assert "year: 2001 (3), 2002 (2), 2003 (1)" in r.stdout.decode()


def test_readable_search_prints_the_spelling_suggestion(server, index):
    for r in (remote(server, "search", "logistcs", TOKEN),
              local(index, "search", "logistcs", TOKEN)):
        assert r.returncode == 0, r.stderr
        lines = r.stdout.decode().splitlines()
        assert lines[0].startswith("0 results (")
        assert lines[1] == "did you mean: logistics " + TOKEN
    r = local(index, "search", TOKEN)                  # no suggestion, no line
    assert b"did you mean" not in r.stdout


def test_readable_search_says_1_result(index):
    r = local(index, "search", "--issuer", "Port Bureau", TOKEN)
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode().startswith("1 result (")


def test_query_words_starting_with_a_dash(server, index):
    def ids(r):
        assert r.returncode == 0, r.stderr
        o = json_out(r)
        return o["total"], sorted(h["id"] for h in o["hits"])
    want = ids(local(index, "search", "--json", "--stdin",
                     stdin=json.dumps({"q": TOKEN + " -energy"}).encode()))
    assert want[0] == 7 and "t5" not in want[1]
    # after the first query word, '-word' is query text, not an option
    assert ids(local(index, "search", "--json", TOKEN, "-energy")) == want
    assert ids(remote(server, "--json", "search", TOKEN, "-energy")) == want
    # '--' ends the options, so the query may start with '-'
    assert ids(local(index, "search", "--json", "--", "-energy", TOKEN)) == want
    # without '--', a leading '-energy' is still an (unknown) option
    assert local(index, "search", "-energy", TOKEN).returncode == 2
    # options after the query are query text too
    r = local(index, "search", "--json", TOKEN, "--limit", "1")
    assert r.returncode == 0 and len(json_out(r)["hits"]) != 1
    # options before the command word, abbreviated or with '=', still work
    r = zc("--index", index, "--json", "search", "--lim", "5", "--lang=en", TOKEN, "-energy")
    assert sorted(h["id"] for h in json_out(r)["hits"]) == ["t4", "t7"]
    # the shell parses its lines the same way
    script = ("search --json " + TOKEN + " -energy\n").encode()
    r = local(index, "shell", stdin=script)
    line = [x for x in r.stdout.decode().splitlines() if x.startswith("{")][0]
    o = json.loads(line)
    assert (o["total"], sorted(h["id"] for h in o["hits"])) == want


def test_readable_search_on_a_terminal_uses_bold(index):
    master, slave = pty.openpty()
    try:
        p = subprocess.Popen([str(CLI), "--index", str(index), "search", TOKEN],
                             stdout=slave, stderr=subprocess.PIPE, env=env_clean())
        os.close(slave)
        slave = -1
        out = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        assert p.wait(30) == 0
    finally:
        if slave >= 0:
            os.close(slave)
        os.close(master)
    assert b"\033[1mzzqtoken\033[0m" in out


def test_readable_get_stats_ping(server, index):
    for r in (remote(server, "get", "t1"), local(index, "get", "t1")):
        out = r.stdout.decode().splitlines()
        assert r.returncode == 0
        assert out[0] == "id: t1"
        assert "title: 测试文件一 营商环境" in out
        assert "docno: 测发〔2001〕1号" in out
        assert out[-1] == TEST_DOCS[0]["body"]
    r = remote(server, "ping")
    assert r.returncode == 0 and r.stdout == b"pong\n"
    r = local(index, "ping", "--json")
    assert json.loads(r.stdout) == {"ok": True, "pong": True}
    r = remote(server, "stats")
    assert r.returncode == 0 and b"docs: " in r.stdout and b"latency_ms.p50: " in r.stdout
    for r in (remote(server, "stats", "--json"), local(index, "stats", "--json")):
        o = json_out(r)
        assert o["ok"] is True and o["docs"] >= 8 and "revision" in o


def test_exit_codes(server, index, tmp_path):
    r = remote(server, "get", "nope")
    assert r.returncode == 1 and b"not_found" in r.stderr
    r = local(index, "search", "--limit", "5000", TOKEN)
    assert r.returncode == 1 and b"bad_request" in r.stderr
    assert local(index, "search", "--limit", "abc", TOKEN).returncode == 2
    assert local(index, "search").returncode == 2               # no query
    assert local(index, "frobnicate").returncode == 2
    assert local(index, "get").returncode == 2
    assert local(index, "get", "a", "b").returncode == 2
    assert local(index, "--bogus", "ping").returncode == 2
    assert zc("ping").returncode == 2                           # neither --index nor --server
    assert zc("--index", index, "--server", "x:1", "ping").returncode == 2
    assert zc("--help").returncode == 0
    assert zc("--version").returncode == 0
    r = zc("--index", tmp_path / "missing", "ping")
    assert r.returncode == 1
    r = zc("--server", "127.0.0.1:1", "ping")                   # nobody listens there
    assert r.returncode == 1


def test_server_from_env_and_unix_socket(server):
    env = env_clean()
    env["ZHENGCE_SERVER"] = "%s:%d" % server.addr
    r = zc("ping", env=env)
    assert r.returncode == 0 and r.stdout == b"pong\n"
    r = zc("--server", server.sock, "search", "--json", TOKEN)
    assert r.returncode == 0 and json_out(r)["total"] == 8


def test_search_stdin(server, index):
    text = "\n".join([TOKEN, json.dumps({"q": TOKEN, "limit": 2}), "", "   ",
                      "NOT " + TOKEN, "振兴东北"]) + "\n"
    outs = []
    for r in (remote(server, "search", "--stdin", "--lang", "en", stdin=text.encode()),
              local(index, "search", "--stdin", "--lang", "en", stdin=text.encode())):
        assert r.returncode == 1                    # one of the queries failed
        lines = [json.loads(x) for x in r.stdout.decode().splitlines()]
        assert len(lines) == 4                      # blank lines skipped
        assert lines[0]["total"] == 3               # flags apply to plain lines
        assert len(lines[1]["hits"]) == 2 and lines[1]["total"] == 8   # JSON lines as given
        assert lines[2]["error"]["code"] == "bad_request"
        assert lines[3]["ok"] is True
        outs.append([no_took(x) for x in lines])
    assert outs[0] == outs[1]


def test_shell_from_a_pipe(server, index):
    script = ("search --limit 2 --sort date " + TOKEN + "\n"
              "PING\n"
              "GET t1\n"
              "get --json t2\n"
              "FOO bar\n"
              "help\n"
              "quit\n"
              "PING\n").encode()
    for r in (remote(server, "shell", stdin=script), local(index, "shell", stdin=script)):
        out = r.stdout.decode()
        assert "  1. Test document five on energy" in out
        assert out.count('{"ok":true,"pong":true}') == 1        # nothing after quit
        assert '"id":"t1"' in out
        assert json.loads([x for x in out.splitlines() if '"t2"' in x][0])["doc"]["id"] == "t2"
        assert '"code":"unknown_command"' in out
        assert "Commands:" in out
