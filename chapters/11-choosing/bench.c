/* bench: measures every mechanism of the course on the same workload.
 *
 *   bench [--mech LIST] [--sizes LIST] [--reps N] [--count N] [--target-ms N]
 *         [--timeout S] [--out FILE] [--spread FILE] [--machine FILE]
 *         [--keep-going] [--quiet] [--table] [--list]
 *
 * For each mechanism and message size it runs one session: this process
 * creates what the two sides share, forks a client and a server pinned to
 * two different CPUs, and only watches. Watching from a third process means
 * a mechanism that crashes, hangs or fails is stopped and cleaned up (its
 * queue names, FIFOs, socket files removed), and the run goes on.
 *
 * Output: CSV "mechanism,size,metric,value" (value: the median over the
 * repetitions) on --out or stdout; with --spread, the same rows with
 * min, max and the number of repetitions; with --table, a table for people
 * instead of the CSV on standard output. QUICK=1 in the environment asks
 * for a short run (fewer sizes, shorter repetitions).
 *
 * Exit status: 0 if every session worked, 1 if one failed (with
 * --keep-going, 0 as long as one worked), 2 for a bad command line. */
#include "machine.h"
#include "mech.h"
#include "session.h"

#include "cli.h"
#include "die.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const struct cli cli = {
    .about = "Measures every mechanism of the course on the same workload (QUICK=1: a short run).",
    .options =
        (const struct cli_option[]){
            {'m', "mech", "all|NAME,...",
             "the mechanisms to measure (default all; --list names them)"},
            {'s', "sizes", "N,...",
             "message sizes in bytes, at least 8 (default 8,64,1024,4096,65536)"},
            {'r', "reps", "N", "repetitions of each session (default 9; QUICK=1: 5)"},
            {'c', "count", "N", "messages per repetition (default: as many as --target-ms allows)"},
            {'t', "target-ms", "N", "the length of one repetition (default 100; QUICK=1: 15)"},
            {'T', "timeout", "S", "stop a session that takes longer than S seconds (default 120)"},
            {'o', "out", "FILE", "write the CSV there instead of standard output"},
            {'S', "spread", "FILE", "also write each row's min, max and repetitions there"},
            {'M', "machine", "FILE", "describe the machine there"},
            {'k', "keep-going", NULL, "go on after a session fails"},
            {'q', "quiet", NULL, "no progress on stderr"},
            {'a', "table", NULL, "print a table for people instead of the CSV"},
            {'l', "list", NULL, "list the mechanisms and exit"},
            {0}},
    .synopsis = "[OPTION]...",
    .exit_1 = "a session failed (with --keep-going: every session failed)",
};

static const struct mech *const all_mechs[] = {
    &mech_pipe,     &mech_fifo,       &mech_unix,    &mech_tcp,
    &mech_posix_mq, &mech_zeromq_ipc, &mech_ck_ring, &mech_cacheline_pingpong,
#ifdef HAVE_ICEORYX /* chapter.mk defines it when iceoryx's C binding is installed */
    &mech_iceoryx,
#endif
};
#define N_MECHS (sizeof all_mechs / sizeof all_mechs[0])

static const size_t default_sizes[] = {8, 64, 1024, 4096, 65536};
static const size_t quick_sizes[] = {64, 4096};
#define MAX_SIZES 16

struct options {
    const struct mech *mechs[N_MECHS];
    size_t n_mechs;
    size_t sizes[MAX_SIZES];
    size_t n_sizes;
    struct session_plan plan;
    long timeout_s;
    const char *out, *spread, *machine;
    int keep_going;
    int table;
};

static const struct mech *find_mech(const char *name)
{
    for (size_t i = 0; i < N_MECHS; i++)
        if (strcmp(all_mechs[i]->name, name) == 0)
            return all_mechs[i];
    return NULL;
}

static void parse_mechs(char *list, struct options *o)
{
    if (strcmp(list, "all") == 0) { /* all that can run here */
        o->n_mechs = 0;
        for (size_t i = 0; i < N_MECHS; i++) {
            const char *why = all_mechs[i]->unavailable ? all_mechs[i]->unavailable() : NULL;
            if (why == NULL)
                o->mechs[o->n_mechs++] = all_mechs[i];
            else if (o->plan.progress)
                fprintf(stderr, "%s: leaving out %s: %s\n", prog_name(), all_mechs[i]->name, why);
        }
        return;
    }
    o->n_mechs = 0;
    for (char *save, *name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
        const struct mech *m = find_mech(name);
        if (m == NULL)
            cli_error("--mech: unknown mechanism '%s' (--list shows them)", name);
        if (o->n_mechs == N_MECHS)
            cli_error("--mech: too many names");
        o->mechs[o->n_mechs++] = m;
    }
    if (o->n_mechs == 0)
        cli_error("--mech: no mechanism named");
}

static void parse_sizes(char *list, struct options *o)
{
    o->n_sizes = 0;
    for (char *save, *s = strtok_r(list, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
        if (o->n_sizes == MAX_SIZES)
            cli_error("--sizes: at most %d sizes", MAX_SIZES);
        /* At least 8 bytes: every message carries its 8-byte sequence number. */
        o->sizes[o->n_sizes++] = (size_t)cli_long(s, 8, 1 << 20);
    }
    if (o->n_sizes == 0)
        cli_error("--sizes: no size given");
}

static void parse_options(int argc, char **argv, struct options *o)
{
    const char *quick = getenv("QUICK");
    int is_quick = quick != NULL && *quick != '\0' && strcmp(quick, "0") != 0;
    const size_t *sizes = is_quick ? quick_sizes : default_sizes;
    o->n_sizes = is_quick ? 2 : 5;
    memcpy(o->sizes, sizes, o->n_sizes * sizeof *sizes);
    o->plan = (struct session_plan){
        .reps = is_quick ? 5 : 9, .target_ms = is_quick ? 15 : 100, .progress = 1};
    o->timeout_s = 120;

    int c;
    while ((c = cli_next(&cli, argc, argv)) != -1) {
        switch (c) {
        case 'm': parse_mechs(optarg, o); break;
        case 's': parse_sizes(optarg, o); break;
        case 'r': o->plan.reps = (int)cli_long(optarg, 1, 1000); break;
        case 'c': o->plan.count = cli_long(optarg, 1, 100000000); break;
        case 't': o->plan.target_ms = (double)cli_long(optarg, 1, 60000); break;
        case 'T': o->timeout_s = cli_long(optarg, 1, 86400); break;
        case 'o': o->out = optarg; break;
        case 'S': o->spread = optarg; break;
        case 'M': o->machine = optarg; break;
        case 'k': o->keep_going = 1; break;
        case 'q': o->plan.progress = 0; break;
        case 'a': o->table = 1; break;
        case 'l':
            for (size_t i = 0; i < N_MECHS; i++)
                printf("%s\n", all_mechs[i]->name);
            exit(0);
        }
    }
    if (o->n_mechs == 0) /* after the options: --quiet decides whether to explain */
        parse_mechs((char[]){"all"}, o);
}

/* ---------------------------------------------------------------- pinning */

/* The first two CPUs we may run on, or -1 if there are fewer than two. */
static void pick_cpus(int *a, int *b)
{
    cpu_set_t set;
    *a = *b = -1;
    if (sched_getaffinity(0, sizeof set, &set) == -1)
        return;
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        if (!CPU_ISSET(cpu, &set))
            continue;
        if (*a == -1) {
            *a = cpu;
        } else {
            *b = cpu;
            return;
        }
    }
    *a = -1;
}

/* Two processes on one core would measure the scheduler, not the mechanism;
 * two on different cores measure what crosses between cores. */
static void pin(int cpu)
{
    if (cpu < 0)
        return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) == -1)
        die("sched_setaffinity to CPU %d", cpu);
}

/* ---------------------------------------------------------------- one session */

/* The start of a session process: die with the watcher, undo what it set up. */
static void become_session_process(pid_t watcher, const sigset_t *old_mask)
{
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1)
        die("prctl");
    if (getppid() != watcher) /* it died before prctl took effect */
        _exit(1);
    sigprocmask(SIG_SETMASK, old_mask, NULL);
}

/* Waits for both session processes; kills both if one fails, on timeout or
 * on Ctrl-C. Returns 0 if both exited 0, -1 if one failed (after saying why),
 * minus the signal's number if SIGINT or SIGTERM asked us to stop. */
static int watch(const struct mech *m, size_t size, pid_t client, pid_t server, long timeout_s,
                 const sigset_t *waited)
{
    int left = 2, ok = 1;
    struct timespec limit = {timeout_s, 0};
    while (left > 0) {
        int status;
        pid_t pid;
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
            left--;
            if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
                if (ok)
                    fprintf(stderr, "%s: %s, %zu B: the %s %s %d\n", prog_name(), m->name, size,
                            pid == client ? "sender" : "receiver",
                            WIFEXITED(status) ? "failed with status" : "was killed by signal",
                            WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
                ok = 0;
                kill(client, SIGKILL); /* the other one may wait forever for it */
                kill(server, SIGKILL);
            }
        }
        if (left == 0)
            break;
        /* Sleep until a child ends, a signal asks us to stop, or time is up. */
        int sig = sigtimedwait(waited, NULL, &limit);
        if (sig == SIGCHLD || (sig == -1 && errno == EINTR))
            continue;
        if (sig == -1)
            fprintf(stderr, "%s: %s, %zu B: no result after %ld s, stopping it\n", prog_name(),
                    m->name, size, timeout_s);
        else
            fprintf(stderr, "%s: interrupted, cleaning up\n", prog_name());
        kill(client, SIGKILL);
        kill(server, SIGKILL);
        while (waitpid(-1, NULL, 0) > 0)
            ;
        if (sig != -1) {
            signal(sig, SIG_DFL);
            return -sig;
        }
        return -1;
    }
    return ok ? 0 : -1;
}

/* One mechanism at one size. Appends its result lines to rows; returns what
 * watch() returns. */
static int run_session(const struct mech *m, const struct session_plan *plan, long timeout_s,
                       int cpu_a, int cpu_b, FILE *rows)
{
    sigset_t waited, old;
    sigemptyset(&waited);
    sigaddset(&waited, SIGCHLD);
    sigaddset(&waited, SIGINT);
    sigaddset(&waited, SIGTERM);
    sigprocmask(SIG_BLOCK, &waited, &old);

    int ctl[2], res[2];
    if (pipe(ctl) == -1 || pipe(res) == -1)
        die("pipe");
    void *st = m->create(plan->size);
    pid_t me = getpid();
    fflush(NULL); /* buffered output must not be written twice, by the children too */

    pid_t server = fork();
    if (server == -1)
        die("fork");
    if (server == 0) {
        become_session_process(me, &old);
        close(ctl[1]);
        close(res[0]);
        close(res[1]);
        pin(cpu_b);
        m->attach(st, MECH_SERVER);
        session_server(m, st, plan->size, ctl[0]);
        m->detach(st);
        /* exit(), not _exit(): libraries deregister at exit (iceoryx tells
         * RouDi it is gone); stdio was flushed before fork(), so nothing is
         * written twice. */
        exit(0);
    }
    pid_t client = fork();
    if (client == -1) {
        kill(server, SIGKILL);
        die("fork");
    }
    if (client == 0) {
        become_session_process(me, &old);
        close(ctl[0]);
        close(res[0]);
        FILE *out = fdopen(res[1], "w");
        if (out == NULL)
            die("fdopen");
        pin(cpu_a);
        m->attach(st, MECH_CLIENT);
        session_client(m, st, plan, ctl[1], out);
        m->detach(st);
        if (fclose(out) == EOF)
            die("writing results");
        exit(0);
    }
    close(ctl[0]);
    close(ctl[1]);
    close(res[1]);

    int rc = watch(m, plan->size, client, server, timeout_s, &waited);
    m->destroy(st);
    /* The client's few lines fit in the pipe's buffer, so it never blocked on
     * them; read them now that it is gone. */
    char buf[4096];
    ssize_t n;
    while ((n = read(res[0], buf, sizeof buf)) > 0)
        if (rc == 0)
            fwrite(buf, 1, (size_t)n, rows);
    close(res[0]);
    sigprocmask(SIG_SETMASK, &old, NULL);
    return rc;
}

/* ---------------------------------------------------------------- output */

static FILE *open_out(const char *path)
{
    if (path == NULL)
        return stdout;
    FILE *f = fopen(path, "w");
    if (f == NULL)
        die("cannot create %s", path);
    return f;
}

static void close_out(FILE *f, const char *path)
{
    if (fflush(f) == EOF || ferror(f) || (f != stdout && fclose(f) == EOF))
        die("writing %s", path != NULL ? path : "standard output");
}

/* One session's rows as one line of the --table output. */
static void write_table_line(FILE *rows, FILE *out)
{
    char mech[64] = "", metric[32];
    double v, rate = -1, p50 = -1, p99 = -1;
    size_t size = 0;
    rewind(rows);
    while (fscanf(rows, "%63[^,],%zu,%31[^,],%lf,%*[^\n]\n", mech, &size, metric, &v) == 4) {
        if (strcmp(metric, "msgs_per_s") == 0)
            rate = v;
        else if (strcmp(metric, "rtt_p50_ns") == 0)
            p50 = v;
        else if (strcmp(metric, "rtt_p99_ns") == 0)
            p99 = v;
    }
    char r[32] = "-";
    if (rate >= 0)
        snprintf(r, sizeof r, "%.2f M", rate / 1e6);
    fprintf(out, "%-20s %7zu %14s %12.2f %12.2f\n", mech, size, r, p50 / 1e3, p99 / 1e3);
}

/* A row from a session: "mech,size,metric,median,min,max,reps". The CSV gets
 * the first four fields, the spread file all of them. */
static void write_rows(FILE *rows, FILE *out, FILE *spread)
{
    char line[256];
    rewind(rows);
    while (fgets(line, sizeof line, rows) != NULL) {
        if (spread != NULL)
            fputs(line, spread);
        char *p = line;
        for (int commas = 0; *p != '\0'; p++)
            if (*p == ',' && ++commas == 4)
                break;
        *p = '\0';
        fprintf(out, "%s\n", line);
    }
}

int main(int argc, char **argv)
{
    struct options o = {0};
    parse_options(argc, argv, &o);
    signal(SIGPIPE, SIG_IGN); /* a dead peer is an EPIPE error, reported, not a silent death */

    int cpu_a, cpu_b;
    pick_cpus(&cpu_a, &cpu_b);
    if (o.machine != NULL) {
        FILE *f = open_out(o.machine);
        machine_describe(f, cpu_a, cpu_b);
        close_out(f, o.machine);
    }
    FILE *out = open_out(o.out);
    FILE *spread = o.spread != NULL ? open_out(o.spread) : NULL;
    if (o.table)
        fprintf(out, "%-20s %7s %14s %12s %12s\n", "mechanism", "bytes", "msgs/s", "p50 rtt us",
                "p99 rtt us");
    else
        fprintf(out, "mechanism,size,metric,value\n");
    if (spread != NULL)
        fprintf(spread, "mechanism,size,metric,median,min,max,reps\n");

    int worked = 0, failed = 0;
    for (size_t i = 0; i < o.n_mechs; i++) {
        const struct mech *m = o.mechs[i];
        for (size_t j = 0; j < o.n_sizes; j++) {
            /* A mechanism that carries only a word (the ping-pong) is measured
             * once, at its own size; the others at every size they allow. */
            int tiny = m->max_size != 0 && m->max_size < 64;
            if (tiny ? j > 0 : m->max_size != 0 && o.sizes[j] > m->max_size)
                continue;
            struct session_plan plan = o.plan;
            plan.size = tiny ? m->max_size : o.sizes[j];
            FILE *rows = tmpfile();
            if (rows == NULL)
                die("tmpfile");
            int rc = run_session(m, &plan, o.timeout_s, cpu_a, cpu_b, rows);
            if (rc < -1)
                raise(-rc); /* cleaned up: now end the way an interrupted program does */
            if (rc == 0 && o.table) {
                write_table_line(rows, out);
                worked++;
            } else if (rc == 0) {
                write_rows(rows, out, spread);
                worked++;
            } else {
                failed++;
            }
            fclose(rows);
            fflush(out);
        }
    }
    close_out(out, o.out);
    if (spread != NULL)
        close_out(spread, o.spread);
    if (failed > 0)
        fprintf(stderr, "%s: %d session(s) failed, %d worked\n", prog_name(), failed, worked);
    return failed == 0 || (o.keep_going && worked > 0) ? 0 : EXIT_RUNTIME;
}
