package dev.spotrunner.common.github;

import java.time.Duration;

/**
 * The limits a {@link RequestGovernor} keeps per installation: GitHub's secondary limits for REST
 * (900 points per minute, GET/HEAD/OPTIONS 1 point, other methods 5; at most 100 concurrent
 * requests) and the retry budget: attempts per request, and the longest a request may spend
 * waiting (for budget, {@code retry-after}, a rate-limit reset or 5xx back-off) before it gives up
 * with {@link dev.spotrunner.common.TransientFailure}.
 */
public record GovernorLimits(
    int pointsPerMinute, int maxConcurrent, int maxAttempts, Duration maxWait,
    Duration firstBackoff) {
  public static final GovernorLimits GITHUB =
      new GovernorLimits(900, 100, 4, Duration.ofSeconds(60), Duration.ofSeconds(1));

  public GovernorLimits {
    if (pointsPerMinute < 5 || maxConcurrent < 1 || maxAttempts < 1) {
      throw new IllegalArgumentException("governor limits too small");
    }
  }

  public GovernorLimits withPointsPerMinute(int points) {
    return new GovernorLimits(points, maxConcurrent, maxAttempts, maxWait, firstBackoff);
  }

  public GovernorLimits withBackoff(Duration first, Duration max) {
    return new GovernorLimits(pointsPerMinute, maxConcurrent, maxAttempts, max, first);
  }
}
