# The two commands a newcomer needs:  make demo   and   make test
# Everything else here is a step they call.
JOBS ?= $(shell nproc)
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
# Seconds per fuzz target: make fuzz (FUZZ_SECONDS) and the short run in make test.
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 5
CMAKE_FLAGS ?=
# Lets ccache reuse objects across clones of the repository (CI builds a fresh clone).
export CCACHE_BASEDIR := $(CURDIR)
# ... also for debug builds, whose objects would otherwise hash the build directory.
export CCACHE_NOHASHDIR := 1
# A sanitizer report must fail the test that ran the binary, with a code no test expects.
SANITIZER_ENV = ASAN_OPTIONS=detect_leaks=1:exitcode=86 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=87

.PHONY: all deps test-deps build demo test unit asan tsan fuzz fuzz-build fuzz-smoke bench install package format format-check tidy clean

all: build

deps:
	@scripts/install-deps.sh build

test-deps:
	@scripts/install-deps.sh test

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

# The main job: a real load test against the embedded AutoArr target.
demo: build
	$(BUILD)/arrload demo

# Every test: format check, release build tests, then the same tests under ASan+UBSan, then a
# short run of each fuzz target from its checked-in corpus.
test: test-deps format-check build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	$(MAKE) asan
	$(MAKE) fuzz-smoke

$(ASAN_BUILD)/build.ninja:
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DARRLOAD_SANITIZE=ON $(CMAKE_FLAGS)

asan: deps $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && $(SANITIZER_ENV) ctest --output-on-failure -j $(JOBS)

# The whole test suite under ThreadSanitizer (~35 min here; not in `make test`: docs/reliability.md).
TSAN_BUILD ?= build-tsan
TSAN_ENV = TSAN_OPTIONS=halt_on_error=1:exitcode=88:second_deadlock_stack=1:suppressions=$(CURDIR)/tests/tsan.supp

$(TSAN_BUILD)/build.ninja:
	cmake -S . -B $(TSAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DARRLOAD_TSAN=ON $(CMAKE_FLAGS)

tsan: deps $(TSAN_BUILD)/build.ninja
	cmake --build $(TSAN_BUILD) -j $(JOBS)
	cd $(TSAN_BUILD) && $(TSAN_ENV) ctest --output-on-failure -j $(JOBS)

# libFuzzer targets (fuzz/, docs/reliability.md "Fuzzing"): a clang tree of their own, with
# ASan+UBSan; only the sources the fuzzers reach are built.
$(FUZZ_BUILD)/build.ninja:
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DARRLOAD_FUZZ=ON -DARRLOAD_TESTS=OFF $(CMAKE_FLAGS)

fuzz-build: test-deps $(FUZZ_BUILD)/build.ninja
	cmake --build $(FUZZ_BUILD) --target arrload_fuzzers -j $(JOBS)

# Each target for FUZZ_SECONDS; what it finds is kept in $(FUZZ_BUILD)/fuzz-corpus/.
fuzz: fuzz-build
	fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

# The short run of make test: FUZZ_SMOKE_SECONDS each, from fuzz/corpus/ only.
fuzz-smoke: fuzz-build
	fuzz/run.sh --smoke $(FUZZ_BUILD) $(FUZZ_SMOKE_SECONDS)

# Installs the binary, its manual page and the docs under PREFIX (DESTDIR=... stages them).
PREFIX ?= /usr/local
install: build
	DESTDIR=$(DESTDIR) cmake --install $(BUILD) --prefix $(PREFIX)

# The Debian package (CPack): $(BUILD)/arrload_<version>_<arch>.deb, Depends from dpkg-shlibdeps.
package: build
	@scripts/install-deps.sh package
	cd $(BUILD) && cpack -G DEB

# Benchmarks against wrk, h2load and Locust (~15 min, noisy; not part of `make test`).
# bench/run.sh --help; QUICK=1 make bench for a 4-minute pass.
bench: build
	bench/run.sh

SOURCES = $(shell git ls-files '*.h' '*.cc' 2>/dev/null || find src tests bench -name '*.h' -o -name '*.cc')

format:
	clang-format -i $(SOURCES)

format-check: test-deps
	clang-format --dry-run -Werror $(SOURCES)

# clang-tidy reads compile_commands.json; clang cannot read GCC's precompiled headers, so it gets a
# configure-only tree without them.
tidy:
	cmake -S . -B $(BUILD)-tidy -G Ninja -DCMAKE_DISABLE_PRECOMPILE_HEADERS=ON $(CMAKE_FLAGS) >/dev/null
	clang-tidy -p $(BUILD)-tidy --quiet $(filter src/%.cc,$(SOURCES))

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) $(BUILD)-tidy
