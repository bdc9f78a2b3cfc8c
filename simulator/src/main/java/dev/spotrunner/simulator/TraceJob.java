package dev.spotrunner.simulator;

import java.time.Instant;
import java.util.List;

/**
 * One job of a trace: when it was queued, how long it ran, its labels, and — when the trace carries
 * it — the wait users observed (queued → started) on the real system.
 */
public record TraceJob(long jobId, Instant queuedAt, long durationSeconds, List<String> labels,
    Long observedWaitSeconds) {
  public TraceJob {
    if (durationSeconds < 0) {
      throw new IllegalArgumentException("job " + jobId + " has a negative duration");
    }
    labels = List.copyOf(labels);
  }
}
