"""test_searchd_write.py — zhengce-searchd's write path and live index:
ADD/DEL/COMMIT in --writable mode, the commit interval, durability across
kill -9, the commit at SIGTERM, AUTH with --token-file, and documents
committed by zhengce-indexer (another process) becoming searchable within
1 s without a restart.

Each test starts its own daemon on its own index in a temporary directory.
"""

import json
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from zcproto import (CLI, INDEXER, SEARCHD, TOKEN, Daemon, build_index, err_code,  # noqa: E402
                     shared_index, write_jsonl)

pytestmark = pytest.mark.skipif(not SEARCHD.exists(), reason="zhengce-searchd not built")


def doc(i, **kw):
    d = {"id": "w%s" % i, "lang": "en", "title": "Written document %s" % i,
         "body": "Freshly written wqtoken text number %s." % i,
         "date": "2020-01-%02d" % (1 + sum(map(ord, str(i))) % 28)}
    d.update(kw)
    return d


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
    with Daemon(tmp_path / "ix", "--writable", "--commit-interval", "0.3") as d:
        with d.conn() as c:
            assert c.request(add_line(doc(5)))["ok"]
            t0 = time.monotonic()
            while c.request("GET w5")["ok"] is not True:
                assert time.monotonic() - t0 < 3, "not committed by the interval"
                time.sleep(0.05)
            assert c.request("SEARCH wqtoken")["total"] == 1


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


def test_auth_without_token_and_read_only_order(tmp_path):
    with Daemon(tmp_path / "ix", "--writable") as d:
        assert d.request("AUTH anything") == {"ok": True}
    tok = tmp_path / "token"
    tok.write_text("tok")
    # read_only comes before forbidden
    with Daemon(shared_index(), "--token-file", tok) as d:
        with d.conn() as c:
            assert err_code(c.request(add_line(doc(1)))) == "read_only"
            assert c.request("AUTH tok") == {"ok": True}
            assert err_code(c.request("COMMIT")) == "read_only"


def run_indexer(ix, *args):
    r = subprocess.run([str(INDEXER), "--index", str(ix), "--quiet"] + [str(a) for a in args],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    assert r.returncode == 0, r.stderr.decode(errors="replace")
    return r


@pytest.mark.skipif(not INDEXER.exists(), reason="zhengce-indexer not built")
def test_indexer_commits_visible_within_1s(tmp_path):
    ix = tmp_path / "ix"
    build_index(ix)
    with Daemon(ix) as d:
        with d.conn() as c:
            assert c.request("SEARCH livetoken")["total"] == 0
            for round_ in range(3):
                f = tmp_path / ("live%d.jsonl" % round_)
                write_jsonl(f, [{"id": "live-%d" % round_, "lang": "en",
                                 "title": "Live document %d" % round_,
                                 "body": "livetoken round %d" % round_}])
                run_indexer(ix, f)
                t0 = time.monotonic()
                while True:
                    r = c.request("GET live-%d" % round_)
                    if r["ok"]:
                        break
                    assert time.monotonic() - t0 < 1.0, "not visible within 1 s"
                    time.sleep(0.02)
                while c.request("SEARCH livetoken")["total"] != round_ + 1:
                    assert time.monotonic() - t0 < 1.0
                    time.sleep(0.02)
            run_indexer(ix, "--delete", "live-0")
            t0 = time.monotonic()
            while c.request("GET live-0")["ok"]:
                assert time.monotonic() - t0 < 1.0, "delete not visible within 1 s"
                time.sleep(0.02)
            assert c.request("STATS")["docs"] >= 2


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
