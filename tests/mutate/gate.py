#!/usr/bin/python3
"""The mutation gate: how much of each reference answer do the tests pin down?

    gate.py PLAN DIR

PLAN has one line per graded test program (the Makefile's test-mutants
writes it): the program ("06-ring-spsc/test_ring"), its answer
(solutions/06-ring-spsc/ring.c), and the objects and libraries its reference
test program is linked with, tab-separated. For each, mutate.py makes the
answer's mutants (outside the functions the starter gives word for word:
those the exercise's tests need not pin down); each is compiled with the learner's flags, linked like the
reference test program, and graded by build/tools/grade, one test at a time,
stopping at the first test that fails it: a mutant is caught when a graded
test of its exercise fails. A mutant that does not compile is not counted.

The environment says how (the Makefile sets all of it):
  MUT_CC, MUT_CFLAGS, MUT_CPPFLAGS, MUT_LDFLAGS, MUT_LDLIBS   compile and link
  MUT_GRADE         the grader's command line, with its environment
  MUT_LISTS         the directory of the reference lists of tests
  MUT_BINS          the reference test programs
  MUT_TIMEOUT_SCALE the grader's --timeout-scale
  MUT_OPS           operators to use (mutate.py's names, comma-separated)
  MUTANTS_CAP       at most this many mutants per exercise
  MUTANTS_JOBS      exercises graded at once
  MUTANTS_EX        grade only these exercises ("06.1,09.1")
  MUTANTS_MIN       the score every exercise must reach, in percent
  MUTANTS_VERBOSE   set: say what happened to each mutant, as it happens

Cost: a test that runs past three times what the reference needs, plus two
seconds, counts as caught (it hangs), so a mutant that deadlocks costs seconds,
not the test's full limit. Tests are tried in the order of how many mutants
each has caught so far in that exercise, so most caught mutants cost one
test. Survivors cost a full run of the exercise's tests.

Accepted survivors (equivalent mutants: no test can tell them from the
answer) are listed in equivalent.txt beside this script, with a reason each;
they are neither graded nor counted. An entry that names no mutant of the
file any more fails the gate: when the line changes, its mutants must be
judged again.

Exit status: 0 when every exercise reaches MUTANTS_MIN; 1 when one does not,
or equivalent.txt is stale; 3 when something could not be graded (the
reference fails a test, a service is down).
"""
import concurrent.futures
import json
import math
import os
import shlex
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import mutate  # noqa: E402


def env(name, default=None):
    v = os.environ.get(name, default)
    if v is None:
        sys.exit("gate.py: %s is not set (run it through make test-mutants)" % name)
    return v


def read_equivalent():
    """{(file, id): reason} from equivalent.txt: "chapter/x.c ID reason"."""
    path = os.path.join(HERE, "equivalent.txt")
    out = {}
    try:
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                parts = line.split(None, 2)
                if len(parts) < 3:
                    sys.exit("gate.py: %s:%d: expected 'chapter/x.c ID reason'" % (path, n))
                out[(parts[0], parts[1])] = parts[2]
    except FileNotFoundError:
        pass
    return out


class Exercise:
    def __init__(self, program, answer, objs, libs):
        self.program, self.answer, self.objs, self.libs = program, answer, objs, libs
        self.rel = answer.split("/", 1)[1]  # "06-ring-spsc/ring.c"
        self.list_lines = []
        self.ex_id = "?"
        self.survivors, self.caught, self.uncompiled, self.accepted = [], [], [], []
        self.stale = []
        self.error = None
        self.seconds = 0.0


def grade_one(ex, work, bins, test_index, timeout):
    """Runs test test_index of ex's program found under bins; returns
    (verdict word, seconds). The list given to the grader keeps only that
    test (the others are renamed out of --exercise's reach), with its limit."""
    lists = os.path.join(work, "lists")
    os.makedirs(os.path.join(lists, os.path.dirname(ex.program)), exist_ok=True)
    with open(os.path.join(lists, ex.program + ".list"), "w", encoding="utf-8") as f:
        for i, line in enumerate(ex.list_lines):
            exid, pts, tmo, name = line.split("\t", 3)
            if i == test_index:
                f.write("%s\t%s\t%d\t%s\n" % (exid, pts, min(int(tmo), timeout), name))
            else:
                f.write("-\t%s\t%s\t%s\n" % (pts, tmo, name))
    out = os.path.join(work, "out")
    cmd = "%s --lists %s --bins %s --out %s --exercise %s --brief %s" % (
        env("MUT_GRADE"), shlex.quote(lists), shlex.quote(bins), shlex.quote(out),
        shlex.quote(ex.ex_id), shlex.quote(ex.program))
    t0 = time.monotonic()
    rc = subprocess.run(["bash", "-c", cmd], stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL).returncode
    seconds = time.monotonic() - t0
    try:
        with open(os.path.join(out, "results.json"), encoding="utf-8") as f:
            tests = json.load(f)["tests"]
    except (OSError, ValueError, KeyError):
        return "ERROR (grader exit %d, no results.json)" % rc, seconds
    if len(tests) != 1:
        return "ERROR (%d results, expected 1)" % len(tests), seconds
    word = tests[0]["output"].split(":", 1)[0].split("\n", 1)[0]
    return word, seconds


def build(ex, src, work):
    """Compiles and links one mutant; returns the --bins directory, or None."""
    obj = os.path.join(work, "ex.o")
    binary = os.path.join(work, "bin", ex.program)
    os.makedirs(os.path.dirname(binary), exist_ok=True)
    chapter = ex.program.split("/")[0]
    cc = shlex.split(env("MUT_CC"))
    compile_cmd = cc + shlex.split(env("MUT_CFLAGS")) + shlex.split(env("MUT_CPPFLAGS")) + [
        "-Ichapters/" + chapter, "-w", "-c", src, "-o", obj]
    link_cmd = cc + shlex.split(env("MUT_LDFLAGS")) + ["-o", binary, obj] + ex.objs.split() + \
        ex.libs.split() + ["-lcunit"] + shlex.split(env("MUT_LDLIBS"))
    for cmd in (compile_cmd, link_cmd):
        if subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          timeout=120).returncode != 0:
            return None
    return os.path.join(work, "bin")


def load(ex, cap, ops, equivalent):
    """Reads ex's list of tests and chooses its mutants."""
    ex.chosen, ex.graded, ex.mine = [], [], {}
    ex.limits, ex.durations = {}, {}
    try:
        with open(os.path.join(env("MUT_LISTS"), ex.program + ".list"), encoding="utf-8") as f:
            ex.list_lines = [l.rstrip("\n") for l in f if l.strip()]
    except OSError:
        ex.error = "its tests did not build (see the build output above)"
        return
    if not os.path.exists(os.path.join(env("MUT_BINS"), ex.program)):
        ex.error = "the reference test program did not build (see the build output above)"
    ex.ex_id = ex.list_lines[0].split("\t")[0]
    ex.graded = [i for i, l in enumerate(ex.list_lines) if int(l.split("\t")[1]) > 0]
    everything = mutate.mutants(ex.answer, mutate.starter_of(ex.answer))
    known = {m[0] for m in everything}
    ex.mine = {mid: why for (rel, mid), why in equivalent.items() if rel == ex.rel}
    ex.stale = ["%s: names no mutant of %s any more" % (mid, ex.rel) for mid in ex.mine
                if mid not in known]
    ex.chosen = mutate.sample(everything, cap, ops)
    if not ex.chosen:
        ex.error = None  # nothing to grade: whether it built does not matter


def run_reference(ex, top):
    """The reference first: a test it fails proves nothing about a mutant,
    and its times set the mutants' time limits (and the order of the work)."""
    t_start = time.monotonic()
    work = os.path.join(top, ex.program)
    scale = float(env("MUT_TIMEOUT_SCALE", "1"))
    limits, durations = ex.limits, ex.durations
    for i in (ex.graded if ex.chosen and not ex.error else []):
        word, seconds = grade_one(ex, os.path.join(work, "ref"), env("MUT_BINS"), i, 3600)
        if word != "PASS":
            ex.error = "the reference answer gets %s on '%s': nothing can be measured" % (
                word, ex.list_lines[i].split("\t", 3)[3])
            break
        durations[i] = seconds
        limits[i] = max(1, math.ceil((3 * seconds + 2) / scale))
        if os.environ.get("MUTANTS_VERBOSE"):
            print("  %s reference, test %d: %.1f s, limit %d s" % (ex.ex_id, i, seconds, limits[i]),
                  file=sys.stderr, flush=True)
    ex.seconds = time.monotonic() - t_start


def run_mutants(ex, top):
    if ex.error or not ex.chosen:
        return ex
    t_start = time.monotonic() - ex.seconds
    work = os.path.join(top, ex.program)
    graded, mine, limits, durations = ex.graded, ex.mine, ex.limits, ex.durations
    kills = {i: 0 for i in graded}
    for mid, line, desc, text in ex.chosen:
        if mid in mine:
            ex.accepted.append((mid, desc, mine[mid]))
            continue  # grading it would only cost a full run of the tests
        t_mutant = time.monotonic()
        mdir = os.path.join(work, mid)
        os.makedirs(mdir, exist_ok=True)
        src = os.path.join(mdir, os.path.basename(ex.answer))
        with open(src, "w", encoding="utf-8") as f:
            f.write(text)
        bins = build(ex, src, mdir)
        if bins is None:
            ex.uncompiled.append((mid, desc))
            continue
        caught_by = None
        for i in sorted(graded, key=lambda i: (-kills[i], durations[i], i)):
            word, _ = grade_one(ex, mdir, bins, i, limits[i])
            if word.startswith("ERROR") or word == "NOT RUN":
                ex.error = "mutant %s: the grader says %s" % (mid, word)
                ex.seconds = time.monotonic() - t_start
                return ex
            if word != "PASS":
                caught_by = (i, word)
                kills[i] += 1
                break
        if os.environ.get("MUTANTS_VERBOSE"):
            print("  %s %s %s: %s, %.1f s" % (ex.ex_id, mid, desc,
                  "caught by test %d (%s)" % caught_by if caught_by else "survives",
                  time.monotonic() - t_mutant), file=sys.stderr, flush=True)
        if caught_by is None:
            ex.survivors.append((mid, desc))
        else:
            ex.caught.append((mid, desc, caught_by))
        # Each mutant's files are no use once it is graded; keep the build small.
        subprocess.run(["rm", "-rf", mdir])
    ex.seconds = time.monotonic() - t_start
    return ex


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: gate.py PLAN DIR")
    plan, top = argv[1], argv[2]
    cap = int(env("MUTANTS_CAP", "12"))
    jobs = int(env("MUTANTS_JOBS", "2"))
    minimum = float(env("MUTANTS_MIN", "90"))
    only = [e for e in env("MUTANTS_EX", "").split(",") if e]
    ops = tuple(env("MUT_OPS", ",".join(o for o in mutate.OPS if o != "mo")).split(","))
    equivalent = read_equivalent()

    exercises = []
    with open(plan, encoding="utf-8") as f:
        for line in f:
            program, answer, objs, libs = (line.rstrip("\n").split("\t") + ["", ""])[:4]
            exercises.append(Exercise(program, answer, objs, libs))
    if only:
        def ex_id(e):
            try:
                with open(os.path.join(env("MUT_LISTS"), e.program + ".list"), encoding="utf-8") as f:
                    return f.readline().split("\t")[0]
            except OSError:
                return None  # not built: graded (and reported) only when not narrowed
        exercises = [e for e in exercises if ex_id(e) in only]

    t0 = time.monotonic()
    for e in exercises:
        load(e, cap, ops, equivalent)
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(lambda e: run_reference(e, top), exercises))
        # The longest first, so that no long one is left to run alone at the end.
        order = sorted(exercises, key=lambda e: -sum(e.durations.values()) * len(e.chosen))
        list(pool.map(lambda e: run_mutants(e, top), order))
    done = exercises

    print("mutants (%s; at most %d per exercise; a score under %g%% fails):" % (
        ",".join(ops), cap, minimum))
    print("  %-6s %-28s %8s %6s %6s %5s" % ("", "answer", "compiled", "caught", "score", "secs"))
    status = 0
    for ex in done:
        compiled = len(ex.caught) + len(ex.survivors)
        if ex.error:
            print("  %-6s %-28s %s" % (ex.ex_id, ex.rel, "NOT RUN: " + ex.error))
            status = max(status, 3)
            continue
        if compiled == 0 and not ex.accepted and not ex.uncompiled:
            continue  # none of these operators applies to it
        score = 100.0 * len(ex.caught) / compiled if compiled else 100.0
        flag = "" if score >= minimum else "  < %g%%: FAIL" % minimum
        extra = " (+%d equivalent)" % len(ex.accepted) if ex.accepted else ""
        print("  %-6s %-28s %8d %6d %5.0f%% %5.0f%s%s" % (
            ex.ex_id, ex.rel, compiled, len(ex.caught), score, ex.seconds, extra, flag))
        if score < minimum:
            status = max(status, 1)
        for mid, desc in ex.survivors:
            print("           survives %s  %s" % (mid, desc))
    for ex in done:
        for s in ex.stale:
            print("mutants: tests/mutate/equivalent.txt, %s: %s" % (ex.rel, s), file=sys.stderr)
            status = max(status, 1)
    print("mutants: %d exercises in %.0f s" % (len(done), time.monotonic() - t0))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
