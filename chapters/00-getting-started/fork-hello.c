/*
 * fork-hello: the smallest program with two processes.
 *
 *   fork-hello [--exit N]
 *
 * The parent forks a child; the child says who it is and exits with N
 * (default 0); the parent waits for it and says how it ended. Run it under
 * strace -f to see the fork (clone), the exit and the wait as system calls.
 */
#include "cli.h"
#include "die.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static const struct cli cli = {
    .about = "Forks a child that says who it is and exits with N; the parent waits for it.",
    .options =
        (const struct cli_option[]){{'e', "exit", "N", "the child's exit status (default 0)"}, {0}},
};

int main(int argc, char **argv)
{
    long code = 0;
    for (int c; (c = cli_next(&cli, argc, argv)) != -1;)
        if (c == 'e')
            code = cli_long(optarg, 0, 255);

    /* Flush before fork: otherwise both processes would print what is still
     * in the stdio buffer. */
    fflush(stdout);
    pid_t child = fork();
    if (child == -1)
        die("fork");
    if (child == 0) {
        printf("child:  I am %ld, my parent is %ld\n", (long)getpid(), (long)getppid());
        fflush(stdout);
        _exit((int)code); /* _exit: the parent's stdio buffers are not ours to flush */
    }

    printf("parent: I am %ld, I started %ld\n", (long)getpid(), (long)child);
    int status;
    if (waitpid(child, &status, 0) == -1)
        die("waitpid %ld", (long)child);
    if (WIFEXITED(status))
        printf("parent: child %ld exited with status %d\n", (long)child, WEXITSTATUS(status));
    else
        printf("parent: child %ld was killed by signal %d\n", (long)child, WTERMSIG(status));
    return 0;
}
