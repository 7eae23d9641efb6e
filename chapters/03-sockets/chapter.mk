# Chapter 03: the article's TCP server and client, and the benchmark.
PROGRAMS += 03-sockets/server 03-sockets/client 03-sockets/rtt-bench

# Round trips over TCP loopback and a UNIX domain socket, in one run.
BENCHES += bench-03-sockets
.PHONY: bench-03-sockets
bench-03-sockets: $(B)/bin/03-sockets/rtt-bench
	@mkdir -p build/bench/parts
	@echo "== 03-sockets: round trips, TCP loopback vs UNIX domain socket =="
	@$(B)/bin/03-sockets/rtt-bench --csv build/bench/parts/03-sockets.csv

# The server listens on every address of localhost (127.0.0.1, ::1 or
# both, as /etc/hosts says), so the port must be free on all of them: the
# kernel picks one free on every address of both families (a dual-stack
# wildcard bind; IPv4 alone on a kernel without IPv6).
DEMOS += demo-03-sockets
.PHONY: demo-03-sockets
demo-03-sockets: $(B)/bin/03-sockets/server $(B)/bin/03-sockets/client
	@echo "== 03-sockets: the article's server and client, on a free port =="
	@server=$(B)/bin/03-sockets/server; client=$(B)/bin/03-sockets/client; \
	port=$$(/usr/bin/python3 -c 'import socket as S; v6 = S.has_dualstack_ipv6(); s = S.socket(S.AF_INET6 if v6 else S.AF_INET); v6 and s.setsockopt(S.IPPROTO_IPV6, S.IPV6_V6ONLY, 0); s.bind(("", 0)); print(s.getsockname()[1])'); \
	echo "\$$ $$server --port $$port --count 1 &"; \
	$$server --port $$port --count 1 & \
	sleep 0.2; echo "\$$ $$client --port $$port"; \
	for i in $$(seq 50); do $$client --port $$port 2>/dev/null && break; sleep 0.1; done; wait
	@echo

# The tests' own helpers (free ports, background servers); no exercise's answer.
SOCK_TEST_UTIL := tests/03-sockets/sockutil.c
03-sockets/e2e_server_client_EXTRA := $(SOCK_TEST_UTIL) tests/03-sockets/serverctl.c
03-sockets/e2e_interop_EXTRA := $(SOCK_TEST_UTIL) tests/03-sockets/serverctl.c
03-sockets/test_sendrecv_EXTRA := $(SOCK_TEST_UTIL)
03-sockets/test_frame_EXTRA := $(SOCK_TEST_UTIL)
03-sockets/test_pollserver_EXTRA := $(SOCK_TEST_UTIL) tests/03-sockets/faults.c
03-sockets/test_unixsock_EXTRA := $(SOCK_TEST_UTIL)
# Faults on demand and guarded memory in the server's process (faults.h).
03-sockets/test_pollserver_LIBS := $(foreach f,malloc calloc realloc reallocarray free accept accept4 \
	send sendto sendmsg,-Wl,--wrap=$(f))
# Faults on demand in the calls of unix_listen (test_unixsock.c).
03-sockets/test_unixsock_LIBS := -Wl,--wrap=connect -Wl,--wrap=unlink -Wl,--wrap=listen
