package dev.spotrunner.webhook;

import java.util.List;

/**
 * The few fields of a GitHub webhook payload the webhook reads ({@link PayloadReader}: JSON names
 * in snake case, {@code private} for {@code isPrivate}); everything else is skipped while parsing.
 * Timestamps stay text: only the metrics read them, and a bad one must not lose a job.
 */
record GitHubPayload(
    String action,
    WorkflowJob workflowJob,
    CheckRun checkRun,
    Repository repository,
    Installation installation) {

  record WorkflowJob(
      Long id,
      Long runId,
      List<String> labels,
      String status,
      String conclusion,
      String createdAt,
      String startedAt,
      String completedAt,
      String runnerName) {}

  record CheckRun(Long id, String status) {}

  record Repository(String fullName, Boolean isPrivate, Owner owner) {}

  record Owner(String login, String type) {}

  record Installation(Long id) {}
}
