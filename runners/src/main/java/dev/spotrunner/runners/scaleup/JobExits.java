package dev.spotrunner.runners.scaleup;

import dev.spotrunner.common.metrics.Metrics;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Every way a job message leaves the queue without an instance, counted by reason, written as EMF
 * (namespace {@value #NAMESPACE}): {@code JobsDropped} by {@code pool} and {@code reason}, and per
 * pool {@code JobsDeadLettered} (sent to the DLQ), {@code JobsWaiting} (sent back with a backoff at
 * the maximum) and {@code JobsRedriven} (taken from the DLQ back to the queue). What came in and what
 * got an instance too: {@code JobsReceived} (messages in the batch) and {@code LaunchFailures} per
 * pool, {@code RunnersLaunched} by {@code pool} and {@code capacityType} (spot, on-demand), and
 * {@code InstancesLaunched} by {@code pool}, {@code instanceType} and {@code az}.
 */
public final class JobExits {
  public static final String NAMESPACE = "spotrunner";

  /** Why a message left without an instance; the metric's {@code reason} dimension. */
  public enum Reason {
    /** GitHub says the job no longer waits (cancelled, taken by another runner, done). */
    NOT_QUEUED,
    /** The body is not a job message. */
    MALFORMED,
    /** Owner or repository breaks GitHub's naming rules. */
    INVALID_NAME,
    /** The message names another pool. */
    WRONG_POOL,
    /** The launch failed in a way a retry will not fix. */
    LAUNCH_FAILED;

    public String dimension() {
      return name().toLowerCase();
    }

    /** Whether the message goes to the DLQ (all but {@link #NOT_QUEUED}). */
    public boolean deadLetters() {
      return this != NOT_QUEUED;
    }
  }

  private final Map<String, Integer> dropped = new TreeMap<>();
  private int deadLettered;
  private int waiting;
  private int redriven;
  private int received;
  private int launchFailures;
  private final Map<String, Integer> launched = new TreeMap<>();
  private final Map<List<String>, Integer> placed = new java.util.LinkedHashMap<>();

  public synchronized void dropped(Reason reason) {
    dropped(reason.dimension());
  }

  /** A reason by name (the redrive's {@code finished}). */
  public synchronized void dropped(String reason) {
    dropped.merge(reason, 1, Integer::sum);
  }

  public synchronized void deadLettered() {
    deadLettered++;
  }

  public synchronized void waiting() {
    waiting++;
  }

  public synchronized void redriven() {
    redriven++;
  }

  public synchronized void received(int messages) {
    received += messages;
  }

  /** A runner got an instance of this EC2 capacity type ({@code spot}, {@code on-demand}). */
  public synchronized void launched(String capacityType) {
    launched.merge(capacityType, 1, Integer::sum);
  }

  /** A runner got an instance of this capacity type, instance type and Availability Zone. */
  public synchronized void launched(String capacityType, String instanceType, String zone) {
    launched(capacityType);
    placed.merge(List.of(instanceType, zone), 1, Integer::sum);
  }

  /** A launch failed for one job, whether it goes back to the queue or to the DLQ. */
  public synchronized void launchFailed() {
    launchFailures++;
  }

  public synchronized int droppedFor(String reason) {
    return dropped.getOrDefault(reason, 0);
  }

  /** Writes what was counted (nothing when nothing was) and starts over. */
  public synchronized void flush(String pool, Clock clock, Consumer<String> sink) {
    dropped.forEach((reason, count) -> new Metrics(NAMESPACE, clock, sink)
        .dimension("pool", pool).dimension("reason", reason)
        .count("JobsDropped", count).flush());
    launched.forEach((capacityType, count) -> new Metrics(NAMESPACE, clock, sink)
        .dimension("pool", pool).dimension("capacityType", capacityType)
        .count("RunnersLaunched", count).flush());
    placed.forEach((placement, count) -> new Metrics(NAMESPACE, clock, sink)
        .dimension("pool", pool).dimension("instanceType", placement.get(0)).dimension("az", placement.get(1))
        .count("InstancesLaunched", count).flush());
    Metrics totals = new Metrics(NAMESPACE, clock, sink).dimension("pool", pool);
    if (received > 0) {
      totals.count("JobsReceived", received);
    }
    if (launchFailures > 0) {
      totals.count("LaunchFailures", launchFailures);
    }
    if (deadLettered > 0) {
      totals.count("JobsDeadLettered", deadLettered);
    }
    if (waiting > 0) {
      totals.count("JobsWaiting", waiting);
    }
    if (redriven > 0) {
      totals.count("JobsRedriven", redriven);
    }
    totals.flush();
    dropped.clear();
    deadLettered = 0;
    waiting = 0;
    redriven = 0;
    received = 0;
    launchFailures = 0;
    launched.clear();
    placed.clear();
  }
}
