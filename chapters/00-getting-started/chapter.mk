# Chapter 00: the programs, and what `make demo` shows of them.
PROGRAMS += 00-getting-started/fork-hello

DEMOS += demo-00-getting-started
.PHONY: demo-00-getting-started
demo-00-getting-started: $(B)/bin/00-getting-started/fork-hello
	@echo "== 00-getting-started: one process becomes two =="
	@echo "\$$ $(B)/bin/00-getting-started/fork-hello --exit 3"
	@$(B)/bin/00-getting-started/fork-hello --exit 3
	@echo
