"""test_crash.py — crash safety of the writers (issue 5, item 3).

Owns: killing zhengce-indexer and the writable zhengce-searchd with SIGKILL
at seeded-random moments and checking that everything they reported as
committed survives (xapian-check accepts the index; the documents are
found), that a second writer on a locked index is refused without touching
it, and that a full disk gives a clear error and leaves the last committed
revision intact.

Every wait is bounded and every random choice comes from a seeded
random.Random, so a failure can be replayed.  The whole file is meant to run
in well under 90 s on a loaded 2-core machine.
"""

import concurrent.futures
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from zcproto import Daemon, Paths, doc, require  # noqa: E402

pytestmark = pytest.mark.crash

SEED = int(os.environ.get("ZC_CRASH_SEED", "20261128"))
XAPIAN_CHECK = shutil.which("xapian-check")
GEN = Paths.gen
PY = "/usr/bin/python3"
COMMITTED_RE = re.compile(r"committed batch (\d+) \((\d+) documents?\)")


def gen_corpus(path, seed, mb):
    subprocess.run([PY, str(GEN), "--seed", str(seed), "--mb", str(mb), "--out", str(path)],
                   check=True, timeout=120)
    with open(path, encoding="utf-8") as f:
        return [line for line in f if line.strip()]


def ids_of(lines):
    return [json.loads(l)["id"] for l in lines]


def xapian_check(index):
    if XAPIAN_CHECK is None:
        pytest.skip("xapian-check is not installed")
    p = subprocess.run([XAPIAN_CHECK, str(index)], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, f"xapian-check {index}: exit {p.returncode}\n{p.stdout[-3000:]}{p.stderr[-2000:]}"


def cli_get(index, doc_id):
    """True if `zhengce --index INDEX get --json ID` finds the document."""
    p = subprocess.run([str(Paths.cli), "--index", str(index), "get", "--json", doc_id],
                       capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        return False
    reply = json.loads(p.stdout.strip().splitlines()[-1])
    return reply.get("ok") is True and (reply.get("doc") or reply).get("id", doc_id) == doc_id


def cli_get_many(index, doc_ids):
    """The ids of `doc_ids` that `zhengce --index INDEX get` finds (one
    process per id, four at a time)."""
    doc_ids = list(doc_ids)
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        found = list(pool.map(lambda i: cli_get(index, i), doc_ids))
    return {i for i, ok in zip(doc_ids, found) if ok}


def index_docs(index):
    p = subprocess.run([str(Paths.cli), "--index", str(index), "stats", "--json"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


# -- (a) zhengce-indexer killed at 20 random moments --------------------------

def test_indexer_sigkill_20_times(tmp_path):
    require(Paths.indexer)
    require(Paths.cli)
    rng = random.Random(SEED)
    # ~2 MiB of the generator (~280 documents of 1-20 KB) in batches of 10:
    # about 28 commits, so the kills land before, between and during
    # commits.  (An 8 MiB run in batches of 200 takes > 40 s on a loaded
    # 2-core machine and would rarely be killed inside a commit.)
    lines = gen_corpus(tmp_path / "in.jsonl", seed=SEED % 1000, mb=2)
    all_ids = ids_of(lines)
    # The index lives in RAM (/dev/shm) when it can: a SIGKILL kills the
    # process, not the kernel, so the page cache survives and fsync adds
    # nothing to what is tested here -- but on a loaded disk each fsync (and
    # so each SIGKILL that lands inside one) can take seconds.
    shm = Path("/dev/shm")
    base = Path(tempfile.mkdtemp(prefix="zc-crash-", dir=shm)) if (
        shm.is_dir() and os.access(shm, os.W_OK)) else tmp_path
    try:
        _indexer_rounds(tmp_path, base / "ix", lines, all_ids, rng)
    finally:
        if base != tmp_path:
            shutil.rmtree(base, ignore_errors=True)


def _full_run_seconds(tmp_path, ix):
    """Wall time of one uninterrupted run over the whole input into a
    scratch index beside ix: the kills below are timed as fractions of it,
    so they land mid-run on a fast machine and on a loaded one alike."""
    scratch = ix.parent / (ix.name + "-timing")
    t0 = time.monotonic()
    subprocess.run([str(Paths.indexer), "--index", str(scratch), "--quiet", "--batch", "10",
                    str(tmp_path / "in.jsonl")], check=True, timeout=600)
    took = time.monotonic() - t0
    shutil.rmtree(scratch, ignore_errors=True)
    return took


def _indexer_rounds(tmp_path, ix, lines, all_ids, rng):
    n = len(lines)
    full_s = _full_run_seconds(tmp_path, ix)
    known = 0             # input lines 0..known-1 were reported committed
    pos = 0               # where the next round starts reading the input
    kills = 0
    for rnd in range(20):
        rest = tmp_path / "rest.jsonl"
        # resume after the last reported commit; once the whole input is in,
        # keep going from its start (re-adding replaces by id), so a fast
        # machine still sees 20 kills
        rest.write_text("".join(lines[pos:]), encoding="utf-8")
        proc = subprocess.Popen([str(Paths.indexer), "--index", str(ix), "--verbose",
                                 "--batch", "10", "--no-progress", str(rest)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        err = []
        reader = threading.Thread(target=lambda: err.append(proc.stderr.read()), daemon=True)
        reader.start()
        # somewhere in the run: before the first commit, between and
        # during commits (the run's length scales with what is left)
        time.sleep(max(0.01, rng.uniform(0.02, 0.9) * full_s * (n - pos) / n))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(60)
        reader.join(60)
        text = b"".join(err).decode("utf-8", "replace")
        committed = sum(int(m.group(2)) for m in COMMITTED_RE.finditer(text))
        if proc.returncode not in (-signal.SIGKILL, 0):
            pytest.fail(f"round {rnd}: indexer exit {proc.returncode}\n{text[-3000:]}")
        assert committed <= n - pos, f"round {rnd}: {committed} committed of {n - pos} given"
        if proc.returncode == 0:
            assert committed == n - pos, f"round {rnd}: finished but committed {committed}"
        pos += committed
        known = max(known, pos)
        # less than half the input left: start again from the top, so the
        # next round is long enough to be killed (an indexer that starts in
        # milliseconds finishes a short rest before the kill comes)
        if pos >= n or proc.returncode == 0 or n - pos < n // 2:
            pos = 0
        if not ix.exists():
            continue                         # killed before the index was created
        xapian_check(ix)
        if known:
            # the newest committed document and one random earlier one (each
            # `zhengce get` costs ~1 s on a loaded machine; the final check
            # below covers more)
            sample = sorted({known - 1, rng.randrange(known)})
            want = [all_ids[i] for i in sample]
            missing = [i for i in want if i not in cli_get_many(ix, want)]
            if missing:
                # say why: the CLI's own words for each missing id
                why = [subprocess.run([str(Paths.cli), "--index", str(ix), "get", "--json", i],
                                      capture_output=True, text=True, timeout=60)
                       for i in missing]
                pytest.fail(f"round {rnd}: {missing} were reported committed but are not "
                            f"in the index; committed lines 1..{known}; get said: "
                            + "; ".join(f"exit {w.returncode} {w.stdout[-300:]} {w.stderr[-300:]}"
                                        for w in why))
    assert kills >= 10, f"only {kills} of 20 rounds were killed mid-run; the run is too short"
    # a full re-run completes, and the index holds every unique id exactly once
    p = subprocess.run([str(Paths.indexer), "--index", str(ix), "--quiet", "--batch", "200",
                        str(tmp_path / "in.jsonl")], capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-3000:]
    xapian_check(ix)
    assert index_docs(ix)["docs"] == len(set(all_ids))
    want = {all_ids[rng.randrange(n)] for _ in range(6)} | {all_ids[0], all_ids[-1]}
    assert cli_get_many(ix, want) == want


# -- (b) the writable daemon killed during ADD/COMMIT traffic ------------------

def _doc(n):
    return doc(n, prefix="k", lang="en")


def _writer(d, start, acked, stop):
    """Sends ADD ... COMMIT batches until the connection dies; appends to
    `acked` the ids of every batch whose COMMIT reply said ok."""
    n = start
    try:
        with d.conn(timeout=20) as c:
            while not stop.is_set():
                batch = []
                for _ in range(5):
                    r = c.request("ADD " + json.dumps(_doc(n)))
                    if not r.get("ok"):
                        return
                    batch.append(f"k{n}")
                    n += 1
                r = c.request("COMMIT")
                if r.get("ok"):
                    acked.extend(batch)
    except Exception:       # noqa: BLE001 — the daemon was killed under us
        return


def test_writable_daemon_sigkill_keeps_acknowledged_commits(tmp_path):
    require(Paths.searchd)
    rng = random.Random(SEED + 1)
    ix = tmp_path / "ix"
    acked = []
    for rnd in range(5):
        d = Daemon(ix, "--writable", "--commit-interval", "3600").start()
        try:
            before = len(acked)
            stop = threading.Event()
            t = threading.Thread(target=_writer, args=(d, 100000 * (rnd + 1), acked, stop),
                                 daemon=True)
            t.start()
            deadline = time.monotonic() + 30
            while len(acked) == before and time.monotonic() < deadline:
                time.sleep(0.01)       # at least one COMMIT acknowledged this round
            time.sleep(rng.uniform(0.05, 0.5))
            d.kill()
            assert d.proc.returncode == -signal.SIGKILL
            stop.set()
            t.join(30)
        finally:
            d.kill()
        # a COMMIT reply can only have been read if the daemon sent it
        # before it died, so `acked` now holds only acknowledged documents
        assert len(acked) > before, f"round {rnd}: no COMMIT acknowledged in 30 s"
        xapian_check(ix)
        with Daemon(ix) as r:
            with r.conn() as c:
                for i in sorted({rng.randrange(len(acked)) for _ in range(40)}
                                | {0, before, len(acked) - 1}):
                    reply = c.request("GET " + acked[i])
                    assert reply.get("ok") is True, (
                        f"round {rnd}: acknowledged {acked[i]} lost: {reply}")
                assert c.request("STATS").get("docs", len(acked)) >= len(acked)


# -- (c) a second writer on a locked index -------------------------------------

def _small_input(tmp_path, n=30):
    lines = [json.dumps(_doc(i)) + "\n" for i in range(n)]
    p = tmp_path / "small.jsonl"
    p.write_text("".join(lines), encoding="utf-8")
    return p


def test_second_writer_on_index_locked_by_daemon(tmp_path):
    require(Paths.searchd)
    ix = tmp_path / "ix"
    subprocess.run([str(Paths.indexer), "--index", str(ix), "--quiet",
                    str(_small_input(tmp_path, 10))], check=True, timeout=120)
    before = index_docs(ix)
    with Daemon(ix, "--writable"):
        more = tmp_path / "more.jsonl"
        more.write_text(json.dumps(_doc(999)) + "\n", encoding="utf-8")
        p = subprocess.run([str(Paths.indexer), "--index", str(ix), str(more)],
                           capture_output=True, text=True, timeout=120)
        assert p.returncode == 2, p.stderr
        assert "lock" in p.stderr.lower(), p.stderr
        assert index_docs(ix) == before
    xapian_check(ix)
    assert index_docs(ix) == before
    assert not cli_get(ix, "k999")


def test_second_writer_on_index_locked_by_indexer(tmp_path):
    require(Paths.indexer)
    ix = tmp_path / "ix"
    big = tmp_path / "big.jsonl"
    gen_corpus(big, seed=5, mb=3)
    first = subprocess.Popen([str(Paths.indexer), "--index", str(ix), "--verbose",
                              "--batch", "10", "--no-progress", str(big)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        # wait for its first commit: the index exists and the lock is held
        line = first.stderr.readline().decode("utf-8", "replace")
        assert "committed batch" in line, line
        p = subprocess.run([str(Paths.indexer), "--index", str(ix),
                            str(_small_input(tmp_path, 3))],
                           capture_output=True, text=True, timeout=120)
        still_running = first.poll() is None
        assert p.returncode == 2, p.stderr
        assert "lock" in p.stderr.lower(), p.stderr
    finally:
        first.kill()
        first.wait(60)
    assert still_running, "the first indexer finished before the second one ran"
    xapian_check(ix)
    assert not cli_get(ix, "k0")          # nothing of the refused writer's input


# -- (d) disk full ---------------------------------------------------------------

def test_disk_full_keeps_last_commit(tmp_path):
    require(Paths.indexer)
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mnt)],
                       capture_output=True, text=True, timeout=30)
    if p.returncode != 0:
        pytest.skip(f"cannot mount a 3 MiB tmpfs (needs root / CAP_SYS_ADMIN): {p.stderr.strip()}")
    try:
        ix = mnt / "ix"
        subprocess.run([str(Paths.indexer), "--index", str(ix), "--quiet",
                        str(_small_input(tmp_path, 20))], check=True, timeout=120)
        before = index_docs(ix)
        assert before["docs"] == 20
        big = tmp_path / "big.jsonl"
        gen_corpus(big, seed=9, mb=6)         # far more than 3 MiB of index
        p = subprocess.run([str(Paths.indexer), "--index", str(ix), "--batch", "100000",
                            "--batch-bytes", str(64 << 20), str(big)],
                           capture_output=True, text=True, timeout=300)
        assert p.returncode != 0, "indexing 6 MiB into a 3 MiB file system succeeded?"
        msg = p.stderr.lower()
        assert "space" in msg or "full" in msg or "write" in msg, p.stderr[-2000:]
        xapian_check(ix)
        after = index_docs(ix)
        assert after["docs"] == 20, after
        for i in (0, 7, 19):
            assert cli_get(ix, f"k{i}")
    finally:
        subprocess.run(["umount", "-l", str(mnt)], timeout=30)
