#!/usr/bin/env bash
# spotrunner install script: the one script that prepares a Linux runner host. Two callers:
#   - user_data of `install` pools runs it on every boot (packages only; the start script fetches the runner
#     from the S3 cache afterwards),
#   - the Packer templates in images/ run it once per AMI with --runner-url/--runner-sha256/--runner-version,
#     which also unpacks the runner at /opt/actions-runner and records its version for `prebuilt` pools.
# It installs docker, git, jq, curl, unzip, the AWS CLI (Ubuntu) and the CloudWatch agent (both OSes),
# enables docker, and copies itself to /opt/spotrunner/install-runner.sh (so an image documents how it was built).
# The SPOTRUNNER_* knobs exist so the tests can point it at stubs.
set -euo pipefail

OS_RELEASE=${SPOTRUNNER_OS_RELEASE:-/etc/os-release}
RUNNER_DIR=${SPOTRUNNER_RUNNER_DIR:-/opt/actions-runner}
SCRIPT_DIR=${SPOTRUNNER_SCRIPT_DIR:-/opt/spotrunner}
DOWNLOAD_DIR=${SPOTRUNNER_DOWNLOAD_DIR:-/tmp}
CW_AGENT_BASE_URL=${SPOTRUNNER_CW_AGENT_BASE_URL:-https://s3.amazonaws.com/amazoncloudwatch-agent}
# The version file a prebuilt image carries; the start script compares it with the cached runner.
VERSION_FILE_NAME=.spotrunner-runner-version

runner_url=""
runner_sha256=""
runner_version=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    --runner-url) runner_url=$2; shift ;;
    --runner-sha256) runner_sha256=$2; shift ;;
    --runner-version) runner_version=$2; shift ;;
    *) echo "install-runner.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
if [ -n "$runner_url" ] && { [ -z "$runner_version" ] || ! [[ "$runner_sha256" =~ ^[0-9a-f]{64}$ ]]; }; then
  echo "install-runner.sh: --runner-url needs --runner-version and a hex --runner-sha256" >&2
  exit 2
fi

log() { printf '%s spotrunner-install: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }

# shellcheck source=/dev/null
os_id=$(. "$OS_RELEASE" && printf '%s' "$ID")
case "$(uname -m)" in
  aarch64 | arm64) deb_arch=arm64 ;;
  *) deb_arch=amd64 ;;
esac

case "$os_id" in
  amzn)
    # Amazon Linux 2023 ships the AWS CLI and curl-minimal; the CloudWatch agent is in its repository.
    dnf install -y -q docker git jq libicu unzip amazon-cloudwatch-agent
    ;;
  ubuntu)
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q docker.io git jq curl unzip
    if ! command -v aws >/dev/null 2>&1; then
      curl -sSfL "https://awscli.amazonaws.com/awscli-exe-linux-$(uname -m).zip" -o "$DOWNLOAD_DIR/awscliv2.zip"
      unzip -q -o "$DOWNLOAD_DIR/awscliv2.zip" -d "$DOWNLOAD_DIR"
      "$DOWNLOAD_DIR/aws/install" --update
      rm -rf "$DOWNLOAD_DIR/awscliv2.zip" "$DOWNLOAD_DIR/aws"
    fi
    # Ubuntu has no CloudWatch agent package: AWS publishes a .deb per architecture.
    curl -sSfL "$CW_AGENT_BASE_URL/ubuntu/$deb_arch/latest/amazon-cloudwatch-agent.deb" -o "$DOWNLOAD_DIR/amazon-cloudwatch-agent.deb"
    dpkg -i -E "$DOWNLOAD_DIR/amazon-cloudwatch-agent.deb"
    rm -f "$DOWNLOAD_DIR/amazon-cloudwatch-agent.deb"
    ;;
  *)
    echo "install-runner.sh: unsupported OS '$os_id' (amzn or ubuntu)" >&2
    exit 1
    ;;
esac
systemctl enable --now docker
log "packages installed on $os_id ($deb_arch)"

if [ -n "$runner_url" ]; then
  tarball="$DOWNLOAD_DIR/actions-runner.tar.gz"
  curl -sSfL "$runner_url" -o "$tarball"
  actual=$(sha256sum "$tarball" | cut -d ' ' -f 1)
  if [ "$actual" != "$runner_sha256" ]; then
    rm -f "$tarball"
    echo "install-runner.sh: runner $runner_url has sha256 $actual, expected $runner_sha256" >&2
    exit 1
  fi
  rm -rf "$RUNNER_DIR"
  mkdir -p "$RUNNER_DIR"
  tar -xzf "$tarball" -C "$RUNNER_DIR"
  rm -f "$tarball"
  if [ -x "$RUNNER_DIR/bin/installdependencies.sh" ]; then
    "$RUNNER_DIR/bin/installdependencies.sh" >/dev/null
  fi
  printf '%s\n' "$runner_version" >"$RUNNER_DIR/$VERSION_FILE_NAME"
  log "runner $runner_version unpacked into $RUNNER_DIR"
fi

install -d -m 0755 "$SCRIPT_DIR"
if [ "$(readlink -f "$0")" != "$(readlink -f "$SCRIPT_DIR/install-runner.sh")" ]; then
  install -m 0755 "$0" "$SCRIPT_DIR/install-runner.sh"
fi
log "done"
