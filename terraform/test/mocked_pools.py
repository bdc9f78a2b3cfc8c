"""Checks the resources of terraform/test/mocked/pools.tftest.hcl's mocked apply.

Usage: python3 terraform/test/mocked_pools.py TEST_JSON
  TEST_JSON: the output of `terraform -chdir=terraform test -test-directory=test/mocked -json -verbose`.
Checks, per pool of that file: the runner log group is encrypted with kms_key_arn; scale-up registers the
pool's labels plus its extra_labels (POOL_LABELS); scale-down's boot grace is the pool's own, at least 20 on
Windows, else the root boot_grace_minutes; the Windows install pool's user_data runs install-runner.ps1.
Exits non-zero naming every failed check.
"""
import base64
import json
import sys

KMS_KEY = "arn:aws:kms:eu-west-1:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
# pool -> (POOL_LABELS, BOOT_GRACE_MINUTES), from the pools of pools.tftest.hcl
EXPECTED = {
    "linux": ("self-hosted,linux,x64,ci-extra", "6"),
    "windows": ("self-hosted,windows,x64", "20"),
    "slow": ("self-hosted,linux,slow", "30"),
}


def resources(module):
    yield from module.get("resources", [])
    for child in module.get("child_modules", []):
        yield from resources(child)


def main(path):
    states = [json.loads(line)["test_state"] for line in open(path) if '"type":"test_state"' in line]
    if len(states) != 1:
        sys.exit(f"expected one test_state in {path}, found {len(states)} (did the mocked apply fail?)")
    by_address = {r["address"]: r["values"] for r in resources(states[0]["root_module"])}
    failures = []

    def check(condition, message):
        print(("ok: " if condition else "FAILED: ") + message)
        if not condition:
            failures.append(message)

    def env(address):
        values = by_address.get(address) or {}
        return ((values.get("environment") or [{}])[0] or {}).get("variables") or {}

    for pool, (labels, grace) in EXPECTED.items():
        group = by_address.get(f'module.runners["{pool}"].aws_cloudwatch_log_group.runner') or {}
        check(group.get("kms_key_id") == KMS_KEY,
              f"{pool}: runner log group {group.get('name')} encrypted with kms_key_arn (kms_key_id {group.get('kms_key_id')})")
        up = env(f'module.runners["{pool}"].module.scale_up.aws_lambda_function.this')
        check(up.get("POOL_LABELS") == labels, f"{pool}: scale-up POOL_LABELS {up.get('POOL_LABELS')} (expected {labels})")
        down = env(f'module.runners["{pool}"].module.scale_down.aws_lambda_function.this')
        check(down.get("BOOT_GRACE_MINUTES") == grace,
              f"{pool}: scale-down BOOT_GRACE_MINUTES {down.get('BOOT_GRACE_MINUTES')} (expected {grace})")
    template = by_address.get('module.runners["windows"].aws_launch_template.runner') or {}
    user_data = base64.b64decode(template.get("user_data") or "").decode()
    check("& 'C:\\spotrunner\\install-runner.ps1' -GitUrl 'https://example.com/ci/Git-64-bit.exe'" in user_data,
          "windows: the install pool's user_data runs install-runner.ps1 with the pool's Git installer")
    if failures:
        sys.exit(f"{len(failures)} mocked-apply check(s) failed")


if __name__ == "__main__":
    main(sys.argv[1])
