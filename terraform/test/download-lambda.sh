#!/usr/bin/env bash
# The download-lambda module against a release served from file:// (curl reads it like https):
# a complete release is accepted; a SHA256SUMS without a jar's line, or a jar that differs from the
# sha256 pinned in jar_sha256, is refused. Usage: download-lambda.sh <work dir>
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$1
release="$work/release/o/r/releases/download/v1.0.0"
mkdir -p "$release"
jars=(spotrunner-webhook.jar spotrunner-runners.jar spotrunner-binary-syncer.jar)
for jar in "${jars[@]}"; do head -c 256 /dev/urandom >"$release/$jar"; done

# $1: the SHA256SUMS lines, $2: the jar_sha256 map in HCL; returns terraform apply's status, its
# output in $work/last-apply.log.
attempt() {
  local dir
  dir=$(mktemp -d "$work/case-XXXXXX")
  printf '%s\n' "$1" >"$release/SHA256SUMS"
  cat >"$dir/main.tf" <<HCL
module "download" {
  source          = "$repo/terraform/modules/download-lambda"
  release_version = "1.0.0"
  repository      = "o/r"
  github_url      = "file://$work/release"
  directory       = "$dir/jars"
  jar_sha256      = $2
}
HCL
  terraform -chdir="$dir" init -backend=false -no-color >"$dir/init.log" 2>&1 || { cat "$dir/init.log"; echo "FAIL: init"; exit 1; }
  terraform -chdir="$dir" apply -auto-approve -no-color >"$work/last-apply.log" 2>&1
}
# A refusal must be the one under test: its message in the apply output, not any failure.
refused_with() {
  grep -qF -- "$1" "$work/last-apply.log" || { tail -n 30 "$work/last-apply.log"; echo "FAIL: refused, but not with: $1"; exit 1; }
}
all_sums=$(cd "$release" && sha256sum "${jars[@]}")
webhook_sum=$(cd "$release" && sha256sum spotrunner-webhook.jar | cut -d' ' -f1)

attempt "$all_sums" '{}' || { echo "FAIL: a complete release was refused"; exit 1; }
echo "ok: a release whose SHA256SUMS names every jar is accepted"
if attempt "$(grep -v binary-syncer <<<"$all_sums")" '{}'; then echo "FAIL: a SHA256SUMS without the syncer jar was accepted"; exit 1; fi
refused_with "SHA256SUMS of the release has no line for spotrunner-binary-syncer.jar: refused"
echo "ok: a SHA256SUMS that lacks a jar is refused, naming the jar"
attempt "$all_sums" "{ \"spotrunner-webhook.jar\" = \"$webhook_sum\" }" || { echo "FAIL: a jar matching its pinned sum was refused"; exit 1; }
echo "ok: a jar matching its pinned sha256 is accepted"
if attempt "$all_sums" "{ \"spotrunner-webhook.jar\" = \"$(printf '0%.0s' {1..64})\" }"; then echo "FAIL: a jar differing from its pinned sum was accepted"; exit 1; fi
refused_with "spotrunner-webhook.jar does not match the sha256 pinned in jar_sha256"
echo "ok: a jar that differs from its pinned sha256 is refused, though SHA256SUMS matches it"
