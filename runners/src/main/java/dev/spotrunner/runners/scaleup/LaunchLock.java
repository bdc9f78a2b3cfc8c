package dev.spotrunner.runners.scaleup;

import java.util.Optional;

/**
 * One scale-up of a pool at a time between counting the pool's instances and launching: two
 * concurrent scale-ups would both see the same free room and launch past the maximum.
 */
@FunctionalInterface
public interface LaunchLock {
  /** The lock until {@link Held#close()}, or empty when another scale-up holds it now. */
  Optional<Held> tryAcquire();

  /** A held lock; closing releases it (a failed release expires with the lease). */
  @FunctionalInterface
  interface Held extends AutoCloseable {
    @Override
    void close();
  }

  /** No lock: for a single caller (priming, tests of one scale-up). */
  LaunchLock NONE = () -> Optional.of(() -> {});
}
