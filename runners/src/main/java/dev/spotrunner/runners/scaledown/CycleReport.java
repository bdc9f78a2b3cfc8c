package dev.spotrunner.runners.scaledown;

import dev.spotrunner.common.fleet.CapacityType;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * What one scale-down cycle did, counted per rule and outcome, and what the pool held at the cycle's
 * listing ({@link Gauges}).
 */
public record CycleReport(Map<CycleReport.Count, Integer> counts, Gauges gauges) {

  /**
   * The pool as the cycle listed it: its pending and running instances by capacity type (every
   * type, zero included), and its runners GitHub reported busy or online and idle.
   */
  public record Gauges(Map<CapacityType, Integer> instancesRunning, int runnersBusy, int runnersIdle) {
    public static final Gauges NONE = new Gauges(Map.of(), 0, 0);

    public Gauges {
      Map<CapacityType, Integer> all = new EnumMap<>(CapacityType.class);
      for (CapacityType type : CapacityType.values()) {
        all.put(type, instancesRunning.getOrDefault(type, 0));
      }
      instancesRunning = Map.copyOf(all);
    }
  }

  /** Every count, named as the EMF metric it becomes. */
  public enum Count {
    KEPT_YOUNG("KeptYoung"),
    KEPT_BUSY("KeptBusy"),
    KEPT_BOOTING("KeptBooting"),
    KEPT_WARM("KeptWarm"),
    KEPT_UNLISTED("KeptOwnerUnlisted"),
    KEPT_UNKNOWN_OWNER("KeptUnknownOwner"),
    IDLE_TERMINATED("IdleTerminated"),
    BUSY_AT_DELETE("KeptBusyAtDelete"),
    RUNNER_GONE("KeptRunnerGone"),
    DEREGISTER_FAILED("DeregisterFailed"),
    ORPHAN_TERMINATED("OrphanTerminated"),
    GHOST_REMOVED("GhostRemoved"),
    GHOST_KEPT("GhostKept"),
    GHOST_UNCONFIRMED("GhostUnconfirmed"),
    CONFIG_DELETED("ConfigDeleted"),
    DEFERRED("DeferredByBudget"),
    WARM_ASKED("WarmAsked"),
    RESCUE_ASKED("RescueAsked"),
    TERMINATE_FAILED("TerminateFailed"),
    OWNERS_LISTED("OwnersListed"),
    ERRORS("Errors");

    private final String metric;

    Count(String metric) {
      this.metric = metric;
    }

    public String metric() {
      return metric;
    }
  }

  public CycleReport {
    counts = Map.copyOf(counts);
    gauges = gauges == null ? Gauges.NONE : gauges;
  }

  public CycleReport(Map<CycleReport.Count, Integer> counts) {
    this(counts, Gauges.NONE);
  }

  public int get(Count count) {
    return counts.getOrDefault(count, 0);
  }

  /** Thread-safe counters for one cycle. */
  static final class Tally {
    private final AtomicIntegerArray values = new AtomicIntegerArray(Count.values().length);

    void add(Count count) {
      add(count, 1);
    }

    void add(Count count, int amount) {
      values.addAndGet(count.ordinal(), amount);
    }

    CycleReport report(Gauges gauges) {
      Map<Count, Integer> counts = new EnumMap<>(Count.class);
      for (Count count : Count.values()) {
        counts.put(count, values.get(count.ordinal()));
      }
      return new CycleReport(counts, gauges);
    }
  }
}
