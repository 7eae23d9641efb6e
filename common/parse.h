/**
 * @file parse.h
 * @brief Strict parsing of numbers given on the command line.
 *
 * atoi("12x") is 12 and atoi("x") is 0: a typo silently becomes a value.
 * These functions accept a number only when the whole text is one, in range.
 */
#ifndef IPC_PARSE_H
#define IPC_PARSE_H

/**
 * @brief Parse a whole decimal integer in [min, max].
 *
 * Accepts an optional sign followed by digits and nothing else: no leading or
 * trailing spaces, no "12x", no empty string.
 * @param text the text to parse; NULL is rejected.
 * @param min smallest accepted value.
 * @param max largest accepted value.
 * @param[out] out receives the value on success; untouched on failure.
 * @return 0 on success; -EINVAL if text is not a whole number; -ERANGE if it is
 *         one but outside [min, max] (or outside long's range).
 */
int parse_long(const char *text, long min, long max, long *out);

/**
 * @brief parse_long() for a command-line value, exiting with a usage error when bad.
 *
 * On failure prints, for example, "server: --port: '99999' is out of range
 * (1..65535)" and the usage line, then exits with #EXIT_USAGE (2).
 * @param text the option's value.
 * @param min smallest accepted value.
 * @param max largest accepted value.
 * @param what the option's name for the message, e.g. "--port".
 * @param usage the program's synopsis, passed to die_usage().
 * @return the value.
 */
long parse_long_arg(const char *text, long min, long max, const char *what, const char *usage);

#endif
