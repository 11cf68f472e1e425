# mmlab - simulated 32-bit x86 Linux memory management.
#
#   make          release binaries in build/
#   make test     install missing Debian packages, build with ASan+UBSan,
#                 run every cmocka test; non-zero exit on any failure
#   make run      build and start the daemon, mmlabd, on 127.0.0.1:8080
#   make bench    build and run the benchmarks in bench/
#   make docker   build the Docker image mmlab:latest (needs a Docker engine)
#   make test-docker  build and run the image with buildah, no engine needed
#   make fuzz     build the libFuzzer harnesses (fuzz/) and run each for
#                 FUZZ_SECONDS (60) on its corpus; see fuzz/README.md

CC      ?= cc
PKGS    := jansson libuv libmicrohttpd sqlite3 libsodium cmocka
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CSTD    := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
CFLAGS_REL  := $(CSTD) $(WARN) -O2 -g
CFLAGS_TEST := $(CSTD) $(WARN) -O1 -g -fno-omit-frame-pointer \
	       -fsanitize=address,undefined -fno-sanitize-recover=all

# Debian packages the build and the tests need; installed when missing.
DEB_PKGS := gcc make pkg-config libjansson-dev libuv1-dev libmicrohttpd-dev \
	    libsqlite3-dev libsodium-dev libcmocka-dev curl jq sqlite3
# the fuzz harnesses: clang with libFuzzer's runtime (see "fuzzing" below)
DEB_PKGS += clang libclang-rt-14-dev
# What make bench needs beyond them (wrk drives bench_http.sh and
# bench_store.sh); not a test dependency.
BENCH_DEB_PKGS := wrk

# Where the daemon keeps its store and finds the web page unless told
# otherwise (--data, --web); an installed build sets these to system paths.
DATA_DIR ?= $(CURDIR)/build/data
WEB_DIR  ?= $(CURDIR)/web

MODEL_SRC := $(sort $(wildcard model/*.c))
API_SRC   := $(sort $(wildcard api/*.c))
# the teaching layer (docs/exercises.md): above api/, below the server
EX_SRC    := $(sort $(wildcard exercises/*.c))
LIB_SRC   := $(MODEL_SRC) $(API_SRC) $(EX_SRC)
# the daemon's parts; main.c alone is not in the tests
SRV_SRC   := $(filter-out server/main.c,$(sort $(wildcard server/*.c)))
TESTS     := $(patsubst tests/%.c,%,$(sort $(wildcard tests/test_*.c)))
BENCHES   := $(patsubst bench/%.c,%,$(sort $(wildcard bench/bench_*.c)))

REL_OBJ  := $(patsubst %.c,build/rel/%.o,$(LIB_SRC))
TEST_OBJ := $(patsubst %.c,build/test/%.o,$(LIB_SRC))
SRV_REL_OBJ  := $(patsubst %.c,build/rel/%.o,$(SRV_SRC)) build/rel/gen/openapi_doc.o
SRV_TEST_OBJ := $(patsubst %.c,build/test/%.o,$(SRV_SRC)) build/test/gen/openapi_doc.o

DEPS_STAMP := build/.deps-ok
BENCH_DEPS_STAMP := build/.bench-deps-ok

.PHONY: all test run bench deps clean docker test-docker
# keep objects between runs: they are intermediates of the pattern rules
.SECONDARY:
all: build/mmlab build/mmlabd

# --- dependencies -----------------------------------------------------------
# One stamp per checkout: apt-get runs only when a package is missing.
# deb_install PACKAGES: apt-get install those of PACKAGES not installed
deb_install = missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi
deps: $(DEPS_STAMP)
# (again when the Makefile changes: a package added to DEB_PKGS gets installed)
$(DEPS_STAMP): Makefile
	@$(call deb_install,$(DEB_PKGS))
	@mkdir -p build && touch $@
$(BENCH_DEPS_STAMP): | $(DEPS_STAMP)
	@$(call deb_install,$(BENCH_DEB_PKGS))
	@mkdir -p build && touch $@

LIBS = $(shell pkg-config --libs jansson) -lm
SRV_LIBS = $(LIBS) $(shell pkg-config --libs libuv libmicrohttpd sqlite3 libsodium) -lpthread
INC = -Imodel -Iapi -Iexercises -Iserver
SRV_DEFS = -DMMLAB_DEFAULT_DATA='"$(DATA_DIR)"' -DMMLAB_DEFAULT_WEB='"$(WEB_DIR)"'

# The OpenAPI document, compiled in as a C string: the daemon serves the
# file the tests check, and needs nothing beside its binary to do so.
build/gen/openapi_doc.c: api/openapi.json
	@mkdir -p $(dir $@)
	@{ echo '/* generated from api/openapi.json by the Makefile */'; \
	  echo 'extern const char srv_openapi_json[];'; \
	  echo 'const char srv_openapi_json[] = {'; \
	  od -An -v -tx1 $< | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	  echo '0x00 };'; } > $@
build/rel/gen/%.o: build/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_REL) -c $< -o $@
build/test/gen/%.o: build/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_TEST) -c $< -o $@

# --- release build ----------------------------------------------------------
build/rel/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_REL) -MMD -MP $(INC) $(SRV_DEFS) -c $< -o $@

build/mmlab: build/rel/tools/mmlab.o $(REL_OBJ)
	$(CC) $(CFLAGS_REL) -o $@ $^ $(LIBS)

build/mmlabd: build/rel/server/main.o $(SRV_REL_OBJ) $(REL_OBJ)
	$(CC) $(CFLAGS_REL) -o $@ $^ $(SRV_LIBS)

# --- tests ------------------------------------------------------------------
build/test/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_TEST) -MMD -MP $(INC) -Itests $(SRV_DEFS) -c $< -o $@

build/test/bin/%: build/test/tests/%.o $(TEST_OBJ) $(SRV_TEST_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_TEST) -o $@ $^ $(SRV_LIBS) -lcmocka

# the daemon the end-to-end tests drive, with the sanitizers on
build/test/mmlabd: build/test/server/main.o $(SRV_TEST_OBJ) $(TEST_OBJ)
	$(CC) $(CFLAGS_TEST) -o $@ $^ $(SRV_LIBS)

# --- ThreadSanitizer ----------------------------------------------------------
# The daemon's threads (libmicrohttpd's, libuv's pool, the journal's) under
# TSan: make test drives it with tests/daemon.sh, the sections that use
# threads (MMLAB_DAEMON_ONLY), and any report fails it.  tests/tsan.supp
# says which reports are left to third-party libraries, and why.
CFLAGS_TSAN := $(CSTD) $(WARN) -O1 -g -fno-omit-frame-pointer -fsanitize=thread
TSAN_OBJ := $(patsubst %.c,build/tsan/%.o,server/main.c $(SRV_SRC) $(LIB_SRC)) \
	    build/tsan/gen/openapi_doc.o
TSAN_SECTIONS := options main uv busy queue inflight drain trickle conns exercises
build/tsan/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_TSAN) -MMD -MP $(INC) $(SRV_DEFS) -c $< -o $@
build/tsan/gen/%.o: build/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_TSAN) -c $< -o $@
build/tsan/mmlabd: $(TSAN_OBJ)
	$(CC) $(CFLAGS_TSAN) -o $@ $^ $(SRV_LIBS)

# Tests find the real-kernel captures beside the checkout (../shared) or
# wherever MMLAB_REFERENCE points.
MMLAB_REFERENCE ?= $(abspath ../shared/reference/real-kernel)
export MMLAB_REFERENCE

test: $(addprefix build/test/bin/,$(TESTS)) build/mmlab build/mmlabd build/test/mmlabd \
      build/tsan/mmlabd
	@fail=0; for t in $(TESTS); do \
	  echo "== $$t"; \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
	    ./build/test/bin/$$t || fail=1; \
	done; \
	echo "== cli"; sh tests/cli.sh build/mmlab || fail=1; \
	echo "== compose"; sh tests/compose.sh build/mmlabd || fail=1; \
	echo "== daemon"; sh tests/daemon.sh build/test/mmlabd || fail=1; \
	echo "== daemon (tsan)"; MMLAB_DAEMON_ONLY="$(TSAN_SECTIONS)" MMLAB_DAEMON_SLOW=5 \
	  TSAN_OPTIONS="halt_on_error=1 exitcode=66 suppressions=$(CURDIR)/tests/tsan.supp" \
	  sh tests/daemon.sh build/tsan/mmlabd || fail=1; \
	echo "== store"; sh tests/store.sh build/test/mmlabd || fail=1; \
	echo "== classes"; sh tests/classes.sh build/test/mmlabd || fail=1; \
	echo "== classes (tsan)"; \
	  TSAN_OPTIONS="halt_on_error=1 exitcode=66 suppressions=$(CURDIR)/tests/tsan.supp" \
	  sh tests/classes.sh build/tsan/mmlabd || fail=1; \
	echo "== scaleout"; sh tests/scaleout.sh build/test/mmlabd || fail=1; \
	echo "== readme"; sh tests/readme.sh || fail=1; \
	echo "== web"; sh tests/web/run.sh build/test/mmlabd || fail=1; \
	echo "== fuzz"; $(MAKE) --no-print-directory fuzz-brief || fail=1; \
	if [ $$fail -ne 0 ]; then echo "TESTS FAILED"; exit 1; fi; \
	echo "ALL TESTS PASSED"

# --- fuzzing -----------------------------------------------------------------
# libFuzzer harnesses (fuzz/README.md): the model, api and server built
# again with clang's coverage and ASan+UBSan, one binary per harness.
# make fuzz: each harness for FUZZ_SECONDS on its corpus, new inputs into
# build/fuzz/corpus/, crashes into build/fuzz/.  make fuzz-brief (a stage
# of make test): every committed seed and regression input, then
# FUZZ_BRIEF_SECONDS of fuzzing from a fixed seed; any crash fails.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_BRIEF_SECONDS ?= 5
FUZZ_HARNESSES := $(patsubst fuzz/%.c,%,$(filter-out fuzz/fuzz_util.c,\
		   $(sort $(wildcard fuzz/fuzz_*.c))))
FUZZ_SAN    := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS := $(CSTD) $(WARN) -O1 -g -fno-omit-frame-pointer $(FUZZ_SAN)
FUZZ_OBJ := $(patsubst %.c,build/fuzz/obj/%.o,$(LIB_SRC) $(SRV_SRC)) \
	    build/fuzz/obj/gen/openapi_doc.o build/fuzz/obj/fuzz/fuzz_util.o
FUZZ_BINS := $(addprefix build/fuzz/,$(FUZZ_HARNESSES))
# a harness that takes over 10 s for one input hangs; fuzz/NAME.options
# holds a harness's own flags (input lengths)
FUZZ_RUN_OPTS = -timeout=10 -rss_limit_mb=4096 -print_final_stats=1

.PHONY: fuzz fuzz-build fuzz-brief fuzz-seeds
build/fuzz/obj/gen/%.o: build/gen/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@
build/fuzz/obj/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP $(INC) \
	  -Ifuzz -Itools $(SRV_DEFS) -c $< -o $@
build/fuzz/fuzz_%: build/fuzz/obj/fuzz/fuzz_%.o $(FUZZ_OBJ)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $(sort $^) $(SRV_LIBS)
# writes the seed corpora from the api's own op list (fuzz/gen_seeds.c)
build/fuzz/gen_seeds: build/fuzz/obj/fuzz/gen_seeds.o $(FUZZ_OBJ)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $^ $(SRV_LIBS)

fuzz-build: $(FUZZ_BINS)
# built with the rest of make test's binaries, before its stages run
test: $(FUZZ_BINS)

fuzz-seeds: build/fuzz/gen_seeds build/mmlab
	./build/fuzz/gen_seeds fuzz/corpus
	sh fuzz/gen_dict.sh build/mmlab > fuzz/mmlab.dict

fuzz: $(FUZZ_BINS)
	@fail=0; for h in $(FUZZ_HARNESSES); do \
	  echo "== $$h ($(FUZZ_SECONDS) s)"; mkdir -p build/fuzz/corpus/$$h; \
	  ./build/fuzz/$$h $(FUZZ_RUN_OPTS) $$(cat fuzz/$$h.options) \
	    -dict=fuzz/mmlab.dict -max_total_time=$(FUZZ_SECONDS) \
	    -artifact_prefix=build/fuzz/$$h- build/fuzz/corpus/$$h \
	    fuzz/corpus/$$h $$(ls -d fuzz/regressions/$$h 2>/dev/null) \
	    > build/fuzz/$$h.log 2>&1 || fail=1; \
	  grep -v '^#[0-9].*\(NEW\|REDUCE\|pulse\)' build/fuzz/$$h.log | \
	    grep -v '^"\|dictionary' | tail -n 25; \
	done; exit $$fail

fuzz-brief: $(FUZZ_BINS)
	@fail=0; for h in $(FUZZ_HARNESSES); do \
	  rm -rf build/fuzz/brief/$$h; mkdir -p build/fuzz/brief/$$h; \
	  regs=$$(ls fuzz/regressions/$$h/* 2>/dev/null); \
	  if [ -n "$$regs" ] && ! ./build/fuzz/$$h $(FUZZ_RUN_OPTS) $$regs \
	      > build/fuzz/brief/$$h.log 2>&1; then \
	    echo "$$h: a regression input fails (build/fuzz/brief/$$h.log)"; \
	    tail -30 build/fuzz/brief/$$h.log; fail=1; continue; fi; \
	  if ./build/fuzz/$$h $(FUZZ_RUN_OPTS) $$(cat fuzz/$$h.options) \
	      -dict=fuzz/mmlab.dict -seed=1 \
	      -max_total_time=$(FUZZ_BRIEF_SECONDS) \
	      -artifact_prefix=build/fuzz/brief/$$h- build/fuzz/brief/$$h \
	      fuzz/corpus/$$h > build/fuzz/brief/$$h.log 2>&1; then \
	    echo "$$h: ok, $$(grep -o 'stat::number_of_executed_units: [0-9]*' \
	      build/fuzz/brief/$$h.log | grep -o '[0-9]*$$') runs"; \
	  else echo "$$h: CRASH (build/fuzz/brief/$$h.log)"; \
	    tail -40 build/fuzz/brief/$$h.log; fail=1; fi; \
	done; exit $$fail

# --- run and bench ----------------------------------------------------------
run: build/mmlabd
	@mkdir -p $(DATA_DIR)
	./build/mmlabd

build/bench/%: bench/%.c $(REL_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_REL) $(INC) -o $@ $^ $(LIBS)

bench: $(addprefix build/bench/,$(BENCHES)) build/mmlabd | $(BENCH_DEPS_STAMP)
	@for b in $(BENCHES); do echo "== $$b"; ./build/bench/$$b || exit 1; done
	@echo "== bench_store.sh"; sh bench/bench_store.sh build/mmlabd
	@echo "== bench_http.sh"; sh bench/bench_http.sh build/mmlabd

# --- the Docker image -------------------------------------------------------
# make docker: with a Docker engine.  make test-docker: without one, buildah
# builds the same Dockerfile and runs the image (tests/docker.sh; the first
# run makes the debian:bookworm-slim base with debootstrap, a few minutes).
DOCKER ?= docker
DOCKER_IMAGE ?= mmlab:latest
docker:
	$(DOCKER) build -t $(DOCKER_IMAGE) .

test-docker: $(DEPS_STAMP)
	sh tests/docker.sh

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
