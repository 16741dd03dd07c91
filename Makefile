# ipc-demos: one Makefile for the whole suite.  GNU Make, libc only.
#
#   make                      build every program in place (msgq/sender, ...)
#   make test                 run the tests (tests/run.sh)
#   make CC=clang WERROR=1    what CI builds; SANITIZE=address,undefined too
#   make demo, make bench     the classroom tour, the numbers
#   make lint                 cppcheck and shellcheck
#   make clean                remove what the build made

# The programs; this list is also the suite's table of contents.
PROGS = \
	msgq/sender \
	msgq/receiver \
	msgq/ctl \
	sem/wait \
	sem/post \
	sem/ctl \
	shm/writer \
	shm/reader \
	shm/counter \
	shm/ctl

COMMON = common/ipcdemo.o

CFLAGS ?= -g -O2

# Kept apart from CFLAGS, so that "make CFLAGS=-O0" cannot drop them.
# _XOPEN_SOURCE=700 gives POSIX and the XSI IPC calls; _DEFAULT_SOURCE adds
# msg_cbytes (the bytes in a queue), a Linux field behind it.  The key file
# is a file of this checkout, for the default ftok() key (common/ipcdemo.c).
WARNINGS = -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 \
	-Wstrict-prototypes -Wmissing-prototypes
REQUIRED = -std=c11 -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE -Icommon \
	-DIPC_DEMO_KEYFILE='"$(CURDIR)/common/ipcdemo.h"'
ifeq ($(WERROR),1)
WARNINGS += -Werror
endif
ifneq ($(SANITIZE),)
SANFLAGS = -fsanitize=$(SANITIZE) -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
endif
ALL_CFLAGS = $(REQUIRED) $(WARNINGS) $(SANFLAGS) $(CFLAGS) -MMD -MP
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)

all: $(PROGS)

msgq/sender msgq/receiver: msgq/msgq.o
sem/wait sem/post: sem/sem.o
shm/writer shm/reader shm/counter: shm/ring.o
$(PROGS): %: %.o $(COMMON)
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(LDLIBS)

%.o: %.c .build-flags
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# Rebuild everything when the compiler or flags change (gcc <-> clang,
# SANITIZE on or off): the objects record nothing of how they were made.
.build-flags: FORCE
	@echo '$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS)' | cmp -s - $@ || \
		echo '$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS)' > $@

test: all
	tests/run.sh

# The classroom tour: make demo [SCENE=msgq|sem|shm] [DEMO_PAUSE=seconds].
demo: all
	SCENE=$(SCENE) DEMO_PAUSE=$(DEMO_PAUSE) tests/demo

# The numbers: make bench [BENCH_MB=256] [BENCH_ROUNDS=5].
bench: all
	BENCH_MB=$(BENCH_MB) BENCH_ROUNDS=$(BENCH_ROUNDS) tests/bench

# Static checks: cppcheck on the C, shellcheck on the scripts.  cppcheck's
# variableScope is off: the house style declares at the top of a block.
lint:
	cppcheck --enable=warning,style,portability,performance --std=c11 \
		-D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE -DIPC_DEMO_KEYFILE='"x"' \
		-Icommon --suppress=variableScope --suppress=missingIncludeSystem \
		--error-exitcode=1 --quiet common msgq sem shm
	shellcheck -x tests/*.sh tests/demo tests/bench .ci/run

clean:
	rm -f $(PROGS) */*.o */*.d .build-flags

.PHONY: all test demo bench lint clean FORCE
.DELETE_ON_ERROR:

-include $(wildcard */*.d)
