"""zcproto.py — the one harness of the zhengce integration tests.

Owns, for every file in tests/integration (pytest fixtures over it are in
conftest.py):

* where things are (Paths; the module constants BUILD, SEARCHD, INDEXER,
  CLI, SAMPLE are the same paths) and require() for a missing program;
* the test documents: the controlled TEST_DOCS (TOKEN), the sample corpus
  read back (sample_records, sample_docs, parse_text_file), doc() for
  tests that write, read_jsonl / write_jsonl;
* the indexes: run_indexer(), build_cached_index() and shared_index(), the
  test index (corpus/sample + TEST_DOCS) that every read-only test uses;
  each is built once and cached across sessions in ZC_BUILD/test-cache;
* the daemon and the line protocol: Daemon (the real zhengce-searchd on a
  free loopback port), Conn, parse_reply/err_code, External (ZC_SEARCHD);
* load tools for the overload and hostile-client tests: the Pinger and
  check_pings (docs/security.md, "PING under load"), pump/read_all,
  connect/close_all, alive, raise_fd_limit.

Must never: mock the daemon or the protocol, wait without a bound, or
write to a cached index (tests copy one with shutil.copytree to write).

Environment (set by tests/run.sh; the defaults suit a plain `pytest` run):
  ZC_BUILD    absolute build directory, programs in ZC_BUILD/bin
              (default <repo>/build)
  ZC_SHARED   the shared data directory with corpus-real/ (default
              <repo>/../shared)
  ZC_SEARCHD  host:port of a daemon you started (see below)

Debugging against a daemon you started yourself::

    python3 tests/integration/zcproto.py build-index /tmp/zc-test-index
    build/bin/zhengce-searchd --index /tmp/zc-test-index --listen 127.0.0.1:7420
    ZC_SEARCHD=127.0.0.1:7420 python3 -m pytest tests/integration/test_searchd.py

With ZC_SEARCHD set, the tests that only need a read-only daemon on the test
index (the `server` fixture of conftest.py) use it; tests that need special
options still start their own.

Cached indexes live in ZC_BUILD/test-cache/<name>/ with a stamp file.  The
stamp is a hash of the zhengce-indexer binary (it links the whole library
statically, so any change to the analysis or the index layout changes it)
and of the inputs (paths and contents; paths, sizes and modification times
for files over 4 MiB).  A matching stamp means the index is reused, across
sessions too; otherwise it is rebuilt into a temporary directory and renamed
into place, under a lock, so concurrent sessions never see a half-built
index.
"""

import fcntl
import hashlib
import json
import os
import re
import resource
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

# -- where things are ----------------------------------------------------------

REPO = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("ZC_BUILD", str(REPO / "build"))).resolve()
SHARED = Path(os.environ.get("ZC_SHARED", str(REPO.parent / "shared"))).resolve()
BIN = BUILD / "bin"
SEARCHD = BIN / "zhengce-searchd"
INDEXER = BIN / "zhengce-indexer"
CLI = BIN / "zhengce"
SAMPLE = REPO / "corpus" / "sample"
EXTERNAL = os.environ.get("ZC_SEARCHD")    # host:port, or None

IO_TIMEOUT = 30.0       # seconds for any single socket operation
START_TIMEOUT = 60.0    # seconds for the daemon to log "ready" (ASan, a loaded machine)
INDEXER_TIMEOUT = 900   # seconds: the real Chinese corpus takes about a minute


class Paths:
    """Where things are.  Attributes are pathlib.Path objects."""

    repo = REPO
    build = BUILD
    bin = BIN
    shared = SHARED
    indexer = INDEXER
    cli = CLI
    searchd = SEARCHD
    sample = SAMPLE
    gen = REPO / "corpus" / "gen"
    corpus_real = SHARED / "corpus-real"
    policies_zh = SHARED / "corpus-real" / "policies.jsonl"
    policies_en = SHARED / "corpus-real" / "policies-en.jsonl"
    cache = BUILD / "test-cache"


def require(prog):
    """Skips the calling test if `prog` (a Path, or a name in ZC_BUILD/bin)
    does not exist, saying what is missing (never passes silently)."""
    p = Path(prog) if "/" in str(prog) else BIN / str(prog)
    if not p.exists():
        pytest.skip(f"{p} is not built")
    return p


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# -- documents -------------------------------------------------------------------
# The controlled test documents: every one carries the word "zzqtoken" in
# its body, so a query for it matches exactly these; their fields are chosen
# so each search option has a known answer (see test_searchd.py).

TOKEN = "zzqtoken"

TEST_DOCS = [
    {"id": "t1", "lang": "zh", "title": "测试文件一 营商环境", "date": "2001",
     "issuer": "甲局", "docno": "测发〔2001〕1号",
     "body": "关于优化营商环境的通知 zzqtoken 第一份。"},
    {"id": "t2", "lang": "zh", "title": "测试文件二 科技创新", "date": "2001-06",
     "issuer": "甲局", "body": "科技创新 zzqtoken 第二份。"},
    {"id": "t3", "lang": "zh", "title": "测试文件三 对口合作", "date": "2001-06-15",
     "issuer": "乙委", "body": "对口合作 zzqtoken 第三份。"},
    {"id": "t4", "lang": "en", "title": "Test document four on ports", "date": "2002-01-01",
     "issuer": "Port Bureau", "body": "Ports and logistics zzqtoken fourth."},
    {"id": "t5", "lang": "en", "title": "Test document five on energy", "date": "2003-12-31",
     "issuer": "乙委", "body": "Energy and grids zzqtoken fifth."},
    {"id": "t6", "lang": "zh", "title": "测试文件六 无日期", "issuer": "丙办",
     "body": "没有日期的文件 zzqtoken 第六份。"},
    {"id": "t7", "lang": "en", "title": "Test document seven without date",
     "body": "Undated text zzqtoken seventh, with <angle> & \"quoted\" words."},
    {"id": "t8", "lang": "zh", "title": "测试文件八 节能减排", "date": "2002-02",
     "issuer": "甲局", "body": "节能减排 zzqtoken 第八份。", "extra_field": {"kept": [1, 2]}},
]

WTOKEN = "wqtoken"      # in the body of every doc() document, in no other


def doc(n, prefix="d", lang="zh", **fields):
    """A small valid document numbered n for the tests that write: id
    PREFIX + n, a Chinese (lang "zh", or any other lang given) or English
    ("en") title and body, the body holding WTOKEN, a date derived from n.
    `fields` are added or replace these.  Returns a new dict."""
    if lang == "en":
        title, body = f"Written document {n}", f"Freshly written {WTOKEN} text number {n}."
    else:
        title, body = f"测试文件{n} 关于优化营商环境的通知", f"第{n}份文件。优化营商环境。{WTOKEN}"
    d = {"id": f"{prefix}{n}", "lang": lang, "title": title, "body": body,
         "date": "2020-01-%02d" % (1 + sum(map(ord, str(n))) % 28)}
    d.update(fields)
    return d


def read_jsonl(path):
    """The documents of a JSON Lines file, blank lines skipped."""
    return [d for _, d in _jsonl_records(path)]


def _jsonl_records(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                out.append((n, json.loads(line)))
    return out


def write_jsonl(path, docs):
    """Writes docs as JSON Lines (UTF-8, not ASCII-escaped)."""
    with open(path, "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")


TEXT_KEYS = {"id", "title", "date", "issuer", "docno", "lang", "pair", "tags"}


def parse_text_file(path):
    """A header-format text document (protocol.md): `Key: value` lines,
    one blank line, the body.  Asserts the format; returns the fields as a
    dict (tags as a list, "body" stripped of surrounding newlines)."""
    text = Path(path).read_text(encoding="utf-8")
    head, sep, body = text.partition("\n\n")
    assert sep, f"{path}: no blank line after the header"
    d = {}
    for line in head.split("\n"):
        key, colon, value = line.partition(":")
        assert colon, f"{path}: header line without ':': {line!r}"
        key = key.strip().lower()
        assert key in TEXT_KEYS, f"{path}: unknown header key {key!r}"
        assert key not in d, f"{path}: header key {key!r} twice"
        value = value.strip()
        d[key] = [t.strip() for t in value.split(",") if t.strip()] if key == "tags" else value
    d["body"] = body.strip("\n")
    return d


def sample_records():
    """[(where, doc)] for every document of corpus/sample: the JSON Lines
    files' first ("FILE.jsonl:LINE"), then the text files' ("text/NAME",
    parsed by parse_text_file)."""
    out = []
    for f in sorted(SAMPLE.glob("*.jsonl")):
        out += [(f"{f.name}:{n}", d) for n, d in _jsonl_records(f)]
    for f in sorted((SAMPLE / "text").glob("*.txt")):
        out.append((f"text/{f.name}", parse_text_file(f)))
    return out


def sample_docs():
    """The JSON Lines documents of corpus/sample (text files not included),
    in file order."""
    docs = []
    for f in sorted(SAMPLE.glob("*.jsonl")):
        docs += read_jsonl(f)
    return docs


# -- indexes -------------------------------------------------------------------

def run_indexer(index, *args, check=None, timeout=INDEXER_TIMEOUT, input=None):
    """Runs zhengce-indexer --index INDEX ARGS... and returns the
    CompletedProcess (text mode: stdout/stderr are str).  check: the exit
    status expected (asserted, with stderr in the message), or None."""
    if not INDEXER.exists():
        pytest.fail(f"{INDEXER} is not built (make programs)")
    cmd = [str(INDEXER), "--index", str(index)] + [str(a) for a in args]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, input=input)
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
    h.update(f"{p}\0{st.st_size}\0".encode())
    if st.st_size <= 4 << 20:
        h.update(hashlib.sha256(p.read_bytes()).digest())
    else:
        h.update(f"{st.st_mtime_ns}\n".encode())


def _stamp(inputs):
    h = hashlib.sha256()
    with open(INDEXER, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    for p in inputs:
        _file_stamp(h, p)
    return h.hexdigest()


def build_cached_index(name, inputs, extra_args=()):
    """Returns the path of an index of `inputs` (files or directories) named
    `name` under ZC_BUILD/test-cache, building it only if its stamp is
    stale.  The index is read-only for callers."""
    if not INDEXER.exists():
        pytest.fail(f"{INDEXER} is not built (make programs)")
    Paths.cache.mkdir(parents=True, exist_ok=True)
    final = Paths.cache / name
    stamp_file = Paths.cache / f"{name}.stamp"
    with open(Paths.cache / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stamp = _stamp(inputs) + "|" + " ".join(extra_args)
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


def build_index(index_dir, extra_docs=()):
    """corpus/sample (JSON Lines and text files) + TEST_DOCS + extra_docs,
    indexed with zhengce-indexer into index_dir (not cached).  Returns the
    index path."""
    index_dir = Path(index_dir)
    with tempfile.TemporaryDirectory() as tmp:
        docs = Path(tmp) / "test-docs.jsonl"
        write_jsonl(docs, list(TEST_DOCS) + list(extra_docs))
        r = subprocess.run([str(INDEXER), "--index", str(index_dir), "--quiet", str(SAMPLE),
                            str(docs)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=300)
        if r.returncode != 0:
            raise RuntimeError("zhengce-indexer failed (%d): %s" %
                               (r.returncode, r.stderr.decode(errors="replace")[-2000:]))
    return index_dir


def shared_index():
    """The test index: corpus/sample (JSON Lines and text files) +
    TEST_DOCS, built once (cached under ZC_BUILD/test-cache/sample).
    Read-only: copy it to write."""
    Paths.cache.mkdir(parents=True, exist_ok=True)
    docs = Paths.cache / "test-docs.jsonl"
    tmp = Paths.cache / ("test-docs.jsonl.%d" % os.getpid())
    write_jsonl(tmp, TEST_DOCS)
    os.replace(tmp, docs)          # atomic: a concurrent session reads a whole file
    return build_cached_index("sample", [SAMPLE, docs])


# -- connections ---------------------------------------------------------------

class Conn:
    """One protocol connection.  recv_line() returns bytes without LF, or
    None at EOF; request() sends a line and returns the parsed reply."""

    def __init__(self, addr, timeout=IO_TIMEOUT):
        if isinstance(addr, str):
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(timeout)
            self.sock.connect(addr)
        else:
            self.sock = socket.create_connection(addr, timeout=timeout)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.settimeout(timeout)
        self.buf = b""
        self.eof = False

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def send_line(self, line):
        if isinstance(line, str):
            line = line.encode()
        self.sock.sendall(line + b"\n")

    def recv_line(self):
        while b"\n" not in self.buf:
            if self.eof:
                return None
            try:
                d = self.sock.recv(1 << 20)
            except ConnectionResetError:
                d = b""
            if not d:
                self.eof = True
                if self.buf:
                    rest, self.buf = self.buf, b""
                    raise AssertionError("unterminated reply at EOF: %r" % rest[:200])
                return None
            self.buf += d
        line, _, self.buf = self.buf.partition(b"\n")
        return line

    def has_input(self):
        """True if the daemon has sent something (or closed) that is not
        read yet, without waiting.  On loopback the kernel queues the
        daemon's bytes for us inside its send call, so after a reply on
        another connection has arrived, False here means the daemon had
        not sent this one's reply before that one: an order of events."""
        if self.buf or self.eof:
            return True
        timeout = self.sock.gettimeout()
        self.sock.settimeout(0)     # a socket with a timeout would wait for input
        try:
            self.sock.recv(1, socket.MSG_PEEK)
            return True             # a byte, or b"" at EOF
        except (BlockingIOError, InterruptedError):
            return False
        except ConnectionResetError:
            return True
        finally:
            self.sock.settimeout(timeout)

    def reply(self):
        line = self.recv_line()
        assert line is not None, "connection closed before a reply"
        return parse_reply(line)

    def request(self, line):
        self.send_line(line)
        return self.reply()

    def read_until_eof(self):
        """Returns (replies, clean): every remaining reply line, and whether
        the close was a FIN rather than a reset."""
        out = []
        clean = True
        while True:
            try:
                line = self.recv_line()
            except ConnectionResetError:
                clean = False
                break
            if line is None:
                break
            out.append(parse_reply(line))
        return out, clean

    def at_eof(self, timeout=IO_TIMEOUT):
        """True if the server closes the connection (without sending
        anything) within timeout."""
        self.sock.settimeout(timeout)
        try:
            d = self.sock.recv(1)
        except ConnectionResetError:
            return True
        except socket.timeout:
            return False
        finally:
            self.sock.settimeout(IO_TIMEOUT)
        assert d == b"", "unexpected bytes %r" % d
        return True

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()


def parse_reply(line):
    """A reply must be one JSON object with a boolean "ok"; errors have the
    exact protocol shape."""
    assert b"\r" not in line and b"\n" not in line
    obj = json.loads(line.decode("utf-8"))
    assert isinstance(obj, dict), line
    assert isinstance(obj.get("ok"), bool), line
    if not obj["ok"]:
        assert set(obj) == {"ok", "error"}, line
        assert set(obj["error"]) == {"code", "message"}, line
        assert obj["error"]["code"] in ERROR_CODES, line
        assert isinstance(obj["error"]["message"], str)
    return obj


ERROR_CODES = {"bad_request", "unknown_command", "line_too_long", "not_found",
               "read_only", "forbidden", "busy", "timeout", "internal"}


def err_code(reply):
    assert reply["ok"] is False, reply
    return reply["error"]["code"]


# -- the daemon ----------------------------------------------------------------

class Daemon:
    """A zhengce-searchd process on a free loopback port."""

    def __init__(self, index, *args, unix=None, listen="127.0.0.1:0", env=None):
        self.index = str(index)
        self.args = [str(a) for a in args]
        self.unix = unix
        self.listen = listen
        self.env = env
        self.proc = None
        self.addr = None
        self.logfile = None

    def start(self, timeout=START_TIMEOUT):
        cmd = [str(SEARCHD), "--index", self.index]
        if self.listen:
            cmd += ["--listen", self.listen]
        if self.unix:
            cmd += ["--unix", str(self.unix)]
        cmd += self.args
        self.logfile = tempfile.NamedTemporaryFile(prefix="searchd-", suffix=".log",
                                                   delete=False)
        env = dict(os.environ)
        if self.env:
            env.update(self.env)
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=self.logfile,
                                     env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log_text()
            if " ready " in text:
                m = re.search(r"listening tcp (\S+):(\d+)", text)
                if m:
                    host = m.group(1).strip("[]")
                    self.addr = (host, int(m.group(2)))
                return self
            if self.proc.poll() is not None:
                raise RuntimeError("zhengce-searchd exited %s:\n%s" %
                                   (self.proc.returncode, text))
            time.sleep(0.02)
        self.kill()
        raise RuntimeError("zhengce-searchd not ready in %ss:\n%s" % (timeout, self.log_text()))

    def log_text(self):
        try:
            with open(self.logfile.name, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def conn(self, timeout=IO_TIMEOUT):
        return Conn(self.addr, timeout)

    def request(self, line):
        with self.conn() as c:
            return c.request(line)

    def send_signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, sig=signal.SIGTERM, timeout=30):
        """Sends sig and waits; returns the exit code."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
            raise AssertionError("zhengce-searchd did not stop in %ss:\n%s" %
                                 (timeout, self.log_text()[-3000:]))

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def rss_kib(self):
        return rss_kib(self.proc.pid)

    def __enter__(self):
        return self.start()

    def __exit__(self, exc_type, *a):
        was_running = self.proc is not None and self.proc.poll() is None
        try:
            rc = self.stop()
        finally:
            self.kill()
        text = self.log_text()
        try:
            os.unlink(self.logfile.name)
        except OSError:
            pass
        if exc_type is None:
            # a clean SIGTERM shutdown exits 0, and sanitizers (make asan)
            # found nothing
            check_sanitizers(text)
            if was_running:
                assert rc == 0, "zhengce-searchd exited %s:\n%s" % (rc, text[-3000:])


SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                   "WARNING: ThreadSanitizer")


def check_sanitizers(text):
    for mark in SANITIZER_MARKS:
        assert mark not in text, "sanitizer report in the daemon log:\n" + text[-6000:]


class External:
    """A daemon someone else runs (ZC_SEARCHD=host:port)."""

    def __init__(self, spec):
        host, _, port = spec.rpartition(":")
        self.addr = (host.strip("[]"), int(port))

    def conn(self, timeout=IO_TIMEOUT):
        return Conn(self.addr, timeout)

    def request(self, line):
        with self.conn() as c:
            return c.request(line)


def rss_kib(pid):
    """VmRSS of a process in KiB (/proc/PID/status)."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


# -- load tools: the overload and hostile-client tests -------------------------

def _sanitized():
    """True for an ASan build (make asan): its daemon is several times
    slower and ASan's quarantine holds freed memory, so the latency and RSS
    bounds, which are about the plain daemon, are reported, not asserted."""
    try:
        with open(SEARCHD, "rb") as f:
            return b"__asan_init" in f.read()
    except OSError:
        return False


SANITIZED = _sanitized()

PING_BOUND_MS = 50.0       # issue 5: PING answered within 50 ms throughout (p99)
PING_CEILING_MS = 200.0    # and no PING at all later than this (a blocked loop)
PING_EVERY_S = 0.01        # the pinger's pause between round trips
FOREIGN_MAX = 0.25         # above this share the machine is not ours: report only
PING_REPORTS = []          # (test, verdict, p99 ms, worst ms, text) of every check_pings
WANT_FDS = 4096            # RLIMIT_NOFILE for 2 000 sockets and more

PINGER = textwrap.dedent(r"""
    import os, select, socket, sys, time
    host, port, every, pid = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    try:
        os.nice(-10)     # the measuring instrument, where permitted (root)
    except OSError:
        pass
    # run-queue wait (ns, the 2nd field of schedstat) of the daemon's event
    # loop (its main thread) and of this process: time each was runnable
    # but had no CPU because of other processes
    def waits():
        try:
            with open("/proc/%s/task/%s/schedstat" % (pid, pid)) as f:
                a = int(f.read().split()[1])
            with open("/proc/thread-self/schedstat") as f:
                b = int(f.read().split()[1])
            return a, b
        except (OSError, IndexError, ValueError):
            return 0, 0
    s = socket.create_connection((host, port), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    out = []
    buf = b""
    def ping():
        global buf
        w0 = waits()
        t = time.perf_counter()
        s.sendall(b"PING\n")
        while b"\n" not in buf:
            d = s.recv(4096)
            if not d:
                raise EOFError("closed")
            buf += d
        line, _, buf = buf.partition(b"\n")
        dt = (time.perf_counter() - t) * 1000.0
        w1 = waits()
        if b'"pong":true' not in line:
            raise ValueError(line[:200])
        return dt, (w1[0] - w0[0]) / 1e6, (w1[1] - w0[1]) / 1e6
    ping()       # the connection is accepted before we say ready
    sys.stdout.write("ready\n"); sys.stdout.flush()
    fail = ""
    while True:
        r, _, _ = select.select([sys.stdin], [], [], every)
        if r:
            break
        try:
            out.append(ping())
        except Exception as e:   # reported, and fails the test
            fail = repr(e)
            break
    sys.stdout.write("fail %s\n" % fail if fail else "ok\n")
    sys.stdout.write(" ".join("%.3f,%.3f,%.3f" % x for x in out) + "\n")
    sys.stdout.flush()
""")


class Pinger:
    """A well-behaved client in its own process (so the hostile clients'
    Python work and the GIL never delay it): one connection, PING every
    PING_EVERY_S.  stop() returns, for each PING, (round trip ms, daemon
    loop run-queue wait ms, pinger run-queue wait ms) and asserts none
    failed."""

    def __init__(self, d):
        self.proc = subprocess.Popen(
            [sys.executable, "-c", PINGER, d.addr[0], str(d.addr[1]), str(PING_EVERY_S),
             str(d.proc.pid)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        assert line.strip() == "ready", "pinger did not start: %r" % line
        self.daemon_pid = d.proc.pid
        self.cpu0 = cpu_counters(self.daemon_pid)

    def stop(self):
        self.foreign = foreign_share(self.cpu0, cpu_counters(self.daemon_pid))
        out, _ = self.proc.communicate("stop\n", timeout=30)
        lines = out.splitlines()
        assert lines and lines[0] == "ok", "a well-behaved PING failed: %r" % lines[:1]
        if len(lines) < 2:
            return []
        return [tuple(float(v) for v in x.split(",")) for x in lines[1].split()]


def cpu_counters(daemon_pid):
    """(wall s, busy CPU s of the whole machine, CPU s of the daemon and of
    this test process)."""
    tick = os.sysconf("SC_CLK_TCK")
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    busy = (sum(v[:8]) - v[3] - v[4]) / tick     # all but idle and iowait
    try:
        with open("/proc/%d/stat" % daemon_pid) as f:
            st = f.read().rsplit(")", 1)[1].split()
        ours = (int(st[11]) + int(st[12])) / tick
    except OSError:
        ours = 0.0
    t = os.times()
    return time.monotonic(), busy, ours + t.user + t.system


def foreign_share(a, b):
    """Share of the machine's CPU capacity used by processes other than the
    daemon and this test (other builds, other test runs) between a and b."""
    wall = max(b[0] - a[0], 1e-3)
    return max(0.0, (b[1] - a[1]) - (b[2] - a[2])) / (wall * (os.cpu_count() or 1))


def check_pings(name, pinger):
    """Asserts the test's PINGs against PING_BOUND_MS (issue 5; docs/security.md,
    "PING under load"): 99 in 100 within it, and every one within
    PING_CEILING_MS.  Why the 99th percentile and not the worst: one ping
    in ~300 can land behind a whole burst of 999 other clients' requests
    in one loop iteration, or behind the kernel's work for 2 000 sockets
    closing at once, charged to the loop thread (CI once measured 54.5 ms
    for the worst of 291 pings, with p99 5.5 ms and no other process on
    the machine); the ceiling still fails a loop that blocks.  What is bounded is the daemon's
    own delay: each round trip minus the time the daemon's loop thread or
    the pinger sat runnable without a CPU because other processes had it
    (the larger of the two, from /proc/.../schedstat), so a machine loaded
    by unrelated work cannot fail the test, while a loop busy with other
    clients' requests, or blocked, still does.  The raw round trips are
    reported beside it.  The one documented loosening: when other
    processes used more than FOREIGN_MAX of the machine's CPU during the
    test (a shared machine; not CI, where make test runs alone) and the
    bound is missed, the test does not fail; against a sanitizer build the
    bound is not asserted at all.  Either case is never silent: the line
    is marked NOT ASSERTED, a pytest warning carries it, and the session
    ends with a summary of every check (conftest.pytest_terminal_summary),
    besides ZC_BUILD/test-logs/overload-latency.txt."""
    samples = pinger.stop()
    assert len(samples) >= (5 if SANITIZED else 20), \
        "too few pings measured (%d)" % len(samples)
    raw = sorted(x[0] for x in samples)
    own = sorted(max(0.0, x[0] - max(x[1], x[2])) for x in samples)
    steal = max(max(x[1], x[2]) for x in samples)

    def pct(v, p):
        return v[min(len(v) - 1, int(p * len(v)))]
    text = ("%s: %d pings; raw round trip p50 %.2f p90 %.2f p99 %.2f max %.2f ms; "
            "less run-queue wait (daemon's own delay) p99 %.2f max %.2f ms "
            "(bound p99 %.0f ms, max %.0f ms); largest run-queue wait in one ping %.2f ms; CPU used by "
            "other processes %.0f%%" %
            (name, len(raw), pct(raw, 0.5), pct(raw, 0.9), pct(raw, 0.99), raw[-1],
             pct(own, 0.99), own[-1], PING_BOUND_MS, PING_CEILING_MS, steal, 100 * pinger.foreign))
    met = pct(own, 0.99) < PING_BOUND_MS and own[-1] < PING_CEILING_MS
    if met:
        verdict = "sanitizer build, not asserted" if SANITIZED else "asserted, met"
    elif SANITIZED:
        verdict = "MISSED, NOT ASSERTED: sanitizer build"
    elif pinger.foreign > FOREIGN_MAX:
        verdict = ("MISSED, NOT ASSERTED: other processes took %.0f%% of the machine "
                   "(over %.0f%%)" % (100 * pinger.foreign, 100 * FOREIGN_MAX))
    else:
        verdict = "MISSED: test fails"
    text += " — " + verdict
    print(text)
    PING_REPORTS.append((name, verdict, pct(own, 0.99), own[-1], text))
    try:
        logdir = BUILD / "test-logs"
        logdir.mkdir(parents=True, exist_ok=True)
        with open(logdir / "overload-latency.txt", "a") as f:
            f.write(time.strftime("%Y-%m-%dT%H:%M:%S ") + text + "\n")
    except OSError:
        pass
    if "NOT ASSERTED" in verdict:
        import warnings
        warnings.warn("PING bound of issue 5 " + text, UserWarning, stacklevel=2)
        return
    assert met or SANITIZED, text


def pump(socks, deadline_s, finished, limit=None):
    """The one reading loop of the load tests: reads every socket (made
    non-blocking) until finished(data, how) says so, where how is "open"
    while it is open and "eof" or "reset" once it ended (an ended socket is
    finished whatever the answer), or the deadline.  Keeps at most about
    limit bytes of each (None: all).  Returns ({sock: [bytes, how]}, how
    many were not finished)."""
    sel = selectors.DefaultSelector()
    got = {}
    for s in socks:
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
        got[s] = [b"", "open"]
    left = len(socks)
    end = time.monotonic() + deadline_s
    while left and time.monotonic() < end:
        for key, _ in sel.select(timeout=0.2):
            s = key.fileobj
            try:
                d = s.recv(65536)
            except BlockingIOError:
                continue
            except ConnectionResetError:
                d, got[s][1] = b"", "reset"
            if d:
                if limit is None or len(got[s][0]) < limit:
                    got[s][0] += d
            elif got[s][1] == "open":
                got[s][1] = "eof"
            how = got[s][1]
            if how == "open":
                if not finished(got[s][0], how):
                    continue
            else:
                finished(got[s][0], how)    # the caller may object to an end
            sel.unregister(s)
            left -= 1
    sel.close()
    return got, left


def read_all(socks, deadline_s, limit=1 << 20):
    """Reads every socket until EOF (or reset) or the deadline, keeping at
    most about limit bytes of each; returns {sock: (bytes, how)} with how in
    eof/reset/timeout."""
    got, _ = pump(socks, deadline_s, lambda data, how: False, limit)
    return {s: (v[0], "timeout" if v[1] == "open" else v[1]) for s, v in got.items()}


def connect(addr):
    """A raw TCP socket to the daemon (blocking, 10 s timeout, no Nagle)."""
    s = socket.create_connection(addr, timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def close_all(socks):
    for s in socks:
        try:
            s.close()
        except OSError:
            pass


def alive(d):
    """Asserts the daemon answers PING on a new connection; returns STATS."""
    with d.conn() as c:
        assert c.request("PING")["pong"] is True
        return c.request("STATS")


def raise_fd_limit():
    """Raises RLIMIT_NOFILE's soft limit towards WANT_FDS (up to the hard
    limit); returns the old limits, for resource.setrlimit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = WANT_FDS if hard == resource.RLIM_INFINITY else min(WANT_FDS, hard)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return soft, hard


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "build-index":
        print(build_index(sys.argv[2]))
    else:
        print("usage: zcproto.py build-index DIR", file=sys.stderr)
        sys.exit(2)
