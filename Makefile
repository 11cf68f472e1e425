# mmlab - simulated 32-bit x86 Linux memory management.
#
#   make          release binaries in build/
#   make test     install missing Debian packages, build with ASan+UBSan,
#                 run every cmocka test; non-zero exit on any failure
#   make run      build and run (the command-line front end until the
#                 daemon exists)
#   make bench    build and run the benchmarks in bench/

CC      ?= cc
PKGS    := jansson libuv libmicrohttpd sqlite3 cmocka
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CSTD    := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
CFLAGS_REL  := $(CSTD) $(WARN) -O2 -g
CFLAGS_TEST := $(CSTD) $(WARN) -O1 -g -fno-omit-frame-pointer \
	       -fsanitize=address,undefined -fno-sanitize-recover=all

# Debian packages the build and the tests need; installed when missing.
DEB_PKGS := gcc make pkg-config libjansson-dev libuv1-dev libmicrohttpd-dev \
	    libsqlite3-dev libcmocka-dev

MODEL_SRC := $(sort $(wildcard model/*.c))
API_SRC   := $(sort $(wildcard api/*.c))
LIB_SRC   := $(MODEL_SRC) $(API_SRC)
TESTS     := $(patsubst tests/%.c,%,$(sort $(wildcard tests/test_*.c)))
BENCHES   := $(patsubst bench/%.c,%,$(sort $(wildcard bench/bench_*.c)))

REL_OBJ  := $(patsubst %.c,build/rel/%.o,$(LIB_SRC))
TEST_OBJ := $(patsubst %.c,build/test/%.o,$(LIB_SRC))

DEPS_STAMP := build/.deps-ok

.PHONY: all test run bench deps clean
# keep objects between runs: they are intermediates of the pattern rules
.SECONDARY:
all: build/mmlab

# --- dependencies -----------------------------------------------------------
# One stamp per checkout: apt-get runs only when a package is missing.
deps: $(DEPS_STAMP)
$(DEPS_STAMP):
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@mkdir -p build && touch $@

LIBS = $(shell pkg-config --libs jansson) -lm

# --- release build ----------------------------------------------------------
build/rel/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_REL) -MMD -MP -Imodel -Iapi -c $< -o $@

build/mmlab: build/rel/tools/mmlab.o $(REL_OBJ)
	$(CC) $(CFLAGS_REL) -o $@ $^ $(LIBS)

# --- tests ------------------------------------------------------------------
build/test/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_TEST) -MMD -MP -Imodel -Iapi -Itests -c $< -o $@

build/test/bin/%: build/test/tests/%.o $(TEST_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_TEST) -o $@ $^ $(LIBS) -lcmocka

# Tests find the real-kernel captures beside the checkout (../shared) or
# wherever MMLAB_REFERENCE points.
MMLAB_REFERENCE ?= $(abspath ../shared/reference/real-kernel)
export MMLAB_REFERENCE

test: $(addprefix build/test/bin/,$(TESTS)) build/mmlab
	@fail=0; for t in $(TESTS); do \
	  echo "== $$t"; \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
	    ./build/test/bin/$$t || fail=1; \
	done; \
	echo "== cli"; sh tests/cli.sh build/mmlab || fail=1; \
	echo "== readme"; sh tests/readme.sh || fail=1; \
	if [ $$fail -ne 0 ]; then echo "TESTS FAILED"; exit 1; fi; \
	echo "ALL TESTS PASSED"

# --- run and bench ----------------------------------------------------------
run: build/mmlab
	./build/mmlab dmesg meminfo

build/bench/%: bench/%.c $(REL_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_REL) -Imodel -Iapi -o $@ $^ $(LIBS)

bench: $(addprefix build/bench/,$(BENCHES))
	@for b in $(BENCHES); do echo "== $$b"; ./build/bench/$$b || exit 1; done

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
