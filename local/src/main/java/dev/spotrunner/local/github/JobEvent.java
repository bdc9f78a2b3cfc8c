package dev.spotrunner.local.github;

import java.time.Instant;
import java.util.List;

/** A workflow job as GitHub describes it in a {@code workflow_job} webhook. */
public record JobEvent(String action, long jobId, long runId, String owner, String ownerType, String repository,
    boolean privateRepository, long installationId, String status, String conclusion, List<String> labels,
    Instant createdAt, Instant startedAt, Instant completedAt, Long runnerId, String runnerName) {
  public JobEvent {
    labels = List.copyOf(labels);
  }
}
