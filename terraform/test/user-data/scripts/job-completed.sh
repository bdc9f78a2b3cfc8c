#!/bin/bash
# Example job-completed hook: cleans the workspace for the next job (persistent runners).
set -euo pipefail
if [ -n "${GITHUB_WORKSPACE:-}" ] && [ -d "$GITHUB_WORKSPACE" ]; then
  find "$GITHUB_WORKSPACE" -mindepth 1 -delete
fi
docker system prune --force --filter until=1h >/dev/null 2>&1 || true
