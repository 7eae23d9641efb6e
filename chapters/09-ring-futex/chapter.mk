# Ring step 6: sleeping with futex; closed and dead peers. One exercise (ring.c).
