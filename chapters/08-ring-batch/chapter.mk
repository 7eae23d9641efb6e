# Ring step 5: batches and zero-copy variable-size records. One exercise (ring.c).
