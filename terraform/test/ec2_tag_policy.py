#!/usr/bin/env python3
"""EC2 mutations only on this deployment's instances: checked on every rendered policy.

Usage: ec2_tag_policy.py <terraform show -json of the applied (or planned) state>

moto does not evaluate ec2:ResourceTag or aws:RequestTag conditions (a statement carrying one refuses
whatever the tags), so "scale-down cannot terminate another pool's instance" cannot be told apart from
"scale-down cannot terminate at all" by enforcement. This check covers the documents instead. For the
roles of each pool's scale-up and scale-down and of the interruptions function (found through their
functions, whose ENVIRONMENT and POOL_NAME say which tags they may touch), every Allow of an EC2 action
other than Describe/Get/List must be one of:
  - tag-on-create: ec2:CreateTags with ec2:CreateAction limited to RunInstances/CreateFleet;
  - RunInstances limited by ec2:LaunchTemplate to the pool's own launch template;
  - CreateFleet on non-instance resources (the pool's template, subnets, groups, fleets, images), or on
    instances and volumes only with aws:RequestTag/spotrunner:environment (and :pool) set to its own;
  - anything else (TerminateInstances, CreateTags on existing instances, ...) only with
    ec2:ResourceTag/spotrunner:environment = its environment and, for a pool's function,
    ec2:ResourceTag/spotrunner:pool = its pool.
Each of the three kinds must have at least one such mutation checked. Exits 1 naming each offence.
"""
import json
import re
import sys

from state import as_list, report, resources

READ_ONLY = re.compile(r"^ec2:(Describe|Get|List)[A-Za-z]*$", re.I)
TAG_ON_CREATE = {"RunInstances", "CreateFleet"}


def condition(statement, key):
    """The values a statement's StringEquals/ArnLike/ArnEquals gives a condition key."""
    values = []
    for operator in ("StringEquals", "ArnLike", "ArnEquals"):
        values += as_list(statement.get("Condition", {}).get(operator, {}).get(key, []))
    return values


def subjects(everything):
    """role name -> (kind, environment, pool or None, launch template ARN or None)."""
    templates = {r["values"]["name"]: r["values"]["arn"] for r in everything if r["type"] == "aws_launch_template"}
    found = {}
    for r in everything:
        if r["type"] != "aws_lambda_function":
            continue
        env = (r["values"].get("environment") or [{}])[0].get("variables") or {}
        name = r["values"]["function_name"]
        kind = next((k for k in ("scale-up", "scale-down", "spot-interruptions") if name.endswith(k)), None)
        if kind is None:
            continue
        role = r["values"]["role"].split("/")[-1]
        found[role] = (kind, env["ENVIRONMENT"], env.get("POOL_NAME"), templates.get(env.get("LAUNCH_TEMPLATE_NAME")))
    return found


def offence(action, statement, environment, pool, template):
    """None when the statement confines the action to this environment (and pool), else why not."""
    name = action.split(":", 1)[1]
    if name.lower() == "createtags" and condition(statement, "ec2:CreateAction") and set(condition(statement, "ec2:CreateAction")) <= TAG_ON_CREATE:
        return None
    if name.lower() == "runinstances":
        templates = condition(statement, "ec2:LaunchTemplate")
        return None if templates and template and set(templates) == {template} else f"not limited by ec2:LaunchTemplate to {template} (has {templates})"
    if name.lower() == "createfleet":
        launched = [r for r in as_list(statement.get("Resource", [])) if r == "*" or re.search(r":(instance|volume)/", r)]
        if not launched:
            return None
        want = {"aws:RequestTag/spotrunner:environment": environment} | ({"aws:RequestTag/spotrunner:pool": pool} if pool else {})
        wrong = {k: condition(statement, k) for k, v in want.items() if condition(statement, k) != [v]}
        return None if not wrong else f"launches {launched} without request tags {want} (has {wrong})"
    want = {"ec2:ResourceTag/spotrunner:environment": environment} | ({"ec2:ResourceTag/spotrunner:pool": pool} if pool else {})
    wrong = {k: condition(statement, k) for k, v in want.items() if condition(statement, k) != [v]}
    return None if not wrong else f"not conditioned on {want} (has {wrong})"


def problems(state):
    everything = list(resources(state["values"]["root_module"]))
    roles = subjects(everything)
    found, checked, kinds = [], 0, set()
    for res in everything:
        if res["type"] != "aws_iam_role_policy" or res["values"]["role"] not in roles:
            continue
        kind, environment, pool, template = roles[res["values"]["role"]]
        for statement in as_list(json.loads(res["values"]["policy"])["Statement"]):
            if statement.get("Effect") != "Allow":
                continue
            for action in as_list(statement.get("Action", [])):
                if not action.lower().startswith("ec2:") or READ_ONLY.match(action):
                    continue
                checked += 1
                kinds.add(kind)
                why = offence(action, statement, environment, pool, template)
                if why:
                    found.append(f"{res['address']}: {statement.get('Sid', '(no Sid)')} allows {action} {why}")
    for kind in ("scale-up", "scale-down", "spot-interruptions"):
        if kind not in kinds:
            found.append(f"no EC2 mutation of a {kind} role found: the check found nothing to check")
    return found, checked


def main(state_path):
    found, checked = problems(json.load(open(state_path, encoding="utf-8")))
    report(found, f"{checked} EC2 mutations of scale-up, scale-down and interruptions confined to their environment's "
          "(and pool's) tags, own launch template or tag-on-create")


if __name__ == "__main__":
    main(sys.argv[1])
