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

PKGS       := xapian-core libevent libevent_pthreads libutf8proc jansson friso opencc
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
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
CPPFLAGS   += -D_GNU_SOURCE -Ilib -Iwrappers $(PKG_CFLAGS)
CFLAGS     += -std=c11 -g $(OPT) $(WARN) -fPIC -fvisibility=hidden -pthread
CXXFLAGS   += -std=c++17 -g $(OPT) $(WARN) -fPIC -fvisibility=hidden -pthread
LDFLAGS    += $(LDSAN) -pthread
LIBS       := $(PKG_LIBS) -lstdc++ -lm

LIB_C      := $(sort $(wildcard lib/*.c))
LIB_CXX    := $(sort $(wildcard wrappers/*.cc))
LIB_OBJ    := $(LIB_C:%.c=$(BUILD)/obj/%.o) $(LIB_CXX:%.cc=$(BUILD)/obj/%.o)
INDEXER_C  := $(sort $(wildcard indexer/*.c))
CLI_C      := $(sort $(wildcard searchd/cli*.c))
NETC_C     := $(sort $(wildcard searchd/client*.c))
SEARCHD_C  := $(filter-out $(CLI_C) $(NETC_C),$(sort $(wildcard searchd/*.c)))
UNIT_C     := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN   := $(UNIT_C:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_C    := $(sort $(wildcard bench/*.c))
BENCH_BIN  := $(BENCH_C:bench/%.c=$(BUILD)/bench/%)
EXAMPLE_C  := $(sort $(wildcard docs/examples/*.c))
EXAMPLE_BIN:= $(EXAMPLE_C:docs/examples/%.c=$(BUILD)/examples/%)

STATIC_LIB := $(BUILD)/lib/libzhengce.a
SHARED_LIB := $(BUILD)/lib/libzhengce.so
PROGRAMS   := $(BUILD)/bin/zhengce-indexer $(BUILD)/bin/zhengce-searchd $(BUILD)/bin/zhengce

.PHONY: all lib programs tests test unit integration asan demo deps install clean help \
        bench bench-quick bench-searchd check-exports examples

all: lib programs examples tests

help:
	@echo "make deps      install the Debian packages that are missing (apt-get)"
	@echo "make           build library, programs, examples and tests into $(BUILD)/"
	@echo "make demo      deps + build + index corpus/ + one query in each language"
	@echo "make test      unit (cmocka) + integration (pytest) tests, one summary line"
	@echo "make asan      the same tests under ASan+UBSan (build-asan/)"
	@echo "make install   PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)"
	@echo "make bench     benchmarks (see docs/benchmarks.md)"

lib: $(STATIC_LIB) $(SHARED_LIB) $(BUILD)/lib/pkgconfig/zhengce.pc
programs: $(PROGRAMS)
tests: $(UNIT_BIN)
examples: $(EXAMPLE_BIN)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -DZC_BUILDING_LIBRARY $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/obj/%.o: %.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) -DZC_BUILDING_LIBRARY $(CXXFLAGS) -MMD -MP -c $< -o $@

$(STATIC_LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(SHARED_LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CXX) -shared -Wl,-soname,libzhengce.so.0 $(LDFLAGS) -o $@.0 $^ $(LIBS)
	ln -sf libzhengce.so.0 $@

$(BUILD)/lib/pkgconfig/zhengce.pc: zhengce.pc.in Makefile
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|0.1.0|g' -e 's|@PRIVATE@|$(PKGS)|g' $< > $@

# Programs link the static library: one self-contained binary each.
$(BUILD)/bin/zhengce-indexer: $(INDEXER_C:%.c=$(BUILD)/obj/%.o) $(NETC_C:%.c=$(BUILD)/obj/%.o) $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/bin/zhengce-searchd: $(SEARCHD_C:%.c=$(BUILD)/obj/%.o) $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/obj/searchd/cli%.o: CFLAGS += $(EDIT_CFLAGS)
$(BUILD)/bin/zhengce: $(CLI_C:%.c=$(BUILD)/obj/%.o) $(NETC_C:%.c=$(BUILD)/obj/%.o) $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LIBS) $(EDIT_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Wno-unused-parameter -o $@ $< $(STATIC_LIB) $(LDFLAGS) $(LIBS) $(CMOCKA_LIBS)

$(BUILD)/bench/%: bench/%.c $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(STATIC_LIB) $(LDFLAGS) $(LIBS)

# The example uses only the public header and the shared library, as an
# embedding program would.
$(BUILD)/examples/%: docs/examples/%.c $(SHARED_LIB)
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(OPT) $(WARN) -Ilib -o $@ $< -L$(BUILD)/lib -Wl,-rpath,$(abspath $(BUILD)/lib) -lzhengce $(LDSAN)

# ---- tests ----------------------------------------------------------------

test: all
	@BUILD=$(BUILD) SHARED=$(SHARED) PYTHON=$(PYTHON) bash tests/run.sh

unit: lib tests
	@BUILD=$(BUILD) SHARED=$(SHARED) PYTHON=$(PYTHON) bash tests/run.sh unit

integration: all
	@BUILD=$(BUILD) SHARED=$(SHARED) PYTHON=$(PYTHON) bash tests/run.sh integration

asan:
	$(MAKE) BUILD=build-asan SAN=1 test

check-exports: $(SHARED_LIB)
	@bash tests/check_exports.sh $(SHARED_LIB) lib/zhengce.h

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
	install -m 644 lib/zhengce.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 $(BUILD)/lib/pkgconfig/zhengce.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/

# ---- benchmarks -----------------------------------------------------------

bench: all $(BENCH_BIN)
	@BUILD=$(BUILD) SHARED=$(SHARED) bash bench/run.sh full

bench-quick: all $(BENCH_BIN)
	@BUILD=$(BUILD) SHARED=$(SHARED) bash bench/run.sh quick

bench-searchd: all $(BENCH_BIN)
	@BUILD=$(BUILD) SHARED=$(SHARED) bash bench/run.sh searchd

clean:
	rm -rf build build-asan

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
