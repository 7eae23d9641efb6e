#!/usr/bin/python3
"""make test-editor: the editor support a learner relies on.

    editor.py COURSE COMPILE_COMMANDS

COMPILE_COMMANDS is what make compile_commands.json just wrote. Checks:
  - it has an entry for every C file of chapters/, solutions/ and tests/;
    your files in chapters/ (make list-exercises) have the learner flags
    (no -Werror), the other files the project's (-Werror);
  - with each entry's own command, your files compile (-fsyntax-only) and
    every other file of chapters/, solutions/ and tests/ has its includes
    resolved (-M). Not the wrong answers of tests/wrong/: some are built to
    hang or exhaust a compiler;
  - .vscode/*.json parse; each task that runs make names a target make help
    lists, and each ${input:...} is declared; the launch configuration's
    preLaunchTask is a task, and it starts what that task prepares;
  - that task's command, run on exercise 00.1 (a starter: its tests fail),
    prepares build/debug/test and test.gdb, and gdb, given that file, runs
    the test to its first failed check.
Exit status: 0 all good, 1 a check failed (each says why), 2 usage.
"""
import json
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import jsonc  # noqa: E402

failures = []


def fail(msg):
    failures.append(msg)
    print(f"editor: {msg}", file=sys.stderr)


def make(top, *args, timeout=300):
    # As a learner runs it: not with the flags of the make that runs this check.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    return subprocess.run(["make", "-s", "--no-print-directory", *args], cwd=top, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=timeout, env=env)


def c_files(top, folder):
    out = []
    for dirpath, _, files in os.walk(os.path.join(top, folder)):
        out += [os.path.relpath(os.path.join(dirpath, f), top) for f in files if f.endswith(".c")]
    return sorted(out)


def compile_once(entry, mode):
    """(file, error or None): the entry's command, changed to check only."""
    args = [a for a in entry["arguments"] if a != "-c"]
    src = args.pop()  # the generator puts the file last
    check = ["-fsyntax-only"] if mode == "syntax" else ["-M", "-MF", os.devnull, "-o", os.devnull]
    try:
        r = subprocess.run(args + check + [src], cwd=entry["directory"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        return entry["file"], "took over 60 s"
    err = r.stderr.strip().splitlines()
    return entry["file"], None if r.returncode == 0 else (err[0] if err else f"exit {r.returncode}")


def check_compile_commands(top, path):
    try:
        with open(path, encoding="utf-8") as f:
            db = json.load(f)
    except (OSError, ValueError) as e:
        fail(f"{path}: {e}")
        return
    by_file = {}
    for e in db:
        if not {"directory", "file", "arguments"} <= set(e) or e["arguments"][-1] != e["file"]:
            fail(f"{path}: an entry without directory, file and arguments ending in the file: {e}")
            return
        by_file[e["file"]] = e
    for folder in ("chapters", "solutions", "tests"):
        missing = [f for f in c_files(top, folder) if f not in by_file]
        if missing:
            fail(f"{path} has no entry for {len(missing)} file(s) of {folder}/: {' '.join(missing[:5])}")
    exercises = set(make(top, "list-exercises").stdout.split())
    for f in c_files(top, "chapters"):
        if f in by_file:
            werror = "-Werror" in by_file[f]["arguments"]
            if f in exercises and werror:
                fail(f"{f} is a learner's file, but its entry in {path} has the project's -Werror, "
                     "not the learner flags it is graded with")
            elif f not in exercises and not werror:
                fail(f"{f} is the course's own, but its entry in {path} lacks the project's -Werror")
    jobs = [(e, "syntax" if f in exercises else "preprocess") for f, e in sorted(by_file.items())
            if f.startswith(("chapters/", "solutions/", "tests/")) and not f.startswith("tests/wrong/")]
    with ThreadPoolExecutor(2) as pool:
        for (entry, mode), (f, err) in zip(jobs, pool.map(lambda j: compile_once(*j), jobs)):
            if err:
                fail(f"{f}, with its command in {path}, does not {'compile' if mode == 'syntax' else 'preprocess'}: {err}")
    # clangd itself, where installed, on a file of yours: it finds
    # build/compile_commands.json on its own (it looks in build/).
    clangd = "clangd not run (not installed)"
    learner = "chapters/06-ring-spsc/ring.c"
    if shutil.which("clangd") and learner in by_file and os.path.samefile(path, os.path.join(top, "build",
                                                                                           "compile_commands.json")):
        r = subprocess.run(["clangd", f"--check={learner}"], cwd=top, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=120)
        if r.returncode != 0 or "Compile command from CDB" not in r.stdout or " 0 errors" not in r.stdout:
            errors = [l for l in r.stdout.splitlines() if l.startswith("E[")]
            fail(f"clangd --check={learner} did not use {path} without errors: {(errors or ['?'])[0][:300]}")
        clangd = f"clangd --check={learner} clean"
    return len(db), len(jobs), clangd


def inputs_used(value):
    return set(re.findall(r"\$\{input:([^}]+)\}", json.dumps(value)))


def check_vscode(top):
    loaded = {}
    for name in ("tasks.json", "launch.json", "settings.json", "extensions.json"):
        try:
            loaded[name] = jsonc.load(os.path.join(top, ".vscode", name))
        except (OSError, ValueError) as e:
            fail(str(e))
    tasks, launch = loaded.get("tasks.json", {}), loaded.get("launch.json", {})
    # make help lists the targets a learner may run: "  name   what it does".
    targets = {line.split()[0] for line in make(top, "help").stdout.splitlines()[1:] if line.strip()}
    labels = {}
    for t in tasks.get("tasks", []):
        labels[t.get("label")] = t
        if t.get("command") == "make":
            words = [a for a in t.get("args", []) if not re.fullmatch(r"[A-Z_]+=.*", a)]
            if not words or words[0] not in targets:
                fail(f"task '{t.get('label')}' runs make {' '.join(t.get('args', []))}: "
                     f"{words[0] if words else '(no target)'} is not a target make help lists")
    for name, value in (("tasks.json", tasks), ("launch.json", launch)):
        declared = {i.get("id") for i in value.get("inputs", [])}
        undeclared = inputs_used(value) - declared
        if undeclared:
            fail(f".vscode/{name} uses ${{input:{sorted(undeclared)[0]}}}, which its inputs do not declare")
    configs = launch.get("configurations", [])
    if not configs:
        fail(".vscode/launch.json has no launch configuration")
    prepared = None
    for c in configs:
        task = labels.get(c.get("preLaunchTask"))
        if task is None:
            fail(f"launch configuration '{c.get('name')}': preLaunchTask '{c.get('preLaunchTask')}' is not a task")
            continue
        if c.get("type") != "cppdbg" or c.get("MIMode") != "gdb":
            fail(f"launch configuration '{c.get('name')}' is not gdb through the C/C++ extension (cppdbg)")
        sources = [s.get("text", "") for s in c.get("customLaunchSetupCommands", [])]
        if "TOOL=editor" not in task.get("args", []) or \
                c.get("program") != "${workspaceFolder}/build/debug/test" or \
                "source ${workspaceFolder}/build/debug/test.gdb" not in sources:
            fail(f"launch configuration '{c.get('name')}' does not start what make debug TOOL=editor prepares "
                 "(program build/debug/test, customLaunchSetupCommands sourcing build/debug/test.gdb)")
        else:
            prepared = task
    return prepared, tasks.get("inputs", [])


def check_prepared(top, task, inputs):
    """Runs the task as VS Code would, on 00.1, then gdb on what it prepared."""
    values = {i.get("id"): i.get("default", "") for i in inputs}
    values["exercise"] = "00.1"
    args = [re.sub(r"\$\{input:([^}]+)\}", lambda m: values.get(m.group(1), ""), a) for a in task["args"]]
    r = make(top, *args)
    script = os.path.join(top, "build", "debug", "test.gdb")
    program = os.path.join(top, "build", "debug", "test")
    if r.returncode != 0 or not os.path.isfile(script) or not os.access(program, os.X_OK):
        fail(f"make {' '.join(args)} did not prepare build/debug/test and test.gdb: {r.stdout.strip()[-400:]}")
        return "not run"
    if not shutil.which("gdb"):
        return "prepared (gdb not installed: not run)"
    r = subprocess.run(["gdb", "-q", "-batch", "-nx", "-x", script, "-ex", "run"], cwd=top, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    if not re.search(r"^FAIL  tests/00-getting-started/test_status\.c:\d+: ", r.stdout, re.M) or \
            "exited with code 01" not in r.stdout:
        fail(f"gdb -x build/debug/test.gdb -ex run did not run the test to a failed check: {r.stdout.strip()[-400:]}")
    return "prepared, and run under gdb"


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    top = os.path.abspath(sys.argv[1])
    counted = check_compile_commands(top, os.path.join(top, sys.argv[2]))
    task, inputs = check_vscode(top)
    debugged = check_prepared(top, task, inputs) if task else "not run"
    if failures:
        return 1
    print(f"editor: {sys.argv[2]}: {counted[0]} files, {counted[1]} compiled or preprocessed with their command, "
          f"{counted[2]}; .vscode: tasks and launch valid; gdb on one test: {debugged}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
