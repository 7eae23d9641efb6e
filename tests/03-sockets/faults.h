/* Faults on demand, and a guard after each block of memory, in the server's
 * process of test_pollserver.c. That program is linked with --wrap for the
 * allocation functions, accept, accept4, send, sendto and sendmsg
 * (chapter.mk), so these calls of the code under test come here first. Test
 * code only; no exercise's answer is in here. */
#ifndef FAULTS_H
#define FAULTS_H

/* Makes the shared page; call before forking the server. Fails the test if
 * it cannot. */
void faults_share(void);

/* Call first thing in the server's process: from then on its faults are
 * injected, and every block it allocates is followed by guard bytes, checked
 * when the block is freed or resized. A write past the end of a block (an
 * array written one element too far) makes the process _exit() with
 * FAULTS_OVERRUN_STATUS, though malloc's rounding would have hidden it. */
void faults_in_server(void);

enum { FAULTS_OVERRUN_STATUS = 5 };

/* What the test asks of the server, through the shared page: every
 * allocation fails while failing is non-zero; the next accept() or send()
 * (of any kind) fails with error, once. */
void faults_alloc(int failing);
void faults_next_accept(int error);
void faults_next_send(int error);

#endif
