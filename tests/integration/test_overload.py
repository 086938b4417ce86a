"""test_overload.py — zhengce-searchd under overload and hostile clients
(issue 5, item 4), on loopback, bounded in count and time.

Each test starts its own daemon on the test index and, before any hostile
client connects, a *pinger* (zcproto.Pinger): a separate process (so the
hostile clients' Python work and the GIL never delay it) holding one
well-behaved connection that sends PING every 10 ms and times each round
trip.  The test then asserts (zcproto.check_pings) that no ping failed and
that the daemon's own delay stays under PING_BOUND_MS = 50 ms for 99 pings
in 100 and under PING_CEILING_MS = 200 ms for every one: issue 5's bound on starvation, kept as a documented requirement
(docs/security.md, "PING under load", which also says when a shared,
loaded machine makes it reported instead of asserted: never silently, the
session ends with a summary of every check).  The distribution (count,
p50, p99, max) of every test is printed and appended to
ZC_BUILD/test-logs/overload-latency.txt.

What each test does, and the bound it asserts:

* 2 000 concurrent connections against --max-connections 1000: the first
  ones (the pinger included) are served, every other one gets exactly one
  `busy` line and EOF; all accepted connections then answer PING.
* slowloris: 100 clients each send one byte a second of a line that never
  ends; the idle timeout (which counts only complete requests as activity)
  drops each, while they still trickle, never before --idle-timeout after
  its connect, and while a client sending a request every 0.5 s over the
  same span stays served (it is never dropped).
* pipelining 100 000 requests without reading: 8 clients each push up to
  100 000 SEARCH/GET/PING lines and never read.  The daemon's RSS
  (/proc/PID/status VmRSS) is sampled before, during and after; it must
  stay under RSS_GROWTH_MAX_KIB above the start while they push, and come
  back within RSS_AFTER_MAX_KIB of the start once they are gone.
* a flood of oversized lines (--max-line 4k): 300 clients each send 64 KiB
  without a newline; each gets one `line_too_long` reply and EOF.
* random binary junk (seeded): 200 clients each send 32 KiB of random
  bytes then half-close; every reply is one valid protocol error/reply
  line, and the connection ends with EOF.
* half-closed sockets: clients that send requests and half-close get every
  reply then EOF; clients that half-close at once, or in the middle of a
  line, get EOF and no reply; 300 of each at once.

Each test ends by checking that the daemon still answers and exits 0 on
SIGTERM (zcproto.Daemon).  Against an ASan build (make asan) the latency
and RSS bounds are printed but not asserted (see SANITIZED); make test's
ASan stage leaves this file to the plain stage.  The test process raises
its own RLIMIT_NOFILE (soft up to the hard limit) for the 2 000 sockets
(the enough_fds fixture).
"""

import os
import random
import socket
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from zcproto import (BUILD, SANITIZED, SEARCHD, TOKEN, Daemon, Pinger, alive,  # noqa: E402
                     check_pings, close_all, connect, err_code, parse_reply, pump, read_all)

pytestmark = [pytest.mark.skipif(not SEARCHD.exists(), reason="zhengce-searchd not built"),
              pytest.mark.overload, pytest.mark.usefixtures("enough_fds")]

RSS_GROWTH_MAX_KIB = 64 * 1024   # while 8 clients pipeline and never read
RSS_AFTER_MAX_KIB = 32 * 1024    # once they are gone, above the start value:
# measured +1.7 MiB early on, +17..20 MiB on 2026-11-28 17:12 UTC after the
# search path got faster and the daemon takes up to its per-connection
# bounds (1 MiB output pause, 1024 queued requests) from all 8 clients; the
# freed memory stays with glibc's per-thread arenas (no leak: valgrind and
# ASan report none).  Giving it back (malloc_trim) is left to do.


def wait_drained(d, keep=2, timeout=20):
    """Waits until the daemon holds no connection but the pinger's and the
    one asking, so a round starts from the same place as the one before
    (a daemon lagging on a loaded machine would otherwise reach
    --max-connections and answer busy, correctly)."""
    deadline = time.monotonic() + timeout
    while alive(d)["connections"] > keep:
        assert time.monotonic() < deadline, "connections not closed: %r" % alive(d)
        time.sleep(0.05)


# -- 2 000 connections ------------------------------------------------------------

def test_2000_connections_above_max_connections_get_busy(index):
    n, maxc = 2000, 1000
    with Daemon(index, "--max-connections", str(maxc)) as d:
        p = Pinger(d)              # holds one of the 1000
        socks = []
        try:
            for _ in range(n):
                socks.append(connect(d.addr))
            # every socket is open on our side; now ask each one for PING
            # (a busy one was already answered and closed: the send may
            # fail or be reset, which is fine)
            for s in socks:
                try:
                    s.sendall(b"PING\n")
                except OSError:
                    pass
            got = read_all_until_reply(socks, 60)
            busy = served = 0
            for s in socks:
                data, how = got[s]
                lines = [ln for ln in data.split(b"\n") if ln]
                assert lines, "no reply at all (%s)" % how
                first = parse_reply(lines[0])
                if first["ok"]:
                    assert first["pong"] is True
                    served += 1
                else:
                    assert err_code(first) == "busy"
                    assert len(lines) == 1 and how in ("eof", "reset"), (lines, how)
                    busy += 1
            assert served + busy == n
            assert served == maxc - 1, (served, busy)       # the pinger has one
            assert busy == n - served
            # the served ones stay open and keep the loop busy: rounds of
            # PING and SEARCH on all of them at once, for about 2 s
            live = [s for s in socks if got[s][1] == "open"]
            t0 = time.monotonic()
            rounds = 0
            while time.monotonic() - t0 < 2.0 or rounds < 3:
                # one request per connection per round, PING or SEARCH
                # by turns: a burst of 999 at once
                for k, s in enumerate(live):
                    s.sendall(b"PING\n" if (k + rounds) % 2 else
                              b"SEARCH " + TOKEN.encode() + b"\n")
                got2 = read_lines(live, 1, 60)
                for s in live:
                    assert parse_reply(got2[s][0])["ok"] is True
                rounds += 1
        finally:
            close_all(socks)
        check_pings("2000 connections", p)
        st = alive(d)
        assert st["busy"] >= n - maxc + 1


def read_all_until_reply(socks, deadline_s):
    """For the 2 000-connection test: a served socket never reaches EOF,
    so stop reading one once it holds a complete line (a busy reply: read
    on to its EOF)."""
    got, left = pump(socks, deadline_s,
                     lambda data, how: b"\n" in data and b'"busy"' not in data)
    assert left == 0, "%d sockets without a reply after %ss" % (left, deadline_s)
    return got


def read_lines(socks, k, deadline_s):
    """Reads k reply lines from each (non-blocking) socket."""
    def finished(data, how):
        assert how == "open", "closed by the daemon"
        return data.count(b"\n") >= k
    got, left = pump(socks, deadline_s, finished)
    assert left == 0, "%d sockets without %d replies after %ss" % (left, k, deadline_s)
    return {s: got[s][0].split(b"\n")[:k] for s in socks}


# -- slowloris --------------------------------------------------------------------

def test_slowloris_partial_line_bytes_do_not_reset_idle_timeout(index):
    # Order of events, not speed: each slowloris client is closed while it
    # still trickles bytes (a byte a second, more often than the idle
    # timeout), so partial-line bytes did not count as activity; none is
    # closed before --idle-timeout has passed since its connect (the
    # daemon's own timer: a load can only make the close later); the
    # well-behaved client, sending a request every 0.5 s all along, is
    # served before, during and after every close: it is never dropped.
    # HANG_S only stops a hung test.
    idle = 2.0
    n = 100
    hang_s = 30
    with Daemon(index, "--idle-timeout", str(idle)) as d:
        p = Pinger(d)
        slow, connected_at = [], {}
        for _ in range(n):
            t = time.monotonic()
            s = connect(d.addr)
            slow.append(s)
            connected_at[s] = t
        good = d.conn()
        payload = b"SEARCH " + b"a" * 1000       # never ends with a newline
        t0 = time.monotonic()
        closed_at = {}                             # seconds after its connect
        good_replies = 0
        i = 0
        next_good = t0

        def closed(s):
            closed_at[s] = time.monotonic() - connected_at[s]
        # a byte a second until every slowloris client is closed
        while len(closed_at) < n:
            assert time.monotonic() - t0 < hang_s, (
                "%d slowloris clients still open after %d s: partial-line bytes "
                "reset the idle timeout?" % (n - len(closed_at), hang_s))
            for s in slow:
                if s in closed_at:
                    continue
                try:
                    s.send(payload[i:i + 1])
                except OSError:
                    closed(s)
            # has the daemon closed some? (a FIN: recv returns b"")
            for s in slow:
                if s in closed_at:
                    continue
                s.setblocking(False)
                try:
                    if s.recv(1) == b"":
                        closed(s)
                except BlockingIOError:
                    pass
                except OSError:
                    closed(s)
                s.setblocking(True)
            i += 1
            # the well-behaved client, a request every 0.5 s meanwhile
            end = time.monotonic() + 1.0
            while time.monotonic() < end:
                if time.monotonic() >= next_good:
                    assert good.request("SEARCH " + TOKEN)["ok"] is True
                    good_replies += 1
                    next_good += 0.5
                time.sleep(0.05)
        close_all(slow)
        assert i < len(payload)                   # closed while still trickling
        # (the daemon allows itself 1 ms of clock rounding)
        early = sorted(t for t in closed_at.values() if t < idle - 0.01)
        assert not early, "closed before the idle timeout (%.0f s): %r" % (idle, early[:5])
        assert good.request("PING")["pong"] is True   # after every close: never dropped
        assert good_replies >= 4
        good.close()
        check_pings("slowloris", p)
        alive(d)


# -- pipelining without reading ---------------------------------------------------

def test_pipeline_100000_requests_never_read_memory_bounded(index):
    clients, per_client = 8, 100_000
    with Daemon(index, "--idle-timeout", "30") as d:
        # warm up: every worker has run queries (each loads its own
        # analyzer, dictionaries included) and the caches are filled;
        # 8 connections pipelining at once keep every worker busy
        reqs = [b"SEARCH " + TOKEN.encode() + b"\n", b"GET t1\n", b"PING\n",
                b'SEARCH {"q":"' + TOKEN.encode() + b'","limit":100,"facets":["year"]}\n']
        warm = [d.conn() for _ in range(8)]
        for c in warm:
            c.send(b"".join(reqs) * 50)
        for c in warm:
            for _ in range(4 * 50):
                assert c.reply()["ok"] is True
            c.close()
        p = Pinger(d)
        rss0 = d.rss_kib()
        blob = b"".join(reqs[k % len(reqs)] for k in range(per_client))
        socks = [connect(d.addr) for _ in range(clients)]
        sent = [0] * clients
        peak = rss0
        t0 = time.monotonic()
        # push for at most 8 s: the daemon stops reading each of them at
        # its pipeline/output bound, so their sends stall
        while time.monotonic() - t0 < 8 and min(sent) < len(blob):
            for k, s in enumerate(socks):
                if sent[k] >= len(blob):
                    continue
                s.setblocking(False)
                try:
                    sent[k] += s.send(blob[sent[k]:sent[k] + 65536])
                except (BlockingIOError, InterruptedError):
                    pass
            peak = max(peak, d.rss_kib())
            time.sleep(0.01)
        for _ in range(20):                       # settled, still connected
            peak = max(peak, d.rss_kib())
            time.sleep(0.05)
        during = d.rss_kib()
        st = alive(d)
        close_all(socks)
        # the daemon frees them on the reset/EOF; give it a moment
        time.sleep(1.0)
        after = d.rss_kib()
        for _ in range(20):
            if after - rss0 < RSS_AFTER_MAX_KIB:
                break
            time.sleep(0.25)
            after = d.rss_kib()
        msg = ("RSS start %d KiB, peak %d KiB (+%d), during %d KiB, after %d KiB (+%d); "
               "bytes sent per client %s of %d" %
               (rss0, peak, peak - rss0, during, after, after - rss0, sent, len(blob)))
        print(msg)
        with open(BUILD / "test-logs" / "overload-latency.txt", "a") as f:
            f.write(time.strftime("%Y-%m-%dT%H:%M:%S ") + "pipeline: " + msg + "\n")
        if not SANITIZED:
            assert peak - rss0 < RSS_GROWTH_MAX_KIB, msg
            assert after - rss0 < RSS_AFTER_MAX_KIB, msg
        assert st["connections"] >= clients + 1     # they were held, not dropped
        check_pings("pipeline 100000 x 8", p)
        alive(d)


# -- oversized lines --------------------------------------------------------------

def test_flood_of_oversized_lines(index):
    n = 300                          # clients per round; rounds for >= 2 s
    with Daemon(index, "--max-line", "4k") as d:
        p = Pinger(d)
        rss0 = d.rss_kib()
        junk = b"SEARCH " + b"x" * (64 * 1024)
        t0 = time.monotonic()
        rounds = 0
        while rounds < 1 or time.monotonic() - t0 < 2.0:
            socks = []
            try:
                for _ in range(n):
                    s = connect(d.addr)
                    try:
                        s.sendall(junk)
                    except OSError:
                        pass
                    socks.append(s)
                got = read_all(socks, 60)
                for s in socks:
                    data, how = got[s]
                    lines = [ln for ln in data.split(b"\n") if ln]
                    assert len(lines) == 1, (lines[:3], how)
                    assert err_code(parse_reply(lines[0])) == "line_too_long"
                    assert how in ("eof", "reset"), how
            finally:
                close_all(socks)
            rounds += 1
            wait_drained(d)
        grew = d.rss_kib() - rss0
        check_pings("oversized lines (%d x %d clients)" % (rounds, n), p)
        assert SANITIZED or grew < RSS_GROWTH_MAX_KIB, grew
        alive(d)


# -- binary junk ------------------------------------------------------------------

def test_random_binary_junk_many_clients(index):
    n = 200
    rng = random.Random(int(os.environ.get("ZC_OVERLOAD_SEED", "5")))
    with Daemon(index, "--max-line", "16k") as d:
        p = Pinger(d)
        socks = []
        try:
            for _ in range(n):
                s = connect(d.addr)
                junk = bytes(rng.getrandbits(8) for _ in range(32 * 1024))
                try:
                    s.sendall(junk)
                    s.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                socks.append(s)
            got = read_all(socks, 60, limit=16 << 20)
            replies = 0
            for s in socks:
                data, how = got[s]
                assert how in ("eof", "reset"), how
                for ln in data.split(b"\n"):
                    if ln:
                        parse_reply(ln)        # valid protocol JSON, or it raises
                        replies += 1
            assert replies > n                # most junk lines were answered
        finally:
            close_all(socks)
        check_pings("binary junk", p)
        alive(d)


# -- half-closed sockets ----------------------------------------------------------

def test_half_closed_sockets(index):
    n = 300                          # of each kind per round; rounds for >= 2 s
    with Daemon(index) as d:
        p = Pinger(d)
        t0 = time.monotonic()
        rounds = 0
        while rounds < 1 or time.monotonic() - t0 < 2.0:
            half_closed_round(d, n)
            rounds += 1
            wait_drained(d)
        check_pings("half-closed (%d rounds)" % rounds, p)
        wait_drained(d, keep=1)          # every half-closed one is gone


def half_closed_round(d, n):
    full, empty, partial = [], [], []
    try:
        for _ in range(n):
            s = connect(d.addr)
            s.sendall(b"PING\nSEARCH " + TOKEN.encode() + b"\nGET t1\n")
            s.shutdown(socket.SHUT_WR)
            full.append(s)
            s = connect(d.addr)
            s.shutdown(socket.SHUT_WR)
            empty.append(s)
            s = connect(d.addr)
            s.sendall(b"PING\nSEARCH zzq")       # the rest never comes
            s.shutdown(socket.SHUT_WR)
            partial.append(s)
        got = read_all(full + empty + partial, 60)
        for s in full:
            data, how = got[s]
            lines = data.split(b"\n")
            assert lines[-1] == b"" and len(lines) == 4, (data[:300], how)
            r = [parse_reply(ln) for ln in lines[:3]]
            assert r[0]["pong"] is True and r[1]["ok"] and r[2]["doc"]["id"] == "t1"
            assert how == "eof"
        for s in empty:
            assert got[s] == (b"", "eof"), got[s]
        for s in partial:
            data, how = got[s]
            lines = data.split(b"\n")
            assert len(lines) == 2 and parse_reply(lines[0])["pong"] is True
            assert lines[1] == b"" and how == "eof"
    finally:
        close_all(full + empty + partial)
