package dev.spotrunner.common.github;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock running {@code speed} times faster than real time, and the sleeper that goes with it:
 * minutes of GitHub's per-minute budget pass in seconds while the stand-in, the governors and the
 * HTTP calls between them all run for real.
 */
final class ScaledClock extends Clock {
  private final Instant start;
  private final long startNanos = System.nanoTime();
  private final int speed;

  ScaledClock(Instant start, int speed) {
    this.start = start;
    this.speed = speed;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Instant instant() {
    return start.plusNanos((System.nanoTime() - startNanos) * speed);
  }

  /** Sleeps the scaled duration: one simulated second is {@code 1/speed} real seconds. */
  Sleeper sleeper() {
    return duration -> {
      long nanos = duration.toNanos() / speed;
      Thread.sleep(Duration.ofNanos(Math.max(nanos, 1)));
    };
  }
}
