#!/usr/bin/env bats
# The start script's boot paths (install, prebuilt) and runner process control (job hooks, run-as user,
# update off, work directory, pre- and post-install), against the stubs of start-runner-helpers.bash.

bats_require_minimum_version 1.5.0

load start-runner-helpers

# --- boot paths -------------------------------------------------------------------------------------

# A prebuilt image's runner at the runner directory, with the version file terraform/modules/runners/templates/install-runner.sh writes.
image_runner() {
  mkdir -p "$SPOTRUNNER_RUNNER_DIR"
  printf '#!/usr/bin/env bash\necho "image run.sh $* jitconfig=${ACTIONS_RUNNER_INPUT_JITCONFIG:-}" >>"$STUB_STATE/sequence"\n' >"$SPOTRUNNER_RUNNER_DIR/run.sh"
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
  grep -qx "image run.sh  jitconfig=x" "$STUB_STATE/sequence"
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

@test "prebuilt: when the runner cache cannot be read, the image's runner starts, with a log line" {
  export SPOTRUNNER_BOOT=prebuilt
  image_runner 2.330.0
  # Nothing cached yet (the binary syncer has not run): HeadObject answers 404.
  rm "$STUB_STATE/s3/$SPOTRUNNER_RUNNER_KEY"
  put_config '{"mode":"jit","runnerName":"r","jitConfig":"x"}'

  run "$START_SCRIPT"

  [ "$status" -eq 0 ]
  [[ "$output" == *"runner cache s3://runner-cache/actions-runner/linux-x64.tar.gz not readable (An error occurred (404) when calling the HeadObject operation: Not Found); keeping the prebuilt image runner 2.330.0"* ]]
  grep -q "s3api head-object" "$STUB_STATE/aws.calls"
  run ! grep -q "s3 cp" "$STUB_STATE/aws.calls"
  grep -qx "image run.sh  jitconfig=x" "$STUB_STATE/sequence"
}

@test "prebuilt: when the runner cache cannot be read and the image has no runner, the instance shuts down" {
  export SPOTRUNNER_BOOT=prebuilt
  rm "$STUB_STATE/s3/$SPOTRUNNER_RUNNER_KEY"
  put_config '{"mode":"jit","runnerName":"r","jitConfig":"x"}'

  run "$START_SCRIPT"

  [ "$status" -ne 0 ]
  [[ "$output" == *"no runner: s3://runner-cache/actions-runner/linux-x64.tar.gz not readable"* ]]
  grep -q "shutdown -h now" "$STUB_STATE/shutdown.calls"
  run ! grep -q "ssm get-parameter" "$STUB_STATE/aws.calls"
  [ ! -e "$STUB_STATE/sequence" ]
}

@test "install: when the runner cache cannot be read, a runner on the image is not used: shutdown" {
  image_runner 2.330.0
  rm "$STUB_STATE/s3/$SPOTRUNNER_RUNNER_KEY"
  put_config '{"mode":"jit","runnerName":"r","jitConfig":"x"}'

  run "$START_SCRIPT"

  [ "$status" -ne 0 ]
  grep -q "shutdown -h now" "$STUB_STATE/shutdown.calls"
  [ ! -e "$STUB_STATE/sequence" ]
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

