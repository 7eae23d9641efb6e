# Chapter 02: the programs, the demo, the benchmark.
PROGRAMS += 02-shared-memory/producer 02-shared-memory/consumer

DEMOS += demo-02-shared-memory
.PHONY: demo-02-shared-memory
demo-02-shared-memory: $(B)/bin/02-shared-memory/producer $(B)/bin/02-shared-memory/consumer
	@echo "== 02-shared-memory: a file mapped by two processes =="
	@d=$$(mktemp -d) && trap 'rm -rf "$$d"' EXIT && cd "$$d" && \
	echo "\$$ producer && consumer" && $(CURDIR)/$(B)/bin/02-shared-memory/producer && \
	$(CURDIR)/$(B)/bin/02-shared-memory/consumer && \
	echo "\$$ /usr/bin/python3 article/consumer.py" && \
	/usr/bin/python3 $(CURDIR)/chapters/02-shared-memory/article/consumer.py
	@echo
