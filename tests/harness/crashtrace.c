/*
 * The test program's half of "where did it crash?".
 *
 * A test killed by a signal would otherwise be reported as "killed by
 * SIGSEGV" and nothing more. Here, on SIGSEGV, SIGBUS, SIGFPE, SIGILL and
 * SIGABRT, a handler running on a stack of its own (so that a stack overflow
 * is caught too) writes one line to stderr,
 *
 *     grade-crash: SIGNO OFFSET...
 *
 * the faulting instruction and the return addresses on the stack, as offsets
 * into the test program (position-independent, so the offsets are what
 * addr2line reads), innermost first. Frames outside the program (libc's
 * abort(), say) are left out. Then the signal kills the process as before:
 * the grader still sees the signal, and names the function and line from
 * this line (crashsite.c). A line that code under test forges can only
 * mislabel its own crash.
 *
 * Sanitizer builds keep the sanitizer's handlers and reports for faults,
 * which say more; only SIGABRT, which sanitizers leave alone, is caught there.
 */
#include "grade.h"

#include <execinfo.h>
#include <link.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

enum { MAX_FRAMES = 32 };

static uintptr_t prog_base, prog_lo, prog_hi; /* the test program's load address and extent */

/* dl_iterate_phdr's first object is the program itself. */
static int find_program(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size, (void)data;
    prog_base = info->dlpi_addr;
    prog_lo = UINTPTR_MAX;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD)
            continue;
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;
        if (lo < prog_lo)
            prog_lo = lo;
        if (hi > prog_hi)
            prog_hi = hi;
    }
    return 1;
}

/* Formatting by hand: snprintf is not async-signal-safe. */
static size_t put_hex(char *p, uintptr_t v)
{
    char tmp[2 * sizeof v];
    size_t n = 0;
    do {
        tmp[n++] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    p[0] = '0', p[1] = 'x';
    for (size_t i = 0; i < n; i++)
        p[2 + i] = tmp[n - 1 - i];
    return n + 2;
}

static uintptr_t faulting_pc(const void *context)
{
    const ucontext_t *uc = context;
#if defined(__x86_64__)
    return (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
    return (uintptr_t)uc->uc_mcontext.pc;
#else
    (void)uc;
    return 0;
#endif
}

static void on_crash(int sig, siginfo_t *info, void *context)
{
    (void)info;
    void *frames[MAX_FRAMES];
    int n = backtrace(frames, MAX_FRAMES);
    char line[64 + MAX_FRAMES * 2 * (2 + 2 * sizeof(uintptr_t))];
    size_t len = 0;
    memcpy(line, "grade-crash: ", 13);
    len = 13;
    line[len++] = (char)('0' + sig / 10);
    line[len++] = (char)('0' + sig % 10);
    uintptr_t pc = faulting_pc(context);
    if (pc >= prog_lo && pc < prog_hi) {
        line[len++] = ' ';
        len += put_hex(line + len, pc - prog_base);
    }
    /* The frames start inside this handler; the interrupted function's own
     * frame follows the signal trampoline, which is outside the program. A
     * return address points after its call: one byte back is the call. */
    int past_handler = 0;
    for (int i = 0; i < n; i++) {
        uintptr_t a = (uintptr_t)frames[i];
        if (a < prog_lo || a >= prog_hi) {
            past_handler = 1;
            continue;
        }
        if (!past_handler || a == pc)
            continue;
        line[len++] = ' ';
        len += put_hex(line + len, a - 1 - prog_base);
    }
    line[len++] = '\n';
    (void)!write(STDERR_FILENO, line, len);
    /* Die of the same signal: the grader reports how the test ended. A fault
     * would recur on return anyway; a raised signal would not. */
    signal(sig, SIG_DFL);
    raise(sig);
}

void grade_crash_trace_install(void)
{
    static char alt_stack[64 * 1024];
    dl_iterate_phdr(find_program, NULL);
    void *warm[1];
    backtrace(warm, 1); /* loads the unwinder now: not from a signal handler */
    stack_t ss = {.ss_sp = alt_stack, .ss_size = sizeof alt_stack};
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_crash;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
#ifdef IPC_SANITIZED
    /* The sanitizer reports faults itself (the grader reads its report);
     * abort(), which it leaves alone, is ours. */
    const int sigs[] = {SIGABRT};
#else
    const int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
#endif
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);
}
