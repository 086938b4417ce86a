"""test_hostile.py — the seven holes of issue 11, each shut, against the
real daemon on loopback (bounded in count and time).

Floods and slow ones are marked `overload` (make test runs them, make
check leaves them out).  One test per point of the issue; each failed against the daemon before
the fix (said in its docstring) and asserts on the order of events and on
bounds, not on speed:

1. a SEARCH whose "issuer" array has 90,000 entries is refused at once (and
   a query stuck in a worker cannot hold SIGTERM past the shutdown wait);
2. with 200 connections pipelining searches and never reading, a
   well-behaved client's searches all complete, none `timeout`; a
   per-address connection cap refuses the connection past it;
3. PING stays answered during a STATS flood (STATS reads published
   figures, no reopen on the loop);
4. 300 clients holding 1 MiB-1 partial lines: the daemon holds them to
   the shared budget and its RSS comes back near its start once they go;
   clients that ask for a large document and never read are closed;
5. 10,000 wrong AUTHs on one connection end in a close after 10 replies;
6. an id with a space at either end is refused by ADD and the indexer;
7. a SEARCH with offset 2^32-1 answers an empty page with the right total.
"""

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from zcproto import (INDEXER, SANITIZED, SEARCHD, TOKEN, Daemon, Pinger, alive,  # noqa: E402
                     check_pings, close_all, connect, err_code, parse_reply, pump, read_all)

pytestmark = [pytest.mark.skipif(not SEARCHD.exists(), reason="zhengce-searchd not built"),
              pytest.mark.usefixtures("enough_fds")]


def read_replies(sock, n, deadline_s=30):
    """Reads until n reply lines or EOF; returns (list of parsed replies,
    True when the connection ended)."""
    sock.settimeout(deadline_s)
    buf = b""
    end = time.monotonic() + deadline_s
    while buf.count(b"\n") < n and time.monotonic() < end:
        try:
            d = sock.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            d = b""
        if not d:
            return [parse_reply(x) for x in buf.split(b"\n") if x], True
        buf += d
    return [parse_reply(x) for x in buf.split(b"\n")[:n] if x], False


# -- 1. issuer arrays ---------------------------------------------------------------

def test_huge_issuer_array_refused_and_capped_one_answered(index):
    """Before: 90,000 issuers ran 346 s inside Xapian, past --query-timeout 2,
    and blocked the connection's other requests.  Now the array is refused
    at once (64 at most), the request behind it on the same connection is
    answered, and 64 issuers still work."""
    with Daemon(index, "--query-timeout", "2") as d, d.conn() as c:
        big = json.dumps({"q": "的", "issuer": [""] * 90000})
        c.send_line("SEARCH " + big)
        c.send_line("SEARCH " + TOKEN)
        r1, r2 = c.reply(), c.reply()
        assert err_code(r1) == "bad_request", r1
        assert "issuer" in r1["error"]["message"] and "64" in r1["error"]["message"]
        assert r2["ok"] is True and r2["total"] == 8
        one = c.request("SEARCH " + json.dumps({"q": TOKEN, "issuer": "甲局"}))
        ok = c.request("SEARCH " + json.dumps(
            {"q": TOKEN, "issuer": ["甲局"] + ["nobody%d" % i for i in range(63)]}))
        assert one["total"] >= 2 and ok["ok"] is True and ok["total"] == one["total"]
        r = c.request("SEARCH " + json.dumps({"q": TOKEN, "facets": ["year"] * 17}))
        assert err_code(r) == "bad_request" and "facets" in r["error"]["message"]


@pytest.mark.overload
def test_sigterm_does_not_wait_for_a_stuck_query(index):
    """A query that never ends (the testing aid's sleep, no time limit)
    must not keep SIGTERM from finishing: the shutdown closes the client at
    the end of the grace and the process exits, leaving the worker."""
    d = Daemon(index, "--query-timeout", "0", "--debug-delay-ms", "600000").start()
    try:
        c = d.conn()
        c.send_line("SEARCH " + TOKEN)
        time.sleep(0.3)                       # the worker has it
        t0 = time.monotonic()
        rc = d.stop(timeout=60)
        waited = time.monotonic() - t0
        assert rc == 0
        assert "still running a query" in d.log_text()
        assert waited < 60                    # not the 600 s of the query
        c.close()
    finally:
        d.kill()


# -- 2. fair scheduling ------------------------------------------------------------

HOSTILE_CONNS = 200
HOSTILE_DEPTH = 50


@pytest.mark.overload
def test_hostile_pipeliners_do_not_starve_a_polite_client(index):
    """Before: one FIFO shared by all connections, and queue time charged to
    the time limit: 200 connections pipelining searches made a polite
    client's searches wait 2 s and 3 in 10 timed out.  Each search here
    costs 10 ms (the testing aid) against --query-timeout 1: 400 queued
    ahead would be 2 s.  Now connections take turns and the time limit runs
    from the moment a worker takes the query: none times out."""
    line = ("SEARCH " + json.dumps({"q": TOKEN, "limit": 1000}) + "\n").encode()
    with Daemon(index, "--query-timeout", "1", "--debug-delay-ms", "10") as d:
        socks = []
        try:
            for _ in range(HOSTILE_CONNS):
                s = connect(d.addr)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                s.setblocking(False)
                try:
                    s.send(line * HOSTILE_DEPTH)
                except BlockingIOError:
                    pass
                socks.append(s)
            time.sleep(0.5)                   # they fill the daemon's queues
            replies = []
            with d.conn(timeout=60) as c:
                for _ in range(8):
                    replies.append(c.request("SEARCH " + TOKEN))
            codes = [err_code(r) if not r["ok"] else "ok" for r in replies]
            assert codes == ["ok"] * 8, codes
            assert all(r["total"] == 8 for r in replies)
        finally:
            close_all(socks)
        print("timeouts among the hostile clients' searches:", alive(d)["timeouts"])


def test_max_conns_per_ip(index):
    """A per-client-address cap: past it, one `busy` line and EOF; others
    from the same address are served again once one closes."""
    with Daemon(index, "--max-conns-per-ip", "5") as d:
        held = [d.conn() for _ in range(4)]       # + the one below = 5
        try:
            with d.conn() as fifth:
                assert fifth.request("PING")["pong"] is True
                extra = d.conn()
                r = extra.reply()
                assert err_code(r) == "busy" and "address" in r["error"]["message"]
                assert extra.at_eof()
                extra.close()
            st = held[0].request("STATS")
            assert st["per_ip_refused"] == 1
            with d.conn() as again:                  # room again
                assert again.request("PING")["pong"] is True
        finally:
            for c in held:
                c.close()


# -- 3. STATS flood ---------------------------------------------------------------

def read_syscalls(pid):
    """Read-type system calls the process made so far (/proc/PID/io syscr):
    a reopen of the index reads its version file, so before the fix every
    STATS added at least one; socket reads add one per batch of requests."""
    with open("/proc/%d/io" % pid) as f:
        for line in f:
            if line.startswith("syscr:"):
                return int(line.split()[1])
    return 0


@pytest.mark.overload
def test_ping_answered_during_stats_flood(index):
    """Before: STATS reopened the index on the event loop, once per STATS;
    16 connections flooding it pushed PING's p99 to 558-810 ms on a real
    index.  Now STATS reads figures the workers publish: during a flood of
    tens of thousands of STATS the index is opened only by worker 0's
    periodic reopen (5 a second; counted by the daemon's read system
    calls, one or more per reopen), and the loop answers PING within the
    bound of docs/security.md throughout (the daemon's own delay, as in
    test_overload.py)."""
    with Daemon(index) as d:
        pinger = Pinger(d)
        reads0 = read_syscalls(d.proc.pid)
        socks = [connect(d.addr) for _ in range(16)]
        batch = b"STATS\n" * 64
        try:
            end = time.monotonic() + 4
            answered = 0
            while time.monotonic() < end:
                for s in socks:
                    s.sendall(batch)
                got, _ = pump(socks, 30,
                              lambda data, how: data.count(b"\n") >= 64 or how != "open")
                for s in socks:
                    assert got[s][0].count(b"\n") == 64, "a STATS flood reply went missing"
                    answered += 64
                for s in socks:
                    s.setblocking(True)
            assert answered >= 16 * 64
            reads = read_syscalls(d.proc.pid) - reads0
        finally:
            close_all(socks)
        print("STATS flood: %d STATS, %d read system calls of the daemon" % (answered, reads))
        # about one socket read per batch of 64, and worker 0's reopen
        # every 200 ms: far fewer than one per STATS
        assert reads < answered / 8, (reads, answered)
        check_pings("STATS flood (%d STATS)" % answered, pinger)
        st = alive(d)
        assert st["docs"] > 0 and st["revision"] > 0


def test_stats_follows_a_commit_by_another_process(tmp_path):
    """STATS no longer reopens on the loop, so the figures come from the
    workers: a commit by zhengce-indexer shows within a second on an idle
    daemon."""
    idx = tmp_path / "idx"
    docs = tmp_path / "a.jsonl"
    docs.write_text(json.dumps({"id": "s1", "lang": "en", "title": "one"}) + "\n")
    subprocess.run([str(INDEXER), "--index", str(idx), "--quiet", str(docs)], check=True)
    with Daemon(idx) as d:
        assert d.request("STATS")["docs"] == 1
        docs.write_text(json.dumps({"id": "s2", "lang": "en", "title": "two"}) + "\n")
        subprocess.run([str(INDEXER), "--index", str(idx), "--quiet", str(docs)], check=True)
        deadline = time.monotonic() + 10
        while d.request("STATS")["docs"] != 2:
            assert time.monotonic() < deadline, "STATS never saw the commit"
            time.sleep(0.05)


# -- 4. memory held by clients ----------------------------------------------------

PARTIAL_CLIENTS = 300
RSS_BACK_KIB = 48 * 1024       # above the start value once every client has gone


@pytest.mark.overload
def test_partial_lines_bounded_and_memory_given_back(index):
    """Before: 300 clients each holding a 1 MiB-1 partial line added 303 MiB
    that stayed after they closed.  Now all clients together are held to
    --max-client-memory (the largest holders are told `busy` and closed) and
    the memory is given back when they go."""
    budget_mib = 64
    with Daemon(index, "--max-client-memory", "%dm" % budget_mib) as d:
        alive(d)
        rss0 = d.rss_kib()
        chunk = b"x" * (1024 * 1024 - 1)
        socks = []
        try:
            for _ in range(PARTIAL_CLIENTS):
                s = connect(d.addr)
                s.setblocking(False)
                sent = 0
                end = time.monotonic() + 30
                while sent < len(chunk) and time.monotonic() < end:
                    try:
                        sent += s.send(chunk[sent:])
                    except BlockingIOError:
                        time.sleep(0.001)
                    except (BrokenPipeError, ConnectionResetError):
                        break
                socks.append(s)
            # every line is in the daemon (held or evicted) once the
            # evictions add up; the held ones never pass the budget
            peak = 0
            deadline = time.monotonic() + 30
            while True:
                peak = max(peak, d.rss_kib())
                st = alive(d)
                assert st["client_memory"] <= st["client_memory_max"], st
                if st["evicted"] >= PARTIAL_CLIENTS - budget_mib:
                    break
                assert time.monotonic() < deadline, st
                time.sleep(0.2)
            # the evicted ones were told why before the close
            got = read_all(socks[:20], 10)
            told = [b for b, _ in got.values() if b]
            assert told and all(b'"busy"' in b for b in told)
        finally:
            close_all(socks)
        deadline = time.monotonic() + 20
        while alive(d)["connections"] > 1:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        time.sleep(0.3)
        rss1 = d.rss_kib()
        print("RSS start %d KiB, with %d partial lines %d KiB, after %d KiB" %
              (rss0, PARTIAL_CLIENTS, peak, rss1))
        if not SANITIZED:
            assert peak - rss0 < (budget_mib + 48) * 1024, (rss0, peak)
            assert rss1 - rss0 < RSS_BACK_KIB, (rss0, peak, rss1)


@pytest.mark.overload
def test_non_reader_of_a_large_document_is_closed(tmp_path):
    """Before: 8 clients each asking for a 60 MB document and never reading
    pinned 458 MiB until the idle timeout (300 s).  Now the shared budget
    closes the largest holders, and --send-timeout closes a client that
    takes none of its reply."""
    idx = tmp_path / "idx"
    body = "大型文件正文。" * (4 * 1024 * 1024 // 21)          # ~4 MB of text
    docs = tmp_path / "big.jsonl"
    docs.write_text(json.dumps({"id": "big", "lang": "zh", "title": "大", "body": body},
                               ensure_ascii=False) + "\n")
    subprocess.run([str(INDEXER), "--index", str(idx), "--quiet", str(docs)], check=True)
    with Daemon(idx, "--max-client-memory", "12m", "--send-timeout", "2") as d:
        socks = []
        try:
            for _ in range(8):
                s = connect(d.addr)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                s.sendall(b"GET big\n")
                socks.append(s)
            deadline = time.monotonic() + 30
            while True:
                st = alive(d)
                if st["connections"] == 1:
                    break
                assert st["client_memory"] <= st["client_memory_max"] + 5 * 1024 * 1024, st
                assert time.monotonic() < deadline, st
                time.sleep(0.2)
            assert st["evicted"] >= 1
            log = d.log_text()
            assert "why=send_timeout" in log or "why=client_memory" in log
        finally:
            close_all(socks)
        # a client that reads gets the whole document
        with d.conn(timeout=60) as c:
            r = c.request("GET big")
            assert r["ok"] is True and len(r["doc"]["body"]) == len(body)


# -- 5. AUTH -------------------------------------------------------------------------

@pytest.mark.overload
def test_wrong_auth_flood_ends_in_close(index, tmp_path):
    """Before: one connection tried 81,557 wrong tokens a second, each
    logged.  Now each failure's reply is held back longer than the one
    before, and the 10th closes the connection: of 10,000 pipelined AUTHs,
    exactly 10 are answered.  The log holds a few lines, not 10,000."""
    tok = tmp_path / "token"
    tok.write_text("right-token\n")
    with Daemon(index, "--writable", "--token-file", tok) as d:
        s = connect(d.addr)
        try:
            s.sendall(b"AUTH wrong\n" * 10000)
        except (BrokenPipeError, ConnectionResetError):
            pass
        t0 = time.monotonic()
        replies, ended = read_replies(s, 11, deadline_s=60)
        took = time.monotonic() - t0
        s.close()
        assert ended, "the connection stayed open after %d replies" % len(replies)
        assert len(replies) == 10, replies
        assert all(err_code(r) == "forbidden" for r in replies)
        assert "too many tries" in replies[-1]["error"]["message"]
        # held back: 0.1+0.2+...+5 s in all (order of events, not speed: the
        # delays are the daemon's own timers, a lower bound)
        assert took >= 10, took
        logged = d.log_text().count("auth_failed")
        assert 1 <= logged <= 40, logged
        with d.conn() as c:                     # others are not locked out
            assert c.request("AUTH right-token")["ok"] is True
        st = alive(d)
        assert st["auth_failures"] == 10


# -- 6. ids the protocol cannot address ------------------------------------------

def test_ids_with_edge_spaces_are_refused(index, tmp_path):
    """Before: ADD accepted " x"; GET and DEL could never reach it (the
    framer skips the spaces after the verb)."""
    idx = tmp_path / "idx"
    with Daemon(idx, "--writable") as d, d.conn() as c:
        for bad in (" lead", "trail ", "   ", "\u3000ideo"):
            r = c.request("ADD " + json.dumps({"id": bad, "lang": "en", "title": "t"}))
            assert err_code(r) == "bad_request", (bad, r)
            assert "space" in r["error"]["message"]
        assert c.request("ADD " + json.dumps({"id": "in side", "lang": "en",
                                              "title": "t"}))["ok"] is True
        assert c.request("COMMIT")["ok"] is True
        assert c.request("GET in side")["doc"]["id"] == "in side"
    docs = tmp_path / "d.jsonl"
    docs.write_text(json.dumps({"id": " x", "lang": "en", "title": "t"}) + "\n" +
                    json.dumps({"id": "y", "lang": "en", "title": "t"}) + "\n")
    r = subprocess.run([str(INDEXER), "--index", str(tmp_path / "i2"), str(docs)],
                       stderr=subprocess.PIPE, text=True)
    assert r.returncode == 1
    assert ":1: error:" in r.stderr and "space" in r.stderr


# -- 7. offsets past 2^32 ---------------------------------------------------------

def test_offset_near_2_32_is_an_empty_page(index):
    with Daemon(index) as d, d.conn() as c:
        for off in (2**32 - 1, 2**32 - 1000, 2**32 - 1001):
            r = c.request("SEARCH " + json.dumps({"q": TOKEN, "offset": off, "limit": 1000}))
            assert r["ok"] is True and r["hits"] == [] and r["total"] == 8, r
        r = c.request("SEARCH " + json.dumps({"q": TOKEN, "offset": 2**32, "limit": 1}))
        assert err_code(r) == "bad_request"
