# Ring step 3: lock-free SPSC with C11 atomics. One exercise (ring.c).
