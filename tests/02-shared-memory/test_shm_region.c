/* Graded tests for exercise 02.1 (chapters/02-shared-memory/shm_region.h). */
#include "grade.h"
#include "shm_region.h"
#include "shmtest.h"

#include <errno.h>
#include <limits.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define PAGE 4096

static unsigned seed_once(void)
{
    unsigned s = grade_seed();
    srand(s);
    return s;
}

/* Runs fn(arg) in a child process; returns its exit status (0 = ok), or -1. */
static int in_child(int (*fn)(void *), void *arg)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(fn(arg));
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

struct peer_job {
    const char *name;
    size_t size;
    unsigned char pattern;
};

/* In another process, with the test's own shm_open + mmap: check the
 * pattern the parent wrote, and write its complement back. */
static int peer_checks_and_answers(void *arg)
{
    const struct peer_job *j = arg;
    int fd = shm_open(j->name, O_RDWR, 0);
    if (fd == -1)
        return 10;
    unsigned char *p = mmap(NULL, j->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        return 11;
    for (size_t i = 0; i < j->size; i++)
        if (p[i] != (unsigned char)(j->pattern + i))
            return 12;
    for (size_t i = 0; i < j->size; i++)
        p[i] = (unsigned char)~p[i];
    return 0;
}

static void create_makes_a_private_zeroed_object(void)
{
    seed_once();
    umask(022);
    char name[64];
    shmtest_name(name, sizeof name);
    size_t size = 1 + (size_t)rand() % (3 * PAGE);
    int fds = shmtest_open_fds();

    struct shm_region r = {0};
    int rc = shm_region_create(&r, name, size, 0);
    GRADE_EXPECT_LONG(rc, 0, "creating a new object with a fresh name succeeds");
    struct stat st;
    if (rc == 0) {
        char path[128];
        snprintf(path, sizeof path, "/dev/shm%s", name);
        GRADE_CHECK(stat(path, &st) == 0, "the object %s should exist in /dev/shm", name);
        GRADE_EXPECT_LONG(st.st_size, (long)size, "ftruncate gives the object exactly the size asked for");
        GRADE_CHECK((st.st_mode & 0777) == 0600,
                    "mode: expected 0600, got 0%o (mode 0 means 0600: shared memory others can read or "
                    "write leaks and corrupts data)", (unsigned)(st.st_mode & 0777));
        GRADE_CHECK(r.addr != NULL && r.size == size, "r should be {mapping, %zu}, got {%p, %zu}",
                    size, r.addr, r.size);
        GRADE_EXPECT_LONG(shmtest_open_fds(), fds,
                          "open descriptors after create: the mapping needs no descriptor, close it");
        if (r.addr != NULL && r.size == size) {
            unsigned char *p = r.addr;
            size_t nonzero = 0;
            for (size_t i = 0; i < size; i++)
                nonzero += p[i] != 0;
            GRADE_EXPECT_LONG(nonzero, 0, "a new object is all zeros");
            struct peer_job j = {name, size, (unsigned char)rand()};
            for (size_t i = 0; i < size; i++)
                p[i] = (unsigned char)(j.pattern + i);
            GRADE_EXPECT_LONG(in_child(peer_checks_and_answers, &j), 0,
                              "another process must see what we wrote (MAP_SHARED, not MAP_PRIVATE)");
            GRADE_CHECK(p[size - 1] == (unsigned char)~(j.pattern + size - 1),
                        "what another process wrote must show up in our mapping (MAP_SHARED)");
            munmap(r.addr, r.size);
        }
    }

    /* An explicit mode is used as given (less the umask). */
    char name2[64];
    shmtest_name(name2, sizeof name2);
    struct shm_region r2 = {0};
    GRADE_EXPECT_LONG(shm_region_create(&r2, name2, 1, 0640), 0, "create of 1 byte with mode 0640");
    char path2[128];
    snprintf(path2, sizeof path2, "/dev/shm%s", name2);
    if (stat(path2, &st) == 0)
        GRADE_CHECK((st.st_mode & 0777) == 0640, "mode: expected 0640, got 0%o (an explicit mode is "
                    "passed to shm_open)", (unsigned)(st.st_mode & 0777));
    if (r2.addr != NULL)
        munmap(r2.addr, r2.size);
    shmtest_cleanup(name);
    shmtest_cleanup(name2);
}

/* Another process writes into the object through its own mapping. */
static int peer_writes(void *arg)
{
    const struct peer_job *j = arg;
    int fd = shm_open(j->name, O_RDWR, 0);
    if (fd == -1)
        return 10;
    unsigned char *p = mmap(NULL, j->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        return 11;
    for (size_t i = 0; i < j->size; i++)
        p[i] = (unsigned char)(j->pattern ^ i);
    return 0;
}

/* The test makes an object of size bytes itself, with plain shm_open + ftruncate. */
static int make_object(const char *name, size_t size)
{
    int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
    if (fd == -1)
        return -1;
    int rc = ftruncate(fd, (off_t)size);
    close(fd);
    return rc;
}

static void open_maps_the_whole_object(void)
{
    seed_once();
    char name[64];
    shmtest_name(name, sizeof name);
    size_t size = PAGE + (size_t)rand() % (4 * PAGE);
    GRADE_REQUIRE(make_object(name, size) == 0, "test set-up: cannot create %s: %s", name, strerror(errno));
    int fds = shmtest_open_fds();

    struct shm_region r = {0};
    int rc = shm_region_open(&r, name, size / 2);
    GRADE_EXPECT_LONG(rc, 0, "opening an existing object that is big enough succeeds");
    GRADE_EXPECT_LONG(r.size, (long)size, "r->size is the object's size from fstat, not the minimum asked for");
    GRADE_EXPECT_LONG(shmtest_open_fds(), fds, "open descriptors after open: close the one shm_open gave");
    if (rc == 0 && r.addr != NULL && r.size == size) {
        struct peer_job j = {name, size, (unsigned char)rand()};
        GRADE_EXPECT_LONG(in_child(peer_writes, &j), 0, "test set-up: the other process could not write");
        const unsigned char *p = r.addr;
        size_t wrong = 0;
        for (size_t i = 0; i < size; i++)
            wrong += p[i] != (unsigned char)(j.pattern ^ i);
        GRADE_EXPECT_LONG(wrong, 0, "bytes another process wrote must all show in the mapping (MAP_SHARED)");
    }
    if (r.addr != NULL)
        munmap(r.addr, r.size);

    /* The smallest object there is: one byte. */
    char tiny[64];
    shmtest_name(tiny, sizeof tiny);
    GRADE_REQUIRE(make_object(tiny, 1) == 0, "test set-up: cannot create %s: %s", tiny,
                  strerror(errno));
    struct shm_region r1 = {0};
    GRADE_EXPECT_LONG(shm_region_open(&r1, tiny, 0), 0,
                      "an object of 1 byte is not empty: open it");
    GRADE_EXPECT_LONG(r1.size, 1, "r->size of a 1-byte object");
    if (r1.addr != NULL)
        munmap(r1.addr, r1.size);
    shmtest_cleanup(tiny);

    /* Exactly the minimum is enough. */
    struct shm_region r2 = {0};
    GRADE_EXPECT_LONG(shm_region_open(&r2, name, size), 0, "an object of exactly min_size bytes is fine");
    GRADE_EXPECT_LONG(shmtest_open_fds(), fds, "open descriptors after a second open");
    if (r2.addr != NULL)
        munmap(r2.addr, r2.size);
    shmtest_cleanup(name);
}

/* Checks rc == -want and errno == want. */
static void expect_error(int rc, int want, const char *what)
{
    GRADE_CHECK(rc == -want, "%s: expected -%s (%d), got %d (%s)", what, strerrorname_np(want), -want, rc,
                rc < 0 ? strerror(-rc) : "no error");
    GRADE_CHECK(errno == want, "%s: errno should be %s too, got %d (%s)", what, strerrorname_np(want), errno,
                strerror(errno));
}

/* In a child, so that a crash is a failure here and not a lost test. */
static int null_arguments_fail_cleanly(void *name)
{
    struct shm_region r;
    errno = 0;
    if (shm_region_create(NULL, name, PAGE, 0) != -EINVAL || errno != EINVAL)
        return 1;
    errno = 0;
    if (shm_region_open(&r, NULL, 0) != -EINVAL || errno != EINVAL)
        return 2;
    return 0;
}

static void errors_are_values(void)
{
    seed_once();
    char name[64], missing[64], empty[64];
    shmtest_name(name, sizeof name);
    shmtest_name(missing, sizeof missing);
    shmtest_name(empty, sizeof empty);
    size_t small = 1 + (size_t)rand() % 1000;
    GRADE_REQUIRE(make_object(name, small) == 0, "test set-up: cannot create %s: %s", name, strerror(errno));
    GRADE_REQUIRE(make_object(empty, 0) == 0, "test set-up: cannot create %s", empty);
    int fds = shmtest_open_fds();

    struct shm_region r = {(void *)&r, 12345};
    errno = 0;
    expect_error(shm_region_create(&r, name, PAGE, 0), EEXIST,
                 "create over an existing object (O_EXCL: never adopt someone else's)");
    struct stat st;
    char path[128];
    snprintf(path, sizeof path, "/dev/shm%s", name);
    GRADE_CHECK(stat(path, &st) == 0 && st.st_size == (off_t)small,
                "a failed create must leave the existing object alone (size %zu)", small);

    errno = 0;
    expect_error(shm_region_open(&r, missing, 0), ENOENT, "open of an object that does not exist");
    errno = 0;
    expect_error(shm_region_open(&r, name, PAGE), EPROTO,
                 "open of an object smaller than min_size (mapping past its end means SIGBUS)");
    errno = 0;
    expect_error(shm_region_open(&r, empty, 0), EPROTO, "open of an object of size 0 (not sized yet)");
    GRADE_CHECK(r.addr == (void *)&r && r.size == 12345, "r must be left untouched when a call fails");

    char no_slash[64];
    snprintf(no_slash, sizeof no_slash, "%s", missing + 1); /* shm_open(3) wants the leading '/' */
    char two_leading[66];
    snprintf(two_leading, sizeof two_leading, "/%s", missing); /* "//name": a '/' after the first */
    const char *bad[] = {no_slash, "/two/slashes", two_leading, "/", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char what[80];
        snprintf(what, sizeof what, "create with the name \"%s\"", bad[i]);
        errno = 0;
        expect_error(shm_region_create(&r, bad[i], PAGE, 0), EINVAL, what);
    }
    errno = 0;
    expect_error(shm_region_create(&r, missing, 0, 0), EINVAL, "create with size 0");
    GRADE_CHECK(!shmtest_exists(missing), "a refused create must not leave %s in /dev/shm", missing);
    shm_unlink(two_leading); /* shm_open would have stripped the slashes: the same object */
    shmtest_cleanup(missing);
    GRADE_EXPECT_LONG(in_child(null_arguments_fail_cleanly, missing), 0,
                      "a NULL region or name must return -EINVAL, not crash (the child that tried it failed)");
    shmtest_cleanup(missing);
    GRADE_EXPECT_LONG(shmtest_open_fds(), fds, "descriptors after the failed calls: each failure closes what it opened");

    /* The boundary still works: a successful open with the exact size. */
    struct shm_region ok = {0};
    GRADE_EXPECT_LONG(shm_region_open(&ok, name, small), 0, "open with min_size equal to the size");
    GRADE_EXPECT_LONG(shmtest_open_fds(), fds, "descriptors after a successful open");
    if (ok.addr != NULL)
        munmap(ok.addr, ok.size);
    shmtest_cleanup(name);
    shmtest_cleanup(empty);
    shmtest_cleanup(missing);
    shm_unlink(no_slash);
    GRADE_CHECK(!shmtest_exists(name) && !shmtest_exists(empty) && !shmtest_exists(missing),
                "test clean-up: objects left in /dev/shm");
}

static void close_and_unlink_leave_nothing(void)
{
    seed_once();
    char name[64];
    shmtest_name(name, sizeof name);
    int fds = shmtest_open_fds();
    struct shm_region r = {0};
    size_t size = 1 + (size_t)rand() % (2 * PAGE);
    int rc = shm_region_create(&r, name, size, 0);
    GRADE_EXPECT_LONG(rc, 0, "create");
    if (rc == 0) {
        GRADE_CHECK(shmtest_mapped(name), "after create, /proc/self/maps should show /dev/shm%s", name);
        GRADE_EXPECT_LONG(shm_region_close(&r), 0, "close of a mapped region");
        GRADE_CHECK(!shmtest_mapped(name), "after close, the mapping must be gone from /proc/self/maps");
        GRADE_CHECK(r.addr == NULL && r.size == 0, "close zeroes the region so a second close is harmless");
        GRADE_EXPECT_LONG(shm_region_close(&r), 0, "closing an all-zero region does nothing");
        GRADE_CHECK(shmtest_exists(name), "close keeps the object: another process may still open it");
        GRADE_EXPECT_LONG(shm_region_unlink(name), 0, "unlink");
        GRADE_CHECK(!shmtest_exists(name), "after unlink, %s must be gone from /dev/shm", name);
        errno = 0;
        expect_error(shm_region_unlink(name), ENOENT, "unlink of a name already removed");
        errno = 0;
        expect_error(shm_region_unlink("bad"), EINVAL, "unlink of a bad name");
        errno = 0; /* glibc's shm_unlink says ENOENT for it: check the name first */
        expect_error(shm_region_unlink("/"), EINVAL,
                     "unlink of \"/\", a name with nothing after the '/'");
    }
    /* munmap refuses an address that is not page-aligned: close passes that on. */
    struct shm_region odd = {(char *)&r + 1, PAGE};
    errno = 0;
    expect_error(shm_region_close(&odd), EINVAL,
                 "close of a region whose address is not page-aligned (munmap fails)");
    GRADE_EXPECT_LONG(shmtest_open_fds(), fds, "descriptors after create, close and unlink: none may leak");
    shmtest_cleanup(name);
}

/* Creates and removes an object of that name: both must work. */
static void create_and_unlink(const char *name, const char *what)
{
    struct shm_region r = {0};
    int rc = shm_region_create(&r, name, PAGE, 0);
    GRADE_EXPECT_LONG(rc, 0, what);
    if (rc == 0) {
        GRADE_EXPECT_LONG(shm_region_unlink(name), 0, what);
        munmap(r.addr, r.size);
    }
    shm_unlink(name);
}

static void names_at_the_limits(void)
{
    /* One character after the '/': try letters until one is free, as another
     * program may hold a short name. */
    char one[3] = "/a";
    struct shm_region r = {0};
    int rc = -EEXIST;
    for (char c = 'a'; c <= 'z' && rc == -EEXIST; c++) {
        one[1] = c;
        rc = shm_region_create(&r, one, PAGE, 0);
    }
    GRADE_EXPECT_LONG(rc, 0, "create with a name of one character after the '/' (\"/a\" is valid)");
    if (rc == 0) {
        GRADE_EXPECT_LONG(shm_region_unlink(one), 0, "unlink of a one-character name");
        munmap(r.addr, r.size);
    }

    /* NAME_MAX - 1 = 254 characters after the '/' are the most; 255 are too many. */
    char longest[NAME_MAX + 2];
    shmtest_name(longest, sizeof longest);
    size_t len = strlen(longest);
    memset(longest + len, 'x', NAME_MAX - len);
    longest[NAME_MAX] = '\0';
    create_and_unlink(longest, "create with a name of 254 characters after the '/'");
    char too_long[NAME_MAX + 2];
    shmtest_name(too_long, sizeof too_long);
    len = strlen(too_long);
    memset(too_long + len, 'y', NAME_MAX + 1 - len);
    too_long[NAME_MAX + 1] = '\0';
    struct shm_region untouched = {0};
    errno = 0;
    expect_error(shm_region_create(&untouched, too_long, PAGE, 0), EINVAL,
                 "create with a name of 255 characters after the '/' (at most NAME_MAX - 1)");
    GRADE_CHECK(!shmtest_exists(too_long), "a refused name must not be created");
    shm_unlink(too_long);
}

/* Open descriptors, counted without allocating anything: it runs where
 * RLIMIT_AS leaves no room for malloc. */
static int fds_open(void)
{
    int n = 0;
    for (int fd = 0; fd < 1024; fd++)
        n += fcntl(fd, F_GETFD) != -1;
    return n;
}

/* Makes every stat-family system call of this process fail with EIO from
 * now on (a seccomp filter); 0, or -1 where the kernel does not allow it. */
static int fail_stat_calls(void)
{
    static const unsigned calls[] = {
#ifdef SYS_fstat
        SYS_fstat,
#endif
#ifdef SYS_newfstatat
        SYS_newfstatat,
#endif
#ifdef SYS_fstatat64
        SYS_fstatat64,
#endif
#ifdef SYS_statx
        SYS_statx,
#endif
    };
    enum { N = sizeof calls / sizeof calls[0] };
    struct sock_filter f[N + 3];
    f[0] =
        (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
    for (unsigned i = 0; i < N; i++) /* a match jumps to the last instruction */
        f[1 + i] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, calls[i], N - i, 0);
    f[N + 1] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    f[N + 2] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EIO);
    struct sock_fprog prog = {.len = N + 3, .filter = f};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return -1;
    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

/* How a step after shm_open() is made to fail, in a child process. */
enum failure {
    FSIZE,       /* RLIMIT_FSIZE of a page: ftruncate to more fails with EFBIG */
    NO_MAPPINGS, /* RLIMIT_AS of 0: every new mmap fails with ENOMEM */
    NO_FSTAT,    /* seccomp: fstat fails with EIO */
};

/* One such call and what the child that made it saw; in shared memory, for
 * the parent to read. */
struct failing_call {
    char name[64];
    enum failure how;
    size_t size; /* create's; 0: open the existing object instead */
    int rc, err, fds_before, fds_after, untouched;
};

static int call_with_a_failure(void *arg)
{
    struct failing_call *f = arg;
    signal(SIGXFSZ, SIG_IGN); /* growing a file past RLIMIT_FSIZE: EFBIG, not death */
    f->fds_before = fds_open();
    if (f->how == NO_FSTAT) {
        if (fail_stat_calls() != 0)
            return 1;
    } else {
        int resource = f->how == FSIZE ? RLIMIT_FSIZE : RLIMIT_AS;
        struct rlimit lim;
        if (getrlimit(resource, &lim) != 0)
            return 1;
        lim.rlim_cur = f->how == FSIZE ? PAGE : 0;
        if (setrlimit(resource, &lim) != 0)
            return 1;
    }
    struct shm_region r = {(void *)&r, 12345};
    errno = 0;
    f->rc =
        f->size > 0 ? shm_region_create(&r, f->name, f->size, 0) : shm_region_open(&r, f->name, 0);
    f->err = errno;
    f->fds_after = fds_open();
    f->untouched = r.addr == (void *)&r && r.size == 12345;
    return 0;
}

static void failing_midway_leaves_nothing(void)
{
    const struct {
        enum failure how;
        size_t size;
        int want;
        const char *step;
    } cases[] = {
        {FSIZE, 4 * PAGE, EFBIG, "create, when ftruncate fails (over RLIMIT_FSIZE)"},
        {FSIZE, INT64_MAX, EFBIG,
         "create of INT64_MAX bytes, when ftruncate fails (over RLIMIT_FSIZE)"},
        {NO_MAPPINGS, PAGE, ENOMEM, "create, when mmap fails (RLIMIT_AS leaves no address space)"},
        {NO_FSTAT, 0, EIO, "open, when fstat fails with EIO"},
    };
    struct failing_call *f =
        mmap(NULL, sizeof *f, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    GRADE_REQUIRE(f != MAP_FAILED, "test set-up: mmap: %s", strerror(errno));
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memset(f, 0, sizeof *f);
        shmtest_name(f->name, sizeof f->name);
        f->how = cases[i].how;
        f->size = cases[i].size;
        if (f->size == 0)
            GRADE_REQUIRE(make_object(f->name, PAGE) == 0, "test set-up: cannot create %s: %s",
                          f->name, strerror(errno));
        int want = cases[i].want;
        const char *step = cases[i].step;
        int st = in_child(call_with_a_failure, f);
        /* Where the kernel refuses the limit or the filter, there is nothing to check. */
        GRADE_CHECK(st == 0 || st == 1, "%s: the process that tried it crashed", step);
        if (st == 0) {
            GRADE_CHECK(f->rc == -want, "%s: expected -%s, got %d (%s)", step,
                        strerrorname_np(want), f->rc, f->rc < 0 ? strerror(-f->rc) : "no error");
            GRADE_CHECK(f->err == want, "%s: errno should be %s too, got %d (%s)", step,
                        strerrorname_np(want), f->err, strerror(f->err));
            GRADE_CHECK(f->size == 0 || !shmtest_exists(f->name),
                        "%s: it left %s in /dev/shm; a create that fails after shm_open must "
                        "shm_unlink the object it made",
                        step, f->name);
            GRADE_CHECK(
                f->fds_after == f->fds_before,
                "%s: it left %d descriptor(s) open; close the one shm_open gave on every path",
                step, f->fds_after - f->fds_before);
            GRADE_CHECK(f->untouched, "%s: r must be left untouched when the call fails", step);
        }
        shmtest_cleanup(f->name);
    }
    munmap(f, sizeof *f);
}

GRADE_TESTS(
    GRADE_TEST_TIMEOUT("02.1", "create: a new, zeroed, 0600 object of the exact size, shared between processes",
                       create_makes_a_private_zeroed_object, 2, 10),
    GRADE_TEST_TIMEOUT("02.1", "open: maps the whole existing object, size from fstat",
                       open_maps_the_whole_object, 2, 10),
    GRADE_TEST_TIMEOUT("02.1", "errors are values: EEXIST, ENOENT, too small, bad names; errno kept",
                       errors_are_values, 2, 10),
    GRADE_TEST_TIMEOUT("02.1", "close unmaps, unlink removes the name, no descriptor leaks",
                       close_and_unlink_leave_nothing, 1, 10),
    GRADE_TEST_TIMEOUT("02.1", "names of 1 and 254 characters work, 255 is -EINVAL",
                       names_at_the_limits, 1, 10),
    GRADE_TEST_TIMEOUT("02.1", "create or open failing after shm_open: no object, no fd left",
                       failing_midway_leaves_nothing, 1, 10),
)
