/* Helpers the chapter's tests share: unique shared-memory names, checks that
 * nothing is left behind, and counting open descriptors. Test code only. */
#ifndef IPC_SHMTEST_H
#define IPC_SHMTEST_H

#include "grade.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* Test time limits stretch under a sanitizer, which slows everything. */
#ifdef IPC_SANITIZED
#define SHMTEST_SLOW 3
#else
#define SHMTEST_SLOW 1
#endif

/* A fresh random name, "/ipc-labs-02-<pid>-<random>", that no one can guess. */
static inline void shmtest_name(char *buf, size_t size)
{
    static unsigned seed;
    if (seed == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        seed = (unsigned)ts.tv_nsec ^ ((unsigned)getpid() << 16);
    }
    snprintf(buf, size, "/ipc-labs-02-%ld-%08x", (long)getpid(), (unsigned)rand_r(&seed));
}

/* Non-zero if the object still has a name (shows up in /dev/shm). */
static inline int shmtest_exists(const char *name)
{
    char path[300];
    snprintf(path, sizeof path, "/dev/shm%s", name);
    return access(path, F_OK) == 0;
}

/* Removes the object if it exists, whatever the code under test did. */
static inline void shmtest_cleanup(const char *name)
{
    shm_unlink(name);
}

/* Open file descriptors of this process. */
static inline int shmtest_open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;)
        n += e->d_name[0] != '.';
    if (d != NULL)
        closedir(d);
    return n - 1; /* the directory's own descriptor */
}

/* Non-zero if /proc/self/maps shows a mapping of the object. */
static inline int shmtest_mapped(const char *name)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[1024];
    int found = 0;
    size_t len = strlen(name);
    while (f != NULL && fgets(line, sizeof line, f) != NULL) {
        char *p = strstr(line, "/dev/shm");
        if (p != NULL && strncmp(p + 8, name, len) == 0 && (p[8 + len] == '\n' || p[8 + len] == ' '))
            found = 1;
    }
    if (f != NULL)
        fclose(f);
    return found;
}

/* A return value as a reader wants it: "-ETIMEDOUT" rather than -110. */
static inline const char *shmtest_rc(long v, char *buf, size_t size)
{
    const char *name = v < 0 && v > -4096 ? strerrorname_np((int)-v) : NULL;
    if (name != NULL)
        snprintf(buf, size, "-%s", name);
    else
        snprintf(buf, size, "%ld", v);
    return buf;
}

static inline void shmtest_expect_rc(long got, long want, const char *expr, const char *why, const char *file,
                                     int line)
{
    char g[48], w[48];
    grade_check(got == want, 0, file, line, "%s: expected %s, got %s (%s)", expr, shmtest_rc(want, w, sizeof w),
                shmtest_rc(got, g, sizeof g), why);
}

/* GRADE_EXPECT_LONG for return values that may be negative errno values. */
#define SHMTEST_EXPECT_RC(got, want, why) \
    shmtest_expect_rc((long)(got), (long)(want), #got, (why), __FILE__, __LINE__)

#endif
