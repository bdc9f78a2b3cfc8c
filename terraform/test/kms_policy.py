#!/usr/bin/env python3
"""A customer managed key that works and admits no more than it must: examples/kms, applied.

Usage: kms_policy.py <terraform show -json of an applied configuration with kms_key_arn set>

Checked on the rendered policies (moto does not evaluate key policies):
  1. every KMS statement of every role the module creates is on the key alone and carries
     kms:ViaService (the service the role uses the key through); a CreateGrant also
     kms:GrantIsForAWSResource;
  2. the key policy admits each of those roles for each action and service its IAM statements name,
     by its exact ARN (aws:PrincipalArn, with the role path) and the same kms:ViaService: a role the
     key policy forgets fails at its first encrypted call in a real account;
  3. the key policy admits the EC2 spot and EC2 Fleet service-linked roles (their grants only for an
     AWS resource), CloudWatch Logs for every log group the module encrypts with the key, and a named
     principal (the administrators, who run Terraform) to write and read the App parameters through SSM;
  4. it does not delegate to the whole account: no statement for the account root or "*" without
     an aws:PrincipalArn condition.
Exits 1 naming each failure.
"""
import fnmatch
import json
import sys

from state import as_list, report, resources


def covers(patterns, action):
    return any(fnmatch.fnmatchcase(action.lower(), p.lower()) for p in as_list(patterns))


def condition_values(statement, operator, key):
    return as_list(statement.get("Condition", {}).get(operator, {}).get(key, []))


def problems(state):
    everything = list(resources(state["values"]["root_module"]))
    keys = [r for r in everything if r["type"] == "aws_kms_key"]
    if len(keys) != 1:
        return [f"expected one aws_kms_key in the state, found {len(keys)}"], 0
    key_arn = keys[0]["values"]["arn"]
    key_policy = as_list(json.loads(keys[0]["values"]["policy"])["Statement"])
    account = key_arn.split(":")[4]
    partition = key_arn.split(":")[1]
    root = f"arn:{partition}:iam::{account}:root"
    roles = {r["values"]["name"]: r["values"]["arn"] for r in everything if r["type"] == "aws_iam_role"}
    found, checked = [], 0

    # 1 and 2: each role's KMS statements, and the key policy's admission of them.
    for res in everything:
        if res["type"] != "aws_iam_role_policy":
            continue
        role_arn = roles.get(res["values"]["role"])
        for statement in as_list(json.loads(res["values"]["policy"])["Statement"]):
            actions = [a for a in as_list(statement.get("Action", [])) if a.lower().startswith("kms:")]
            if statement.get("Effect") != "Allow" or not actions:
                continue
            sid = f"{res['address']} {statement.get('Sid', '(no Sid)')}"
            checked += 1
            if as_list(statement.get("Resource")) != [key_arn]:
                found.append(f"{sid}: KMS actions on {statement.get('Resource')}, not the key alone")
            via = condition_values(statement, "StringEquals", "kms:ViaService")
            if not via:
                found.append(f"{sid}: {', '.join(actions)} without kms:ViaService: usable on anything the key encrypts")
                continue
            grant = any(covers(a, "kms:CreateGrant") or covers("kms:CreateGrant", a) for a in actions)
            if grant and condition_values(statement, "Bool", "kms:GrantIsForAWSResource") != ["true"]:
                found.append(f"{sid}: kms:CreateGrant without kms:GrantIsForAWSResource")
            if role_arn is None:
                found.append(f"{sid}: role {res['values']['role']} is not in the state")
                continue
            for action in actions:
                for service in via:
                    admitted = [k for k in key_policy if k.get("Effect") == "Allow"
                                and k.get("Principal", {}).get("AWS") in (root, [root])
                                and role_arn in condition_values(k, "ArnEquals", "aws:PrincipalArn")
                                and covers(k.get("Action", []), action)
                                and service in condition_values(k, "StringEquals", "kms:ViaService")
                                and (not grant or condition_values(k, "Bool", "kms:GrantIsForAWSResource") == ["true"])]
                    if not admitted:
                        found.append(f"{sid}: the key policy does not admit {role_arn} to {action} through {service}")

    # 3: the service-linked roles and CloudWatch Logs.
    for service, name in (("spot.amazonaws.com", "AWSServiceRoleForEC2Spot"), ("ec2fleet.amazonaws.com", "AWSServiceRoleForEC2Fleet")):
        arn = f"arn:{partition}:iam::{account}:role/aws-service-role/{service}/{name}"
        named = [k for k in key_policy if k.get("Effect") == "Allow" and arn in as_list(k.get("Principal", {}).get("AWS", []))]
        for action in ("kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey"):
            if not any(covers(k.get("Action", []), action) for k in named):
                found.append(f"the key policy does not admit {name} to {action}")
        if not any(covers(k.get("Action", []), "kms:CreateGrant") and condition_values(k, "Bool", "kms:GrantIsForAWSResource") == ["true"] for k in named):
            found.append(f"the key policy does not let {name} create grants for AWS resources")
        checked += 1
    logs = [k for k in key_policy if k.get("Effect") == "Allow" and str(k.get("Principal", {}).get("Service", "")).startswith("logs.")]
    for res in everything:
        if res["type"] == "aws_cloudwatch_log_group" and res["values"].get("kms_key_id") == key_arn:
            checked += 1
            group = res["values"]["arn"].removesuffix(":*")
            if not any(covers(k.get("Action", []), "kms:GenerateDataKey") and any(
                    fnmatch.fnmatchcase(group, p) for p in condition_values(k, "ArnLike", "kms:EncryptionContext:aws:logs:arn")) for k in logs):
                found.append(f"the key policy does not let CloudWatch Logs encrypt {group}")

    # 3b: whoever runs Terraform writes the App parameters under the key and reads them back.
    writers = [k for k in key_policy if k.get("Effect") == "Allow"
               and root not in as_list(k.get("Principal", {}).get("AWS", [root]))
               and f"ssm.{key_arn.split(':')[3]}.amazonaws.com" in condition_values(k, "StringEquals", "kms:ViaService")]
    for res in everything:
        if res["type"] == "aws_ssm_parameter" and res["values"].get("key_id") == key_arn:
            checked += 1
            for action in ("kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"):
                if not any(covers(k.get("Action", []), action) for k in writers):
                    found.append(f"{res['address']}: the key policy lets no administrator {action} through SSM: Terraform cannot write or read it")

    # 4: not delegating to every principal of the account.
    for k in key_policy:
        principal = k.get("Principal", {})
        aws = as_list(principal.get("AWS", [])) if isinstance(principal, dict) else [principal]
        if k.get("Effect") == "Allow" and any(p in (root, "*", account) for p in aws) and not condition_values(k, "ArnEquals", "aws:PrincipalArn"):
            found.append(f"key policy {k.get('Sid', '(no Sid)')} admits every principal of the account (no aws:PrincipalArn)")
    return found, checked


def main(state_path):
    found, checked = problems(json.load(open(state_path, encoding="utf-8")))
    if checked == 0:
        found.append("no KMS statement found: is kms_key_arn set?")
    report(found, f"{checked} role KMS statements, service-linked roles and log groups: each admitted by the key policy "
          "through its service only, the key not delegated to the account")


if __name__ == "__main__":
    main(sys.argv[1])
