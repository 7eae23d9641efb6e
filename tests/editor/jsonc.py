"""Reads the JSON with comments that VS Code and Dev Containers accept.

devcontainer.json, tasks.json and launch.json may hold // and /* */
comments; anything else must be plain JSON (no trailing commas, which
strict tools such as jq and the devcontainer CLI's own parser reject).
"""
import json


def strip_comments(text):
    """text without its comments; a // inside a string is kept."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i : j + 1])
            i = j + 1
        elif text.startswith("//", i):
            while i < n and text[i] != "\n":
                i += 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise ValueError("a /* comment is never closed")
            out.append("\n" * text.count("\n", i, end))  # line numbers stay right
            i = end + 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def load(path):
    """The value in path; ValueError saying where it is not valid."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        return json.loads(strip_comments(text))
    except json.JSONDecodeError as e:
        raise ValueError(f"{path}:{e.lineno}: not valid JSON: {e.msg}") from None
