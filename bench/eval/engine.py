"""engine.py — everything the harness asks of zhengce: build indexes, run queries.

Owns: finding out whether the indexer can build an analyzer mode, building
(or reusing) one index per mode and input set, and running query batches
through build/bench/evalq (the library, in one process) or through a running
zhengce-searchd (SEARCH lines, pipelined).

Analyzer modes are passed both ways the indexer may take them: the
`--analyzer MODE` option and the ZC_ANALYZER environment variable.  A mode is
"available" only if the index it produces records that analyzer in its
metadata (read back with `evalq --info`): an indexer that ignores the request
would otherwise put the default analyzer's numbers in another mode's column.
Today's indexer has no --analyzer option; its default, ngram, is then used
for the ngram column and the other modes are reported unavailable.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import time

MODE_NAME = re.compile(r"^(ngram|words|hybrid)(?:$|[-:+])")


class Unavailable(Exception):
    pass


def recorded_mode(name):
    m = MODE_NAME.match(name or "")
    return m.group(1) if m else None


class Engine:
    def __init__(self, build, workdir, progress):
        self.build = build
        self.indexer = os.path.join(build, "bin", "zhengce-indexer")
        self.evalq = os.path.join(build, "bench", "evalq")
        self.work = workdir
        self.progress = progress
        for b in (self.indexer, self.evalq):
            if not os.access(b, os.X_OK):
                raise FileNotFoundError("%s is not built (make all %s)" % (b, b))

    def info(self, index_dir):
        r = subprocess.run([self.evalq, "--info", index_dir], capture_output=True,
                           text=True)
        if r.returncode != 0:
            raise RuntimeError("evalq --info %s: %s" % (index_dir, r.stderr.strip()))
        return dict(line.split("=", 1) for line in r.stdout.splitlines() if "=" in line)

    def _index_cmd(self, index_dir, files, mode, with_flag):
        cmd = [self.indexer, "--index", index_dir, "--no-progress"]
        if with_flag:
            cmd += ["--analyzer", mode]
        return cmd + list(files)

    def _env(self, mode):
        env = dict(os.environ)
        env["ZC_ANALYZER"] = mode
        return env

    # ---- can this indexer build `mode`? ----------------------------------

    def probe(self, mode):
        """Returns (how, note): how is "flag" (pass --analyzer) or "env"
        (the option is refused; ZC_ANALYZER alone gives the mode).  Raises
        Unavailable with the reason otherwise."""
        d = os.path.join(self.work, "probe", mode)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        doc = os.path.join(d, "doc.jsonl")
        with open(doc, "w", encoding="utf-8") as f:
            f.write(json.dumps({"id": "probe", "lang": "zh", "title": "振兴东北老工业基地",
                                "body": "国务院关于振兴东北地区等老工业基地的若干意见"},
                               ensure_ascii=False) + "\n")
        idx = os.path.join(d, "index")
        r = subprocess.run(self._index_cmd(idx, [doc], mode, True), env=self._env(mode),
                           capture_output=True, text=True)
        how, note = "flag", ""
        if r.returncode != 0:
            refused = "--analyzer" in r.stderr
            if not refused:
                raise Unavailable("zhengce-indexer --analyzer %s failed: %s" %
                                  (mode, first_line(r.stderr)))
            shutil.rmtree(idx, ignore_errors=True)
            r = subprocess.run(self._index_cmd(idx, [doc], mode, False), env=self._env(mode),
                               capture_output=True, text=True)
            if r.returncode != 0:
                raise Unavailable("zhengce-indexer failed: %s" % first_line(r.stderr))
            how = "env"
            note = "zhengce-indexer has no --analyzer option"
        got = self.info(idx).get("analyzer", "")
        if recorded_mode(got) != mode:
            if how == "env":
                raise Unavailable("zhengce-indexer has no --analyzer option and "
                                  "ZC_ANALYZER=%s gives an index of analyzer '%s'" % (mode, got))
            raise Unavailable("zhengce-indexer accepted --analyzer %s but the index "
                              "records analyzer '%s'" % (mode, got))
        if how == "env" and mode == "ngram":
            note += "; its default analyzer (ngram) is used"
        return how, note

    # ---- build or reuse ----------------------------------------------------

    def ensure_index(self, mode, how, name, files, shas, n_docs, rebuild=False):
        """Builds build/eval/<mode>/<name> from files, unless the stamp
        shows it was built from the same inputs (sha256) by the same
        indexer binary (mtime, size).  Returns (index_dir, seconds, reused);
        for a reused index, seconds is what building it took (or None)."""
        base = os.path.join(self.work, mode)
        os.makedirs(base, exist_ok=True)
        idx = os.path.join(base, name)
        stamp_path = idx + ".stamp.json"
        st = os.stat(self.indexer)
        stamp = {"mode": mode, "how": how, "inputs": shas,
                 "indexer": [st.st_mtime_ns, st.st_size], "docs": n_docs}
        if not rebuild and os.path.isdir(idx) and os.path.exists(stamp_path):
            try:
                with open(stamp_path) as f:
                    old = json.load(f)
                built = old.pop("built_secs", None)
                if old == stamp and int(self.info(idx).get("docs", -1)) == n_docs:
                    self.progress("index %s/%s: reusing (same inputs and indexer)" % (mode, name))
                    return idx, built, True
            except (ValueError, RuntimeError, OSError):
                pass
        tmp = idx + ".tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        if os.path.exists(stamp_path):
            os.unlink(stamp_path)
        self.progress("index %s/%s: building from %s" %
                      (mode, name, ", ".join(os.path.basename(f) for f in files)))
        t0 = time.time()
        log = idx + ".log"
        with open(log, "w") as lf:
            r = subprocess.run(self._index_cmd(tmp, files, mode, how == "flag"),
                               env=self._env(mode), stdout=lf, stderr=subprocess.STDOUT)
        secs = time.time() - t0
        if r.returncode != 0:
            raise RuntimeError("zhengce-indexer exited %d building %s (see %s)" %
                               (r.returncode, tmp, log))
        info = self.info(tmp)
        if int(info.get("docs", -1)) != n_docs:
            raise RuntimeError("index %s has %s documents, expected %d (see %s)" %
                               (tmp, info.get("docs"), n_docs, log))
        if recorded_mode(info.get("analyzer")) != mode:
            raise RuntimeError("index %s records analyzer '%s', expected %s" %
                               (tmp, info.get("analyzer"), mode))
        shutil.rmtree(idx, ignore_errors=True)
        os.rename(tmp, idx)
        with open(stamp_path, "w") as f:
            json.dump(dict(stamp, built_secs=round(secs, 1)), f)
        self.progress("index %s/%s: %d documents in %.0f s" % (mode, name, n_docs, secs))
        return idx, secs, False

    # ---- queries -------------------------------------------------------------

    def run_evalq(self, index_dir, lines, tag, extra=()):
        """Runs the SEARCH arguments `lines` through evalq; returns one
        entry per line: a list of ids, or an Exception-like ("#ERR", code,
        message) tuple."""
        qf = os.path.join(os.path.dirname(index_dir), tag + ".queries")
        af = os.path.join(os.path.dirname(index_dir), tag + ".answers")
        with open(qf, "w", encoding="utf-8") as f:
            for line in lines:
                if "\n" in line:
                    raise ValueError("query holds a newline: %r" % line)
                f.write(line + "\n")
        t0 = time.time()
        with open(qf, "rb") as fin, open(af, "wb") as fout:
            r = subprocess.run([self.evalq, *extra, index_dir], stdin=fin, stdout=fout,
                               stderr=subprocess.PIPE)
        if r.returncode != 0:
            raise RuntimeError("evalq %s: %s" % (index_dir, r.stderr.decode(errors="replace")))
        problems = []
        out = parse_answers(af, len(lines), problems, lines)
        return out, time.time() - t0, problems


def parse_answers(path, expected, problems=None, queries=None):
    """One entry per answer line: a list of ids, or ("#ERR", code, message).
    A line count that differs from the queries' is fatal (the answers could
    not be matched to their queries).  A document ranked twice in one answer
    is an engine bug: it is reported in `problems` (raised if problems is
    None) and its later copies are dropped, so the metrics count it once."""
    with open(path, encoding="utf-8") as f:
        raw = f.read().split("\n")
    if raw and raw[-1] == "":
        raw.pop()
    if len(raw) != expected:
        raise RuntimeError("%s: %d answers for %d queries" % (path, len(raw), expected))
    out = []
    for line in raw:
        if line.startswith("#ERR\t"):
            parts = line.split("\t", 2) + ["", ""]
            out.append(("#ERR", parts[1], parts[2]))
        else:
            ids = line.split("\t") if line else []
            if len(set(ids)) != len(ids):
                msg = "a document is ranked twice in one answer (engine bug; later " \
                      "copies dropped): %s -> %s" % (
                          queries[len(out)] if queries else "line %d" % (len(out) + 1),
                          " ".join(ids[:10]))
                if problems is None:
                    raise RuntimeError("%s: %s" % (path, msg))
                problems.append(msg)
                seen = set()
                ids = [d for d in ids if not (d in seen or seen.add(d))]
            out.append(ids)
    return out


def first_line(s):
    s = (s or "").strip()
    return s.splitlines()[0] if s else "(no message)"


class Daemon:
    """A running zhengce-searchd: SEARCH lines pipelined over one
    connection, replies read back in order (protocol.md)."""

    def __init__(self, addr, progress):
        host, _, port = addr.rpartition(":")
        self.addr = (host or "127.0.0.1", int(port))
        self.progress = progress

    def _roundtrip(self, lines, batch=200):
        out = []
        with socket.create_connection(self.addr, timeout=120) as s:
            f = s.makefile("rwb")
            for k in range(0, len(lines), batch):
                chunk = lines[k:k + batch]
                for line in chunk:
                    f.write(line.encode("utf-8") + b"\n")
                f.flush()
                for _ in chunk:
                    reply = f.readline()
                    if not reply:
                        raise RuntimeError("daemon closed the connection")
                    out.append(json.loads(reply))
        return out

    def stats(self):
        return self._roundtrip(["STATS"])[0]

    def run(self, args):
        t0 = time.time()
        lines = []
        for a in args:
            o = json.loads(a)
            o["snippet"] = False
            lines.append("SEARCH " + json.dumps(o, ensure_ascii=False))
        out, problems = [], []
        for q, rep in zip(lines, self._roundtrip(lines)):
            if rep.get("ok"):
                ids = [h["id"] for h in rep.get("hits", [])]
                if len(set(ids)) != len(ids):
                    problems.append("a document is ranked twice in one answer (engine bug; "
                                    "later copies dropped): %s" % q)
                    seen = set()
                    ids = [d for d in ids if not (d in seen or seen.add(d))]
                out.append(ids)
            else:
                e = rep.get("error", {})
                out.append(("#ERR", e.get("code", ""), e.get("message", "")))
        return out, time.time() - t0, problems
