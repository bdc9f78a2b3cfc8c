#!/usr/bin/env bash
# Terraform checks (issue 7), run by .ci/run after ./mvnw has built the Lambda jars:
#   1. terraform fmt -check -recursive
#   2. init (offline provider mirror) + validate: the root module, every submodule, every example
#   3. each handler string names a class inside its jar
#   3b. a mocked apply of the root module (terraform/test/mocked, no AWS): per-pool settings in the resources
#   4. user_data of every boot combination rendered by the runners module's ./boot submodule
#      (terraform/test/user-data), clean under ShellCheck; user_data above 16 KB refused
#   5. bats: the start and install scripts against stubs (aws, curl/IMDSv2, runuser, package managers), the
#      rendered user_data (embedded scripts unchanged, size, the Windows script's contract)
#   6. against moto_server: plan terraform/test/preconditions (each precondition's message, the docker
#      warning); apply, check and destroy examples/local with the boot-path pools of
#      terraform/test/boot-paths.tfvars (prebuilt, Ubuntu, Windows): resources, tags on everything, the
#      policy checks (wildcards, own config, EC2 tags) and IAM enforcement per role; apply examples/kms
#      and check its key policy against every role's KMS statements (kms_policy.py)
# Nothing is skipped: a missing tool, provider mirror or jar is a failure.
# Knobs: TF_PLUGIN_DIR (default /opt/tf-plugins), TF_CHECK_PARALLELISM (default 3).
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
plugin_dir=${TF_PLUGIN_DIR:-/opt/tf-plugins}
parallelism=${TF_CHECK_PARALLELISM:-3}
export TF_CLI_CONFIG_FILE=/dev/null TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1 TF_INPUT=0

started=$SECONDS
step() { printf '\n--- [%3ds] %s\n' "$((SECONDS - started))" "$*"; }
fail() {
  printf '\nFAILED: %s\n' "$*" >&2
  exit 1
}

work=$(mktemp -d "${TMPDIR:-/tmp}/spotrunner-tf.XXXXXX")
moto_pid=""
cleanup() {
  if [ -n "$moto_pid" ]; then kill "$moto_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# --- tools ---------------------------------------------------------------------------------------
for tool in terraform shellcheck bats jq unzip python3 sha256sum openssl; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool is not installed (apt-get install -y shellcheck bats jq unzip; Terraform 1.11)"
done
if command -v moto_server >/dev/null 2>&1; then
  moto=(moto_server)
elif python3 -c 'import moto.server' >/dev/null 2>&1; then
  moto=(python3 -m moto.server)
else
  fail "moto_server is not installed (pip install 'moto[server]>=5')"
fi
python3 -c 'import boto3' 2>/dev/null || fail "python3 cannot import boto3 (it comes with moto: pip install 'moto[server]>=5')"
if [ ! -d "$plugin_dir/registry.terraform.io/hashicorp/aws" ]; then
  cat >&2 <<MSG

##########################################################################################
#  NO OFFLINE TERRAFORM PROVIDER MIRROR AT $plugin_dir
#  The Terraform checks need hashicorp/aws there (terraform providers mirror $plugin_dir),
#  or TF_PLUGIN_DIR pointing at one. Refusing to skip them.
##########################################################################################
MSG
  exit 1
fi
terraform version | sed -n 1p

# --- 1. fmt ---------------------------------------------------------------------------------------
step "terraform fmt -check -recursive"
terraform fmt -check -recursive -diff terraform examples || fail "terraform fmt: run terraform fmt -recursive terraform examples"

# --- 2. init + validate ---------------------------------------------------------------------------
dirs=(terraform terraform/modules/function terraform/modules/webhook terraform/modules/runners terraform/modules/runners/boot
  terraform/modules/binary-syncer terraform/modules/sweeper terraform/modules/interruptions terraform/modules/dashboard
  terraform/modules/download-lambda examples/default examples/ephemeral examples/multi-pool examples/local examples/kms)
step "init + validate ${#dirs[@]} configurations (offline mirror $plugin_dir, $parallelism at a time)"
# In a copy of the tree: init writes .terraform.lock.hcl beside a configuration, and CI runs these
# checks while the local stack's integration tests init examples/local in the source tree.
mkdir -p "$work/vtree"
cp -r terraform images examples "$work/vtree/"
find "$work/vtree" \( -name .terraform -o -name .terraform.lock.hcl -o -name 'terraform.tfstate*' \) -prune -exec rm -rf {} +
validate_one() {
  local dir=$1 log
  log="$work/validate-${dir//\//_}.log"
  if TF_DATA_DIR="$work/data/${dir//\//_}" terraform -chdir="$work/vtree/$dir" init -backend=false -plugin-dir="$plugin_dir" -no-color >"$log" 2>&1; then
    if TF_DATA_DIR="$work/data/${dir//\//_}" terraform -chdir="$work/vtree/$dir" validate -no-color >>"$log" 2>&1; then
      echo "valid: $dir"
      return 0
    fi
  fi
  echo "INVALID: $dir"
  cat "$log"
  return 1
}
export -f validate_one
export work plugin_dir
printf '%s\n' "${dirs[@]}" | xargs -P "$parallelism" -I{} bash -c 'validate_one "$@"' _ {} || fail "terraform validate"

# terraform test in every module with tests/*.tftest.hcl (plan only, mocked AWS), on validate's init
step "terraform test: modules with tests/ (plan only, mocked AWS provider)"
for dir in terraform/modules/*/; do
  dir=${dir%/}
  compgen -G "$dir/tests/*.tftest.hcl" >/dev/null || continue
  TF_DATA_DIR="$work/data/${dir//\//_}" terraform -chdir="$work/vtree/$dir" test -no-color >"$work/test-${dir//\//_}.log" 2>&1 ||
    { cat "$work/test-${dir//\//_}.log"; fail "terraform test $dir"; }
  echo "passed: $dir"
done

# --- 3. handler classes in the jars ----------------------------------------------------------------
step "handler classes in the jars"
check_handler() {
  local tf_file=$1 jar=$2 handler class entries
  [ -f "$jar" ] || fail "$jar is missing: build the jars first (./mvnw -B package -DskipTests)"
  # List once, then search the text: `unzip | grep -q` dies of SIGPIPE under pipefail on big jars.
  entries=$(unzip -Z1 "$jar")
  while read -r handler; do
    class="${handler%%::*}"
    grep -qx "${class//.//}.class" <<<"$entries" || fail "$tf_file: handler $handler is not a class in $jar"
    echo "ok: $handler in $jar"
  done < <(sed -n 's/^ *handler *= *"\([^"]*\)".*/\1/p' "$tf_file")
}
check_handler terraform/modules/webhook/main.tf webhook/target/spotrunner-webhook.jar
check_handler terraform/modules/runners/lambdas.tf runners/target/spotrunner-runners.jar
check_handler terraform/modules/binary-syncer/main.tf binary-syncer/target/spotrunner-binary-syncer.jar
check_handler terraform/modules/sweeper/main.tf runners/target/spotrunner-runners.jar
check_handler terraform/modules/interruptions/main.tf runners/target/spotrunner-runners.jar

step "inputs and outputs of docs/terraform.md and every submodule's README.md generated from the code"
python3 terraform/test/docs.py --check

step "mocked apply of the root module (terraform/test/mocked): pool settings reach their resources"
# KMS on each pool's runner log group, extra_labels in scale-up's POOL_LABELS, the per-pool boot grace.
if ! TF_DATA_DIR="$work/data/terraform" terraform -chdir="$work/vtree/terraform" test -test-directory=test/mocked -json -verbose >"$work/mocked.json" 2>&1; then
  jq -r 'select(.["@level"] == "error") | .["@message"]' "$work/mocked.json" 2>/dev/null || tail -n 40 "$work/mocked.json"
  fail "mocked apply of terraform/test/mocked"
fi
python3 terraform/test/mocked_pools.py "$work/mocked.json"

# --- 4. render user_data for every boot combination, shellcheck -------------------------------------
step "render user_data of every boot combination (terraform/test/user-data), shellcheck"
templates="$repo/terraform/modules/runners/templates"
rendered="$work/rendered"
mkdir -p "$work/ud-tree/terraform/modules/runners" "$work/ud-tree/terraform/test" "$rendered"
cp -r images "$work/ud-tree/images"
cp -r terraform/modules/runners/boot terraform/modules/runners/templates "$work/ud-tree/terraform/modules/runners/"
cp -r terraform/test/user-data "$work/ud-tree/terraform/test/"
ud_dir="$work/ud-tree/terraform/test/user-data"
tf_ud() { TF_DATA_DIR="$work/data/user-data" terraform -chdir="$ud_dir" "$@"; }
tf_ud init -backend=false -no-color >"$work/ud-init.log" 2>&1 || { cat "$work/ud-init.log"; fail "init terraform/test/user-data"; }
tf_ud apply -auto-approve -no-color >"$work/ud-apply.log" 2>&1 || { cat "$work/ud-apply.log"; fail "render user_data"; }
tf_ud output -json user_data >"$work/user-data.json"
jq -r 'to_entries[] | select(.value != null) | .key' "$work/user-data.json" | while read -r name; do
  jq -j --arg n "$name" '.[$n]' "$work/user-data.json" >"$rendered/$name.user-data"
done
tf_ud output -json bytes >"$rendered/bytes.json"
jq -r 'to_entries[] | "  \(.key): \(.value) bytes"' "$rendered/bytes.json"
# A pool whose scripts push user_data over 16 KB must fail at plan time, naming the limit.
if tf_ud apply -auto-approve -no-color -var oversized=true >"$work/ud-oversized.log" 2>&1; then
  fail "user_data above 16 KB was accepted"
fi
grep -q "above EC2's 16384-byte limit" "$work/ud-oversized.log" || { cat "$work/ud-oversized.log"; fail "oversized user_data failed for another reason"; }
echo "ok: user_data above 16 KB is refused"
# A Windows install pool must name the Git for Windows installer its install script installs.
if tf_ud apply -auto-approve -no-color -var windows_without_git=true >"$work/ud-nogit.log" 2>&1; then
  fail "a Windows install pool without git_for_windows was accepted"
fi
grep -q "Windows install pool without git_for_windows" "$work/ud-nogit.log" || { cat "$work/ud-nogit.log"; fail "the Windows pool without Git failed for another reason"; }
echo "ok: a Windows install pool without git_for_windows is refused"
shellcheck "$rendered"/amazon-linux-2023-*.user-data "$rendered"/ubuntu-*.user-data "$rendered"/custom.user-data \
  "$templates/start-runner.sh" "$templates/install-runner.sh" terraform/test/run.sh terraform/test/upgrade.sh terraform/test/download-lambda.sh terraform/test/stubs/* terraform/test/user-data/scripts/*.sh
echo "shellcheck clean: every Linux user_data, the start and install scripts, test scripts"

# --- 5. bats ----------------------------------------------------------------------------------------
step "bats: start and install scripts against stubs, rendered user_data"
bats terraform/test/start-runner.bats terraform/test/start-runner-boot.bats terraform/test/install-runner.bats
RENDERED_DIR="$rendered" bats terraform/test/user-data.bats

# --- 6. apply + destroy examples/local against moto --------------------------------------------------
step "start moto_server"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
endpoint="http://127.0.0.1:$port"
# AWS managed policies loaded, so an attached one (AmazonSSMManagedInstanceCore) is evaluated by the IAM step.
MOTO_IAM_LOAD_MANAGED_POLICIES=true "${moto[@]}" -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
moto_pid=$!
for _ in $(seq 1 100); do
  python3 -c "import urllib.request; urllib.request.urlopen('$endpoint/moto-api/', timeout=1)" 2>/dev/null && break
  kill -0 "$moto_pid" 2>/dev/null || { cat "$work/moto.log"; fail "moto_server exited"; }
  sleep 0.2
done
echo "moto_server on $endpoint (pid $moto_pid)"

step "preconditions and checks of the root module (terraform/test/preconditions: a case per module instance)"
mkdir -p "$work/jars"
cp webhook/target/spotrunner-webhook.jar runners/target/spotrunner-runners.jar binary-syncer/target/spotrunner-binary-syncer.jar "$work/jars/"
pc_dir=terraform/test/preconditions
tf_pc() { TF_DATA_DIR="$work/data/preconditions" terraform -chdir="$pc_dir" "$@"; }
tf_pc init -backend=false -plugin-dir="$plugin_dir" -no-color >"$work/pc-init.log" 2>&1 || { cat "$work/pc-init.log"; fail "init $pc_dir"; }
# Fails by design (the refused cases); every diagnostic is in the JSON lines.
tf_pc plan -json -refresh=false -var-file=cases.tfvars -var endpoint="$endpoint" -var lambda_dir="$work/jars" \
  -var webhook_secret="$(openssl rand -hex 32)" >"$work/pc-plan.json" 2>"$work/pc-plan.err" || true
jq -r 'select(.diagnostic) | "\(.["@level"])\t\(.diagnostic.summary)\t\(.diagnostic.detail)"' "$work/pc-plan.json" |
  grep -v 'Resource targeting' >"$work/pc-diagnostics.tsv" || true
pc_expect() { # $1 level, $2 the message its case must draw (exactly once)
  local n
  n=$(awk -F'\t' -v l="$1" -v m="$2" '$1 == l && index($3, m) > 0' "$work/pc-diagnostics.tsv" | wc -l)
  [ "$n" -eq 1 ] || { cat "$work/pc-diagnostics.tsv" "$work/pc-plan.err"; fail "expected one $1 \"$2\", found $n"; }
  echo "ok: $1: $2"
}
pc_expect error "ssm_config_path (/cfg) must not overlap /cfg/github-app, /cfg/interruptions or /cfg/launch-locks."
pc_expect error "ssm_config_path (/cfg) must not contain GitHub App parameters (/cfg/github-app/id, /cfg/github-app/key, /cfg/github-app/webhook-secret are under it)"
pc_expect error "Pool names github-app, interruptions, launch-locks are reserved (the module's own SSM paths /pool/<name>): rename pool github-app."
pc_expect error "ssm_config_path (/appid/runners) must not contain GitHub App parameters (/appid/runners/app2/id are under it)"
pc_expect error "ssm_config_path (/appkey/runners) must not contain GitHub App parameters (/appkey/runners/app2/key are under it)"
pc_expect error "ssm_config_path (/appws/runners) must not contain GitHub App parameters (/appws/runners/app3/webhook-secret are under it)"
pc_expect warn "Pools org-pool are persistent (ephemeral = false) at org level: their runner user can use docker"
# Nothing else: the baseline (extra Apps outside the path) and every other case draw no other diagnostic.
[ "$(wc -l <"$work/pc-diagnostics.tsv")" -eq 7 ] || { cat "$work/pc-diagnostics.tsv"; fail "diagnostics other than the 7 expected"; }
echo "ok: the baseline case draws no refusal and no warning"

step "apply examples/local against moto_server"
# A copy, so state and .terraform stay out of the source tree.
mkdir -p "$work/tree/examples"
cp -r terraform "$work/tree/terraform"
cp -r images "$work/tree/images"
cp -r examples/local "$work/tree/examples/local"
rm -rf "$work/tree/terraform/.terraform" "$work/tree/examples/local/.terraform" "$work/tree/examples/local"/terraform.tfstate*
local_dir="$work/tree/examples/local"
# Test-time secrets: never committed, never printed.
TF_VAR_github_app_key_base64=$(openssl rand -base64 48 | tr -d '\n')
TF_VAR_webhook_secret=$(openssl rand -hex 32)
export TF_VAR_github_app_key_base64 TF_VAR_webhook_secret TF_VAR_endpoint="$endpoint" TF_VAR_lambda_dir="$work/jars"
tf_local() { terraform -chdir="$local_dir" "$@"; }
tf_local init -backend=false -plugin-dir="$plugin_dir" -no-color >"$work/local-init.log" 2>&1 || { cat "$work/local-init.log"; fail "init examples/local"; }
tf_local apply -auto-approve -no-color -parallelism=20 -var-file="$repo/terraform/test/boot-paths.tfvars" >"$work/apply.log" 2>&1 || { tail -n 60 "$work/apply.log"; fail "apply examples/local"; }
grep -E '^Apply complete' "$work/apply.log"
tf_local output -json >"$work/outputs.json"

step "check the applied resources in moto"
AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 \
  python3 - "$endpoint" "$work/outputs.json" "$TF_VAR_webhook_secret" <<'PY'
import base64, json, sys
import boto3

endpoint, outputs_file, webhook_secret = sys.argv[1], sys.argv[2], sys.argv[3]
# The pools of terraform/test/boot-paths.tfvars.
expected_pools = {"linux-x64", "linux-arm64", "prebuilt", "ubuntu", "windows", "no-user-data"}
out = {k: v["value"] for k, v in json.load(open(outputs_file)).items()}
client = lambda name: boto3.client(name, endpoint_url=endpoint, region_name=out["region"])
sqs, lam, ssm, s3, ec2 = (client(n) for n in ("sqs", "lambda", "ssm", "s3", "ec2"))

def check(condition, message):
    if not condition:
        sys.exit("CHECK FAILED: " + message)
    print("ok:", message)

check(out["webhook_url"].endswith("/webhook"), "webhook_url ends in /webhook: " + out["webhook_url"])
check(set(out["queue_urls"]) == expected_pools, "a queue URL per pool: " + ", ".join(sorted(out["queue_urls"])))
for pool, url in out["queue_urls"].items():
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    redrive = json.loads(attrs["RedrivePolicy"])
    check("dlq" in redrive["deadLetterTargetArn"], f"{pool}: queue exists in moto with a DLQ redrive")
    up_timeout = lam.get_function_configuration(FunctionName=out["function_names"]["scale_up"][pool])["Timeout"]
    check(int(attrs["VisibilityTimeout"]) == 6 * up_timeout, f"{pool}: visibility timeout {attrs['VisibilityTimeout']} = 6 x scale-up timeout {up_timeout}")

names = out["function_names"]
webhook_env = lam.get_function_configuration(FunctionName=names["webhook"])["Environment"]["Variables"]
pools = json.loads(webhook_env["POOLS"])
check({p["queueUrl"] for p in pools} == set(out["queue_urls"].values()), "webhook POOLS JSON names both queues")
check(webhook_env["WEBHOOK_SECRET_PARAMS"] == out["github_app_parameter_names"]["webhook_secrets"][0], "webhook reads the secret parameter")
for pool in out["queue_urls"]:
    env = lam.get_function_configuration(FunctionName=names["scale_up"][pool])["Environment"]["Variables"]
    check(env["POOL_NAME"] == pool and env["LAUNCH_TEMPLATE_NAME"] == f"local-{pool}", f"{pool}: scale-up environment names its pool and template")
    if pool == "ubuntu":
        # extra_labels are registered with the runner: appended to the pool's labels in scale-up's POOL_LABELS.
        check(env["POOL_LABELS"].split(",") == ["self-hosted", "linux", "x64", "ubuntu", "gpu-none", "ubuntu-24"], f"{pool}: POOL_LABELS with extra_labels: {env['POOL_LABELS']}")
    down_env = lam.get_function_configuration(FunctionName=names["scale_down"][pool])["Environment"]["Variables"]
    # boot-paths.tfvars: prebuilt sets its own grace, Windows gets at least 20, the rest examples/local's 2.
    grace = {"prebuilt": "9", "windows": "20"}.get(pool, "2")
    check(down_env["BOOT_GRACE_MINUTES"] == grace, f"{pool}: scale-down boot grace {down_env['BOOT_GRACE_MINUTES']} min (expected {grace})")
    queue_arn = sqs.get_queue_attributes(QueueUrl=out["queue_urls"][pool], AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    mappings = [m for m in lam.list_event_source_mappings()["EventSourceMappings"] if m["EventSourceArn"] == queue_arn]
    check(len(mappings) == 1 and names["scale_up"][pool] in mappings[0]["FunctionArn"], f"{pool}: the queue feeds scale-up ({mappings[0]['FunctionArn'] if mappings else 'no mapping'})")
    check(mappings[0].get("FunctionResponseTypes") == ["ReportBatchItemFailures"], f"{pool}: the mapping reports batch item failures")
    mapping_arn = mappings[0].get("EventSourceMappingArn") or mappings[0]["FunctionArn"].split(":function:")[0] + ":event-source-mapping:" + mappings[0]["UUID"]
    mapping_tags = lam.list_tags(Resource=mapping_arn)["Tags"]
    check(mapping_tags.get("Environment") == "local", f"{pool}: the mapping carries the module's tags ({mapping_tags})")
    template = ec2.describe_launch_templates(LaunchTemplateNames=[f"local-{pool}"])["LaunchTemplates"][0]
    data = ec2.describe_launch_template_versions(LaunchTemplateId=template["LaunchTemplateId"])["LaunchTemplateVersions"][0]["LaunchTemplateData"]
    check(data["MetadataOptions"]["HttpTokens"] == "required", f"{pool}: launch template requires IMDSv2")
    check(data["InstanceInitiatedShutdownBehavior"] == "terminate", f"{pool}: shutdown terminates")
    user_data = base64.b64decode(data["UserData"]).decode() if "UserData" in data else None
    if pool == "no-user-data":
        # The provider sends an empty UserData, which moto stores as ''; EC2 treats it as none.
        check(not user_data, f"{pool}: user_data off ({user_data[:120] if user_data else user_data!r})")
    elif pool == "windows":
        check(user_data.startswith("<powershell>") and "-RunnerKey 'actions-runner/win-x64.zip'" in user_data, f"{pool}: PowerShell user_data with the win-x64 zip")
        check("& 'C:\\spotrunner\\install-runner.ps1' -GitUrl 'https://example.com/local/Git-64-bit.exe'" in user_data, f"{pool}: install path runs install-runner.ps1 with the pool's Git installer")
        check(data["BlockDeviceMappings"][0]["DeviceName"] == "/dev/sda1", f"{pool}: Windows root device /dev/sda1")
    else:
        boot = "prebuilt" if pool == "prebuilt" else "install"
        check(f"SPOTRUNNER_BOOT='{boot}'" in user_data and ("install-runner.sh" in user_data) == (boot == "install"), f"{pool}: {boot} boot path")
    if pool == "ubuntu":
        check("SPOTRUNNER_RUNNER_USER='builder'" in user_data and "/opt/spotrunner/hooks/job-started.sh" in user_data, f"{pool}: run-as user and job hooks")
syncer_env = lam.get_function_configuration(FunctionName=names["binary_syncer"])["Environment"]["Variables"]
check(set(syncer_env["PLATFORMS"].split(",")) == {"linux-x64", "linux-arm64", "win-x64"}, "the binary syncer caches the Windows runner too: " + syncer_env["PLATFORMS"])
logs = client("logs")
for pool in out["queue_urls"]:
    groups = logs.describe_log_groups(logGroupNamePrefix=f"/local/runners/{pool}")["logGroups"]
    check(any(g["logGroupName"] == f"/local/runners/{pool}" and g.get("retentionInDays") == 30 for g in groups), f"{pool}: runner log group with retention")
secret = ssm.get_parameter(Name=out["github_app_parameter_names"]["webhook_secrets"][0], WithDecryption=True)["Parameter"]
check(secret["Type"] == "SecureString" and secret["Value"] == webhook_secret, "webhook secret is a SecureString with the given value")
s3.head_bucket(Bucket=out["runner_bucket_name"])
block = s3.get_public_access_block(Bucket=out["runner_bucket_name"])["PublicAccessBlockConfiguration"]
check(all(block.values()), "runner bucket exists and blocks public access")
PY

step "IAM: every policy's \"*\" resources allow-listed; each role enforced on moto"
tf_local show -json >"$work/state.json"
# Tags on everything: each resource of the module whose type takes tags (per the provider's schema).
tf_local providers schema -json >"$work/schema.json"
python3 terraform/test/tags_everywhere.py "$work/state.json" "$work/schema.json" module.spotrunner Environment=local
jq '(.. | objects | select(.type? == "aws_lambda_event_source_mapping") | .values.tags) |= {}' "$work/state.json" >"$work/state-untagged-mapping.json"
if python3 terraform/test/tags_everywhere.py "$work/state-untagged-mapping.json" "$work/schema.json" module.spotrunner Environment=local >/dev/null; then
  fail "an event source mapping without the module's tags passed the tags check"
fi
echo "ok: an untagged event source mapping is refused"
python3 terraform/test/policy_wildcards.py "$work/state.json" docs/security.md
# A wildcard the allow-list does not name must fail the check.
jq '(.. | objects | select(.type? == "aws_iam_role_policy" and .values.name? == "runner") | .values.policy) |=
  (fromjson | .Statement += [{"Sid": "Injected", "Effect": "Allow", "Action": "ssm:PutParameter", "Resource": "*"}] | tojson)' \
  "$work/state.json" >"$work/state-injected.json"
if python3 terraform/test/policy_wildcards.py "$work/state-injected.json" docs/security.md >/dev/null; then
  fail "an unlisted ssm:PutParameter on \"*\" passed the wildcard check"
fi
echo "ok: an unlisted wildcard is refused"
python3 terraform/test/runner_config_policy.py "$work/state.json"
# Without its instance-tag condition the runner could read any config of its pool: must fail.
jq '(.. | objects | select(.type? == "aws_iam_role_policy" and .values.name? == "runner") | .values.policy) |=
  (fromjson | .Statement |= map(if .Sid == "ReadAndDeleteRunnerConfig" then del(.Condition) else . end) | tojson)' \
  "$work/state.json" >"$work/state-untagged.json"
if python3 terraform/test/runner_config_policy.py "$work/state-untagged.json" >/dev/null; then
  fail "a runner reading every config of its pool passed the own-config check"
fi
echo "ok: a runner config read without the instance-tag condition is refused"
for injected in '{"Sid": "Injected", "Effect": "Allow", "Action": "ssm:Get*", "Resource": "*"}' \
  '{"Sid": "Injected", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}'; do
  jq --argjson s "$injected" '(.. | objects | select(.type? == "aws_iam_role_policy" and .values.name? == "runner") | .values.policy) |=
    (fromjson | .Statement += [$s] | tojson)' "$work/state.json" >"$work/state-injected-runner.json"
  if python3 terraform/test/runner_config_policy.py "$work/state-injected-runner.json" >/dev/null; then
    fail "the own-config check passed a runner statement $injected"
  fi
done
echo "ok: a runner wildcard parameter read or an unconditioned kms:Decrypt is refused"
python3 terraform/test/ec2_tag_policy.py "$work/state.json"
# Each must fail: scale-up terminating untagged instances, scale-down another pool's, interruptions another
# environment's, scale-up launching untagged instances through CreateFleet.
ec2_refused() { # $1 what, $2 policy name, $3 Sid, $4 jq update of that statement
  jq --arg name "$2" --arg sid "$3" "(.. | objects | select(.type? == \"aws_iam_role_policy\" and .values.name? == \$name) | .values.policy) |=
    (fromjson | .Statement |= map(if .Sid == \$sid then $4 else . end) | tojson)" "$work/state.json" >"$work/state-ec2-broken.json"
  if python3 terraform/test/ec2_tag_policy.py "$work/state-ec2-broken.json" >"$work/ec2-broken.log"; then
    fail "the EC2 tag check passed $1"
  fi
  echo "ok: refused: $1"
}
ec2_refused "scale-up terminating without the tag condition" scale-up TerminatePoolInstances 'del(.Condition)'
ec2_refused "scale-down terminating another pool's instances" scale-down TerminateAndTagPoolInstances '.Condition.StringEquals["ec2:ResourceTag/spotrunner:pool"] = "another-pool"'
ec2_refused "interruptions terminating any environment's instances" spot-interruptions TagAndRetire 'del(.Condition)'
ec2_refused "scale-up's CreateFleet launching without its request tags" scale-up CreateFleetTaggedInstances 'del(.Condition)'
AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test python3 terraform/test/iam_enforcement.py "$endpoint" "$work/outputs.json" "$work/state.json" ubuntu
if tf_local plan -no-color -refresh=false -var webhook_secret=too-short -var-file="$repo/terraform/test/boot-paths.tfvars" >"$work/short-secret.log" 2>&1; then
  fail "a 9-character webhook secret was accepted"
fi
grep -q "at least 32 characters" "$work/short-secret.log" || { tail -n 20 "$work/short-secret.log"; fail "the short webhook secret failed for another reason"; }
echo "ok: a webhook secret under 32 characters is refused"

step "download-lambda: a release's SHA256SUMS must name every jar; pinned jar_sha256 enforced"
terraform/test/download-lambda.sh "$work/download-lambda"

step "destroy examples/local"
queue_url=$(jq -r '.queue_urls.value["linux-x64"]' "$work/outputs.json")
tf_local destroy -auto-approve -no-color -refresh=false -parallelism=20 -var-file="$repo/terraform/test/boot-paths.tfvars" >"$work/destroy.log" 2>&1 || { tail -n 60 "$work/destroy.log"; fail "destroy examples/local"; }
grep -E '^Destroy complete' "$work/destroy.log"
if AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test python3 -c "
import boto3, sys
boto3.client('sqs', endpoint_url='$endpoint', region_name='us-east-1').get_queue_attributes(QueueUrl='$queue_url')" 2>/dev/null; then
  fail "queue $queue_url still exists after destroy"
fi
echo "ok: queues gone after destroy"

step "apply examples/kms against moto_server: the key policy and every role's KMS statements"
# The example itself, with a test-only provider (moto) and network: moto_override.tf replaces the
# provider and the module's network inputs, moto.tf adds the endpoint variable and a VPC.
kms_dir="$work/tree/examples/kms"
cp -r examples/kms "$kms_dir"
rm -rf "$kms_dir/.terraform" "$kms_dir"/terraform.tfstate*
cat >"$kms_dir/moto.tf" <<'HCL'
variable "endpoint" {
  type = string
}

resource "aws_vpc" "test" {
  cidr_block = "10.43.0.0/16"
}

resource "aws_subnet" "test" {
  vpc_id     = aws_vpc.test.id
  cidr_block = "10.43.1.0/24"
}
HCL
cat >"$kms_dir/moto_override.tf" <<'HCL'
provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style           = true

  endpoints {
    apigatewayv2     = var.endpoint
    cloudwatch       = var.endpoint
    cloudwatchevents = var.endpoint
    cloudwatchlogs   = var.endpoint
    ec2              = var.endpoint
    iam              = var.endpoint
    kms              = var.endpoint
    lambda           = var.endpoint
    s3               = var.endpoint
    sns              = var.endpoint
    sqs              = var.endpoint
    ssm              = var.endpoint
    sts              = var.endpoint
  }
}

module "spotrunner" {
  vpc_id     = aws_vpc.test.id
  subnet_ids = [aws_subnet.test.id]
  # moto serves plain HTTP (the bucket's TLS-only policy) and reads a lifecycle rule back slowly
  runner_bucket_require_tls     = false
  runner_bucket_noncurrent_days = null
}
HCL
tf_kms() { terraform -chdir="$kms_dir" "$@"; }
tf_kms init -backend=false -plugin-dir="$plugin_dir" -no-color >"$work/kms-init.log" 2>&1 || { cat "$work/kms-init.log"; fail "init examples/kms"; }
TF_VAR_github_app_id=12345 tf_kms apply -auto-approve -no-color -parallelism=20 -var vpc_id=unused -var 'subnet_ids=["unused"]' >"$work/kms-apply.log" 2>&1 ||
  { tail -n 60 "$work/kms-apply.log"; fail "apply examples/kms"; }
grep -E '^Apply complete' "$work/kms-apply.log"
tf_kms show -json >"$work/kms-state.json"
python3 terraform/test/kms_policy.py "$work/kms-state.json"
python3 terraform/test/policy_wildcards.py "$work/kms-state.json" docs/security.md
python3 terraform/test/runner_config_policy.py "$work/kms-state.json"
python3 terraform/test/ec2_tag_policy.py "$work/kms-state.json"
tf_kms providers schema -json >"$work/kms-schema.json"
python3 terraform/test/tags_everywhere.py "$work/kms-state.json" "$work/kms-schema.json" module.spotrunner Project=ci-runners
# Each must fail: a role's KMS statement without kms:ViaService, a key policy that forgets a role,
# one that hands the key to the whole account, one without CloudWatch Logs.
kms_refused() { # $1 what, $2 jq filter on the state
  jq "$2" "$work/kms-state.json" >"$work/kms-state-broken.json"
  if python3 terraform/test/kms_policy.py "$work/kms-state-broken.json" >"$work/kms-broken.log"; then
    fail "the KMS check passed $1"
  fi
  echo "ok: refused: $1 ($(head -n 1 "$work/kms-broken.log"))"
}
kms_refused "scale-up's Decrypt/GenerateDataKey without kms:ViaService" \
  '(.. | objects | select(.type? == "aws_iam_role_policy" and .values.name? == "scale-up") | .values.policy) |=
     (fromjson | .Statement |= map(if .Sid == "KmsForParametersAndQueues" then del(.Condition) else . end) | tojson)'
kms_refused "a key policy without the scale-up role" \
  '(.. | objects | select(.type? == "aws_kms_key") | .values.policy) |= (fromjson | .Statement |=
     map(if .Condition.ArnEquals["aws:PrincipalArn"]? then .Condition.ArnEquals["aws:PrincipalArn"] |= map(select(endswith("-scale-up") | not)) else . end) | tojson)'
kms_refused "a key policy delegating to the account (root, kms:*)" \
  '(.. | objects | select(.type? == "aws_kms_key") | .values.policy) |= (fromjson | .Statement +=
     [{"Sid": "AccountIam", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"}] | tojson)'
kms_refused "a key policy without CloudWatch Logs" \
  '(.. | objects | select(.type? == "aws_kms_key") | .values.policy) |= (fromjson | .Statement |= map(select(.Sid != "CloudWatchLogs")) | tojson)'

step "terraform checks passed"
