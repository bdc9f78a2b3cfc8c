package dev.spotrunner.runners.scaleup;

import dev.spotrunner.common.metrics.Metrics;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Every way a job message leaves the queue without an instance, counted by reason, written as EMF
 * (namespace {@value #NAMESPACE}): {@code JobsDropped} by {@code pool} and {@code reason},
 * {@code JobsWaiting} by {@code pool} and {@code reason} (sent back with the pool's backoff: a
 * {@link Wait}), {@code JobsReturned} by {@code pool} and {@code reason} (left in the batch failures,
 * back by the queue's visibility: a {@link Return}), and per pool {@code JobsDeadLettered} (sent to
 * the DLQ) and {@code JobsRedriven} (taken from the DLQ back to the queue). What came in and what got
 * an instance too: {@code JobsReceived} (messages in the batch), {@code LaunchFailures} by
 * {@code pool} and {@code errorCode} (CreateFleet's error code or the failure's code) and by
 * {@code pool} alone (the alarm's), {@code RunnersLaunched} by {@code pool} and {@code capacityType}
 * (spot, on-demand), and {@code InstancesLaunched} by {@code pool}, {@code instanceType} and
 * {@code az}.
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

  /** Why a job waits for the pool's backoff as a new message; the {@code JobsWaiting} reason. */
  public enum Wait {
    /** The pool has as many instances as its maximum. */
    AT_MAXIMUM("pool at maximum"),
    /** GitHub's budget for the owner is spent in this batch. */
    BUDGET("GitHub budget spent"),
    /** Another scale-up of the pool holds the launch lock. */
    LOCK_HELD("another scale-up of the pool is launching"),
    /** The launch failed in a way a retry may fix (no capacity, a failed step). */
    LAUNCH_FAILED("launch failed"),
    /** The pool's record of recent launches could not be read, so the count may miss some. */
    LAUNCHES_UNREADABLE("the pool's recent launches could not be read");

    private final String why;

    Wait(String why) {
      this.why = why;
    }

    /** The start of the log line's message. */
    public String why() {
      return why;
    }

    public String dimension() {
      return name().toLowerCase();
    }
  }

  /** Why a job's message stays in the batch failures (back by the queue's visibility timeout). */
  public enum Return {
    /** GitHub could not say whether the job waits, for a reason of ours. */
    CHECK_FAILED,
    /** The job's machine still boots and SQS refused its next recheck message. */
    RECHECK_NOT_SENT,
    /** SQS refused the new message a waiting job goes back as. */
    RESEND_FAILED,
    /** SQS refused the dead letter. */
    DEAD_LETTER_FAILED;

    public String dimension() {
      return name().toLowerCase();
    }
  }

  private final Map<String, Integer> dropped = new TreeMap<>();
  private int deadLettered;
  private final Map<String, Integer> waiting = new TreeMap<>();
  private final Map<String, Integer> returned = new TreeMap<>();
  private int redriven;
  private int received;
  private final Map<String, Integer> launchFailures = new TreeMap<>();
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

  public synchronized void waiting(Wait reason) {
    waiting.merge(reason.dimension(), 1, Integer::sum);
  }

  public synchronized void returned(Return reason) {
    returned.merge(reason.dimension(), 1, Integer::sum);
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

  /**
   * A launch failed for one job, whether it goes back to the queue or to the DLQ; {@code errorCode}
   * is CreateFleet's error code ({@code InsufficientInstanceCapacity}) or the failure's code.
   */
  public synchronized void launchFailed(String errorCode) {
    launchFailures.merge(errorCode == null || errorCode.isBlank() ? "unknown" : errorCode, 1, Integer::sum);
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
    // by code for the dashboard, by pool alone for the alarm (one document, two dimension sets)
    launchFailures.forEach((code, count) -> new Metrics(NAMESPACE, clock, sink)
        .dimension("pool", pool).dimension("errorCode", code).rollup("pool")
        .count("LaunchFailures", count).flush());
    waiting.forEach((reason, count) -> new Metrics(NAMESPACE, clock, sink)
        .dimension("pool", pool).dimension("reason", reason)
        .count("JobsWaiting", count).flush());
    returned.forEach((reason, count) -> new Metrics(NAMESPACE, clock, sink)
        .dimension("pool", pool).dimension("reason", reason)
        .count("JobsReturned", count).flush());
    Metrics totals = new Metrics(NAMESPACE, clock, sink).dimension("pool", pool);
    if (received > 0) {
      totals.count("JobsReceived", received);
    }
    if (deadLettered > 0) {
      totals.count("JobsDeadLettered", deadLettered);
    }
    if (redriven > 0) {
      totals.count("JobsRedriven", redriven);
    }
    totals.flush();
    dropped.clear();
    deadLettered = 0;
    waiting.clear();
    returned.clear();
    redriven = 0;
    received = 0;
    launchFailures.clear();
    launched.clear();
    placed.clear();
  }
}
