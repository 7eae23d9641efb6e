# Chapter 11: the benchmark driver, `make bench`'s report, and `make demo`'s closing table.
PROGRAMS += 11-choosing/bench
11-choosing/bench_EXTRA := $(addprefix chapters/11-choosing/,session.c stream_io.c \
	machine.c mech_pipe.c mech_fifo.c mech_unix.c mech_tcp.c mech_posix_mq.c mech_zeromq.c \
	mech_ck_ring.c mech_pingpong.c)
11-choosing/bench_LIBS := -lzmq -lm

# iceoryx is measured when its C binding is installed (Debian: iceoryx,
# libiceoryx-binding-c-dev); without it the driver simply does not list it.
IOX_RUNTIME_H := $(firstword $(wildcard /usr/include/iceoryx/v*/iceoryx_binding_c/runtime.h))
ifneq ($(IOX_RUNTIME_H),)
11-choosing/bench_EXTRA += chapters/11-choosing/mech_iceoryx.c
11-choosing/bench_LIBS += -liceoryx_binding_c
$(B)/obj/chapters/11-choosing/mech_iceoryx.o: PROJECT_CFLAGS += \
	-I$(patsubst %/iceoryx_binding_c/runtime.h,%,$(IOX_RUNTIME_H))
$(B)/obj/chapters/11-choosing/bench.o: PROJECT_CFLAGS += -DHAVE_ICEORYX=1
endif

BENCH11 := $(B)/bin/11-choosing/bench

BENCHES += bench-11-choosing
.PHONY: bench-11-choosing
bench-11-choosing: $(BENCH11)
	@echo "== 11-choosing: every mechanism, same workload$(if $(QUICK), (QUICK))"
	@mkdir -p build/bench/parts
	@chapters/11-choosing/with-roudi.sh $(BENCH11) --keep-going \
		--out build/bench/parts/11-choosing.csv \
		--spread build/bench/spread-11-choosing.csv --machine build/bench/machine.txt

BENCH_REPORTS += report-11-choosing
.PHONY: report-11-choosing
report-11-choosing:
	@chapters/11-choosing/report.sh build/bench/results.csv build/bench build/bench/machine.txt

# The course in one screen: a few mechanisms, one size, a few seconds.
DEMOS += demo-11-choosing
.PHONY: demo-11-choosing
demo-11-choosing: $(BENCH11)
	@echo "== 11-choosing: which one should I choose? (a quick look; make bench measures it all) =="
	@echo "\$$ $(BENCH11) --mech pipe,unix,tcp,posix_mq,zeromq_ipc,ck_ring,cacheline_pingpong --sizes 64 --reps 3 --target-ms 20 --quiet --table"
	@$(BENCH11) --mech pipe,unix,tcp,posix_mq,zeromq_ipc,ck_ring,cacheline_pingpong \
		--sizes 64 --reps 3 --target-ms 20 --quiet --table
	@echo "Same two processes, same messages: the kernel's mechanisms cost a system call,"
	@echo "a copy and a wake-up per message; shared memory costs a few cache lines."
	@echo "The floor is the ping-pong line. Chapter 11 explains when each one is the right choice."
	@echo
