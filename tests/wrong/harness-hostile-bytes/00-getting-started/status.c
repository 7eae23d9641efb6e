/* Wrong answer: the text is right but the length is not, and it prints
 * bytes that are no text: invalid and cut UTF-8, a surrogate, control
 * characters, then enough two-byte characters that the report's 4 KiB tail
 * starts inside one. The reports (results.json, junit.xml) must still be
 * valid UTF-8 JSON and well-formed XML: the packaging test checks them. */
#include "status.h"

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

int status_describe(int wstatus, char *buf, size_t size)
{
    printf("\xff\xfe stray \xc3 cut \xed\xa0\x80 surrogate \x01\x1b[31m control \xef\xbf\xbe\n");
    for (int i = 0; i < 3001; i++)
        fputs("\xc3\xa9", stdout); /* é */
    int n = 0;
    if (WIFEXITED(wstatus))
        n = snprintf(buf, size, "exited with status %d", WEXITSTATUS(wstatus));
    else if (WIFSIGNALED(wstatus))
        n = snprintf(buf, size, "killed by signal %d", WTERMSIG(wstatus));
    return n + 1; /* one too many */
}
