/* One parser, one help layout and one error wording for every program. */
#include "cli.h"

#include "parse.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The course's version, as --version prints it. */
#define IPC_LABS_VERSION "1.0"

/* Keys of the options every program has: above any letter a program uses. */
enum { KEY_HELP = 0x100, KEY_VERSION, MAX_OPTIONS = 32 };

/* The long name of the option cli_next() returned last, for cli_long()'s message. */
static const char *current;

void cli_error(const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fflush(stdout);
    /* One write, so that two programs sharing stderr never mix their lines. */
    char line[1024];
    int n = snprintf(line, sizeof line, "%s: %s; see '%s --help'\n", prog_name(), msg, prog_name());
    if (n > 0)
        fwrite(line, 1, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1, stderr);
    exit(EXIT_USAGE);
}

long cli_long(const char *text, long min, long max)
{
    long value;
    int rc = parse_long(text, min, max, &value);
    if (rc == -EINVAL)
        cli_error("--%s: '%s' is not a whole number", current, text ? text : "");
    if (rc == -ERANGE)
        cli_error("--%s: '%s' is out of range (%ld..%ld)", current, text, min, max);
    return value;
}

static void print_synopsis(const struct cli *cli)
{
    printf("Usage: %s", prog_name());
    if (cli->synopsis != NULL) {
        printf(" %s\n", cli->synopsis);
        return;
    }
    for (const struct cli_option *o = cli->options; o != NULL && o->name != NULL; o++)
        printf(" [--%s%s%s]", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
    printf("%s%s\n", cli->args ? " " : "", cli->args ? cli->args : "");
}

static void print_help(const struct cli *cli)
{
    print_synopsis(cli);
    if (cli->about != NULL)
        printf("%s\n", cli->about);
    int width = 9; /* "--version" */
    for (const struct cli_option *o = cli->options; o != NULL && o->name != NULL; o++) {
        int w = 2 + (int)strlen(o->name) + (o->arg ? 1 + (int)strlen(o->arg) : 0);
        width = w > width ? w : width;
    }
    printf("\nOptions:\n");
    for (const struct cli_option *o = cli->options; o != NULL && o->name != NULL; o++) {
        int w = printf("  --%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        printf("%*s%s\n", width + 4 - w, "", o->help);
    }
    printf("  %-*s  %s\n", width, "--help", "print this help and exit");
    printf("  %-*s  %s\n", width, "--version", "print the version and exit");
    printf("\nExit status:\n  0  ok\n  1  %s\n  2  a bad command line\n",
           cli->exit_1 ? cli->exit_1 : "a runtime failure");
}

/* getopt_long() takes "--fil" for "--file"; the course spells options out,
 * so that a typo fails here instead of meaning something else. */
static int spelt_out(const char *arg, const char *name)
{
    size_t len = strlen(name);
    return strncmp(arg, "--", 2) == 0 && strncmp(arg + 2, name, len) == 0 &&
           (arg[2 + len] == '\0' || arg[2 + len] == '=');
}

int cli_next(const struct cli *cli, int argc, char **argv)
{
    /* Made once, from the first call's table: a program has one command line. */
    static struct option longopts[MAX_OPTIONS + 3];
    if (longopts[0].name == NULL) {
        int n = 0;
        for (const struct cli_option *o = cli->options; o != NULL && o->name != NULL; o++) {
            if (n == MAX_OPTIONS)
                die_msg("too many options (at most %d)", MAX_OPTIONS);
            longopts[n++] =
                (struct option){o->name, o->arg ? required_argument : no_argument, NULL, o->key};
        }
        longopts[n++] = (struct option){"help", no_argument, NULL, KEY_HELP};
        longopts[n++] = (struct option){"version", no_argument, NULL, KEY_VERSION};
    }

    opterr = 0; /* the messages are ours, in the course's wording */
    int index = -1;
    int c = getopt_long(argc, argv, ":", longopts, &index);
    /* The element that held the option: the one before its separate value, if any. */
    const char *arg = argv[optind - 1];
    if (c != -1 && optarg != NULL && optarg == arg && optind >= 2)
        arg = argv[optind - 2];
    if (c == -1) {
        if (argc - optind > cli->max_args)
            cli_error("unexpected argument '%s'", argv[optind + cli->max_args]);
        return -1;
    }
    if (c == ':')
        cli_error("%s needs a value", arg);
    if (c == '?' && optopt != 0 && strncmp(arg, "--", 2) == 0 && strchr(arg, '=') != NULL)
        cli_error("%.*s takes no value", (int)strcspn(arg, "="), arg);
    /* An unknown short option may be one letter of a group such as -xv. */
    if (c == '?' && optopt != 0 && optopt < KEY_HELP)
        cli_error("unknown option '-%c'", optopt);
    if (c == '?')
        cli_error("unknown option '%s'", arg);
    if (!spelt_out(arg, longopts[index].name))
        cli_error("unknown option '%.*s' (did you mean --%s?)", (int)strcspn(arg, "="), arg,
                  longopts[index].name);
    current = longopts[index].name;
    if (c == KEY_HELP) {
        print_help(cli);
        exit(fflush(stdout) == 0 ? 0 : EXIT_RUNTIME);
    }
    if (c == KEY_VERSION) {
        printf("%s (ipc-labs) %s\n", prog_name(), IPC_LABS_VERSION);
        exit(fflush(stdout) == 0 ? 0 : EXIT_RUNTIME);
    }
    return c;
}
