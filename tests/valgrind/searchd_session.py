#!/usr/bin/env python3
"""searchd_session.py — a zhengce-searchd session under valgrind memcheck
(issue 5, item 2; `make valgrind`).

Indexes corpus/sample plus the integration tests' controlled documents
(tests/integration/zcproto.py) with the normal zhengce-indexer, copies the
index, starts zhengce-searchd --writable --token-file under

    valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect
             --errors-for-leak-kinds=definite,indirect --error-exitcode=99

serves REQUESTS (1 000) mixed requests over several connections — SEARCH
in plain and JSON form with every option, GET (found and not), STATS, PING,
HELP, error lines (unknown verb, bad JSON, bad options, invalid UTF-8, NUL,
missing arguments), AUTH (wrong and right), ADD / DEL / COMMIT, pipelined
bursts, a line over --max-line, a client that half-closes, QUIT — checks
every reply, then sends SIGTERM and requires exit status 0, a daemon log
that never shows the AUTH token, and a valgrind summary with no errors and
no definitely or indirectly lost bytes.

Exit status: 0 clean, 1 a reply or the valgrind report was wrong, 77
valgrind missing (reported as skipped by tests/run.sh).  The valgrind log
is kept in $ZC_BUILD/test-logs/valgrind-searchd.log.
"""

import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "integration"))
import zcproto  # noqa: E402
from zcproto import BUILD, SEARCHD, TOKEN, Conn, build_index, parse_reply  # noqa: E402

REQUESTS = int(os.environ.get("ZC_VALGRIND_REQUESTS", "1000"))
SEED = int(os.environ.get("ZC_VALGRIND_SEED", "1"))
START_TIMEOUT = 300.0
AUTH_TOKEN = "valgrind-secret-token"


def fail(msg):
    print("valgrind: FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def requests(rng):
    """Yields (line, check) pairs; check(reply) raises on a wrong reply."""
    def ok(r):
        assert r["ok"] is True, r

    def code(c):
        def f(r):
            assert r["ok"] is False and r["error"]["code"] == c, (c, r)
        return f

    searches = [
        "SEARCH " + TOKEN,
        "SEARCH 振兴东北 老工业基地",
        "SEARCH 營商環境",
        "SEARCH revitalization northeast",
        'SEARCH "老工业基地"',
        "SEARCH 国发〔2016〕62号",
        "SEARCH northest",
        "SEARCH revit*",
    ]
    opts = [
        {"q": TOKEN, "lang": "zh", "facets": ["year", "issuer", "lang"]},
        {"q": TOKEN, "issuer": ["甲局", "乙委"], "from": "2001", "to": "2002-06"},
        {"q": TOKEN, "sort": "date", "limit": 3, "offset": 2},
        {"q": TOKEN, "sort": "date_asc", "snippet": False},
        {"q": "营商环境", "limit": 1000},
        {"q": "energy grids", "lang": "en", "match": "any"},
        {"q": "Ports logistics", "facets": ["year"], "offset": 50},
    ]
    errors = [
        ("FROB x", code("unknown_command")),
        ("SEARCH {\"q\":", code("bad_request")),
        ('SEARCH {"q":"x","limit":-1}', code("bad_request")),
        ('SEARCH {"q":"x","sort":"sideways"}', code("bad_request")),
        ('SEARCH {"lang":"zh"}', code("bad_request")),
        ("GET", code("bad_request")),
        ("PING extra", code("bad_request")),
        (b"SEARCH \xff\xfe bad utf8", code("bad_request")),
        (b"SEARCH a\x00b", code("bad_request")),
        ("GET no-such-document", code("not_found")),
        ('ADD {"id":"bad"}', code("bad_request")),
    ]
    n_add = 0
    while True:
        k = rng.random()
        if k < 0.35:
            yield rng.choice(searches), ok
        elif k < 0.55:
            yield "SEARCH " + json.dumps(rng.choice(opts), ensure_ascii=False), ok
        elif k < 0.65:
            yield "GET " + rng.choice(["t1", "t4", "t7", "t8"]), ok
        elif k < 0.70:
            yield "STATS", ok
        elif k < 0.78:
            yield "PING", ok
        elif k < 0.80:
            yield "HELP", ok
        elif k < 0.90:
            yield rng.choice(errors)
        elif k < 0.96:
            n_add += 1
            doc = {"id": "vg-%d" % n_add, "lang": rng.choice(["zh", "en"]),
                   "title": "内存检查 %d" % n_add, "date": "2020-0%d" % (1 + n_add % 9),
                   "issuer": "测试局", "body": "营商环境 valgrind %d " % n_add + "文本" * 50}
            yield "ADD " + json.dumps(doc, ensure_ascii=False), ok
        elif k < 0.98:
            yield "DEL vg-%d" % max(1, n_add - 1), ok
        else:
            yield "COMMIT", ok


def main():
    if shutil.which("valgrind") is None:
        print("valgrind: not installed, skipped")
        return 77
    logdir = BUILD / "test-logs"
    logdir.mkdir(parents=True, exist_ok=True)
    vglog = logdir / "valgrind-searchd.log"
    rng = random.Random(SEED)
    t_start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="zc-valgrind-") as tmp:
        tmp = Path(tmp)
        index = build_index(tmp / "index")
        token = tmp / "token"
        token.write_text(AUTH_TOKEN + "\n")
        cmd = ["valgrind", "--tool=memcheck", "--leak-check=full",
               "--show-leak-kinds=definite,indirect",
               "--errors-for-leak-kinds=definite,indirect", "--error-exitcode=99",
               "--num-callers=30", "--log-file=" + str(vglog),
               str(SEARCHD), "--index", str(index), "--listen", "127.0.0.1:0",
               "--writable", "--token-file", str(token), "--workers", "2",
               "--max-line", "64k", "--commit-interval", "0.5"]
        log = open(tmp / "searchd.log", "wb")
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log)
        addr = None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            text = (tmp / "searchd.log").read_text(errors="replace")
            m = re.search(r"listening tcp (\S+):(\d+)", text)
            if m and " ready " in text:
                addr = (m.group(1).strip("[]"), int(m.group(2)))
                break
            if proc.poll() is not None:
                fail("zhengce-searchd exited %s:\n%s" % (proc.returncode, text[-3000:]))
            time.sleep(0.2)
        if addr is None:
            proc.kill()
            fail("not ready in %.0f s" % START_TIMEOUT)
        t_ready = time.monotonic()
        sent = 0
        try:
            gen = requests(rng)
            conns = [Conn(addr, timeout=120) for _ in range(4)]
            # a wrong token first, then the right one, on every connection
            for c in conns:
                r = c.request("ADD " + json.dumps({"id": "x", "lang": "en", "title": "t",
                                                   "body": "b"}))
                assert r["ok"] is False and r["error"]["code"] == "forbidden", r
                r = c.request("AUTH wrong")
                assert r["ok"] is False and r["error"]["code"] == "forbidden", r
                assert c.request("AUTH " + AUTH_TOKEN)["ok"] is True
                sent += 3
            while sent < REQUESTS - 40:
                c = rng.choice(conns)
                if rng.random() < 0.1:
                    # a pipelined burst of up to 20
                    batch = [next(gen) for _ in range(rng.randint(2, 20))]
                    c.send(b"".join((ln if isinstance(ln, bytes) else ln.encode()) + b"\n"
                                    for ln, _ in batch))
                    for _, check in batch:
                        check(c.reply())
                    sent += len(batch)
                else:
                    line, check = next(gen)
                    c.send_line(line)
                    check(c.reply())
                    sent += 1
            # a line over --max-line: line_too_long, then close
            with Conn(addr, timeout=120) as c:
                c.send(b"SEARCH " + b"x" * (70 * 1024) + b"\n")
                r = c.reply()
                assert r["error"]["code"] == "line_too_long", r
                sent += 1
            # a half-closed client gets its replies, then EOF
            with Conn(addr, timeout=120) as c:
                c.send(b"PING\nSEARCH " + TOKEN.encode() + b"\nGET t1\nSTATS\nSEARCH unfin")
                c.sock.shutdown(socket.SHUT_WR)
                replies, clean = c.read_until_eof()
                assert len(replies) == 4 and all(r["ok"] for r in replies), replies
                sent += 4
            # junk that is not a request at all
            with Conn(addr, timeout=120) as c:
                c.send(bytes(rng.getrandbits(8) for _ in range(4000)) + b"\nQUIT\n")
                replies, clean = c.read_until_eof()
                sent += len(replies)
            # a client that disconnects with requests in flight
            c = Conn(addr, timeout=120)
            c.send(("SEARCH " + TOKEN + "\n") * 20)
            c.close()
            sent += 20
            for c in conns:
                assert c.request("COMMIT")["ok"] is True
                assert c.request("QUIT")["ok"] is True
                c.close()
                sent += 2
            with Conn(addr, timeout=120) as c:
                st = c.request("STATS")
                sent += 1
        except (AssertionError, OSError, ValueError) as e:
            proc.kill()
            proc.wait()
            fail("after %d requests: %r\n%s" % (sent, e,
                 (tmp / "searchd.log").read_text(errors="replace")[-2000:]))
        t_served = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(300)
        except subprocess.TimeoutExpired:
            proc.kill()
            fail("no exit within 300 s of SIGTERM")
        t_end = time.monotonic()
        log.close()
        # the token was sent in AUTH lines and sits in the token file: it
        # must appear nowhere in the daemon's log (docs/security.md)
        dlog = (tmp / "searchd.log").read_text(errors="replace")
        if AUTH_TOKEN in dlog:
            fail("the AUTH token appears in the daemon's log")
        if "ready" not in dlog:
            fail("daemon log unreadable:\n" + dlog[-2000:])
    report = vglog.read_text(errors="replace")
    summary = re.search(r"ERROR SUMMARY: (\d+) errors", report)
    lost = {k: re.search(r"%s lost: ([\d,]+) bytes in ([\d,]+) blocks" % k, report)
            for k in ("definitely", "indirectly", "possibly")}
    leaks = {k: (m.group(1) if m else "0") for k, m in lost.items()}
    still = re.search(r"still reachable: ([\d,]+) bytes", report)
    line = ("valgrind: %d requests (stats: requests=%s queries=%s writes=%s errors=%s), "
            "exit %d, %s errors, definitely lost %s B, indirectly lost %s B, possibly lost "
            "%s B, still reachable %s B; start %.0f s, serve %.0f s, stop %.0f s" %
            (sent, st.get("requests"), st.get("queries"), st.get("writes"), st.get("errors"),
             rc, summary.group(1) if summary else "?", leaks["definitely"],
             leaks["indirectly"], leaks["possibly"], still.group(1) if still else "0",
             t_ready - t_start, t_served - t_ready, t_end - t_served))
    print(line)
    if rc != 0 or summary is None or summary.group(1) != "0" or \
            leaks["definitely"] != "0" or leaks["indirectly"] != "0":
        print(report[-8000:], file=sys.stderr)
        fail("valgrind found problems (log: %s)" % vglog)
    if sent < REQUESTS:
        fail("only %d requests served" % sent)
    return 0


if __name__ == "__main__":
    sys.exit(main())
