package dev.spotrunner.testkit.github;

import java.time.Instant;
import java.util.List;

/** A workflow job held by the stand-in; status is queued, in_progress or completed. */
public record StandInJob(long id, long runId, String owner, String repo, String status,
    String conclusion, List<String> labels, Instant createdAt, Instant startedAt,
    Instant completedAt, Long runnerId, String runnerName) {
  public StandInJob {
    labels = List.copyOf(labels);
  }

  public StandInJob withStatus(String newStatus, String newConclusion, Instant now) {
    return new StandInJob(id, runId, owner, repo, newStatus, newConclusion, labels, createdAt,
        startedAt == null && !"queued".equals(newStatus) ? now : startedAt,
        "completed".equals(newStatus) ? now : completedAt, runnerId, runnerName);
  }

  public StandInJob assignedTo(long runner, String name) {
    return new StandInJob(id, runId, owner, repo, status, conclusion, labels, createdAt,
        startedAt, completedAt, runner, name);
  }
}
