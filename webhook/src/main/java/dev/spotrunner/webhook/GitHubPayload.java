package dev.spotrunner.webhook;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The few fields of a GitHub webhook payload the webhook reads; everything else is skipped while
 * parsing. Timestamps stay text: only the metrics read them, and a bad one must not lose a job.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record GitHubPayload(
    String action,
    @JsonProperty("workflow_job") WorkflowJob workflowJob,
    @JsonProperty("check_run") CheckRun checkRun,
    Repository repository,
    Installation installation) {

  @JsonIgnoreProperties(ignoreUnknown = true)
  record WorkflowJob(
      Long id,
      @JsonProperty("run_id") Long runId,
      List<String> labels,
      String status,
      String conclusion,
      @JsonProperty("created_at") String createdAt,
      @JsonProperty("started_at") String startedAt,
      @JsonProperty("completed_at") String completedAt) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record CheckRun(Long id, String status) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record Repository(
      @JsonProperty("full_name") String fullName,
      @JsonProperty("private") Boolean isPrivate,
      Owner owner) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record Owner(String login, String type) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record Installation(Long id) {}
}
