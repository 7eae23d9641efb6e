# Chapter 02: the programs, the demo, the benchmark.
PROGRAMS += 02-shared-memory/producer 02-shared-memory/consumer

DEMOS += demo-02-shared-memory
.PHONY: demo-02-shared-memory
demo-02-shared-memory: $(B)/bin/02-shared-memory/producer $(B)/bin/02-shared-memory/consumer
	@echo "== 02-shared-memory: a file mapped by two processes =="
	@d=$$(mktemp -d) && trap 'rm -rf "$$d"' EXIT && cd "$$d" && \
	echo "\$$ producer && consumer" && $(CURDIR)/$(B)/bin/02-shared-memory/producer && \
	$(CURDIR)/$(B)/bin/02-shared-memory/consumer && \
	echo "(HellHello: the article's mm.seek(4) writes past the 12-byte file's end, where its producer dies; ours grows the file first)" && \
	echo "\$$ /usr/bin/python3 article/consumer.py" && \
	/usr/bin/python3 $(CURDIR)/chapters/02-shared-memory/article/consumer.py
	@echo

# The benchmark links the answer to exercise 02.3 the tree has: the reference
# answer when solutions/ is there, otherwise the learner's own file.
PROGRAMS += 02-shared-memory/bench-mailbox
02-shared-memory/bench-mailbox_EXTRA := $(firstword $(wildcard solutions/02-shared-memory/shm_mailbox.c) \
                                        chapters/02-shared-memory/shm_mailbox.c)

BENCHES += bench-02-shared-memory
.PHONY: bench-02-shared-memory
bench-02-shared-memory: $(B)/bin/02-shared-memory/bench-mailbox
	@mkdir -p build/bench/parts
	@echo "bench: 02-shared-memory (mailbox vs pipe)"
	$(Q){ echo mechanism,size,metric,value; \
	  $(B)/bin/02-shared-memory/bench-mailbox $(if $(QUICK),--reps 5 --count 2000,--reps 7 --count 20000); \
	} > build/bench/parts/02-shared-memory.csv.tmp && \
	  mv build/bench/parts/02-shared-memory.csv.tmp build/bench/parts/02-shared-memory.csv
