/**
 * @file allocfail.h
 * @brief Makes the next allocation fail, in a test program linked with
 * ALLOCFAIL_LIBS (the Makefile: -Wl,--wrap for malloc, calloc, realloc,
 * reallocarray, strdup and strndup), so that an answer's way out of an
 * allocation failure can be tested. Test code only; no answer uses it.
 *
 * --wrap sends every call of those functions in the program's own objects
 * here first (the answer's and the test's; not those inside shared
 * libraries): a call passes straight on to the C library's function (the
 * sanitizer's, in a sanitized build) unless the test armed a failure.
 */
#ifndef IPC_ALLOCFAIL_H
#define IPC_ALLOCFAIL_H

/** The next allocation (of this process, any thread) fails with ENOMEM, once. */
void allocfail_next(void);

/**
 * @brief Disarms; says whether an allocation was failed since allocfail_next().
 * @return 1 if one was, 0 if nothing allocated meanwhile (nothing to test).
 */
int allocfail_done(void);

/**
 * @brief For a wrapper of another allocating function (such as a library's):
 * whether this call must fail. Consumes the armed failure.
 * @return 1 (errno is then ENOMEM) or 0.
 */
int allocfail_take(void);

#endif
