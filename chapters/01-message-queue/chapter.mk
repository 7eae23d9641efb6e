# Chapter 01: RabbitMQ with rabbitmq-c. The programs, the private broker,
# the demo and the benchmark.
MQ := 01-message-queue
MQ_DIR := chapters/$(MQ)
MQ_UTIL := $(MQ_DIR)/amqp_util.c

PROGRAMS += $(MQ)/producer $(MQ)/consumer $(MQ)/mq-bench
$(MQ)/producer_EXTRA := $(MQ_UTIL)
$(MQ)/producer_LIBS := -lrabbitmq
$(MQ)/consumer_EXTRA := $(MQ_UTIL)
$(MQ)/consumer_LIBS := -lrabbitmq
$(MQ)/mq-bench_EXTRA := $(MQ_UTIL)
$(MQ)/mq-bench_LIBS := -lrabbitmq

# Every test of this chapter talks to the broker with rabbitmq-c, through
# the helpers in amqp_util.c and tests/01-message-queue/mq_test.c.
MQ_TESTS := e2e_translation test_mq_connect test_workq test_confirm test_rpc test_pubsub
$(foreach t,$(MQ_TESTS),$(eval $(MQ)/$(t)_LIBS := -lrabbitmq))
$(foreach t,$(MQ_TESTS),$(eval $(MQ)/$(t)_EXTRA := $(MQ_UTIL) tests/$(MQ)/mq_test.c))
# An allocation of the answer fails on demand, rabbitmq-c's amqp_bytes_malloc
# and amqp_bytes_malloc_dup too (tests/$(MQ)/mq_allocfail.c).
$(foreach t,test_confirm test_rpc,$(eval $(MQ)/$(t)_EXTRA += $(ALLOCFAIL) tests/$(MQ)/mq_allocfail.c)\
	$(eval $(MQ)/$(t)_LIBS += $(ALLOCFAIL_LIBS) -Wl,--wrap=amqp_bytes_malloc -Wl,--wrap=amqp_bytes_malloc_dup))

# ------------------------------------------------------------ the broker
# One private RabbitMQ node per checkout; see broker.sh. With AMQP_URL set,
# none of these starts anything.
SERVICES += broker
$(MQ)_SERVICES := broker
.PHONY: broker-start broker-stop broker-running
broker-start: ## start the private RabbitMQ node (URL in build/broker/url)
	@$(MQ_DIR)/broker.sh start build
broker-stop: ## stop the private RabbitMQ node
	@$(MQ_DIR)/broker.sh stop build
broker-running:
	@$(MQ_DIR)/broker.sh running build

# The URL the demo uses: the user's broker or the private one.
MQ_URL = $${AMQP_URL:-$$(cat build/broker/url)}

# ------------------------------------------------------------ the demo
DEMOS += demo-$(MQ)
.PHONY: demo-$(MQ)
demo-$(MQ): $(B)/bin/$(MQ)/producer $(B)/bin/$(MQ)/consumer
	@echo "== $(MQ): a message through RabbitMQ, C and the article's Python =="
	@$(if $(filter broker,$(IPC_SERVICES_DOWN)),echo "demo: skipped: no broker" >&2; exit 1)
	@export AMQP_URL="$(MQ_URL)"; \
	echo "\$$ producer            # broker: $$AMQP_URL"; $(B)/bin/$(MQ)/producer && \
	echo "\$$ consumer --count 1"; $(B)/bin/$(MQ)/consumer --count 1 && \
	echo "\$$ python3 article/producer.py"; /usr/bin/python3 $(MQ_DIR)/article/producer.py && \
	echo "\$$ consumer --count 1"; $(B)/bin/$(MQ)/consumer --count 1
	@echo

# ------------------------------------------------------------ the benchmark
# Messages per second through one queue: the C client against pika.
BENCHES += bench-$(MQ)
.PHONY: bench-$(MQ)
bench-$(MQ): $(B)/bin/$(MQ)/mq-bench
	@/usr/bin/python3 $(MQ_DIR)/bench/run.py "$(MQ_URL)" $(B)/bin/$(MQ) build/bench/parts/$(MQ).csv
