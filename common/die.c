/* One place that formats every fatal message, so all programs read alike. */
#include "die.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *prog_name(void)
{
    /* glibc keeps argv[0]'s last component here; no set-up call needed. */
    extern char *program_invocation_short_name;
    return program_invocation_short_name;
}

/* Formats "prog: message[: reason]" into one buffer and writes it with a
 * single call, so messages from two processes sharing stderr never interleave. */
static void report(int errnum, const char *fmt, va_list ap)
{
    char msg[768];
    vsnprintf(msg, sizeof msg, fmt, ap); /* truncates, never overflows */

    char line[1024];
    int n = errnum != 0
                ? snprintf(line, sizeof line, "%s: %s: %s\n", prog_name(), msg, strerror(errnum))
                : snprintf(line, sizeof line, "%s: %s\n", prog_name(), msg);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof line) {
        n = (int)sizeof line - 1;
        line[n - 1] = '\n';
    }
    fflush(stdout); /* what the program printed so far comes before the error */
    fwrite(line, 1, (size_t)n, stderr);
}

void die(const char *fmt, ...)
{
    int saved = errno;
    va_list ap;
    va_start(ap, fmt);
    report(saved, fmt, ap);
    va_end(ap);
    exit(EXIT_RUNTIME);
}

void die_errnum(int errnum, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(errnum < 0 ? -errnum : errnum, fmt, ap);
    va_end(ap);
    exit(EXIT_RUNTIME);
}

void die_msg(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(0, fmt, ap);
    va_end(ap);
    exit(EXIT_RUNTIME);
}

void die_usage(const char *usage, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(0, fmt, ap);
    va_end(ap);
    fprintf(stderr, "usage: %s %s\n", prog_name(), usage);
    exit(EXIT_USAGE);
}
