/*
 * The grader's outputs: the table a learner reads, Gradescope's results.json,
 * JUnit XML for CI dashboards, and CUnit's own "Run Summary" at the very end
 * so any log reader that knows CUnit counts the tests.
 */
#include "grader.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static int same_chapter(const struct result *a, const struct result *b)
{
    size_t n = chapter_len(a->program);
    return n == chapter_len(b->program) && strncmp(a->program, b->program, n) == 0;
}

static void totals(const struct result *rs, size_t n, long *earned, long *possible)
{
    *earned = *possible = 0;
    for (size_t i = 0; i < n; i++) {
        *earned += rs[i].earned;
        *possible += rs[i].points;
    }
}

void report_text(const struct result *rs, size_t n, int color, const char *isolation)
{
    const char *green = color ? "\033[32m" : "", *red = color ? "\033[31m" : "",
               *bold = color ? "\033[1m" : "", *off = color ? "\033[0m" : "";
    for (size_t i = 0; i < n; i++) {
        const struct result *r = &rs[i];
        if (i == 0 || !same_chapter(r, &rs[i - 1]))
            printf("\n%s%.*s%s\n", bold, (int)chapter_len(r->program), r->program, off);

        char pts[32];
        if (r->points > 0)
            snprintf(pts, sizeof pts, "%d/%d", r->earned, r->points);
        else
            snprintf(pts, sizeof pts, "-");
        printf("  %-6s %s%-7s%s %5s  %s\n", r->exercise, r->verdict == V_PASS ? green : red,
               verdict_word(r->verdict), off, pts, r->name);
        if (r->verdict != V_PASS) {
            printf("         %s\n", r->message);
            if (r->output != NULL) {
                printf("         last lines it printed:\n");
                for (const char *line = r->output; *line;) {
                    const char *end = strchr(line, '\n');
                    int len = end ? (int)(end - line) : (int)strlen(line);
                    printf("         | %.*s\n", len, line);
                    line += len + (end != NULL);
                }
            }
        }

        /* Exercise subtotal once its last test is printed. */
        if (i + 1 == n || strcmp(rs[i + 1].exercise, r->exercise) != 0) {
            long earned = 0, possible = 0;
            for (size_t j = 0; j < n; j++)
                if (strcmp(rs[j].exercise, r->exercise) == 0) {
                    earned += rs[j].earned;
                    possible += rs[j].points;
                }
            if (possible > 0)
                printf("  %-6s %s%ld/%ld%s points\n", r->exercise, bold, earned, possible, off);
        }
    }
    long earned, possible;
    totals(rs, n, &earned, &possible);
    printf("\n%sScore: %ld/%ld%s\n", bold, earned, possible, off);
    if (isolation != NULL) /* what a grade is worth depends on what the tests could reach */
        printf("%s\n", isolation);
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

int report_json(const char *path, const struct result *rs, size_t n, const char *isolation)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    long earned, possible;
    totals(rs, n, &earned, &possible);
    double seconds = 0;
    for (size_t i = 0; i < n; i++)
        seconds += rs[i].seconds;
    fprintf(f, "{\n  \"score\": %ld,\n  \"execution_time\": %.0f,\n  \"output\": ", earned,
            seconds + 0.5);
    char summary[256];
    snprintf(summary, sizeof summary, "Score: %ld/%ld%s%s", earned, possible,
             isolation != NULL ? "\n" : "", isolation != NULL ? isolation : "");
    json_string(f, summary);
    /* What the reference answers took on the same tests (tests/budget.tsv),
     * so that a batch can point out submissions far slower than that. */
    double reference = 0;
    for (size_t i = 0; i < n; i++)
        reference += rs[i].reference_s;
    fprintf(f, ",\n  \"extra_data\": {\"reference_time\": %.1f}", reference);
    fputs(",\n  \"tests\": [", f);
    for (size_t i = 0; i < n; i++) {
        const struct result *r = &rs[i];
        char name[400];
        snprintf(name, sizeof name, "%s %s", r->exercise, r->name);
        fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
        json_string(f, name);
        fprintf(f, ", \"number\": ");
        json_string(f, r->exercise);
        fprintf(f,
                ", \"score\": %d, \"max_score\": %d, \"status\": \"%s\", \"visibility\": "
                "\"visible\", \"output\": ",
                r->earned, r->points, r->verdict == V_PASS ? "passed" : "failed");
        char out[6000];
        snprintf(out, sizeof out, "%s%s%s%s%s", verdict_word(r->verdict),
                 r->verdict == V_PASS ? "" : ": ", r->message, r->output ? "\n" : "",
                 r->output ? r->output : "");
        json_string(f, out);
        fputc('}', f);
    }
    fputs("\n  ]\n}\n", f);
    return fclose(f);
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

/* CUnit calls test functions without arguments; the replay walks the results
 * in the order the tests were registered, which is the order CUnit runs them. */
static const struct result **replay_order;
static size_t replay_next;

static void replay(void)
{
    const struct result *r = replay_order[replay_next++];
    unsigned ok = r->asserts > r->failed_asserts ? r->asserts - r->failed_asserts : 0;
    for (unsigned i = 0; i < ok; i++)
        CU_assertImplementation(CU_TRUE, 0, "", r->program, "", CU_FALSE);
    if (r->verdict == V_PASS)
        return;
    char what[1100];
    snprintf(what, sizeof what, "%s: %s", verdict_word(r->verdict), r->message);
    CU_assertImplementation(CU_FALSE, 0, what, r->program, "", CU_FALSE);
    for (unsigned i = 1; i < r->failed_asserts; i++)
        CU_assertImplementation(CU_FALSE, 0, "(a further failed assertion)", r->program, "",
                                CU_FALSE);
}

void report_cunit_summary(const struct result *rs, size_t n)
{
    replay_order = calloc(n ? n : 1, sizeof *replay_order);
    if (replay_order == NULL || CU_initialize_registry() != CUE_SUCCESS)
        return;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int seen = 0;
        for (size_t j = 0; j < i; j++)
            seen |= strcmp(rs[j].exercise, rs[i].exercise) == 0;
        if (seen)
            continue;
        CU_pSuite suite = CU_add_suite(rs[i].exercise, NULL, NULL);
        for (size_t j = i; j < n && suite != NULL; j++) {
            if (strcmp(rs[j].exercise, rs[i].exercise) != 0)
                continue;
            char name[300];
            /* CUnit wants test names unique within a suite. */
            snprintf(name, sizeof name, "%zu %s", j + 1, rs[j].name);
            if (CU_add_test(suite, name, replay) != NULL)
                replay_order[k++] = &rs[j];
        }
    }
    /* Silent mode still prints the Run Summary, which is all we want from it. */
    CU_basic_set_mode(CU_BRM_SILENT);
    CU_basic_run_tests();
    printf("\n");
    CU_cleanup_registry();
    free(replay_order);
}
