# Ring step 4: cache-line separation and cached indices. One exercise (ring.c).
