/* End-to-end check of the chapter's example program, fork-hello. */
#include "grade.h"
#include "testutil.h"

#include <stdio.h>
#include <string.h>

static void child_and_parent_report(void)
{
    char *argv[] = {(char *)tu_program("00-getting-started/fork-hello"), "--exit", "7", NULL};
    struct tu_run_result r;
    GRADE_REQUIRE(tu_run(argv, 5000, &r) == 0, "could not start %s", argv[0]);
    GRADE_CHECK(tu_exited_with(r.status, 0), "fork-hello should exit 0; stderr: %s", r.err);
    GRADE_CHECK(strstr(r.out, "child:  I am ") != NULL, "the child's line is missing:\n%s", r.out);
    GRADE_CHECK(strstr(r.out, "exited with status 7") != NULL,
                "the parent should report the child's exit status 7:\n%s", r.out);
}

static void bad_usage_exits_2(void)
{
    char *argv[] = {(char *)tu_program("00-getting-started/fork-hello"), "--exit", "12x", NULL};
    struct tu_run_result r;
    GRADE_REQUIRE(tu_run(argv, 5000, &r) == 0, "could not start %s", argv[0]);
    GRADE_CHECK(tu_exited_with(r.status, 2), "a bad number is a usage error: exit status 2");
    GRADE_CHECK(strstr(r.err, "'12x' is not a whole number") != NULL, "stderr: %s", r.err);
}

GRADE_TESTS(GRADE_TEST("unit", "fork-hello: child and parent both report", child_and_parent_report,
                       0),
            GRADE_TEST("unit", "fork-hello: a bad --exit value is a usage error", bad_usage_exits_2,
                       0))
