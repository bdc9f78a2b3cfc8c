#!/bin/bash
# Example job-started hook: prints the instance's identity into the job log.
set -euo pipefail
token=$(curl -sSf -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 60')
md() { curl -sSf -H "X-aws-ec2-metadata-token: $token" "http://169.254.169.254/latest/meta-data/$1"; }
echo "spotrunner: instance $(md instance-id) ($(md instance-type), $(md placement/availability-zone), $(md instance-life-cycle))"
