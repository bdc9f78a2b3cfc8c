package dev.spotrunner.common.config;

import static dev.spotrunner.common.config.LambdaFunction.BINARY_SYNCER;
import static dev.spotrunner.common.config.LambdaFunction.INTERRUPTIONS;
import static dev.spotrunner.common.config.LambdaFunction.SCALE_DOWN;
import static dev.spotrunner.common.config.LambdaFunction.SCALE_UP;
import static dev.spotrunner.common.config.LambdaFunction.SWEEPER;
import static dev.spotrunner.common.config.LambdaFunction.WEBHOOK;

import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Every environment variable a spotrunner Lambda reads, and which functions read it. This is the
 * single Java side of the Terraform contract: a test compares it with the variables each Terraform
 * module sets. {@code docs/settings.md} describes each one.
 */
public enum LambdaVariable {
  // shared
  ENVIRONMENT(WEBHOOK, SCALE_UP, SCALE_DOWN, BINARY_SYNCER, SWEEPER, INTERRUPTIONS),
  GITHUB_API_URL(SCALE_UP, SCALE_DOWN, BINARY_SYNCER, SWEEPER, INTERRUPTIONS),
  GITHUB_APP_ID_PARAM(SCALE_UP, SCALE_DOWN, SWEEPER, INTERRUPTIONS),
  GITHUB_APP_KEY_PARAM(SCALE_UP, SCALE_DOWN, SWEEPER, INTERRUPTIONS),

  // webhook
  WEBHOOK_SECRET_PARAMS(WEBHOOK),
  POOLS(WEBHOOK),
  POOLS_PARAM(WEBHOOK),
  REPOSITORY_ALLOW_LIST(WEBHOOK),
  ALLOW_PUBLIC_REPOSITORIES(WEBHOOK),
  MAX_BODY_BYTES(WEBHOOK),
  CHECK_RUN_LEGACY(WEBHOOK),

  // one pool, read by scale-up and scale-down of that pool
  POOL_NAME(SCALE_UP, SCALE_DOWN),
  POOL_LABELS(SCALE_UP, SCALE_DOWN),
  RUNNER_LEVEL(SCALE_UP, SCALE_DOWN),
  LAUNCH_TEMPLATE_NAME(SCALE_UP, SCALE_DOWN),
  INSTANCE_TYPES(SCALE_UP, SCALE_DOWN),
  SUBNET_IDS(SCALE_UP, SCALE_DOWN),
  MAX_RUNNERS(SCALE_UP, SCALE_DOWN),
  CAPACITY_TYPE(SCALE_UP, SCALE_DOWN),
  SPOT_ALLOCATION_STRATEGY(SCALE_UP, SCALE_DOWN),
  SPOT_MAX_PRICE(SCALE_UP, SCALE_DOWN),
  ON_DEMAND_FAILOVER(SCALE_UP, SCALE_DOWN),
  EPHEMERAL(SCALE_UP, SCALE_DOWN),
  USE_JIT_CONFIG(SCALE_UP, SCALE_DOWN),
  RUNNER_GROUP(SCALE_UP, SCALE_DOWN),
  RUNNER_NAME_PREFIX(SCALE_UP, SCALE_DOWN),
  SSM_CONFIG_PATH(SCALE_UP, SCALE_DOWN),
  JOB_QUEUED_CHECK(SCALE_UP),
  JOB_RECHECK_SECONDS(SCALE_UP),
  QUEUE_URL(SCALE_UP, SCALE_DOWN),
  MINIMUM_RUNNING_TIME_MINUTES(SCALE_DOWN),
  BOOT_GRACE_MINUTES(SCALE_DOWN),
  WARM_WINDOWS(SCALE_DOWN),
  WARM_EVICTION(SCALE_DOWN),

  // the pool's queue: first-receive check, backoff at the maximum, dead letters, launch lock,
  // redrive (docs/scale-up.md); QUEUE_URL above is read by scale-down too (warm and rescue requests)
  JOB_CHECK_FIRST_RECEIVE(SCALE_UP),
  QUEUE_BACKOFF_BASE_SECONDS(SCALE_UP),
  QUEUE_BACKOFF_MAX_SECONDS(SCALE_UP),
  DLQ_URL(SCALE_UP, SCALE_DOWN),
  LAUNCH_LOCK_PARAM(SCALE_UP),
  LAUNCH_LOCK_LEASE_SECONDS(SCALE_UP),

  // rechecks go on while the job waits, bounded by its age (docs/scale-up.md)
  JOB_RECHECK_MAX_AGE_MINUTES(SCALE_UP),
  REDRIVE_MAX_MESSAGES(SCALE_DOWN),

  // binary syncer
  BUCKET_NAME(BINARY_SYNCER),
  KEY_PREFIX(BINARY_SYNCER),
  PLATFORMS(BINARY_SYNCER),
  RUNNER_VERSION(BINARY_SYNCER),

  // redelivery sweeper (docs/sweeper.md)
  SWEEPER_LOOKBACK_MINUTES(SWEEPER),
  SWEEPER_MAX_POINTS(SWEEPER),

  // spot interruptions: warnings, re-runs, the spot circuit breaker (docs/interruptions.md)
  INTERRUPTION_POOLS(INTERRUPTIONS),
  INTERRUPTION_MAX_POINTS(INTERRUPTIONS),
  RERUN_WATCH_HOURS(INTERRUPTIONS),

  // several GitHub Apps, one budget per installation, ghe.com (docs/github-app.md)
  GITHUB_WEB_URL(SCALE_UP, SCALE_DOWN, SWEEPER),
  GITHUB_POINTS_PER_MINUTE(SCALE_UP, SCALE_DOWN, INTERRUPTIONS),

  // runner configs encrypted with the customer-managed key (docs/security.md)
  RUNNER_CONFIG_KMS_KEY_ID(SCALE_UP);

  private final Set<LambdaFunction> readBy;

  LambdaVariable(LambdaFunction first, LambdaFunction... rest) {
    this.readBy = EnumSet.of(first, rest);
  }

  public Set<LambdaFunction> readBy() {
    return readBy;
  }

  /** The names a function reads, as Terraform must set them (optional ones may be left out). */
  public static Set<String> namesFor(LambdaFunction function) {
    return Stream.of(values())
        .filter(v -> v.readBy.contains(function))
        .map(Enum::name)
        .collect(Collectors.toUnmodifiableSet());
  }
}
