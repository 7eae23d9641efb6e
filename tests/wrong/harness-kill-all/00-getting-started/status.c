/* Wrong answer: kills every process it may signal (kill(-1)), its parent,
 * its session and its process group, and so itself. Graded, it must CRASH and
 * score 0 on 00.1 while the grade run goes on: as root the test runs as a
 * uid of its own, which owns nothing but the test; without root, in a PID
 * namespace of its own, where nothing outside the test is visible. Still
 * root (a grader that found no uid to drop to), it would stop every process
 * on the machine, not only the grade run: there it only answers wrong
 * (bounded, as harness-fork-loop is, so that a grader's failure costs the run
 * and not the machine). */
#include "status.h"

#include <signal.h>
#include <unistd.h>

int status_describe(int wstatus, char *buf, size_t size)
{
    (void)buf, (void)size;
    if (getuid() != 0) {
        kill(-1, SIGKILL); /* every process we may signal, but this one */
        kill(getppid(), SIGKILL);
        pid_t sid = getsid(0), pgrp = getpgrp();
        if (sid > 0)
            kill(-sid, SIGKILL);
        if (pgrp > 0)
            kill(-pgrp, SIGKILL);
        kill(0, SIGKILL);
    }
    return wstatus; /* and a wrong answer, should it still be running */
}
