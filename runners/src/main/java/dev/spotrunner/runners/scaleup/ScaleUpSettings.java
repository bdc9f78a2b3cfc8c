package dev.spotrunner.runners.scaleup;

import dev.spotrunner.common.config.Env;
import dev.spotrunner.common.config.LambdaVariable;
import dev.spotrunner.runners.pool.PoolSettings;
import java.time.Duration;
import java.util.Map;

/**
 * Scale-up's settings: the pool's; whether to ask GitHub if a job still waits, and whether also on
 * its first receive; how long after a launch to look at the job again ({@link Duration#ZERO}:
 * never) on which queue; the backoff of a job refused at the maximum; the DLQ; the launch lock.
 *
 * @param deadLetterUrl where malformed and permanently failed messages go with their reason; null:
 *     they stay in the batch failures until SQS moves them after {@code maxReceiveCount}
 * @param launchLock the SSM parameter that makes one scale-up of the pool count and launch at a
 *     time; null: no lock (one caller only)
 * @param recheckMaxAge rechecks go on while GitHub says the job waits, until the job is this old
 * @param runnerConfigKmsKeyId the KMS key runner configs are encrypted with; null: the account's
 *     SSM key
 */
public record ScaleUpSettings(PoolSettings pool, boolean jobQueuedCheck, Duration recheckDelay,
    String queueUrl, boolean checkFirstReceive, Backoff backoff, String deadLetterUrl,
    String launchLock, Duration launchLockLease, Duration recheckMaxAge,
    String runnerConfigKmsKeyId) {
  /** SQS delays a message at most 15 minutes. */
  public static final int MAX_RECHECK_SECONDS = 900;
  /**
   * A job is looked at again while GitHub says it waits, until it is this old (its webhook's
   * receivedAt): the documented default Terraform also sets.
   */
  public static final int DEFAULT_RECHECK_MAX_AGE_MINUTES = 360;
  /** The documented defaults Terraform also sets. */
  public static final int DEFAULT_BACKOFF_BASE_SECONDS = 10;
  public static final int DEFAULT_BACKOFF_MAX_SECONDS = 40;
  public static final int DEFAULT_LOCK_LEASE_SECONDS = 120;

  public ScaleUpSettings(PoolSettings pool, boolean jobQueuedCheck) {
    this(pool, jobQueuedCheck, Duration.ZERO, null, true,
        new Backoff(Duration.ofSeconds(DEFAULT_BACKOFF_BASE_SECONDS),
            Duration.ofSeconds(DEFAULT_BACKOFF_MAX_SECONDS)),
        null, null, Duration.ofSeconds(DEFAULT_LOCK_LEASE_SECONDS),
        Duration.ofMinutes(DEFAULT_RECHECK_MAX_AGE_MINUTES), null);
  }

  public boolean rechecks() {
    return !recheckDelay.isZero();
  }

  /** Reads every variable once; throws one error naming every missing or malformed one. */
  public static ScaleUpSettings fromEnv(Map<String, String> variables) {
    Env env = new Env(variables);
    PoolSettings pool = PoolSettings.read(env);
    boolean check = env.bool(LambdaVariable.JOB_QUEUED_CHECK, true);
    boolean first = env.bool(LambdaVariable.JOB_CHECK_FIRST_RECEIVE, true);
    int recheck = env.integer(LambdaVariable.JOB_RECHECK_SECONDS, 0, 0, MAX_RECHECK_SECONDS);
    // The queue is where the recheck goes: only needed when rechecks are on. Without it a job at
    // the maximum goes back by its visibility (ChangeMessageVisibility) instead of a new message.
    String queueUrl = recheck > 0 ? env.required(LambdaVariable.QUEUE_URL)
        : env.optional(LambdaVariable.QUEUE_URL, null);
    int base = env.integer(LambdaVariable.QUEUE_BACKOFF_BASE_SECONDS,
        DEFAULT_BACKOFF_BASE_SECONDS, 1, Backoff.MAX_SECONDS);
    int max = env.integer(LambdaVariable.QUEUE_BACKOFF_MAX_SECONDS,
        DEFAULT_BACKOFF_MAX_SECONDS, 1, Backoff.MAX_SECONDS);
    if (max < base) {
      env.problem(LambdaVariable.QUEUE_BACKOFF_MAX_SECONDS + " (" + max + ") must be at least "
          + LambdaVariable.QUEUE_BACKOFF_BASE_SECONDS + " (" + base + ")");
      max = base;
    }
    String deadLetters = env.optional(LambdaVariable.DLQ_URL, null);
    String lock = env.optional(LambdaVariable.LAUNCH_LOCK_PARAM, null);
    int lease = env.integer(LambdaVariable.LAUNCH_LOCK_LEASE_SECONDS,
        DEFAULT_LOCK_LEASE_SECONDS, 1, 900);
    // GitHub cancels a job queued for 24 hours: no recheck is worth more
    int recheckMaxAge = env.integer(LambdaVariable.JOB_RECHECK_MAX_AGE_MINUTES,
        DEFAULT_RECHECK_MAX_AGE_MINUTES, 1, 1440);
    String configKey = env.optional(LambdaVariable.RUNNER_CONFIG_KMS_KEY_ID, null);
    env.check();
    return new ScaleUpSettings(pool, check, Duration.ofSeconds(recheck), queueUrl, first,
        new Backoff(Duration.ofSeconds(base), Duration.ofSeconds(max)), deadLetters, lock,
        Duration.ofSeconds(lease), Duration.ofMinutes(recheckMaxAge), configKey);
  }
}
