#!/usr/bin/env bash
# Runs the webhook benchmark (dev.spotrunner.webhook.bench.WebhookBenchmark) on this checkout's
# shaded jar and, when given, on a baseline jar in the same session, one after the other.
#   webhook/benchmark.sh [BASELINE_JAR] [-Dbench.runs=10 ...]
# Build first: ./mvnw -q -pl common,webhook -am package -DskipTests
# A baseline jar: the shaded jar of another commit (git stash / checkout, package, copy it away).
# The bench classes (test-classes) only use WebhookHandler's public constructor and BenchAccess,
# so the same ones drive an older jar as long as its Priming.run() returns replies().
set -euo pipefail
cd "$(dirname "$0")/.."
java="${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}"
baseline=""
if [[ $# -gt 0 && "$1" != -D* ]]; then baseline="$1"; shift; fi
run() {
  local jar="$1"; shift
  "$java" -cp "$jar:webhook/target/test-classes:$(cat webhook/target/bench.classpath)" \
    -Dbench.jar="$jar" -Dbench.classpath="$(cat webhook/target/bench-child.classpath)" "$@" \
    dev.spotrunner.webhook.bench.WebhookBenchmark | grep -v '^{'
}
if [[ -n "$baseline" ]]; then
  echo "### BEFORE: $baseline"
  run "$baseline" "$@"
fi
echo "### AFTER: webhook/target/spotrunner-webhook.jar"
run webhook/target/spotrunner-webhook.jar "$@"
