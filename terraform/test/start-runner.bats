#!/usr/bin/env bats
# The runner start script against stubs (start-runner-helpers.bash): config read and delete, IMDSv2,
# JIT and registration, checksum refusal, timeouts, logs. Boot paths and process control:
# start-runner-boot.bats.

bats_require_minimum_version 1.5.0

load start-runner-helpers

@test "reads the config at <path>/<pool>/<instance-id>, deletes it, then starts the JIT runner and shuts down" {
  put_config '{"mode":"jit","runnerName":"ci-i-0123456789abcdef0","jitConfig":"JIT-SECRET-123"}'

  run "$START_SCRIPT"

  [ "$status" -eq 0 ]
  grep -qx "ssm get-parameter --name $PARAMETER --with-decryption --query Parameter.Value --output text" "$STUB_STATE/aws.calls"
  grep -qx "$PARAMETER" "$STUB_STATE/ssm.deleted"
  [ ! -e "$STUB_STATE/ssm$PARAMETER" ]
  [ ! -e "$STUB_STATE/config-at-start" ]
  # the JIT config reaches run.sh through its environment, never its command line (/proc/*/cmdline)
  [ "$(cat "$STUB_STATE/run.sh.args")" = "" ]
  [ "$(cat "$STUB_STATE/run.sh.env")" = "jitconfig=JIT-SECRET-123 token=" ]
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
  [ "$(cat "$STUB_STATE/config.sh.args")" = "--unattended --url https://github.com/acme --name ci-i-1 --labels self-hosted,linux,x64 --runnergroup builders --replace --ephemeral" ]
  [ "$(cat "$STUB_STATE/config.sh.env")" = "jitconfig= token=REG-TOKEN-456" ]
  [ "$(cat "$STUB_STATE/run.sh.args")" = "" ]
  [ "$(cat "$STUB_STATE/run.sh.env")" = "jitconfig= token=" ]
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
