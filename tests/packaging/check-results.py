#!/usr/bin/python3
"""Checks a results.json the course wrote for Gradescope.

    check-results.py FILE [--hidden ID,...] [--visibility V] [--partial | --complete]

Against tests/packaging/gradescope/results.schema.json (python3-jsonschema),
then what a schema cannot say: the score is the sum of the tests' scores and
no test's exceeds its max_score; numbers are unique; a test passed only with
full points and its tags name its chapter; the tests of exercises ID (an
instructor's hidden ones) have visibility V (default "hidden") and every
other test is visible; every output is plain text, no escape sequence in
it (the grader makes a test's control characters '?'). --partial: the file of a run stopped midway (some tests
not run yet, and the output says grading did not finish); --complete: of a
run that finished. Prints one line saying what is wrong; exit status 1.
"""
import json
import os
import re
import sys

import jsonschema

SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gradescope",
                      "results.schema.json")
UNFINISHED = "Grading did not finish"


def fail(path, why):
    print(f"check-results: {path}: {why}", file=sys.stderr)
    sys.exit(1)


def main(argv):
    args = argv[1:]
    if not args or args[0].startswith("-"):
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    path, hidden, visibility, state = args[0], set(), "hidden", None
    rest = iter(args[1:])
    for a in rest:
        if a == "--hidden":
            hidden = set(next(rest, "").split(","))
        elif a == "--visibility":
            visibility = next(rest, "")
        elif a in ("--partial", "--complete"):
            state = a[2:]
        else:
            print(f"check-results: unknown argument {a}", file=sys.stderr)
            return 2
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        fail(path, f"not valid UTF-8 JSON: {e}")
    with open(SCHEMA, encoding="utf-8") as f:
        schema = json.load(f)
    error = jsonschema.exceptions.best_match(jsonschema.Draft7Validator(schema).iter_errors(doc))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "the top level"
        fail(path, f"at {where}: {error.message}")

    if doc["output_format"] != "text":
        fail(path, f"output_format {doc['output_format']!r}: the course's reports are plain text")
    tests = doc["tests"]
    if abs(sum(t["score"] for t in tests) - doc["score"]) > 1e-9:
        fail(path, f"score {doc['score']} is not the sum of the tests' scores")
    numbers = set()
    not_run = 0
    for t in tests:
        name = t["name"]
        if t["number"] in numbers:
            fail(path, f"number {t['number']} is given twice ({name})")
        numbers.add(t["number"])
        if t["score"] > t["max_score"]:
            fail(path, f"{name}: score {t['score']} above its max_score {t['max_score']}")
        if t["status"] == "passed" and t["score"] != t["max_score"]:
            fail(path, f"{name}: passed with {t['score']} of {t['max_score']} points")
        if not re.fullmatch(r"[0-9][0-9]-[a-z0-9-]+", t["tags"][0]):
            fail(path, f"{name}: its first tag {t['tags'][0]!r} is no chapter")
        exercise = t["number"].rsplit(".", 1)[0]
        want = visibility if exercise in hidden else "visible"
        if t["visibility"] != want:
            fail(path, f"{name}: visibility {t['visibility']!r}, expected {want!r}")
        if t["output_format"] != "text" or "\x1b" in t["output"]:
            fail(path, f"{name}: output_format {t['output_format']!r}, or an escape sequence in "
                       "its output: the course's reports are plain text")
        not_run += "NOT RUN" in t["tags"]
    for ex in hidden:
        if not any(t["number"].rsplit(".", 1)[0] == ex for t in tests):
            fail(path, f"no test of the hidden exercise {ex}")
    unfinished = doc["output"].startswith(UNFINISHED)
    if state == "partial" and not (unfinished and not_run > 0 and not_run < len(tests)):
        fail(path, f"not the file of a run stopped midway ({not_run} of {len(tests)} tests not run; "
                   f"output: {doc['output'].splitlines()[0]!r})")
    if state == "complete" and unfinished:
        fail(path, "says grading did not finish")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
