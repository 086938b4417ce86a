"""test_authority.py — issue 13, items 2 and 6, against the real daemon and
the real `zhengce` client: the issued_by option beside issuer (each body of
a joint issuer on its own), the tags option, facet and query field, the
level and tier options and facets, and the authority prior on the real
corpus (a national law first among the regulations on its topic).

The expected sets are computed here from the documents themselves (the
sample corpus and TEST_DOCS), never by asking the engine.
"""

import json
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from zcproto import CLI, SEARCHD, TEST_DOCS, sample_records  # noqa: E402

pytestmark = pytest.mark.skipif(not (CLI.exists() and SEARCHD.exists()),
                                reason="zhengce / zhengce-searchd not built")

LEVELS = ["law", "admin_reg", "dept_rule", "local_reg", "local_rule", "normative",
          "exec_order"]
TIERS = ["central", "provincial", "municipal", "county", "federal"]


def all_docs():
    return [d for _, d in sample_records()] + list(TEST_DOCS)


def norm(s):
    """The index's normalization of an exact-match field, near enough for
    these documents: NFKC, case folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", s).casefold().split())


def bodies(issuer):
    """The bodies of an issuer by the documented rule: split at 、，,；;/／
    and at spaces between two non-ASCII characters."""
    parts = re.split(r"[、，,；;/／]|(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])", issuer or "")
    return [p.strip() for p in parts if p.strip()]


def search(server, **opts):
    opts.setdefault("limit", 1000)
    opts.setdefault("snippet", False)
    r = server.request("SEARCH " + json.dumps(opts, ensure_ascii=False))
    assert r["ok"] is True, r
    return r


def idset(reply):
    return {h["id"] for h in reply["hits"]}


def facet(reply, name):
    return {v["value"]: v["count"] for v in reply["facets"][name]}


# -- issuer and issued_by, side by side ----------------------------------------------

def test_issued_by_matches_each_body_of_a_joint_issuer(server):
    docs = all_docs()
    joint = [d for d in docs if len(bodies(d.get("issuer"))) > 1]
    assert joint, "the sample corpus has joint issuers (中共中央、国务院)"
    for body in ("中共中央", "国务院"):
        want = {d["id"] for d in docs if norm(body) in map(norm, bodies(d.get("issuer")))}
        # issuer keeps its exact meaning: the whole field
        exact = {d["id"] for d in docs if norm(d.get("issuer") or "") == norm(body)}
        got = idset(search(server, q="国务院 OR 中共中央 OR State OR zzqtoken OR 东北",
                           issued_by=body, match="any"))
        assert got <= want and got, (body, got, want)
        assert idset(search(server, q="东北", issuer=body)) <= exact
    # 中共中央 never issued anything alone here: issuer finds nothing,
    # issued_by finds the joint documents
    assert not any(norm(d.get("issuer") or "") == "中共中央" for d in docs)
    assert search(server, q="国有企业", issuer="中共中央")["total"] == 0
    got = idset(search(server, q="国有企业", issued_by="中共中央"))
    want = {d["id"] for d in docs if "中共中央" in bodies(d.get("issuer"))
            and "国有企业" in (d.get("title", "") + d.get("body", ""))}
    assert got == want and got


def test_issued_by_facet_counts_every_body(server):
    docs = all_docs()
    r = search(server, q="国有企业", facets=["issued_by", "issuer"], limit=0)
    hits = idset(search(server, q="国有企业"))
    counted = {}
    for d in docs:
        if d["id"] in hits:
            for b in set(bodies(d.get("issuer"))):
                counted[b] = counted.get(b, 0) + 1
    assert facet(r, "issued_by") == counted
    # the issuer facet still counts whole fields
    assert "中共中央、国务院" in facet(r, "issuer")
    assert "中共中央、国务院" not in facet(r, "issued_by")


# -- tags -------------------------------------------------------------------------------

def test_tags_option_field_and_facet_agree_with_the_documents(server):
    docs = all_docs()
    tagged = [d for d in docs if d.get("tags")]
    assert len(tagged) > 10
    tag = "东北振兴"
    want = {d["id"] for d in docs if norm(tag) in map(norm, d.get("tags") or [])}
    assert want
    assert idset(search(server, q="tags:" + tag)) == want
    assert idset(search(server, q="tags：" + tag)) == want       # full-width colon
    by_id = {d["id"]: d for d in docs}
    assert idset(search(server, q="振兴", tags=tag)) == {
        i for i in want if "振兴" in by_id[i]["title"] + by_id[i]["body"]}
    assert idset(search(server, q='tags:"Made in China 2025"')) == {
        d["id"] for d in docs if "Made in China 2025" in (d.get("tags") or [])}
    # a whole tag, not a word of one
    assert search(server, q="tags:东北")["total"] == 0
    # the facet counts each tag of each matching document once
    r = search(server, q="tags:" + tag, facets=["tags"], limit=0)
    counted = {}
    for d in docs:
        if d["id"] in want:
            for t in set(x.strip() for x in d["tags"]):
                counted[t] = counted.get(t, 0) + 1
    assert facet(r, "tags") == counted
    # and the tags: prefix is never "corrected" (issue 13: lags:营商环境)
    assert "suggest" not in search(server, q="tags:营商环境")


# -- levels and tiers ------------------------------------------------------------------------

def test_every_facet_value_filters_to_its_count(server):
    """For level, tier, issued_by and tags: filtering by a value the facet
    lists finds exactly as many documents as the facet says, and the level
    counts add up to the total."""
    q = "国务院 OR 中共中央 OR State OR zzqtoken OR 东北 OR 振兴"
    r = search(server, q=q, match="any", limit=0,
               facets=["level", "tier", "issued_by", "tags"], facet_limit=1000)
    levels = facet(r, "level")
    assert set(levels) <= set(LEVELS)
    assert sum(levels.values()) == r["total"]
    assert set(facet(r, "tier")) <= set(TIERS)
    assert len(levels) >= 2 and "normative" in levels
    for name, opt in (("level", "level"), ("tier", "tier"), ("issued_by", "issued_by"),
                      ("tags", "tags")):
        for value, count in list(facet(r, name).items())[:8]:
            # the hits themselves (limit 1000), not "total", which may be an
            # estimate when it is not exact
            got = len(search(server, q=q, match="any", **{opt: value})["hits"])
            assert got == count, (name, value, got, count)


def test_level_of_known_documents(server):
    # the sample corpus's national documents: 中共中央、国务院 opinions are
    # normative central, and so are the NPC's five-year plan outlines (a
    # plan, not a law), in both languages
    r = search(server, q="国有企业", level="normative", tier="central")
    assert "soe-2015-zh" in idset(r)
    assert search(server, q="国有企业", level="law")["total"] == 0
    plans = idset(search(server, q="五年规划 OR Five-Year", match="any", level="normative",
                         tier="central", issued_by=["全国人民代表大会",
                                                    "National People's Congress"]))
    assert {"fyp11-2006-zh", "fyp11-2006-en"} <= plans
    assert search(server, q="五年规划 OR Five-Year", match="any", level="law")["total"] == 0


@pytest.mark.parametrize("opts,field", [
    ({"level": "Law"}, "level"),
    ({"level": ["law", "central"]}, "level"),
    ({"tier": "national"}, "tier"),
    ({"issued_by": {"a": 1}}, "issued_by"),
    ({"tags": [1]}, "tags"),
    ({"prior": "off"}, "prior"),
    ({"facets": ["levels"]}, "facets"),
])
def test_bad_options_name_themselves(server, opts, field):
    r = server.request("SEARCH " + json.dumps(dict(q="东北", **opts), ensure_ascii=False))
    assert r["ok"] is False and r["error"]["code"] == "bad_request", r
    assert field in r["error"]["message"], r


# -- the command line -----------------------------------------------------------------------

def cli(index, *args):
    return subprocess.run([str(CLI), "--index", str(index)] + list(args),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)


def test_cli_offers_issuer_and_issued_by_side_by_side(index):
    h = subprocess.run([str(CLI), "--help"], stdout=subprocess.PIPE, timeout=30).stdout.decode()
    i, j = h.index("--issuer NAME"), h.index("--issued-by NAME")
    assert 0 < j - i < 300, h          # documented next to each other
    for flag in ("--tag NAME", "--level CODE", "--tier NAME", "issued_by,tags"):
        assert flag in h
    exact = json.loads(cli(index, "--json", "search", "--issuer", "中共中央", "国有企业").stdout)
    per_body = json.loads(cli(index, "--json", "search", "--issued-by", "中共中央",
                              "国有企业").stdout)
    assert exact["total"] == 0
    assert per_body["total"] > 0
    assert all("中共中央" in h["issuer"] for h in per_body["hits"])
    # readable output, and the facets
    r = cli(index, "search", "--issued-by", "中共中央", "--issued-by", "国务院", "--tag", "国有企业改革",
            "--facets", "level,tier,issued_by,tags", "--no-snippet", "国有企业")
    out = r.stdout.decode()
    assert r.returncode == 0, r.stderr
    assert "issued_by:" in out and "tags:" in out and "level:" in out


def test_cli_level_and_tier_flags_build_the_options(index, server):
    args = ["--level", "normative", "--level", "law", "--tier", "central", "--facets",
            "level,tier", "--json", "国有企业"]
    local = json.loads(cli(index, "search", *args).stdout)
    direct = search(server, q="国有企业", level=["normative", "law"], tier="central",
                    facets=["level", "tier"], limit=10, snippet=True)
    local.pop("took_ms")
    direct.pop("took_ms")
    assert local == direct
    bad = cli(index, "search", "--level", "statute", "东北")
    assert bad.returncode == 1 and b"unknown level" in bad.stderr


# -- the authority prior on the real corpus ------------------------------------------------

# The issue's examples: a topic, and the national law or State Council
# regulation on it that the city regulations outranked (rank before).
ISSUE_EXAMPLES = [
    ("大气污染防治", "中华人民共和国大气污染防治法", 31),
    ("城乡规划", "中华人民共和国城乡规划法", 11),
    ("营商环境", "优化营商环境条例", 10),
    ("房地产", "中华人民共和国城市房地产管理法", 12),
]


def rank_of(index, title, **opts):
    arg = json.dumps(dict(limit=100, snippet=False, **opts), ensure_ascii=False)
    r = subprocess.run([str(CLI), "--index", str(index), "search", "--stdin"], input=arg + "\n",
                       stdout=subprocess.PIPE, timeout=120, text=True)
    hits = json.loads(r.stdout)["hits"]
    return next((i + 1 for i, h in enumerate(hits) if h["title"] == title), 999)


@pytest.mark.parametrize("q,title,before", ISSUE_EXAMPLES)
def test_national_document_first_for_its_topic(real_index, q, title, before):
    without = rank_of(real_index, title, q=q, prior=False)
    assert without > 3, "the ranking this test guards against is no longer there"
    assert rank_of(real_index, title, q=q) == 1


def test_issued_by_on_the_real_corpus(real_index):
    """--issuer 中共中央 finds nothing (the documents say 中共中央、国务院);
    --issued-by 中共中央 finds them."""
    def total(*args):
        # the hits themselves: "total" may be an estimate
        r = cli(real_index, "--json", "search", "--no-snippet", "--limit", "1000", *args)
        return len(json.loads(r.stdout)["hits"])
    assert total("--issuer", "中共中央", "条例") == 0
    assert total("--issued-by", "中共中央", "条例") == 2
    assert total("--issued-by", "中央军事委员会", "条例") > 20
