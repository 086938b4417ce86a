"""zcproto.py — a small client and daemon harness for the zhengce-searchd
integration tests (tests/integration/test_searchd*.py, test_cli*.py).

Owns: starting the real daemon on a free loopback port (``--listen
127.0.0.1:0``; the bound port is read from its "listening tcp" log line),
stopping it, a line-protocol connection with socket timeouts, and the test
index (corpus/sample plus a few controlled documents, built with
zhengce-indexer).  Every wait here is bounded.

Debugging against a daemon you started yourself::

    python3 tests/integration/zcproto.py build-index /tmp/zc-test-index
    build/bin/zhengce-searchd --index /tmp/zc-test-index --listen 127.0.0.1:7420
    ZC_SEARCHD=127.0.0.1:7420 python3 -m pytest tests/integration/test_searchd.py

With ZC_SEARCHD set, the tests that only need a read-only daemon on the test
index use it; tests that need special options still start their own.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "corpus" / "sample"
BUILD = Path(os.environ.get("ZC_BUILD", str(REPO / "build"))).resolve()
BIN = BUILD / "bin"
SEARCHD = BIN / "zhengce-searchd"
INDEXER = BIN / "zhengce-indexer"
CLI = BIN / "zhengce"

IO_TIMEOUT = 30.0       # seconds for any single socket operation
START_TIMEOUT = 60.0    # seconds for the daemon to log "ready" (ASan, a loaded machine)

# -- controlled test documents -----------------------------------------------
# Every one carries the word "zzqtoken" in its body, so a query for it
# matches exactly these; their fields are chosen so each search option has a
# known answer (see test_searchd.py).

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


def log(*a):
    print(*a, file=sys.stderr, flush=True)


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
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

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


# -- the test index ------------------------------------------------------------

def sample_docs():
    """The JSON Lines documents of corpus/sample (text files not included)."""
    docs = []
    for p in sorted(SAMPLE.glob("*.jsonl")):
        with open(p, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    docs.append(json.loads(line))
    return docs


def write_jsonl(path, docs):
    with open(path, "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")


def build_index(index_dir, extra_docs=()):
    """corpus/sample (JSON Lines and text files) + TEST_DOCS + extra_docs,
    indexed with zhengce-indexer.  Returns the index path."""
    index_dir = Path(index_dir)
    with tempfile.TemporaryDirectory() as tmp:
        docs = Path(tmp) / "test-docs.jsonl"
        write_jsonl(docs, list(TEST_DOCS) + list(extra_docs))
        inputs = [str(docs)]
        if SAMPLE.is_dir():
            inputs.insert(0, str(SAMPLE))
        r = subprocess.run([str(INDEXER), "--index", str(index_dir), "--quiet"] + inputs,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
        if r.returncode != 0:
            raise RuntimeError("zhengce-indexer failed (%d): %s" %
                               (r.returncode, r.stderr.decode(errors="replace")[-2000:]))
    return index_dir


_shared = {}


def shared_index():
    """One test index per test process, built on first use and removed at
    exit."""
    if "dir" not in _shared:
        import atexit
        import shutil
        tmp = tempfile.mkdtemp(prefix="zc-test-index-")
        atexit.register(shutil.rmtree, tmp, True)
        _shared["dir"] = build_index(Path(tmp) / "index")
    return _shared["dir"]


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "build-index":
        print(build_index(sys.argv[2]))
    else:
        print("usage: zcproto.py build-index DIR", file=sys.stderr)
        sys.exit(2)
