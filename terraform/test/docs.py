#!/usr/bin/env python3
"""Generates the inputs and outputs tables of docs/terraform.md from the root module's variables.tf
and outputs.tf, and those of every submodule's README.md (terraform/modules/**/README.md, one per
directory holding a variables.tf) from its own, between the <!-- BEGIN_TF_DOCS --> and
<!-- END_TF_DOCS --> markers. A submodule without a README.md holding the markers is an error.

    python3 terraform/test/docs.py          # rewrite the tables
    python3 terraform/test/docs.py --check  # fail when one is stale or missing (run.sh does this)
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


def tables(module, heading):
    """The inputs and outputs tables of the module in directory `module`."""
    variables = "".join(p.read_text() for p in sorted(module.glob("*.tf")) if p.name.startswith("variables"))
    outputs = "".join(p.read_text() for p in sorted(module.glob("*.tf")) if p.name.startswith("outputs"))
    lines = [heading + " Inputs", "", "| name | description | type | default |", "|---|---|---|---|"]
    for name, body in blocks(variables, "variable"):
        default = attribute(body, "default")
        type_ = attribute(body, "type") or "any"
        lines.append("| `%s` | %s | `%s` | %s |" % (
            name, cell(attribute(body, "description") or ""),
            type_,
            "**required**" if default is None else "`%s`" % default))
    lines += ["", heading + " Outputs", "", "| name | description |", "|---|---|"]
    for name, body in blocks(outputs, "output"):
        lines.append("| `%s` | %s |" % (name, cell(attribute(body, "description") or "")))
    return "\n".join(lines)


def documents():
    """(document, module directory, heading level): the root's page, then each submodule's README."""
    yield DOC, ROOT / "terraform", "###"
    for variables in sorted((ROOT / "terraform" / "modules").glob("**/variables.tf")):
        if ".terraform" not in variables.parts:
            yield variables.parent / "README.md", variables.parent, "##"


def main():
    check = "--check" in sys.argv
    problems = []
    for doc, module, heading in documents():
        name = doc.relative_to(ROOT)
        text = doc.read_text() if doc.is_file() else ""
        if BEGIN not in text or END not in text:
            problems.append("%s: missing, or without the %s and %s markers" % (name, BEGIN, END))
            continue
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        updated = head + BEGIN + "\n" + tables(module, heading) + "\n" + END + tail
        if updated == text:
            continue
        if check:
            problems.append("%s: inputs/outputs are stale: run python3 terraform/test/docs.py" % name)
        else:
            doc.write_text(updated)
            print("updated", name)
    if problems:
        sys.exit("\n".join(problems))
    if check:
        print("docs/terraform.md and every submodule's README.md match the code")


if __name__ == "__main__":
    main()
