"""conftest.py — shared pytest fixtures and helpers for every zhengce
integration test.

Environment (set by tests/run.sh; the defaults suit a plain `pytest` run):
  ZC_BUILD   absolute build directory; programs in ZC_BUILD/bin
             (default <repo>/build)
  ZC_SHARED  the shared data directory with corpus-real/ (default
             <repo>/../shared)

Fixtures:
  zc              session: paths and programs (see class Paths)
  tmp_index       function: a path for a new index (not created) in tmp_path
  cached_index    session: a function name, inputs -> index path, building
                  the index once with zhengce-indexer (see below)
  sample_index    session: corpus/sample indexed (cached)
  real_index      session: both real corpora (policies.jsonl and
                  policies-en.jsonl) indexed into one index (cached)
  real_docs       session: the documents of both real corpora, as dicts in
                  file order (list), for comparing with what the index holds

Helpers (import from conftest):
  run_indexer(index, *args, check=None, timeout=...) -> CompletedProcess
  read_jsonl(path) -> list of dicts
  require(path_or_name) -> skip the test with a clear reason if a program
                  is missing (never pass silently)

Markers (registered below; `make check` runs the suite with
-m "not realcorpus and not crash and not overload", `make test` runs it all):
  realcorpus  needs the real corpora in ZC_SHARED (given automatically to
              every test that uses the real_index or real_docs fixture)
  crash       kills a zhengce program with SIGKILL, or fills a disk
  overload    floods the daemon (thousands of connections, junk, pipelines)

Cached indexes live in ZC_BUILD/test-cache/<name>/ with a stamp file.  The
stamp is a hash of the zhengce-indexer binary (it links the whole library
statically, so any change to the analysis or the index layout changes it)
and of the inputs' paths, sizes and modification times.  A matching stamp
means the index is reused, across sessions too; otherwise it is rebuilt into
a temporary directory and renamed into place, under a lock, so concurrent
sessions never see a half-built index.  Tests must treat cached indexes as
read-only: copy one (shutil.copytree) before writing to it.
"""

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("ZC_BUILD", str(REPO / "build"))).resolve()
SHARED = Path(os.environ.get("ZC_SHARED", str(REPO.parent / "shared"))).resolve()

INDEXER_TIMEOUT = 900  # seconds: the real Chinese corpus takes about a minute


class Paths:
    """Where things are.  Attributes are pathlib.Path objects."""

    repo = REPO
    build = BUILD
    bin = BUILD / "bin"
    shared = SHARED
    indexer = BUILD / "bin" / "zhengce-indexer"
    cli = BUILD / "bin" / "zhengce"
    searchd = BUILD / "bin" / "zhengce-searchd"
    sample = REPO / "corpus" / "sample"
    corpus_real = SHARED / "corpus-real"
    policies_zh = SHARED / "corpus-real" / "policies.jsonl"
    policies_en = SHARED / "corpus-real" / "policies-en.jsonl"
    cache = BUILD / "test-cache"


def require(prog):
    """Skips the calling test if `prog` (a Path, or a name in ZC_BUILD/bin)
    does not exist, saying what is missing."""
    p = Path(prog) if "/" in str(prog) else Paths.bin / str(prog)
    if not p.exists():
        pytest.skip(f"{p} is not built")
    return p


def read_jsonl(path):
    """The documents of a JSON Lines file, blank lines skipped."""
    docs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                docs.append(json.loads(line))
    return docs


def run_indexer(index, *args, check=None, timeout=INDEXER_TIMEOUT, input=None):
    """Runs zhengce-indexer --index INDEX ARGS... and returns the
    CompletedProcess (text mode: stdout/stderr are str).  check: the exit
    status expected (asserted, with stderr in the message), or None."""
    if not Paths.indexer.exists():
        pytest.fail(f"{Paths.indexer} is not built (make programs)")
    cmd = [str(Paths.indexer), "--index", str(index)] + [str(a) for a in args]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                       input=input)
    if check is not None:
        assert p.returncode == check, (
            f"{' '.join(cmd)}: exit {p.returncode}, want {check}\n"
            f"stderr:\n{p.stderr[-4000:]}\nstdout:\n{p.stdout[-2000:]}")
    return p


def _file_stamp(h, p):
    p = Path(p)
    if p.is_dir():
        for sub in sorted(p.rglob("*")):
            if sub.is_file():
                _file_stamp(h, sub)
        return
    st = p.stat()
    h.update(f"{p}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())


def _stamp(inputs):
    h = hashlib.sha256()
    with open(Paths.indexer, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    for p in inputs:
        _file_stamp(h, p)
    return h.hexdigest()


def build_cached_index(name, inputs, extra_args=()):
    """Returns the path of an index of `inputs` (files or directories) named
    `name` under ZC_BUILD/test-cache, building it only if its stamp is
    stale.  The index is read-only for callers."""
    if not Paths.indexer.exists():
        pytest.fail(f"{Paths.indexer} is not built (make programs)")
    Paths.cache.mkdir(parents=True, exist_ok=True)
    final = Paths.cache / name
    stamp_file = Paths.cache / f"{name}.stamp"
    stamp = _stamp(inputs) + "|" + " ".join(extra_args)
    with open(Paths.cache / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if final.is_dir() and stamp_file.exists() and stamp_file.read_text() == stamp:
            return final
        tmp = Paths.cache / f"{name}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        p = run_indexer(tmp, "--json", *extra_args, *inputs)
        assert p.returncode == 0, f"indexing {name} failed:\n{p.stderr[-4000:]}"
        stamp_file.unlink(missing_ok=True)
        shutil.rmtree(final, ignore_errors=True)
        os.rename(tmp, final)
        stamp_file.write_text(stamp)
        return final


MARKERS = {
    "realcorpus": "needs the real corpora in ZC_SHARED (not in make check)",
    "crash": "SIGKILLs a zhengce program or fills a disk (not in make check)",
    "overload": "floods the daemon with connections or junk (not in make check)",
}
REAL_FIXTURES = ("real_index", "real_docs")


def pytest_configure(config):
    for name, doc in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {doc}")


def pytest_collection_modifyitems(config, items):
    """Every test using a real-corpus fixture is a realcorpus test."""
    for item in items:
        if any(f in REAL_FIXTURES for f in getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.realcorpus)


@pytest.fixture(scope="session")
def zc():
    return Paths


@pytest.fixture
def tmp_index(tmp_path):
    """A path for a fresh index (the directory does not exist yet)."""
    return tmp_path / "index"


@pytest.fixture(scope="session")
def cached_index():
    return build_cached_index


@pytest.fixture(scope="session")
def sample_index():
    return build_cached_index("sample", [Paths.sample])


@pytest.fixture(scope="session")
def real_index():
    for p in (Paths.policies_zh, Paths.policies_en):
        if not p.exists():
            pytest.skip(f"{p} is missing (ZC_SHARED={Paths.shared})")
    return build_cached_index("real", [Paths.policies_zh, Paths.policies_en])


@pytest.fixture(scope="session")
def real_docs():
    for p in (Paths.policies_zh, Paths.policies_en):
        if not p.exists():
            pytest.skip(f"{p} is missing (ZC_SHARED={Paths.shared})")
    return read_jsonl(Paths.policies_zh) + read_jsonl(Paths.policies_en)
