# Chapter 10: the final ring as a library (shmring.c), and the article's
# mmap producer/consumer rebuilt on it.
PROGRAMS += 10-ring-final/ring-producer 10-ring-final/ring-consumer
10-ring-final/ring-producer_EXTRA := chapters/10-ring-final/shmring.c
10-ring-final/ring-consumer_EXTRA := chapters/10-ring-final/shmring.c
10-ring-final/e2e_shmring_EXTRA := chapters/10-ring-final/shmring.c

DEMOS += demo-10-ring-final
.PHONY: demo-10-ring-final
demo-10-ring-final: $(B)/bin/10-ring-final/ring-producer $(B)/bin/10-ring-final/ring-consumer
	@echo "== 10-ring-final: the article's mmap producer/consumer over a shm ring =="
	@name=/ipc-labs-demo-$$$$; \
	printf 'Hello World!\nHello Again!\n' | $(B)/bin/10-ring-final/ring-producer --name $$name & \
	$(B)/bin/10-ring-final/ring-consumer --name $$name; wait
	@name=/ipc-labs-demo-$$$$; \
	$(B)/bin/10-ring-final/ring-producer --name $$name --count 20000000 --size 8 & \
	$(B)/bin/10-ring-final/ring-consumer --name $$name --verify; wait
	@echo

# Benchmarks: one ring-bench binary per mechanism, each linking that step's
# reference answer (solutions/), so the numbers are the course's, not a
# half-done exercise's; in a student's handout, the student's own answer. $(1) mechanism, $(2) MECH number in ring-bench.c,
# $(3) the directory of its header, $(4) its sources.
RING_BENCH_BINS :=
define ring_bench_rule
$(B)/bench-bin/ring-bench-$(1): chapters/10-ring-final/ring-bench.c $(4) $(B)/lib/libcommon.a
	@mkdir -p $$(@D)
	$$(call say,CC,$$@)
	$(Q)$(CC) $(PROJECT_CFLAGS) $(CPPFLAGS_ALL) -I$(3) -DMECH=$(2) $$(filter %.c,$$^) $(B)/lib/libcommon.a -o $$@ $(LDLIBS_ALL)
RING_BENCH_BINS += $(B)/bench-bin/ring-bench-$(1)
endef
$(eval $(call ring_bench_rule,step1,1,chapters/04-ring-buffer,$(ANSWERS)/04-ring-buffer/ring.c))
$(eval $(call ring_bench_rule,step2,2,chapters/05-ring-shm-lock,$(ANSWERS)/05-ring-shm-lock/ring.c))
$(eval $(call ring_bench_rule,step3,3,chapters/06-ring-spsc,$(ANSWERS)/06-ring-spsc/ring.c))
$(eval $(call ring_bench_rule,step4,4,chapters/07-ring-cacheline,$(ANSWERS)/07-ring-cacheline/ring.c))
$(eval $(call ring_bench_rule,step5,5,chapters/08-ring-batch,$(ANSWERS)/08-ring-batch/ring.c))
$(eval $(call ring_bench_rule,step6,6,chapters/09-ring-futex,$(ANSWERS)/09-ring-futex/ring.c))
$(eval $(call ring_bench_rule,final,7,chapters/10-ring-final,chapters/10-ring-final/shmring.c))
$(eval $(call ring_bench_rule,final_batch,8,chapters/10-ring-final,chapters/10-ring-final/shmring.c))
$(eval $(call ring_bench_rule,ck_ring,9,chapters/10-ring-final,))
$(eval $(call ring_bench_rule,pingpong,10,chapters/10-ring-final,))

# Every ring mechanism, in one run, into build/bench/parts/ring.csv.
BENCHES += bench-ring
.PHONY: bench-ring
bench-ring: $(RING_BENCH_BINS)
	@mkdir -p build/bench/parts
	@echo "bench: ring track (QUICK=1 for a short run)"
	$(Q){ echo mechanism,size,metric,value; \
	  for b in $(RING_BENCH_BINS); do $$b $(if $(QUICK),--quick) || exit 1; done; } > build/bench/parts/ring.csv.tmp
	@mv build/bench/parts/ring.csv.tmp build/bench/parts/ring.csv
	@column -s, -t build/bench/parts/ring.csv

# `make stress`: a billion checked messages through the final ring, between
# two processes (about half a minute at full speed). Not part of `make test`.
.PHONY: stress
stress: $(B)/bin/10-ring-final/ring-producer $(B)/bin/10-ring-final/ring-consumer ## 1e9 checked messages through the final ring
	@name=/ipc-labs-stress-$$$$; \
	$(B)/bin/10-ring-final/ring-producer --name $$name --count 1000000000 --size 16 & \
	$(B)/bin/10-ring-final/ring-consumer --name $$name --verify; rc=$$?; wait $$! || rc=1; exit $$rc
