package dev.spotrunner.common.aws;

import java.time.Duration;
import java.util.Objects;

/**
 * Exponential backoff with "equal jitter" (half the step fixed, half random, as in the AWS
 * Architecture Blog's "Exponential Backoff and Jitter"), bounded by a total budget: the n-th wait
 * is {@code step/2 + random * step/2} with {@code step = min(cap, first * 2^n)}, and no wait starts
 * that would end after {@code budget} since the first attempt.
 */
public record Backoff(Duration first, Duration cap, Duration budget) {
  public Backoff {
    Objects.requireNonNull(first, "first");
    Objects.requireNonNull(cap, "cap");
    Objects.requireNonNull(budget, "budget");
    if (first.isNegative() || first.isZero() || cap.compareTo(first) < 0 || budget.isNegative()) {
      throw new IllegalArgumentException("backoff needs 0 < first <= cap and budget >= 0");
    }
  }

  /** The wait before retry {@code retry} (0 for the first retry); {@code random} is in [0, 1]. */
  public Duration delay(int retry, double random) {
    long firstMillis = first.toMillis();
    long step = retry >= 30 ? cap.toMillis()
        : Math.min(cap.toMillis(), firstMillis * (1L << Math.max(0, retry)));
    return Duration.ofMillis(step / 2 + Math.round(Math.min(1, Math.max(0, random)) * (step / 2.0)));
  }

  /** Whether a wait of {@code delay} after {@code elapsed} since the first attempt stays in budget. */
  public boolean allows(Duration elapsed, Duration delay) {
    return elapsed.plus(delay).compareTo(budget) <= 0;
  }
}
