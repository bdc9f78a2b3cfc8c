#!/usr/bin/env python3
"""IAM enforced, not read: each role of the applied module acts with its own credentials on moto.

Usage: iam_enforcement.py <endpoint> <outputs.json> <terraform show -json> <pool with SSM sessions>

moto_server evaluates identity policies once /moto-api/reset-auth turns its access control on. What it
evaluates (moto 5): the action, always; the resource only for SQS queues, IAM/STS and S3 objects (SSM
and EC2 requests are checked against "*", so a statement scoped to a parameter ARN never matches);
conditions only from keys it knows (none of EC2's ec2:ResourceTag/*, so a tag-conditioned statement is
refused whatever the tags). So this test proves what moto can tell apart, docs/security.md lists the
rest: a runner reads no SSM parameter through a "*" grant (the App key, the webhook secret), touches
no queue and no IAM; the webhook sends to the pools' queues and reads none; each pool's scale-up and
scale-down reach their own queues and not another pool's; the runner reads its own tarball only; the
binary syncer writes only under its cache prefix and reaches no secret, queue or instance; the
redelivery sweeper and the interruptions function reach no webhook secret, tarball or queue (the
interruptions function describes instances). Terminating another pool's or environment's instance is
refused here, but so would be terminating their own: the tag conditions are checked by ec2_tag_policy.py.
"""
import json
import sys
import urllib.request

import boto3
from botocore.exceptions import ClientError

from state import resources

endpoint, outputs_file, state_file, ssm_pool = sys.argv[1:5]
out = {k: v["value"] for k, v in json.load(open(outputs_file)).items()}
state = json.load(open(state_file))
failures = []


roles = {r["values"]["name"]: r["values"]["arn"] for r in resources(state["values"]["root_module"]) if r["type"] == "aws_iam_role"}
admin = dict(aws_access_key_id="test", aws_secret_access_key="test")


def client(service, creds=admin):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", **creds)


def role_credentials(name):
    c = client("sts").assume_role(RoleArn=roles[name], RoleSessionName="iam-enforcement")["Credentials"]
    return dict(aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"])


def expect(allowed, what, call):
    try:
        call()
        outcome = True
    except ClientError as e:
        code = e.response["Error"]["Code"]
        status = e.response["ResponseMetadata"].get("HTTPStatusCode")
        # Denied (403, or an AccessDenied code) is the verdict under test; any other error
        # (NoSuchKey...) means IAM let the request through.
        outcome = status != 403 and "AccessDenied" not in code and code != "UnauthorizedOperation"
    verdict = "allowed" if outcome else "denied"
    if outcome != allowed:
        failures.append(f"{what}: {verdict}, expected {'allowed' if allowed else 'denied'}")
    print(f"  {'ok' if outcome == allowed else 'FAIL'}: {what} -> {verdict}")


def set_auth(count):
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset-auth", data=str(count).encode(), method="POST",
                                                  headers={"Content-Type": "text/plain"}))


pools = sorted(out["queue_urls"])
first, second = pools[0], pools[1]
prefix = "local"
app = out["github_app_parameter_names"]
sqs_admin = client("sqs")
dlq = {p: sqs_admin.get_queue_url(QueueName=f"{prefix}-{p}-jobs-dlq")["QueueUrl"] for p in pools}

# Credentials while moto still lets everything through: an admin user (the positive control) and a
# session for each role.
iam = client("iam")
iam.create_user(UserName="iam-enforcement-admin")
iam.put_user_policy(UserName="iam-enforcement-admin", PolicyName="all", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
key = iam.create_access_key(UserName="iam-enforcement-admin")["AccessKey"]
admin_user = dict(aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
creds = {name: role_credentials(name) for name in [
    f"{prefix}-{ssm_pool}-runner", f"{prefix}-{first}-runner", "local-webhook-role",
    f"{prefix}-{first}-scale-up", f"{prefix}-{first}-scale-down",
    f"{prefix}-binary-syncer-role", f"{prefix}-redelivery-sweeper-role", f"{prefix}-spot-interruptions-role"]}

# Instances no role under test may terminate: one of another pool of this environment, one of another
# environment. Launched as admin before enforcement is on.
ec2_admin = client("ec2")
def launch(tags):
    spec = [{"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]
    return ec2_admin.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, TagSpecifications=spec)["Instances"][0]["InstanceId"]
other_pool_instance = launch({"spotrunner:environment": prefix, "spotrunner:pool": second})
other_env_instance = launch({"spotrunner:environment": "other-environment", "spotrunner:pool": first})

# Resource policies moto does not evaluate for SQS: at least each queue carries its TLS-only deny.
for pool in pools:
    for url in (out["queue_urls"][pool], dlq[pool]):
        policy = json.loads(sqs_admin.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"].get("Policy", "{}"))
        denies = [s for s in policy.get("Statement", []) if s.get("Effect") == "Deny" and s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"]
        if not denies:
            failures.append(f"{url}: no deny-insecure-transport statement in the queue policy")
print(f"  {'FAIL' if failures else 'ok'}: every jobs queue and DLQ denies plain HTTP in its policy")

set_auth(0)
try:
    print("admin user (control: enforcement admits what a policy allows)")
    expect(True, "admin reads the App key", lambda: client("ssm", admin_user).get_parameter(Name=app["key"], WithDecryption=True))
    expect(True, "admin receives from a jobs queue", lambda: client("sqs", admin_user).receive_message(QueueUrl=out["queue_urls"][first]))

    for pool in (ssm_pool, first):
        runner = creds[f"{prefix}-{pool}-runner"]
        print(f"runner instance of pool {pool}{' (Session Manager on)' if pool == ssm_pool else ''}")
        expect(False, "runner reads the GitHub App key", lambda: client("ssm", runner).get_parameter(Name=app["key"], WithDecryption=True))
        expect(False, "runner reads the webhook secret", lambda: client("ssm", runner).get_parameter(Name=app["webhook_secrets"][0], WithDecryption=True))
        expect(False, "runner lists parameters by path", lambda: client("ssm", runner).get_parameters_by_path(Path="/local", Recursive=True))
        expect(False, "runner writes a parameter", lambda: client("ssm", runner).put_parameter(Name="/local/github-app/key", Value="x", Type="String", Overwrite=True))
        expect(False, "runner sends a job message", lambda: client("sqs", runner).send_message(QueueUrl=out["queue_urls"][pool], MessageBody="{}"))
        expect(False, "runner receives job messages", lambda: client("sqs", runner).receive_message(QueueUrl=out["queue_urls"][pool]))
        expect(False, "runner creates IAM access keys", lambda: client("iam", runner).create_access_key(UserName="iam-enforcement-admin"))
        expect(False, "runner terminates an instance", lambda: client("ec2", runner).terminate_instances(InstanceIds=["i-0123456789abcdef0"]))
    runner = creds[f"{prefix}-{first}-runner"]
    tarball = next(json.loads(r["values"]["policy"]) for r in resources(state["values"]["root_module"])
                   if r["type"] == "aws_iam_role_policy" and r["values"]["role"] == f"{prefix}-{first}-runner" and r["values"]["name"] == "runner")
    tarball_arn = next(s["Resource"] for s in tarball["Statement"] if s["Sid"] == "ReadRunnerTarball")
    bucket, tarball_key = tarball_arn.split(":::", 1)[1].split("/", 1)
    expect(True, "runner reads its runner tarball (NoSuchKey counts: IAM let it through)", lambda: client("s3", runner).get_object(Bucket=bucket, Key=tarball_key))
    expect(False, "runner reads another object in the runner bucket", lambda: client("s3", runner).get_object(Bucket=bucket, Key="other/object"))

    webhook = creds["local-webhook-role"]
    print("webhook")
    for pool in pools:
        expect(True, f"webhook sends to {pool}'s queue", lambda: client("sqs", webhook).send_message(QueueUrl=out["queue_urls"][pool], MessageBody="{}"))
    expect(False, "webhook receives job messages", lambda: client("sqs", webhook).receive_message(QueueUrl=out["queue_urls"][first]))
    expect(False, "webhook deletes a queue", lambda: client("sqs", webhook).delete_queue(QueueUrl=out["queue_urls"][first]))
    expect(False, "webhook sends to a DLQ", lambda: client("sqs", webhook).send_message(QueueUrl=dlq[first], MessageBody="{}"))

    up, down = creds[f"{prefix}-{first}-scale-up"], creds[f"{prefix}-{first}-scale-down"]
    print(f"scale-up and scale-down of pool {first}")
    expect(True, "scale-up receives from its queue", lambda: client("sqs", up).receive_message(QueueUrl=out["queue_urls"][first]))
    expect(False, f"scale-up receives from pool {second}'s queue", lambda: client("sqs", up).receive_message(QueueUrl=out["queue_urls"][second]))
    expect(True, "scale-up dead-letters to its DLQ", lambda: client("sqs", up).send_message(QueueUrl=dlq[first], MessageBody="{}"))
    expect(False, f"scale-up sends to pool {second}'s DLQ", lambda: client("sqs", up).send_message(QueueUrl=dlq[second], MessageBody="{}"))
    expect(False, "scale-up creates IAM access keys", lambda: client("iam", up).create_access_key(UserName="iam-enforcement-admin"))
    expect(True, "scale-down redrives its DLQ", lambda: client("sqs", down).receive_message(QueueUrl=dlq[first]))
    expect(False, f"scale-down receives from pool {second}'s DLQ", lambda: client("sqs", down).receive_message(QueueUrl=dlq[second]))
    expect(False, "scale-down receives from its jobs queue (only scale-up consumes it)", lambda: client("sqs", down).receive_message(QueueUrl=out["queue_urls"][first]))
    # moto refuses any statement with ec2:ResourceTag conditions whatever the tags, so these show only
    # that no unconditioned grant lets them through; ec2_tag_policy.py checks the conditions name the
    # role's own environment and pool.
    expect(False, f"scale-up terminates pool {second}'s instance", lambda: client("ec2", up).terminate_instances(InstanceIds=[other_pool_instance]))
    expect(False, f"scale-down terminates pool {second}'s instance", lambda: client("ec2", down).terminate_instances(InstanceIds=[other_pool_instance]))
    expect(False, "scale-up terminates another environment's instance", lambda: client("ec2", up).terminate_instances(InstanceIds=[other_env_instance]))
    expect(False, "scale-down reads the webhook secret", lambda: client("ssm", down).get_parameter(Name=app["webhook_secrets"][0], WithDecryption=True))

    syncer = creds[f"{prefix}-binary-syncer-role"]
    syncer_policy = next(json.loads(r["values"]["policy"]) for r in resources(state["values"]["root_module"])
                         if r["type"] == "aws_iam_role_policy" and r["values"]["role"] == f"{prefix}-binary-syncer-role")
    cache_prefix = next(s["Resource"] for s in syncer_policy["Statement"] if s["Sid"] == "ReadAndWriteTarballs").split(":::", 1)[1].split("/", 1)[1].rstrip("*")
    print(f"binary syncer (cache prefix {cache_prefix})")
    expect(True, "syncer writes a tarball under its prefix", lambda: client("s3", syncer).put_object(Bucket=bucket, Key=f"{cache_prefix}enforcement-test.tar.gz", Body=b"x"))
    expect(True, "syncer reads the runner tarball", lambda: client("s3", syncer).get_object(Bucket=bucket, Key=tarball_key))
    expect(False, "syncer writes outside its prefix", lambda: client("s3", syncer).put_object(Bucket=bucket, Key="other/object", Body=b"x"))
    expect(False, "syncer deletes a tarball", lambda: client("s3", syncer).delete_object(Bucket=bucket, Key=tarball_key))
    expect(False, "syncer reads the GitHub App key", lambda: client("ssm", syncer).get_parameter(Name=app["key"], WithDecryption=True))
    expect(False, "syncer sends a job message", lambda: client("sqs", syncer).send_message(QueueUrl=out["queue_urls"][first], MessageBody="{}"))
    expect(False, "syncer terminates an instance", lambda: client("ec2", syncer).terminate_instances(InstanceIds=[other_pool_instance]))
    expect(False, "syncer creates IAM access keys", lambda: client("iam", syncer).create_access_key(UserName="iam-enforcement-admin"))

    sweeper = creds[f"{prefix}-redelivery-sweeper-role"]
    print("redelivery sweeper (its one grant, the App's id and key, is scoped to their ARNs: moto cannot show it)")
    expect(False, "sweeper reads the webhook secret", lambda: client("ssm", sweeper).get_parameter(Name=app["webhook_secrets"][0], WithDecryption=True))
    expect(False, "sweeper writes a parameter", lambda: client("ssm", sweeper).put_parameter(Name="/local/github-app/key", Value="x", Type="String", Overwrite=True))
    expect(False, "sweeper reads the runner tarball", lambda: client("s3", sweeper).get_object(Bucket=bucket, Key=tarball_key))
    expect(False, "sweeper sends a job message", lambda: client("sqs", sweeper).send_message(QueueUrl=out["queue_urls"][first], MessageBody="{}"))
    expect(False, "sweeper receives job messages", lambda: client("sqs", sweeper).receive_message(QueueUrl=out["queue_urls"][first]))
    expect(False, "sweeper describes instances", lambda: client("ec2", sweeper).describe_instances())
    expect(False, "sweeper terminates an instance", lambda: client("ec2", sweeper).terminate_instances(InstanceIds=[other_pool_instance]))
    expect(False, "sweeper creates IAM access keys", lambda: client("iam", sweeper).create_access_key(UserName="iam-enforcement-admin"))

    interruptions = creds[f"{prefix}-spot-interruptions-role"]
    print("spot interruptions")
    expect(True, "interruptions describes instances", lambda: client("ec2", interruptions).describe_instances())
    expect(False, "interruptions terminates another environment's instance", lambda: client("ec2", interruptions).terminate_instances(InstanceIds=[other_env_instance]))
    expect(False, "interruptions reads the webhook secret", lambda: client("ssm", interruptions).get_parameter(Name=app["webhook_secrets"][0], WithDecryption=True))
    expect(False, "interruptions reads the runner tarball", lambda: client("s3", interruptions).get_object(Bucket=bucket, Key=tarball_key))
    expect(False, "interruptions receives job messages", lambda: client("sqs", interruptions).receive_message(QueueUrl=out["queue_urls"][first]))
    expect(False, "interruptions sends a job message", lambda: client("sqs", interruptions).send_message(QueueUrl=out["queue_urls"][first], MessageBody="{}"))
    expect(False, "interruptions creates IAM access keys", lambda: client("iam", interruptions).create_access_key(UserName="iam-enforcement-admin"))
finally:
    set_auth("inf")

# The refusals left the instances as they were.
states = {i["InstanceId"]: i["State"]["Name"] for r in ec2_admin.describe_instances(InstanceIds=[other_pool_instance, other_env_instance])["Reservations"] for i in r["Instances"]}
for instance, state_name in states.items():
    if state_name != "running":
        failures.append(f"{instance} is {state_name} after the refused terminations")
print(f"  {'ok' if all(v == 'running' for v in states.values()) else 'FAIL'}: the other pool's and environment's instances still run: {states}")

if failures:
    print("\n".join(["FAIL: " + f for f in failures]))
    sys.exit(1)
print("ok: every role allowed and refused as expected under moto's IAM enforcement")
