package dev.spotrunner.common.github;

import java.time.Duration;

/**
 * The limits a {@link RequestGovernor} keeps per installation: GitHub's secondary limits for REST
 * (900 points per minute, GET/HEAD/OPTIONS 1 point, other methods 5; at most 100 concurrent
 * requests) and the retry budget: attempts per request, and the longest a request may spend
 * waiting (for budget, {@code retry-after}, a rate-limit reset or 5xx back-off) before it gives up
 * with {@link dev.spotrunner.common.TransientFailure}. {@code maxBudgetWait} bounds the part of
 * that wait spent for points of the window or for a block GitHub named: a caller that must not
 * wait for budget (scale-up, which holds its pool's launch lock while it calls GitHub) sets it to
 * zero and gets {@link GitHubLimited} at once, while 5xx and network errors are still retried.
 */
public record GovernorLimits(
    int pointsPerMinute, int maxConcurrent, int maxAttempts, Duration maxWait,
    Duration firstBackoff, Duration maxBudgetWait) {
  public static final GovernorLimits GITHUB =
      new GovernorLimits(900, 100, 4, Duration.ofSeconds(60), Duration.ofSeconds(1));

  public GovernorLimits {
    if (pointsPerMinute < 5 || maxConcurrent < 1 || maxAttempts < 1) {
      throw new IllegalArgumentException("governor limits too small");
    }
    if (maxBudgetWait.isNegative() || maxBudgetWait.compareTo(maxWait) > 0) {
      throw new IllegalArgumentException("the budget wait must be 0..maxWait");
    }
  }

  /** Limits whose budget waits are bounded by {@code maxWait} alone. */
  public GovernorLimits(int pointsPerMinute, int maxConcurrent, int maxAttempts, Duration maxWait,
      Duration firstBackoff) {
    this(pointsPerMinute, maxConcurrent, maxAttempts, maxWait, firstBackoff, maxWait);
  }

  public GovernorLimits withPointsPerMinute(int points) {
    return new GovernorLimits(points, maxConcurrent, maxAttempts, maxWait, firstBackoff,
        maxBudgetWait);
  }

  /** A first back-off and a wait budget; budget waits as long as the wait budget allows. */
  public GovernorLimits withBackoff(Duration first, Duration max) {
    return new GovernorLimits(pointsPerMinute, maxConcurrent, maxAttempts, max, first, max);
  }

  /**
   * The same limits, but a call never waits for points or for a GitHub block: it fails with
   * {@link GitHubLimited} at once, and the caller decides when to come back.
   */
  public GovernorLimits withoutBudgetWait() {
    return new GovernorLimits(pointsPerMinute, maxConcurrent, maxAttempts, maxWait, firstBackoff,
        Duration.ZERO);
  }
}
