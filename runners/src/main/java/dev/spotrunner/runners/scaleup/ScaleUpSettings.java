package dev.spotrunner.runners.scaleup;

import dev.spotrunner.common.config.Env;
import dev.spotrunner.common.config.LambdaVariable;
import dev.spotrunner.runners.pool.PoolSettings;
import java.time.Duration;
import java.util.Map;

/**
 * Scale-up's settings: the pool's, whether to ask GitHub if a job still waits, and how long after a
 * launch to look at the job again ({@link Duration#ZERO}: never) on which queue.
 */
public record ScaleUpSettings(PoolSettings pool, boolean jobQueuedCheck, Duration recheckDelay,
    String queueUrl) {
  /** SQS delays a message at most 15 minutes. */
  public static final int MAX_RECHECK_SECONDS = 900;
  /** A job is looked at again at most this many times. */
  public static final int MAX_RECHECKS = 2;

  public ScaleUpSettings(PoolSettings pool, boolean jobQueuedCheck) {
    this(pool, jobQueuedCheck, Duration.ZERO, null);
  }

  public boolean rechecks() {
    return !recheckDelay.isZero();
  }

  /** Reads every variable once; throws one error naming every missing or malformed one. */
  public static ScaleUpSettings fromEnv(Map<String, String> variables) {
    Env env = new Env(variables);
    PoolSettings pool = PoolSettings.read(env);
    boolean check = env.bool(LambdaVariable.JOB_QUEUED_CHECK, true);
    int recheck = env.integer(LambdaVariable.JOB_RECHECK_SECONDS, 0, 0, MAX_RECHECK_SECONDS);
    // The queue is where the recheck goes: only needed when rechecks are on.
    String queueUrl = recheck > 0 ? env.required(LambdaVariable.QUEUE_URL)
        : env.optional(LambdaVariable.QUEUE_URL, null);
    env.check();
    return new ScaleUpSettings(pool, check, Duration.ofSeconds(recheck), queueUrl);
  }
}
