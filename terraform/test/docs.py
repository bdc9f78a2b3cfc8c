#!/usr/bin/env python3
"""Generates the inputs and outputs tables of docs/terraform.md from the root module's variables.tf
and outputs.tf, between the <!-- BEGIN_TF_DOCS --> and <!-- END_TF_DOCS --> markers.

    python3 terraform/test/docs.py          # rewrite the tables
    python3 terraform/test/docs.py --check  # fail when they are stale (run.sh does this)
"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "terraform.md"
BEGIN, END = "<!-- BEGIN_TF_DOCS -->", "<!-- END_TF_DOCS -->"


def blocks(text, kind):
    """Yields (name, body) of every top-level `kind "name" { ... }` block."""
    for match in re.finditer(r'^%s\s+"([^"]+)"\s*\{' % kind, text, re.M):
        depth, start = 0, match.end() - 1
        for i in range(start, len(text)):
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            if depth == 0:
                yield match.group(1), text[start + 1:i]
                break


def attribute(body, name):
    """A top-level attribute's source text: one line, or a balanced multi-line value, or a heredoc."""
    match = re.search(r"^  %s\s*=\s*(.*)$" % name, body, re.M)
    if not match:
        return None
    value = match.group(1).strip()
    heredoc = re.match(r"<<-?(\w+)", value)
    if heredoc:
        rest = body[match.end():]
        return " ".join(rest[: rest.index(heredoc.group(1))].split())
    if value.count("{") + value.count("[") + value.count("(") > value.count("}") + value.count("]") + value.count(")"):
        if name == "type":  # object({ / list(object({ -> object / list(object)
            head = value.replace("({", "").rstrip("({[ ")
            return head + ")" * (head.count("(") - head.count(")"))
        return "see variables.tf"
    return value


def cell(text):
    text = text.replace("|", "\\|")
    return text[1:-1] if text.startswith('"') and text.endswith('"') else text


def tables():
    variables = (ROOT / "terraform" / "variables.tf").read_text()
    outputs = (ROOT / "terraform" / "outputs.tf").read_text()
    lines = ["### Inputs", "", "| name | description | type | default |", "|---|---|---|---|"]
    for name, body in blocks(variables, "variable"):
        default = attribute(body, "default")
        type_ = attribute(body, "type") or "any"
        lines.append("| `%s` | %s | `%s` | %s |" % (
            name, cell(attribute(body, "description") or ""),
            type_,
            "**required**" if default is None else "`%s`" % default))
    lines += ["", "### Outputs", "", "| name | description |", "|---|---|"]
    for name, body in blocks(outputs, "output"):
        lines.append("| `%s` | %s |" % (name, cell(attribute(body, "description") or "")))
    return "\n".join(lines)


def main():
    doc = DOC.read_text()
    head, rest = doc.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    updated = head + BEGIN + "\n" + tables() + "\n" + END + tail
    if "--check" in sys.argv:
        if updated != doc:
            sys.exit("docs/terraform.md inputs/outputs are stale: run python3 terraform/test/docs.py")
        print("docs/terraform.md inputs and outputs match the code")
    else:
        DOC.write_text(updated)


if __name__ == "__main__":
    main()
