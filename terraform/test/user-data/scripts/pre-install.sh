#!/bin/bash
# Example pre-install script: runs as root before the runner is installed.
set -euo pipefail
mkdir -p /mnt/work
if lsblk -dn -o NAME,TYPE | grep -q '^nvme1n1 disk'; then
  mkfs.xfs -q /dev/nvme1n1 && mount /dev/nvme1n1 /mnt/work
fi
