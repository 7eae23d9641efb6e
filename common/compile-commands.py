#!/usr/bin/python3
"""make compile_commands.json: the course's compile commands, for clangd.

    make -n -B -k V=1 TARGETS | compile-commands.py TOP > compile_commands.json

Reads the commands make would run (a dry run: nothing is compiled) and
writes one entry per C file, with the flags the Makefile itself gives it:
learner flags for your files in chapters/ (through learner-cc.sh),
the project's for the rest. A line "#fallback" starts commands of lower
rank: the generic rule for files no target compiles here (a benchmark whose
library is not installed). A wrong answer (tests/wrong/NAME/CH/X.c) not
built in this configuration gets the flags of chapters/CH/X.c, the file it
stands in for. Exit status: 0 written, 1 nothing found.
"""
import json
import os
import re
import shlex
import sys

SEPARATORS = {"&&", "||", ";", "|", "&", "(", ")"}
KEYWORDS = {"if", "then", "elif", "else", "fi", "!", "{", "}", "for", "while", "do", "done"}
REDIRECTS = {">", ">>", "<", "2>", "2>>", "&>"}


def simple_commands(line):
    """The shell line's simple commands, as argv lists, redirections dropped."""
    lex = shlex.shlex(line, posix=True, punctuation_chars=";&|()<>")
    lex.whitespace_split = True
    try:
        toks = list(lex)
    except ValueError:  # a quote make's output leaves open: not a command of ours
        return []
    cmds, cmd, skip = [], [], False
    for t in toks:
        if skip:
            skip = False
        elif t in REDIRECTS or t in (">&", "<&"):
            if cmd and cmd[-1].isdigit():
                cmd.pop()  # the 2 of 2>
            skip = True
        elif t in SEPARATORS:
            if cmd:
                cmds.append(cmd)
            cmd = []
        elif not cmd and t in KEYWORDS:
            pass
        else:
            cmd.append(t)
    if cmd:
        cmds.append(cmd)
    return cmds


def is_compiler(word):
    return re.fullmatch(r"(.*/)?((\w+-)*(cc|gcc|clang)(-[0-9.]+)?)", word) is not None


def flags_only(argv):
    """argv without sources, outputs, dependency files, libraries and linking."""
    out, skip = [], False
    for a in argv:
        if skip:
            skip = False
        elif a in ("-o", "-MF", "-MT", "-MQ"):
            skip = True
        elif a in ("-c", "-MMD", "-MD", "-MP", "-M", "-MM") or a.startswith(("-l", "-Wl,")):
            pass
        elif not a.startswith("-") and re.search(r"\.(c|o|a|so)$", a):
            pass
        else:
            out.append(a)
    return out


def entries_of(argv):
    """[(rank, file, arguments)] that one command compiles."""
    # learner-cc.sh SOURCE OBJECT DEPFILE -- CC FLAGS...: it adds -c SOURCE.
    for i, a in enumerate(argv):
        if a.endswith("learner-cc.sh") and len(argv) > i + 5 and argv[i + 4] == "--":
            src = argv[i + 1]
            return [(0, src, flags_only(argv[i + 5:]) + ["-c", src])]
    if not argv or not is_compiler(argv[0]):
        return []
    srcs = [a for a in argv[1:] if a.endswith(".c") and not a.startswith("-")]
    if not srcs or "-" in argv:
        return []
    flags = flags_only(argv)
    # "cc FLAGS -c x.c" ranks above a compile-and-link of several files.
    rank = 1 if "-c" in argv else 2
    return [(rank, s, flags + ["-c", s]) for s in srcs]


def main():
    if len(sys.argv) != 2:
        print("usage: make -n -B -k V=1 TARGETS | compile-commands.py TOP", file=sys.stderr)
        return 2
    top = os.path.abspath(sys.argv[1])
    best = {}  # file -> (rank, order, arguments)
    order, fallback = 0, 0
    text = sys.stdin.read().replace("\\\n", " ")
    for line in text.splitlines():
        if line.strip() == "#fallback":
            fallback = 10
            continue
        for argv in simple_commands(line):
            for rank, src, args in entries_of(argv):
                order += 1
                src = os.path.normpath(src)
                key = (rank + fallback, order)
                if src not in best or key < best[src][:2]:
                    best[src] = (rank + fallback, order, args)
    # Wrong answers this build leaves out are compiled as the file they replace.
    for dirpath, _, files in os.walk(os.path.join(top, "tests", "wrong")):
        for f in files:
            path = os.path.relpath(os.path.join(dirpath, f), top)
            parts = path.split(os.sep)
            if f.endswith(".c") and len(parts) == 5 and path not in best:
                model = best.get(os.path.join("chapters", parts[3], f))
                if model:
                    args = [path if a == model[2][-1] else a for a in model[2]]
                    best[path] = (model[0] + 20, 0, args)
    if not best:
        print("compile-commands: no compile command in make's output", file=sys.stderr)
        return 1
    db = [{"directory": top, "file": src, "arguments": args} for src, (_, _, args) in sorted(best.items())]
    json.dump(db, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
