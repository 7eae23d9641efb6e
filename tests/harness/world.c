/*
 * Each test's own world, where the kernel lets the grader make one:
 *
 *   - a tmpfs of its own (512 MiB, 64 Ki files: the test's disk quota) that
 *     holds the test's /tmp, /var/tmp, /dev/shm and /run/lock, bound over
 *     the real ones in a mount namespace of the test's own; whatever the test
 *     leaves there (files, FIFOs, sockets, directories nested past PATH_MAX)
 *     goes with one unmount, and nothing reaches the next test;
 *   - its own SysV IPC and POSIX message queues (an IPC namespace);
 *   - a /proc that shows it only its own processes (hidepid), so that no
 *     test reads another process's command line;
 *   - as root, the course tree reachable even when a parent folder is closed
 *     to other users (/root is 0700): a tmpfs over that folder holds only the
 *     path down to the tree, bound back in, and hides the rest.
 * The network stays the machine's: the tests talk to the course's broker.
 *
 * As root the grader mounts the tmpfs itself and reads what the test left in
 * it. Without root, where the kernel allows unprivileged user namespaces, the
 * same world is made inside namespaces of the user's own (world_clone): a
 * user namespace that maps the user to itself, and in it a PID namespace
 * whose first process, a small init of the grader's (world_init), starts the
 * test and outlives it. The test then sees no process but its own, so
 * kill(-1), kill(0) and a kill of its session reach nothing outside; killing
 * the init kills everything the test started; and the init, the only one who
 * can see the test's /dev/shm, reports what was left there before it exits.
 */
#include "grader.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* The world's folders, and where each is bound. /tmp comes last: the world
 * itself lives under the real /tmp, which it then hides. */
static const char *const places[][2] = {
    {"shm", "/dev/shm"}, {"lock", "/run/lock"}, {"vartmp", "/var/tmp"}, {"tmp", "/tmp"}};
enum { NPLACES = sizeof places / sizeof places[0] };

/* Mounts the world's tmpfs on root and makes its folders. */
static int world_fill(const char *root)
{
    if (mount("ipc-grade", root, "tmpfs", MS_NOSUID | MS_NODEV,
              "size=512m,nr_inodes=65536,mode=0755") != 0)
        return -1;
    for (int i = 0; i < NPLACES; i++) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", root, places[i][0]);
        /* 1777 as the real ones are: anyone may create, only owners remove. */
        if (mkdir(path, 0700) != 0 || chmod(path, 01777) != 0)
            return -1;
    }
    return 0;
}

int world_make(const char *tmp_base, char *root, size_t size)
{
    snprintf(root, size, "%s/ipc-grade-XXXXXX", tmp_base);
    if (mkdtemp(root) == NULL)
        return -1;
    if (world_fill(root) != 0) {
        world_remove(root);
        return -1;
    }
    return 0;
}

void world_remove(const char *root)
{
    /* Lazy: a process of the test that is still dying cannot keep it. */
    umount2(root, MNT_DETACH);
    rmdir(root);
}

/* How many entries dir holds; the first one's name, as /dev/shm/NAME, in first. */
static int shm_entries(const char *dir, char *first, size_t size)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return 0;
    int found = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 && !found++)
            snprintf(first, size, "/dev/shm/%s", e->d_name);
    closedir(d);
    return found;
}

int world_leftovers(const char *root, char *first, size_t size)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/shm", root);
    return shm_entries(path, first, size);
}

/* Creates dir and its missing parents below an existing one, mode 0755. */
static int mkdir_below(char *dir, size_t from)
{
    for (char *p = dir + from + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int rc = mkdir(dir, 0755);
        *p = '/';
        if (rc != 0 && errno != EEXIST)
            return -1;
    }
    return mkdir(dir, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

int world_reach(const char *course)
{
    char path[PATH_MAX];
    if (realpath(course, path) == NULL)
        return -1;
    /* The first folder on the way down that others may not cross. */
    size_t closed = 0;
    for (size_t i = 1; path[i] != '\0' && closed == 0; i++) {
        if (path[i] != '/')
            continue;
        struct stat st;
        path[i] = '\0';
        if (stat(path, &st) == 0 && !(st.st_mode & S_IXOTH))
            closed = i;
        path[i] = '/';
    }
    if (closed == 0)
        return 0; /* nothing in the way */
    int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    char above[PATH_MAX], fdpath[64];
    snprintf(above, sizeof above, "%.*s", (int)closed, path);
    snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", fd);
    int rc = mount("ipc-grade-path", above, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0755");
    if (rc == 0)
        rc = mkdir_below(path, closed);
    if (rc == 0)
        rc = mount(fdpath, path, NULL, MS_BIND | MS_REC, NULL);
    close(fd);
    return rc;
}

/* Binds the tree open at fd back at path, if what path shows now is not it. */
static int bind_back(int fd, const char *path)
{
    struct stat want, now;
    if (fstat(fd, &want) != 0)
        return -1;
    if (stat(path, &now) == 0 && now.st_dev == want.st_dev && now.st_ino == want.st_ino)
        return 0;
    char dir[PATH_MAX], fdpath[64];
    snprintf(dir, sizeof dir, "%s", path);
    snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", fd);
    return mkdir_below(dir, 0) == 0 ? mount(fdpath, path, NULL, MS_BIND | MS_REC, NULL) : -1;
}

/* own: inside namespaces of the user's own (world_clone), where the tmpfs is
 * mounted here rather than by the grader, and where the test, being the
 * grader's user, needs no way made down to the course tree. */
static int enter(const char *root, const char *course, int own)
{
    char path[PATH_MAX];
    if (realpath(course, path) == NULL || unshare(CLONE_NEWNS | CLONE_NEWIPC) != 0 ||
        mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
        (own ? world_fill(root) : world_reach(path)) != 0)
        return -1;
    /* A course tree under /tmp (a batch grader's pristine copy) would vanish
     * under the test's own /tmp: it is bound back in at its path. */
    int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    for (int i = 0; i < NPLACES; i++) {
        char from[PATH_MAX];
        struct stat st;
        snprintf(from, sizeof from, "%s/%s", root, places[i][0]);
        if (stat(places[i][1], &st) != 0)
            continue; /* no /run/lock on this system: nothing to hide */
        if (mount(from, places[i][1], NULL, MS_BIND, NULL) != 0) {
            close(fd);
            return -1;
        }
    }
    int rc = bind_back(fd, path);
    close(fd);
    if (rc != 0)
        return -1;
    /* A /proc of our own, each process visible to its own user only (in a
     * PID namespace of its own, the test's processes are all there is). */
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=invisible") != 0)
        return -1;
    /* POSIX message queues of the new IPC namespace (if the system mounts them). */
    struct stat st;
    if (stat("/dev/mqueue", &st) == 0)
        mount("mqueue", "/dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    return chdir("/tmp");
}

int world_enter(const char *root, const char *course)
{
    return enter(root, course, 0);
}

/* The grader's user and group, kept for the child of world_clone: until its
 * maps are written, it sees itself as the overflow user. */
static uid_t outer_uid;
static gid_t outer_gid;

pid_t world_clone(void)
{
    outer_uid = geteuid();
    outer_gid = getegid();
    /* Like fork(), but the child starts a user namespace and is the first
     * process of a PID namespace owned by it. The raw system call, because
     * glibc's clone() wants a function and a stack of its own. */
    return (pid_t)syscall(SYS_clone, CLONE_NEWUSER | CLONE_NEWPID | SIGCHLD, NULL, NULL, NULL,
                          NULL);
}

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, text, strlen(text));
    int rc = close(fd);
    return n == (ssize_t)strlen(text) && rc == 0 ? 0 : -1;
}

int world_enter_own(const char *root, const char *course)
{
    char map[64];
    /* Mapped to itself: files the test creates are the user's, and with no
     * uid 0 in the namespace, the test keeps no capability past execve. */
    snprintf(map, sizeof map, "%u %u 1\n", (unsigned)outer_uid, (unsigned)outer_uid);
    if (write_file("/proc/self/uid_map", map) != 0)
        return -1;
    /* An unprivileged gid_map needs setgroups denied first. */
    snprintf(map, sizeof map, "%u %u 1\n", (unsigned)outer_gid, (unsigned)outer_gid);
    if (write_file("/proc/self/setgroups", "deny") != 0 || write_file("/proc/self/gid_map", map) != 0)
        return -1;
    return enter(root, course, 1);
}

_Noreturn void world_init(pid_t test, int report_fd)
{
    /* The test's pipes (0-4) are the test's alone: once it and all it started
     * are gone, the grader reads them to their end. */
    for (int fd = 0; fd < 5; fd++)
        if (fd != report_fd)
            close(fd);
    /* Orphans of the test come to us, the PID namespace's init: reap them
     * until the test itself ends. */
    int status = -1, st;
    pid_t pid;
    while ((pid = waitpid(-1, &st, 0)) != test)
        if (pid < 0 && errno == ECHILD)
            break;
    if (pid == test)
        status = st;
    /* Then whatever it left running goes, as the grader does as root; from
     * the init, kill(-1) reaches every other process of the namespace. */
    do
        kill(-1, SIGKILL);
    while (waitpid(-1, NULL, 0) > 0 || errno != ECHILD);
    char first[300] = "";
    int left = shm_entries("/dev/shm", first, sizeof first);
    dprintf(report_fd, "%d\t%d\t%s\n", status, left, first);
    _exit(0);
}

int world_init_report(int fd, int *status, char *first, size_t size)
{
    char buf[400];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    char *tab = strchr(buf, '\t'), *tab2 = tab ? strchr(tab + 1, '\t') : NULL;
    if (tab2 == NULL || buf[n - 1] != '\n')
        return -1;
    buf[n - 1] = '\0';
    *status = atoi(buf);
    snprintf(first, size, "%s", tab2 + 1);
    return atoi(tab + 1);
}

int world_available(const char *tmp_base, const char *course)
{
    char root[PATH_MAX];
    if (world_make(tmp_base, root, sizeof root) != 0)
        return 0;
    pid_t pid = fork();
    if (pid == 0)
        _exit(world_enter(root, course) == 0 ? 0 : 1);
    int status = 0;
    int ok = pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
             WEXITSTATUS(status) == 0;
    world_remove(root);
    return ok;
}

int world_available_own(const char *tmp_base, const char *course, const char *probe_bin)
{
    char root[PATH_MAX];
    snprintf(root, sizeof root, "%s/ipc-grade-XXXXXX", tmp_base);
    if (mkdtemp(root) == NULL)
        return 0;
    pid_t pid = world_clone();
    if (pid == 0) {
        /* Quiet: a kernel or container that refuses is no error, only a fallback. */
        _exit(world_enter_own(root, course) == 0 &&
                      (probe_bin == NULL || access(probe_bin, X_OK) == 0)
                  ? 0
                  : 1);
    }
    int status = 0;
    int ok = pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
             WEXITSTATUS(status) == 0;
    rmdir(root);
    return ok;
}
