# groundup - `make demo` runs the lesson, `make test` runs the tests.
CC      ?= cc
CFLAGS  ?= -O2 -g -march=native
WARN     = -Wall -Wextra -Wpedantic
LDLIBS   = -lm -lz -lpthread
PY      ?= /usr/bin/python3
SAN      = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
BUILD    = build
EXAMPLES = $(patsubst examples/%.c,$(BUILD)/%,$(wildcard examples/*.c))
BENCHES  = $(patsubst bench/%.c,$(BUILD)/bench_%,$(wildcard bench/*.c))
TEST_SRC = tests/main.c $(wildcard tests/test_*.c) tests/runner.h groundup.h

.PHONY: all test test-plain test-asan compile-check examples bench demo data deps cuda fuzz clean

all: $(BUILD)/test_main examples

$(BUILD):
	@mkdir -p $(BUILD)

deps:
	@sh tools/deps.sh

$(BUILD)/test_main: $(TEST_SRC) | $(BUILD)
	$(CC) $(CFLAGS) $(WARN) -std=c11 -o $@ tests/main.c $(LDLIBS)

$(BUILD)/test_main_asan: $(TEST_SRC) | $(BUILD)
	$(CC) -O1 -g $(WARN) -std=c11 $(SAN) -o $@ tests/main.c $(LDLIBS)

test-plain: $(BUILD)/test_main
	cd tests && ../$(BUILD)/test_main

test-asan: $(BUILD)/test_main_asan
	cd tests && ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1 ../$(BUILD)/test_main_asan

compile-check:
	@sh tests/compile_check.sh

# The README's test command: deps, then compile checks, the tests, the tests under sanitizers.
test: deps compile-check test-plain test-asan
	@echo "make test: all green"

$(BUILD)/%: examples/%.c groundup.h | $(BUILD)
	$(CC) $(CFLAGS) $(WARN) -o $@ $< $(LDLIBS)

examples: $(EXAMPLES)

$(BUILD)/bench_%: bench/%.c groundup.h | $(BUILD)
	$(CC) -O3 -march=native $(WARN) -o $@ $< $(LDLIBS) -lopenblas

bench: $(BENCHES)

clean:
	rm -rf $(BUILD) out
