#!/usr/bin/env python3
"""bench/perf_breakdown.py — where the time goes, by component, from a perf profile.

Owns: reading `perf script -F ip,sym,dso` output of a profile recorded with
call graphs (perf record -g or --call-graph dwarf) and attributing every
sample to ONE component: the first component, in the priority order below,
that has a frame anywhere in the sample's stack.  Specific components come
first, so that (say) friso's dictionary lookups under zc_analyze count as
segmentation, not as "analyzer".  Must never: run perf itself.

    perf record -F 200 --call-graph dwarf,16384 -o perf.data zhengce-indexer ...
    perf script -i perf.data -F ip,sym,dso | bench/perf_breakdown.py [--mode index|query]

Prints one line per component: percentage of samples, samples, name.
"""

import argparse
import re
import sys

INDEX = [
    ("Xapian commit (flush, compression, writes)", r"zc_xap_db_commit|commit_transaction|WritableDatabase::commit"),
    ("Xapian replace_document (inverter, id lookup)", r"zc_xap_db_replace|Database::Internal::replace_document|add_document"),
    ("friso segmentation (dictionary words)", r"zc_seg_|libfriso|friso_"),
    ("OpenCC t2s folding", r"opencc|libmarisa|convert_by_opencc"),
    ("English stemmer", r"zc_analyzer_stem|zc_xap_stem|Xapian::Stem"),
    ("building Xapian::Document (add_posting/add_term)", r"zc_xap_doc_|Xapian::Document"),
    ("JSON parse + dump (jansson, zc_doc_)", r"zc_doc_|libjansson|json_"),
    ("normalization (zc_norm, utf8proc)", r"zc_norm_|libutf8proc|utf8proc_"),
    ("analyzer, own code (runs, bigrams, positions)", r"zc_analy|end_run|flush_cjk|add_unit|emit"),
    ("indexer input and other zhengce code", r"zhengce|read_jsonl|add_doc|zc_"),
    ("kernel (I/O, page faults, scheduling)", r"kernel"),
]
QUERY = [
    ("snippets (zc_snippet_make: re-analysis of hit text)", r"zc_snippet"),
    ("facets", r"facet|MatchSpy"),
    ("Xapian search (zc_xap_search, get_mset)", r"zc_xap_search|Enquire|get_mset"),
    ("hit data fetch (document data, JSON read)", r"zc_xap_mset_hit|get_data|read_hit|hit_doc"),
    ("reply JSON (zc_results_to_json)", r"zc_results_to_json|json_dump"),
    ("friso dictionary load (once per process)", r"friso_dic_load|zc_seg_dict|dict_once"),
    ("query parse + analysis (request, query build)", r"zc_search_request|zc_query|zc_analy|parse"),
    ("other zhengce and Xapian", r"zc_|xapian"),
    ("kernel (I/O, page faults, scheduling)", r"kernel"),
]


def samples(stream):
    frames = []
    for line in stream:
        line = line.rstrip("\n")
        if not line.strip():
            if frames:
                yield frames
            frames = []
            continue
        if line.startswith("\t") or line.startswith(" "):
            frames.append(line.strip())
        else:
            if frames:
                yield frames
            frames = []
    if frames:
        yield frames


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mode", choices=("index", "query"), default="index")
    a = ap.parse_args()
    cats = [(n, re.compile(p)) for n, p in (INDEX if a.mode == "index" else QUERY)]
    counts = {n: 0 for n, _ in cats}
    counts["other"] = 0
    total = 0
    for frames in samples(sys.stdin):
        total += 1
        for name, rx in cats:
            if any(rx.search(f) for f in frames):
                counts[name] += 1
                break
        else:
            counts["other"] += 1
    if total == 0:
        sys.exit("perf_breakdown.py: no samples on standard input")
    for name, n in sorted(counts.items(), key=lambda kv: -kv[1]):
        print("%5.1f%%  %6d  %s" % (100.0 * n / total, n, name))
    print("%5.1f%%  %6d  total samples" % (100.0, total))


if __name__ == "__main__":
    main()
