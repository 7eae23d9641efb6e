#!/usr/bin/python3
"""Semantic mutants of one C file: each a single small change a test should notice.

    mutate.py list FILE [--cap N] [--ops OP,...]        id, line and description of each
    mutate.py write FILE DIR [--cap N] [--ops OP,...]   DIR/<id>.c for each, and DIR/mutants.tsv

--starter FILE names the exercise's starter (by default chapters/<chapter>/<x>.c
for solutions/<chapter>/<x>.c): functions it has word for word are not mutated.

Operators (the id's prefix):
  rel    a comparison moved by one: < <=, > >=, == !=, each to its neighbour
  int    an integer constant +1 or -1
  idx    an array subscript +1
  mo     an acquire, release, acq_rel or seq_cst memory order made relaxed
  ret    a return code changed: 0 -> -1, -1 or -ECODE -> 0, true <-> false,
         x -> !x in a function that returns int, ssize_t, long or bool
  del    a statement that publishes or releases deleted: atomic stores, unlocks,
         signals, sem_post, futex wakes, munmap, close, unlink, free, ...

Comments, string and character literals and preprocessor lines are never
mutated; neither are enum bodies (tuning constants such as a spin limit) nor
the size in an array declaration (a bigger buffer changes nothing a test can
see). An id is made of the operator and a hash of the line's text, the site's
place on that line and the change, so it survives edits elsewhere in the file
(tests/mutate/equivalent.txt names mutants by id). With --cap, at most N
mutants are kept, taken round robin over the operators (so a file with
forty comparisons still gets its deletions graded) and, within one operator,
in the order of a seeded hash of the id: the same file gives the same sample.

Only the standard library: this runs on every Debian the course supports.
"""
import hashlib
import os
import re
import sys

SEED = "ipc-labs-mutants-1"
# The start of a declaration up to its name: "static const struct iovec *iov".
DECL = (r"^\s*(?:(?:static|const|volatile|unsigned|signed)\s+)*"
        r"(?:(?:struct|union|enum)\s+\w+|\w+)\s+(?:const\s+)?\**\s*\w+\s*")
OPS = ("rel", "int", "idx", "mo", "ret", "del")

REL_FLIP = {"<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!=", "!=": "=="}

# Calls whose statement is deleted: library calls that publish data or give
# something back, and the course's own helpers named for doing so.
# Not free() nor the *_destroy() calls: what they give back is memory, which
# no test can see missing short of a leak checker (and pthread_mutex_destroy
# does nothing at all on Linux).
DEL_NAMES = {
    "pthread_mutex_unlock", "pthread_cond_signal", "pthread_cond_broadcast", "sem_post",
    "munmap", "close", "shm_unlink", "unlink", "mq_close", "mq_unlink", "fclose", "shutdown",
    "msync", "atomic_thread_fence", "atomic_signal_fence",
}
DEL_PREFIXES = ("atomic_store", "atomic_exchange", "atomic_fetch_", "amqp_basic_ack",
                "amqp_basic_publish", "amqp_channel_close", "amqp_connection_close")
DEL_SUFFIXES = ("_unlock", "_signal", "_broadcast", "_post", "wake", "publish", "_release",
                "_commit", "_close", "_unlink", "_ack")

INT_RETURN = re.compile(r"(?:^|\s)(?:int|ssize_t|long|bool)\s+\**\s*\w+\s*\($")


def mask(src):
    """src with comments, string and char literals and preprocessor lines
    blanked (newlines kept), so that offsets into it are offsets into src."""
    out = list(src)
    i, n = 0, len(src)
    line_start = True
    while i < n:
        c = src[i]
        if line_start and c == "#":
            # A directive, with its continuation lines.
            j = i
            while j < n and not (src[j] == "\n" and src[j - 1] != "\\"):
                j += 1
            for k in range(i, j):
                out[k] = " "
            i = j
            continue
        if c == "\n":
            line_start = True
            i += 1
            continue
        if not c.isspace():
            line_start = False
        if src.startswith("/*", i):
            j = src.find("*/", i + 2)
            j = n if j < 0 else j + 2
        elif src.startswith("//", i):
            j = src.find("\n", i)
            j = n if j < 0 else j
        elif c in "\"'":
            j = i + 1
            while j < n and src[j] != c and src[j] != "\n":
                j += 2 if src[j] == "\\" else 1
            j = min(j + 1, n)
            # Keep the quotes so that the masked text still parses as C.
            for k in range(i + 1, j - 1):
                if out[k] != "\n":
                    out[k] = " "
            i = j
            continue
        else:
            i += 1
            continue
        for k in range(i, j):
            if out[k] != "\n":
                out[k] = " "
        i = j
    return "".join(out)


def matching(text, i, open_ch, close_ch):
    """Offset just past the bracket matching the one at text[i], or -1."""
    depth = 0
    for j in range(i, len(text)):
        if text[j] == open_ch:
            depth += 1
        elif text[j] == close_ch:
            depth -= 1
            if depth == 0:
                return j + 1
    return -1


def regions(code):
    """(enum bodies, function bodies with the text of their heads): spans to
    skip, and what each function returns."""
    enums, funcs = [], []
    for m in re.finditer(r"\benum\b[^;{}()]*\{", code):
        end = matching(code, m.end() - 1, "{", "}")
        if end > 0:
            enums.append((m.start(), end))
    depth, start_of_decl = 0, 0
    i = 0
    while i < len(code):
        c = code[i]
        if c == "{":
            if depth == 0:
                head = code[start_of_decl:i].strip()
                if head.endswith(")"):
                    # The head without its parameter list: "static int f(".
                    k = len(head) - 1
                    level = 0
                    while k >= 0:
                        level += head[k] == ")"
                        level -= head[k] == "("
                        if level == 0:
                            break
                        k -= 1
                    end = matching(code, i, "{", "}")
                    funcs.append((i, end if end > 0 else len(code), head[: k + 1]))
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                start_of_decl = i + 1
        elif c == ";" and depth == 0:
            start_of_decl = i + 1
        i += 1
    return enums, funcs


class Site:
    def __init__(self, op, start, end, new, old, line):
        self.op, self.start, self.end, self.new, self.old, self.line = op, start, end, new, old, line


def func_name(head):
    m = re.search(r"(\w+)\s*\($", head)
    return m.group(1) if m else head


def bodies(src):
    """{function name: its text, comments dropped and spaces collapsed}."""
    code = mask(src)
    return {func_name(head): " ".join(code[a:b].split()) for a, b, head in regions(code)[1]}


def sites(src, given=()):
    """Every mutation site of src, outside the functions named in given."""
    code = mask(src)
    enums, funcs = regions(code)
    funcs = [f for f in funcs if func_name(f[2]) not in given]

    def in_enum(pos):
        return any(a <= pos < b for a, b in enums)

    def func_head(pos):
        for a, b, head in funcs:
            if a <= pos < b:
                return head
        return None

    def line_of(pos):
        return src.count("\n", 0, pos) + 1

    out = []

    def add(op, start, end, new):
        if func_head(start) is None:
            return  # outside any function: initialisers of statics, prototypes
        out.append(Site(op, start, end, new, src[start:end], line_of(start)))

    for m in re.finditer(r"(?<![<>=!\-])(<=|>=|==|!=|<|>)(?![<>=])", code):
        add("rel", m.start(), m.end(), REL_FLIP[m.group(1)])

    for m in re.finditer(r"(?<![\w.])(0[xX][0-9a-fA-F]+|\d+)([uUlL]*)(?![\w.])", code):
        if in_enum(m.start()):
            continue
        before = code[code.rfind("\n", 0, m.start()) + 1 : m.start()]
        after = code[m.end() : m.end() + 3]
        if re.search(DECL + r"\[\s*$", before) and after.lstrip().startswith("]"):
            continue  # the size in an array declaration
        if re.search(r"\bcase\s*$", before):
            continue  # a case label moved is just another (often duplicate) label
        digits, suffix = m.group(1), m.group(2)
        if digits[:2].lower() == "0x":
            value, fmt = int(digits, 16), lambda v: "0x%x" % v
        elif len(digits) > 1 and digits[0] == "0":
            if not all(d in "01234567" for d in digits):
                continue
            value, fmt = int(digits, 8), lambda v: "0%o" % v  # a mode such as 0600
        else:
            value, fmt = int(digits), str
        if value >= 100 and digits[0] != "0":
            continue  # a unit (1000 ms in a second) or a limit: one off is not observable
        if re.search(r"\breturn\s*-?\s*$", before) and code[m.end():].lstrip().startswith(";"):
            continue  # "return 0;": ret changes it to a code that means something
        is_argument = re.search(r"[(,]\s*$", before) and re.match(r"\s*[,)]", code[m.end():])
        if not (value == 1 and is_argument):  # a flag passed as 1: 2 is true as well
            add("int", m.start(), m.end(), fmt(value + 1) + suffix)
        if value > 0:
            add("int", m.start(), m.end(), fmt(value - 1) + suffix)

    for m in re.finditer(r"(?<=[\w\])])\s*\[", code):
        end = matching(code, m.end() - 1, "[", "]")
        if end < 0:
            continue
        inner = code[m.end() : end - 1]
        before = code[code.rfind("\n", 0, m.start()) + 1 : m.end() - 1]
        if not inner.strip() or re.search(DECL + r"$", before):
            continue  # a declaration, not a subscript
        add("idx", m.end(), end - 1, "(" + src[m.end() : end - 1] + ") + 1")

    for m in re.finditer(r"\bmemory_order_(acquire|release|acq_rel|seq_cst|consume)\b", code):
        add("mo", m.start(), m.end(), "memory_order_relaxed")

    for m in re.finditer(r"\breturn\b\s*([^;]*);", code):
        expr = m.group(1).strip()
        s, e = m.start(1), m.start(1) + len(m.group(1).rstrip())
        if expr == "0":
            add("ret", s, e, "-1")
        elif expr == "-1" or re.fullmatch(r"-\s*(E[A-Z0-9]+|errno)", expr):
            add("ret", s, e, "0")
        elif expr in ("true", "false"):
            add("ret", s, e, "false" if expr == "true" else "true")
        elif re.fullmatch(r"[A-Za-z_]\w*", expr) and expr not in ("NULL",):
            head = func_head(m.start()) or ""
            if INT_RETURN.search(" " + head) and "*" not in head.split("(")[0].split()[-1]:
                add("ret", s, e, "!" + src[s:e])

    for m in re.finditer(r"(?<=[;{}):]|e)(\s*)(?:\(void\)\s*)?\b([A-Za-z_]\w*)\s*\(", code):
        name = m.group(2)
        stmt_start = m.start() + len(m.group(1))
        if code[m.start() - 1] == "e" and not code[: m.start()].endswith("else"):
            continue
        if code[m.start() - 1] == ")" and not re.search(
                r"\b(?:if|while|for)\s*\($", code[: matching_open(code, m.start() - 1) + 1]):
            continue  # ")" of a cast or a call, not of an if, while or for head
        if not (name in DEL_NAMES or name.startswith(DEL_PREFIXES) or name.endswith(DEL_SUFFIXES)):
            continue
        end = matching(code, m.end() - 1, "(", ")")
        if end < 0:
            continue
        rest = code[end:]
        if not rest.lstrip().startswith(";"):
            continue  # its value is used: not a statement of its own
        end += len(rest) - len(rest.lstrip()) + 1
        add("del", stmt_start, end, "((void)0);")

    return out


def matching_open(text, i):
    """Offset of the "(" matching the ")" at text[i], or -1."""
    depth = 0
    for j in range(i, -1, -1):
        if text[j] == ")":
            depth += 1
        elif text[j] == "(":
            depth -= 1
            if depth == 0:
                return j
    return -1


def short(text, limit=40):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def given_by(src, starter):
    """The functions starter (the exercise's starter file) has word for word
    as src does: the learner is given them, and the exercise's tests need not
    pin them down (a ring step's code from the step before is graded there)."""
    if starter is None:
        return set()
    with open(starter, encoding="utf-8") as f:
        theirs = bodies(f.read())
    return {n for n, body in bodies(src).items() if theirs.get(n) == body}


def starter_of(path):
    """chapters/<chapter>/<x>.c for solutions/<chapter>/<x>.c, if there is one."""
    parts = os.path.normpath(path).split(os.sep)
    if len(parts) >= 3 and parts[-3] == "solutions":
        starter = os.path.join(*(parts[:-3] + ["chapters"] + parts[-2:]))
        if os.path.isfile(starter):
            return starter
    return None


def mutants(path, starter=None):
    """[(id, line, description, mutated source)] for every site, in source
    order, outside the functions the starter gives."""
    with open(path, encoding="utf-8") as f:
        src = f.read()
    name = os.path.basename(path)
    lines = src.splitlines()
    seen = {}
    result = []
    for s in sorted(sites(src, given_by(src, starter)), key=lambda s: (s.start, s.op, s.new)):
        line_text = src.splitlines()[s.line - 1].strip()
        col = s.start - (src.rfind("\n", 0, s.start) + 1)
        # The column within the stripped line, so that re-indenting keeps ids.
        col -= len(src.splitlines()[s.line - 1]) - len(src.splitlines()[s.line - 1].lstrip())
        key = "\0".join((s.op, line_text, str(col), s.old, s.new))
        n = seen.get(key, 0)
        seen[key] = n + 1
        digest = hashlib.sha1((key + "\0" + str(n)).encode()).hexdigest()[:8]
        mid = "%s-%s" % (s.op, digest)
        where = "%s:%d" % (name, s.line)
        if lines[s.line - 1].count(s.old) > 1:
            where += ":%d" % (s.start - src.rfind("\n", 0, s.start))  # which of them
        desc = "%s: '%s' -> '%s'" % (where, short(s.old), short(s.new))
        if s.op == "del":
            desc = "%s: deleted '%s'" % (where, short(s.old))
        result.append((mid, s.line, desc, src[: s.start] + s.new + src[s.end :]))
    return result


def sample(ms, cap, ops):
    ms = [m for m in ms if m[0].split("-")[0] in ops]
    if cap is None or len(ms) <= cap:
        return ms
    by_op = {}
    for m in ms:
        by_op.setdefault(m[0].split("-")[0], []).append(m)
    for lst in by_op.values():
        lst.sort(key=lambda m: hashlib.sha1((SEED + m[0]).encode()).hexdigest())
    keep = set()
    while len(keep) < cap:
        for op in OPS:
            if by_op.get(op) and len(keep) < cap:
                keep.add(by_op[op].pop(0)[0])
    return [m for m in ms if m[0] in keep]


def main(argv):
    usage = "usage: mutate.py list FILE | write FILE DIR  [--cap N] [--ops OP,...] [--starter FILE]"
    args, cap, ops, starter = [], None, OPS, "auto"
    it = iter(argv[1:])
    for a in it:
        if a == "--cap":
            v = next(it, "")
            if not v.isdigit() or int(v) < 1:
                sys.exit("mutate.py: --cap needs a positive number, not '%s'" % v)
            cap = int(v)
        elif a == "--ops":
            ops = tuple(next(it, "").split(","))
            bad = [o for o in ops if o not in OPS]
            if bad:
                sys.exit("mutate.py: unknown operator '%s' (known: %s)" % (bad[0], ",".join(OPS)))
        elif a == "--starter":
            starter = next(it, None)
        else:
            args.append(a)
    if not args or args[0] not in ("list", "write") or len(args) != (2 if args[0] == "list" else 3):
        sys.exit(usage)
    try:
        if starter == "auto":
            starter = starter_of(args[1])
        ms = sample(mutants(args[1], starter), cap, ops)
    except OSError as e:
        sys.exit("mutate.py: %s: %s" % (e.filename, e.strerror))
    if args[0] == "list":
        for mid, line, desc, _ in ms:
            print("%s\t%d\t%s" % (mid, line, desc))
        return
    os.makedirs(args[2], exist_ok=True)
    with open(os.path.join(args[2], "mutants.tsv"), "w", encoding="utf-8") as tsv:
        for mid, line, desc, text in ms:
            with open(os.path.join(args[2], mid + ".c"), "w", encoding="utf-8") as f:
                f.write(text)
            tsv.write("%s\t%d\t%s\n" % (mid, line, desc))


if __name__ == "__main__":
    main(sys.argv)
