"""conftest.py — the pytest face of the integration harness: markers and
fixtures over zcproto.py, which owns the paths, programs, documents,
indexes, the daemon and the protocol client (import helpers from there).

Fixtures:
  zc              session: paths and programs (zcproto.Paths)
  tmp_index       function: a path for a new index (not created) in tmp_path
  cached_index    session: zcproto.build_cached_index (name, inputs -> path)
  index           session: the test index, corpus/sample + TEST_DOCS
                  (zcproto.shared_index; cached, read-only)
  server          module: a read-only daemon (--workers 2) on the test
                  index, or the daemon ZC_SEARCHD=host:port names
  real_index      session: both real corpora (policies.jsonl and
                  policies-en.jsonl) indexed into one index (cached)
  real_docs       session: the documents of both real corpora, as dicts in
                  file order (list), for comparing with what the index holds
  enough_fds      session: RLIMIT_NOFILE raised for thousands of sockets
                  (pytest.mark.usefixtures("enough_fds"))

Markers (registered below; `make check` runs the suite with
-m "not realcorpus and not crash and not overload", `make test` runs it all):
  realcorpus  needs the real corpora in ZC_SHARED (given automatically to
              every test that uses the real_index or real_docs fixture)
  crash       kills a zhengce program with SIGKILL, or fills a disk
  overload    floods the daemon (thousands of connections, junk, pipelines)

At the end of a session that ran load tests, a summary section lists every
PING bound check (zcproto.check_pings) and whether it was asserted.
"""

import resource

import pytest

from zcproto import (EXTERNAL, PING_BOUND_MS, PING_CEILING_MS, PING_REPORTS, Daemon, External, Paths,
                     build_cached_index, raise_fd_limit, read_jsonl, require, shared_index)

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


def pytest_terminal_summary(terminalreporter):
    """The PING bound of issue 5, test by test: never loosened silently."""
    if not PING_REPORTS:
        return
    tr = terminalreporter
    tr.section("PING under load (issue 5: daemon's own delay p99 < %.0f ms, "
               "max < %.0f ms; docs/security.md)" % (PING_BOUND_MS, PING_CEILING_MS))
    for name, verdict, p99, worst, _ in PING_REPORTS:
        tr.line("%-40s p99 %6.2f ms  worst %6.2f ms  %s" % (name, p99, worst, verdict))
    loose = [t for _, v, _, _, t in PING_REPORTS if "NOT ASSERTED" in v]
    if loose:
        tr.line("%d of %d checks NOT ASSERTED; their figures:" % (len(loose), len(PING_REPORTS)))
        for t in loose:
            tr.line("  " + t)


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
def index():
    return shared_index()


@pytest.fixture(scope="module")
def server(request):
    if EXTERNAL:
        yield External(EXTERNAL)
        return
    require(Paths.searchd)
    with Daemon(request.getfixturevalue("index"), "--workers", "2") as d:
        yield d


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


@pytest.fixture(scope="session")
def enough_fds():
    old = raise_fd_limit()
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, old)
