#!/usr/bin/env bash
# spotrunner start script: runs on a runner instance (from user_data, as root) and
#   1. finds its instance id and region through IMDSv2,
#   2. downloads the runner tarball from the S3 cache and verifies its SHA-256 against the object metadata,
#   3. polls SSM for its runner config <path>/<pool>/<instance-id>, reads it, deletes it,
#   4. starts the runner as a non-root user: JIT (`run.sh --jitconfig`) or registration (`config.sh`),
#   5. ephemeral: shuts the instance down when the runner exits (the launch template terminates on shutdown).
# Any failure shuts the instance down: a broken instance must not wait for scale-down to find it.
# Settings come from /etc/spotrunner/runner.env (written by user_data); the SPOTRUNNER_* knobs below exist
# so the tests can point it at stubs. The runner config holds a token: it is kept in shell variables only,
# never written to disk or logged.
set -euo pipefail

ENV_FILE=${SPOTRUNNER_ENV_FILE:-/etc/spotrunner/runner.env}
if [ -r "$ENV_FILE" ]; then
  # shellcheck source=/dev/null
  . "$ENV_FILE"
fi

POOL=${SPOTRUNNER_POOL:?SPOTRUNNER_POOL is not set}
SSM_CONFIG_PATH=${SPOTRUNNER_SSM_CONFIG_PATH:?SPOTRUNNER_SSM_CONFIG_PATH is not set}
BUCKET=${SPOTRUNNER_BUCKET:?SPOTRUNNER_BUCKET is not set}
RUNNER_KEY=${SPOTRUNNER_RUNNER_KEY:?SPOTRUNNER_RUNNER_KEY is not set}
IMDS_URL=${SPOTRUNNER_IMDS_URL:-http://169.254.169.254}
CONFIG_TIMEOUT_SECONDS=${SPOTRUNNER_CONFIG_TIMEOUT_SECONDS:-600}
POLL_SECONDS=${SPOTRUNNER_POLL_SECONDS:-5}
SHUTDOWN_CMD=${SPOTRUNNER_SHUTDOWN_CMD:-shutdown -h now}
RUNNER_DIR=${SPOTRUNNER_RUNNER_DIR:-/opt/actions-runner}
RUNNER_USER=${SPOTRUNNER_RUNNER_USER:-runner}
WORK_DIR=${SPOTRUNNER_WORK_DIR:-/var/lib/spotrunner}
POST_INSTALL=${SPOTRUNNER_POST_INSTALL:-/opt/spotrunner/post-install.sh}

log() {
  printf '%s spotrunner-start pool=%s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$POOL" "$*"
}

finished=false
shut_down() {
  log "shutting down: $1"
  finished=true
  local -a command
  read -r -a command <<<"$SHUTDOWN_CMD"
  "${command[@]}" || log "shutdown command failed"
}

on_exit() {
  local status=$?
  if [ "$finished" != true ]; then
    shut_down "start script failed (exit $status)"
  fi
  exit "$status"
}
trap on_exit EXIT

as_runner() {
  (cd "$RUNNER_DIR" && runuser -u "$RUNNER_USER" -- "$@")
}

# --- 1. who am I (IMDSv2) ------------------------------------------------------------------------
imds_token=$(curl -sSf -X PUT "$IMDS_URL/latest/api/token" -H 'X-aws-ec2-metadata-token-ttl-seconds: 300')
imds() { curl -sSf -H "X-aws-ec2-metadata-token: $imds_token" "$IMDS_URL/latest/meta-data/$1"; }
instance_id=$(imds instance-id)
AWS_REGION=$(imds placement/region)
export AWS_REGION AWS_DEFAULT_REGION="$AWS_REGION"
log "instance $instance_id in $AWS_REGION"

# --- 2. runner tarball, verified ---------------------------------------------------------------
mkdir -p "$WORK_DIR"
tarball="$WORK_DIR/actions-runner.tar.gz"
expected_sha=$(aws s3api head-object --bucket "$BUCKET" --key "$RUNNER_KEY" --query 'Metadata.sha256' --output text)
aws s3 cp --only-show-errors "s3://$BUCKET/$RUNNER_KEY" "$tarball"
actual_sha=$(sha256sum "$tarball" | cut -d ' ' -f 1)
if ! [[ "$expected_sha" =~ ^[0-9a-f]{64}$ ]] || [ "$actual_sha" != "$expected_sha" ]; then
  rm -f "$tarball"
  log "refusing the runner tarball s3://$BUCKET/$RUNNER_KEY: sha256 $actual_sha, metadata says '$expected_sha'"
  shut_down "runner tarball checksum mismatch"
  exit 1
fi
mkdir -p "$RUNNER_DIR"
tar -xzf "$tarball" -C "$RUNNER_DIR"
rm -f "$tarball"
chown -R "$RUNNER_USER:$RUNNER_USER" "$RUNNER_DIR"
if [ -x "$RUNNER_DIR/bin/installdependencies.sh" ]; then
  "$RUNNER_DIR/bin/installdependencies.sh" >/dev/null
fi
log "runner tarball verified (sha256 $actual_sha) and unpacked into $RUNNER_DIR"

# --- 3. runner config from SSM: poll, read, delete ----------------------------------------------
parameter="$SSM_CONFIG_PATH/$POOL/$instance_id"
log "waiting up to ${CONFIG_TIMEOUT_SECONDS}s for runner config $parameter"
deadline=$((SECONDS + CONFIG_TIMEOUT_SECONDS))
until config=$(aws ssm get-parameter --name "$parameter" --with-decryption \
  --query 'Parameter.Value' --output text 2>"$WORK_DIR/ssm-error"); do
  if [ "$SECONDS" -ge "$deadline" ]; then
    log "last SSM error: $(head -c 300 "$WORK_DIR/ssm-error")"
    shut_down "runner config $parameter did not appear within ${CONFIG_TIMEOUT_SECONDS}s"
    exit 1
  fi
  sleep "$POLL_SECONDS"
done
rm -f "$WORK_DIR/ssm-error"
# Deleted before use: the config is single-use, and a leftover one is a live token at rest.
aws ssm delete-parameter --name "$parameter"
log "runner config read and deleted"

field() { printf '%s' "$config" | jq -r --arg f "$1" '.[$f] // empty'; }
mode=$(field mode)
runner_name=$(field runnerName)

# --- 4. optional post-install, then the runner --------------------------------------------------
if [ -x "$POST_INSTALL" ]; then
  log "running post-install script"
  "$POST_INSTALL"
fi

case "$mode" in
  jit)
    jit_config=$(field jitConfig)
    unset config
    log "starting JIT runner $runner_name"
    status=0
    as_runner ./run.sh --jitconfig "$jit_config" || status=$?
    unset jit_config
    shut_down "ephemeral runner $runner_name exited ($status)"
    exit "$status"
    ;;
  registration)
    url=$(field url)
    token=$(field token)
    labels=$(field labels)
    runner_group=$(field runnerGroup)
    ephemeral=$(field ephemeral)
    unset config
    args=(--unattended --url "$url" --token "$token" --name "$runner_name" --labels "$labels"
      --runnergroup "${runner_group:-Default}" --replace)
    if [ "$ephemeral" = true ]; then
      args+=(--ephemeral)
    fi
    log "registering runner $runner_name at $url (ephemeral: ${ephemeral:-false})"
    as_runner ./config.sh "${args[@]}"
    unset token args
    if [ "$ephemeral" = true ]; then
      status=0
      as_runner ./run.sh || status=$?
      shut_down "ephemeral runner $runner_name exited ($status)"
      exit "$status"
    fi
    (cd "$RUNNER_DIR" && ./svc.sh install "$RUNNER_USER" && ./svc.sh start)
    finished=true
    log "persistent runner $runner_name started as a service"
    ;;
  *)
    unset config
    shut_down "runner config has unknown mode '$mode'"
    exit 1
    ;;
esac
