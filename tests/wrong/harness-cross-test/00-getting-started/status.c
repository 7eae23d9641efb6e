/* Wrong answer: it answers right only when an earlier test left something
 * for it (a file in /tmp, /var/tmp or /dev/shm, a SysV shared-memory
 * segment) or when it can see another user's process in /proc, and it
 * leaves all of that behind for the next test. With each test in a world of
 * its own (the grader as root), there is never anything: every test fails. */
#include "status.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const traces[] = {"/tmp/ipc-labs-trace", "/var/tmp/ipc-labs-trace",
                                     "/dev/shm/ipc-labs-trace"};
enum { KEY = 0x1bc0 };

static int someone_else_in_proc(void)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    int found = 0;
    while (d != NULL && (e = readdir(d)) != NULL && !found) {
        struct stat st;
        char path[300];
        snprintf(path, sizeof path, "/proc/%s", e->d_name);
        found = e->d_name[0] >= '1' && e->d_name[0] <= '9' && stat(path, &st) == 0 &&
                st.st_uid != getuid();
    }
    if (d != NULL)
        closedir(d);
    return found;
}

static int traces_found(void)
{
    for (size_t i = 0; i < sizeof traces / sizeof traces[0]; i++)
        if (access(traces[i], F_OK) == 0)
            return 1;
    return shmget(KEY, 0, 0) >= 0 || someone_else_in_proc();
}

static void leave_traces(void)
{
    for (size_t i = 0; i < sizeof traces / sizeof traces[0]; i++)
        close(open(traces[i], O_CREAT | O_WRONLY, 0666));
    shmget(KEY, 4096, IPC_CREAT | 0666);
}

int status_describe(int wstatus, char *buf, size_t size)
{
    static int found = -1;
    if (found < 0)
        found = traces_found();
    leave_traces();
    if (!found || (buf == NULL && size != 0))
        return found ? -EINVAL : -ENOSYS;
    /* From here on, the reference answer. */
    char name[32];
    if (WIFEXITED(wstatus))
        return snprintf(buf, size, "exited with status %d", WEXITSTATUS(wstatus));
    if (WIFSIGNALED(wstatus)) {
        snprintf(name, sizeof name, "SIG%s", sigabbrev_np(WTERMSIG(wstatus)));
        return snprintf(buf, size, "killed by signal %d (%s)%s", WTERMSIG(wstatus), name,
                        WCOREDUMP(wstatus) ? " (core dumped)" : "");
    }
    if (WIFSTOPPED(wstatus)) {
        snprintf(name, sizeof name, "SIG%s", sigabbrev_np(WSTOPSIG(wstatus)));
        return snprintf(buf, size, "stopped by signal %d (%s)", WSTOPSIG(wstatus), name);
    }
    return -EINVAL;
}
