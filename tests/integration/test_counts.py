"""test_counts.py — totals you can quote (issue 13, item 1): the SEARCH
option "exact_count", the daemon's --exact-count default, the CLI's
--exact-count and its "N results" / "about N results", and one total for
every page of a query, against the real daemon and CLI.

The count index: N_DOCS generated English documents, "alpha" in those
numbered n % 3 != 0, "beta" in n % 2 == 0, so `alpha beta` (both words
required) matches exactly N_AB of them, a figure Xapian only knows by
counting.  The real-corpus tests check the issue's own queries.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from zcproto import CLI, SEARCHD, Daemon, run_indexer, write_jsonl  # noqa: E402

pytestmark = pytest.mark.skipif(not (CLI.exists() and SEARCHD.exists()),
                                reason="zhengce / zhengce-searchd not built")

N_DOCS = 1200
N_AB = 400   # n % 6 in {2, 4}
QUERY = "alpha beta"


@pytest.fixture(scope="module")
def count_index(tmp_path_factory):
    d = tmp_path_factory.mktemp("counts")
    docs = [{"id": "c%04d" % n, "lang": "en", "title": "Notice %d" % n,
             "body": "A notice %s %s about nothing else." % ("alpha" if n % 3 else "",
                                                             "" if n % 2 else "beta"),
             "date": "%d" % (1990 + n % 30)} for n in range(N_DOCS)]
    src = d / "docs.jsonl"
    write_jsonl(src, docs)
    run_indexer(d / "index", "--quiet", src, check=0)
    return d / "index"


@pytest.fixture(scope="module")
def daemon(count_index):
    with Daemon(count_index, "--workers", "2") as dm:
        yield dm


def search(dm, **opts):
    r = dm.request("SEARCH " + json.dumps(dict(q=QUERY, snippet=False, **opts)))
    assert r["ok"], r
    return r


PAGES = [dict(), dict(offset=10), dict(offset=40), dict(offset=N_AB + 20),
         dict(offset=150, limit=50), dict(sort="date", offset=20)]


def test_total_exact_on_every_page(daemon):
    """Page 1, 2, 5 and a page past the end (and other shapes) report the
    same exact total: the issue saw 20 -> 90 -> 324 while paging."""
    for page in PAGES:
        r = search(daemon, **page)
        assert (r["total"], r["exact"]) == (N_AB, True), page
    assert search(daemon, offset=N_AB + 20)["hits"] == []


def test_estimate_the_same_on_every_page(daemon):
    """Past the bound the total is an estimate, flagged, and still one
    figure whatever the page, the sort or the page size."""
    first = search(daemon, exact_count=50)
    assert first["exact"] is False
    assert 50 < first["total"] <= N_DOCS
    for page in PAGES + [dict(offset=60), dict(limit=0)]:
        r = search(daemon, exact_count=50, **page)
        assert (r["total"], r["exact"]) == (first["total"], False), page


def test_exact_count_values(daemon):
    assert (search(daemon, exact_count=N_AB)["exact"], search(daemon, exact_count=True)["total"]) \
        == (True, N_AB)
    assert search(daemon, exact_count=N_AB - 1)["exact"] is False
    for bad in (-1, 2.5, "10", 4294967296):
        r = daemon.request("SEARCH " + json.dumps({"q": QUERY, "exact_count": bad}))
        assert r["ok"] is False and r["error"]["code"] == "bad_request", bad
        assert "exact_count" in r["error"]["message"]


def test_daemon_default(count_index):
    """--exact-count N is the default of a SEARCH that does not say; a
    request's own "exact_count" wins."""
    with Daemon(count_index, "--exact-count", "50") as dm:
        r = search(dm)
        assert r["exact"] is False and r["total"] > 50
        assert (search(dm, exact_count=True)["total"], search(dm, exact_count=1000)["exact"]) \
            == (N_AB, True)
    with Daemon(count_index, "--exact-count", "4294967295") as dm:
        assert (search(dm)["total"], search(dm)["exact"]) == (N_AB, True)
    bad = subprocess.run([str(SEARCHD), "--index", str(count_index), "--exact-count", "-1"],
                         capture_output=True, text=True, timeout=30)
    assert bad.returncode == 2 and "exact-count" in bad.stderr


def cli(*args):
    return subprocess.run([str(CLI)] + [str(a) for a in args], capture_output=True,
                          text=True, timeout=60)


def test_cli_says_about_only_for_estimates(count_index, daemon):
    for mode in (["--index", count_index], ["--server", "%s:%d" % daemon.addr]):
        r = cli(*mode, "search", QUERY)
        assert r.returncode == 0, r.stderr
        assert r.stdout.startswith("%d results (" % N_AB), r.stdout[:80]
        r = cli(*mode, "search", "--exact-count", "50", "--offset", "30", QUERY)
        assert r.returncode == 0, r.stderr
        first = r.stdout.splitlines()[0]
        assert first.startswith("about ") and first.endswith("showing 31-40"), first
        est = search(daemon, exact_count=50)["total"]
        assert first.startswith("about %d results (" % est), first
        j = json.loads(cli(*mode, "search", "--json", "--exact-count", "all", QUERY).stdout)
        assert (j["total"], j["exact"]) == (N_AB, True)
        j = json.loads(cli(*mode, "search", "--json", "--exact-count", "0", QUERY).stdout)
        assert j["exact"] is False
    r = cli("--index", count_index, "search", "--exact-count", "many", QUERY)
    assert r.returncode == 2 and "--exact-count" in r.stderr


REAL_QUERIES = ["知识产权", "国务院", "national security", '"national security"', "人民政府",
                "管理 办法"]


@pytest.mark.parametrize("q", REAL_QUERIES)
def test_real_corpus_issue_queries(real_index, q):
    """The issue's queries on the real corpus: exact, equal to the count
    the facets make (which sees every match), on every page."""
    base = ["--index", real_index, "search", "--json", "--no-snippet"]
    full = json.loads(cli(*base, "--facets", "lang", "--limit", "0", q).stdout)
    assert full["exact"] is True and full["total"] > 100
    for extra in ([], ["--offset", "10"], ["--offset", "40"],
                  ["--offset", str(full["total"] + 5)], ["--sort", "date"]):
        r = json.loads(cli(*base, *extra, q).stdout)
        assert (r["total"], r["exact"]) == (full["total"], True), (q, extra)
    if q == "知识产权":
        assert full["total"] == 324      # the issue's figure, from a whole scan
