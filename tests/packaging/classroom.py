#!/usr/bin/env python3
"""GitHub Classroom glue: the reporter's input from one grading run, and the
checks `make test` runs on it and on the workflow.

  classroom.py report RESULTS_JSON EDITED_TXT OUT_DIR
      From the grader's results.json (one run, every test) write, in OUT_DIR:
      reporter.env  one line per runner, <ID>_RESULTS=<base64 JSON>, for
                    $GITHUB_ENV (the reporter reads process.env[ID_RESULTS]);
      runners       the runner ids, comma-separated (the reporter's `runners`);
      summary.md    the score per exercise and the ignored edits, for
                    $GITHUB_STEP_SUMMARY.
      A missing or unreadable RESULTS_JSON (grading did not finish) gives one
      runner whose status is "error", so the job fails and says why.

  classroom.py workflow WORKFLOW_YML ALLOWED_TXT
      Check the workflow's shape (triggers, job, container, steps) and every
      `uses:` against ALLOWED_TXT; print the `run:` of the step with id
      `grade`, the command the check runs itself on fake checkouts.

  classroom.py verify GITHUB_ENV GITHUB_OUTPUT
      Check what a grading step wrote against the reporter's input schema and
      print "<points> <max> <runners> <edited>" as the reporter will count them.

The reporter is classroom-resources/autograding-grading-reporter@v1: its
src/main.js decodes each runner's results from the environment; src/
notify-classroom.js sends Classroom the sum of every test's `score` over the
sum of every runner's `max_score` (a runner without max_score counts for
nothing); src/helpers/test-helpers.js prints per runner (tests passed / tests)
* max_score. One runner per test keeps both the same number.
"""
import base64
import json
import re
import sys

STATUSES = ("pass", "fail", "error")
# The keys autograding-command-grader@v1 writes for each test, which the
# reporter prints (src/console-results.js); the same set here.
TEST_KEYS = {"name": str, "status": str, "score": (int, float), "max_score": (int, float),
             "message": str, "test_code": str, "filename": str, "line_no": int, "duration": int}
RUNNER_KEYS = {"version": int, "status": str, "max_score": (int, float), "tests": list}
RUNNER_ID = re.compile(r"^[a-z0-9]+$")  # the reporter's own check on `runners` (src/main.js)
EDITED_ID = "edited"
MESSAGE_MAX = 500
ENV_MAX = 512 * 1024  # the reporter's whole input, well under the kernel's 2 MiB for a program's environment
EDITED_MAX = 200  # files listed as edited; more are counted in one line


def die(msg):
    print(f"classroom: {msg}", file=sys.stderr)
    sys.exit(1)


def runner_id(exercise, k, taken):
    """ex0601t2 for the second test of exercise 06.1: an id the reporter
    accepts, which says where the test belongs."""
    m = re.fullmatch(r"(\d+)\.(\d+)", exercise)
    base = f"ex{int(m[1]):02d}{int(m[2]):02d}" if m else "ex" + re.sub(r"[^a-z0-9]", "", exercise.lower())
    rid = f"{base}t{k}"
    n = 2
    while rid in taken:  # only ids of exercises such as "03.2-hidden" and "032hidden" can meet
        rid = f"{base}t{k}v{n}"
        n += 1
    taken.add(rid)
    return rid


def exercise_of(test):
    """The exercise a test belongs to: "06.1" whether `number` is "06.1" or
    "06.1.3" (the first two parts; extra exercises keep their suffix)."""
    number = str(test.get("number") or test.get("name", "").split(" ")[0])
    parts = number.split(".")
    return ".".join(parts[:2]) if len(parts) > 2 else number


def runner(test_name, ok, score, max_score, message, test_code):
    status = "pass" if ok else "fail"
    return {"version": 1, "status": status, "max_score": max_score,
            "tests": [{"name": test_name, "status": status, "score": score, "max_score": max_score,
                       "message": message, "test_code": test_code, "filename": "", "line_no": 0,
                       "duration": 0}]}


def report(results_path, edited_path, out):
    runners = []  # (id, results)
    summary = []
    try:
        with open(results_path, encoding="utf-8") as f:
            results = json.load(f)
        tests = results["tests"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        results, tests = None, None
        why = f"grading did not finish ({e.__class__.__name__}): see the report in the run's artifact"
        runners.append(("grade", {"version": 1, "status": "error", "max_score": 0,
                                  "tests": [{"name": "make grade", "status": "error", "score": 0,
                                             "max_score": 0, "message": why, "test_code": "make grade",
                                             "filename": "", "line_no": 0, "duration": 0}]}))
        summary.append(f"**{why[0].upper()}{why[1:]}.**\n")
    if tests is not None:
        taken, per_ex, count = set(), {}, {}
        for t in tests:
            ex = exercise_of(t)
            count[ex] = count.get(ex, 0) + 1
            score, max_score = t.get("score", 0), t.get("max_score", 0)
            ok = t.get("status") == "passed" and score == max_score
            # The reporter counts a failed test's score too: a failed test is worth 0.
            score = score if ok else 0
            # The first failure is enough here (the step's log has the whole
            # report), and every runner's input goes through the reporter's
            # environment, which the kernel bounds (ARG_MAX).
            msg = "" if ok else str(t.get("output", "")).strip()
            msg = msg if len(msg) <= MESSAGE_MAX else msg[:MESSAGE_MAX - 3] + "..."
            rid = runner_id(ex, count[ex], taken)
            runners.append((rid, runner(t.get("name", rid), ok, score, max_score, msg, f"make grade EX={ex}")))
            got, top = per_ex.get(ex, (0, 0))
            per_ex[ex] = (got + score, top + max_score)
        total = sum(g for g, _ in per_ex.values())
        top = sum(m for _, m in per_ex.values())
        summary.append(f"## Score: {total}/{top}\n\n| exercise | points |\n|---|---|")
        summary += [f"| {ex} | {g}/{m} |" for ex, (g, m) in per_ex.items()]
        summary.append("")
    edited = []
    try:
        with open(edited_path, encoding="utf-8", errors="replace") as f:
            edited = [line.rstrip("\n") for line in f if line.strip()]
    except OSError:
        pass
    if len(edited) > EDITED_MAX:  # a committed build tree or node_modules: the list, not the environment, grows
        edited = edited[:EDITED_MAX] + [f"... and {len(edited) - EDITED_MAX} more (see edited.txt in the run's artifact)"]
    if edited:
        # Worth no points (max_score 0), but a failed runner: the job is red
        # and every ignored file is listed where the student and the instructor look.
        runners.append((EDITED_ID, {"version": 1, "status": "fail", "max_score": 0, "tests": [
            {"name": f"edited, ignored: {p}", "status": "fail", "score": 0, "max_score": 0,
             "message": "graded with the course's own copy of this file", "test_code": "",
             "filename": p, "line_no": 0, "duration": 0} for p in edited]}))
        summary.append("### Edited, ignored\n\nOnly the exercise files count; these files differ from the "
                       "course's template and were graded with the template's copy:\n")
        summary += [f"- `{p}`" for p in edited]
        summary.append("")
    with open(f"{out}/reporter.env", "w", encoding="utf-8") as f:
        for rid, res in runners:
            data = base64.b64encode(json.dumps(res, ensure_ascii=False).encode("utf-8")).decode("ascii")
            f.write(f"{rid.upper()}_RESULTS={data}\n")
    with open(f"{out}/runners", "w", encoding="utf-8") as f:
        f.write(",".join(rid for rid, _ in runners) + "\n")
    with open(f"{out}/summary.md", "w", encoding="utf-8") as f:
        f.write("\n".join(summary) + "\n")


def check_type(where, value, want):
    if isinstance(value, bool) or not isinstance(value, want):
        die(f"{where}: {value!r} is not of the reporter's type")


def validate(rid, res):
    """The reporter's input schema (see the module's doc): a runner's results."""
    if not isinstance(res, dict):
        die(f"runner {rid}: results are not an object")
    if set(res) != set(RUNNER_KEYS):
        die(f"runner {rid}: keys {sorted(res)}, expected {sorted(RUNNER_KEYS)}")
    for k, want in RUNNER_KEYS.items():
        check_type(f"runner {rid}: {k}", res[k], want)
    if res["status"] not in STATUSES or not res["tests"]:
        die(f"runner {rid}: status {res['status']!r} or no tests")
    for t in res["tests"]:
        if not isinstance(t, dict) or set(t) != set(TEST_KEYS):
            die(f"runner {rid}: a test's keys are {sorted(t) if isinstance(t, dict) else t!r}, "
                f"expected {sorted(TEST_KEYS)}")
        for k, want in TEST_KEYS.items():
            check_type(f"runner {rid}: test {t['name']!r}: {k}", t[k], want)
        if t["status"] not in STATUSES or not 0 <= t["score"] <= t["max_score"]:
            die(f"runner {rid}: test {t['name']!r}: status {t['status']!r}, score {t['score']} of {t['max_score']}")
        if t["max_score"] > 0 and (t["status"] == "pass") != (t["score"] == t["max_score"]):
            die(f"runner {rid}: test {t['name']!r} is {t['status']} with {t['score']}/{t['max_score']}")
    if sum(t["max_score"] for t in res["tests"]) != res["max_score"]:
        die(f"runner {rid}: max_score {res['max_score']} is not the sum of its tests'")
    # What the reporter prints for the runner must be what it sends Classroom.
    printed = sum(t["status"] == "pass" for t in res["tests"]) / len(res["tests"]) * res["max_score"]
    if abs(printed - sum(t["score"] for t in res["tests"])) > 1e-9:
        die(f"runner {rid}: the reporter would print {printed} points but send {sum(t['score'] for t in res['tests'])}")
    want = "pass" if all(t["status"] == "pass" for t in res["tests"]) else \
        "error" if any(t["status"] == "error" for t in res["tests"]) else "fail"
    if res["status"] != want:
        die(f"runner {rid}: status {res['status']}, its tests say {want}")


def verify(env_path, output_path):
    env, outputs = {}, {}
    for path, into in ((env_path, env), (output_path, outputs)):
        with open(path, encoding="utf-8") as f:
            for line in f:
                if "=" in line:
                    k, v = line.rstrip("\n").split("=", 1)
                    into[k] = v
    if "runners" not in outputs:
        die(f"{output_path}: no `runners` output")
    ids = outputs["runners"].split(",")
    if not all(RUNNER_ID.match(i) for i in ids) or len(set(ids)) != len(ids):
        die(f"runner ids {ids!r}: not distinct lowercase letters and digits")
    size = sum(len(k) + len(v) for k, v in env.items())
    if size > ENV_MAX:
        die(f"the reporter's input is {size} bytes, over {ENV_MAX}")
    for k, v in env.items():
        if len(k) + len(v) >= 128 * 1024:  # MAX_ARG_STRLEN: the kernel refuses to start the reporter
            die(f"{k} is {len(v)} bytes, too long for one environment variable")
    points = top = 0
    edited = 0
    for rid in ids:
        name = f"{rid.upper()}_RESULTS"
        if name not in env:
            die(f"runner {rid}: no {name} in $GITHUB_ENV")
        try:
            res = json.loads(base64.b64decode(env[name], validate=True).decode("utf-8"))
        except ValueError as e:
            die(f"runner {rid}: {name} is not base64 JSON: {e}")
        validate(rid, res)
        if rid == EDITED_ID:
            edited = len(res["tests"])
        if res["max_score"]:  # as src/notify-classroom.js counts
            top += res["max_score"]
            points += sum(t["score"] for t in res["tests"])
    print(points, top, len(ids), edited)


def workflow(path, allowed_path):
    import yaml  # python3-yaml: only this check needs it

    with open(path, encoding="utf-8") as f:
        wf = yaml.safe_load(f)
    with open(allowed_path, encoding="utf-8") as f:
        allowed = {line.split("#")[0].strip() for line in f} - {""}
    # PyYAML reads the key `on` as True (YAML 1.1).
    on = wf.get("on", wf.get(True))
    triggers = set(on) if isinstance(on, (list, dict)) else {on}
    for t in ("push", "repository_dispatch"):
        if t not in triggers:
            die(f"{path}: not triggered by {t} (Classroom sends repository_dispatch)")
    jobs = wf.get("jobs") or {}
    if len(jobs) != 1:
        die(f"{path}: {len(jobs)} jobs, expected one")
    (job_id, job), = jobs.items()
    image = (job.get("container") or {}).get("image", job.get("container")) if job.get("container") else None
    if not isinstance(image, str) or not re.fullmatch(r"debian:(bookworm|trixie)(-slim)?", image):
        die(f"{path}: job {job_id} does not run in a Debian container the course supports: {image!r}")
    steps = job.get("steps") or []
    for s in steps:
        if "uses" in s and s["uses"] not in allowed:
            die(f"{path}: step {s.get('name', s['uses'])!r} uses {s['uses']}, not in {allowed_path}")
    # The course comes from the pinned template; the student's checkout is data.
    checkouts = {(s.get("with") or {}).get("path"): s.get("with") or {}
                 for s in steps if str(s.get("uses", "")).startswith("actions/checkout@")}
    course = checkouts.get("course", {})
    if course.get("repository") != "${{ env.IPC_LABS_TEMPLATE }}" or course.get("ref") != "${{ env.IPC_LABS_COMMIT }}":
        die(f"{path}: no checkout of the template at its pinned commit into course/")
    if set(checkouts) != {"course", "submission"} or "repository" in checkouts["submission"]:
        die(f"{path}: the checkouts are not the template in course/ and the student's repository in submission/")
    env = job.get("env") or {}
    if env.get("IPC_LABS_TEMPLATE") != "${{ vars.IPC_LABS_TEMPLATE }}" or \
            env.get("IPC_LABS_COMMIT") != "${{ vars.IPC_LABS_COMMIT }}":
        die(f"{path}: the pin does not come from the organization's variables, which a student cannot edit")
    for s in steps:
        if re.search(r"(^|[\s;&|(])(\./)?submission/", str(s.get("run", ""))):
            die(f"{path}: step {s.get('name')!r} runs something of the student's checkout: {s['run']!r}")
    grade = [s for s in steps if s.get("id") == "grade"]
    reporter = [s for s in steps if str(s.get("uses", "")).startswith("classroom-resources/autograding-grading-reporter@")]
    if len(grade) != 1 or "run" not in grade[0]:
        die(f"{path}: no single step with id `grade` and a run command")
    if len(reporter) != 1 or steps.index(reporter[0]) < steps.index(grade[0]):
        die(f"{path}: no single reporter step after the grade step")
    if (reporter[0].get("with") or {}).get("runners") != "${{ steps.grade.outputs.runners }}":
        die(f"{path}: the reporter's runners are not the grade step's `runners` output")
    if "${{" in grade[0]["run"]:
        die(f"{path}: the grade step's run uses expressions; pass them through env: so the check runs it as is")
    if any(s.get("uses") for s in steps[steps.index(grade[0]) + 1:steps.index(reporter[0])]):
        die(f"{path}: an action runs between grading and reporting")
    print(grade[0]["run"], end="")


def main(argv):
    if len(argv) == 5 and argv[1] == "report":
        report(argv[2], argv[3], argv[4])
    elif len(argv) == 4 and argv[1] == "verify":
        verify(argv[2], argv[3])
    elif len(argv) == 4 and argv[1] == "workflow":
        workflow(argv[2], argv[3])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv)
