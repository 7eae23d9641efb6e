#include "parse.h"

#include "die.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

int parse_long(const char *text, long min, long max, long *out)
{
    /* strtol skips leading white space and accepts an empty string as 0;
     * a command-line value with either is a mistake, so refuse both. */
    if (text == NULL || *text == '\0' || isspace((unsigned char)*text))
        return -EINVAL;

    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (end == text || *end != '\0')
        return -EINVAL;
    if (errno == ERANGE || value < min || value > max)
        return -ERANGE;
    *out = value;
    return 0;
}

long parse_long_arg(const char *text, long min, long max, const char *what, const char *usage)
{
    long value;
    int rc = parse_long(text, min, max, &value);
    if (rc == -EINVAL)
        die_usage(usage, "%s: '%s' is not a whole number", what, text ? text : "");
    if (rc == -ERANGE)
        die_usage(usage, "%s: '%s' is out of range (%ld..%ld)", what, text, min, max);
    return value;
}
