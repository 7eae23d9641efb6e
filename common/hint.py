#!/usr/bin/python3
"""make hint: an exercise's hints, one more each time, gentlest first.

    hint.py EX [ALL] [RESET]

The hints of exercise EX are in chapters/<chapter>/hints/EX.md, each under a
"## Hint N" heading, and an optional "## Once it passes" section: notes on
the exercise worth reading after solving it (what the reference answer
chose and why; never its code), shown only when the last `make grade` passed
every test of EX (build/grade/results.json, or $HINT_RESULTS). How many
hints were shown is kept in build/hints/EX (or $HINT_STATE_DIR/EX), so each
call shows the next one; ALL=1 shows all that were shown so far again,
RESET=1 starts over.

Exit status: 0 a hint (or all of them) shown, 2 no such exercise or a bad
argument.
"""
import glob
import json
import os
import re
import sys

USAGE = "usage: hint.py EX [ALL] [RESET], for example: make hint EX=06.1"


def fail(msg):
    print("make hint: " + msg, file=sys.stderr)
    sys.exit(2)


def sections(text):
    """{'hints': [text...], 'notes': text or None} from a hints file."""
    hints, notes, cur = [], None, None
    for line in text.splitlines():
        if re.match(r"## Hint \d+\s*$", line):
            hints.append([])
            cur = hints[-1]
        elif re.match(r"## Once it passes\s*$", line):
            notes = []
            cur = notes
        elif cur is not None:
            cur.append(line)
    tidy = lambda lines: "\n".join(lines).strip()
    return [tidy(h) for h in hints], (tidy(notes) if notes is not None else None)


def passed(ex, results):
    """True if the last grade ran EX and every one of its tests passed."""
    try:
        with open(results, encoding="utf-8") as f:
            tests = json.load(f).get("tests", [])
    except (OSError, ValueError):
        return False
    mine = [t for t in tests if str(t.get("name", "")).startswith(ex + " ")]
    return bool(mine) and all(t.get("status") == "passed" for t in mine)


def main():
    args = sys.argv[1:]
    if not args or not re.fullmatch(r"\d\d\.\d+", args[0]):
        fail("EX=%s: name an exercise, for example EX=06.1" % (args[0] if args else ""))
    ex, show_all, reset = args[0], "ALL" in args[1:], "RESET" in args[1:]
    found = glob.glob("chapters/%s-*/hints/%s.md" % (ex[:2], ex))
    if not found:
        known = sorted(os.path.basename(p)[:-3] for p in glob.glob("chapters/*/hints/*.md"))
        fail("no hints for %s; exercises with hints: %s" % (ex, " ".join(known)))
    with open(found[0], encoding="utf-8") as f:
        hints, notes = sections(f.read())
    if not hints:
        fail("%s has no '## Hint 1' section" % found[0])

    state = os.path.join(os.environ.get("HINT_STATE_DIR") or os.path.join("build", "hints"), ex)
    try:
        with open(state, encoding="utf-8") as f:
            shown = int(f.read().strip() or 0)
    except (OSError, ValueError):
        shown = 0
    if reset:
        shown = 0
    if show_all:
        upto = max(shown, 1)
    else:
        upto = min(shown + 1, len(hints))
    first = 1 if show_all else upto
    for k in range(first, upto + 1):
        print("Hint %d of %d for %s:\n\n%s\n" % (k, len(hints), ex, hints[k - 1]))
    if shown >= len(hints) and not show_all:
        print("(that was the last one: ALL=1 shows every hint again, RESET=1 starts over)\n")
    os.makedirs(os.path.dirname(state), exist_ok=True)
    with open(state, "w", encoding="utf-8") as f:
        f.write("%d\n" % max(upto, shown))

    if notes:
        results = os.environ.get("HINT_RESULTS") or os.path.join("build", "grade", "results.json")
        if passed(ex, results):
            print("Once it passes, for %s:\n\n%s\n" % (ex, notes))
        elif upto == len(hints):
            print("After make grade EX=%s passes every test, make hint EX=%s also shows notes "
                  "on the exercise." % (ex, ex))


if __name__ == "__main__":
    main()
