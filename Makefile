# SPDX-License-Identifier: MIT
# mmp: build libmmp (static and shared), the mmp front-end, tests and docs.
#
#   make                 build lib/libmmp.a, lib/libmmp.so and cmd/mmp
#   make test            run the whole test suite under prove
#   make check           the same suite built with ASan + UBSan
#   make check-clang     make check with clang's sanitizers (in test/san-clang)
#   make fuzz            build the libFuzzer harnesses of test/fuzz with clang
#   make install PREFIX=/usr/local
#   make check-headers   compile each public header on its own

CC ?= cc
PREFIX ?= /usr/local
BINDIR = $(PREFIX)/bin
LIBDIR = $(PREFIX)/lib
INCDIR = $(PREFIX)/include
MANDIR = $(PREFIX)/share/man
PKGDIR = $(LIBDIR)/pkgconfig
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR = $(PREFIX)/share/zsh/site-functions
PROVE ?= prove
PROVE_OPTS ?=
OPTFLAGS ?= -O2 -g

# libmmp links these; XGBoost, libgit2, libcurl, libmicrohttpd,
# libcrypto and libpq are opened on first use instead (lib/util/lazy.h),
# named by the SONAMEs found here, so that a command pays only for what
# it uses
DEPS = yaml-0.1 libcjson sqlite3 zlib libzstd
LAZY_DEPS = libgit2 libcurl libmicrohttpd libcrypto libpq
DEP_CFLAGS := $(shell pkg-config --cflags $(DEPS) $(LAZY_DEPS) 2>/dev/null)
DEP_LIBS := $(shell pkg-config --libs $(DEPS) 2>/dev/null) -ldl -lpthread -lm
LAZY_FLAGS := $(shell sh scripts/lazy-sonames.sh $(CC) XGBOOST=xgboost \
	GIT2=git2 CURL=curl MHD=microhttpd CRYPTO=crypto PQ=pq)
# tests and helpers that call those libraries themselves link them
TEST_LIBS := $(DEP_LIBS) \
	$(shell pkg-config --libs $(LAZY_DEPS) 2>/dev/null) -lxgboost

WARN = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-missing-field-initializers
BASE_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) -Iinclude -Ilib $(DEP_CFLAGS) \
	$(LAZY_FLAGS)
ALL_CFLAGS = $(BASE_CFLAGS) -fPIC -fvisibility=hidden $(OPTFLAGS) $(CFLAGS)
SAN_FLAGS = -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
SAN_CFLAGS = $(BASE_CFLAGS) -fvisibility=hidden -O1 -g $(SAN_FLAGS) $(CFLAGS)

LIB_SRCS := $(sort $(wildcard lib/*/*.c))
LIB_HDRS := $(wildcard lib/*/*.h) $(wildcard include/*.h include/mmp/*.h)
CMD_SRCS := $(sort $(wildcard cmd/*.c))
CMD_HDRS := $(wildcard cmd/*.h)
UNIT_SRCS := $(sort $(wildcard test/unit/t-*.c))
HELPER_SRCS := $(sort $(wildcard test/helpers/*.c))

LIB_OBJS := $(LIB_SRCS:.c=.o)
CMD_OBJS := $(CMD_SRCS:.c=.o)
UNIT_BINS := $(patsubst test/unit/%.c,test/unit/bin/%,$(UNIT_SRCS))
HELPER_BINS := $(patsubst test/helpers/%.c,test/helpers/bin/%,$(HELPER_SRCS))

# the sanitizer build's directory: one per compiler
SAN ?= test/san
SAN_LIB_OBJS := $(patsubst lib/%.c,$(SAN)/lib/%.o,$(LIB_SRCS))
SAN_CMD_OBJS := $(patsubst cmd/%.c,$(SAN)/cmd/%.o,$(CMD_SRCS))
SAN_UNIT_BINS := $(patsubst test/unit/%.c,$(SAN)/unit/%,$(UNIT_SRCS))

MAN_PAGES := $(sort $(wildcard man/*.1 man/*.5 man/*.7))

.PHONY: all test check check-clang fuzz install uninstall clean check-headers bench
.DELETE_ON_ERROR:

all: lib/libmmp.a lib/libmmp.so cmd/mmp lib/mmp.pc

lib/%.o: lib/%.c $(LIB_HDRS)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

cmd/%.o: cmd/%.c $(CMD_HDRS) $(LIB_HDRS)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# the example files are embedded with .incbin
EXAMPLES = configs/base.yaml configs/dev.yaml configs/prod.yaml \
	configs/approval.yaml configs/monitor.yaml recipes/breast-cancer.yaml \
	recipes/data/breast_cancer.csv
lib/project/examples.o $(SAN)/lib/project/examples.o: $(EXAMPLES)
lib/model/pyfunc.o $(SAN)/lib/model/pyfunc.o: lib/model/mmp_pyfunc.py
lib/ui/assets.o $(SAN)/lib/ui/assets.o: lib/ui/assets/ui.css \
	lib/ui/assets/ui.js

lib/libmmp.a: $(LIB_OBJS)
	rm -f $@
	ar qcs $@ $^

lib/libmmp.so: $(LIB_OBJS)
	$(CC) -shared -Wl,-soname,libmmp.so.0 -Wl,-z,defs $(OPTFLAGS) -o $@ $^ \
		$(DEP_LIBS)

cmd/mmp: $(CMD_OBJS) lib/libmmp.a
	$(CC) $(OPTFLAGS) -o $@ $(CMD_OBJS) lib/libmmp.a $(DEP_LIBS)

lib/mmp.pc: Makefile include/mmp/version.h
	@version=$$(sed -n 's/^#define MMP_VERSION "\(.*\)"/\1/p' include/mmp/version.h); \
	{ echo "prefix=$(PREFIX)"; echo "libdir=$(LIBDIR)"; \
	  echo "includedir=$(INCDIR)"; echo; echo "Name: mmp"; \
	  echo "Description: Git-style MLOps toolkit library"; \
	  echo "Version: $$version"; \
	  echo "Requires.private: $(DEPS)"; \
	  echo "Libs: -L\$${libdir} -lmmp"; \
	  echo "Libs.private: -ldl -lpthread -lm"; \
	  echo "Cflags: -I\$${includedir}"; } > $@

test/unit/bin/%: test/unit/%.c test/unit/tap.c $(wildcard test/unit/*.h) \
		lib/libmmp.a
	@mkdir -p test/unit/bin
	$(CC) $(ALL_CFLAGS) -Itest/unit -o $@ $< test/unit/tap.c lib/libmmp.a \
		$(TEST_LIBS)

test/helpers/bin/%: test/helpers/%.c lib/libmmp.a
	@mkdir -p test/helpers/bin
	$(CC) $(ALL_CFLAGS) -o $@ $< lib/libmmp.a $(TEST_LIBS)

test: all $(UNIT_BINS) $(HELPER_BINS)
	MMP_BUILD_DIR=$(CURDIR)/cmd $(PROVE) $(PROVE_OPTS) --exec test/run-test.sh \
		test/t[0-9]*.sh $(UNIT_BINS)

# --- sanitizer build: the same suite under ASan + UBSan ---
$(SAN)/lib/%.o: lib/%.c $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(SAN_CFLAGS) -c -o $@ $<

$(SAN)/cmd/%.o: cmd/%.c $(CMD_HDRS) $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(SAN_CFLAGS) -c -o $@ $<

$(SAN)/libmmp.a: $(SAN_LIB_OBJS)
	rm -f $@
	ar qcs $@ $^

# ASan looks up the real __cxa_throw once, at start-up: the C++ runtime
# must be loaded by then, or the first exception XGBoost throws after it
# is opened on first use aborts the sanitized binary
SAN_LIBS = -Wl,--push-state,--no-as-needed -lstdc++ -Wl,--pop-state

$(SAN)/mmp: $(SAN_CMD_OBJS) $(SAN)/libmmp.a
	$(CC) $(SAN_FLAGS) -o $@ $(SAN_CMD_OBJS) $(SAN)/libmmp.a $(DEP_LIBS) \
		$(SAN_LIBS)

$(SAN)/unit/%: test/unit/%.c test/unit/tap.c $(wildcard test/unit/*.h) \
		$(SAN)/libmmp.a
	@mkdir -p $(SAN)/unit
	$(CC) $(SAN_CFLAGS) -Itest/unit -o $@ $< test/unit/tap.c $(SAN)/libmmp.a \
		$(TEST_LIBS)

check: all $(SAN)/mmp $(SAN_UNIT_BINS) $(HELPER_BINS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	MMP_BUILD_DIR=$(CURDIR)/$(SAN) MMP_SANITIZE=1 \
		$(PROVE) $(PROVE_OPTS) --exec test/run-test.sh \
		test/t[0-9]*.sh $(SAN_UNIT_BINS)

# the same sanitizer suite built with clang, whose UBSan checks more
# (pointer arithmetic on NULL, for one)
check-clang:
	$(MAKE) check CC=clang SAN=test/san-clang

# --- fuzzing: libFuzzer harnesses over an instrumented libmmp ---
FUZZ_CC ?= clang
FUZZ = test/fuzz/build
FUZZ_FLAGS = -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS = $(BASE_CFLAGS) -fvisibility=hidden -O1 -g $(FUZZ_FLAGS)
FUZZ_LIB_OBJS := $(patsubst lib/%.c,$(FUZZ)/lib/%.o,$(LIB_SRCS))
FUZZ_BINS := $(patsubst test/fuzz/%.c,$(FUZZ)/%,$(wildcard test/fuzz/fuzz-*.c))

$(FUZZ)/lib/project/examples.o: $(EXAMPLES)

$(FUZZ)/lib/%.o: lib/%.c $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ)/libmmp.a: $(FUZZ_LIB_OBJS)
	rm -f $@
	ar qcs $@ $^

$(FUZZ)/fuzz-%: test/fuzz/fuzz-%.c $(FUZZ)/libmmp.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< \
		$(FUZZ)/libmmp.a $(TEST_LIBS)

fuzz: $(FUZZ_BINS)

check-headers:
	@for h in include/mmp.h include/mmp/*.h; do \
		echo "#include \"$${h#include/}\"" | $(CC) -std=c99 -pedantic \
		-Wall -Wextra -Werror -Iinclude -x c -fsyntax-only - || exit 1; \
	done; echo "headers ok"

bench: all
	@for b in scripts/bench/*.sh; do echo "== $$b"; bash $$b || exit 1; done

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCDIR)/mmp \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(PKGDIR)
	install -m 755 cmd/mmp $(DESTDIR)$(BINDIR)/mmp
	install -m 644 lib/libmmp.a $(DESTDIR)$(LIBDIR)/libmmp.a
	install -m 755 lib/libmmp.so $(DESTDIR)$(LIBDIR)/libmmp.so.0
	ln -sf libmmp.so.0 $(DESTDIR)$(LIBDIR)/libmmp.so
	install -m 644 include/mmp.h $(DESTDIR)$(INCDIR)/mmp.h
	install -m 644 include/mmp/*.h $(DESTDIR)$(INCDIR)/mmp/
	for m in $(filter %.1,$(MAN_PAGES)); do install -m 644 $$m $(DESTDIR)$(MANDIR)/man1/; done
	for m in $(filter %.5,$(MAN_PAGES)); do install -m 644 $$m $(DESTDIR)$(MANDIR)/man5/; done
	for m in $(filter %.7,$(MAN_PAGES)); do install -m 644 $$m $(DESTDIR)$(MANDIR)/man7/; done
	install -m 644 lib/mmp.pc $(DESTDIR)$(PKGDIR)/mmp.pc
	install -d $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	./cmd/mmp completion bash >$(DESTDIR)$(BASHCOMPDIR)/mmp
	./cmd/mmp completion zsh >$(DESTDIR)$(ZSHCOMPDIR)/_mmp

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/mmp $(DESTDIR)$(LIBDIR)/libmmp.* \
		$(DESTDIR)$(INCDIR)/mmp.h $(DESTDIR)$(PKGDIR)/mmp.pc \
		$(DESTDIR)$(BASHCOMPDIR)/mmp $(DESTDIR)$(ZSHCOMPDIR)/_mmp
	rm -rf $(DESTDIR)$(INCDIR)/mmp
	for m in $(MAN_PAGES); do rm -f $(DESTDIR)$(MANDIR)/man*/$$(basename $$m); done

clean:
	rm -f lib/*/*.o cmd/*.o lib/libmmp.a lib/libmmp.so lib/mmp.pc cmd/mmp
	rm -rf test/unit/bin test/helpers/bin test/san test/san-clang $(FUZZ) test/trash*
