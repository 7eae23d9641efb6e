/*
 * The grader's half of "where did it crash?" (the test's half is
 * crashtrace.c). A test that dies of a signal writes, as it dies, a line
 * "grade-crash: SIGNO OFFSET..." of code addresses; here they become
 * functions and lines with addr2line (binutils, there wherever gcc is), so
 * that the report says "killed by SIGSEGV ... in ring_push() at ring.c:42"
 * and shows the calls that led there.
 *
 * The test program and everything it printed are the learner's: the line is
 * parsed strictly (a signal number that matches how the process died, at
 * most MAX_FRAMES hexadecimal numbers), and addr2line, which reads an ELF
 * file built from learner code, runs with a time and a memory limit and its
 * output is bounded. Anything unexpected only means no location is given.
 */
#include "grader.h"

#include "clock.h"

#include <ctype.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

enum { MAX_FRAMES = 32, MAX_SHOWN = 12, ADDR2LINE_SECONDS = 10, OUT_MAX = 64 * 1024 };

static const char marker[] = "grade-crash: ";

/* The last marker line in output, or NULL. */
static const char *find_line(const char *output)
{
    const char *found = NULL;
    for (const char *p = output; (p = strstr(p, marker)) != NULL; p++)
        if (p == output || p[-1] == '\n')
            found = p;
    return found;
}

/* Parses "grade-crash: SIG 0x.. 0x..": the offsets, if SIG is how it died. */
static int parse_line(const char *line, int sig, char addrs[][24])
{
    const char *p = line + sizeof marker - 1;
    char *end;
    long got = strtol(p, &end, 10);
    if (end == p || got != sig)
        return 0;
    int n = 0;
    for (p = end; *p == ' ' && n < MAX_FRAMES; p++) {
        size_t len = 0;
        if (p[1] != '0' || p[2] != 'x')
            break;
        while (isxdigit((unsigned char)p[3 + len]) && len < 16)
            len++;
        if (len == 0 || (p[3 + len] != ' ' && p[3 + len] != '\n' && p[3 + len] != '\0'))
            break;
        snprintf(addrs[n++], sizeof addrs[0], "%.*s", (int)len + 2, p + 1);
        p += 2 + len;
    }
    return n;
}

/* Runs addr2line on bin for the addresses; its output (malloc'd) or NULL. */
static char *addr2line(const char *bin, char addrs[][24], int n)
{
    const char *argv[8 + MAX_FRAMES] = {"addr2line", "-e", bin, "-f", "-C", "-i", "-p"};
    int argc = 7;
    for (int i = 0; i < n; i++)
        argv[argc++] = addrs[i];
    argv[argc] = NULL;

    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0)
        return NULL;
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        if (null < 0 || dup2(null, 0) < 0 || dup2(out[1], 1) < 0 || dup2(null, 2) < 0)
            _exit(126);
        struct rlimit cpu = {ADDR2LINE_SECONDS, ADDR2LINE_SECONDS}, mem = {1ul << 30, 1ul << 30};
        setrlimit(RLIMIT_CPU, &cpu);
        setrlimit(RLIMIT_AS, &mem);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(out[1]);
    char *buf = malloc(OUT_MAX + 1);
    size_t len = 0;
    uint64_t deadline = clock_now_ns() + ADDR2LINE_SECONDS * 1000000000ull;
    struct pollfd pfd = {out[0], POLLIN, 0};
    while (pid > 0 && buf != NULL && len < OUT_MAX && clock_now_ns() < deadline) {
        if (poll(&pfd, 1, 100) <= 0)
            continue;
        ssize_t got = read(out[0], buf + len, OUT_MAX - len);
        if (got <= 0)
            break;
        len += (size_t)got;
    }
    close(out[0]);
    int status = 0;
    if (pid > 0) {
        kill(pid, SIGKILL); /* done, or stuck: either way no more is wanted */
        waitpid(pid, &status, 0);
    }
    if (pid <= 0 || buf == NULL || (WIFEXITED(status) && WEXITSTATUS(status) != 0)) {
        free(buf);
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}

/* Where a path's course-relative part starts: "chapters/" or "tests/" as a
 * whole component, or NULL. */
static char *component(char *loc, const char *key)
{
    for (char *p = loc; (p = strstr(p, key)) != NULL; p++)
        if (p == loc || p[-1] == '/')
            return p;
    return NULL;
}

/* "/work/x/chapters/06-ring-spsc/ring.c:42 (discriminator 2)" ->
 * "chapters/06-ring-spsc/ring.c:42". */
static void tidy_location(char *loc)
{
    char *d = strstr(loc, " (discriminator");
    if (d != NULL)
        *d = '\0';
    char *from = component(loc, "chapters/");
    if (from == NULL)
        from = component(loc, "tests/");
    if (from != NULL)
        memmove(loc, from, strlen(from) + 1);
}

char *crash_explain(const char *output, const char *bin, int sig, char *where, size_t size)
{
    where[0] = '\0';
    const char *line = output != NULL ? find_line(output) : NULL;
    char addrs[MAX_FRAMES][24];
    int n = line != NULL ? parse_line(line, sig, addrs) : 0;
    char *text = n > 0 ? addr2line(bin, addrs, n) : NULL;
    if (text == NULL)
        return NULL;

    char exercise[256];
    exercise_file_of(bin, exercise, sizeof exercise);
    size_t cap = strlen(output) + 2 * strlen(text) + 4096; /* room for the added words */
    char *result = malloc(cap);
    if (result == NULL) {
        free(text);
        return NULL;
    }
    /* What the test printed, without the marker line, then the calls. */
    size_t before = (size_t)(line - output);
    const char *after = line + strcspn(line, "\n");
    after += *after == '\n';
    int len = snprintf(result, cap, "%.*s%sthe calls that led to the crash, innermost first:\n",
                       (int)before, output, after);
    char first[400] = "", prev[600] = "";
    int repeats = 0, shown = 0;
    for (char *l = strtok(text, "\n"); l != NULL && len > 0 && (size_t)len < cap;
         l = strtok(NULL, "\n")) {
        /* "func at file:line" or " (inlined by) func at file:line"; "?? ??:0" is unknown. */
        const char *inl = strncmp(l, " (inlined by) ", 14) == 0 ? "inlined into " : "";
        char *body = *inl ? l + 14 : l, *at = strstr(body, " at ");
        if (at == NULL || strncmp(at + 4, "??", 2) == 0)
            continue;
        *at = '\0';
        char *loc = at + 4;
        tidy_location(loc);
        const char *base = strrchr(loc, '/');
        base = base != NULL ? base + 1 : loc;
        size_t blen = strcspn(base, ":");
        int in_exercise = blen == strlen(exercise) && strncmp(base, exercise, blen) == 0;
        if (first[0] == '\0')
            snprintf(first, sizeof first, " in %s() at %s", body, base);
        if (in_exercise && where[0] == '\0')
            snprintf(where, size, " in %s() at %s", body, base);
        /* A recursion that overflowed the stack: one line, and how often. */
        char this[600];
        snprintf(this, sizeof this, "%s() at %s", body, loc);
        if (strcmp(this, prev) == 0) {
            repeats++;
            continue;
        }
        if (repeats > 0)
            len += snprintf(result + len, cap - (size_t)len, "    (and %d more of the same)\n",
                            repeats);
        repeats = 0;
        snprintf(prev, sizeof prev, "%s", this);
        if (shown++ < MAX_SHOWN)
            len += snprintf(result + len, cap - (size_t)len, "    %s%s\n", inl, this);
    }
    if (repeats > 0 && (size_t)len < cap)
        len +=
            snprintf(result + len, cap - (size_t)len, "    (and %d more of the same)\n", repeats);
    free(text);
    if (where[0] == '\0')
        snprintf(where, size, "%s", first);
    if (where[0] == '\0') {
        free(result);
        return NULL;
    }
    return result;
}

/* One frame of a sanitizer's stack: "    #0 0x55d1 in func file.c:8:5" (ASan,
 * UBSan) or "    #0 func file.c:8 (prog+0x1d)" (TSan). 1 if it names a
 * source line outside the sanitizer's own code. */
static int sanitizer_frame(const char *line, char *func, size_t fsize, char *loc, size_t lsize)
{
    char f[256], l[512];
    if (sscanf(line, " #%*d 0x%*x in %255s %511s", f, l) != 2 &&
        sscanf(line, " #%*d %255s %511s", f, l) != 2)
        return 0;
    if (strchr(l, ':') == NULL || l[0] == '(' || strstr(l, "sanitizer") != NULL)
        return 0;
    char *col = strchr(strrchr(l, '/') ? strrchr(l, '/') : l, ':');
    if (col != NULL && (col = strchr(col + 1, ':')) != NULL)
        *col = '\0'; /* the column says nothing a learner needs */
    snprintf(func, fsize, "%s", f);
    snprintf(loc, lsize, "%s", l);
    return 1;
}

int sanitizer_explain(const char *buf, size_t len, const char *bin, char *message, size_t size)
{
    /* The last fatal report: "==12==ERROR: AddressSanitizer: SEGV on ...". */
    static const char err[] = "ERROR: ";
    const char *start = NULL;
    for (const char *p = buf; (p = memmem(p, len - (size_t)(p - buf), err, sizeof err - 1)) != NULL;
         p++) {
        const char *s = p + sizeof err - 1;
        size_t word = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
        if (word > 9 && strncmp(s + word - 9, "Sanitizer", 9) == 0 && s[word] == ':')
            start = p;
    }
    /* or UBSan's "file.c:8:12: runtime error: load of null pointer ...". */
    static const char ub[] = ": runtime error: ";
    const char *ub_at = NULL;
    for (const char *p = buf; (p = memmem(p, len - (size_t)(p - buf), ub, sizeof ub - 1)) != NULL;
         p++)
        ub_at = p;
    if (ub_at != NULL && (start == NULL || ub_at > start)) {
        start = ub_at;
        while (start > buf && start[-1] != '\n')
            start--;
    }
    if (start == NULL)
        return 0;
    const char *end = buf + len;
    char *rep = strndup(start, (size_t)(end - start));
    if (rep == NULL)
        return 0;
    char exercise[256], first[400] = "", mine[400] = "";
    exercise_file_of(bin, exercise, sizeof exercise);
    char *kind = strstr(rep, ub);
    kind = kind != NULL && kind < rep + strcspn(rep, "\n") ? kind + 2 : rep + sizeof err - 1;
    char *eol = strchr(kind, '\n');
    for (char *line = eol ? eol + 1 : NULL; line != NULL && *line;) {
        char *next = strchr(line, '\n');
        if (next != NULL)
            *next = '\0';
        char func[256], loc[512];
        if (sanitizer_frame(line, func, sizeof func, loc, sizeof loc)) {
            tidy_location(loc);
            const char *base = strrchr(loc, '/');
            base = base != NULL ? base + 1 : loc;
            size_t blen = strcspn(base, ":");
            if (first[0] == '\0')
                snprintf(first, sizeof first, " in %s() at %s", func, base);
            if (mine[0] == '\0' && blen == strlen(exercise) && strncmp(base, exercise, blen) == 0)
                snprintf(mine, sizeof mine, " in %s() at %s", func, base);
        } else if (first[0] != '\0' && strncmp(line, "    #", 5) != 0) {
            break; /* the first stack is the one of the error itself */
        }
        line = next != NULL ? next + 1 : NULL;
    }
    if (eol != NULL)
        *eol = '\0';
    char *pc = strstr(kind, " (pc ");
    if (pc != NULL)
        *pc = '\0'; /* registers: nothing a learner reads */
    size_t klen = strlen(kind);
    while (klen > 0 && (kind[klen - 1] == ' ' || kind[klen - 1] == '\r'))
        kind[--klen] = '\0';
    int ub_kind = strncmp(kind, "runtime error: ", 15) == 0;
    snprintf(message, size, "%s%.200s%s", ub_kind ? "undefined behaviour: " : "",
             ub_kind ? kind + 15 : kind, mine[0] ? mine : first);
    free(rep);
    return 1;
}
