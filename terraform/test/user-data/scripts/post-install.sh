#!/bin/bash
# Example post-install script: runs as root after the runner is installed, before it starts.
set -euo pipefail
docker pull --quiet public.ecr.aws/docker/library/alpine:3 >/dev/null || echo "image pre-pull failed"
