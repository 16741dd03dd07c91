# ipc-demos: one Makefile for the whole suite.  GNU Make, libc only.
#
#   make                      build every program in place (msgq/sender, ...)
#   make test                 run the tests (tests/run.sh)
#   make CC=clang WERROR=1    what CI builds; SANITIZE=address,undefined too
#   make demo, make bench     the classroom tour, the numbers
#   make demo-watch           the tour's objects, live (another terminal)
#   make lint                 cppcheck and shellcheck
#   make fuzz                 libFuzzer on the command lines (clang)
#   make check-valgrind       the tests with every program under valgrind
#   make clean                remove what the build made

# The programs; this list is also the suite's table of contents.  A
# first/ page comes right before its full partner: the textbook program,
# the lesson alone, in at most 90 lines (it links common/ for the key).
PROGS = \
	msgq/first/sender \
	msgq/first/receiver \
	msgq/sender \
	msgq/receiver \
	msgq/server \
	msgq/client \
	msgq/ctl \
	sem/first/wait \
	sem/wait \
	sem/first/post \
	sem/post \
	sem/ctl \
	sem/philosophers \
	shm/first/writer \
	shm/writer \
	shm/first/reader \
	shm/reader \
	shm/counter \
	shm/ctl

# common/ is a small library, one concern a file, which every program links.
COMMON_OBJS = \
	common/key.o \
	common/cmdline.o \
	common/num.o \
	common/say.o \
	common/hints.o \
	common/die.o \
	common/signals.o \
	common/watch.o \
	common/output.o \
	common/sets.o
COMMON = common/libipcdemo.a

CFLAGS ?= -g -O2

# Kept apart from CFLAGS, so that "make CFLAGS=-O0" cannot drop them.
# _XOPEN_SOURCE=700 gives POSIX and the XSI IPC calls; _DEFAULT_SOURCE adds
# msg_cbytes (the bytes in a queue), a Linux field behind it.  Naming
# _POSIX_C_SOURCE too gives glibc's POSIX getopt(), as musl's is: options
# end at the first operand ("sem/ctl set -1" is the value -1, not an
# option).
WARNINGS = -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 \
	-Wstrict-prototypes -Wmissing-prototypes
REQUIRED = -std=c11 -D_XOPEN_SOURCE=700 -D_POSIX_C_SOURCE=200809L \
	-D_DEFAULT_SOURCE -Icommon
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

# A first/ page links common/ alone (for its key): the rule below.
msgq/sender msgq/receiver msgq/server msgq/client msgq/ctl: msgq/queue.o
msgq/sender msgq/client: msgq/input.o
msgq/sender msgq/receiver: msgq/stream.o
msgq/server msgq/client: msgq/request.o
msgq/ctl: msgq/peek.o
sem/wait sem/post sem/ctl: sem/sem.o
sem/wait: sem/customer.o
sem/philosophers: sem/table.o
shm/writer shm/reader shm/counter shm/ctl: shm/layout.o shm/turns.o \
	shm/kinds.o
shm/counter: shm/team.o
$(PROGS): %: %.o $(COMMON)
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(COMMON) $(LDLIBS)

$(COMMON): $(COMMON_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

%.o: %.c .build-flags
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# Rebuild everything when the compiler or flags change (gcc <-> clang,
# SANITIZE on or off): the objects record nothing of how they were made.
.build-flags: FORCE
	@echo '$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS)' | cmp -s - $@ || \
		echo '$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS)' > $@

# The bench's floor is built here too, before any test runs: the tests run
# make bench, and two runs at once must not both link it.
test: all tests/msgfloor
	tests/run.sh

# The classroom tour: make demo [SCENE=msgq|sem|shm: one part; sem.2: start
# at that scene] [DEMO_PAUSE=seconds] [DEMO_STEP=1: wait for Enter before
# each step] [DEMO_BRIEF=1: no lines about kernel limits] [DEMO_KEY=key:
# the tour's one key; default: this checkout's own].  Not echoed: the
# first line on the projector is the tour's own.
demo: all
	@SCENE='$(SCENE)' DEMO_PAUSE='$(DEMO_PAUSE)' DEMO_STEP='$(DEMO_STEP)' \
		DEMO_BRIEF='$(DEMO_BRIEF)' DEMO_KEY='$(DEMO_KEY)' tests/demo

# In a second terminal, for the whole tour: every object of the tour, as
# its ctl program watches it (make demo-watch [DEMO_KEY=key]; Ctrl-C).
demo-watch: all
	@DEMO_KEY='$(DEMO_KEY)' tests/demo watch

# The numbers: make bench [BENCH_MB=1024] [BENCH_ROUNDS=5]
# [BENCH_RINGS='2x2M 8x512K': the ring at these geometries too].
bench: all tests/msgfloor
	@BENCH_MB='$(BENCH_MB)' BENCH_ROUNDS='$(BENCH_ROUNDS)' \
		BENCH_RINGS='$(BENCH_RINGS)' tests/bench

# The bench's floor for a queue: msgsnd and msgrcv alone (tests/msgfloor.c).
tests/msgfloor: tests/msgfloor.c .build-flags
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $<

# The test suite again, every program under valgrind memcheck: no error,
# no leak (tests/valgrind; slow: about ten minutes).
check-valgrind:
	tests/valgrind

print-progs:
	@echo $(PROGS)

# Static checks: cppcheck on the C, shellcheck on the scripts.  cppcheck's
# variableScope is off: the house style declares at the top of a block; so
# is unusedStructMember for msgq/first/receiver, whose textbook message has
# an mtype that msgrcv fills and the page never reads.
lint:
	cppcheck --enable=warning,style,portability,performance --std=c11 \
		-D_XOPEN_SOURCE=700 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
		-Icommon --suppress=variableScope --suppress=missingIncludeSystem \
		--suppress=unusedStructMember:msgq/first/receiver.c \
		--error-exitcode=1 --quiet common msgq sem shm tests/fuzz.c \
		tests/msgfloor.c
	shellcheck -x tests/*.sh tests/demo tests/bench tests/valgrind .ci/run

# Fuzz the command lines of all the programs and parse_num (tests/fuzz.c)
# with libFuzzer under ASan+UBSan: make fuzz [FUZZ_SECONDS=60].  Each
# program's main() is renamed and linked into one binary; ld --wrap turns
# exit() and the first msgget/semget/shmget into a jump back, so the
# fuzzer never creates an object.  Built apart, in .fuzz/.
FUZZ_SECONDS = 60
FUZZ_FLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all -g -O1
FUZZ_OBJS = $(patsubst %,.fuzz/%.o,$(PROGS) tests/fuzz \
	msgq/queue msgq/input msgq/stream msgq/request msgq/peek \
	sem/sem sem/customer sem/table \
	shm/layout shm/turns shm/kinds shm/team) \
	$(patsubst %.o,.fuzz/%.o,$(COMMON_OBJS))
FUZZ_WRAP = -Wl,--wrap=exit,--wrap=msgget,--wrap=semget,--wrap=shmget \
	-Wl,--wrap=new_message,--wrap=explain_key,--wrap=fclose

fuzz: .fuzz/args
	@mkdir -p .fuzz/corpus
	.fuzz/args -max_total_time=$(FUZZ_SECONDS) -timeout=5 \
		-close_fd_mask=3 -dict=tests/fuzz.dict -print_final_stats=1 \
		.fuzz/corpus

.fuzz/args: $(FUZZ_OBJS)
	clang $(FUZZ_FLAGS) -fsanitize=fuzzer $(FUZZ_WRAP) -o $@ $^

# main() becomes main_msgq_sender and so on (no prototype: it is main).
.fuzz/%.o: %.c $(wildcard */*.h)
	@mkdir -p $(@D)
	clang $(REQUIRED) $(WARNINGS) -Werror -Wno-missing-prototypes \
		$(FUZZ_FLAGS) -fsanitize=fuzzer-no-link \
		-Dmain=main_$(subst /,_,$*) -c -o $@ $<

clean:
	rm -f $(PROGS) */*.o */*.d */first/*.o */first/*.d $(COMMON) \
		.build-flags tests/msgfloor
	rm -rf .fuzz

.PHONY: all test demo demo-watch bench lint fuzz check-valgrind print-progs \
	clean FORCE
.DELETE_ON_ERROR:

-include $(wildcard */*.d */first/*.d)
