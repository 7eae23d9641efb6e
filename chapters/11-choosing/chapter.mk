# Chapter 11: the benchmark driver, `make bench`'s report, and `make demo`'s closing table.
PROGRAMS += 11-choosing/bench
11-choosing/bench_EXTRA := $(addprefix chapters/11-choosing/,session.c stats.c stream_io.c \
	machine.c mech_pipe.c mech_fifo.c mech_unix.c mech_tcp.c mech_posix_mq.c mech_zeromq.c \
	mech_ck_ring.c mech_pingpong.c)
11-choosing/bench_LIBS := -lzmq -lm

BENCH11 := $(B)/bin/11-choosing/bench

BENCHES += bench-11-choosing
.PHONY: bench-11-choosing
bench-11-choosing: $(BENCH11)
	@echo "== 11-choosing: every mechanism, same workload$(if $(QUICK), (QUICK))"
	@mkdir -p build/bench/parts
	@$(BENCH11) --keep-going --out build/bench/parts/11-choosing.csv \
		--spread build/bench/spread-11-choosing.csv --machine build/bench/machine.txt

BENCH_REPORTS += report-11-choosing
.PHONY: report-11-choosing
report-11-choosing:
	@chapters/11-choosing/report.sh build/bench/results.csv build/bench build/bench/machine.txt
