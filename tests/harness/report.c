/*
 * The grader's outputs: the report a learner reads, Gradescope's results.json,
 * JUnit XML for CI dashboards, and, for make test's reference run, a summary
 * in CUnit's "Run Summary" layout so that any log reader that knows CUnit
 * counts the tests.
 */
#include "grader.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *verdict_word(enum verdict v)
{
    switch (v) {
    case V_PASS: return "PASS";
    case V_FAIL: return "FAIL";
    case V_CRASH: return "CRASH";
    case V_TIMEOUT: return "TIMEOUT";
    case V_NOT_RUN: return "NOT RUN";
    }
    return "?";
}

/* "03-sockets/test_framing" -> length of "03-sockets" */
static size_t chapter_len(const char *program)
{
    const char *slash = strchr(program, '/');
    return slash ? (size_t)(slash - program) : strlen(program);
}

static void totals(const struct result *rs, size_t n, long *earned, long *possible)
{
    *earned = *possible = 0;
    for (size_t i = 0; i < n; i++) {
        *earned += rs[i].earned;
        *possible += rs[i].points;
    }
}

/* Where an exercise comes in the course: "00.1" < "01.2" < "09.1" < "10.1", by
 * number (not as text, so that 10 follows 09 and 2 follows 1); ids that are
 * not numbers ("unit", the checks of the course's own code) after them all. */
static int course_cmp(const char *a, const char *b)
{
    int na = isdigit((unsigned char)a[0]) != 0, nb = isdigit((unsigned char)b[0]) != 0;
    if (na != nb)
        return na ? -1 : 1;
    if (na) {
        char *end;
        long ma = strtol(a, &end, 10), mina = *end == '.' ? strtol(end + 1, NULL, 10) : -1;
        long mb = strtol(b, &end, 10), minb = *end == '.' ? strtol(end + 1, NULL, 10) : -1;
        if (ma != mb)
            return ma < mb ? -1 : 1;
        if (mina != minb)
            return mina < minb ? -1 : 1;
    }
    return strcmp(a, b);
}

struct sort_key {
    const struct result *r;
    size_t at; /* where it was: equal exercises keep their programs' order */
};

static int key_cmp(const void *pa, const void *pb)
{
    const struct sort_key *a = pa, *b = pb;
    int c = course_cmp(a->r->exercise, b->r->exercise);
    if (c != 0)
        return c;
    return a->at < b->at ? -1 : a->at > b->at;
}

int results_sort(struct result *rs, size_t n)
{
    struct sort_key *keys = calloc(n ? n : 1, sizeof *keys);
    struct result *sorted = calloc(n ? n : 1, sizeof *sorted);
    if (keys == NULL || sorted == NULL) {
        free(keys);
        free(sorted);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        keys[i] = (struct sort_key){&rs[i], i};
    qsort(keys, n, sizeof *keys, key_cmp);
    for (size_t i = 0; i < n; i++)
        sorted[i] = *keys[i].r;
    memcpy(rs, sorted, n * sizeof *rs);
    free(sorted);
    free(keys);
    return 0;
}

/* "extra/03-sockets/test_framing" and "03-sockets/test_framing" -> "03-sockets" */
static void chapter_of(const char *program, const char **start, int *len)
{
    if (strncmp(program, "extra/", 6) == 0)
        program += 6;
    *start = program;
    *len = (int)chapter_len(program);
}

static int same_chapter(const struct result *a, const struct result *b)
{
    const char *ca, *cb;
    int la, lb;
    chapter_of(a->program, &ca, &la);
    chapter_of(b->program, &cb, &lb);
    return la == lb && strncmp(ca, cb, (size_t)la) == 0;
}

/* One exercise's counts, for its row of the summary. */
struct tally {
    long earned, possible;
    size_t tests, by[V_NOT_RUN + 1];
};

/* Adds up the tests of rs[i]'s exercise (they are consecutive once sorted);
 * returns the index after its last one. */
static size_t tally_exercise(const struct result *rs, size_t n, size_t i, struct tally *t)
{
    memset(t, 0, sizeof *t);
    size_t end = i;
    for (; end < n && strcmp(rs[end].exercise, rs[i].exercise) == 0; end++) {
        t->earned += rs[end].earned;
        t->possible += rs[end].points;
        t->tests++;
        t->by[rs[end].verdict]++;
    }
    return end;
}

#define BAR_CELLS 10

/* A bar of BAR_CELLS cells, as full as the points earned (the tests passed,
 * for checks worth no points). Full only when all is earned, and never empty
 * when something is: a bar that rounds 9.5 of 10 to full would say done. */
static void print_bar(const struct tally *t, const struct report_style *st)
{
    long have = t->possible > 0 ? t->earned : (long)t->by[V_PASS];
    long of = t->possible > 0 ? t->possible : (long)t->tests;
    int cells = of > 0 ? (int)(have * BAR_CELLS / of) : 0;
    if (have > 0 && cells == 0)
        cells = 1;
    if (have < of && cells == BAR_CELLS)
        cells = BAR_CELLS - 1;
    const char *full = st->utf8 ? "\u2588" : "#", *empty = st->utf8 ? "\u2591" : ".";
    if (st->color && cells > 0)
        fputs(cells == BAR_CELLS ? "\033[32m" : "\033[33m", stdout);
    for (int i = 0; i < BAR_CELLS; i++) {
        if (i == cells && st->color && cells > 0)
            fputs("\033[0m", stdout);
        fputs(i < cells ? full : empty, stdout);
    }
    if (st->color && cells == BAR_CELLS)
        fputs("\033[0m", stdout);
}

static void print_counts(const struct tally *t, const struct report_style *st)
{
    static const enum verdict order[] = {V_PASS, V_FAIL, V_CRASH, V_TIMEOUT, V_NOT_RUN};
    const char *sep = "";
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        enum verdict v = order[k];
        if (t->by[v] == 0)
            continue;
        const char *on = !st->color ? "" : v == V_PASS ? "\033[32m" : "\033[31m";
        printf("%s%zu %s%s%s", sep, t->by[v], on, verdict_word(v), st->color ? "\033[0m" : "");
        sep = ", ";
    }
}

static void print_test(const struct result *r, const struct report_style *st)
{
    const char *green = st->color ? "\033[32m" : "", *red = st->color ? "\033[31m" : "",
               *off = st->color ? "\033[0m" : "";
    char pts[32];
    if (r->points > 0)
        snprintf(pts, sizeof pts, "%d/%d", r->earned, r->points);
    else
        snprintf(pts, sizeof pts, "-");
    printf("  %-6s %s%-7s%s %5s  %s\n", r->exercise, r->verdict == V_PASS ? green : red,
           verdict_word(r->verdict), off, pts, r->name);
    if (r->verdict == V_PASS)
        return;
    printf("         %s\n", r->message);
    if (r->output == NULL)
        return;
    printf("         last lines it printed:\n");
    for (const char *line = r->output; *line;) {
        const char *end = strchr(line, '\n');
        int len = end ? (int)(end - line) : (int)strlen(line);
        printf("         | %.*s\n", len, line);
        line += len + (end != NULL);
    }
}

void report_text(const struct result *rs, size_t n, const struct report_style *st)
{
    const char *bold = st->color ? "\033[1m" : "", *off = st->color ? "\033[0m" : "";
    long earned, possible;
    totals(rs, n, &earned, &possible);
    size_t by[V_NOT_RUN + 1] = {0};
    for (size_t i = 0; i < n; i++)
        by[rs[i].verdict]++;

    /* What a learner looks at first: the score and where the points are,
     * one row per exercise, short enough to read without scrolling. */
    printf("\n%sScore: %ld/%ld%s (%zu of %zu tests passed)\n", bold, earned, possible, off,
           by[V_PASS], n);
    printf("  %-8s %7s  %-*s  %-6s  %s\n", "exercise", "points", BAR_CELLS, "progress", "",
           "tests");
    const struct result *next = NULL; /* the first exercise not done: where to go on */
    for (size_t i = 0; i < n;) {
        struct tally t;
        size_t end = tally_exercise(rs, n, i, &t);
        char pts[48];
        if (t.possible > 0)
            snprintf(pts, sizeof pts, "%ld/%ld", t.earned, t.possible);
        else
            snprintf(pts, sizeof pts, "-");
        const char *state = t.possible == 0                ? ""
                            : t.earned == t.possible       ? "done"
                            : t.by[V_NOT_RUN] == end - i   ? "not run"
                            : t.earned > 0 || t.by[V_PASS] ? "partly"
                                                           : "to do";
        if (next == NULL && t.possible > 0 && t.earned < t.possible)
            next = &rs[i];
        printf("  %-8s %7s  ", rs[i].exercise, pts);
        print_bar(&t, st);
        printf("  %-7s ", state);
        print_counts(&t, st);
        fputc('\n', stdout);
        i = end;
    }
    if (next != NULL) {
        const char *ch;
        int len;
        chapter_of(next->program, &ch, &len);
        printf("Next: %s, in chapters/%.*s/README.md (make hint EX=%s, make debug EX=%s)\n",
               next->exercise, len, ch, next->exercise, next->exercise);
    } else if (possible > 0) {
        printf("Every exercise graded here is done.\n");
    }

    /* Then what to fix: only the tests that did not pass, unless asked for all. */
    int shown = 0;
    const struct result *last = NULL; /* the last test shown, for the chapter headings */
    for (size_t i = 0; i < n; i++) {
        const struct result *r = &rs[i];
        if (r->verdict == V_PASS && !st->verbose)
            continue;
        if (!shown++)
            printf("\n%s%s%s\n", bold,
                   st->verbose ? "Every test:"
                               : "What did not pass (make grade V=1 shows every test):",
                   off);
        if (last == NULL || !same_chapter(r, last)) {
            const char *ch;
            int len;
            chapter_of(r->program, &ch, &len);
            printf("\n%s%.*s%s\n", bold, len, ch, off);
        }
        last = r;
        print_test(r, st);
        /* With every test shown, each exercise's subtotal after its last one. */
        if (st->verbose && (i + 1 == n || strcmp(rs[i + 1].exercise, r->exercise) != 0)) {
            struct tally t;
            size_t first = i;
            while (first > 0 && strcmp(rs[first - 1].exercise, r->exercise) == 0)
                first--;
            tally_exercise(rs, n, first, &t);
            if (t.possible > 0)
                printf("  %-6s %s%ld/%ld%s points\n", r->exercise, bold, t.earned, t.possible, off);
        }
    }

    printf("\n%sScore: %ld/%ld%s\n", bold, earned, possible, off);
    if (st->isolation != NULL) /* what a grade is worth depends on what the tests could reach */
        printf("%s\n", st->isolation);
    if (st->time_line != NULL)
        printf("%s\n", st->time_line);
    printf("%zu passed, %zu failed, %zu crashed, %zu timed out, %zu not run (of %zu tests)\n",
           by[V_PASS], by[V_FAIL], by[V_CRASH], by[V_TIMEOUT], by[V_NOT_RUN], n);
}

/* Length of the valid UTF-8 character at s, or 0 if it is none: a stray or
 * cut continuation byte, an overlong form, a surrogate, or a code point that
 * XML 1.0 forbids. Learner code prints whatever bytes it likes, and the tail
 * of its output may start in the middle of a character. */
static int utf8_len(const unsigned char *s)
{
    unsigned c = s[0], cp;
    int n;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, cp = c & 0x07;
    else
        return 0;
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) /* also stops at the terminating NUL */
            return 0;
        cp = cp << 6 | (s[i] & 0x3fu);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff)
        return 0;
    return n;
}

/* Writes the character at s, or U+FFFD for a byte that starts none, so that
 * results.json and junit.xml are valid UTF-8 whatever a test printed;
 * returns how many bytes of s it used. */
static int put_utf8(FILE *f, const char *s)
{
    int n = utf8_len((const unsigned char *)s);
    if (n == 0) {
        fputs("\xef\xbf\xbd", f);
        return 1;
    }
    fwrite(s, 1, (size_t)n, f);
    return n;
}

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s != NULL && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c == '\t')
            fputs("\\t", f);
        else if (c < 32)
            fprintf(f, "\\u%04x", c);
        else
            s += put_utf8(f, s) - 1;
    }
    fputc('"', f);
}

/* Gradescope's tags for test r: its chapter, and how it failed, so that an
 * instructor can filter the class's results by either. */
static void json_tags(FILE *f, const struct result *r, int pending)
{
    const char *ch;
    int len;
    chapter_of(r->program, &ch, &len);
    char chapter[64];
    snprintf(chapter, sizeof chapter, "%.*s", len, ch);
    fputs(", \"tags\": [", f);
    json_string(f, chapter);
    if (pending || r->verdict != V_PASS) {
        fputs(", ", f);
        json_string(f, pending ? verdict_word(V_NOT_RUN) : verdict_word(r->verdict));
    }
    fputc(']', f);
}

static int json_write(FILE *f, const struct result *rs, size_t n, const struct json_options *jo)
{
    size_t done = jo->done < n ? jo->done : n;
    long earned = 0, possible = 0;
    double seconds = 0, reference = 0;
    for (size_t i = 0; i < n; i++) {
        earned += i < done ? rs[i].earned : 0;
        possible += rs[i].points;
        seconds += i < done ? rs[i].seconds : 0;
        reference += rs[i].reference_s;
    }
    fprintf(f, "{\n  \"score\": %ld,\n  \"execution_time\": %.0f,\n  \"output\": ", earned,
            seconds + 0.5);
    char summary[512];
    int at = 0;
    if (done < n) /* what a run stopped midway (Gradescope's own time limit) leaves */
        at = snprintf(summary, sizeof summary,
                      "Grading did not finish: %zu of %zu tests had run when it stopped; the "
                      "others score 0.\n",
                      done, n);
    snprintf(summary + at, sizeof summary - (size_t)at, "Score: %ld/%ld%s%s", earned, possible,
             jo->isolation != NULL ? "\n" : "", jo->isolation != NULL ? jo->isolation : "");
    json_string(f, summary);
    /* Plain text: the grader writes no colours here, and what a test printed
     * comes with its control characters, escapes included, made '?'
     * (sandbox.c). The run's own log (run_autograder's stdout) names hidden
     * tests: the instructor's only. */
    fputs(",\n  \"output_format\": \"text\",\n  \"stdout_visibility\": \"hidden\"", f);
    /* What the reference answers took on the same tests (tests/budget.tsv),
     * so that a batch can point out submissions far slower than that. */
    fprintf(f, ",\n  \"extra_data\": {\"reference_time\": %.1f}", reference);
    fputs(",\n  \"tests\": [", f);
    int nth = 0; /* the test's place in its exercise: 06.1.1, 06.1.2, ... */
    for (size_t i = 0; i < n; i++) {
        const struct result *r = &rs[i];
        int pending = i >= done;
        nth = i > 0 && strcmp(rs[i - 1].exercise, r->exercise) == 0 ? nth + 1 : 1;
        char name[400], number[48];
        snprintf(name, sizeof name, "%s %s", r->exercise, r->name);
        snprintf(number, sizeof number, "%s.%d", r->exercise, nth);
        fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
        json_string(f, name);
        fprintf(f, ", \"number\": ");
        json_string(f, number);
        /* An instructor's GRADE_EXTRA tests are hidden from students. */
        const char *visibility = strncmp(r->program, "extra/", 6) == 0 && jo->hidden_visibility
                                     ? jo->hidden_visibility
                                     : "visible";
        int passed = !pending && r->verdict == V_PASS;
        fprintf(f, ", \"score\": %d, \"max_score\": %d, \"status\": \"%s\", \"visibility\": ",
                pending ? 0 : r->earned, r->points, passed ? "passed" : "failed");
        json_string(f, visibility);
        json_tags(f, r, pending);
        char out[6000];
        if (pending)
            snprintf(out, sizeof out, "%s: grading stopped before this test ran",
                     verdict_word(V_NOT_RUN));
        else
            snprintf(out, sizeof out, "%s%s%s%s%s", verdict_word(r->verdict),
                     r->verdict == V_PASS ? "" : ": ", r->message, r->output ? "\n" : "",
                     r->output ? r->output : "");
        fputs(", \"output_format\": \"text\", \"output\": ", f);
        json_string(f, out);
        fputc('}', f);
    }
    fputs("\n  ]\n}\n", f);
    return ferror(f) ? -1 : 0;
}

int report_json(const char *path, const struct result *rs, size_t n, const struct json_options *jo)
{
    /* Written beside it and renamed over it: a run killed at any moment
     * (Gradescope stops it at its limit) leaves the whole of the last one. */
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (f == NULL)
        return -1;
    int bad = json_write(f, rs, n, jo);
    if (fclose(f) != 0 || bad != 0 || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        errno = e;
        return -1;
    }
    return 0;
}

static void xml_text(FILE *f, const char *s)
{
    for (; s != NULL && *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default:
            /* XML 1.0 allows no other control characters. */
            if (c < 32 && c != '\n' && c != '\t')
                fputc('?', f);
            else
                s += put_utf8(f, s) - 1;
        }
    }
}

int report_junit(const char *path, const struct result *rs, size_t n)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    size_t failures = 0, errors = 0;
    for (size_t i = 0; i < n; i++) {
        failures += rs[i].verdict == V_FAIL;
        errors += rs[i].verdict != V_PASS && rs[i].verdict != V_FAIL;
    }
    fprintf(f,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<testsuites name=\"ipc-labs\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\">\n",
            n, failures, errors);
    for (size_t i = 0; i < n;) {
        size_t end = i;
        size_t fails = 0, errs = 0;
        double seconds = 0;
        while (end < n && strcmp(rs[end].exercise, rs[i].exercise) == 0) {
            fails += rs[end].verdict == V_FAIL;
            errs += rs[end].verdict != V_PASS && rs[end].verdict != V_FAIL;
            seconds += rs[end].seconds;
            end++;
        }
        fputs("  <testsuite name=\"", f);
        xml_text(f, rs[i].exercise);
        fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" time=\"%.3f\">\n", end - i,
                fails, errs, seconds);
        for (; i < end; i++) {
            const struct result *r = &rs[i];
            fputs("    <testcase classname=\"", f);
            xml_text(f, r->program);
            fputs("\" name=\"", f);
            xml_text(f, r->name);
            fprintf(f, "\" time=\"%.3f\">", r->seconds);
            if (r->verdict != V_PASS) {
                const char *tag = r->verdict == V_FAIL ? "failure" : "error";
                fprintf(f, "\n      <%s type=\"%s\" message=\"", tag, verdict_word(r->verdict));
                xml_text(f, r->message);
                fputs("\">", f);
                xml_text(f, r->output);
                fprintf(f, "</%s>\n    ", tag);
            }
            fputs("</testcase>\n", f);
        }
        fputs("  </testsuite>\n", f);
    }
    fputs("</testsuites>\n", f);
    return fclose(f);
}

/* The layout of CUnit's basic runner (CU_print_run_results), which CI log
 * readers parse, with the run's own numbers: replaying the results through
 * CUnit would time the replay, not the run, and count no suite as failed.
 * A suite is an exercise; it failed if one of its tests that ran did not
 * pass, and is inactive if none of them could run. Tests NOT RUN are
 * inactive. Assertions are those the tests counted, plus one for each test
 * that failed on a check of the grader's own (a crash, a timeout, a build
 * that failed), so that, as in CUnit, no test fails without one. */
void report_cunit_summary(const struct result *rs, size_t n, double seconds)
{
    size_t suites = 0, suites_ran = 0, suites_failed = 0, suites_inactive = 0;
    size_t ran = 0, passed = 0;
    unsigned long asserts = 0, asserts_failed = 0;
    for (size_t i = 0; i < n;) {
        struct tally t;
        size_t end = tally_exercise(rs, n, i, &t);
        size_t not_run = t.by[V_NOT_RUN];
        suites++;
        suites_ran += not_run < t.tests;
        suites_inactive += not_run == t.tests;
        suites_failed += t.by[V_FAIL] + t.by[V_CRASH] + t.by[V_TIMEOUT] > 0;
        i = end;
    }
    for (size_t i = 0; i < n; i++) {
        const struct result *r = &rs[i];
        if (r->verdict == V_NOT_RUN)
            continue;
        ran++;
        passed += r->verdict == V_PASS;
        unsigned failed = r->failed_asserts;
        if (r->verdict != V_PASS && failed == 0)
            failed = 1;
        asserts += r->asserts > failed ? r->asserts : failed;
        asserts_failed += failed;
    }
    /* CUnit's columns, wide enough for the largest count (a million asserts). */
    int w = snprintf(NULL, 0, " %lu", asserts);
    w = w > 7 ? w : 7;
    int wi = w + 2;
    printf("\n\n%12s%8s%*s%*s%*s%*s%*s\n", "Run Summary:", "Type", w, "Total", w, "Ran", w,
           "Passed", w, "Failed", wi, "Inactive");
    printf("%12s%8s%*zu%*zu%*s%*zu%*zu\n", " ", "suites", w, suites, w, suites_ran, w, "n/a", w,
           suites_failed, wi, suites_inactive);
    printf("%12s%8s%*zu%*zu%*zu%*zu%*zu\n", " ", "tests", w, n, w, ran, w, passed, w, ran - passed,
           wi, n - ran);
    printf("%12s%8s%*lu%*lu%*lu%*lu%*s\n", " ", "asserts", w, asserts, w, asserts, w,
           asserts - asserts_failed, w, asserts_failed, wi, "n/a");
    printf("\nElapsed time = %8.3f seconds\n\n", seconds);
}
