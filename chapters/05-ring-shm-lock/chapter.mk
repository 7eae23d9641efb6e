# Ring step 2: the ring in shared memory with a process-shared lock. One exercise (ring.c).
