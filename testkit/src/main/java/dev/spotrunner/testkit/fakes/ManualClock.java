package dev.spotrunner.testkit.fakes;

import dev.spotrunner.common.github.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock that moves only when told to; {@link #sleeper()} advances it instead of sleeping. */
public final class ManualClock extends Clock {
  private Instant now;

  public ManualClock(Instant start) {
    this.now = start;
  }

  public synchronized void advance(Duration duration) {
    now = now.plus(duration);
    notifyAll();
  }

  /** Blocks until the clock moves past {@code seen}. */
  public synchronized void awaitAfter(Instant seen) throws InterruptedException {
    while (!now.isAfter(seen)) {
      wait();
    }
  }

  public Sleeper sleeper() {
    return this::advance;
  }

  @Override
  public synchronized Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
