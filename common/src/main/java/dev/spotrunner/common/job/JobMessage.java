package dev.spotrunner.common.job;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.spotrunner.common.PermanentFailure;
import dev.spotrunner.common.json.Json;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The message the webhook puts on a pool's queue for one queued workflow job; scale-up consumes it.
 * Documented in {@code docs/job-message.md}.
 *
 * @param jobId the workflow job (a JSON number on the wire)
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
    JobId jobId,
    long runId,
    String repository,
    String owner,
    String ownerType,
    long installationId,
    List<String> labels,
    String pool,
    String deliveryId,
    Instant receivedAt) {

  private static final JsonFactory JSON = new JsonFactory();

  public JobMessage {
    if (jobId == null) {
      throw new PermanentFailure("jobId is required");
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

  /** The message for job {@code jobId}; throws when the id is not positive. */
  public JobMessage(long jobId, long runId, String repository, String owner, String ownerType,
      long installationId, List<String> labels, String pool, String deliveryId,
      Instant receivedAt) {
    this(positive(jobId), runId, repository, owner, ownerType, installationId, labels, pool,
        deliveryId, receivedAt);
  }

  private static JobId positive(long jobId) {
    try {
      return JobId.of(jobId);
    } catch (IllegalArgumentException e) {
      throw new PermanentFailure(e.getMessage());
    }
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

  /**
   * The job's repository as a {@link RunnerOwner}, checked by {@link GitHubNames}: scale-up calls
   * this before anything reaches an API path, whatever the pool's runner level.
   *
   * @throws IllegalArgumentException when the owner or the repository name breaks GitHub's rules
   */
  @JsonIgnore
  public RunnerOwner repositoryOwner() {
    return RunnerOwner.repo(owner, repositoryName());
  }

  /**
   * The message as {@link #fromJson} reads it: the components in order, {@code receivedAt} as an
   * ISO-8601 instant, a null {@code deliveryId} left out. Written with jackson-core alone so the
   * webhook never loads jackson-databind (a quarter of its cold start).
   */
  public String toJson() {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeNumberField("jobId", jobId.value());
      json.writeNumberField("runId", runId);
      json.writeStringField("repository", repository);
      json.writeStringField("owner", owner);
      json.writeStringField("ownerType", ownerType);
      json.writeNumberField("installationId", installationId);
      json.writeArrayFieldStart("labels");
      for (String label : labels) {
        json.writeString(label);
      }
      json.writeEndArray();
      json.writeStringField("pool", pool);
      if (deliveryId != null) {
        json.writeStringField("deliveryId", deliveryId);
      }
      json.writeStringField("receivedAt", receivedAt.toString());
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return out.toString();
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
