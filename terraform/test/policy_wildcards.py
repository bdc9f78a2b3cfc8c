#!/usr/bin/env python3
"""Every IAM policy the applied module renders, checked for "*" resources on mutating actions.

Usage: policy_wildcards.py <terraform show -json of the applied state> <docs/security.md>

A statement that allows a mutating action (anything but Describe/Get/List) on Resource "*" fails the
check unless docs/security.md's allow-list names its Sid and action with a reason. An allow-listed
row that says "condition <key>" must carry that condition key. Managed policies must be on the
allow-list too (AmazonSSMManagedInstanceCore, for one, reads every parameter).
"""
import json
import re
import sys

from state import resources, as_list

READ_ONLY = re.compile(r"^[a-z0-9-]+:(Describe|Get|List)[A-Za-z]*$")


def allow_list(doc_path):
    """Rows of the table between the allow-list markers: | Sid | action | reason |."""
    text = open(doc_path, encoding="utf-8").read()
    block = text.split("<!-- wildcard-allow-list:start -->")[1].split("<!-- wildcard-allow-list:end -->")[0]
    rows = {}
    for line in block.splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] in ("Statement (Sid) or managed policy", "") or set(cells[0]) <= {"-", " "}:
            continue
        if not cells[2]:
            sys.exit(f"allow-list row {cells[0]} / {cells[1]} has no reason")
        rows[(cells[0], cells[1])] = cells[2]
    return rows


def main(state_path, doc_path):
    state = json.load(open(state_path, encoding="utf-8"))
    allowed = allow_list(doc_path)
    used, failures, checked = set(), [], 0
    for res in resources(state["values"]["root_module"]):
        values = res["values"]
        if res["type"] == "aws_iam_role_policy_attachment":
            arn = values["policy_arn"]
            name = arn.split(":policy/")[-1]
            checked += 1
            if (name, "(managed policy)") in allowed:
                used.add((name, "(managed policy)"))
            else:
                failures.append(f"{res['address']}: managed policy {arn} is not on the allow-list")
            continue
        if res["type"] not in ("aws_iam_role_policy", "aws_iam_policy"):
            continue
        for statement in as_list(json.loads(values["policy"])["Statement"]):
            if statement["Effect"] != "Allow" or "*" not in as_list(statement.get("Resource", [])):
                continue
            for action in as_list(statement["Action"]):
                checked += 1
                if READ_ONLY.match(action):
                    continue
                key = (statement.get("Sid", ""), action)
                reason = allowed.get(key)
                if reason is None:
                    failures.append(f"{res['address']}: {key[0] or '(no Sid)'} allows {action} on \"*\" and is not on the allow-list")
                    continue
                used.add(key)
                needed = re.search(r"condition `?([A-Za-z0-9:/_-]+)", reason)
                present = {k for cond in statement.get("Condition", {}).values() for k in cond}
                if needed and needed.group(1) not in present:
                    failures.append(f"{res['address']}: {key[0]} {action} lacks the condition {needed.group(1)} its reason names")
    for failure in failures:
        print("FAIL:", failure)
    if failures:
        sys.exit(1)
    print(f"ok: {checked} statement actions and attachments checked; {len(used)} allow-listed wildcards, each with a reason")
    unused = sorted(set(allowed) - used)
    if unused:
        print("note: allow-list rows this configuration does not render:", ", ".join(f"{s}/{a}" for s, a in unused))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
