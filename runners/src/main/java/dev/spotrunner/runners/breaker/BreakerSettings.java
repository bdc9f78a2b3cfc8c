package dev.spotrunner.runners.breaker;

import java.time.Duration;

/**
 * One pool's spot circuit breaker, as Terraform sets it ({@code spot_interruptions.pools}): the
 * breaker of an instance type or subnet opens when MORE than {@code threshold} interruptions fall
 * within {@code window}, stays open for {@code coolDown}, then probes (half-open) for one more
 * {@code window}. {@code threshold} 0 switches the breaker off.
 */
public record BreakerSettings(int threshold, Duration window, Duration coolDown) {
  public static final int DEFAULT_THRESHOLD = 3;
  public static final int DEFAULT_WINDOW_MINUTES = 15;
  public static final int DEFAULT_COOL_DOWN_MINUTES = 30;
  public static final BreakerSettings DEFAULTS = new BreakerSettings(DEFAULT_THRESHOLD,
      Duration.ofMinutes(DEFAULT_WINDOW_MINUTES), Duration.ofMinutes(DEFAULT_COOL_DOWN_MINUTES));

  public BreakerSettings {
    if (threshold < 0) {
      throw new IllegalArgumentException("threshold must be 0 (off) or more, got " + threshold);
    }
    if (window.isNegative() || window.isZero() || coolDown.isNegative() || coolDown.isZero()) {
      throw new IllegalArgumentException("window and cool-down must be positive");
    }
  }

  public boolean enabled() {
    return threshold > 0;
  }
}
