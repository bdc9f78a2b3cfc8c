package dev.spotrunner.common.job;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.spotrunner.common.PermanentFailure;
import dev.spotrunner.common.json.Json;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
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
  private static final JsonFactory JSON = new JsonFactory();

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

  /**
   * The body as {@link #fromJson} reads it; written with jackson-core alone, as {@link
   * JobMessage#toJson}, so the webhook never loads jackson-databind.
   */
  public String toJson() {
    StringWriter out = new StringWriter(192);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeNumberField("jobId", jobId.value());
      json.writeStringField("repository", repository);
      json.writeStringField("runnerName", runnerName);
      json.writeStringField("pool", pool);
      if (deliveryId != null) {
        json.writeStringField("deliveryId", deliveryId);
      }
      json.writeStringField("startedAt", startedAt.toString());
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return out.toString();
  }

  /** Parses a body; a malformed one throws a {@link PermanentFailure} naming the problem. */
  public static JobStart fromJson(String body) {
    if (body == null || body.isBlank()) {
      throw new PermanentFailure("empty job start");
    }
    try {
      return Json.read(body, JobStart.class);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new PermanentFailure("malformed job start: " + e.getMessage());
    }
  }
}
