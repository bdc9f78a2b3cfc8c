#!/usr/bin/env bats
# terraform/modules/runners/templates/install-runner.sh, the one install script behind both callers: user_data of `install` pools and the
# Packer templates in images/. Stubbed dnf, apt-get, dpkg, systemctl and curl (downloads from $STUB_STATE).

bats_require_minimum_version 1.5.0

setup() {
  INSTALL_SCRIPT="$BATS_TEST_DIRNAME/../modules/runners/templates/install-runner.sh"
  START_SCRIPT=${START_SCRIPT:-"$BATS_TEST_DIRNAME/../modules/runners/templates/start-runner.sh"}
  export STUB_STATE="$BATS_TEST_TMPDIR/state"
  mkdir -p "$STUB_STATE/downloads" "$BATS_TEST_TMPDIR/release"
  export PATH="$BATS_TEST_DIRNAME/stubs:$PATH"
  export SPOTRUNNER_RUNNER_DIR="$BATS_TEST_TMPDIR/actions-runner"
  export SPOTRUNNER_SCRIPT_DIR="$BATS_TEST_TMPDIR/opt-spotrunner"
  export SPOTRUNNER_DOWNLOAD_DIR="$BATS_TEST_TMPDIR/downloads"
  export SPOTRUNNER_OS_RELEASE="$BATS_TEST_TMPDIR/os-release"
  mkdir -p "$SPOTRUNNER_DOWNLOAD_DIR"
  echo "fake agent package" >"$STUB_STATE/downloads/amazon-cloudwatch-agent.deb"

  # A runner release as GitHub publishes it, for the image build.
  printf '#!/usr/bin/env bash\necho "image run.sh $* jitconfig=${ACTIONS_RUNNER_INPUT_JITCONFIG:-}" >>"$STUB_STATE/sequence"\n' >"$BATS_TEST_TMPDIR/release/run.sh"
  chmod +x "$BATS_TEST_TMPDIR/release/run.sh"
  tar -czf "$STUB_STATE/downloads/actions-runner-linux-x64-2.330.0.tar.gz" -C "$BATS_TEST_TMPDIR/release" .
  RELEASE_URL=https://github.com/actions/runner/releases/download/v2.330.0/actions-runner-linux-x64-2.330.0.tar.gz
  RELEASE_SHA=$(sha256sum "$STUB_STATE/downloads/actions-runner-linux-x64-2.330.0.tar.gz" | cut -d ' ' -f 1)
}

os() { printf 'NAME="test"\nID=%s\n' "$1" >"$SPOTRUNNER_OS_RELEASE"; }

@test "Amazon Linux 2023: docker, git, jq and the CloudWatch agent from dnf; docker enabled; nothing downloaded" {
  os amzn

  run "$INSTALL_SCRIPT"

  [ "$status" -eq 0 ]
  grep -qx "dnf install -y -q docker git jq libicu unzip amazon-cloudwatch-agent" "$STUB_STATE/system.calls"
  grep -qx "systemctl enable --now docker" "$STUB_STATE/system.calls"
  [ ! -e "$STUB_STATE/curl.calls" ]
  [ ! -e "$SPOTRUNNER_RUNNER_DIR" ]
  cmp "$INSTALL_SCRIPT" "$SPOTRUNNER_SCRIPT_DIR/install-runner.sh"
}

@test "Ubuntu: packages from apt and the CloudWatch agent from AWS's .deb for the architecture" {
  os ubuntu

  run "$INSTALL_SCRIPT"

  [ "$status" -eq 0 ]
  grep -qx "apt-get install -y -q docker.io git jq curl unzip" "$STUB_STATE/system.calls"
  arch=$(case "$(uname -m)" in aarch64 | arm64) echo arm64 ;; *) echo amd64 ;; esac)
  grep -qx "GET https://s3.amazonaws.com/amazoncloudwatch-agent/ubuntu/$arch/latest/amazon-cloudwatch-agent.deb" "$STUB_STATE/curl.calls"
  grep -qx "dpkg -i -E $SPOTRUNNER_DOWNLOAD_DIR/amazon-cloudwatch-agent.deb" "$STUB_STATE/system.calls"
  grep -qx "systemctl enable --now docker" "$STUB_STATE/system.calls"
  run ! grep -q "^dnf" "$STUB_STATE/system.calls"
}

@test "an unknown OS is refused" {
  os fedora

  run "$INSTALL_SCRIPT"

  [ "$status" -ne 0 ]
  [[ "$output" == *"unsupported OS 'fedora'"* ]]
  [ ! -e "$STUB_STATE/system.calls" ]
}

@test "image build: the runner release is verified, unpacked and its version recorded" {
  os amzn

  run "$INSTALL_SCRIPT" --runner-url "$RELEASE_URL" --runner-sha256 "$RELEASE_SHA" --runner-version 2.330.0

  [ "$status" -eq 0 ]
  [ -x "$SPOTRUNNER_RUNNER_DIR/run.sh" ]
  [ "$(cat "$SPOTRUNNER_RUNNER_DIR/.spotrunner-runner-version")" = 2.330.0 ]
}

@test "image build: a runner release with another checksum is refused" {
  os amzn

  run "$INSTALL_SCRIPT" --runner-url "$RELEASE_URL" --runner-sha256 "$(printf '0%.0s' {1..64})" --runner-version 2.330.0

  [ "$status" -ne 0 ]
  [[ "$output" == *"expected 0000"* ]]
  [ ! -e "$SPOTRUNNER_RUNNER_DIR/run.sh" ]
}

@test "image build: --runner-url without a version or checksum is refused" {
  os amzn

  run "$INSTALL_SCRIPT" --runner-url "$RELEASE_URL" --runner-sha256 "$RELEASE_SHA"

  [ "$status" -eq 2 ]
  [ ! -e "$STUB_STATE/system.calls" ]
}

@test "one script, two callers: an image built by it boots as prebuilt without downloading the runner" {
  os ubuntu
  run "$INSTALL_SCRIPT" --runner-url "$RELEASE_URL" --runner-sha256 "$RELEASE_SHA" --runner-version 2.330.0
  [ "$status" -eq 0 ]

  mkdir -p "$STUB_STATE/s3/actions-runner" "$STUB_STATE/ssm/ci/runners/linux"
  echo "not a tarball" >"$STUB_STATE/s3/actions-runner/linux-x64.tar.gz"
  echo 2.330.0 >"$STUB_STATE/s3.version"
  echo None >"$STUB_STATE/s3.sha256"
  printf '%s' '{"mode":"jit","runnerName":"r","jitConfig":"x"}' >"$STUB_STATE/ssm/ci/runners/linux/i-0123456789abcdef0"
  SPOTRUNNER_ENV_FILE=/nonexistent SPOTRUNNER_BOOT=prebuilt SPOTRUNNER_POOL=linux SPOTRUNNER_SSM_CONFIG_PATH=/ci/runners \
    SPOTRUNNER_BUCKET=runner-cache SPOTRUNNER_RUNNER_KEY=actions-runner/linux-x64.tar.gz SPOTRUNNER_IMDS_URL=http://imds.stub \
    SPOTRUNNER_SHUTDOWN_CMD="$BATS_TEST_DIRNAME/stubs/shutdown-stub -h now" SPOTRUNNER_WORK_DIR="$BATS_TEST_TMPDIR/work" \
    SPOTRUNNER_PRE_INSTALL=/nonexistent SPOTRUNNER_POST_INSTALL=/nonexistent SPOTRUNNER_HOOK_JOB_STARTED=/nonexistent \
    SPOTRUNNER_HOOK_JOB_COMPLETED=/nonexistent SPOTRUNNER_USER_DATA_LOG=/nonexistent \
    run "$START_SCRIPT"

  [ "$status" -eq 0 ]
  grep -qx "image run.sh  jitconfig=x" "$STUB_STATE/sequence"
  run ! grep -q "s3 cp" "$STUB_STATE/aws.calls"
}
