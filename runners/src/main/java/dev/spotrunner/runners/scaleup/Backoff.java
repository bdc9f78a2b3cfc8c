package dev.spotrunner.runners.scaleup;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * How long a job refused at the pool maximum stays away: a step of {@code base} doubled per wait,
 * at most {@code cap}. The return is aligned to the pool's grid (the first multiple of the step
 * at least half a step, less half a base, away): base and cap make every step a power-of-two multiple of {@code base}, so a
 * boundary of a long step is also one of every shorter step and the jobs waiting in a pool come
 * back together, in one batch, where scale-up serves them oldest first. The jitter, up to half a
 * base, is the same for every job of the pool at one boundary (a hash of pool and boundary): pools
 * and boundaries are spread apart, the waiting jobs of one pool stay together.
 */
public record Backoff(Duration base, Duration cap) {
  /** SQS delays a message at most 15 minutes. */
  public static final int MAX_SECONDS = 900;

  public Backoff {
    Objects.requireNonNull(base, "base");
    Objects.requireNonNull(cap, "cap");
    if (base.toSeconds() < 1 || cap.compareTo(base) < 0 || cap.toSeconds() > MAX_SECONDS) {
      throw new IllegalArgumentException("backoff needs 1 <= base <= cap <= 900 s, got "
          + base.toSeconds() + " and " + cap.toSeconds());
    }
  }

  /** The step before the {@code wait}-th return (1: the first time the job was refused). */
  public long stepSeconds(int wait) {
    long step = base.toSeconds() << Math.min(Math.max(wait, 1) - 1, 20);
    return Math.min(cap.toSeconds(), step);
  }

  /** The delay to send the job with, from {@code now}: 1..900 seconds. */
  public Duration delay(int wait, Instant now, String pool) {
    long step = stepSeconds(wait);
    // half a step, less the most a jitter can have added to now: a job that came back on a
    // boundary keeps to the grid on its next wait
    long earliest = now.getEpochSecond() + Math.max(1, step / 2 - base.toSeconds() / 2);
    long boundary = Math.ceilDiv(earliest, step) * step;
    long jitter = Math.floorMod(Objects.hash(pool, boundary), base.toSeconds() / 2 + 1);
    long delay = boundary + jitter - now.getEpochSecond();
    return Duration.ofSeconds(Math.max(1, Math.min(MAX_SECONDS, delay)));
  }
}
