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
