#!/usr/bin/env python3
"""Each runner instance may read and delete only its own config: checked on every rendered policy.

Usage: runner_config_policy.py <terraform show -json of the applied (or planned) state>

moto cannot evaluate resource-tag conditions, so the enforcement test cannot show that one instance
is refused another's config. This check covers the policy document instead: every Allow statement
of a runner instance role whose actions reach a parameter read or delete (ssm:GetParameter,
GetParameters, GetParametersByPath, DeleteParameter, DeleteParameters, or a wildcard covering one)
must carry StringEquals ssm:resourceTag/spotrunner:instance = ${ec2:SourceInstanceARN}, the tag
scale-up writes on each config. A kms:Decrypt the runner role holds must be limited to SSM and S3
with kms:ViaService. Exits 1 naming each offending statement.
"""
import fnmatch
import json
import sys

from state import as_list, report, resources

PARAMETER_ACTIONS = ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath",
                     "ssm:DeleteParameter", "ssm:DeleteParameters", "ssm:GetParameterHistory"]
TAG_KEY = "ssm:resourceTag/spotrunner:instance"
INSTANCE_ARN = "${ec2:SourceInstanceARN}"


def reaches(pattern, actions):
    """The actions among `actions` an IAM action pattern (case-insensitive, * and ?) covers."""
    return [a for a in actions if fnmatch.fnmatchcase(a.lower(), pattern.lower())]


def problems(state):
    everything = list(resources(state["values"]["root_module"]))
    runner_roles = {r["values"]["name"] for r in everything
                    if r["type"] == "aws_iam_role" and r["address"].endswith("aws_iam_role.runner")}
    if not runner_roles:
        return ["no runner instance role (aws_iam_role.runner) in the state"], 0
    found, checked = [], 0
    for res in everything:
        if res["type"] != "aws_iam_role_policy" or res["values"]["role"] not in runner_roles:
            continue
        for statement in as_list(json.loads(res["values"]["policy"])["Statement"]):
            if statement.get("Effect") != "Allow":
                continue
            actions = as_list(statement.get("Action", []))
            sid = statement.get("Sid", "(no Sid)")
            condition = statement.get("Condition", {})
            reached = sorted({a for pattern in actions for a in reaches(pattern, PARAMETER_ACTIONS)})
            if reached:
                checked += 1
                values = as_list(condition.get("StringEquals", {}).get(TAG_KEY, []))
                if values != [INSTANCE_ARN]:
                    found.append(f"{res['address']}: {sid} allows {', '.join(reached)} without "
                                 f"StringEquals {TAG_KEY} = {INSTANCE_ARN} (has {json.dumps(condition)})")
            if any(reaches(pattern, ["kms:Decrypt"]) for pattern in actions):
                checked += 1
                via = as_list(condition.get("StringEquals", {}).get("kms:ViaService", []))
                if not via or any(not v.startswith(("ssm.", "s3.")) for v in via):
                    found.append(f"{res['address']}: {sid} allows kms:Decrypt beyond SSM and S3 "
                                 f"(kms:ViaService {via or 'missing'})")
    if checked == 0:
        found.append("no runner statement reads a parameter: the check found nothing to check")
    return found, checked


def main(state_path):
    found, checked = problems(json.load(open(state_path, encoding="utf-8")))
    report(found, f"{checked} runner statements reading parameters or decrypting are confined to the "
          "instance's own config and to SSM/S3")


if __name__ == "__main__":
    main(sys.argv[1])
