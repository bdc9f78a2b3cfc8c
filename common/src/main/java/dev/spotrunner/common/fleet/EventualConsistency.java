package dev.spotrunner.common.fleet;

import dev.spotrunner.common.aws.Backoff;
import dev.spotrunner.common.github.Sleeper;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;

/**
 * EC2's eventual consistency for the instances this process launched: right after CreateFleet
 * returns, EC2 may answer CreateTags, TerminateInstances or DescribeInstances about the new ids
 * with {@code InvalidInstanceID.NotFound}, which "does not mean the instance does not exist"
 * (https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html). AWS asks callers to
 * retry with exponential backoff; this remembers each launched id for {@link #REMEMBERED} and paces
 * those retries within a budget that fits a Lambda invocation.
 */
public final class EventualConsistency {
  /**
   * How long a launched id counts as new: AWS speaks of propagation taking "up to a few minutes".
   * A NotFound about an older id, or one this process never launched, means the instance is gone.
   */
  public static final Duration REMEMBERED = Duration.ofMinutes(5);
  /**
   * Waits of 125–250 ms, 250–500 ms, ... at most 2–4 s, for at most 10 s in all: propagation after a
   * launch usually takes seconds, and a scale-up invocation must leave time for the other slots.
   */
  public static final Backoff DEFAULT_BACKOFF =
      new Backoff(Duration.ofMillis(250), Duration.ofSeconds(4), Duration.ofSeconds(10));

  /** More retries than the default budget allows; a bound for clocks that do not move. */
  static final int MAX_RETRIES = 20;

  private final Clock clock;
  private final Sleeper sleeper;
  private final Backoff backoff;
  private final DoubleSupplier jitter;
  private final Map<InstanceId, Instant> launched = new ConcurrentHashMap<>();

  /**
   * @param jitter numbers in [0, 1]; tests pass a constant
   */
  public EventualConsistency(Clock clock, Sleeper sleeper, Backoff backoff, DoubleSupplier jitter) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    this.backoff = Objects.requireNonNull(backoff, "backoff");
    this.jitter = Objects.requireNonNull(jitter, "jitter");
  }

  /** The system clock, real sleeps, {@link #DEFAULT_BACKOFF} and a secure random jitter. */
  public static EventualConsistency real() {
    return new EventualConsistency(Clock.systemUTC(), Sleeper.REAL, DEFAULT_BACKOFF,
        () -> Jitter.RANDOM.nextDouble());
  }

  /** Created on the first wait, never before a SnapStart snapshot (priming never waits). */
  private static final class Jitter {
    static final SecureRandom RANDOM = new SecureRandom();
  }

  /** Remembers ids CreateFleet just returned, and forgets those older than {@link #REMEMBERED}. */
  void launched(Collection<InstanceId> ids) {
    Instant now = clock.instant();
    launched.values().removeIf(at -> !now.isBefore(at.plus(REMEMBERED)));
    ids.forEach(id -> launched.putIfAbsent(id, now));
  }

  /** Whether EC2 may not know {@code id} yet: this process launched it less than 5 min ago. */
  boolean isNew(InstanceId id) {
    Instant at = launched.get(id);
    return at != null && clock.instant().isBefore(at.plus(REMEMBERED));
  }

  /** The pacing of one call's retries; start it before the first attempt. */
  Retries retries() {
    return new Retries(clock.instant());
  }

  /** One call's retries: each {@link #waitOnce()} sleeps the next backoff step if it fits. */
  final class Retries {
    private final Instant started;
    private int done;

    private Retries(Instant started) {
      this.started = started;
    }

    /** Sleeps before the next attempt; false (without sleeping) when the budget is spent. */
    boolean waitOnce() {
      Duration delay = backoff.delay(done, jitter.getAsDouble());
      // The count bounds the loop even where the clock does not move while sleeping.
      if (done >= MAX_RETRIES || !backoff.allows(elapsed(), delay)) {
        return false;
      }
      try {
        sleeper.sleep(delay);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      done++;
      return true;
    }

    int retries() {
      return done;
    }

    Duration elapsed() {
      return Duration.between(started, clock.instant());
    }
  }
}
