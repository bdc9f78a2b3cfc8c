package dev.spotrunner.common.github;

import java.time.Instant;
import java.util.List;

/**
 * A workflow job; {@code status} is queued, in_progress, completed, waiting, requested or pending.
 * {@code runnerName} is the runner GitHub gave the job to, null while none has it.
 */
public record WorkflowJob(long id, long runId, String status, List<String> labels,
    Instant createdAt, Instant startedAt, String runnerName) {
  public WorkflowJob {
    labels = labels == null ? List.of() : List.copyOf(labels);
    runnerName = runnerName == null || runnerName.isBlank() ? null : runnerName;
  }

  /** A job no runner has taken (yet). */
  public WorkflowJob(long id, long runId, String status, List<String> labels, Instant createdAt,
      Instant startedAt) {
    this(id, runId, status, labels, createdAt, startedAt, null);
  }

  public boolean queued() {
    return "queued".equals(status);
  }
}
