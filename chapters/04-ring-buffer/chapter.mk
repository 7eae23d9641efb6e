# Ring step 1: a ring buffer in one process. One exercise (ring.c), no programs.
