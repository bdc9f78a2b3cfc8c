package dev.spotrunner.common.github;

import java.time.Instant;
import java.util.List;

/** A workflow job; {@code status} is queued, in_progress, completed, waiting, requested or pending. */
public record WorkflowJob(
    long id, long runId, String status, List<String> labels, Instant createdAt, Instant startedAt) {
  public WorkflowJob {
    labels = labels == null ? List.of() : List.copyOf(labels);
  }

  public boolean queued() {
    return "queued".equals(status);
  }
}
