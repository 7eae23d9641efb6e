/**
 * @file cli.h
 * @brief The command line of every program of the course: getopt_long(), --help,
 *        --version and one wording for a bad command line.
 *
 * A program lists its options in a small table and reads them in a loop;
 * --help, --version, unknown options and missing values are handled here:
 * @code
 * static const struct cli cli = {
 *     .about = "Connects to HOST port PORT and prints what the server sends.",
 *     .options = (const struct cli_option[]){
 *         {'h', "host", "HOST", "the server's name or address (default localhost)"},
 *         {'p', "port", "PORT", "its port (default 9999)"},
 *         {0}},
 * };
 * ...
 * for (int c; (c = cli_next(&cli, argc, argv)) != -1;)
 *     if (c == 'h')
 *         host = optarg;
 *     else if (c == 'p')
 *         port = cli_long(optarg, 1, 65535);
 * @endcode
 *
 * Every usage error is one line on stderr, "prog: what is wrong; see 'prog --help'",
 * and exit status #EXIT_USAGE (2). --help prints the usage, the options and
 * the exit statuses (0 ok, 1 runtime failure, 2 usage) on stdout and exits 0.
 * Options are long only and spelt out in full: an abbreviation such as
 * --fil for --file is refused, so a typo is never read as another option.
 */
#ifndef IPC_CLI_H
#define IPC_CLI_H

#include "die.h"

#include <getopt.h>

/** One option of a program. */
struct cli_option {
    int key;          /**< what cli_next() returns for it: a letter, for a switch statement */
    const char *name; /**< the long name without "--", e.g. "port" */
    const char *arg;  /**< the value's name in the help, e.g. "N"; NULL for an option without one */
    const char *help; /**< one line: what it does, and its default */
};

/** A program's command line, for cli_next() and its --help. */
struct cli {
    const char *about;                /**< what the program does: the help's text after the usage */
    const struct cli_option *options; /**< the options, ending with {0}; NULL for none */
    const char *args; /**< the arguments after the options in the usage, e.g. "[MESSAGE]" */
    int max_args;     /**< how many arguments (not options) it accepts; 0: none */
    const char
        *synopsis;      /**< the usage after the program's name; NULL: made from options and args */
    const char *exit_1; /**< what exit status 1 means here; NULL: "a runtime failure" */
};

/**
 * @brief The next option on the command line, as getopt_long() finds it.
 *
 * Handles --help and --version itself (printing to stdout, exit 0), and a
 * bad command line (an unknown option, a missing value, more than
 * cli::max_args arguments) with cli_error().
 * @param cli the program's command line.
 * @param argc main()'s argc.
 * @param argv main()'s argv; its arguments are moved after the options, from argv[optind].
 * @return the option's cli_option::key (its value, if any, in optarg), or -1
 *         once every option is read.
 */
int cli_next(const struct cli *cli, int argc, char **argv);

/**
 * @brief A whole decimal number in [min, max] for the option cli_next() just returned.
 *
 * On failure it says, for example, "server: --port: '99999' is out of range (1..65535)"
 * and exits with #EXIT_USAGE.
 * @param text the value (optarg, or a part of it).
 * @param min smallest accepted value.
 * @param max largest accepted value.
 * @return the value.
 */
long cli_long(const char *text, long min, long max);

/**
 * @brief Print "prog: message; see 'prog --help'" to stderr and exit with #EXIT_USAGE.
 * @param fmt printf-style format saying what is wrong with the command line.
 */
_Noreturn void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
