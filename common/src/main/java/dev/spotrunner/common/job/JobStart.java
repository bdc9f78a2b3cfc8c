package dev.spotrunner.common.job;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.PermanentFailure;
import dev.spotrunner.common.json.Json;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;

/**
 * GitHub's word that a runner took a job ({@code workflow_job} action {@code in_progress}), which
 * the webhook forwards to the pool's queue with the message attribute {@value #KIND_ATTRIBUTE} =
 * {@value #KIND} and no delay. GitHub gives a queued job to any idle runner whose labels fit, so the
 * job an instance was launched for (its {@code spotrunner:job-id} tag) is often not the job its
 * runner runs; scale-up tags the runner's instance with this one, and the interruption function
 * re-runs the job the instance really ran (docs/interruptions.md). Documented in
 * {@code docs/job-message.md}.
 *
 * @param jobId the job the runner took
 * @param repository {@code owner/name} of the job's repository
 * @param runnerName GitHub's {@code workflow_job.runner_name}
 * @param pool the pool the webhook routed the job's labels to
 * @param deliveryId the webhook's {@code X-GitHub-Delivery}
 * @param startedAt GitHub's {@code workflow_job.started_at}, or when the webhook saw it
 */
public record JobStart(JobId jobId, String repository, String runnerName, String pool,
    String deliveryId, Instant startedAt) {
  /** The message attribute that tells a queue message's kind (shared with scale-down's asks). */
  public static final String KIND_ATTRIBUTE = "spotrunnerKind";
  public static final String KIND = "started";

  public JobStart {
    if (jobId == null) {
      throw new PermanentFailure("jobId is required");
    }
    requireText(repository, "repository");
    requireText(runnerName, "runnerName");
    requireText(pool, "pool");
    Objects.requireNonNull(startedAt, "startedAt");
  }

  private static void requireText(String value, String field) {
    if (value == null || value.isBlank()) {
      throw new PermanentFailure(field + " is required");
    }
  }

  public String toJson() {
    return Json.MAPPER.createObjectNode().put("jobId", jobId.value()).put("repository", repository)
        .put("runnerName", runnerName).put("pool", pool).put("deliveryId", deliveryId)
        .put("startedAt", startedAt.toString()).toString();
  }

  /** Parses a body; a malformed one throws a {@link PermanentFailure} naming the problem. */
  public static JobStart fromJson(String body) {
    try {
      JsonNode n = Json.MAPPER.readTree(body);
      if (n == null || !n.isObject()) {
        throw new PermanentFailure("a job start is a JSON object");
      }
      if (!n.path("jobId").canConvertToLong() || n.path("jobId").asLong() <= 0) {
        throw new PermanentFailure("jobId must be a positive number");
      }
      return new JobStart(JobId.of(n.path("jobId").asLong()), text(n, "repository"),
          text(n, "runnerName"), text(n, "pool"), text(n, "deliveryId"),
          Instant.parse(n.path("startedAt").asText()));
    } catch (IOException | DateTimeParseException e) {
      throw new PermanentFailure("not a job start: " + e.getMessage());
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode value = n.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }
}
