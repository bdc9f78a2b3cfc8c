#!/usr/bin/env bash
# spotrunner start script: runs on a runner instance (from user_data, as root) and
#   0. runs the pool's pre-install script, makes sure the run-as user exists,
#   1. finds its instance id and region through IMDSv2, starts the CloudWatch agent (user_data, runner, job logs),
#   2. boot `install`: downloads the runner tarball from the S3 cache and verifies its SHA-256 against the object
#      metadata; boot `prebuilt`: keeps the image's runner unless its version is older than the cached one
#      (and when the cache cannot be read: the image's runner, or a shutdown when the image has none);
#      sets the job hooks and the work directory,
#   3. polls SSM for its runner config <path>/<pool>/<instance-id>, reads it, deletes it,
#   4. runs the post-install script, starts the runner as the run-as user: JIT
#      (`run.sh`, the JIT config in ACTIONS_RUNNER_INPUT_JITCONFIG) or registration (`config.sh`),
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
PRE_INSTALL=${SPOTRUNNER_PRE_INSTALL:-/opt/spotrunner/pre-install.sh}
BOOT=${SPOTRUNNER_BOOT:-install}
# The job work directory (`config.sh --work`; a JIT runner's _work links to it); empty keeps the runner's _work.
RUNNER_WORK_DIR=${SPOTRUNNER_RUNNER_WORK_DIR:-}
DISABLE_UPDATE=${SPOTRUNNER_DISABLE_UPDATE:-false}
HOOK_JOB_STARTED=${SPOTRUNNER_HOOK_JOB_STARTED:-/opt/spotrunner/hooks/job-started.sh}
HOOK_JOB_COMPLETED=${SPOTRUNNER_HOOK_JOB_COMPLETED:-/opt/spotrunner/hooks/job-completed.sh}
LOG_GROUP=${SPOTRUNNER_LOG_GROUP:-}
CW_AGENT_CTL=${SPOTRUNNER_CW_AGENT_CTL:-/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl}
USER_DATA_LOG=${SPOTRUNNER_USER_DATA_LOG:-/var/log/user-data.log}
# Written by terraform/modules/runners/templates/install-runner.sh into a prebuilt image's runner directory.
VERSION_FILE="$RUNNER_DIR/.spotrunner-runner-version"

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

# --- 0. pre-install script, run-as user -----------------------------------------------------------
if [ -x "$PRE_INSTALL" ]; then
  log "running pre-install script"
  "$PRE_INSTALL"
fi
if ! id -u "$RUNNER_USER" >/dev/null 2>&1; then
  useradd --create-home --shell /bin/bash "$RUNNER_USER"
  log "created run-as user $RUNNER_USER"
fi
if getent group docker >/dev/null 2>&1; then
  usermod -aG docker "$RUNNER_USER"
fi

# --- 1. who am I (IMDSv2), logs ------------------------------------------------------------------
imds_token=$(curl -sSf -X PUT "$IMDS_URL/latest/api/token" -H 'X-aws-ec2-metadata-token-ttl-seconds: 300')
imds() { curl -sSf -H "X-aws-ec2-metadata-token: $imds_token" "$IMDS_URL/latest/meta-data/$1"; }
instance_id=$(imds instance-id)
AWS_REGION=$(imds placement/region)
export AWS_REGION AWS_DEFAULT_REGION="$AWS_REGION"
log "instance $instance_id in $AWS_REGION"

if [ -n "$LOG_GROUP" ] && command -v "$CW_AGENT_CTL" >/dev/null 2>&1; then
  mkdir -p "$WORK_DIR"
  cw_stream() { printf '{"file_path": "%s", "log_group_name": "%s", "log_stream_name": "{instance_id}/%s"}' "$1" "$LOG_GROUP" "$2"; }
  printf '{"logs": {"logs_collected": {"files": {"collect_list": [%s, %s, %s]}}}}\n' \
    "$(cw_stream "$USER_DATA_LOG" user-data)" "$(cw_stream "$RUNNER_DIR/_diag/Runner_*.log" runner)" \
    "$(cw_stream "$RUNNER_DIR/_diag/Worker_*.log" job)" >"$WORK_DIR/cloudwatch-agent.json"
  "$CW_AGENT_CTL" -a fetch-config -m ec2 -s -c "file:$WORK_DIR/cloudwatch-agent.json" >/dev/null ||
    log "CloudWatch agent did not start; logs stay on the instance"
  log "CloudWatch agent ships logs to $LOG_GROUP"
fi

# --- 2. the runner: from the S3 cache, or the image's when it is current -----------------------------
mkdir -p "$WORK_DIR"
image_version=""
if [ "$BOOT" = prebuilt ] && [ -r "$VERSION_FILE" ] && [ -x "$RUNNER_DIR/run.sh" ]; then
  image_version=$(tr -d '[:space:]' <"$VERSION_FILE")
fi
cache_found=true
if ! metadata=$(aws s3api head-object --bucket "$BUCKET" --key "$RUNNER_KEY" --query Metadata --output json 2>"$WORK_DIR/s3-error"); then
  cache_found=false
  cache_error=$(head -c 300 "$WORK_DIR/s3-error")
  # Without the cache, only a runner already on the image can start: keep it (the binary syncer may not have
  # cached one yet, e.g. right after the first apply); without one, there is nothing to run.
  if [ -z "$image_version" ]; then
    log "no runner: s3://$BUCKET/$RUNNER_KEY not readable ($cache_error) and the image has none"
    shut_down "no runner to start"
    exit 1
  fi
  metadata='{}'
fi
rm -f "$WORK_DIR/s3-error"
expected_sha=$(jq -r '.sha256 // empty' <<<"$metadata")
cached_version=$(jq -r '.["runner-version"] // empty' <<<"$metadata")
# The image's runner is current when its version sorts at or after the cached (pinned) one.
if [ "$cache_found" = false ]; then
  log "runner cache s3://$BUCKET/$RUNNER_KEY not readable ($cache_error); keeping the prebuilt image runner $image_version"
elif [ -n "$image_version" ] &&
  [ "$(printf '%s\n%s\n' "$image_version" "$cached_version" | sort -V | tail -n 1)" = "$image_version" ]; then
  log "prebuilt image runner $image_version is current (cache: ${cached_version:-unknown}); no download"
else
  if [ "$BOOT" = prebuilt ]; then
    log "prebuilt image runner '${image_version:-none}' is older than the cached $cached_version: downloading"
  fi
  tarball="$WORK_DIR/actions-runner.tar.gz"
  aws s3 cp --only-show-errors "s3://$BUCKET/$RUNNER_KEY" "$tarball"
  actual_sha=$(sha256sum "$tarball" | cut -d ' ' -f 1)
  if ! [[ "$expected_sha" =~ ^[0-9a-f]{64}$ ]] || [ "$actual_sha" != "$expected_sha" ]; then
    rm -f "$tarball"
    log "refusing the runner tarball s3://$BUCKET/$RUNNER_KEY: sha256 $actual_sha, metadata says '$expected_sha'"
    shut_down "runner tarball checksum mismatch"
    exit 1
  fi
  rm -rf "$RUNNER_DIR"
  mkdir -p "$RUNNER_DIR"
  tar -xzf "$tarball" -C "$RUNNER_DIR"
  rm -f "$tarball"
  if [ -x "$RUNNER_DIR/bin/installdependencies.sh" ]; then
    "$RUNNER_DIR/bin/installdependencies.sh" >/dev/null
  fi
  log "runner tarball $cached_version verified (sha256 $actual_sha) and unpacked into $RUNNER_DIR"
fi
if [ -n "$RUNNER_WORK_DIR" ]; then
  mkdir -p "$RUNNER_WORK_DIR"
  chown "$RUNNER_USER:$RUNNER_USER" "$RUNNER_WORK_DIR"
fi
# Job hooks: the runner reads ACTIONS_RUNNER_HOOK_* from the .env file in its directory.
for hook in "ACTIONS_RUNNER_HOOK_JOB_STARTED=$HOOK_JOB_STARTED" "ACTIONS_RUNNER_HOOK_JOB_COMPLETED=$HOOK_JOB_COMPLETED"; do
  if [ -r "${hook#*=}" ]; then
    printf '%s\n' "$hook" >>"$RUNNER_DIR/.env"
    log "job hook ${hook%%=*} is ${hook#*=}"
  fi
done
chown -R "$RUNNER_USER:$RUNNER_USER" "$RUNNER_DIR"

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
    if [ -n "$RUNNER_WORK_DIR" ]; then
      rm -rf "$RUNNER_DIR/_work"
      ln -s "$RUNNER_WORK_DIR" "$RUNNER_DIR/_work"
    fi
    log "starting JIT runner $runner_name"
    status=0
    # Through the environment, not argv: any user can read a process's command line in /proc, only
    # its own user and root its environment; the runner reads ACTIONS_RUNNER_INPUT_<ARG> for any of
    # its arguments and clears it before a job starts.
    (export ACTIONS_RUNNER_INPUT_JITCONFIG="$jit_config" && as_runner ./run.sh) || status=$?
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
    args=(--unattended --url "$url" --name "$runner_name" --labels "$labels"
      --runnergroup "${runner_group:-Default}" --replace)
    if [ "$ephemeral" = true ]; then
      args+=(--ephemeral)
    fi
    if [ "$DISABLE_UPDATE" = true ]; then
      args+=(--disableupdate)
    fi
    if [ -n "$RUNNER_WORK_DIR" ]; then
      args+=(--work "$RUNNER_WORK_DIR")
    fi
    log "registering runner $runner_name at $url (ephemeral: ${ephemeral:-false})"
    # the registration token through the environment too (ACTIONS_RUNNER_INPUT_TOKEN), never argv
    (export ACTIONS_RUNNER_INPUT_TOKEN="$token" && as_runner ./config.sh "${args[@]}")
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
