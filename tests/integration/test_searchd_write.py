"""test_searchd_write.py — zhengce-searchd's write path and live index:
ADD/DEL/COMMIT in --writable mode, the commit interval, durability across
kill -9, the commit at SIGTERM, AUTH with --token-file, and documents
committed by zhengce-indexer (another process) becoming searchable without
a restart.  Timing promises are checked as orders of events (see
test_commit_interval and test_indexer_commits_visible_to_the_next_query).

Each test starts its own daemon on its own index in a temporary directory.
"""

import functools
import json
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from zcproto import (CLI, INDEXER, REPO, SEARCHD, Daemon, err_code,  # noqa: E402
                     run_indexer, write_jsonl)
import zcproto  # noqa: E402

pytestmark = pytest.mark.skipif(not SEARCHD.exists(), reason="zhengce-searchd not built")

doc = functools.partial(zcproto.doc, prefix="w", lang="en")   # w1, w2, ... holding wqtoken


def add_line(d):
    return "ADD " + json.dumps(d, ensure_ascii=False)


def test_add_commit_then_search_and_get(tmp_path):
    with Daemon(tmp_path / "ix", "--writable", "--commit-interval", "60") as d:
        with d.conn() as c:
            d1 = doc(1, tags=["a", "b"], custom={"x": 1})
            assert c.request(add_line(d1)) == {"ok": True, "id": "w1"}
            # SEARCH and GET see committed documents only
            assert c.request("SEARCH wqtoken")["total"] == 0
            assert err_code(c.request("GET w1")) == "not_found"
            assert c.request("COMMIT") == {"ok": True, "docs": 1}
            r = c.request("SEARCH wqtoken")
            assert [h["id"] for h in r["hits"]] == ["w1"]
            assert c.request("GET w1")["doc"] == d1
            assert c.request("STATS")["docs"] == 1
        # another connection sees it too
        assert d.request("GET w1")["doc"]["title"] == "Written document 1"


def test_pipelined_add_commit_search(tmp_path):
    with Daemon(tmp_path / "ix", "--writable", "--commit-interval", "60") as d:
        with d.conn() as c:
            lines = [add_line(doc(i)) for i in range(1, 21)]
            lines += ["COMMIT", "SEARCH " + json.dumps({"q": "wqtoken", "limit": 100}),
                      "GET w7", "STATS"]
            c.send(("\n".join(lines) + "\n").encode())
            for i in range(1, 21):
                assert c.reply() == {"ok": True, "id": "w%d" % i}
            assert c.reply() == {"ok": True, "docs": 20}
            assert c.reply()["total"] == 20       # the search waited for the commit
            assert c.reply()["doc"]["id"] == "w7"
            assert c.reply()["docs"] == 20


def test_del_counts_pending_changes(tmp_path):
    with Daemon(tmp_path / "ix", "--writable", "--commit-interval", "60") as d:
        with d.conn() as c:
            assert c.request(add_line(doc(1)))["ok"]
            assert c.request("COMMIT")["docs"] == 1
            assert c.request("DEL w1") == {"ok": True, "id": "w1", "deleted": True}
            assert c.request("DEL w1") == {"ok": True, "id": "w1", "deleted": False}
            assert c.request(add_line(doc(2)))["ok"]            # uncommitted
            assert c.request("DEL w2")["deleted"] is True      # counted anyway
            assert c.request("DEL never-there")["deleted"] is False
            assert c.request("GET w1")["ok"] is True           # DEL not committed yet
            assert c.request("COMMIT")["docs"] == 0
            assert err_code(c.request("GET w1")) == "not_found"


def test_add_replaces_by_id(tmp_path):
    with Daemon(tmp_path / "ix", "--writable") as d:
        with d.conn() as c:
            assert c.request(add_line(doc(1, title="First title")))["ok"]
            assert c.request("COMMIT")["docs"] == 1
            assert c.request(add_line(doc(1, title="Second title")))["ok"]
            assert c.request("COMMIT")["docs"] == 1
            assert c.request("GET w1")["doc"]["title"] == "Second title"


@pytest.mark.parametrize("bad,field", [
    ({"id": "x", "body": "no title"}, "title"),
    ({"title": "no id"}, "id"),
    ({"id": "", "title": "empty id"}, "id"),
    ({"id": "a\u0001b", "title": "control character"}, "id"),
    ({"id": "x", "title": "t", "lang": "fr"}, "lang"),
    ({"id": "x", "title": "t", "date": "2020-02-30"}, "date"),
    ({"id": "x", "title": "t", "tags": "not-an-array"}, "tags"),
    ({"id": "x" * 257, "title": "id too long"}, "id"),
])
def test_add_invalid_document(tmp_path, bad, field):
    with Daemon(tmp_path / "ix", "--writable") as d:
        with d.conn() as c:
            r = c.request("ADD " + json.dumps(bad))
            assert err_code(r) == "bad_request"
            assert field in r["error"]["message"], r
            for junk in ("ADD {not json", "ADD [1,2]", "ADD \"str\""):
                assert err_code(c.request(junk)) == "bad_request"
            assert c.request("COMMIT")["docs"] == 0              # index unchanged


def test_commit_interval(tmp_path):
    # Order of events, not speed: a pending ADD becomes visible with no
    # COMMIT sent, through a commit the daemon logs as the interval's, while
    # a daemon given the same ADD at the same time with a one-hour interval
    # still has it pending.  (The 30 s deadline only stops a hung test.)
    with Daemon(tmp_path / "ix", "--writable", "--commit-interval", "0.3", "--verbose") as d, \
            Daemon(tmp_path / "ix2", "--writable", "--commit-interval", "3600",
                   "--verbose") as late:
        with d.conn() as c, late.conn() as lc:
            assert c.request(add_line(doc(5)))["ok"]
            assert lc.request(add_line(doc(5)))["ok"]
            deadline = time.monotonic() + 30
            while c.request("GET w5")["ok"] is not True:
                assert time.monotonic() < deadline, "not committed by the interval"
                time.sleep(0.05)
            assert err_code(lc.request("GET w5")) == "not_found"
            assert c.request("SEARCH wqtoken")["total"] == 1
        commits = re.findall(r" commit why=(\S+)", d.log_text())
        assert commits and set(commits) == {"interval"}, commits
        assert " commit why=" not in late.log_text()


@pytest.mark.crash
def test_acknowledged_commit_survives_kill_9(tmp_path):
    ix = tmp_path / "ix"
    d = Daemon(ix, "--writable", "--commit-interval", "3600").start()
    try:
        with d.conn() as c:
            for i in range(1, 11):
                assert c.request(add_line(doc(i)))["ok"]
            assert c.request("COMMIT")["docs"] == 10
            assert c.request(add_line(doc(99)))["ok"]            # never committed
        d.kill()                                                  # SIGKILL
        assert d.proc.returncode == -signal.SIGKILL
    finally:
        d.kill()
    with Daemon(ix, "--writable") as d2:                          # the lock is free again
        with d2.conn() as c:
            for i in range(1, 11):
                assert c.request("GET w%d" % i)["ok"] is True
            assert c.request("SEARCH " + json.dumps({"q": "wqtoken", "limit": 50}))["total"] >= 10


def test_sigterm_commits_pending_adds(tmp_path):
    ix = tmp_path / "ix"
    d = Daemon(ix, "--writable", "--commit-interval", "3600").start()
    try:
        with d.conn() as c:
            for i in range(1, 6):
                assert c.request(add_line(doc(i)))["ok"]
            assert c.request("DEL w3")["deleted"] is True
        assert d.stop(signal.SIGTERM) == 0
    finally:
        d.kill()
    with Daemon(ix) as d2:                                        # read-only
        with d2.conn() as c:
            assert c.request("STATS")["docs"] == 4
            assert c.request("GET w5")["ok"] is True
            assert err_code(c.request("GET w3")) == "not_found"


def test_concurrent_writers(tmp_path):
    with Daemon(tmp_path / "ix", "--writable", "--commit-interval", "60") as d:
        errors = []

        def writer(k):
            try:
                with d.conn() as c:
                    lines = [add_line(doc("%d-%d" % (k, i))) for i in range(50)]
                    c.send(("\n".join(lines) + "\n").encode())
                    for _ in lines:
                        assert c.reply()["ok"] is True
                    assert c.request("COMMIT")["ok"] is True
            except Exception as e:        # noqa: BLE001
                errors.append(repr(e))

        ts = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(120)
        assert errors == []
        assert d.request("COMMIT")["docs"] == 200


def test_auth_with_token_file(tmp_path):
    tok = tmp_path / "token"
    tok.write_text("s3cret-token\n")
    with Daemon(tmp_path / "ix", "--writable", "--token-file", tok) as d:
        with d.conn() as c:
            assert err_code(c.request(add_line(doc(1)))) == "forbidden"
            assert err_code(c.request("ADD {not json")) == "forbidden"   # before validation
            assert err_code(c.request("DEL w1")) == "forbidden"
            assert err_code(c.request("COMMIT")) == "forbidden"
            assert err_code(c.request("AUTH wrong")) == "forbidden"
            assert err_code(c.request("AUTH s3cret-token2")) == "forbidden"
            assert err_code(c.request("AUTH s3cret")) == "forbidden"
            assert err_code(c.request(add_line(doc(1)))) == "forbidden"
            assert c.request("SEARCH x")["ok"] is True                   # reads are open
            assert c.request("AUTH s3cret-token") == {"ok": True}
            assert c.request(add_line(doc(1)))["ok"] is True
            assert err_code(c.request("ADD {not json")) == "bad_request"
            assert c.request("COMMIT")["docs"] == 1
        with d.conn() as c:                                   # AUTH is per connection
            assert err_code(c.request("DEL w1")) == "forbidden"
        assert "s3cret" not in d.log_text()                   # never logged


def test_auth_without_token_and_read_only_order(index, tmp_path):
    with Daemon(tmp_path / "ix", "--writable") as d:
        assert d.request("AUTH anything") == {"ok": True}
    tok = tmp_path / "token"
    tok.write_text("tok")
    # read_only comes before forbidden
    with Daemon(index, "--token-file", tok) as d:
        with d.conn() as c:
            assert err_code(c.request(add_line(doc(1)))) == "read_only"
            assert c.request("AUTH tok") == {"ok": True}
            assert err_code(c.request("COMMIT")) == "read_only"


def reopen_check_s():
    """The workers' reopen check interval, ZC_SD_REOPEN_CHECK_MS of
    searchd/limits.h, in seconds; protocol.md's promise (1 s) if the
    constant cannot be found."""
    for h in sorted(REPO.glob("searchd/**/limits.h")):
        m = re.search(r"#define\s+ZC_SD_REOPEN_CHECK_MS\s+(\d+)", h.read_text())
        if m:
            return int(m.group(1)) / 1000.0
    return 1.0


@pytest.mark.skipif(not INDEXER.exists(), reason="zhengce-indexer not built")
def test_indexer_commits_visible_to_the_next_query(index, tmp_path):
    # protocol.md promises that a commit by another process is searchable
    # "within 1 s".  Measuring that with a clock fails whenever a loaded
    # machine delays the test or the daemon, so this checks the order of
    # events that makes the promise hold: a worker moves to the newest
    # revision before a query when its last check is one reopen interval
    # old (ZC_SD_REOPEN_CHECK_MS, 200 ms), so ANY query sent once that
    # interval has passed after the indexer's commit returned sees the
    # commit, at its first try, however loaded the machine (load only adds
    # time).  No polling, no upper bound on time.  The end-to-end latency
    # on an idle machine is a benchmark's business, not this test's.
    wait = reopen_check_s() + 0.05     # + clock granularity
    ix = tmp_path / "ix"
    shutil.copytree(index, ix)
    with Daemon(ix) as d:
        with d.conn() as c:
            assert c.request("SEARCH livetoken")["total"] == 0
            for round_ in range(3):
                f = tmp_path / ("live%d.jsonl" % round_)
                write_jsonl(f, [{"id": "live-%d" % round_, "lang": "en",
                                 "title": "Live document %d" % round_,
                                 "body": "livetoken round %d" % round_}])
                run_indexer(ix, "--quiet", f, check=0, timeout=120)   # committed on return
                time.sleep(wait)
                assert c.request("GET live-%d" % round_)["ok"] is True, "commit not seen"
                assert c.request("SEARCH livetoken")["total"] == round_ + 1
            run_indexer(ix, "--quiet", "--delete", "live-0", check=0, timeout=120)
            time.sleep(wait)
            assert err_code(c.request("GET live-0")) == "not_found", "delete not seen"
            assert c.request("SEARCH livetoken")["total"] == 2


@pytest.mark.skipif(not CLI.exists(), reason="zhengce not built")
def test_writable_daemon_creates_index_usable_by_cli(tmp_path):
    ix = tmp_path / "new-index"
    with Daemon(ix, "--writable") as d:
        assert d.request(add_line(doc(1)))["ok"]
        assert d.request("COMMIT")["docs"] == 1
    r = subprocess.run([str(CLI), "--index", str(ix), "get", "--json", "w1"],
                       stdout=subprocess.PIPE, timeout=60)
    assert r.returncode == 0
    assert json.loads(r.stdout)["doc"]["id"] == "w1"
