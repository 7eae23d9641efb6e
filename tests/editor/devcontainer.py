#!/usr/bin/python3
"""make test-devcontainer: the dev container, checked without Docker.

    devcontainer.py COURSE

Reads .devcontainer/devcontainer.json and its Dockerfile and checks what a
learner on macOS or Windows depends on:
  - the image is Debian 13 and gets its packages from common/deps.sh
    --install-all (so its package list is common/packages.txt): the
    Dockerfile's own apt-get installs only the bootstrap below;
  - deps.sh --install-all, run as that RUN step runs it (from a copy of the
    two files the COPY step copies, with apt-get stubbed), asks apt-get for
    exactly common/packages.txt;
  - /dev/shm is at least NEED_MIB; SYS_PTRACE and seccomp=unconfined for
    gdb and rr;
  - the container runs as an ordinary user, one the Dockerfile creates with
    a home;
  - as root, where iox-roudi is installed: RouDi starts in a /dev/shm of
    the container's size (a private mount namespace, nothing shared).
Not checked here: that the image builds and runs, which needs Docker.
Exit status: 0 all good, 1 a check failed (each says why), 2 usage.
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import jsonc  # noqa: E402

# iceoryx's RouDi with its built-in pools maps 207 MiB of /dev/shm
# (iceoryx_mgmt 64 MiB and the user's data segment 143 MiB; measured with
# iceoryx 2.0, and less kills it with SIGBUS). A test whose grader cannot
# give it namespaces of its own (as in a container) puts its shared memory
# in the same /dev/shm, where a test's world may hold 512 MiB
# (tests/harness/world.c).
NEED_MIB = 207 + 512
# What the Dockerfile may install itself: what someone who has just cloned
# the course has (tests/distro/ bootstraps git, make, ca-certificates), and
# sudo for the container's ordinary user. Everything else is deps.sh's.
BOOTSTRAP = {"ca-certificates", "git", "make", "sudo"}

failures = []


def fail(msg):
    failures.append(msg)
    print(f"devcontainer: {msg}", file=sys.stderr)


def mib(size):
    """Docker's size syntax (1g, 512m, 1073741824) in MiB; None if unreadable."""
    m = re.fullmatch(r"(\d+)([bkmg]?)b?", size.strip().lower())
    if not m:
        return None
    scale = {"": 1, "b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[m.group(2)]
    return int(m.group(1)) * scale / (1 << 20)


def dockerfile_instructions(path):
    """[(line, INSTRUCTION, text)], continuation lines joined, comments dropped."""
    out, buf, start = [], "", 0
    with open(path, encoding="utf-8") as f:
        for no, line in enumerate(f, 1):
            if line.lstrip().startswith("#"):
                continue
            if not buf:
                start = no
                if not line.strip():
                    continue
            if line.rstrip("\n").endswith("\\"):
                buf += line.rstrip("\n")[:-1] + " "
                continue
            buf += line.strip()
            word, _, rest = buf.strip().partition(" ")
            out.append((start, word.upper(), rest.strip()))
            buf = ""
    return out


def expand(text, args):
    """ARG defaults substituted ($X and ${X}), as Docker does in RUN and USER."""
    return re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", lambda m: args.get(m.group(1), m.group(0)), text)


def commands(run):
    """The simple commands of a RUN step's shell text, each as argv."""
    lex = shlex.shlex(run, posix=True, punctuation_chars=";&|")
    lex.whitespace_split = True
    cmd, out = [], []
    for tok in lex:
        if tok in ("&&", "||", ";", "|", "&"):
            out.append(cmd)
            cmd = []
        else:
            cmd.append(tok)
    return out + [cmd]


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    top = os.path.abspath(sys.argv[1])
    djson = os.path.join(top, ".devcontainer", "devcontainer.json")
    try:
        dc = jsonc.load(djson)
    except (OSError, ValueError) as e:
        fail(str(e))
        return 1

    build = dc.get("build", {})
    dockerfile = os.path.join(top, ".devcontainer", build.get("dockerfile", ""))
    context = os.path.normpath(os.path.join(top, ".devcontainer", build.get("context", ".")))
    if not os.path.isfile(dockerfile):
        fail(f'build.dockerfile "{build.get("dockerfile")}" is not a file in .devcontainer/')
        return 1
    if context != top:
        fail(f'build.context must be the course\'s root (".."), for COPY common/...: it is {build.get("context")!r}')

    # ---------------------------------------------------------------- the Dockerfile
    steps = dockerfile_instructions(dockerfile)
    rel = os.path.relpath(dockerfile, top)
    args, user, created = {}, "root", {}
    bases = [t for _, w, t in steps if w == "FROM"]
    if len(bases) != 1 or not re.fullmatch(r"debian:(trixie|13)(\.\d+)?(-slim)?(@sha256:[0-9a-f]{64})?",
                                           bases[0].split()[0]):
        fail(f"{rel}: one FROM debian:trixie (Debian 13, the course's main target), not {bases}")
    copied = None  # where COPY put deps.sh and packages.txt
    ran_deps = False
    for line, word, text in steps:
        where = f"{rel}:{line}"
        if word == "ARG":
            name, _, default = text.partition("=")
            args[name.strip()] = expand(default.strip().strip('"'), args)
        elif word == "COPY":
            parts = shlex.split(text)
            parts = [p for p in parts if not p.startswith("--")]
            if {"common/deps.sh", "common/packages.txt"} <= set(parts[:-1]):
                copied = parts[-1].rstrip("/")
        elif word == "USER":
            user = expand(text, args)
        elif word == "RUN":
            for argv in commands(expand(text, args)):
                while argv and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", argv[0]):
                    argv = argv[1:]  # VAR=value before the command
                if argv[:1] == ["apt-get"] and "install" in argv:
                    pkgs = [a for a in argv[argv.index("install") + 1:] if not a.startswith("-")]
                    for p in pkgs:
                        if p not in BOOTSTRAP:
                            fail(f"{where}: the Dockerfile installs {p} itself; the course's packages are "
                                 "common/packages.txt's, installed by common/deps.sh")
                if argv and argv[0].endswith("/deps.sh"):
                    if copied is None or argv[0] != copied + "/deps.sh":
                        fail(f"{where}: {argv[0]} runs before a COPY of common/deps.sh and common/packages.txt there")
                    elif argv[1:] != ["--install-all"]:
                        fail(f"{where}: deps.sh must be run with --install-all (it installs the whole list)")
                    else:
                        ran_deps = True
                if argv[:1] == ["useradd"]:
                    name = argv[-1]
                    created[name] = "--create-home" in argv or "-m" in argv
    if not ran_deps:
        fail(f"{rel}: no RUN of common/deps.sh --install-all: the image must get its packages from it")
    if user == "root" or user == "0":
        fail(f"{rel}: the image ends as root; it must end as the ordinary user the course runs as")

    remote = dc.get("remoteUser") or dc.get("containerUser") or user
    if remote in ("root", "0"):
        fail("remoteUser is root: Dev Containers run as an ordinary user, and so must the course")
    elif remote not in created:
        fail(f'remoteUser "{remote}" is not a user the Dockerfile creates (useradd)')
    elif not created[remote]:
        fail(f'the Dockerfile creates "{remote}" without a home (useradd --create-home): the broker and the '
             "course's caches need one")

    # ---------------------------------------------------------------- what the container gets
    run_args = dc.get("runArgs", [])
    shm = None
    for i, a in enumerate(run_args):
        if a.startswith("--shm-size="):
            shm = a.split("=", 1)[1]
        elif a == "--shm-size" and i + 1 < len(run_args):
            shm = run_args[i + 1]
    shm_mib = mib(shm) if shm else None
    if shm_mib is None:
        fail(f"runArgs sets no readable --shm-size (Docker's default is 64 MiB; at least {NEED_MIB} MiB is needed)")
    elif shm_mib < NEED_MIB:
        fail(f"--shm-size={shm} is {shm_mib:.0f} MiB; at least {NEED_MIB} MiB is needed "
             "(RouDi's 207 MiB and a test's 512 MiB)")
    caps = set(dc.get("capAdd", [])) | {a.split("=", 1)[1] for a in run_args if a.startswith("--cap-add=")}
    if "SYS_PTRACE" not in caps:
        fail("no SYS_PTRACE (capAdd): gdb and rr cannot trace the test")
    opts = set(dc.get("securityOpt", [])) | {a.split("=", 1)[1] for a in run_args if a.startswith("--security-opt=")}
    opts |= {run_args[i + 1] for i, a in enumerate(run_args[:-1]) if a == "--security-opt"}
    if "seccomp=unconfined" not in opts:
        fail("no securityOpt seccomp=unconfined: rr needs perf_event_open, which Docker's seccomp profile forbids")

    # ---------------------------------------------------------------- deps.sh, as the RUN step runs it
    wanted = []
    with open(os.path.join(top, "common", "packages.txt"), encoding="utf-8") as f:
        for line in f:
            p = re.sub(r"\s", "", line.split("#", 1)[0])
            if p:
                wanted.append(p)
    with tempfile.TemporaryDirectory(prefix="ipc-devcontainer.") as tmp:
        stage = os.path.join(tmp, "copy", "common")
        os.makedirs(stage)
        for f in ("deps.sh", "packages.txt"):
            shutil.copy2(os.path.join(top, "common", f), stage)
        stubs = os.path.join(tmp, "bin")
        os.makedirs(stubs)
        log = os.path.join(tmp, "apt-get.log")
        # As in the image's build: root (id -u is 0), on Debian (dpkg-query).
        for name, body in (("apt-get", f'printf "%s\\n" "$*" >> {shlex.quote(log)}'),
                           ("id", 'if [ "$1" = -u ]; then echo 0; else exec /usr/bin/id "$@"; fi'),
                           ("dpkg-query", "exit 0")):
            with open(os.path.join(stubs, name), "w") as f:
                f.write(f"#!/bin/sh\n{body}\n")
            os.chmod(os.path.join(stubs, name), 0o755)
        env = dict(os.environ, PATH=stubs + ":" + os.environ.get("PATH", "/usr/bin:/bin"))
        env.pop("IPC_SKIP_DEPS", None)
        r = subprocess.run([os.path.join(stage, "deps.sh"), "--install-all"], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
        calls = open(log).read().splitlines() if os.path.exists(log) else []
        installs = [c.split() for c in calls if c.split()[:1] == ["install"]]
        got = [a for c in installs for a in c[1:] if not a.startswith("-")]
        if r.returncode != 0:
            fail(f"deps.sh --install-all, as the image runs it, failed: {r.stdout.strip()}")
        elif "update -qq" not in calls or len(installs) != 1 or sorted(got) != sorted(wanted) or \
                "--no-install-recommends" not in installs[0] or "-y" not in installs[0]:
            fail(f"deps.sh --install-all asked apt-get for {calls}, not update and install -y "
                 f"--no-install-recommends of common/packages.txt ({' '.join(wanted)})")

    # ---------------------------------------------------------------- RouDi in that much /dev/shm
    roudi = "not tried (needs root, unshare and iox-roudi)"
    if shm_mib and os.geteuid() == 0 and shutil.which("iox-roudi") and shutil.which("unshare"):
        # A private /tmp (RouDi's socket and locks) and /dev/shm of the
        # container's size, in a mount and IPC namespace of their own.
        script = r"""
            mount -t tmpfs -o size=$1 tmpfs /dev/shm && mount -t tmpfs -o size=16m tmpfs /tmp || exit 3
            iox-roudi --log-level warning > /tmp/log 2>&1 & pid=$!
            for _ in $(seq 100); do [ -S /tmp/roudi ] && break; kill -0 $pid 2>/dev/null || break; sleep 0.1; done
            sleep 0.3
            if kill -0 $pid 2>/dev/null && [ -S /tmp/roudi ]; then
                echo "$(du -sm /dev/shm | cut -f1)"; kill $pid; wait $pid; exit 0
            fi
            kill $pid 2>/dev/null; wait $pid; grep -m1 -i "sigbus\\|error\\|fatal" /tmp/log || tail -n 1 /tmp/log; exit 1"""
        r = subprocess.run(["timeout", "-k", "2", "30", "unshare", "--mount", "--propagation", "private", "--ipc",
                            "bash", "-c", script, "roudi", f"{int(shm_mib)}m"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode == 0:
            roudi = f"started in {int(shm_mib)} MiB of /dev/shm, using {r.stdout.strip()} MiB"
        elif r.returncode == 3:
            roudi = "not tried (cannot mount a private /dev/shm here)"
        else:
            fail(f"iox-roudi did not start in a /dev/shm of {int(shm_mib)} MiB: {r.stdout.strip()}")

    if failures:
        return 1
    print(f"devcontainer: Debian 13, packages from common/deps.sh ({len(wanted)}), /dev/shm {shm}, "
          f"SYS_PTRACE, seccomp unconfined, user {remote}; RouDi {roudi}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
