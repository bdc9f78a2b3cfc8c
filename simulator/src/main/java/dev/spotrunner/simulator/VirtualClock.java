package dev.spotrunner.simulator;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock the simulation moves forward; the scaling code reads it as it would read real time. */
public final class VirtualClock extends Clock {
  private Instant now;

  public VirtualClock(Instant start) {
    this.now = start;
  }

  public void advanceTo(Instant instant) {
    if (instant.isBefore(now)) {
      throw new IllegalStateException("time cannot go back from " + now + " to " + instant);
    }
    now = instant;
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("the virtual clock is UTC");
  }
}
