/*
 * The grader's side of ThreadSanitizer: is it usable on this machine, and
 * what did it report about a test?
 *
 * A lock-free answer with a missing barrier passes on x86 however long it
 * runs, so the grader also runs such tests in a ThreadSanitizer build (see
 * grader.c). Its report is long, and the part a learner needs (the two
 * racing accesses, at their lines in the exercise file) is in the middle:
 * the report's last lines, which the output tail keeps, are thread creation
 * stacks. So the report is read here and made into one line.
 */
#include "grader.h"

#include "clock.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/wait.h>
#include <unistd.h>

void tsan_fixed_layout(void)
{
    /* ThreadSanitizer maps its shadow memory at fixed addresses, and some
     * runtimes (GCC 12's among them) die with "unexpected memory mapping"
     * when the kernel randomizes mmap more widely than they expect
     * (vm.mmap_rnd_bits = 32). Without randomization the layout is always
     * one it knows; LLVM's own runtime re-executes itself this way. Best
     * effort: some seccomp profiles refuse it, and then the probe decides. */
    int now = personality(0xffffffff);
    if (now != -1)
        personality((unsigned long)now | ADDR_NO_RANDOMIZE);
}

int tsan_probe(const char *probe, char *why, size_t size)
{
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) {
        snprintf(why, size, "cannot run %s: %m", probe);
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_RDONLY);
        if (null < 0 || dup2(null, 0) < 0 || dup2(out[1], 1) < 0 || dup2(out[1], 2) < 0)
            _exit(126);
        tsan_fixed_layout();
        execl(probe, probe, (char *)NULL);
        dprintf(2, "cannot run %s: %m\n", probe);
        _exit(127);
    }
    close(out[1]);
    char buf[4096];
    size_t len = 0;
    uint64_t deadline = clock_now_ns() + 30 * 1000000000ull;
    struct pollfd pfd = {out[0], POLLIN, 0};
    while (pid > 0 && clock_now_ns() < deadline && poll(&pfd, 1, 100) >= 0) {
        if (!(pfd.revents & (POLLIN | POLLHUP)))
            continue;
        ssize_t n = read(out[0], buf + len, sizeof buf - 1 - len);
        if (n <= 0 || (len += (size_t)n) == sizeof buf - 1)
            break;
    }
    close(out[0]);
    buf[len] = '\0';
    int status = 0;
    if (pid > 0) {
        kill(pid, SIGKILL); /* it has exited, or it hangs: either way it is done */
        waitpid(pid, &status, 0);
    }
    if (pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    /* The runtime's own words say best why, e.g. "FATAL: ThreadSanitizer:
     * unexpected memory mapping 0x...". */
    char *line = strstr(buf, "ThreadSanitizer");
    if (line != NULL) {
        while (line > buf && line[-1] != '\n')
            line--;
        snprintf(why, size, "%.*s", (int)strcspn(line, "\n"), line);
    } else if (pid < 0) {
        snprintf(why, size, "cannot fork: %m");
    } else if (len > 0) {
        snprintf(why, size, "%.*s", (int)strcspn(buf, "\n"), buf);
    } else {
        snprintf(why, size, "a ThreadSanitizer program %s %d", WIFSIGNALED(status) ? "was killed by signal" : "exited with status",
                 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    }
    return -1;
}

/* The frame of a stack to show: the first in the exercise file, else the
 * first outside ThreadSanitizer's interceptors; as "ring.c:58 (ring_push)". */
static void pick_frame(char *stack, const char *exercise, char *out, size_t size)
{
    char fallback[300] = "";
    for (char *line = stack; line != NULL && *line == ' ';) {
        char *next = strchr(line, '\n');
        if (next != NULL)
            *next = '\0';
        char func[128], loc[512];
        /* "    #2 ring_try_pop tests/wrong/x/06-ring-spsc/ring.c:79 (test_ring+0x2a14)" */
        if (sscanf(line, " #%*d %127s %511s", func, loc) == 2 && strcmp(loc, "<null>") != 0 &&
            strstr(loc, "libsanitizer") == NULL) {
            char *base = strrchr(loc, '/');
            base = base != NULL ? base + 1 : loc;
            char *colon = strchr(base, ':');
            char *col = colon != NULL ? strchr(colon + 1, ':') : NULL;
            if (col != NULL)
                *col = '\0'; /* drop the column */
            size_t flen = colon != NULL ? (size_t)(colon - base) : strlen(base);
            char frame[300];
            snprintf(frame, sizeof frame, "%s (%s)", base, func);
            if (flen == strlen(exercise) && strncmp(base, exercise, flen) == 0) {
                snprintf(out, size, "%s", frame);
                return;
            }
            if (fallback[0] == '\0')
                snprintf(fallback, sizeof fallback, "%s", frame);
        }
        if (next == NULL)
            break;
        *next = '\n';
        line = next + 1;
    }
    snprintf(out, size, "%s", fallback[0] ? fallback : "a place it could not name");
}

/* One access of a report: "  Previous write of size 1 at 0x7f.. by thread T1:"
 * and its stack -> "previous write at ring.c:58 (ring_try_push) by thread T1". */
static int describe_access(char *header, const char *exercise, char *out, size_t size)
{
    char *of = strstr(header, " of size "), *by = strstr(header, " by ");
    char *stack = strchr(header, '\n');
    if (of == NULL || by == NULL || by < of || stack == NULL)
        return 0;
    char who[128];
    size_t wlen = strcspn(by + 4, ":\n(");
    snprintf(who, sizeof who, "%.*s", (int)(wlen > 0 && by[4 + wlen - 1] == ' ' ? wlen - 1 : wlen), by + 4);
    char what[64];
    snprintf(what, sizeof what, "%.*s", (int)(of - header - 2), header + 2);
    for (char *p = what; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    char frame[320];
    if (strncmp(stack + 1, "    [failed to restore the stack]", 33) == 0)
        snprintf(frame, sizeof frame, "a place it no longer remembers");
    else
        pick_frame(stack + 1, exercise, frame, sizeof frame);
    snprintf(out, size, "%s at %s by %s", what, frame, who);
    return 1;
}

void exercise_file_of(const char *bin, char *out, size_t size)
{
    const char *base = strrchr(bin, '/');
    base = base != NULL ? base + 1 : bin;
    snprintf(out, size, "%s.c", strncmp(base, "test_", 5) == 0 ? base + 5 : base);
}

char *tsan_explain(const char *buf, size_t len, const char *bin, char *message, size_t size)
{
    /* The last report: with halt_on_error the runtime ends the test right
     * after it, so what learner code printed comes before. */
    static const char warn[] = "WARNING: ThreadSanitizer: ";
    const char *start = NULL;
    for (const char *p = buf; (p = memmem(p, len - (size_t)(p - buf), warn, sizeof warn - 1)) != NULL; p++)
        start = p;
    if (start == NULL)
        return NULL;
    size_t n = len - (size_t)(start - buf);
    char *rep = malloc(n + 1);
    if (rep == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) /* printable, as every report line is */
        rep[i] = start[i] == '\n' || (start[i] >= 32 && start[i] < 127) ? start[i] : '?';
    rep[n] = '\0';
    char *summary = strstr(rep, "\nSUMMARY: ThreadSanitizer");
    if (summary != NULL)
        summary[1 + strcspn(summary + 1, "\n")] = '\0'; /* the "=====" after it says nothing */

    char exercise[256];
    exercise_file_of(bin, exercise, sizeof exercise);

    char kind[128];
    const char *k = rep + sizeof warn - 1;
    size_t klen = strcspn(k, "(\n");
    while (klen > 0 && k[klen - 1] == ' ')
        klen--;
    snprintf(kind, sizeof kind, "%.*s", (int)klen, k);

    /* Up to two accesses (a race has exactly two), each a header line at
     * two spaces' indent followed by its stack; a copy, since parsing cuts. */
    char *work = strdup(rep);
    char acc[2][400];
    int nacc = 0;
    char first_stack[320] = "";
    for (char *line = work ? strchr(work, '\n') : NULL; line != NULL && nacc < 2;
         line = strchr(line + 1, '\n')) {
        char *h = line + 1, *eol = strchr(h, '\n'), *of = strstr(h, " of size ");
        /* "  Location is heap block of size 16 ..." names memory, not an access. */
        if (strncmp(h, "  ", 2) == 0 && h[2] != ' ' && strncmp(h, "  Location", 10) != 0 &&
            eol != NULL && of != NULL && of < eol) {
            char *copy = strdup(h);
            if (copy != NULL && describe_access(copy, exercise, acc[nacc], sizeof acc[nacc]))
                nacc++;
            free(copy);
        } else if (first_stack[0] == '\0' && strncmp(h, "    #", 5) == 0) {
            char *copy = strdup(h);
            if (copy != NULL)
                pick_frame(copy, exercise, first_stack, sizeof first_stack);
            free(copy);
        }
    }
    free(work);
    if (nacc == 2)
        snprintf(message, size, "%s (ThreadSanitizer): %s / %s", kind, acc[0], acc[1]);
    else if (nacc == 1)
        snprintf(message, size, "%s (ThreadSanitizer): %s", kind, acc[0]);
    else
        snprintf(message, size, "%s (ThreadSanitizer) at %s", kind,
                 first_stack[0] ? first_stack : "a place it could not name");
    return rep;
}
