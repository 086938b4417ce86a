# zhengce — build, test, demo.  `make help` lists the targets.
#
# Every dependency comes through pkg-config.  Programs go to $(BUILD)/bin,
# the library to $(BUILD)/lib.  Warnings are errors.

BUILD      ?= build
PREFIX     ?= /usr/local
DESTDIR    ?=
SHARED     ?= $(abspath ../shared)
PYTHON     ?= /usr/bin/python3
SAN        ?=

# LIB_PKGS: what libzhengce itself links (lib/, wrappers/); the programs add
# PROG_PKGS.  zhengce.pc lists LIB_PKGS' -l flags in Libs.private only:
# zhengce.h includes none of their headers, so their Cflags stay out of
# `pkg-config --cflags zhengce`.
LIB_PKGS   := xapian-core libutf8proc jansson friso opencc libzstd nettle
PROG_PKGS  := libevent libevent_pthreads
PKGS       := $(LIB_PKGS) $(PROG_PKGS)
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LIB_PKG_LIBS := $(shell pkg-config --libs $(LIB_PKGS) 2>/dev/null)
CMOCKA_LIBS:= $(shell pkg-config --libs cmocka 2>/dev/null)
EDIT_CFLAGS:= $(shell pkg-config --cflags libedit 2>/dev/null)
EDIT_LIBS  := $(shell pkg-config --libs libedit 2>/dev/null)

CC         ?= cc
CXX        ?= c++
OPT        ?= -O2
WARN       := -Wall -Wextra -Werror
ifeq ($(SAN),1)
OPT        := -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDSAN      := -fsanitize=address,undefined
endif
# Our headers are included by their path from the top ("lib/analyzer.h"),
# through -iquote, which #include "..." searches and #include <...> never
# does: no header of ours can stand in for a system one (lib/limits.h for
# <limits.h>, base/error.h for <error.h>).  base/ is searched too for the
# one unqualified include, zhengce.h's "zc_status.h", which stands beside it
# once installed.
CPPFLAGS   += -D_GNU_SOURCE -iquote . -iquote base $(PKG_CFLAGS)
CFLAGS     += -std=c11 -g $(OPT) $(WARN) -fPIC -fvisibility=hidden -pthread
CXXFLAGS   += -std=c++17 -g $(OPT) $(WARN) -fPIC -fvisibility=hidden -pthread
LDFLAGS    += $(LDSAN) -pthread
LIBS       := $(PKG_LIBS) -lstdc++ -lm
LIB_LIBS   := $(LIB_PKG_LIBS) -lstdc++ -lm

LIB_C      := $(sort $(wildcard base/*.c lib/*.c wrappers/*.c))
LIB_CXX    := $(sort $(wildcard wrappers/*.cc))
# The built-in synonym list (lib/synonyms.h): data/synonyms.txt as a C
# string, generated into $(BUILD)/gen/ and linked into the library.
SYN_GEN    := $(BUILD)/gen/synonyms_builtin
LIB_OBJ    := $(LIB_C:%.c=$(BUILD)/obj/%.o) $(LIB_CXX:%.cc=$(BUILD)/obj/%.o) \
              $(BUILD)/obj/gen/synonyms_builtin.o

# Program modules.  Each is built into $(BUILD)/lib/libzc-<module>.a: its
# objects minus the one holding main() (MAIN_<module>), so unit tests link a
# module's code instead of #include-ing its .c files.  A module is a folder:
# protocol/ (the framer, parser, replies and the executor: above the
# library, below the programs) and the three programs.
MODULES      := indexer searchd cli protocol
MOD_indexer  := $(sort $(wildcard indexer/*.c))
MOD_searchd  := $(sort $(wildcard searchd/*.c))
MOD_cli      := $(sort $(wildcard cli/*.c))
MOD_protocol := $(sort $(wildcard protocol/*.c))
MAIN_indexer := indexer/main.c
MAIN_searchd := searchd/main.c
MAIN_cli     := cli/cli.c
modarch       = $(BUILD)/lib/libzc-$(1).a
modmain       = $(MAIN_$(1):%.c=$(BUILD)/obj/%.o)
MOD_ARCHIVES := $(foreach m,$(MODULES),$(call modarch,$(m)))
PROTO_LIB    := $(call modarch,protocol)
# The protocol client library (client/zc_client.h): installed, with no
# dependency but libc (see README, "Dependencies, and why each").
CLIENT_C   := $(sort $(wildcard client/*.c))
CLIENT_OBJ := $(CLIENT_C:%.c=$(BUILD)/obj/%.o)
CLIENT_LIB := $(BUILD)/lib/libzhengce-client.a
CLIENT_SO  := $(BUILD)/lib/libzhengce-client.so
UNIT_C     := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN   := $(UNIT_C:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_C    := $(sort $(wildcard bench/*.c))
BENCH_BIN  := $(BENCH_C:bench/%.c=$(BUILD)/bench/%)
EXAMPLE_C  := $(sort $(wildcard docs/examples/*.c))
EXAMPLE_BIN:= $(EXAMPLE_C:docs/examples/%.c=$(BUILD)/examples/%)

# What `make install` puts in $(PREFIX)/include: every header a program using
# the library needs (a protocol-client header joins this list).
PUBLIC_HEADERS := lib/zhengce.h base/zc_status.h client/zc_client.h

STATIC_LIB := $(BUILD)/lib/libzhengce.a
SHARED_LIB := $(BUILD)/lib/libzhengce.so
PROGRAMS   := $(BUILD)/bin/zhengce-indexer $(BUILD)/bin/zhengce-searchd $(BUILD)/bin/zhengce

.PHONY: all lib modules programs tests test check unit integration asan valgrind demo deps install clean help \
        bench bench-quick bench-searchd bench-counts check-exports check-layers examples

all: lib programs examples tests

help:
	@echo "make deps      install the Debian packages that are missing (apt-get)"
	@echo "make           build library, programs, examples and tests into $(BUILD)/"
	@echo "make demo      deps + build + index corpus/ + one query in each language"
	@echo "make check     the edit loop (< 2 min with -j2): build, unit tests, the export,"
	@echo "               install and layer checks, integration tests on the sample corpus"
	@echo "make test      everything CI runs: check + real corpora, crash, overload, fuzz,"
	@echo "               ASan+UBSan, valgrind; one summary line"
	@echo "make asan      the same tests under ASan+UBSan (build-asan/)"
	@echo "make install   PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)"
	@echo "make bench     benchmarks (see docs/benchmarks.md)"

lib: $(STATIC_LIB) $(SHARED_LIB) $(CLIENT_LIB) $(CLIENT_SO) $(BUILD)/lib/pkgconfig/zhengce.pc
programs: $(PROGRAMS)
tests: $(UNIT_BIN)
examples: $(EXAMPLE_BIN)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -DZC_BUILDING_LIBRARY $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/obj/%.o: %.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) -DZC_BUILDING_LIBRARY $(CXXFLAGS) -MMD -MP -c $< -o $@

# Each line a string literal ("...\n"): '\' '"' and '?' (trigraphs) escaped.
$(SYN_GEN).c: data/synonyms.txt Makefile
	@mkdir -p $(dir $@)
	{ echo '/* generated from data/synonyms.txt by the Makefile: do not edit */'; \
	  echo '#include <stddef.h>'; \
	  echo 'extern const char zc_syn_builtin_data[];'; \
	  echo 'extern const size_t zc_syn_builtin_size;'; \
	  echo 'const char zc_syn_builtin_data[] ='; \
	  sed -e 's/[\\"?]/\\&/g' -e 's/^/    "/' -e 's/$$/\\n"/' $<; \
	  echo '    "";'; \
	  echo 'const size_t zc_syn_builtin_size = sizeof zc_syn_builtin_data - 1;'; } > $@.tmp
	mv $@.tmp $@

$(BUILD)/obj/gen/synonyms_builtin.o: $(SYN_GEN).c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -DZC_BUILDING_LIBRARY $(CFLAGS) -c $< -o $@

$(STATIC_LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# lib/libzhengce.map keeps every symbol but zc_* local (tests/check_exports.sh).
$(SHARED_LIB): $(LIB_OBJ) lib/libzhengce.map
	@mkdir -p $(dir $@)
	$(CXX) -shared -Wl,-soname,libzhengce.so.0 -Wl,--version-script=lib/libzhengce.map \
	  -Wl,--no-undefined $(LDFLAGS) -o $@.0 $(LIB_OBJ) $(LIB_LIBS)
	ln -sf libzhengce.so.0 $@

# zhengce.pc for PREFIX; `make install` writes it again for its own PREFIX.
PC_SED = sed -e 's|@PREFIX@|$(1)|g' -e 's|@VERSION@|0.1.0|g' -e 's|@PRIVATE_LIBS@|$(LIB_PKG_LIBS)|g'

$(CLIENT_LIB): $(CLIENT_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(CLIENT_SO): $(CLIENT_OBJ)
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,-soname,libzhengce-client.so.0 $(LDFLAGS) -o $@.0 $^
	ln -sf libzhengce-client.so.0 $@

$(BUILD)/lib/pkgconfig/zhengce.pc: zhengce.pc.in Makefile
	@mkdir -p $(dir $@)
	$(call PC_SED,$(PREFIX)) $< > $@

# The program modules' archives (see MODULES).
define MOD_RULE
$(call modarch,$(1)): $(patsubst %.c,$(BUILD)/obj/%.o,$(filter-out $(MAIN_$(1)),$(MOD_$(1))))
	@mkdir -p $$(dir $$@)
	rm -f $$@ && ar rcs $$@ $$^
endef
$(foreach m,$(MODULES),$(eval $(call MOD_RULE,$(m))))
modules: $(MOD_ARCHIVES)

# Programs: main's object, their modules' archives, the static library; one
# self-contained binary each.  Archives come before the archives they use.
$(BUILD)/bin/zhengce-indexer: $(call modmain,indexer) $(call modarch,indexer) $(PROTO_LIB) $(CLIENT_LIB) $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/bin/zhengce-searchd: $(call modmain,searchd) $(call modarch,searchd) $(PROTO_LIB) $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LIBS)

$(MOD_cli:%.c=$(BUILD)/obj/%.o): CFLAGS += $(EDIT_CFLAGS)
$(BUILD)/bin/zhengce: $(call modmain,cli) $(call modarch,cli) $(PROTO_LIB) $(CLIENT_LIB) $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LIBS) $(EDIT_LIBS)

# Unit tests link every module archive (only the members a test uses are
# linked), in MODULES order, then the library.
$(BUILD)/tests/%: tests/unit/%.c $(MOD_ARCHIVES) $(CLIENT_LIB) $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Wno-unused-parameter -MMD -MP -MF $@.d -o $@ $< $(TEST_EXTRA_OBJ) $(MOD_ARCHIVES) $(CLIENT_LIB) $(STATIC_LIB) $(LDFLAGS) $(LIBS) $(CMOCKA_LIBS)

# Test support in C++ (Xapian's QueryParser, TermGenerator, MSet::snippet,
# shards, the query serialisation check: tests/unit/xapian_testutil.h),
# kept out of the library and linked into the unit tests that use it.
TESTUTIL_OBJ   := $(BUILD)/obj/tests/unit/xapian_testutil.o
TESTUTIL_TESTS := $(BUILD)/tests/test_xapian
$(TESTUTIL_TESTS): $(TESTUTIL_OBJ)
$(TESTUTIL_TESTS): TEST_EXTRA_OBJ := $(TESTUTIL_OBJ)

$(BUILD)/bench/%: bench/%.c $(PROTO_LIB) $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(PROTO_LIB) $(STATIC_LIB) $(LDFLAGS) $(LIBS)

# The example uses only the public header and the shared library, as an
# embedding program would.
$(BUILD)/examples/%: docs/examples/%.c $(SHARED_LIB)
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(OPT) $(WARN) -Ilib -Ibase -o $@ $< -L$(BUILD)/lib -Wl,-rpath,$(abspath $(BUILD)/lib) -lzhengce $(LDSAN)

# ---- tests ----------------------------------------------------------------

# make test: unit, fuzz, integration on $(BUILD), then the same (minus the
# real-corpus scale tests) on an ASan+UBSan build in $(BUILD)-asan; see
# tests/run.sh.  ZC_ASAN_STAGE=0 skips that last stage.
test: all $(BUILD)/bench/evalq
	@BUILD=$(BUILD) SHARED=$(SHARED) PYTHON=$(PYTHON) SAN=$(SAN) bash tests/run.sh

# make check: the edit loop (tests/run.sh check): unit, the export, install
# and layer checks, and the integration tests on the bundled sample corpus:
# none of the real-corpus, crash or overload tests, no fuzz, ASan or
# valgrind.  Ends with "make check: N passed, N failed, N skipped".
check: all
	@BUILD=$(BUILD) SHARED=$(SHARED) PYTHON=$(PYTHON) bash tests/run.sh check

unit: lib tests
	@BUILD=$(BUILD) SHARED=$(SHARED) PYTHON=$(PYTHON) bash tests/run.sh unit

integration: all
	@BUILD=$(BUILD) SHARED=$(SHARED) PYTHON=$(PYTHON) bash tests/run.sh integration

asan:
	$(MAKE) BUILD=build-asan SAN=1 test

# A zhengce-searchd session (1 000 mixed requests, SIGTERM) under valgrind
# memcheck: no invalid access, no definite or indirect leak.
valgrind: programs
	@ZC_BUILD=$(abspath $(BUILD)) $(PYTHON) tests/valgrind/searchd_session.py

check-exports: $(SHARED_LIB)
	@bash tests/check_exports.sh $(SHARED_LIB) lib/zhengce.h base/zc_status.h

# The layer check alone: includes, and link dependencies from $(BUILD)/obj.
check-layers: programs
	@$(PYTHON) tests/check_layers.py --objs $(BUILD)/obj

# ---- demo, deps, install --------------------------------------------------

deps:
	@bash .ci/deps.sh

demo: deps
	$(MAKE) lib programs
	rm -rf $(BUILD)/demo-index
	$(BUILD)/bin/zhengce-indexer --index $(BUILD)/demo-index corpus/sample
	@echo; echo '$$ zhengce search --index $(BUILD)/demo-index 振兴东北 老工业基地'
	@$(BUILD)/bin/zhengce search --index $(BUILD)/demo-index --limit 3 '振兴东北 老工业基地'
	@echo; echo '$$ zhengce search --index $(BUILD)/demo-index "revitalize northeast"'
	@$(BUILD)/bin/zhengce search --index $(BUILD)/demo-index --limit 3 'revitalize northeast'

install: lib programs
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include
	install -m 755 $(PROGRAMS) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(STATIC_LIB) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(SHARED_LIB).0 $(DESTDIR)$(PREFIX)/lib/
	ln -sf libzhengce.so.0 $(DESTDIR)$(PREFIX)/lib/libzhengce.so
	install -m 644 $(CLIENT_LIB) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(CLIENT_SO).0 $(DESTDIR)$(PREFIX)/lib/
	ln -sf libzhengce-client.so.0 $(DESTDIR)$(PREFIX)/lib/libzhengce-client.so
	install -m 644 $(PUBLIC_HEADERS) $(DESTDIR)$(PREFIX)/include/
	install -d $(DESTDIR)$(PREFIX)/share/zhengce
	install -m 644 data/synonyms.txt $(DESTDIR)$(PREFIX)/share/zhengce/
	$(call PC_SED,$(PREFIX)) zhengce.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/zhengce.pc
	chmod 644 $(DESTDIR)$(PREFIX)/lib/pkgconfig/zhengce.pc

# ---- benchmarks -----------------------------------------------------------

bench: all $(BENCH_BIN)
	@BUILD=$(BUILD) SHARED=$(SHARED) bash bench/run.sh full

bench-quick: all $(BENCH_BIN)
	@BUILD=$(BUILD) SHARED=$(SHARED) bash bench/run.sh quick

bench-searchd: all $(BENCH_BIN)
	@BUILD=$(BUILD) SHARED=$(SHARED) bash bench/run.sh searchd

# The cost of exact totals (docs/benchmarks.md, "Exact counts").
bench-counts: all $(BENCH_BIN)
	@BUILD=$(BUILD) SHARED=$(SHARED) PYTHON=$(PYTHON) bash bench/run.sh counts

clean:
	rm -rf build build-asan

-include $(shell find $(BUILD)/obj $(BUILD)/tests -name '*.d' 2>/dev/null)

# ---- fuzzing ----------------------------------------------------------------
# libFuzzer harnesses (tests/fuzz/fuzz_*.c) built with clang, ASan and UBSan
# into $(BUILD)/fuzz/.  The library sources each one needs are compiled again,
# instrumented, into $(BUILD)/fuzz-obj/, never mixed with $(BUILD)/obj/.
#   make fuzz FUZZ_SECONDS=N   runs every harness N seconds (default 60)
#   make fuzz-short            runs each FUZZ_SHORT_SECONDS, two at a time
#                              (tests/run.sh calls it for make test)
# Runs work on a copy of tests/fuzz/corpus/<harness>/ in $(BUILD)/fuzz/work/,
# so new inputs never land in the repository; a crash is saved under
# $(BUILD)/fuzz/artifacts/<harness>/ and fails the target.
.PHONY: fuzz fuzz-short fuzz-build

FUZZ_CC            ?= clang
FUZZ_CXX           ?= clang++
FUZZ_SECONDS       ?= 60
FUZZ_JOBS          ?= 1
FUZZ_SHORT_SECONDS ?= 8
FUZZ_SHORT_JOBS    ?= 2
FUZZ_SAN   := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
              -fno-omit-frame-pointer
# Library objects carry coverage (fuzzer-no-link) so libFuzzer is guided
# through them too.  They are not -Werror here: everyone else builds them
# with gcc, and a clang-only warning in a file being edited must not fail
# make test.  The harnesses themselves are -Werror.
FUZZ_CFLAGS   := -std=c11 -g -O1 -Wall -Wextra $(FUZZ_SAN) -fsanitize=fuzzer-no-link -pthread
FUZZ_CXXFLAGS := -std=c++17 -g -O1 -Wall -Wextra $(FUZZ_SAN) -fsanitize=fuzzer-no-link -pthread
FUZZ_HFLAGS   := -std=c11 -g -O1 $(WARN) $(FUZZ_SAN) -fsanitize=fuzzer -pthread

FUZZ_NAMES := $(patsubst tests/fuzz/%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_BIN   := $(FUZZ_NAMES:%=$(BUILD)/fuzz/%)
# What each harness links, as an archive (only the members it uses are
# linked): what it needs, so that a half-written module elsewhere does not
# stop the others from building.  A harness not listed gets the whole
# library.
FUZZ_ANALYSIS           := base/error base/utf8 lib/zhengce lib/norm lib/analyzer lib/docno lib/unit \
                           $(patsubst %.c,%,$(wildcard wrappers/*.c)) $(LIB_CXX:%.cc=%)
FUZZ_DEPS_fuzz_proto    := protocol/proto protocol/reply base/utf8 base/error lib/zhengce
FUZZ_DEPS_fuzz_doc      := $(FUZZ_ANALYSIS) lib/docmodel
FUZZ_DEPS_fuzz_analyzer := $(FUZZ_ANALYSIS)
FUZZ_LIB_ALL            := $(LIB_C:%.c=%) $(LIB_CXX:%.cc=%) $(SYN_GEN)

fuzz-build: $(FUZZ_BIN)

fuzz: fuzz-build
	@bash tests/fuzz/run.sh "$(BUILD)" "$(FUZZ_SECONDS)" "$(FUZZ_JOBS)" $(FUZZ_NAMES)

fuzz-short: fuzz-build
	@bash tests/fuzz/run.sh "$(BUILD)" "$(FUZZ_SHORT_SECONDS)" "$(FUZZ_SHORT_JOBS)" $(FUZZ_NAMES)

$(BUILD)/fuzz-obj/tests/fuzz/%.o: tests/fuzz/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_HFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/fuzz-obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) -DZC_BUILDING_LIBRARY $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/fuzz-obj/%.o: %.cc
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(CPPFLAGS) -DZC_BUILDING_LIBRARY $(FUZZ_CXXFLAGS) -MMD -MP -c $< -o $@

# Linked by clang++: xapian.cc needs the C++ runtime and UBSan's C++ part.
define FUZZ_LINK_RULE
$(BUILD)/fuzz-obj/lib$(1).a: $(patsubst %,$(BUILD)/fuzz-obj/%.o,$(or $(FUZZ_DEPS_$(1)),$(FUZZ_LIB_ALL)))
	rm -f $$@ && ar rcs $$@ $$^

$(BUILD)/fuzz/$(1): $(BUILD)/fuzz-obj/tests/fuzz/$(1).o $(BUILD)/fuzz-obj/lib$(1).a
	@mkdir -p $$(dir $$@)
	$(FUZZ_CXX) $(FUZZ_SAN) -fsanitize=fuzzer -pthread -o $$@ $$^ $(LIBS)
endef
$(foreach h,$(FUZZ_NAMES),$(eval $(call FUZZ_LINK_RULE,$(h))))

-include $(shell find $(BUILD)/fuzz-obj -name '*.d' 2>/dev/null)

# ---- eval ----------------------------------------------------------------------
# make eval: measured search quality per analyzer (ngram, words, hybrid) on the
# shared corpora, plus the zh-ir and SIGHAN yardsticks; prints the table and
# writes docs/quality.md.  Work files and indexes go to $(BUILD)/eval/.
#   make eval EVAL_ARGS='--analyzers ngram --per-class 100'   (options: eval.py --help)
.PHONY: eval
EVAL_ARGS ?=

eval: all $(BENCH_BIN)
	@BUILD=$(BUILD) SHARED=$(SHARED) PYTHON=$(PYTHON) bash bench/eval/run.sh $(EVAL_ARGS)

# wrappers/segmenter.c makes friso's MMSEG choice itself (faster); a build
# with -DZC_SEG_VERIFY also asks friso at every look-up and word and aborts
# on any difference.  seg-verify runs such a build over both SIGHAN test
# sets (cache off, so every run is segmented), which must end without abort.
.PHONY: seg-verify
seg-verify:
	$(MAKE) --no-print-directory BUILD=$(BUILD)-segverify \
	  CC="$(CC) -DZC_SEG_VERIFY -DSEG_CACHE_MAX_CHARS=1" $(BUILD)-segverify/bench/segeval
	@for c in pku msr; do \
	  $(BUILD)-segverify/bench/segeval -o $(BUILD)-segverify/seg-$$c.out \
	    $(SHARED)/seg-gold/$${c}_test.utf8 $(SHARED)/seg-gold/$${c}_test_gold.utf8 || exit 1; \
	done; echo "seg-verify: friso and zhengce's segmenter agree at every word"

# ---- bench peers ------------------------------------------------------------
# The programs `make bench` measures zhengce against (bench/run.sh,
# docs/benchmarks.md): bench/*.cc (the Xapian bound) are built here with
# pkg-config xapian-core; bench/fts5_bench.c gets SQLite on top of the
# generic bench/*.c rule.  Debian's libsqlite3-dev is installed on demand.
.PHONY: bench-peer-deps
BENCH_CXX     := $(sort $(wildcard bench/*.cc))
BENCH_CXX_BIN := $(BENCH_CXX:bench/%.cc=$(BUILD)/bench/%)

bench bench-quick: $(BENCH_CXX_BIN)

bench-peer-deps:
	@pkg-config --exists sqlite3 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libsqlite3-dev; }

$(BUILD)/bench/fts5_bench: LIBS += $(shell pkg-config --libs sqlite3 2>/dev/null || echo -lsqlite3)
$(BUILD)/bench/fts5_bench: | bench-peer-deps

$(BUILD)/bench/%: bench/%.cc
	@mkdir -p $(dir $@)
	$(CXX) -std=c++17 -g $(OPT) $(WARN) -pthread $(shell pkg-config --cflags xapian-core) -MMD -MP -o $@ $< $(LDFLAGS) $(shell pkg-config --libs xapian-core)

-include $(wildcard $(BUILD)/bench/*.d)
