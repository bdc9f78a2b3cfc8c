#!/usr/bin/env bats
# The runner start script against stubbed aws, curl (IMDSv2 metadata endpoint), runuser and chown.
# START_SCRIPT may point at a rendered copy; by default the template itself is tested.

bats_require_minimum_version 1.5.0

setup() {
  START_SCRIPT=${START_SCRIPT:-"$BATS_TEST_DIRNAME/../modules/runners/templates/start-runner.sh"}
  export STUB_STATE="$BATS_TEST_TMPDIR/state"
  mkdir -p "$STUB_STATE/s3/actions-runner" "$STUB_STATE/ssm" "$BATS_TEST_TMPDIR/tarball"
  export PATH="$BATS_TEST_DIRNAME/stubs:$PATH"

  export SPOTRUNNER_ENV_FILE="$BATS_TEST_TMPDIR/no-such-env-file"
  export SPOTRUNNER_POOL=linux
  export SPOTRUNNER_SSM_CONFIG_PATH=/ci/runners
  export SPOTRUNNER_BUCKET=runner-cache
  export SPOTRUNNER_RUNNER_KEY=actions-runner/linux-x64.tar.gz
  export SPOTRUNNER_IMDS_URL=http://imds.stub
  export SPOTRUNNER_CONFIG_TIMEOUT_SECONDS=2
  export SPOTRUNNER_POLL_SECONDS=0.2
  export SPOTRUNNER_SHUTDOWN_CMD="$BATS_TEST_DIRNAME/stubs/shutdown-stub -h now"
  export SPOTRUNNER_RUNNER_DIR="$BATS_TEST_TMPDIR/actions-runner"
  export SPOTRUNNER_WORK_DIR="$BATS_TEST_TMPDIR/work"
  export SPOTRUNNER_POST_INSTALL="$BATS_TEST_TMPDIR/no-post-install"
  export SPOTRUNNER_PRE_INSTALL="$BATS_TEST_TMPDIR/no-pre-install"
  export SPOTRUNNER_HOOK_JOB_STARTED="$BATS_TEST_TMPDIR/no-hook-started"
  export SPOTRUNNER_HOOK_JOB_COMPLETED="$BATS_TEST_TMPDIR/no-hook-completed"
  export SPOTRUNNER_USER_DATA_LOG="$BATS_TEST_TMPDIR/user-data.log"
  export SPOTRUNNER_CW_AGENT_CTL=amazon-cloudwatch-agent-ctl
  echo 2.330.0 >"$STUB_STATE/s3.version"
  PARAMETER=/ci/runners/linux/i-0123456789abcdef0

  # A fake runner whose scripts record how they were called, and whether the config was still in SSM.
  for script in run.sh config.sh svc.sh; do
    cat >"$BATS_TEST_TMPDIR/tarball/$script" <<SCRIPT
#!/usr/bin/env bash
printf '%s\n' "\$*" >>"\$STUB_STATE/$script.args"
echo "tarball $script" >>"\$STUB_STATE/sequence"
if [ -e "\$STUB_STATE/ssm$PARAMETER" ]; then echo present >>"\$STUB_STATE/config-at-start"; fi
SCRIPT
    chmod +x "$BATS_TEST_TMPDIR/tarball/$script"
  done
  tar -czf "$STUB_STATE/s3/$SPOTRUNNER_RUNNER_KEY" -C "$BATS_TEST_TMPDIR/tarball" .
  sha256sum "$STUB_STATE/s3/$SPOTRUNNER_RUNNER_KEY" | cut -d ' ' -f 1 >"$STUB_STATE/s3.sha256"
}

put_config() {
  mkdir -p "$STUB_STATE/ssm$(dirname "$PARAMETER")"
  printf '%s' "$1" >"$STUB_STATE/ssm$PARAMETER"
}

@test "reads the config at <path>/<pool>/<instance-id>, deletes it, then starts the JIT runner and shuts down" {
  put_config '{"mode":"jit","runnerName":"ci-i-0123456789abcdef0","jitConfig":"JIT-SECRET-123"}'

  run "$START_SCRIPT"

  [ "$status" -eq 0 ]
  grep -qx "ssm get-parameter --name $PARAMETER --with-decryption --query Parameter.Value --output text" "$STUB_STATE/aws.calls"
  grep -qx "$PARAMETER" "$STUB_STATE/ssm.deleted"
  [ ! -e "$STUB_STATE/ssm$PARAMETER" ]
  [ ! -e "$STUB_STATE/config-at-start" ]
  [ "$(cat "$STUB_STATE/run.sh.args")" = "--jitconfig JIT-SECRET-123" ]
  [ "$(sort -u "$STUB_STATE/runuser.users")" = runner ]
  grep -q "shutdown -h now" "$STUB_STATE/shutdown.calls"
  # The secret reaches the runner and nothing else: not the log, not the disk.
  [[ "$output" != *JIT-SECRET-123* ]]
  run ! grep -rq JIT-SECRET-123 "$SPOTRUNNER_RUNNER_DIR" "$SPOTRUNNER_WORK_DIR"
}

@test "asks IMDSv2 for a token first and uses it for the metadata" {
  put_config '{"mode":"jit","runnerName":"r","jitConfig":"x"}'

  run "$START_SCRIPT"

  [ "$status" -eq 0 ]
  [ "$(head -n 1 "$STUB_STATE/curl.calls")" = "PUT http://imds.stub/latest/api/token" ]
  grep -qx "GET http://imds.stub/latest/meta-data/instance-id" "$STUB_STATE/curl.calls"
}

@test "registration mode configures an ephemeral runner with the token, runs it, then shuts down" {
  put_config '{"mode":"registration","runnerName":"ci-i-1","url":"https://github.com/acme","token":"REG-TOKEN-456","labels":"self-hosted,linux,x64","runnerGroup":"builders","ephemeral":true}'

  run "$START_SCRIPT"

  [ "$status" -eq 0 ]
  [ "$(cat "$STUB_STATE/config.sh.args")" = "--unattended --url https://github.com/acme --token REG-TOKEN-456 --name ci-i-1 --labels self-hosted,linux,x64 --runnergroup builders --replace --ephemeral" ]
  [ "$(cat "$STUB_STATE/run.sh.args")" = "" ]
  grep -q "shutdown" "$STUB_STATE/shutdown.calls"
  [[ "$output" != *REG-TOKEN-456* ]]
}

@test "a persistent runner is installed as a service and the instance keeps running" {
  put_config '{"mode":"registration","runnerName":"ci-i-2","url":"https://github.com/acme/api","token":"t","labels":"self-hosted","runnerGroup":"Default","ephemeral":false}'

  run "$START_SCRIPT"

  [ "$status" -eq 0 ]
  [[ "$(cat "$STUB_STATE/config.sh.args")" != *--ephemeral* ]]
  grep -qx "install runner" "$STUB_STATE/svc.sh.args"
  grep -qx "start" "$STUB_STATE/svc.sh.args"
  [ ! -e "$STUB_STATE/run.sh.args" ]
  [ ! -e "$STUB_STATE/shutdown.calls" ]
}

@test "a tarball whose sha256 differs from its metadata is refused: no runner, no config read, shutdown" {
  put_config '{"mode":"jit","runnerName":"r","jitConfig":"x"}'
  echo "0000000000000000000000000000000000000000000000000000000000000000" >"$STUB_STATE/s3.sha256"

  run "$START_SCRIPT"

  [ "$status" -ne 0 ]
  [[ "$output" == *"checksum mismatch"* ]]
  grep -q shutdown "$STUB_STATE/shutdown.calls"
  [ ! -e "$SPOTRUNNER_RUNNER_DIR/run.sh" ]
  [ ! -e "$STUB_STATE/run.sh.args" ]
  run ! grep -q "ssm get-parameter" "$STUB_STATE/aws.calls"
  [ -e "$STUB_STATE/ssm$PARAMETER" ]
}

@test "a tarball without sha256 metadata is refused" {
  echo "None" >"$STUB_STATE/s3.sha256"

  run "$START_SCRIPT"

  [ "$status" -ne 0 ]
  [[ "$output" == *"checksum mismatch"* ]]
  grep -q shutdown "$STUB_STATE/shutdown.calls"
}

@test "a config that never appears times out into shutdown" {
  start=$SECONDS

  run "$START_SCRIPT"

  [ "$status" -ne 0 ]
  [[ "$output" == *"did not appear within 2s"* ]]
  [[ "$output" == *ParameterNotFound* ]]
  grep -q "shutdown -h now" "$STUB_STATE/shutdown.calls"
  [ "$(grep -c "ssm get-parameter" "$STUB_STATE/aws.calls")" -ge 2 ]
  [ ! -e "$STUB_STATE/run.sh.args" ]
  [ $((SECONDS - start)) -lt 10 ]
}

@test "a config with an unknown mode shuts down without starting anything" {
  put_config '{"mode":"mystery","runnerName":"r"}'

  run "$START_SCRIPT"

  [ "$status" -ne 0 ]
  grep -q shutdown "$STUB_STATE/shutdown.calls"
  [ ! -e "$STUB_STATE/run.sh.args" ]
  [ ! -e "$STUB_STATE/config.sh.args" ]
}

@test "an unexpected failure (metadata unreachable) still shuts the instance down" {
  export SPOTRUNNER_IMDS_URL=http://unreachable.stub/elsewhere
  export STUB_INSTANCE_ID=""

  run "$START_SCRIPT"

  [ "$status" -ne 0 ]
  grep -q shutdown "$STUB_STATE/shutdown.calls"
}

# --- boot paths -------------------------------------------------------------------------------------

# A prebuilt image's runner at the runner directory, with the version file images/install-runner.sh writes.
image_runner() {
  mkdir -p "$SPOTRUNNER_RUNNER_DIR"
  printf '#!/usr/bin/env bash\necho "image run.sh $*" >>"$STUB_STATE/sequence"\n' >"$SPOTRUNNER_RUNNER_DIR/run.sh"
  chmod +x "$SPOTRUNNER_RUNNER_DIR/run.sh"
  echo "$1" >"$SPOTRUNNER_RUNNER_DIR/.spotrunner-runner-version"
}

@test "prebuilt: an image runner as new as the cached one is used, nothing is downloaded" {
  export SPOTRUNNER_BOOT=prebuilt
  image_runner 2.330.0
  put_config '{"mode":"jit","runnerName":"r","jitConfig":"x"}'

  run "$START_SCRIPT"

  [ "$status" -eq 0 ]
  [[ "$output" == *"prebuilt image runner 2.330.0 is current (cache: 2.330.0); no download"* ]]
  grep -qx "image run.sh --jitconfig x" "$STUB_STATE/sequence"
  run ! grep -q "s3 cp" "$STUB_STATE/aws.calls"
}

@test "prebuilt: an image runner newer than the cached one is kept" {
  export SPOTRUNNER_BOOT=prebuilt
  image_runner 2.331.1
  put_config '{"mode":"jit","runnerName":"r","jitConfig":"x"}'

  run "$START_SCRIPT"

  [ "$status" -eq 0 ]
  run ! grep -q "s3 cp" "$STUB_STATE/aws.calls"
  grep -q "^image run.sh" "$STUB_STATE/sequence"
}

@test "prebuilt: an image runner older than the cached (pinned) one is replaced by the verified download" {
  export SPOTRUNNER_BOOT=prebuilt
  image_runner 2.329.9
  echo 2.330.10 >"$STUB_STATE/s3.version"
  put_config '{"mode":"jit","runnerName":"r","jitConfig":"x"}'

  run "$START_SCRIPT"

  [ "$status" -eq 0 ]
  grep -q "s3 cp --only-show-errors s3://runner-cache/actions-runner/linux-x64.tar.gz" "$STUB_STATE/aws.calls"
  grep -qx "tarball run.sh" "$STUB_STATE/sequence"
  run ! grep -q "^image run.sh" "$STUB_STATE/sequence"
  [ ! -e "$SPOTRUNNER_RUNNER_DIR/.spotrunner-runner-version" ]
}

@test "prebuilt: an image without the version file downloads the runner" {
  export SPOTRUNNER_BOOT=prebuilt
  image_runner 2.330.0
  rm "$SPOTRUNNER_RUNNER_DIR/.spotrunner-runner-version"
  put_config '{"mode":"jit","runnerName":"r","jitConfig":"x"}'

  run "$START_SCRIPT"

  [ "$status" -eq 0 ]
  grep -q "s3 cp" "$STUB_STATE/aws.calls"
  grep -qx "tarball run.sh" "$STUB_STATE/sequence"
}

@test "install: a runner already on the image is replaced by the cached one" {
  image_runner 2.399.0
  put_config '{"mode":"jit","runnerName":"r","jitConfig":"x"}'

  run "$START_SCRIPT"

  [ "$status" -eq 0 ]
  grep -q "s3 cp" "$STUB_STATE/aws.calls"
  grep -qx "tarball run.sh" "$STUB_STATE/sequence"
}

# --- runner process control -------------------------------------------------------------------------

hook() { # path: a hook script
  printf '#!/usr/bin/env bash\necho hook\n' >"$1"
  chmod +x "$1"
}

@test "job hooks are set in the runner's .env for both events" {
  hook "$SPOTRUNNER_HOOK_JOB_STARTED"
  hook "$SPOTRUNNER_HOOK_JOB_COMPLETED"
  put_config '{"mode":"jit","runnerName":"r","jitConfig":"x"}'

  run "$START_SCRIPT"

  [ "$status" -eq 0 ]
  grep -qx "ACTIONS_RUNNER_HOOK_JOB_STARTED=$SPOTRUNNER_HOOK_JOB_STARTED" "$SPOTRUNNER_RUNNER_DIR/.env"
  grep -qx "ACTIONS_RUNNER_HOOK_JOB_COMPLETED=$SPOTRUNNER_HOOK_JOB_COMPLETED" "$SPOTRUNNER_RUNNER_DIR/.env"
}

@test "a pool without hooks sets none; a prebuilt runner gets the hooks too" {
  export SPOTRUNNER_BOOT=prebuilt
  image_runner 2.330.0
  hook "$SPOTRUNNER_HOOK_JOB_COMPLETED"
  put_config '{"mode":"jit","runnerName":"r","jitConfig":"x"}'

  run "$START_SCRIPT"

  [ "$status" -eq 0 ]
  [ "$(cat "$SPOTRUNNER_RUNNER_DIR/.env")" = "ACTIONS_RUNNER_HOOK_JOB_COMPLETED=$SPOTRUNNER_HOOK_JOB_COMPLETED" ]
}

@test "run-as user: created when missing, owns the runner, runs config.sh and run.sh" {
  export SPOTRUNNER_RUNNER_USER=builder
  put_config '{"mode":"registration","runnerName":"r","url":"https://github.com/acme","token":"t","labels":"self-hosted","ephemeral":true}'

  run "$START_SCRIPT"

  [ "$status" -eq 0 ]
  grep -qx -- "--create-home --shell /bin/bash builder" "$STUB_STATE/useradd.calls"
  [ "$(sort -u "$STUB_STATE/runuser.users")" = builder ]
  grep -qx "builder:builder $SPOTRUNNER_RUNNER_DIR" <(sed 's/^-R //' "$STUB_STATE/chown.calls")
}

@test "run-as user: an existing user is not created again" {
  echo runner >"$STUB_STATE/users"
  put_config '{"mode":"jit","runnerName":"r","jitConfig":"x"}'

  run "$START_SCRIPT"

  [ "$status" -eq 0 ]
  [ ! -e "$STUB_STATE/useradd.calls" ]
  [ "$(sort -u "$STUB_STATE/runuser.users")" = runner ]
}

@test "auto-update off: registration passes --disableupdate" {
  export SPOTRUNNER_DISABLE_UPDATE=true
  put_config '{"mode":"registration","runnerName":"r","url":"https://github.com/acme","token":"t","labels":"self-hosted","ephemeral":true}'

  run "$START_SCRIPT"

  [ "$status" -eq 0 ]
  [[ "$(cat "$STUB_STATE/config.sh.args")" == *" --ephemeral --disableupdate" ]]
}

@test "auto-update stays on by default" {
  put_config '{"mode":"registration","runnerName":"r","url":"https://github.com/acme","token":"t","labels":"self-hosted","ephemeral":true}'

  run "$START_SCRIPT"

  [ "$status" -eq 0 ]
  [[ "$(cat "$STUB_STATE/config.sh.args")" != *--disableupdate* ]]
}

@test "work directory: registration passes --work, the directory exists and belongs to the run-as user" {
  export SPOTRUNNER_RUNNER_WORK_DIR="$BATS_TEST_TMPDIR/jobs"
  put_config '{"mode":"registration","runnerName":"r","url":"https://github.com/acme","token":"t","labels":"self-hosted","ephemeral":true}'

  run "$START_SCRIPT"

  [ "$status" -eq 0 ]
  [[ "$(cat "$STUB_STATE/config.sh.args")" == *" --work $SPOTRUNNER_RUNNER_WORK_DIR"* ]]
  [ -d "$SPOTRUNNER_RUNNER_WORK_DIR" ]
  grep -qx "runner:runner $SPOTRUNNER_RUNNER_WORK_DIR" "$STUB_STATE/chown.calls"
}

@test "work directory: a JIT runner's _work links to it" {
  export SPOTRUNNER_RUNNER_WORK_DIR="$BATS_TEST_TMPDIR/jobs"
  put_config '{"mode":"jit","runnerName":"r","jitConfig":"x"}'

  run "$START_SCRIPT"

  [ "$status" -eq 0 ]
  [ "$(readlink "$SPOTRUNNER_RUNNER_DIR/_work")" = "$SPOTRUNNER_RUNNER_WORK_DIR" ]
}

@test "pre-install runs first, before the runner is downloaded" {
  printf '#!/usr/bin/env bash\n[ -e "%s/run.sh" ] && echo "pre-install: runner present" >>"$STUB_STATE/sequence"\necho pre-install >>"$STUB_STATE/sequence"\n' \
    "$SPOTRUNNER_RUNNER_DIR" >"$SPOTRUNNER_PRE_INSTALL"
  chmod +x "$SPOTRUNNER_PRE_INSTALL"
  put_config '{"mode":"jit","runnerName":"r","jitConfig":"x"}'

  run "$START_SCRIPT"

  [ "$status" -eq 0 ]
  [ "$(cat "$STUB_STATE/sequence")" = "$(printf 'pre-install\ntarball run.sh')" ]
  [ "$(head -n 1 "$STUB_STATE/aws.calls" | cut -d ' ' -f 1-2)" = "s3api head-object" ]
}

@test "post-install runs after the runner is unpacked and the config deleted, before the runner starts" {
  printf '#!/usr/bin/env bash\n[ -x "%s/run.sh" ] && echo "post-install: runner present" >>"$STUB_STATE/sequence"\n[ -e "$STUB_STATE/ssm%s" ] || echo "post-install: config deleted" >>"$STUB_STATE/sequence"\n' \
    "$SPOTRUNNER_RUNNER_DIR" "$PARAMETER" >"$SPOTRUNNER_POST_INSTALL"
  chmod +x "$SPOTRUNNER_POST_INSTALL"
  put_config '{"mode":"jit","runnerName":"r","jitConfig":"x"}'

  run "$START_SCRIPT"

  [ "$status" -eq 0 ]
  [ "$(cat "$STUB_STATE/sequence")" = "$(printf 'post-install: runner present\npost-install: config deleted\ntarball run.sh')" ]
}

@test "a failing post-install script shuts the instance down without starting the runner" {
  printf '#!/usr/bin/env bash\nexit 3\n' >"$SPOTRUNNER_POST_INSTALL"
  chmod +x "$SPOTRUNNER_POST_INSTALL"
  put_config '{"mode":"jit","runnerName":"r","jitConfig":"x"}'

  run "$START_SCRIPT"

  [ "$status" -eq 3 ]
  grep -q shutdown "$STUB_STATE/shutdown.calls"
  [ ! -e "$STUB_STATE/run.sh.args" ]
}

# --- logs ---------------------------------------------------------------------------------------------

@test "the CloudWatch agent ships user_data, runner and job logs to the pool's log group" {
  export SPOTRUNNER_LOG_GROUP=/ci/runners/linux
  put_config '{"mode":"jit","runnerName":"r","jitConfig":"x"}'

  run "$START_SCRIPT"

  [ "$status" -eq 0 ]
  grep -qx "amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:$SPOTRUNNER_WORK_DIR/cloudwatch-agent.json" "$STUB_STATE/system.calls"
  files=$(jq -r '.logs.logs_collected.files.collect_list[] | "\(.log_group_name) \(.log_stream_name) \(.file_path)"' "$SPOTRUNNER_WORK_DIR/cloudwatch-agent.json")
  [ "$files" = "$(printf '%s\n' "/ci/runners/linux {instance_id}/user-data $SPOTRUNNER_USER_DATA_LOG" \
    "/ci/runners/linux {instance_id}/runner $SPOTRUNNER_RUNNER_DIR/_diag/Runner_*.log" \
    "/ci/runners/linux {instance_id}/job $SPOTRUNNER_RUNNER_DIR/_diag/Worker_*.log")" ]
}

@test "without a log group the CloudWatch agent is left alone" {
  put_config '{"mode":"jit","runnerName":"r","jitConfig":"x"}'

  run "$START_SCRIPT"

  [ "$status" -eq 0 ]
  run ! grep -q amazon-cloudwatch-agent-ctl "$STUB_STATE/system.calls"
}
