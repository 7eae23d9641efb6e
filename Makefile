# ipc-labs: the one entry point. `make help` lists what it can do.
#
# Layout of build/ (nothing is built in the source tree):
#   build/bin/<chapter>/<program>     the chapters' runnable programs
#   build/obj/...                     objects of project code (common, tests, programs)
#   build/lists/<test>.list           each test program's table of tests
#   build/learner/tests/<test>        test programs linked with your files in chapters/
#   build/reference/tests/<test>      the same, linked with solutions/
#   build/grade/                      results.json (Gradescope) and junit.xml of `make grade`
#   build/tools/grade                 the grader
# With SANITIZE=address|undefined|thread all of it lives under build/san-<name>/.
# A plain build also makes ThreadSanitizer copies of the lock-free chapters'
# test programs there, in build/san-thread/ (see "ThreadSanitizer copies").

.DEFAULT_GOAL := all
SHELL := /bin/bash
MAKEFLAGS += --no-builtin-rules --no-print-directory
.SUFFIXES:
.DELETE_ON_ERROR:

SANITIZE ?=
ifneq ($(filter-out address undefined thread,$(SANITIZE)),)
$(error SANITIZE must be address, undefined or thread, not '$(SANITIZE)')
endif
B := build$(if $(SANITIZE),/san-$(SANITIZE))

ifeq ($(V),1)
Q :=
say :=
else
Q := @
say = @printf '  %-5s %s\n' '$(1)' '$(2)';
endif

CC := $(if $(filter default,$(origin CC)),cc,$(CC))
SAN_FLAGS := $(if $(SANITIZE),-fsanitize=$(SANITIZE) -fno-omit-frame-pointer) \
             $(if $(filter undefined,$(SANITIZE)),-fno-sanitize-recover=all)
BASE_CFLAGS := -std=c17 -g -O2 -Wall -Wextra -Wshadow -Wformat=2 $(SAN_FLAGS)
# Project code must be warning-free; a learner's warning never costs points.
PROJECT_CFLAGS := $(BASE_CFLAGS) -Werror
LEARNER_CFLAGS := $(BASE_CFLAGS)
CPPFLAGS_ALL := -D_GNU_SOURCE -Icommon -Itests/harness $(if $(SANITIZE),-DIPC_SANITIZED=1)
# A learner's file is not told it is built with a sanitizer: it could keep
# its barriers for ThreadSanitizer's build alone.
LEARNER_CPPFLAGS := $(filter-out -DIPC_SANITIZED=1,$(CPPFLAGS_ALL)) \
                    $(if $(filter thread,$(SANITIZE)),-U__SANITIZE_THREAD__)
LDFLAGS_ALL := $(SAN_FLAGS)
LDLIBS_ALL := -pthread -lrt -lm
# The chapter a path belongs to: chapters/03-sockets/x.c -> 03-sockets
chapter_of = $(word 2,$(subst /, ,$(1)))
chapter_inc = -Ichapters/$(call chapter_of,$(1))
# The chapter of a test program: 03-sockets/test_x or extra/03-sockets/test_x -> 03-sockets
test_chapter = $(firstword $(subst /, ,$(patsubst extra/%,%,$(1))))

# Where the answers are: solutions/ in the course, and in a student's handout
# (which has none) the student's own files in chapters/.
HAVE_SOLUTIONS := $(wildcard solutions/*)
ANSWERS := $(if $(HAVE_SOLUTIONS),solutions,chapters)

# ---------------------------------------------------------------- chapters
CHAPTERS := $(sort $(notdir $(wildcard chapters/[0-9][0-9]-*)))
# A chapter's chapter.mk adds to these:
#   PROGRAMS  "<chapter>/<name>" for each runnable program (see below)
#   DEMOS     targets `make demo` runs, in chapter order
#   SERVICES  names of services tests and demos need (the RabbitMQ broker);
#             each has targets <name>-start, <name>-stop and <name>-running
#             (exits 0 if it is up, or if the user points at their own).
#             <chapter>_SERVICES lists those a chapter's tests, demo and
#             benchmark need: only they start it.
#   BENCHES   targets `make bench` runs, one after the other (never two at
#             once: they would disturb each other's numbers); each writes
#             build/bench/parts/<x>.csv with the header mechanism,size,metric,value
#   BENCH_REPORTS  targets run once build/bench/results.csv holds every part
#             (tables, plots)
PROGRAMS :=
DEMOS :=
SERVICES :=
BENCHES :=
BENCH_REPORTS :=
# For a test that makes the answer's next allocation fail
# (tests/harness/allocfail.h): add ALLOCFAIL to its _EXTRA, ALLOCFAIL_LIBS
# to its _LIBS.
ALLOCFAIL := tests/harness/allocfail.c
ALLOCFAIL_LIBS := $(foreach f,malloc calloc realloc reallocarray strdup strndup,-Wl,--wrap=$(f))
include $(wildcard chapters/*/chapter.mk)

# ---------------------------------------------------------------- common/ and the harness
COMMON_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(wildcard common/*.c))
LIBCOMMON := $(B)/lib/libcommon.a
HARNESS_OBJS := $(B)/obj/tests/harness/runtime.o $(B)/obj/tests/harness/crashtrace.o \
                $(B)/obj/tests/harness/testutil.o
GRADER := build/tools/grade
GRADER_SRCS := tests/harness/grader.c tests/harness/sandbox.c tests/harness/world.c tests/harness/report.c \
               tests/harness/tsan.c tests/harness/crashsite.c \
               common/die.c common/parse.c common/clock.c

$(B)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(PROJECT_CFLAGS) $(CPPFLAGS_ALL) $(call chapter_inc,$<) -I$(dir $<) -MMD -MP -c $< -o $@

$(LIBCOMMON): $(COMMON_OBJS)
	@mkdir -p $(@D)
	$(call say,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

# The grader never links code under test, and is built without a sanitizer:
# it must keep working whatever the tests do.
$(GRADER): $(GRADER_SRCS) tests/harness/grader.h $(wildcard common/*.h)
	@mkdir -p $(@D)
	$(call say,CC,$@)
	$(Q)$(CC) -std=c17 -g -O2 -Wall -Wextra -Werror -Wno-format-truncation -D_GNU_SOURCE -Icommon -Itests/harness \
		$(GRADER_SRCS) -o $@ -lcunit

# ---------------------------------------------------------------- programs
# A chapter's chapter.mk adds "<chapter>/<name>" to PROGRAMS; the source is
# chapters/<chapter>/<name>.c plus <chapter>/<name>_EXTRA (more sources) and
# <chapter>/<name>_LIBS (more libraries).
define program_rule
$(B)/bin/$(1): $(B)/obj/chapters/$(1).o $(patsubst %.c,$(B)/obj/%.o,$($(1)_EXTRA)) $(LIBCOMMON)
	@mkdir -p $$(@D)
	$$(call say,LD,$$@)
	$(Q)$(CC) $(LDFLAGS_ALL) $$^ -o $$@ $($(1)_LIBS) $(LDLIBS_ALL)
endef
$(foreach p,$(PROGRAMS),$(eval $(call program_rule,$(p))))

# ---------------------------------------------------------------- tests
# Graded:   tests/<chapter>/test_<x>.c tests chapters/<chapter>/<x>.c
#           (the answer: solutions/<chapter>/<x>.c).
# Ungraded: tests/common/test_*.c and tests/<chapter>/e2e_*.c (examples end to end).
# <test>_EXTRA and <test>_LIBS add sources and libraries to a test program.
GRADED := $(patsubst tests/%.c,%,$(sort $(wildcard tests/[0-9][0-9]-*/test_*.c)))
UNIT := $(patsubst tests/%.c,%,$(sort $(wildcard tests/common/test_*.c tests/[0-9][0-9]-*/e2e_*.c)))
# A wrong answer that only some builds can catch lists them in
# tests/wrong/<name>/only-with ("plain", "address", "undefined", "thread"),
# and is graded only in those builds. (A data race that x86 hides needs
# ThreadSanitizer: "plain thread", since a plain build runs the lock-free
# chapters' tests in ThreadSanitizer too; see "ThreadSanitizer copies".)
# One that only a grader running as root can catch (a test that reads what
# an earlier test left: only root gives each test a world of its own) says
# "root" in tests/wrong/<name>/needs. One that, without namespaces, would
# reach past its test (kill(-1) ends every process of the user) says
# "namespaces": graded as root, or where unprivileged user namespaces work.
wrong_only = $(strip $(if $(wildcard tests/wrong/$(1)/only-with),$(file < tests/wrong/$(1)/only-with)))
wrong_needs = $(and $(wildcard tests/wrong/$(1)/needs),$(filter $(2),$(file < tests/wrong/$(1)/needs)))
wrong_needs_root = $(call wrong_needs,$(1),root)
AS_ROOT := $(filter 0,$(shell id -u))
HAVE_NS := $(or $(AS_ROOT),$(shell unshare -Urmip --fork --mount-proc true 2>/dev/null && echo yes))
WRONG := $(foreach w,$(sort $(notdir $(wildcard tests/wrong/*))),$(if $(call wrong_only,$(w)),\
           $(if $(filter $(or $(SANITIZE),plain),$(call wrong_only,$(w))),$(w)),\
           $(if $(call wrong_needs_root,$(w)),$(if $(AS_ROOT),$(w)),\
           $(if $(call wrong_needs,$(w),namespaces),$(if $(HAVE_NS),$(w)),$(w)))))
exercise_of = $(dir $(1))$(patsubst test_%,%,$(notdir $(1))).c
test_deps = $(B)/obj/tests/$(1).o $(patsubst %.c,$(B)/obj/%.o,$($(1)_EXTRA)) $(HARNESS_OBJS) $(LIBCOMMON)
test_link = $(CC) $(LDFLAGS_ALL) -o $$@ $$@.ex.o $(call test_deps,$(1)) $($(1)_LIBS) -lcunit $(LDLIBS_ALL)

# The list of tests is taken from the test file alone: the code under test
# is not linked (its symbols are left unresolved and never called), so no
# answer can hide, add or re-score a test.
$(B)/lists/%.list: $(B)/obj/tests/%.o $(HARNESS_OBJS) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@.lister $^ -Wl,--unresolved-symbols=ignore-all -Wl,-z,now -lcunit $(LDLIBS_ALL)
	$(Q)$@.lister --list > $@.tmp && mv $@.tmp $@ && rm -f $@.lister

# Reference answers must build cleanly, and keep objcheck's rules (below).
define reference_rule
$(B)/reference/tests/$(1): solutions/$(call exercise_of,$(1)) $(call test_deps,$(1)) $(OBJCHECK) $(call allowed_of,$(1))
	@mkdir -p $$(@D)
	$$(call say,CC,$$< [reference])
	$(Q)$(CC) $(PROJECT_CFLAGS) $(CPPFLAGS_ALL) -Ichapters/$(call test_chapter,$(1)) -MMD -MP -MF $$@.d -c $$< -o $$@.ex.o
	$(Q)$(call check_obj,$(1))
	$(Q)$(test_link)
endef

# An exercise file may provide only what its header declares: objcheck
# (tests/harness/objcheck.c) reads the compiled object and refuses any other
# exported symbol, any constructor, destructor or ifunc, and any call into
# CUnit or the harness. What the header declares is read from the header
# alone (gcc -aux-info), never from the learner's file.
OBJCHECK := build/tools/objcheck
$(OBJCHECK): tests/harness/objcheck.c
	@mkdir -p $(@D)
	$(call say,CC,$@)
	$(Q)$(CC) -std=c17 -g -O2 -Wall -Wextra -Werror -D_GNU_SOURCE $< -o $@
allowed_of = $(B)/allowed/$(basename $(call exercise_of,$(patsubst extra/%,%,$(1)))).allowed
$(B)/allowed/%.allowed: chapters/%.h
	@mkdir -p $(@D)
	$(Q)echo '#include "$(notdir $<)"' | $(CC) -std=c17 $(CPPFLAGS_ALL) -I$(<D) -x c - -fsyntax-only -aux-info $@.aux
	$(Q)sed -n 's|^/\* $<:[0-9]*:[A-Z]* \*/ \([^(]*[A-Za-z0-9_]\) (.*|\1|p' $@.aux | sed 's/.*[^A-Za-z0-9_]//' > $@.tmp
	$(Q)rm -f $@.aux && mv $@.tmp $@
# Sanitizers add constructors of their own: the check reads a plain build.
check_obj = $(if $(SANITIZE),$(LEARNER_CC) $$< $$@.check.o '' -- $(CC) -std=c17 -O2 $(LEARNER_CPPFLAGS) \
	-Ichapters/$(call test_chapter,$(1)) &&) $(OBJCHECK) $$@.$(if $(SANITIZE),check,ex).o $(call allowed_of,$(1)) $$<
# A learner's file is compiled bounded in time, memory and output, as an
# unprivileged user, and may include nothing outside the course and the
# system's headers (tests/harness/learner-cc.sh).
LEARNER_CC := tests/harness/learner-cc.sh

# A learner's file that does not compile, link or keep objcheck's rules is
# recorded in <test>.log and costs only its own tests; the build goes on.
# $(4) is "fatal" for a wrong answer that must build, "refused" for one
# that the build must refuse (objcheck, learner-cc's bounds, or the linker), saying why
# in at most 70 kB; wrong answers get 10 s to compile, not 60.
define learner_rule
$(B)/$(2)/tests/$(1): $(3) $(call test_deps,$(1)) $(OBJCHECK) $(call allowed_of,$(1))
	@mkdir -p $$(@D)
	$$(call say,CC,$$< [$(2)$(if $(SANITIZE), $(SANITIZE))])
	$(Q)rm -f $$@ $$@.log; \
	if $(if $(4),GRADE_COMPILE_TIMEOUT=10) $(LEARNER_CC) $$< $$@.ex.o $$@.d -- $(CC) $(LEARNER_CFLAGS) $(LEARNER_CPPFLAGS) \
		-Ichapters/$(call test_chapter,$(1)) -MT $$@ 2> $$@.log && $(call check_obj,$(1)) 2>> $$@.log && \
		timeout 60 $(test_link) 2>> $$@.log; then \
		cat $$@.log >&2; rm -f $$@.log; \
		$(if $(filter refused,$(4)),echo '  $$< was not refused' >&2; exit 1;) \
	elif $(if $(filter refused,$(4)),grep -q ': error: refused: \|messages were cut here\|undefined reference to\|multiple definition of' $$@.log && \
		[ $$$$(wc -c < $$@.log) -le 70000 ],false); then \
		rm -f $$@; \
	else \
		cat $$@.log >&2; rm -f $$@; \
		printf '  %s does not build; its tests will score 0\n' '$$<' >&2; \
		$(if $(4),exit 1,true); \
	fi
endef
$(foreach t,$(GRADED),$(eval $(call reference_rule,$(t))))
$(foreach t,$(GRADED),$(eval $(call learner_rule,$(t),learner,chapters/$(call exercise_of,$(t)),)))

# GRADE_EXTRA=dir: an instructor's own tests, dir/<chapter>/test_<x>.c with
# the same conventions, graded against chapters/<chapter>/<x>.c and reported
# under "extra".
ifneq ($(GRADE_EXTRA),)
EXTRA_DIR := $(abspath $(GRADE_EXTRA))
ifeq ($(wildcard $(EXTRA_DIR)/[0-9][0-9]-*/test_*.c),)
$(error GRADE_EXTRA=$(GRADE_EXTRA) holds no <chapter>/test_<exercise>.c)
endif
EXTRA := $(patsubst $(EXTRA_DIR)/%.c,extra/%,$(sort $(wildcard $(EXTRA_DIR)/[0-9][0-9]-*/test_*.c)))
$(B)/obj/tests/extra/%.o: $(EXTRA_DIR)/%.c
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(PROJECT_CFLAGS) $(CPPFLAGS_ALL) -Ichapters/$(call test_chapter,$*) -MMD -MP -c $< -o $@
$(foreach t,$(EXTRA),$(eval $(call learner_rule,$(t),learner,chapters/$(call exercise_of,$(patsubst extra/%,%,$(t))),)))
endif

define unit_rule
$(B)/unit/tests/$(1): $(call test_deps,$(1))
	@mkdir -p $$(@D)
	$$(call say,LD,$$@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $$@ $$^ $($(1)_LIBS) -lcunit $(LDLIBS_ALL)
endef
$(foreach t,$(UNIT),$(eval $(call unit_rule,$(t))))

# tests/wrong/<name>/<chapter>/<x>.c: a deliberately wrong answer to one
# exercise. It must build (else it would be "caught" for nothing).
wrong_file = $(patsubst tests/wrong/$(1)/%,%,$(firstword $(wildcard tests/wrong/$(1)/*/*.c)))
wrong_test = $(dir $(call wrong_file,$(1)))test_$(notdir $(basename $(call wrong_file,$(1))))
wrong_expect = $(strip $(if $(wildcard tests/wrong/$(1)/expect),$(file < tests/wrong/$(1)/expect)))
$(foreach w,$(WRONG),$(eval $(call learner_rule,$(call wrong_test,$(w)),wrong/$(w),tests/wrong/$(w)/$(call wrong_file,$(w)),$(if $(filter refused,$(call wrong_expect,$(w))),refused,fatal))))

# ---------------------------------------------------------------- ThreadSanitizer copies
# From chapter 06 on the exercises are lock-free, and a missing barrier is a
# data race that x86 hides however long a test runs. So a plain build also
# links each graded test program of those chapters with ThreadSanitizer (the
# same target SANITIZE=thread builds, under build/san-thread/), and the
# grader runs a test that passes there too: it passes only if it passes in
# both (grader.c, --tsan). Chapters are picked by number, so a new one is
# covered. Under SANITIZE=thread the build is ThreadSanitizer's already;
# under address or undefined the thread configuration does this check.
TSAN_FROM := 6
TSAN_CHAPTERS := $(if $(SANITIZE),,$(shell printf '%s\n' $(CHAPTERS) | awk -F- '$$1 + 0 >= $(TSAN_FROM)'))
TSAN_B := build/san-thread
TSAN_TIMEOUT_SCALE := 5
# Of the tests $(1), those with a ThreadSanitizer copy.
tsan_only = $(foreach t,$(1),$(if $(filter $(addsuffix /%,$(TSAN_CHAPTERS)),$(patsubst extra/%,%,$(t))),$(t)))
# A wrong answer gets one if the thread configuration grades it too, and it builds.
wrong_in_thread = $(if $(call wrong_only,$(1)),$(filter thread,$(call wrong_only,$(1))),yes)
TSAN_WRONG := $(foreach w,$(WRONG),$(if $(and $(call tsan_only,$(call wrong_test,$(w))),$(call wrong_in_thread,$(w)),\
                $(if $(filter refused,$(call wrong_expect,$(w))),,yes)),$(w)))
TSAN_TESTS := $(if $(HAVE_SOLUTIONS),$(patsubst %,$(TSAN_B)/reference/tests/%,$(call tsan_only,$(GRADED)))) \
              $(foreach w,$(TSAN_WRONG),$(TSAN_B)/wrong/$(w)/tests/$(call wrong_test,$(w)))
# The grader asks this program of the course's own whether ThreadSanitizer
# runs here at all (some kernels' address-space layout defeats it); where it
# does not build, the copies are not built either: that is no answer's fault.
TSAN_PROBE := $(TSAN_B)/tools/tsan-probe
$(TSAN_PROBE):
	@mkdir -p $(@D)
	$(Q)printf '%s\n' '#include <pthread.h>' 'static void *run(void *arg) { return arg; }' \
		'int main(void) { pthread_t t; return pthread_create(&t, 0, run, 0) || pthread_join(t, 0); }' | \
		$(CC) -fsanitize=thread -x c - -o $@ -pthread
# Builds the ThreadSanitizer copies $(1); when the course's side of them
# cannot be built, says so and goes on (the grader then reports the check
# as not made).
tsan_build = { $(MAKE) $(MAKE_QUIET) $(TSAN_PROBE) && $(MAKE) $(MAKE_QUIET) -k SANITIZE=thread $(1); } || \
	{ $(call drop_stale,$(1) $(TSAN_PROBE),SANITIZE=thread); \
	  echo "ThreadSanitizer copies did not all build (see above); those tests are checked without it" >&2; }
# --tsan for the programs under $(B)/$(1)/tests.
tsan_bins = $(if $(TSAN_CHAPTERS),--tsan $(TSAN_B)/$(1)/tests)

LISTS := $(patsubst %,$(B)/lists/%.list,$(GRADED) $(UNIT) $(EXTRA))
LEARNER_TESTS := $(patsubst %,$(B)/learner/tests/%,$(GRADED) $(EXTRA))
# A handout has no solutions/: nothing is built from them there.
REFERENCE_TESTS := $(if $(HAVE_SOLUTIONS),$(patsubst %,$(B)/reference/tests/%,$(GRADED)))
# The files a learner edits: one per graded test program.
EXERCISE_FILES := $(foreach t,$(GRADED),chapters/$(call exercise_of,$(t)))
UNIT_TESTS := $(patsubst %,$(B)/unit/tests/%,$(UNIT))
WRONG_TESTS := $(foreach w,$(WRONG),$(B)/wrong/$(w)/tests/$(call wrong_test,$(w)))
BINS := $(patsubst %,$(B)/bin/%,$(PROGRAMS))

-include $(shell find $(B) -name '*.d' 2>/dev/null)

# ---------------------------------------------------------------- services
# Demos, grading, tests and benchmarks run through common/run-each.sh, so
# that a chapter which does not build or whose service does not start costs
# only that chapter. "@broker" after a target asks it to start the broker
# first; it starts each service at most once and stops what it started.
empty :=
space := $(empty) $(empty)
chapter_services = $(sort $(foreach c,$(1),$($(c)_SERVICES)))
needs = $(if $(call chapter_services,$(1)),@$(subst $(space),$(comma),$(call chapter_services,$(1))))
RUN_EACH = MAKE='$(MAKE)' common/run-each.sh
# A sub-make that builds named files says nothing of those already up to date.
MAKE_QUIET := $(if $(filter 1,$(V)),,-s)
# After a build with -k, a file that could not be remade may still be there
# from an earlier build: it would be graded as if it were current.
drop_stale = for f in $(1); do $(MAKE) -q $(2) $$f 2>/dev/null || rm -f $$f $$f.log; done

# Chapters whose service run-each.sh found down (IPC_SERVICES_DOWN) are
# reported as NOT RUN by the grader, with the reason, instead of failing
# test by test for a reason that has nothing to do with the answers.
down_for = $(filter $(IPC_SERVICES_DOWN),$($(1)_SERVICES))
GRADE_UNAVAILABLE = $(foreach c,$(CHAPTERS),$(if $(call down_for,$(c)),--unavailable \
	'$(c)=it needs the $(call down_for,$(c))$(comma) which did not start (see its message above)'))

# ---------------------------------------------------------------- running the grader
GRADE_TIMEOUT_SCALE := $(if $(filter thread,$(SANITIZE)),$(TSAN_TIMEOUT_SCALE),$(if $(SANITIZE),3,1))
GRADE_ENV := IPC_BIN_DIR=$(CURDIR)/$(B)/bin IPC_BUILD_DIR=$(CURDIR)/build \
             $(if $(filter thread,$(SANITIZE))$(TSAN_CHAPTERS),TSAN_OPTIONS="suppressions=$(CURDIR)/tests/harness/tsan.supp $$TSAN_OPTIONS")
# Each graded test's time limit, and the whole run's, come from the
# reference answers' measured times (tests/budget.tsv, `make budget`).
BUDGET := tests/budget.tsv
GRADE_MEASURE = $(GRADE_ENV) $(GRADER) --lists $(B)/lists --timeout-scale $(GRADE_TIMEOUT_SCALE) \
            $(if $(SANITIZE),--sanitized$(if $(filter thread,$(SANITIZE)),=thread)) $(GRADE_UNAVAILABLE) \
            $(if $(TSAN_CHAPTERS),--tsan-chapters $(subst $(space),$(comma),$(addsuffix /,$(TSAN_CHAPTERS))) \
              --tsan-probe $(TSAN_PROBE) --tsan-timeout-scale $(TSAN_TIMEOUT_SCALE))
# GRADE_BUDGET=seconds bounds a whole run more tightly (a grading service's
# own limit, less the build).
GRADE_RUN = $(GRADE_MEASURE) --budget $(BUDGET) $(if $(GRADE_BUDGET),--budget-total $(GRADE_BUDGET))

# ---------------------------------------------------------------- targets
.PHONY: all demo test grade docs bench clean deps help programs tests list-exercises \
        handout grade-all gradescope test-classroom test-distro test-layout test-packaging \
        hint watch debug debug-run test-reference test-stubs test-wrong test-mutants test-mutants-run \
        test-programs test-debug test-learner test-devcontainer test-editor compile_commands.json \
        test-body test-build tests-tsan demo-body grade-body grade-run \
        grade-all-run docs-body bench-body \
        $(DEMOS) $(BENCHES) $(BENCH_REPORTS)

all: programs tests ## build every program and test (learner and reference)

programs: $(BINS) ## build the chapters' programs into build/bin/<chapter>/

tests: $(GRADER) $(LISTS) $(LEARNER_TESTS) $(REFERENCE_TESTS) $(UNIT_TESTS)

deps: ## check the Debian packages the course needs; install what is missing
	@common/deps.sh

demo: deps ## run every chapter's example programs
	@$(MAKE) demo-body

# Each demo builds its own programs: one chapter that does not build stops
# no other.
demo-body:
	+@$(RUN_EACH) demo -- $(foreach d,$(DEMOS),$(d)$(call needs,$(patsubst demo-%,%,$(d))))

grade: deps ## grade your files in chapters/ (CH=03 or EX=03.2 to narrow; V=1 every test; GRADE_STRICT=1; GRADE_EXTRA=dir)
	@$(MAKE) grade-body

# CH=00,03 builds and grades those chapters only; EX=03.2 its chapter only.
comma := ,
GRADE_CH := $(or $(CH),$(foreach e,$(subst $(comma), ,$(EX)),$(firstword $(subst ., ,$(e)))))
GRADE_SET := $(if $(GRADE_CH),$(foreach c,$(subst $(comma), ,$(GRADE_CH)),$(filter $(c)% extra/$(c)%,$(GRADED) $(EXTRA))),$(GRADED) $(EXTRA))
GRADE_CHAPTERS := $(sort $(foreach t,$(GRADE_SET),$(call test_chapter,$(t))))
# What grading needs built: the tests, and the programs some tests run.
GRADE_BUILD := $(patsubst %,$(B)/lists/%.list,$(GRADE_SET)) $(patsubst %,$(B)/learner/tests/%,$(GRADE_SET)) \
               $(foreach c,$(GRADE_CHAPTERS),$(filter $(B)/bin/$(c)/%,$(BINS)))

# -k: course code of one chapter that does not build (the learner's own
# files never stop the build) costs only that chapter's tests, which the
# grader then reports as NOT RUN.
# The ThreadSanitizer copies are built for answers that built plain: one that
# does not scores 0 already, and its errors are shown once.
grade-body: $(GRADER)
	@$(MAKE) $(MAKE_QUIET) -k $(GRADE_BUILD) || { $(call drop_stale,$(GRADE_BUILD)); \
		echo "grade: part of the course did not build (see above); its tests will show as NOT RUN" >&2; }
	$(if $(call tsan_only,$(GRADE_SET)),@tsan=$$(for t in $(call tsan_only,$(GRADE_SET)); do \
		[ -e $(B)/learner/tests/$$t ] && echo $(TSAN_B)/learner/tests/$$t; done); \
		[ -z "$$tsan" ] || $(call tsan_build,$$tsan))
	+@$(RUN_EACH) grade -- grade-run$(call needs,$(GRADE_CHAPTERS))

hint: ## the next hint for EX=06.1, one more each time (ALL=1: those seen so far; RESET=1)
	@/usr/bin/python3 common/hint.py '$(EX)' $(if $(ALL),ALL) $(if $(RESET),RESET)

watch: deps ## grade again on every save of a file in chapters/ (EX=06.1 or CH=06 to narrow)
	@common/watch.sh chapters $(MAKE) --no-print-directory grade $(if $(EX),EX=$(EX)) $(if $(CH),CH=$(CH))

# GRADE_SEED=N replays the random choices of a run (its report prints N).
export GRADE_SEED

# One test of EX, here and now, outside the grader (tests/harness/debug.sh):
# the first failing one unless TEST= names it, under TOOL= (gdb if installed).
debug: deps ## run one test of EX=06.1 here, outside the grader (TEST=name, TOOL=gdb|valgrind|rr|none|editor)
	$(if $(filter 1,$(words $(subst $(comma), ,$(EX)))),,$(error make debug needs one exercise, for example EX=06.1))
	@$(MAKE) $(MAKE_QUIET) $(GRADE_BUILD)
	+@$(RUN_EACH) debug -- debug-run$(call needs,$(GRADE_CHAPTERS))

debug-run:
	@mkdir -p $(B)/debug && cd $(B)/debug && $(GRADE_ENV) $(CURDIR)/tests/harness/debug.sh \
		$(CURDIR)/$(B)/lists $(CURDIR)/$(B)/learner/tests '$(EX)' '$(TEST)' '$(TOOL)'

# GRADE_DEADLINE=seconds since the epoch: the tests must be done by then
# (Gradescope's run_autograder: its time limit, less what the build took);
# GRADE_HIDDEN_VISIBILITY: results.json's visibility for GRADE_EXTRA's tests.
grade-run:
	$(Q)$(GRADE_RUN) --bins $(B)/learner/tests $(call tsan_bins,learner) --out $(B)/grade \
		$(if $(EX),--exercise $(EX)) $(if $(GRADE_STRICT),--strict) $(if $(filter 1,$(V)),--verbose) \
		$(if $(GRADE_DEADLINE),--budget-total $$(left=$$(($(GRADE_DEADLINE) - $$(date +%s))); echo $$((left > 1 ? left : 1)))) \
		$(if $(GRADE_HIDDEN_VISIBILITY),--hidden-visibility $(GRADE_HIDDEN_VISIBILITY)) \
		$(GRADE_SET)
	@echo "Reports: $(B)/grade/results.json (Gradescope), $(B)/grade/junit.xml"

test: deps ## everything against the reference answers; stubs and wrong answers must fail
ifeq ($(HAVE_SOLUTIONS),)
	@echo "make test checks the course itself against its reference answers (solutions/)," >&2
	@echo "which a student handout does not include. To grade your work: make grade" >&2
	@exit 1
else
	@$(MAKE) test-body
endif

# Every check runs, even after one failed, so that one chapter's failure
# (it does not build here, its service does not start) hides nothing about
# the others; the summary names what failed. The checks are run with
# PREBUILT=1: test-build built what they need, and what it could not build
# they report themselves. The reference run comes last so the output ends
# with its CUnit Run Summary.
ALL_NEEDS := $(call needs,$(CHAPTERS))
test-body:
	+@$(RUN_EACH) test PREBUILT=1 -- test-build test-layout test-programs test-debug test-learner $(if $(SANITIZE),,test-devcontainer test-editor) test-stubs$(ALL_NEEDS) test-wrong$(ALL_NEEDS) \
		$(if $(SANITIZE),,test-packaging$(ALL_NEEDS)) \
		$(if $(filter address undefined,$(SANITIZE)),,test-mutants-run$(ALL_NEEDS)) \
		docs-body test-reference$(ALL_NEEDS)

test-build:
	@ok=0; $(MAKE) $(MAKE_QUIET) -k tests $(WRONG_TESTS) $(BINS) || \
		{ $(call drop_stale,$(LISTS) $(LEARNER_TESTS) $(REFERENCE_TESTS) $(UNIT_TESTS) $(WRONG_TESTS)); ok=1; }; \
	$(if $(strip $(TSAN_TESTS)),$(MAKE) tests-tsan || ok=1;) exit $$ok

# The ThreadSanitizer copies test-reference and test-wrong run (no stub's:
# a stub fails in the plain build, and a test that fails there runs no more).
# They are the course's own code: one that does not build fails the build.
tests-tsan:
	@$(MAKE) $(MAKE_QUIET) -k SANITIZE=thread $(TSAN_PROBE) $(TSAN_TESTS) || \
		{ $(call drop_stale,$(TSAN_PROBE) $(TSAN_TESTS),SANITIZE=thread); exit 1; }

# Every answer has its starter and its tests, and every graded test its answer.
test-layout: $(if $(PREBUILT),,$(LISTS))
	$(Q)bad=0; for f in $(patsubst solutions/%,%,$(wildcard solutions/*/*.c)); do \
		[ -f chapters/$$f ] || { echo "solutions/$$f has no starter chapters/$$f" >&2; bad=1; }; \
		t=tests/$$(dirname $$f)/test_$$(basename $$f); \
		[ -f $$t ] || { echo "solutions/$$f has no graded tests $$t" >&2; bad=1; }; done; \
	for f in $(EXERCISE_FILES); do [ -f solutions/$${f#chapters/} ] || \
		{ echo "$$f is graded but has no answer in solutions/" >&2; bad=1; }; done; \
	BUDGET_TWICE="$(TSAN_CHAPTERS)" tests/harness/budget.sh check $(BUDGET) $(B)/lists $(GRADED) || bad=1; \
	[ $$bad = 0 ] && echo "layout: $(words $(EXERCISE_FILES)) exercises, each with starter, answer and tests"

# Every program in $(B)/bin answers --help and --version and refuses an
# unknown option in one line (tests/programs/cli.sh; common/cli.h).
test-programs: $(if $(PREBUILT),,$(BINS))
	$(Q)tests/programs/cli.sh $(B)/bin

# make hint and make watch (tests/learner/test-hint-watch.sh).
test-learner: $(if $(PREBUILT),,$(LISTS))
	$(Q)tests/learner/test-hint-watch.sh $(B)/lists

# The dev container for macOS and Windows (.devcontainer/), without Docker:
# its settings, its Dockerfile's steps, and RouDi in its /dev/shm
# (tests/editor/devcontainer.py).
test-devcontainer:
	$(Q)/usr/bin/python3 tests/editor/devcontainer.py .

# make debug, on the starter of 00.1 (tests/harness/test-debug.sh).
test-debug: $(if $(PREBUILT),,$(GRADER) $(B)/lists/00-getting-started/test_status.list \
		$(B)/learner/tests/00-getting-started/test_status)
	+$(Q)tests/harness/test-debug.sh PREBUILT=1 $(if $(SANITIZE),SANITIZE=$(SANITIZE))

# For clangd and editors: every C file with the flags the Makefile gives it,
# read from a dry run of the build (nothing is compiled). The second run is
# the generic rule, for files no target compiles here
# (common/compile-commands.py).
CCDB := build/compile_commands.json
CCDB_FALLBACK = $(patsubst %.c,$(B)/obj/%.o,$(shell find chapters $(wildcard solutions) tests -name '*.c' -not -path 'tests/wrong/*'))
compile_commands.json: ## write build/compile_commands.json for clangd and VS Code (compiles nothing)
	@mkdir -p build
	$(Q){ $(MAKE) -n -B -k V=1 all $(WRONG_TESTS) $(BENCHES) 2>/dev/null; echo '#fallback'; \
		$(MAKE) -n -B -k V=1 $(CCDB_FALLBACK) 2>/dev/null; } | \
		/usr/bin/python3 common/compile-commands.py $(CURDIR) > $(CCDB).tmp && mv $(CCDB).tmp $(CCDB)
	@echo "compile_commands.json: $(CCDB), $$(grep -c '"file":' $(CCDB)) files"

# make compile_commands.json and the .vscode/ tasks and launch configuration,
# gdb included, on the starter of 00.1 (tests/editor/editor.py).
test-editor: $(if $(PREBUILT),,$(GRADER) $(B)/lists/00-getting-started/test_status.list \
		$(B)/learner/tests/00-getting-started/test_status)
	$(Q)$(MAKE) $(MAKE_QUIET) compile_commands.json > /dev/null && /usr/bin/python3 tests/editor/editor.py . $(CCDB)

# The time limits in tests/budget.tsv: three runs of the reference answers
# (with the tests' own limits), the median of each test's time, and from it
# its limit (tests/harness/budget.sh says how). Measured on a plain build:
# sanitizer builds scale every limit by GRADE_TIMEOUT_SCALE.
.PHONY: budget budget-body budget-run
budget: deps ## re-measure the reference answers' test times and rewrite tests/budget.tsv (a few minutes)
	$(if $(SANITIZE),$(error make budget measures the plain build; run it without SANITIZE))
	$(if $(HAVE_SOLUTIONS),,$(error make budget measures the reference answers, which this tree does not have))
	@$(MAKE) budget-body

budget-body:
	@$(MAKE) $(MAKE_QUIET) $(GRADER) $(patsubst %,$(B)/lists/%.list,$(GRADED)) $(REFERENCE_TESTS) \
		$(foreach c,$(CHAPTERS),$(filter $(B)/bin/$(c)/%,$(BINS)))
	+@$(RUN_EACH) budget -- budget-run$(ALL_NEEDS)

budget-run:
	$(Q)rm -rf $(B)/budget && for i in 1 2 3; do \
		$(GRADE_MEASURE) --bins $(B)/reference/tests --out $(B)/budget/run$$i --expect pass --brief \
			--title "reference answers, run $$i of 3" $(GRADED) || exit 1; done
	$(Q)tests/harness/budget.sh write $(BUDGET) $(B)/lists $(B)/budget $(GRADED)

# The handout, batch grading and the Gradescope zip, end to end (tests/packaging/).
test-packaging: $(GRADER) $(if $(PREBUILT),,$(B)/wrong/harness-hostile-bytes/tests/00-getting-started/test_status \
		$(B)/wrong/harness-kill-all/tests/00-getting-started/test_status \
		$(B)/wrong/harness-endless-loop/tests/00-getting-started/test_status)
	+$(Q)B=$(B) tests/packaging/test-packaging.sh

# The mutation gate (tests/mutate/): small semantic changes to each reference
# answer must fail its tests; an exercise where fewer than 90 % of the
# mutants that compile are caught fails, and the survivors are printed.
# Memory-order mutants (acquire/release made relaxed) only a race detector can
# catch on x86: they are graded in the SANITIZE=thread build, the rest in the
# plain one. EX=06.1,09.1 narrows it; MUTANTS_CAP=N sets mutants per exercise.
MUTANTS_OPS := $(if $(filter thread,$(SANITIZE)),mo,rel$(comma)int$(comma)idx$(comma)ret$(comma)del)
test-mutants: deps ## the mutation gate: small changes to each answer must fail its tests (EX=06.1 to narrow)
	$(if $(filter address undefined,$(SANITIZE)),$(error the mutation gate runs in the plain build (most operators) and SANITIZE=thread (memory order), not SANITIZE=$(SANITIZE)))
	+@$(RUN_EACH) mutants -- test-mutants-run$(call needs,$(GRADE_CHAPTERS))

test-mutants-run: export MUT_GRADE = $(GRADE_RUN)
test-mutants-run: export MUT_CC = $(CC)
test-mutants-run: export MUT_CFLAGS = $(LEARNER_CFLAGS)
test-mutants-run: export MUT_CPPFLAGS = $(CPPFLAGS_ALL)
test-mutants-run: export MUT_LDFLAGS = $(LDFLAGS_ALL)
test-mutants-run: export MUT_LDLIBS = $(LDLIBS_ALL)
test-mutants-run: export MUT_LISTS = $(B)/lists
test-mutants-run: export MUT_BINS = $(B)/reference/tests
test-mutants-run: export MUT_TIMEOUT_SCALE = $(GRADE_TIMEOUT_SCALE)
test-mutants-run: export MUT_OPS = $(MUTANTS_OPS)
test-mutants-run: export MUTANTS_EX = $(EX)
test-mutants-run: $(if $(PREBUILT),,tests)
	$(Q)rm -rf $(B)/mutants && mkdir -p $(B)/mutants && printf '%s\t%s\t%s\t%s\n' \
		$(foreach t,$(GRADED),'$(t)' 'solutions/$(call exercise_of,$(t))' '$(call test_deps,$(t))' '$($(t)_LIBS)') \
		> $(B)/mutants/plan.tsv
	$(Q)/usr/bin/python3 tests/mutate/gate.py $(B)/mutants/plan.tsv $(B)/mutants

test-reference: $(if $(PREBUILT),,tests $(if $(strip $(TSAN_TESTS)),tests-tsan))
	$(Q)$(GRADE_RUN) --bins $(B)/reference/tests $(call tsan_bins,reference) --out $(B)/test/reference --expect pass --cunit-summary \
		--title "reference answers and unit tests$(if $(SANITIZE), (SANITIZE=$(SANITIZE)))" \
		--bins $(B)/unit/tests $(GRADED) $(UNIT)

test-stubs: $(if $(PREBUILT),,tests)
	$(Q)$(GRADE_RUN) --bins $(B)/learner/tests --out $(B)/test/stubs --expect fail --brief \
		--title "starter stubs (every graded test must fail)" $(GRADED)

# Each wrong answer is graded beside the reference answers of its chapter and
# the unit tests of common/: at least one test of its exercise must fail (all of them
# if tests/wrong/<name>/expect says "zero"), every other test must pass, and
# the run must finish. tests/wrong/<name>/message, if there, is text that every
# failure of its exercise must say (caught, and for the right reason).
wrong_others = $(filter-out $(2),$(filter $(call chapter_of,x/$(2))/%,$(GRADED)))
# Only the wrong answer's own program is run in its ThreadSanitizer copy: the
# reference answers beside it are test-reference's to check.
test-wrong: $(if $(PREBUILT),,tests $(WRONG_TESTS) $(if $(strip $(TSAN_TESTS)),tests-tsan))
	$(Q)true $(foreach w,$(WRONG),&& $(GRADE_RUN) --bins $(B)/wrong/$(w)/tests \
		$(if $(filter $(w),$(TSAN_WRONG)),--tsan $(TSAN_B)/wrong/$(w)/tests) \
		--bins $(B)/reference/tests --bins $(B)/unit/tests \
		--expect $(if $(filter zero refused,$(call wrong_expect,$(w))),zero,caught):$$(cut -f1 \
			$(B)/lists/$(call wrong_test,$(w)).list | head -1) --brief \
		$(if $(wildcard tests/wrong/$(w)/message),--expect-message "$$(cat tests/wrong/$(w)/message)") \
		--title "wrong answer '$(w)'" $(call wrong_test,$(w)) \
		$(call wrong_others,$(w),$(call wrong_test,$(w))) $(filter common/%,$(UNIT)))

docs: deps ## build the HTML docs into build/docs/html (fails on any Doxygen warning)
	@$(MAKE) docs-body

docs-body:
	$(call say,DOCS,build/docs/html)
	$(Q)mkdir -p build/docs build/bench && doxygen docs/Doxyfile > build/docs/doxygen.log
	$(Q)if [ -s build/docs/warnings.log ]; then cat build/docs/warnings.log >&2; \
		echo "docs: Doxygen warnings above (build/docs/warnings.log)" >&2; exit 1; fi

bench: deps ## measure the mechanisms into build/bench/results.csv (QUICK=1: about a minute)
	@$(MAKE) bench-body

# QUICK=1 asks every benchmark for a short run (exported only when given:
# an empty QUICK in the environment would read as "set").
ifneq ($(QUICK),)
export QUICK
endif

# One benchmark that cannot run (an exercise not done yet, a chapter that
# does not build) costs only its rows; run-each.sh names it at the end.
bench-body:
	@rm -rf build/bench/parts && mkdir -p build/bench/parts
	+@$(RUN_EACH) bench -- $(foreach b,$(BENCHES),$(b)$(call needs,$(patsubst bench-%,%,$(b)))); \
		echo $$? > build/bench/parts/status
	@# Two parts may measure the same row (tcp in chapter 03's round trips and in
	@# chapter 11's common workload): the later chapter's part, which measures on
	@# the common workload, keeps it.
	@{ echo mechanism,size,metric,value; for f in $$(ls -r build/bench/parts/*.csv 2>/dev/null); do \
		[ -f "$$f" ] && tail -n +2 "$$f"; done; true; } | \
		awk -F, '!seen[$$1 FS $$2 FS $$3]++' > build/bench/results.csv
	@for r in $(BENCH_REPORTS); do $(MAKE) $$r || exit 1; done
	@echo "bench: build/bench/results.csv"
	@exit $$(cat build/bench/parts/status)

list-exercises: ## print the exercise files, the only files a submission contributes
	@printf '%s\n' $(EXERCISE_FILES)

handout: ## build/handout/ipc-labs-handout.tar.gz: the course for students, no solutions
	@tests/packaging/handout.sh . build/handout/ipc-labs-handout.tar.gz

grade-all: deps ## grade SUBMISSIONS=dir (folders, .tar.gz, .zip) into build/grade-all/scores.csv
	@$(if $(SUBMISSIONS),,echo "grade-all: say where the submissions are: SUBMISSIONS=dir" >&2; exit 2)
	+@$(RUN_EACH) grade-all -- grade-all-run$(call needs,$(GRADE_CHAPTERS))

grade-all-run:
	@tests/packaging/grade-all.sh . "$(SUBMISSIONS)" build/grade-all \
		$(if $(CH),CH=$(CH)) $(if $(EX),EX=$(EX)) $(if $(GRADE_EXTRA),GRADE_EXTRA=$(abspath $(GRADE_EXTRA)))

gradescope: ## build/gradescope/autograder.zip (GRADE_EXTRA=dir, GRADE_HIDDEN_VISIBILITY, GRADESCOPE_TIME_LIMIT)
	@$(if $(GRADE_EXTRA),GRADE_EXTRA='$(EXTRA_DIR)') tests/packaging/gradescope.sh . build/gradescope/autograder.zip

# The GitHub Classroom workflow's shape, and its grade step run on fake
# checkouts (tests/packaging/test-classroom.sh; test-packaging runs it too).
test-classroom: ## check .github/workflows/ipc-labs-autograding.yml and the points it reports
	$(Q)tests/packaging/test-classroom.sh

# The README's commands on a fresh Debian root file system (tests/distro/):
# as root make demo and make test, as a new user make demo and make grade.
test-distro: ## run demo, test and grade on a fresh Debian (DIST=trixie|bookworm; as root)
	$(if $(filter-out bookworm trixie,$(or $(DIST),trixie)),$(error DIST must be bookworm or trixie, not '$(DIST)'))
	@tests/distro/test-distro.sh $(or $(DIST),trixie)

clean: ## stop the private services, remove build/
	@for s in $(SERVICES); do $(MAKE) -s $$s-stop || true; done
	rm -rf build

help: ## list the targets
	@echo "ipc-labs: make TARGET [V=1] [SANITIZE=address|undefined|thread]"
	@grep -hE '^[a-z_.-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{ printf "  %-21s %s\n", $$1, $$2 }'
