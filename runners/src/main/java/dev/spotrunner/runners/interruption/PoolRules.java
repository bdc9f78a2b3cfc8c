package dev.spotrunner.runners.interruption;

import dev.spotrunner.runners.breaker.BreakerSettings;

/**
 * What the interruption function does for one pool: re-run its interrupted jobs (on by default for
 * ephemeral pools, in Terraform) at most {@code maxReruns} times per job, and its breakers.
 */
public record PoolRules(boolean rerun, int maxReruns, BreakerSettings breaker) {
  public static final int DEFAULT_MAX_RERUNS = 2;
  /** A pool Terraform did not name: nothing re-run, breakers as documented by default. */
  public static final PoolRules UNKNOWN_POOL =
      new PoolRules(false, DEFAULT_MAX_RERUNS, BreakerSettings.DEFAULTS);

  public PoolRules {
    if (maxReruns < 0) {
      throw new IllegalArgumentException("max_reruns must be 0 or more, got " + maxReruns);
    }
  }
}
