# Shared by start-runner.bats and start-runner-boot.bats: stubbed aws, curl (IMDSv2), runuser, chown,
# useradd and the CloudWatch agent; a runner tarball in the stub S3 whose fake scripts record their calls.
# START_SCRIPT may point at a rendered copy; by default the template itself is tested.

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
printf 'jitconfig=%s token=%s\n' "\${ACTIONS_RUNNER_INPUT_JITCONFIG:-}" "\${ACTIONS_RUNNER_INPUT_TOKEN:-}" >>"\$STUB_STATE/$script.env"
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

