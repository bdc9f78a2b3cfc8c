package dev.spotrunner.runners.scaleup;

import dev.spotrunner.common.fleet.InstanceId;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One scale-up of a pool at a time between counting the pool's instances and launching: two
 * concurrent scale-ups would both see the same free room and launch past the maximum. The holder
 * also keeps the record of recent launches ({@link UnlistedLaunches}): EC2's listing can leave out
 * an instance launched seconds ago, so a count made by the next holder adds those.
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

    /**
     * The launches earlier holders recorded, instance id → launch time; throws when the record
     * cannot be read (the caller then launches nothing). None by default.
     */
    default Map<InstanceId, Instant> launches() {
      return Map.of();
    }

    /** Replaces the record; throws when it cannot be written. Kept nowhere by default. */
    default void recordLaunches(Map<InstanceId, Instant> launches) {}
  }

  /** No lock: for a single caller (priming, tests of one scale-up). */
  LaunchLock NONE = () -> Optional.of(() -> {});
}
