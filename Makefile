# Crucible build. `make` builds bin/crucible; `make test` runs the Criterion suite;
# `make check` runs it under AddressSanitizer + UBSan, then the README's tutorial
# (`make tutorial`); `make bench` runs the benchmarks;
# `make run` builds and runs the shipped default scenario; `make deps` installs the
# Debian packages Crucible needs; `make install PREFIX=DIR` copies bin/crucible to
# DIR/bin (default /usr/local). The build prints one short line per step; `make V=1`
# prints the full compiler commands. Missing packages are installed automatically the first
# time any build target runs (see the deps stamp below).

CC      ?= cc
PKGS    := gsl sqlite3 yaml-0.1 criterion
DEBPKGS := libgsl-dev libsqlite3-dev libyaml-dev libcriterion-dev pkg-config gnuplot-nox chromium parallel sqlite3
# Programs the suite and the scripts drive (plots, the report test, the GNU parallel sweep
# recipe, analysis/studies.sh's queries).
DEBCMDS := gnuplot chromium parallel sqlite3
VERSION := 0.7.2

# Recursive (=) so that pkg-config is asked only after the deps stamp has run.
PKG_CFLAGS = $(shell pkg-config --cflags gsl sqlite3 yaml-0.1 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs gsl sqlite3 yaml-0.1 2>/dev/null)
TEST_LIBS  = $(shell pkg-config --libs criterion 2>/dev/null)

WARN    := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wvla -Wformat=2 -Wundef -Wpointer-arith -Wno-unused-parameter
ifeq ($(WERROR),1)
WARN    += -Werror
endif
ifneq ($(CI),)
WARN    += -Werror
endif
# -O3 with link-time optimisation: the model's hot path crosses modules (ledger, AMM,
# engine), and inlining across them is worth ~20% (docs/architecture.md, Performance).
# -ffp-contract=off everywhere: no fused multiply-adds behind our back, so results are the
# same bits whatever the compiler, flags or CPU.
# -DNDEBUG: the engine's and the ledger's internal asserts (invariants, never input
# checks) cost ~4% of a run's instructions; `make check` builds with them on.
OPT     ?= -O3 -g -flto=auto -DNDEBUG
# VERSION_DEFS is set for version.o alone (below). It is not part of EXTRA_CFLAGS: a
# command-line EXTRA_CFLAGS (as `make check` passes) would override it, and the binary
# would call itself 0.0.0 and stamp that into databases.
CFLAGS_ALL = -std=c11 $(OPT) -ffp-contract=off $(WARN) -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L \
             -Isim -Ianalysis $(PKG_CFLAGS) $(EXTRA_CFLAGS) $(VERSION_DEFS)
LDLIBS_ALL = $(PKG_LIBS) -lm $(EXTRA_LDFLAGS)

# Quiet by default: "CC file.c" instead of the whole command line; V=1 shows commands.
ifeq ($(V),1)
Q      :=
say     = @true
else
Q      := @
say     = @printf '  %-6s %s\n' $(1) $(2)
endif

PREFIX  ?= /usr/local
DESTDIR ?=

# BUILD is the object directory: build/ for the normal build, build/asan for `make check`.
BUILD   ?= build
BIN     ?= bin

# sim/model is in layer folders (docs/architecture.md): sim/model/*/*.c too.
LIB_SRC  := $(sort $(wildcard sim/*/*.c sim/model/*/*.c analysis/*.c))
LIB_SRC  := $(filter-out sim/cli/main.c,$(LIB_SRC))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
# tests/helpers.c: what several test files share (tests/helpers.h).
TEST_SRC := $(sort $(wildcard tests/test_*.c)) tests/helpers.c
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)
DEPS_STAMP := build/.deps-ok

.PHONY: all deps test check bench run fuzz clean docs install tutorial FORCE
all: $(BIN)/crucible

# ---- dependencies -----------------------------------------------------------
# The stamp records that pkg-config found every library and every program is on PATH.
$(DEPS_STAMP):
	@mkdir -p build
	@missing=""; for c in $(DEBCMDS); do command -v $$c >/dev/null 2>&1 || missing="$$missing $$c"; done; \
	if pkg-config --exists $(PKGS) 2>/dev/null && [ -z "$$missing" ]; then \
	    touch $@; \
	else \
	    echo "crucible: some dependencies are missing ($${missing:-libraries}); running 'make deps'"; \
	    $(MAKE) --no-print-directory deps && touch $@; \
	fi

deps:
	@if ! command -v apt-get >/dev/null 2>&1; then \
	    echo "crucible: apt-get is not available. Install by hand: GSL (>= 2.6), SQLite 3 (dev headers),"; \
	    echo "  libyaml (dev headers), Criterion (>= 2.3), pkg-config and gnuplot; then run 'make' again."; \
	    exit 1; \
	fi; \
	SUDO=""; if [ "$$(id -u)" != 0 ]; then SUDO=sudo; fi; \
	echo "crucible: installing $(DEBPKGS)"; \
	$$SUDO apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(DEBPKGS) >/dev/null || \
	{ echo "crucible: apt-get failed; install by hand: $(DEBPKGS)"; exit 1; }

# ---- the program -------------------------------------------------------------
# Objects depend on the compiler and flags they were built with: changing OPT (or CC)
# rebuilds everything instead of linking objects built two ways.
FLAGS_FILE := $(BUILD)/.flags
FLAGS_NOW  := $(CC) $(CFLAGS_ALL)
$(FLAGS_FILE): FORCE | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@if [ "$$(cat $@ 2>/dev/null)" != '$(FLAGS_NOW)' ]; then echo '$(FLAGS_NOW)' > $@; fi

$(BUILD)/%.o: %.c $(FLAGS_FILE) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

# version.c carries the git commit; rebuild it (and relink) only when that changes.
GIT_COMMIT := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(shell git diff --quiet HEAD 2>/dev/null || echo -dirty)
VERSION_FILE := $(BUILD)/.version
$(VERSION_FILE): FORCE
	@mkdir -p $(dir $@)
	@if [ "$$(cat $@ 2>/dev/null)" != '$(VERSION) $(GIT_COMMIT)' ]; then echo '$(VERSION) $(GIT_COMMIT)' > $@; fi
# private: prerequisites (the flags stamp) must not inherit it.
$(BUILD)/sim/util/version.o: private VERSION_DEFS = -DCRC_VERSION='"$(VERSION)"' -DCRC_GIT_COMMIT='"$(GIT_COMMIT)"'
$(BUILD)/sim/util/version.o: $(VERSION_FILE)

$(BUILD)/libcrucible.a: $(LIB_OBJ)
	@rm -f $@
	$(call say,AR,$@)
	$(Q)ar rcs $@ $^

$(BIN)/crucible: $(BUILD)/sim/cli/main.o $(BUILD)/libcrucible.a
	@mkdir -p $(BIN)
	$(call say,LINK,$@)
	$(Q)$(CC) $(CFLAGS_ALL) -o $@ $^ $(LDLIBS_ALL)

# ---- tests --------------------------------------------------------------------
# One Criterion binary holds every test file, so the suite closes on one synthesis line.
$(BUILD)/crucible-tests: $(TEST_OBJ) $(BUILD)/libcrucible.a
	$(call say,LINK,$@)
	$(Q)$(CC) $(CFLAGS_ALL) -o $@ $^ $(TEST_LIBS) $(LDLIBS_ALL)

test: $(BIN)/crucible $(BUILD)/crucible-tests
	$(Q)CRUCIBLE_BIN=$(abspath $(BIN)/crucible) $(BUILD)/crucible-tests $(TEST_ARGS)

check:
	$(MAKE) --no-print-directory BUILD=build/asan BIN=build/asan/bin \
	    OPT="-O1 -g -fno-omit-frame-pointer" \
	    EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined" \
	    EXTRA_LDFLAGS="-fsanitize=address,undefined" test
	$(MAKE) --no-print-directory tutorial

# The README's shell blocks, run as written in a scratch copy (tests/readme_blocks.sh):
# the tutorial cannot rot. A few minutes, most of it the report of step 4.
tutorial: $(BIN)/crucible
	$(Q)./tests/readme_blocks.sh

# REF: the reference build `bench` compares against (a commit; default crucible 0.5.0's).
REF ?= bf41041
bench: $(BIN)/crucible
	REF=$(REF) ./analysis/bench.sh

run: $(BIN)/crucible
	$(BIN)/crucible run scenarios/baseline.yaml

# Installs the one program; the scenarios, docs and analysis scripts stay in the clone.
install: $(BIN)/crucible
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(BIN)/crucible $(DESTDIR)$(PREFIX)/bin/crucible
	@echo "installed $(DESTDIR)$(PREFIX)/bin/crucible; make sure $(PREFIX)/bin is on PATH"

# ---- reference docs -------------------------------------------------------------
# docs/parameters.md is generated from the registry; a test fails when it is stale.
docs: $(BIN)/crucible
	$(BIN)/crucible params --markdown > docs/parameters.md

# ---- fuzzing ----------------------------------------------------------------------
# Three libFuzzer targets, built with clang's fuzzer + AddressSanitizer + UBSan (installed
# with apt when missing): fuzz_scenario over the scenario loader and the --set parser
# (fuzz/fuzz_scenario.c, seed corpus fuzz/corpus) and fuzz_sweep over the sweep-file
# parser and the --grid/--zip/--random.../--set specs (fuzz/fuzz_sweep.c, seed corpus
# fuzz/corpus_sweep), and fuzz_attack over the attack: block parser (fuzz/fuzz_attack.c,
# seed corpus fuzz/corpus_attack). `make fuzz` runs each in FUZZ_TARGETS for FUZZ_SECONDS, one after
# the other, over a working copy of its corpus; new inputs go to build/fuzz/<target>.corpus/,
# crashes to build/fuzz/<target>-crash-*.
FUZZ_SECONDS ?= 600
FUZZ_TARGETS ?= fuzz_scenario fuzz_sweep fuzz_attack
FUZZ_COMMON := sim/scenario/yamlcheck.c sim/model/core/params.c sim/model/core/dist.c sim/util/err.c
FUZZ_SRC_fuzz_scenario := fuzz/fuzz_scenario.c sim/scenario/scenario.c \
            sim/scenario/scenario_text.c $(FUZZ_COMMON)
FUZZ_SRC_fuzz_sweep := fuzz/fuzz_sweep.c sim/sweep/sweepfile.c sim/sweep/design.c \
            sim/engine/rng.c sim/engine/pcg.c $(FUZZ_COMMON)
FUZZ_SRC_fuzz_attack := fuzz/fuzz_attack.c sim/attack/attackfile.c sim/attack/optim.c \
            sim/engine/rng.c sim/engine/pcg.c $(FUZZ_COMMON)
FUZZ_CORPUS_fuzz_scenario := fuzz/corpus
FUZZ_CORPUS_fuzz_sweep := fuzz/corpus_sweep
FUZZ_CORPUS_fuzz_attack := fuzz/corpus_attack
FUZZ_PROBE := echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n){return 0;}' | \
              clang -x c -fsanitize=fuzzer -o /dev/null - >/dev/null 2>&1

.SECONDEXPANSION:
build/fuzz/fuzz_%: $$(FUZZ_SRC_fuzz_$$*) $(wildcard sim/*/*.h sim/model/*/*.h sim/model/core/*.def) | $(DEPS_STAMP)
	@mkdir -p build/fuzz
	@if ! $(FUZZ_PROBE); then \
	    echo "crucible: installing clang and libclang-rt-14-dev for libFuzzer"; \
	    SUDO=""; if [ "$$(id -u)" != 0 ]; then SUDO=sudo; fi; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	        --no-install-recommends clang libclang-rt-14-dev >/dev/null || \
	    { echo "crucible: apt-get failed; install clang with libFuzzer by hand"; exit 1; }; \
	fi
	clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -Isim $(PKG_CFLAGS) $(FUZZ_SRC_fuzz_$*) \
	    -o $@ $(LDLIBS_ALL)

fuzz: $(addprefix build/fuzz/,$(FUZZ_TARGETS))
	$(foreach t,$(FUZZ_TARGETS),mkdir -p build/fuzz/$(t).corpus && \
	    build/fuzz/$(t) -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 $(if $(filter fuzz_scenario fuzz_attack,$(t)),-dict=fuzz/scenario.dict) \
	    -artifact_prefix=build/fuzz/$(t)- build/fuzz/$(t).corpus $(FUZZ_CORPUS_$(t)) && ) true

clean:
	rm -rf build bin

-include $(LIB_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BUILD)/sim/cli/main.d
