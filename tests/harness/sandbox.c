/*
 * Runs one test in a child process that can do nothing worse than fail.
 *
 * The child gets its own process group, working directory and resource
 * limits; as root it also runs as a user of its own, so a fork loop meets
 * RLIMIT_NPROC and every process it left behind can be killed by uid. The
 * grader is a child subreaper, so a process that escapes its group (setsid,
 * double fork) is re-parented here and killed too. Without root, where user
 * namespaces are allowed, the child is instead the init of a PID namespace
 * of its own (world.c), which runs the test: killing it kills the lot. The
 * verdict comes only from the token-stamped line on the report pipe (see
 * runtime.c).
 */
#include "grader.h"

#include "clock.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

enum { TAIL_MAX = 16384, REPORT_MAX = 8192, TAIL_LINES = 15 };

const char *signal_name(int sig)
{
    static char buf[32];
    const char *abbrev = sigabbrev_np(sig);
    if (abbrev == NULL)
        snprintf(buf, sizeof buf, "signal %d", sig);
    else
        snprintf(buf, sizeof buf, "SIG%s", abbrev);
    return buf;
}

static void make_token(char *out, size_t size)
{
    unsigned char raw[16];
    size_t got = 0;
    while (got < sizeof raw) {
        ssize_t n = getrandom(raw + got, sizeof raw - got, 0);
        if (n > 0)
            got += (size_t)n;
        else if (errno != EINTR)
            break;
    }
    if (got < sizeof raw) { /* no entropy source at all: fall back, still unpredictable enough */
        uint64_t t = clock_now_ns() ^ ((uint64_t)getpid() << 32);
        memcpy(raw, &t, sizeof t);
    }
    for (size_t i = 0; i < sizeof raw && 2 * i + 2 < size; i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
}

static int count_processes_of(uid_t uid)
{
    DIR *d = opendir("/proc");
    if (d == NULL)
        return 0;
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char path[300];
        struct stat st;
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof path, "/proc/%s", e->d_name);
        if (stat(path, &st) == 0 && st.st_uid == uid)
            count++;
    }
    closedir(d);
    return count;
}

/* A uid with no account and no processes: the test's processes are then the
 * only ones it owns, and "kill everything of this uid" is exact. */
static int pick_test_uid(void)
{
    for (int i = 0; i < 2000; i++) {
        uid_t uid = 61000 + (uid_t)((getpid() + i) % 2000);
        if (getpwuid(uid) == NULL && count_processes_of(uid) == 0)
            return (int)uid;
    }
    return -1;
}

/* Can the test user run the test programs where they were built (in a
 * world of its own, the course tree is made reachable first)? */
static int uid_can_run(const struct sandbox *sb, int uid, const char *bin)
{
    pid_t pid = fork();
    if (pid == 0) {
        if (sb->isolated && (unshare(CLONE_NEWNS) != 0 ||
                             mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
                             world_reach(sb->course) != 0))
            _exit(1);
        if (setgroups(0, NULL) != 0 || setgid((gid_t)uid) != 0 || setuid((uid_t)uid) != 0)
            _exit(1);
        _exit(access(bin, X_OK) == 0 ? 0 : 1);
    }
    int status;
    return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
           WEXITSTATUS(status) == 0;
}

static void add_sanitizer_option(const char *var, const char *ours)
{
    /* Ours first, so options the user already set still win. */
    const char *theirs = getenv(var);
    char buf[1024];
    snprintf(buf, sizeof buf, "%s%s%s", ours, theirs ? ":" : "", theirs ? theirs : "");
    setenv(var, buf, 1);
}

void sandbox_init(struct sandbox *sb, const char *probe_bin)
{
    /* Orphans of a test (double fork, setsid) come back to us to be killed. */
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
        fprintf(stderr,
                "grade: warning: cannot become a subreaper (%s); a test that "
                "detaches a process may leave it running\n",
                strerror(errno));

    sb->isolated = geteuid() == 0 && world_available(sb->tmp_base, sb->course);
    if (geteuid() == 0 && !sb->isolated)
        fprintf(stderr, "grade: warning: no namespaces here: tests share /tmp, /dev/shm, IPC and "
                        "/proc, and only what their user left is removed\n");
    sb->own_ns = geteuid() != 0 && world_available_own(sb->tmp_base, sb->course, probe_bin);
    if (geteuid() != 0 && !sb->own_ns)
        fprintf(stderr, "grade: warning: no namespaces of your own for the tests here (the "
                        "kernel refuses them, or the tests cannot be run in them): tests share "
                        "/tmp, /dev/shm, IPC and /proc, and a test that kills every process of "
                        "yours (kill(-1)) or its session ends this run too\n");
    if (geteuid() == 0 && sb->drop_uid == -2) {
        sb->drop_uid = pick_test_uid();
        if (sb->drop_uid >= 0 && probe_bin != NULL && !uid_can_run(sb, sb->drop_uid, probe_bin)) {
            fprintf(stderr,
                    "grade: warning: an unprivileged user cannot run %s (directory "
                    "permissions?); tests run as root, without a process-count limit\n",
                    probe_bin);
            sb->drop_uid = -1;
        }
    } else if (sb->drop_uid == -2) {
        sb->drop_uid = -1;
    }
    if (sb->drop_uid < 0) /* RLIMIT_NPROC counts all of this user's processes */
        sb->max_procs += count_processes_of(geteuid());
    sb->isolation = sb->own_ns ? "isolation: own namespaces (user, mount, IPC, PID)"
                    : sb->isolated && sb->drop_uid >= 0
                        ? "isolation: namespaces as root (mount, IPC, /proc; a uid of its own)"
                    : sb->isolated ? "isolation: namespaces as root (mount, IPC, /proc; tests run as root)"
                    : sb->drop_uid >= 0
                        ? "isolation: none (shared /tmp, /dev/shm, IPC, /proc; a uid of its own)"
                        : "isolation: none (shared /tmp, /dev/shm, IPC, /proc and the grader's user)";

    char opt[256];
    if (sb->sanitized) {
        snprintf(opt, sizeof opt, "hard_rss_limit_mb=%ld:detect_leaks=0", sb->memory_mb);
        add_sanitizer_option("ASAN_OPTIONS", opt);
        add_sanitizer_option("UBSAN_OPTIONS", "halt_on_error=1:print_stacktrace=1");
    }
    /* Also for a plain grader: it runs the ThreadSanitizer copies of lock-free tests. */
    snprintf(opt, sizeof opt, "hard_rss_limit_mb=%ld:halt_on_error=1", sb->memory_mb);
    add_sanitizer_option("TSAN_OPTIONS", opt);
}

static void set_limit(int resource, rlim_t value)
{
    struct rlimit rl = {value, value};
    /* Best effort: a limit we cannot set is no reason to skip the test. */
    setrlimit(resource, &rl);
}

/* In the child: from here on, only what the test needs. Never returns. */
static _Noreturn void start_test(const struct sandbox *sb, const char *bin, int index,
                                 int timeout_s, const char *workdir, int out_fd, int tok_fd,
                                 int rep_fd, int init_fd)
{
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* if the grader dies, so does the test */

    /* Move the pipes above the slots they are going to, then into place. */
    int out = fcntl(out_fd, F_DUPFD, 10), tok = fcntl(tok_fd, F_DUPFD, 10),
        rep = fcntl(rep_fd, F_DUPFD, 10);
    int init = sb->own_ns ? fcntl(init_fd, F_DUPFD_CLOEXEC, 10) : -1;
    int null = open("/dev/null", O_RDONLY);
    if (out < 0 || tok < 0 || rep < 0 || null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 ||
        dup2(out, 2) < 0 || dup2(tok, 3) < 0 || dup2(rep, 4) < 0 ||
        (sb->own_ns && (init < 0 || dup3(init, 5, O_CLOEXEC) < 0)))
        _exit(126);
    closefrom(sb->own_ns ? 6 : 5);

    if (sb->own_ns) {
        /* We are the init of the test's PID namespace (world_clone). */
        if (world_enter_own(workdir, sb->course) != 0) {
            dprintf(2, "grade: cannot set up the test's own namespaces: %s\n", strerror(errno));
            _exit(126);
        }
        pid_t test = fork();
        if (test < 0) {
            dprintf(2, "grade: cannot fork the test: %s\n", strerror(errno));
            _exit(126);
        }
        if (test > 0)
            world_init(test, 5);
        close(5);
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* if the init dies, so does the test */
        workdir = "/tmp";                  /* its own, empty */
    } else if (sb->isolated) {
        if (world_enter(workdir, sb->course) != 0) {
            dprintf(2, "grade: cannot set up the test's own world: %s\n", strerror(errno));
            _exit(126);
        }
        workdir = "/tmp"; /* its own, empty */
    } else if (chdir(workdir) != 0) {
        _exit(126);
    }
    setenv("HOME", workdir, 1);
    setenv("TMPDIR", workdir, 1);

    set_limit(RLIMIT_CPU, (rlim_t)timeout_s * 2 + 1);
    set_limit(RLIMIT_FSIZE, 64u << 20);
    set_limit(RLIMIT_CORE, 0);
    set_limit(RLIMIT_NOFILE, 1024);
    set_limit(RLIMIT_NPROC, (rlim_t)sb->max_procs);
    if (!sb->sanitized) /* sanitizers reserve terabytes of address space; they get an RSS limit */
        set_limit(RLIMIT_AS, (rlim_t)sb->memory_mb << 20);

    if (sb->drop_uid >= 0) {
        if (setgroups(0, NULL) != 0 || setgid((gid_t)sb->drop_uid) != 0 ||
            setuid((uid_t)sb->drop_uid) != 0) {
            dprintf(2, "grade: cannot switch to uid %d: %s\n", sb->drop_uid, strerror(errno));
            _exit(126);
        }
    }
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    if (sb->tsan)
        tsan_fixed_layout();
    signal(SIGPIPE, SIG_DFL); /* the grader ignores it; the test must see the default */

    char arg[16];
    snprintf(arg, sizeof arg, "%d", index);
    execl(bin, bin, "--run", arg, (char *)NULL);
    dprintf(2, "grade: cannot run %s: %s\n", bin, strerror(errno));
    _exit(127);
}

/* Kills every process the test left: its group, its user, its orphans. */
static void kill_leftovers(const struct sandbox *sb, pid_t pgid)
{
    kill(-pgid, SIGKILL);
    if (sb->drop_uid >= 0) {
        pid_t killer = fork();
        if (killer == 0) {
            if (setuid((uid_t)sb->drop_uid) == 0)
                for (int i = 0; i < 200 && kill(-1, SIGKILL) == 0; i++)
                    usleep(1000); /* again, for anything forked while we were killing */
            _exit(0);
        }
        if (killer > 0)
            waitpid(killer, NULL, 0);
    }

    /* Re-parented orphans: children of ours that we did not start. */
    for (int round = 0; round < 50; round++) {
        int found = 0;
        DIR *d = opendir("/proc");
        struct dirent *e;
        while (d != NULL && (e = readdir(d)) != NULL) {
            if (e->d_name[0] < '0' || e->d_name[0] > '9')
                continue;
            char path[300], buf[512];
            snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
            FILE *f = fopen(path, "r");
            if (f == NULL)
                continue;
            size_t n = fread(buf, 1, sizeof buf - 1, f);
            fclose(f);
            buf[n] = '\0';
            char *paren = strrchr(buf, ')'); /* the name may hold spaces and parentheses */
            int ppid = 0;
            char state;
            if (paren != NULL && sscanf(paren + 1, " %c %d", &state, &ppid) == 2 &&
                ppid == getpid()) {
                pid_t pid = (pid_t)atoi(e->d_name);
                kill(pid, SIGKILL);
                waitpid(pid, NULL, 0);
                found = 1;
            }
        }
        if (d != NULL)
            closedir(d);
        while (waitpid(-1, NULL, WNOHANG) > 0)
            found = 1;
        if (!found)
            break;
    }
}

/* Removes the /dev/shm objects the test's user left (possible only when the
 * test ran as a user of its own); names the first one in leftover. */
static int remove_shm_leftovers(const struct sandbox *sb, char *leftover, size_t size)
{
    if (sb->drop_uid < 0)
        return 0;
    DIR *d = opendir("/dev/shm");
    if (d == NULL)
        return 0;
    int found = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            st.st_uid != (uid_t)sb->drop_uid || !S_ISREG(st.st_mode))
            continue;
        if (!found++)
            snprintf(leftover, size, "/dev/shm/%s", e->d_name);
        unlinkat(dirfd(d), e->d_name, 0);
    }
    closedir(d);
    return found;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

/* Keeps the last TAIL_MAX bytes the test printed. */
struct tail {
    char buf[TAIL_MAX];
    size_t len;
    long total;
};

static void tail_add(struct tail *t, const char *data, size_t n)
{
    t->total += (long)n;
    if (n >= TAIL_MAX) {
        memcpy(t->buf, data + n - TAIL_MAX, TAIL_MAX);
        t->len = TAIL_MAX;
        return;
    }
    if (t->len + n > TAIL_MAX) {
        size_t drop = t->len + n - TAIL_MAX;
        memmove(t->buf, t->buf + drop, t->len - drop);
        t->len -= drop;
    }
    memcpy(t->buf + t->len, data, n);
    t->len += n;
}

/* The last few lines, printable characters only, for reports. */
static char *tail_lines(const struct tail *t)
{
    if (t->len == 0)
        return NULL;
    size_t start = t->len, lines = 0;
    if (start > 0 && t->buf[start - 1] == '\n')
        start--;
    while (start > 0 && lines < TAIL_LINES)
        if (t->buf[--start] == '\n')
            lines++;
    if (t->buf[start] == '\n')
        start++;
    char *s = malloc(t->len - start + 1);
    if (s == NULL)
        return NULL;
    size_t j = 0;
    for (size_t i = start; i < t->len; i++) {
        unsigned char c = (unsigned char)t->buf[i];
        s[j++] = (c == '\n' || c == '\t' || (c >= 32 && c < 127) || c >= 128) ? (char)c : '?';
    }
    s[j] = '\0';
    return s;
}

/* Reads what is there without blocking; returns 0 at end of file. */
static ssize_t read_some(int fd, char *buf, size_t size)
{
    ssize_t n;
    do
        n = read(fd, buf, size);
    while (n < 0 && errno == EINTR);
    return n;
}

/* Moves what the test printed into the tail; returns 0 once the pipe is closed. */
static int drain_output(int fd, struct tail *t)
{
    char buf[65536];
    ssize_t n = -1;
    /* Bounded, so a test printing without pause cannot keep us from its clock. */
    for (int i = 0; i < 16 && (n = read_some(fd, buf, sizeof buf)) > 0; i++)
        tail_add(t, buf, (size_t)n);
    return n != 0;
}

/* Collects the report pipe, up to REPORT_MAX bytes; returns 0 once it is closed. */
static int drain_report(int fd, char *rep, size_t *len)
{
    char buf[4096];
    ssize_t n = -1;
    for (int i = 0; i < 16 && (n = read_some(fd, buf, sizeof buf)) > 0; i++) {
        size_t take = (size_t)n < REPORT_MAX - *len ? (size_t)n : REPORT_MAX - *len;
        memcpy(rep + *len, buf, take);
        *len += take;
    }
    return n != 0;
}

/* Finds the line stamped with this run's token and fills the verdict from it. */
static int parse_report(const char *token, char *rep, struct result *r, int *passed)
{
    size_t toklen = strlen(token);
    for (char *line = rep; line != NULL && *line;) {
        char *next = strchr(line, '\n');
        if (next == NULL)
            break; /* an unfinished line is no report */
        *next = '\0';
        if (strncmp(line, token, toklen) == 0 && line[toklen] == '\t') {
            char *fields[5];
            char *p = line + toklen + 1;
            int k = 0;
            for (; k < 5 && p != NULL; k++) {
                fields[k] = p;
                p = k < 4 ? strchr(p, '\t') : NULL;
                if (p != NULL)
                    *p++ = '\0';
            }
            if (k == 5 && (strcmp(fields[0], "PASS") == 0 || strcmp(fields[0], "FAIL") == 0)) {
                *passed = strcmp(fields[0], "PASS") == 0;
                r->asserts = (unsigned)strtoul(fields[1], NULL, 10);
                r->failed_asserts = (unsigned)strtoul(fields[2], NULL, 10);
                if (!*passed)
                    snprintf(r->message, sizeof r->message, "%s: %s", fields[3], fields[4]);
                return 1;
            }
        }
        line = next + 1;
    }
    return 0;
}

void sandbox_run(const struct sandbox *sb, const char *bin, struct result *r)
{
    int timeout_s = (int)(r->timeout_s * sb->timeout_scale + 0.5);
    if (timeout_s < 1)
        timeout_s = 1;

    char token[40] = "";
    make_token(token, sizeof token);

    char workdir[4096];
    snprintf(workdir, sizeof workdir, "%s/ipc-grade-XXXXXX", sb->tmp_base);
    int out_pipe[2], tok_pipe[2], rep_pipe[2], init_pipe[2] = {-1, -1};
    /* In namespaces of its own, the test's init mounts the world on workdir. */
    if ((sb->isolated ? world_make(sb->tmp_base, workdir, sizeof workdir) : mkdtemp(workdir) ? 0 : -1) != 0 ||
        pipe2(out_pipe, O_CLOEXEC) != 0 ||
        pipe2(tok_pipe, O_CLOEXEC) != 0 || pipe2(rep_pipe, O_CLOEXEC) != 0 ||
        (sb->own_ns && pipe2(init_pipe, O_CLOEXEC) != 0)) {
        r->verdict = V_FAIL;
        snprintf(r->message, sizeof r->message, "grader could not set up the test: %s",
                 strerror(errno));
        return;
    }
    if (!sb->isolated && sb->drop_uid >= 0 &&
        chown(workdir, (uid_t)sb->drop_uid, (gid_t)sb->drop_uid) != 0)
        fprintf(stderr, "grade: warning: chown %s: %s\n", workdir, strerror(errno));

    uint64_t t0 = clock_now_ns();
    pid_t pid = sb->own_ns ? world_clone() : fork();
    if (pid == 0)
        start_test(sb, bin, r->index, timeout_s, workdir, out_pipe[1], tok_pipe[0], rep_pipe[1],
                   init_pipe[1]);
    close(out_pipe[1]);
    close(tok_pipe[0]);
    close(rep_pipe[1]);
    if (sb->own_ns)
        close(init_pipe[1]);
    if (pid > 0) {
        setpgid(pid, pid); /* also here, so the group exists before we may need to kill it */
        (void)!write(tok_pipe[1], token, strlen(token));
    }
    close(tok_pipe[1]);
    fcntl(out_pipe[0], F_SETFL, O_NONBLOCK);
    fcntl(rep_pipe[0], F_SETFL, O_NONBLOCK);

    struct tail tail = {.len = 0, .total = 0};
    char rep[REPORT_MAX + 1];
    size_t rep_len = 0;
    enum { RUNNING, TIMED_OUT, FLOODED } stop = RUNNING;
    int status = 0, exited = pid < 0;
    uint64_t deadline = t0 + (uint64_t)timeout_s * 1000000000u;
    struct pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {rep_pipe[0], POLLIN, 0}};

    while (!exited) {
        poll(fds, 2, 20);
        if (fds[0].fd >= 0 && !drain_output(fds[0].fd, &tail))
            fds[0].fd = -1;
        if (fds[1].fd >= 0 && !drain_report(fds[1].fd, rep, &rep_len))
            fds[1].fd = -1;

        if (waitpid(pid, &status, WNOHANG) == pid)
            exited = 1;
        else if (stop == RUNNING && tail.total > sb->max_output) {
            stop = FLOODED;
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
        } else if (stop == RUNNING && clock_now_ns() > deadline) {
            stop = TIMED_OUT;
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
        }
    }
    if (pid > 0)
        kill_leftovers(sb, pid);
    /* What is still in the pipes was written before the test ended. */
    drain_report(rep_pipe[0], rep, &rep_len);
    drain_output(out_pipe[0], &tail);
    close(out_pipe[0]);
    close(rep_pipe[0]);
    rep[rep_len] = '\0';

    char leftover[300] = "";
    int leftovers;
    if (sb->own_ns) {
        /* The init has exited, and with it the world; what it saw there is in
         * the pipe. No line: it was killed (time, output) or never started. */
        int test_status;
        leftovers = world_init_report(init_pipe[0], &test_status, leftover, sizeof leftover);
        if (leftovers >= 0 && test_status != -1)
            status = test_status;
        if (leftovers < 0)
            leftovers = 0;
        close(init_pipe[0]);
        rmdir(workdir);
    } else if (sb->isolated) {
        leftovers = world_leftovers(workdir, leftover, sizeof leftover);
        world_remove(workdir);
    } else {
        nftw(workdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
        leftovers = remove_shm_leftovers(sb, leftover, sizeof leftover);
    }
    r->seconds = (double)(clock_now_ns() - t0) / 1e9;
    r->output = tail_lines(&tail);

    int passed = 0;
    int reported = parse_report(token, rep, r, &passed);
    if (pid < 0) {
        r->verdict = V_FAIL;
        snprintf(r->message, sizeof r->message, "grader could not fork: %s", strerror(errno));
    } else if (stop == TIMED_OUT) {
        r->verdict = V_TIMEOUT;
        snprintf(r->message, sizeof r->message,
                 "still running after %d s; stopped (an endless loop, or a wait that never ends?)",
                 timeout_s);
    } else if (stop == FLOODED) {
        r->verdict = V_FAIL;
        snprintf(r->message, sizeof r->message,
                 "printed more than %ld bytes; stopped (a print in a loop?)", sb->max_output);
    } else if (reported && passed && r->asserts == 0) {
        /* A pass is a claim that checks were made: with none, nothing was shown. */
        r->verdict = V_FAIL;
        snprintf(r->message, sizeof r->message,
                 "the test reported success without making a single check; it counts only "
                 "with evidence");
    } else if (reported && passed && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        r->verdict = V_PASS;
    } else if (reported && !passed) {
        r->verdict = V_FAIL; /* message already filled from the report */
    } else if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        r->verdict = V_CRASH;
        snprintf(r->message, sizeof r->message, "killed by %s%s", signal_name(sig),
                 sig == SIGSEGV   ? " (an invalid memory access)"
                 : sig == SIGABRT ? " (abort(): a failed assert() or a corrupted heap?)"
                 : sig == SIGXCPU ? " (CPU time limit)"
                 : sig == SIGXFSZ ? " (file size limit)"
                 : sig == SIGBUS  ? " (access beyond the end of a mapped file?)"
                                  : "");
        char where[512];
        char *traced = crash_explain(r->output, bin, sig, where, sizeof where);
        if (traced != NULL) {
            size_t used = strlen(r->message);
            snprintf(r->message + used, sizeof r->message - used, "%s", where);
            free(r->output);
            r->output = traced;
        }
    } else {
        r->verdict = V_FAIL;
        snprintf(r->message, sizeof r->message,
                 "the test process exited with status %d before reporting a result "
                 "(exit() called during the test, a failed start, or a sanitizer report)",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
    if (r->verdict == V_PASS && leftovers > 0 && sb->fail_on_leftovers) {
        r->verdict = V_FAIL;
        snprintf(r->message, sizeof r->message,
                 "passed, but left %d shared-memory object(s) behind, such as %s (shm_unlink them)",
                 leftovers, leftover);
    }
    if (sb->sanitized && (r->verdict == V_CRASH || (r->verdict == V_FAIL && !reported)))
        sanitizer_explain(tail.buf, tail.len, bin, r->message, sizeof r->message);
    if (sb->tsan && r->verdict != V_PASS) {
        /* The report's middle is what a learner needs; the tail shows its end. */
        char *report = tsan_explain(tail.buf, tail.len, bin, r->message, sizeof r->message);
        if (report != NULL) {
            free(r->output);
            r->output = report;
        }
    }
    r->earned = r->verdict == V_PASS ? r->points : 0;
}
