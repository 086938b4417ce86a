"""test_searchd_ops.py — zhengce-searchd started with special options: idle
timeout, query time limit (`timeout`), slow queries next to PING, the
connection limit (`busy`), output bounds against a client that never reads,
the Unix socket (mode 0600), --pidfile, --config, signals, bad options.

Each test starts its own daemon on a free loopback port.

Slow queries: a query that is reliably slow on any machine is hard to build
from a small index, so the daemon has a hidden testing option,
--debug-delay-ms MS, which makes each SEARCH sleep MS milliseconds in its
worker before running (docs/protocol.md, "Testing aids").  The sleep counts
against the query time limit exactly like real work.  The `timeout` error is
also tested without it, through a 1-microsecond --query-timeout.
"""

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from zcproto import (INDEXER, SEARCHD, TOKEN, Conn, Daemon, err_code,  # noqa: E402
                     run_indexer, write_jsonl)

pytestmark = pytest.mark.skipif(not SEARCHD.exists(), reason="zhengce-searchd not built")


def test_idle_timeout_closes_quiet_connections_only(index):
    with Daemon(index, "--idle-timeout", "1", "--debug-delay-ms", "1800") as d:
        quiet = d.conn()
        busy = d.conn()
        slow = d.conn()
        slow.send_line("SEARCH " + TOKEN)      # a request in flight is not idleness
        t0 = time.monotonic()
        # the busy connection keeps talking for 2.5 s
        while time.monotonic() - t0 < 2.5:
            assert busy.request("PING")["pong"] is True
            time.sleep(0.25)
        # the quiet one was closed without a reply, after about 1 s
        assert quiet.at_eof(timeout=5)
        r = slow.reply()
        assert r["ok"] is True and r["total"] == 8
        assert busy.request("PING")["pong"] is True
        # and the slow one goes quiet after its reply: closed too
        assert slow.at_eof(timeout=5)
        for c in (quiet, busy, slow):
            c.close()


def test_slow_query_does_not_delay_ping_on_another_connection(index):
    # Order of events, not speed: every reply on b arrives while a's SEARCH
    # (3 s in its worker, the testing aid) is still unanswered, and a's
    # reply comes after all of them.
    with Daemon(index, "--debug-delay-ms", "3000", "--workers", "2") as d:
        a = d.conn()
        b = d.conn()
        a.send_line("SEARCH " + TOKEN)
        time.sleep(0.1)          # lets the SEARCH reach a worker (not asserted)
        for _ in range(5):
            assert b.request("PING")["pong"] is True
            assert not a.has_input(), "the slow SEARCH was answered before PING"
        assert b.request("GET t1")["doc"]["id"] == "t1"   # the other worker is free
        assert not a.has_input(), "the slow SEARCH was answered before GET"
        assert b.request("STATS")["ok"] is True
        assert not a.has_input(), "the slow SEARCH was answered before STATS"
        r = a.reply()
        assert r["ok"] is True and r["total"] == 8
        a.close()
        b.close()


def test_query_time_limit_gives_timeout(index):
    # 1 microsecond: every real search runs past it
    with Daemon(index, "--query-timeout", "0.000001") as d:
        with d.conn() as c:
            assert err_code(c.request("SEARCH " + TOKEN)) == "timeout"
            assert err_code(c.request('SEARCH {"q":"振兴东北 OR revitalization OR 东北",'
                                      '"limit":1000,"facets":["issuer","year"]}')) == "timeout"
            assert c.request("PING")["pong"] is True
            assert c.request("GET t1")["ok"] is True
            st = c.request("STATS")
            assert st["timeouts"] >= 2
    # A slow query is cut at the limit, not at its end.  Order of events,
    # not speed: the same 3 s query without a limit (a second daemon), sent
    # first, is still unanswered when the limited one's `timeout` arrives.
    with Daemon(index, "--query-timeout", "0.5", "--debug-delay-ms", "3000") as d, \
            Daemon(index, "--query-timeout", "0", "--debug-delay-ms", "3000") as ref:
        with d.conn() as c, ref.conn() as rc:
            rc.send_line("SEARCH " + TOKEN)
            time.sleep(0.1)      # lets it reach a worker first (not asserted)
            assert err_code(c.request("SEARCH " + TOKEN)) == "timeout"
            assert not rc.has_input(), "cut only after the query's whole 3 s"
            assert c.request("PING")["pong"] is True
            assert rc.reply()["total"] == 8


def test_max_connections_gives_busy(index):
    with Daemon(index, "--max-connections", "3") as d:
        held = [d.conn() for _ in range(3)]
        for c in held:
            assert c.request("PING")["pong"] is True   # all three accepted
        extra = d.conn()
        r = extra.reply()
        assert err_code(r) == "busy"
        assert extra.recv_line() is None                # and closed
        extra.close()
        assert held[0].request("PING")["pong"] is True  # nothing else affected
        assert held[0].request("STATS")["busy"] >= 1
        held[1].close()
        # once a slot is free, a new client gets in
        deadline = time.monotonic() + 5
        while True:
            c = d.conn()
            r = c.request("PING")
            if r["ok"]:
                break
            c.close()
            assert time.monotonic() < deadline, "no slot freed"
            time.sleep(0.05)
        assert r["pong"] is True
        c.close()
        for c in held:
            c.close()


def _add_big_doc(d, doc_id, size):
    """A document with `size` bytes in an unknown (stored, not indexed) field."""
    doc = {"id": doc_id, "lang": "en", "title": "big " + doc_id, "body": "big document",
           "blob": "x" * size}
    with d.conn() as c:
        r = c.request("ADD " + json.dumps(doc))
        assert r["ok"] is True, r
        assert c.request("COMMIT")["ok"] is True


def test_client_that_never_reads_is_dropped_and_memory_stays_flat(tmp_path):
    mib = 1024 * 1024
    with Daemon(tmp_path / "ix", "--writable", "--workers", "4", "--max-line", "16m") as d:
        _add_big_doc(d, "big", 8 * mib)
        with d.conn() as c:
            assert len(c.request("GET big")["doc"]["blob"]) == 8 * mib   # a reader gets it
        rss0 = d.rss_kib()
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)   # set before connect
        s.settimeout(15)
        s.connect(d.addr)
        s.sendall(b"GET big\n" * 200)            # 1.6 GB of replies if all were kept
        deadline = time.monotonic() + 20
        while "output_limit" not in d.log_text():
            assert time.monotonic() < deadline, d.log_text()[-2000:]
            with d.conn() as other:               # others are served meanwhile
                assert other.request("PING")["pong"] is True
            time.sleep(0.1)
        assert d.rss_kib() - rss0 < 200 * 1024    # far below 1.6 GB
        # what the client can still read is a prefix of its replies, then EOF
        got = b""
        try:
            while True:
                chunk = s.recv(1 << 20)
                if not chunk:
                    break
                got += chunk
        except (ConnectionResetError, socket.timeout):
            pass
        assert got.count(b"\n") < 200
        s.close()
        with d.conn() as c:
            assert c.request("PING")["pong"] is True


def test_slow_reader_is_throttled_not_dropped(tmp_path):
    mib = 1024 * 1024
    with Daemon(tmp_path / "ix", "--writable", "--workers", "2", "--max-line", "4m") as d:
        _add_big_doc(d, "mid", 2 * mib)
        with d.conn() as c:
            n = 12
            c.send(b"GET mid\n" * n)
            got = 0
            while got < n:
                time.sleep(0.02)                  # reads ~1 MiB per 20 ms at most
                r = c.recv_line()
                assert r is not None
                assert json.loads(r)["doc"]["id"] == "mid"
                got += 1
            assert c.request("PING")["pong"] is True
        assert "output_limit" not in d.log_text()


def test_never_reading_small_replies_pauses_then_idle_closes(index):
    with Daemon(index, "--idle-timeout", "4") as d:
        rss0 = d.rss_kib()
        s = socket.create_connection(d.addr, timeout=15)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        line = ("SEARCH " + json.dumps({"q": TOKEN, "limit": 1000, "facets": ["issuer"]}) +
                "\n").encode()
        s.settimeout(0.2)

        def push(secs):
            t0 = time.monotonic()
            while time.monotonic() - t0 < secs:
                try:
                    s.send(line * 100)
                except (socket.timeout, BlockingIOError):
                    time.sleep(0.05)        # the daemon stopped taking requests
                except (ConnectionResetError, BrokenPipeError):
                    return                  # already closed as idle

        # push until the daemon stops answering this client's requests
        deadline = time.monotonic() + 20
        last = -1
        while True:
            push(0.5)
            q = d.request("STATS")["queries"]
            if q == last:
                break
            last = q
            assert time.monotonic() < deadline, "the daemon never paused"
        rss1 = d.rss_kib()
        push(1.0)                           # pushing more costs the daemon nothing
        assert d.request("STATS")["queries"] == last
        rss2 = d.rss_kib()
        assert rss2 - rss1 < 8 * 1024, (rss1, rss2)
        assert rss2 - rss0 < 400 * 1024     # (generous: ASan keeps freed memory)
        with d.conn() as other:
            assert other.request("PING")["pong"] is True
        # it takes nothing, so it is idle: closed by the idle timeout (we
        # watch from another connection, never reading from this one)
        deadline = time.monotonic() + 15
        while d.request("STATS")["connections"] != 1:
            assert time.monotonic() < deadline, d.log_text()[-2000:]
            time.sleep(0.2)
        s.close()


def test_unix_socket_mode_0600(index, tmp_path):
    path = tmp_path / "zc.sock"
    with Daemon(index, unix=path) as d:
        mode = stat.S_IMODE(os.stat(path).st_mode)
        assert stat.S_ISSOCK(os.stat(path).st_mode)
        assert mode == 0o600, oct(mode)
        with Conn(str(path)) as c:
            assert c.request("PING")["pong"] is True
            assert c.request("SEARCH " + TOKEN)["total"] == 8
        assert d.request("PING")["pong"] is True     # TCP too
        assert d.stop() == 0
    assert not path.exists()                          # removed at exit


def test_unix_socket_only_and_stale_socket_replaced(index, tmp_path):
    path = tmp_path / "zc.sock"
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(path))                             # left behind, nobody listening
    stale.close()
    with Daemon(index, unix=path, listen="none"):
        with Conn(str(path)) as c:
            assert c.request("PING")["pong"] is True
        # a second daemon on the same live socket refuses to start
        d2 = Daemon(index, unix=path, listen="none")
        with pytest.raises(RuntimeError):
            d2.start(timeout=10)
        d2.kill()


def test_pidfile_and_sigterm(index, tmp_path):
    pidfile = tmp_path / "searchd.pid"
    d = Daemon(index, "--pidfile", pidfile).start()
    try:
        assert pidfile.read_text().strip() == str(d.proc.pid)
        assert d.stop(signal.SIGTERM) == 0
        assert not pidfile.exists()
        assert "stopped" in d.log_text()
    finally:
        d.kill()


def test_sigint_exits_zero_and_sighup_reopens(index):
    d = Daemon(index).start()
    try:
        with d.conn() as c:
            d.send_signal(signal.SIGHUP)
            time.sleep(0.2)
            assert c.request("SEARCH " + TOKEN)["total"] == 8
        assert "reopen" in d.log_text()
        assert d.stop(signal.SIGINT) == 0
    finally:
        d.kill()


def test_sigterm_finishes_in_flight_requests(index):
    d = Daemon(index, "--debug-delay-ms", "1000").start()
    try:
        with d.conn() as c:
            c.send_line("SEARCH " + TOKEN)
            time.sleep(0.2)
            d.send_signal(signal.SIGTERM)
            r = c.reply()                       # answered, not dropped
            assert r["ok"] is True and r["total"] == 8
            assert c.recv_line() is None        # then closed
        assert d.proc.wait(15) == 0
        # no new connections during shutdown
        with pytest.raises(OSError):
            Conn(d.addr, timeout=2).request("PING")
    finally:
        d.kill()


def test_config_file(index, tmp_path):
    cfg = tmp_path / "searchd.conf"
    cfg.write_text("# test config\n"
                   "index = %s\n"
                   "listen = 127.0.0.1:1\n"          # replaced by the command line
                   "workers = 1\n"
                   "  max-connections = 7  \n"
                   "\n"
                   "slow-ms=5000\n" % index)
    d = Daemon(index, "--config", cfg).start()
    try:
        st = d.request("STATS")
        assert st["workers"] == 1
        assert "max_connections=7" in d.log_text()
    finally:
        d.stop()
        d.kill()


def run_searchd(*args, timeout=20):
    return subprocess.run([str(SEARCHD)] + [str(a) for a in args], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=timeout)


def test_bad_command_lines(index, tmp_path):
    assert run_searchd("--help").returncode == 0
    assert b"--index" in run_searchd("--help").stdout
    assert run_searchd("--version").returncode == 0
    assert run_searchd().returncode == 2                           # no --index
    assert run_searchd("--index", index, "--bogus").returncode == 2
    assert run_searchd("--index", index, "--max-line", "12").returncode == 2
    assert run_searchd("--index", index, "--workers", "x").returncode == 2
    bad = tmp_path / "bad.conf"
    bad.write_text("no-such-option = 1\n")
    r = run_searchd("--index", index, "--config", bad)
    assert r.returncode == 2 and b"bad.conf:1" in r.stderr
    # a missing index is an error at start, not at the first query
    r = run_searchd("--index", tmp_path / "missing", "--listen", "127.0.0.1:0")
    assert r.returncode == 1 and b"cannot open index" in r.stderr
    r = run_searchd("--index", index, "--listen", "not-an-address")
    assert r.returncode == 1


def test_junk_with_a_too_long_line_then_a_new_connection(index):
    import random
    rng = random.Random(7)
    with Daemon(index, "--max-line", "1024") as d:
        for round_ in range(3):
            junk = bytes(rng.randrange(256) for _ in range(20000))
            junk = junk.replace(b"\n", b"") + b"\nPING\n"     # one line far past 1024
            with d.conn() as c:
                try:
                    c.send(junk)
                except OSError:
                    pass                      # closed before it took everything
                replies, _ = c.read_until_eof()
                assert [err_code(r) for r in replies] == ["line_too_long"]
            # the daemon answers the next good request, on a new connection
            with d.conn() as c:
                assert c.request("PING")["pong"] is True
                assert c.request("SEARCH " + TOKEN)["total"] == 8


def test_searches_during_frequent_commits_never_fail(index, tmp_path):
    """Readers racing a writer that commits after every document: a
    "database modified" condition is retried inside, never returned."""
    import shutil
    if not INDEXER.exists():
        pytest.skip("zhengce-indexer not built")
    ix = tmp_path / "ix"
    shutil.copytree(index, ix)
    docs = tmp_path / "more.jsonl"
    write_jsonl(docs, [{"id": "race-%d" % i, "lang": "zh" if i % 2 else "en",
                        "title": "竞争 race document %d" % i,
                        "body": ("营商环境 zzqtoken race body %d " % i) * 20}
                       for i in range(150)])
    with Daemon(ix, "--workers", "2") as d:
        stop = threading.Event()
        bad = []
        counts = [0]

        def searcher(k):
            with d.conn() as c:
                while not stop.is_set():
                    for q in ("SEARCH " + TOKEN, 'SEARCH {"q":"营商环境","facets":["year"]}',
                              "GET t%d" % (1 + k % 8)):
                        r = c.request(q)
                        counts[0] += 1
                        if not r["ok"]:
                            bad.append(r)

        ts = [threading.Thread(target=searcher, args=(k,)) for k in range(4)]
        for t in ts:
            t.start()
        try:
            run_indexer(ix, "--quiet", "--batch", "1", docs, check=0, timeout=300)
            time.sleep(0.5)
        finally:
            stop.set()
            for t in ts:
                t.join(60)
        assert bad == []
        assert counts[0] > 50
        assert d.request("SEARCH " + json.dumps({"q": TOKEN, "limit": 0}))["total"] == 8 + 150
