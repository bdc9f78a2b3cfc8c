#!/usr/bin/env bash
# Upgrade check: applies examples/local as it was at BASE (a git revision) against moto_server, then
# plans the working tree's examples/local on that state and fails when the plan destroys, creates or
# replaces anything (state addresses that moved need `moved` blocks), or updates in place what a plan of
# BASE itself on the same state leaves alone (the emulator's own drift is not the change's).
#   terraform/test/upgrade.sh BASE      e.g. terraform/test/upgrade.sh main
# Needs the jars built (./mvnw -q -o -DskipTests package) and the offline provider mirror.
set -euo pipefail

base=${1:?usage: upgrade.sh BASE-REVISION}
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
plugin_dir=${TF_PLUGIN_DIR:-/opt/tf-plugins}
export TF_CLI_CONFIG_FILE=/dev/null TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1 TF_INPUT=0

work=$(mktemp -d "${TMPDIR:-/tmp}/spotrunner-upgrade.XXXXXX")
moto_pid=""
cleanup() {
  if [ -n "$moto_pid" ]; then kill "$moto_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  printf '\nFAILED: %s\n' "$*" >&2
  exit 1
}

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
endpoint="http://127.0.0.1:$port"
moto_server -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
moto_pid=$!
for _ in $(seq 1 100); do
  python3 -c "import urllib.request; urllib.request.urlopen('$endpoint/moto-api/', timeout=1)" 2>/dev/null && break
  sleep 0.2
done

mkdir -p "$work/base" "$work/head/examples" "$work/jars"
git archive "$base" terraform examples images | tar -x -C "$work/base"
cp -r terraform images "$work/head/"
cp -r examples/local "$work/head/examples/local"
rm -rf "$work"/head/terraform/.terraform "$work"/head/examples/local/.terraform
cp webhook/target/spotrunner-webhook.jar runners/target/spotrunner-runners.jar binary-syncer/target/spotrunner-binary-syncer.jar "$work/jars/"
TF_VAR_github_app_key_base64=$(openssl rand -base64 48 | tr -d '\n')
TF_VAR_webhook_secret=$(openssl rand -hex 32)
export TF_VAR_github_app_key_base64 TF_VAR_webhook_secret TF_VAR_endpoint="$endpoint" TF_VAR_lambda_dir="$work/jars"
state="$work/terraform.tfstate"
vars=(-var-file="$repo/terraform/test/boot-paths.tfvars")

tf() {
  local dir=$1
  shift
  TF_DATA_DIR="$work/data-$(basename "$(dirname "$(dirname "$dir")")")" terraform -chdir="$dir" "$@"
}
tf "$work/base/examples/local" init -backend=false -plugin-dir="$plugin_dir" -no-color >"$work/base-init.log" 2>&1 || { cat "$work/base-init.log"; fail "init at $base"; }
tf "$work/base/examples/local" apply -auto-approve -no-color -parallelism=20 -state="$state" "${vars[@]}" >"$work/base-apply.log" 2>&1 || { tail -n 40 "$work/base-apply.log"; fail "apply at $base"; }
grep -E '^Apply complete' "$work/base-apply.log"

tf "$work/base/examples/local" plan -no-color -state="$state" -out="$work/base-plan" "${vars[@]}" >"$work/base-plan.log" 2>&1 || { tail -n 40 "$work/base-plan.log"; fail "plan at $base"; }
tf "$work/base/examples/local" show -json "$work/base-plan" >"$work/base-plan.json"

tf "$work/head/examples/local" init -backend=false -plugin-dir="$plugin_dir" -no-color >"$work/head-init.log" 2>&1 || { cat "$work/head-init.log"; fail "init of the working tree"; }
tf "$work/head/examples/local" plan -no-color -state="$state" -out="$work/plan" "${vars[@]}" >"$work/head-plan.log" 2>&1 || { tail -n 40 "$work/head-plan.log"; fail "plan of the working tree"; }
tf "$work/head/examples/local" show -json "$work/plan" >"$work/plan.json"
python3 - "$work/plan.json" "$work/base-plan.json" <<'PY'
import json, sys
plan = json.load(open(sys.argv[1]))

def diff(change):
    before, after = change["change"]["before"] or {}, change["change"]["after"] or {}
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))

# what the emulator makes BASE itself update on every plan, and to what
drift = {c["address"]: c for c in json.load(open(sys.argv[2])).get("resource_changes", [])
         if c["change"]["actions"] == ["update"]}
moved, updated, bad = 0, [], []
for change in plan.get("resource_changes", []):
    actions = change["change"]["actions"]
    if change.get("previous_address") and change["previous_address"] != change["address"]:
        moved += 1
    if actions == ["update"]:
        # an attribute BASE updates too is the emulator's drift only when BASE plans the same value
        same = drift.get(change.get("previous_address") or change["address"])
        keys = [k for k in diff(change) if same is None or k not in diff(same)
                or (same["change"]["after"] or {}).get(k) != (change["change"]["after"] or {}).get(k)]
        if keys:
            updated.append(f"{change['address']}: {', '.join(keys)}")
    elif actions not in (["no-op"], ["read"]):
        bad.append(f"{change['address']}: {'/'.join(actions)}")
print(f"{moved} resources moved to new addresses")
print(f"{len(drift)} resources the emulator makes any plan update (left aside)")
if bad or updated:
    sys.exit("changed by the upgrade:\n  " + "\n  ".join(bad + ["updated in place: " + u for u in updated]))
print("ok: no resource destroyed, created, replaced or changed by the upgrade")
PY
