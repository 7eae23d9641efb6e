#include "testutil.h"

#include "clock.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

const char *tu_program(const char *rel)
{
    static char path[4096];
    const char *dir = getenv("IPC_BIN_DIR");
    snprintf(path, sizeof path, "%s/%s", dir != NULL ? dir : "build/bin", rel);
    return path;
}

int tu_exited_with(int status, int code)
{
    return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == code;
}

/* Appends what fd has to buf (keeping it NUL-terminated); returns 0 at end of file. */
static int collect(int fd, char *buf, size_t size, size_t *len)
{
    char chunk[4096];
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n < 0)
        return errno == EINTR || errno == EAGAIN;
    if (n == 0)
        return 0;
    size_t take = (size_t)n < size - 1 - *len ? (size_t)n : size - 1 - *len;
    memcpy(buf + *len, chunk, take);
    *len += take;
    buf[*len] = '\0';
    return 1;
}

int tu_run(char *const argv[], int timeout_ms, struct tu_run_result *r)
{
    memset(r, 0, sizeof *r);
    r->status = -1;
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) != 0)
        return -1;
    if (pipe2(err, O_CLOEXEC) != 0) {
        close(out[0]), close(out[1]);
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        dup2(out[1], 1);
        dup2(err[1], 2);
        execv(argv[0], argv);
        dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(out[1]);
    close(err[1]);
    if (pid < 0) {
        close(out[0]), close(err[0]);
        return -1;
    }

    struct pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    size_t out_len = 0, err_len = 0;
    uint64_t deadline = clock_now_ns() + (uint64_t)timeout_ms * 1000000u;
    while (fds[0].fd >= 0 || fds[1].fd >= 0) {
        uint64_t now = clock_now_ns();
        if (now >= deadline) {
            kill(pid, SIGKILL);
            r->timed_out = 1;
            break;
        }
        int wait_ms = (int)((deadline - now) / 1000000u) + 1;
        if (poll(fds, 2, wait_ms) < 0 && errno != EINTR)
            break;
        if (fds[0].fd >= 0 && fds[0].revents && !collect(out[0], r->out, sizeof r->out, &out_len))
            fds[0].fd = -1;
        if (fds[1].fd >= 0 && fds[1].revents && !collect(err[0], r->err, sizeof r->err, &err_len))
            fds[1].fd = -1;
    }
    close(out[0]);
    close(err[0]);
    /* Output closed is not exit: wait, but not past the deadline. */
    while (waitpid(pid, &r->status, WNOHANG) == 0) {
        if (clock_now_ns() >= deadline) {
            kill(pid, SIGKILL);
            r->timed_out = 1;
            waitpid(pid, &r->status, 0);
            break;
        }
        usleep(1000);
    }
    return 0;
}
