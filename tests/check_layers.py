#!/usr/bin/env python3
"""check_layers.py — the layer check: nothing below includes from above.

Owns: reading every `#include "..."` of the product code (the folders of
LAYERS below; never tests/ or bench/), resolving it to a file the way the
compiler does, and failing on
  (a) an include that leaves its folder for one that is not a lower layer
      (upward, e.g. wrappers/ -> lib/, or sideways between two programs,
      e.g. indexer/ -> searchd/);
  (b) an include cycle between modules (a module is a .c/.cc and its .h:
      searchd/conn.c + searchd/conn.h), e.g. conn -> server -> conn;
  (c) a header of ours that an -I directory makes stand in for a system
      header (lib/limits.h is what `#include <limits.h>` finds with -Ilib;
      the Makefile uses -iquote, which <...> never searches);
  (d) a quoted include of ours not written as its path from the top
      ("lib/analyzer.h", not "analyzer.h"), but for the public headers'
      includes of each other (PUBLIC_SIBLING_INCLUDES).
With --objs DIR (the build's object tree, build/obj), also the link-level
dependencies: a module's object using a global symbol another module's
object defines (nm) counts as an edge for (a) and (b), so a call cycle
hidden behind one shared header (cli.c <-> cli_shell.c through cli.h) is
found too.
Each violation is printed as file:line: what.  Exit 0 when there is none
that the allowlist does not name, 1 otherwise, 2 on a usage error.

Must never: edit the tree; pass when it found no product file.

Allowlist (tests/layers-allow.txt): one edge per line, `FROM -> TO`, then
`# why`.  FROM and TO are files (wrappers/xapian.cc, lib/error.h) or modules
(wrappers/xapian, lib/error: every file of the module); an allowed include
is left out of checks (a) and (b), so allowing one edge of a cycle allows
the cycle.  `HEADER -> <name>` allows a stand-in for a system header (c).
Entries that no longer match anything are listed as stale (not a failure):
delete them as the fixes land.

Usage: check_layers.py [--root DIR] [--allow FILE] [--objs DIR]
"""

import argparse
import os
import re
import subprocess
import sys

# The layers, lowest first.  A file may include files of its own folder and
# of any folder of a LOWER layer; never of a higher or the same layer.
# A folder not listed is not product code (tests/, bench/, docs/, corpus/).
LAYERS = {
    "base": 0,        # errors, buffers, one UTF-8 codec (future)
    "wrappers": 1,    # thin C faces of Xapian, utf8proc, friso, OpenCC
    "lib": 2,         # the library: analysis, documents, index, search
    "protocol": 3,    # wire formats (future)
    "client": 3,      # the protocol client library (future)
    "indexer": 4,     # programs
    "searchd": 4,
    "cli": 4,
}
LAYER_NAMES = {0: "base", 1: "wrappers", 2: "library", 3: "protocol/client", 4: "programs"}

SOURCE_EXT = (".c", ".h", ".cc", ".hh", ".cpp", ".hpp")
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^">]+)[">]')
# include directories when the Makefile cannot be read (it is read: see below)
DEFAULT_INCLUDE_DIRS = ["."]

# Quoted includes written by a file's name alone although the file is not
# next to them: the public headers include each other this way, as they
# stand side by side once installed (make install's PUBLIC_HEADERS).
PUBLIC_SIBLING_INCLUDES = {
    ("lib/zhengce.h", "zc_status.h"),
    ("client/zc_client.h", "zc_status.h"),
}


def include_dirs(root):
    """(quote_dirs, angle_dirs): the directories of the Makefile's CPPFLAGS
    that `#include "..."` searches after the including file's own folder
    (-iquote and -I, in order) and those that `#include <...>` searches
    (-I only: an -iquote directory never stands in for a system header)."""
    try:
        with open(os.path.join(root, "Makefile"), encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return DEFAULT_INCLUDE_DIRS, []
    quote, angle = [], []
    for m in re.finditer(r'^CPPFLAGS\s*[+:?]?=(.*)$', text, re.M):
        for kind, d in re.findall(r'(?:^|\s)(-iquote\s*|-I)(\S+)', m.group(1)):
            if "$" in d:
                continue
            d = os.path.normpath(d)
            if d not in quote:
                quote.append(d)
            if kind == "-I" and d not in angle:
                angle.append(d)
    return (quote or DEFAULT_INCLUDE_DIRS), angle


def system_include_dirs():
    """The compiler's own include directories (for check (c))."""
    dirs = []
    for lang in ("c", "c++"):
        try:
            p = subprocess.run([os.environ.get("CC", "cc"), "-x", lang, "-E", "-v", "-"],
                               input="", capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.SubprocessError):
            continue
        inside = False
        for line in p.stderr.splitlines():
            if line.startswith("#include <...> search starts here"):
                inside = True
            elif line.startswith("End of search list"):
                inside = False
            elif inside:
                d = line.strip().split(" (")[0]
                if d not in dirs:
                    dirs.append(d)
    return dirs


def product_files(root):
    """Every source file under the LAYERS folders, relative to root."""
    out = []
    for folder in sorted(LAYERS):
        top = os.path.join(root, folder)
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames.sort()
            for name in sorted(filenames):
                if name.endswith(SOURCE_EXT):
                    out.append(os.path.relpath(os.path.join(dirpath, name), root))
    return out


def folder_of(rel):
    return rel.split(os.sep, 1)[0]


def module_of(rel):
    """foo.c, foo.cc and foo.h are module foo; so is foo_internal.h, the
    private half of foo's interface that foo's files share with each other
    (e.g. the layout of a struct foo.h keeps opaque)."""
    base = os.path.splitext(rel)[0]
    if rel.endswith(".h") and base.endswith("_internal"):
        base = base[: -len("_internal")]
    return base


def resolve(root, rel, target, quoted, idirs):
    """The file (relative to root) that `#include "target"` (quoted) or
    `#include <target>` in rel names, or None when it is none of ours."""
    cands = ([os.path.dirname(rel)] if quoted else []) + idirs
    for d in cands:
        p = os.path.normpath(os.path.join(d, target))
        if p.startswith(".."):
            continue
        if os.path.isfile(os.path.join(root, p)):
            return p
    return None


def link_edges(root, files, objdir):
    """{(module, module): (object, symbol, defining object)} for every global
    symbol one product object uses and another defines; and the number of
    product objects found under objdir."""
    objs = {}
    for rel in files:
        if rel.endswith((".c", ".cc", ".cpp")):
            o = os.path.join(objdir, module_of(rel) + ".o")
            if os.path.isfile(o):
                objs[o] = rel
    if not objs:
        return {}, 0
    def nm(*flags):
        p = subprocess.run(["nm", "-A", *flags, *sorted(objs)], capture_output=True,
                           text=True, timeout=120)
        if p.returncode != 0:
            print(f"check_layers: nm failed: {p.stderr[-500:]}")
            sys.exit(2)
        for line in p.stdout.splitlines():
            head, _, rest = line.partition(":")
            parts = rest.split()
            if len(parts) >= 2 and head in objs:
                yield objs[head], parts[-2], parts[-1]
    defs = {}
    for rel, kind, sym in nm("--defined-only"):
        if kind in "TDBRG" and sym != "main":      # global, not weak (templates)
            defs.setdefault(sym, []).append(rel)
    edges = {}
    for rel, kind, sym in nm("-u"):
        if kind != "U" or sym not in defs:
            continue
        where = defs[sym]
        to = next((d for d in where if folder_of(d) == folder_of(rel)), where[0])
        a, b = module_of(rel), module_of(to)
        if a != b:
            edges.setdefault((rel, to), sym)
    return edges, len(objs)


def first_use(root, rel, sym):
    """The first line of rel that uses sym inside a function or initializer
    (an indented line; column-0 lines are declarations), else the first that
    names it, else 1 (a macro made the name)."""
    pat = re.compile(r"\b%s\b" % re.escape(sym))
    first = None
    with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            if pat.search(line) and not INCLUDE_RE.match(line):
                if line[:1].isspace():
                    return n
                first = first or n
    return first or 1


def read_allow(path):
    """[(from, to, line number)] of the allowlist; a missing file is empty."""
    allow = []
    if not path or not os.path.exists(path):
        return allow
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            m = re.fullmatch(r'(\S+)\s*->\s*(\S+)', line)
            if not m:
                print(f"{path}:{n}: not 'FROM -> TO': {line}")
                sys.exit(2)
            allow.append((os.path.normpath(m.group(1)), m.group(2), n))
    return allow


def strongly_connected(graph):
    """Tarjan's algorithm: the components of more than one node."""
    index, low, on, stack, comps = {}, {}, set(), [], []
    counter = [0]
    sys.setrecursionlimit(max(10000, sys.getrecursionlimit()))

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return comps


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--root", default=os.path.dirname(here), help="the source tree")
    ap.add_argument("--objs", default=None,
                    help="object tree (build/obj) for the link-level edges")
    ap.add_argument("--allow", default=None,
                    help="the allowlist (default ROOT/tests/layers-allow.txt)")
    args = ap.parse_args()
    root = os.path.abspath(args.root)
    allow_path = args.allow or os.path.join(root, "tests", "layers-allow.txt")
    allow = read_allow(allow_path)
    used = set()

    def allowed(frm, to):
        for a_from, a_to, n in allow:
            if a_from in (frm, module_of(frm)) and a_to in (to, module_of(to)):
                used.add(n)
                return True
        return False

    idirs, angle_dirs = include_dirs(root)
    files = product_files(root)
    if not files:
        print(f"check_layers: no product file under {root} (folders: {', '.join(sorted(LAYERS))})")
        return 1

    violations = []
    edges = {}          # module -> {module: "where: what" of the first edge}

    def layer_check(frm, to, where):
        ff, tf = folder_of(frm), folder_of(to)
        if tf not in LAYERS:
            violations.append(f"{where}, which is not product code")
        elif ff != tf and LAYERS[tf] >= LAYERS[ff]:
            how = "upward" if LAYERS[tf] > LAYERS[ff] else "sideways"
            violations.append(
                f"{where}: {how} "
                f"({ff}/ is {LAYER_NAMES[LAYERS[ff]]}, {tf}/ is {LAYER_NAMES[LAYERS[tf]]})")
        a, b = module_of(frm), module_of(to)
        if a != b:
            edges.setdefault(a, {}).setdefault(b, where)

    n_includes = 0
    for rel in files:
        with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
            lines = f.readlines()
        for ln, line in enumerate(lines, 1):
            m = INCLUDE_RE.match(line)
            if not m:
                continue
            quoted = m.group(1) == '"'
            if not quoted:
                continue        # <...> of ours is check (c)'s business
            to = resolve(root, rel, m.group(2), quoted, idirs)
            if to is None:
                continue        # not one of our files
            n_includes += 1
            # (d) written as its path from the top, so that the file it
            # names does not depend on the includer's folder or -I order
            if (m.group(2) != to and (rel, m.group(2)) not in PUBLIC_SIBLING_INCLUDES
                    and not allowed(rel, "unqualified")):
                violations.append(f'{rel}:{ln}: includes "{m.group(2)}", not by its path '
                                  f'from the top ("{to}")')
            if allowed(rel, to):
                continue
            layer_check(rel, to, f"{rel}:{ln}: includes {to}")

    n_objs = 0
    if args.objs:
        ledges, n_objs = link_edges(root, files, args.objs)
        if n_objs == 0:
            print(f"check_layers: no product object under {args.objs} (make first)")
            return 1
        for (frm, to), sym in sorted(ledges.items()):
            if not allowed(frm, to):
                layer_check(frm, to, f"{frm}:{first_use(root, frm, sym)}: uses {sym}, defined in {to}")

    graph = {a: set(bs) for a, bs in edges.items()}
    for comp in strongly_connected(graph):
        members = set(comp)
        violations.append("dependency cycle between modules " + " <-> ".join(comp) + ":")
        for a in comp:
            for b in sorted(edges.get(a, {})):
                if b in members:
                    violations.append(f"  {edges[a][b]}")

    # (c) our headers that -I makes stand in for system headers
    sysdirs = system_include_dirs()
    n_shadow_checked = 0
    for d in angle_dirs:
        top = os.path.join(root, d)
        if not os.path.isdir(top):
            continue
        for dirpath, _, filenames in os.walk(top):
            for name in sorted(filenames):
                if not name.endswith((".h", ".hh", ".hpp")):
                    continue
                n_shadow_checked += 1
                hdr = os.path.relpath(os.path.join(dirpath, name), root)
                sub = os.path.relpath(os.path.join(dirpath, name), top)
                hit = next((s for s in sysdirs if os.path.isfile(os.path.join(s, sub))), None)
                if hit is None:
                    continue
                target = f"<{sub}>"
                if allowed(hdr, target):
                    continue
                violations.append(
                    f"{hdr}:1: stands in for the system header {target} ({hit}/{sub}) "
                    f"in every file built with -I{d}")

    stale = [(f, t, n) for f, t, n in allow if n not in used]
    for f, t, n in stale:
        print(f"{allow_path}:{n}: stale allowlist entry (matches nothing): {f} -> {t}")
    for v in violations:
        print(v)
    n_viol = sum(1 for v in violations if not v.startswith("  "))
    summary = (f"{len(files)} files, {n_includes} includes of our own files, "
               + (f"{n_objs} objects, " if args.objs else "") +
               f"{len(allow) - len(stale)} allowlisted, quoted includes from {' '.join(idirs)}"
               + (f", -I {' '.join(angle_dirs)}" if angle_dirs else ""))
    if n_viol:
        print(f"check_layers: {n_viol} violation(s) ({summary})")
        return 1
    print(f"check_layers: no violation beyond the allowlist ({summary})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
