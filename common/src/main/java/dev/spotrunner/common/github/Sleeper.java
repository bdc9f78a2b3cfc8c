package dev.spotrunner.common.github;

import java.time.Duration;

/** Waits; tests pass one that advances a fake clock instead of sleeping. */
@FunctionalInterface
public interface Sleeper {
  Sleeper REAL = duration -> Thread.sleep(duration.toMillis());

  void sleep(Duration duration) throws InterruptedException;
}
