package dev.spotrunner.common.job;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.spotrunner.common.PermanentFailure;
import dev.spotrunner.common.json.Json;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The message the webhook puts on a pool's queue for one queued workflow job; scale-up consumes it.
 * Documented in {@code docs/job-message.md}.
 *
 * @param jobId the workflow job id (unique across GitHub)
 * @param runId the workflow run id
 * @param repository {@code owner/name}
 * @param owner the repository owner's login
 * @param ownerType {@code Organization} or {@code User}
 * @param installationId the GitHub App installation that sent the event
 * @param labels the job's {@code runs-on} labels
 * @param pool the pool the webhook routed the job to
 * @param deliveryId the webhook's {@code X-GitHub-Delivery}
 * @param receivedAt when the webhook accepted the event
 */
public record JobMessage(
    long jobId,
    long runId,
    String repository,
    String owner,
    String ownerType,
    long installationId,
    List<String> labels,
    String pool,
    String deliveryId,
    Instant receivedAt) {

  public JobMessage {
    if (jobId <= 0) {
      throw new PermanentFailure("jobId must be positive");
    }
    requireText(repository, "repository");
    requireText(owner, "owner");
    requireText(pool, "pool");
    if (!repository.startsWith(owner + "/")) {
      throw new PermanentFailure("repository '" + repository + "' is not owned by '" + owner + "'");
    }
    labels = labels == null ? List.of() : List.copyOf(labels);
    ownerType = ownerType == null ? "Organization" : ownerType;
    Objects.requireNonNull(receivedAt, "receivedAt");
  }

  private static void requireText(String value, String field) {
    if (value == null || value.isBlank()) {
      throw new PermanentFailure(field + " is required");
    }
  }

  /** The repository name without its owner. */
  @JsonIgnore
  public String repositoryName() {
    return repository.substring(owner.length() + 1);
  }

  public String toJson() {
    return Json.write(this);
  }

  /** Parses a message body; a malformed one is a {@link PermanentFailure} with the reason. */
  public static JobMessage fromJson(String body) {
    if (body == null || body.isBlank()) {
      throw new PermanentFailure("empty job message");
    }
    try {
      return Json.read(body, JobMessage.class);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new PermanentFailure("malformed JobMessage: " + e.getMessage());
    }
  }
}
