# SPDX-License-Identifier: GPL-2.0-or-later
VERSION := 0.1.0
PREFIX ?= /usr
DESTDIR ?=

# The helper runs in the initramfs before anything else: build it static.
# musl-gcc (Debian: musl-tools) gives a ~120 KiB binary; glibc's static
# binary works too, only larger (and warns about getpwnam, which we never call).
MUSL_GCC := $(shell command -v musl-gcc 2>/dev/null)
ifneq ($(MUSL_GCC),)
STATIC_CC ?= musl-gcc
else
STATIC_CC ?= gcc
endif
CC ?= gcc

# Message buffers may truncate by design; paths go through xsnprintf() and
# sde_path(), which report truncation as an error. No function may keep more than
# 32 KiB on the stack (the initramfs may run us with a small one).
WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral \
	-Wno-format-truncation -Wstack-usage=32768
CFLAGS ?= -O2 -g
# Hardening: stack protector and clash protection, glibc's fortified calls (the
# dynamic test build), read-only relocations bound at start, no executable stack.
HARDEN := -fstack-protector-strong -fstack-clash-protection -D_FORTIFY_SOURCE=2 \
	-Wl,-z,relro -Wl,-z,now -Wl,-z,noexecstack
override CFLAGS += -std=c11 -D_GNU_SOURCE -DVERSION='"$(VERSION)"' $(WARN) $(HARDEN)

SRCS := $(wildcard src/*.c)
LIB_SRCS := $(filter-out src/main.c,$(SRCS))
HDRS := $(wildcard src/*.h)
UNIT_SRCS := $(wildcard tests/unit/*.c)

all: build/scsi-dh-early

build:
	@mkdir -p build

# The static helper goes into every initramfs: optimized for size, each function
# and object in a section of its own so that the linker drops what nothing calls,
# no unwind tables (C without exceptions, nothing unwinds).
STATIC_CFLAGS := -Os -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables \
	-fno-unwind-tables
STATIC_LDFLAGS := -Wl,--gc-sections -Wl,-z,noseparate-code

build/scsi-dh-early: $(SRCS) $(HDRS) Makefile | build
	@echo "  CC (static, $(STATIC_CC)) $@"
	@$(STATIC_CC) $(CFLAGS) $(STATIC_CFLAGS) -static $(STATIC_LDFLAGS) -o $@ $(SRCS)
	@cp $@ $@.stripped && strip $@.stripped && \
	  echo "  $@: $$(stat -c %s $@.stripped) bytes stripped ($(STATIC_CC) -static)" && \
	  rm -f $@.stripped

# The same sources, linked dynamically, so that tests can LD_PRELOAD the dh_state shim.
build/scsi-dh-early-dyn: $(SRCS) $(HDRS) | build
	@echo "  CC (dynamic, for tests) $@"
	@$(CC) $(CFLAGS) -o $@ $(SRCS)

build/dhshim.so: tests/lib/dhshim.c | build
	@echo "  CC (shim) $@"
	@$(CC) -std=c11 -O2 -Wall -Wextra -Werror -shared -fPIC -o $@ $< -ldl

build/unit-tests: $(LIB_SRCS) $(HDRS) $(UNIT_SRCS) | build
	@echo "  CC (unit tests) $@"
	@$(CC) $(CFLAGS) -Isrc -o $@ $(LIB_SRCS) $(UNIT_SRCS)

build/sysfsmagic.so: tests/lib/sysfsmagic.c | build
	@echo "  CC (shim) $@"
	@$(CC) -std=c11 -O2 -Wall -Wextra -Werror -shared -fPIC -o $@ $< -ldl

test-programs: build/scsi-dh-early build/scsi-dh-early-dyn build/dhshim.so build/sysfsmagic.so \
	build/unit-tests \
	san fuzz-programs

# The same sources under AddressSanitizer and UndefinedBehaviorSanitizer (clang: its
# runtime is linked in, so the dh_state shim can still be preloaded). Any report stops
# the program.
SAN_CC ?= clang
SAN_CFLAGS := -std=c11 -D_GNU_SOURCE -DVERSION='"$(VERSION)"' $(WARN) \
	-Wno-unknown-warning-option -O1 -g -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all

build/scsi-dh-early-san: $(SRCS) $(HDRS) | build
	@echo "  CC (ASan+UBSan) $@"
	@$(SAN_CC) $(SAN_CFLAGS) -o $@ $(SRCS)

build/unit-tests-san: $(LIB_SRCS) $(HDRS) $(UNIT_SRCS) | build
	@echo "  CC (unit tests, ASan+UBSan) $@"
	@$(SAN_CC) $(SAN_CFLAGS) -Isrc -o $@ $(LIB_SRCS) $(UNIT_SRCS)

san: build/scsi-dh-early-san build/unit-tests-san

# libFuzzer harnesses (tests/fuzz/), each run for FUZZ_TIME seconds by `make fuzz`.
FUZZERS := cmdline config json modules sysfs
FUZZ_TIME ?= 60
FUZZ_CFLAGS := $(SAN_CFLAGS) -fsanitize=fuzzer
FUZZ_LIB := tests/fuzz/fuzz-tree.c tests/fuzz/fuzz-tree.h

build/fuzz-%: tests/fuzz/fuzz-%.c $(FUZZ_LIB) $(LIB_SRCS) $(HDRS) | build
	@echo "  CC (libFuzzer) $@"
	@$(SAN_CC) $(FUZZ_CFLAGS) -Isrc -Itests/fuzz -o $@ $< tests/fuzz/fuzz-tree.c $(LIB_SRCS)

fuzz-programs: $(FUZZERS:%=build/fuzz-%)

fuzz: fuzz-programs
	@FUZZ_TIME=$(FUZZ_TIME) tests/fuzz/run $(FUZZERS)

deps:
	@scripts/deps.sh

lint:
	@scripts/lint.sh

# Everything: installs what it needs, builds, runs every suite (boot tests too).
check: deps
	@$(MAKE) --no-print-directory test-programs
	@tests/run

# The suites without QEMU boots (quick).
check-quick: test-programs
	@SDE_SKIP_BOOT=1 tests/run

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh

# The floors of `make bench`: a static no-op exec'ed per LUN, and one static
# process that only reads what the helper reads.
build/bench-%: tests/bench/%.c | build
	@echo "  CC (bench, static) $@"
	@$(STATIC_CC) -std=c11 -D_GNU_SOURCE -O2 $(WARN) -static -o $@ $<

bench-programs: build/scsi-dh-early build/scsi-dh-early-dyn build/dhshim.so \
	build/bench-noop build/bench-readfloor

# Fake trees up to 16384 LUNs, one boot with 256 LUNs and the ALUA array's
# boots (tens of minutes); writes bench/report.md. BENCH_SECTIONS="sweep attach"
# runs only those.
bench: deps
	@$(MAKE) --no-print-directory bench-programs
	@scripts/bench.sh $(BENCH_SECTIONS)

clean:
	rm -rf build

-include mk/install.mk
-include mk/dist.mk
-include mk/packages.mk

.PHONY: all deps lint check check-quick demo bench bench-programs clean test-programs san fuzz fuzz-programs
