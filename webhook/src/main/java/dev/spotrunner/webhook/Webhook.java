package dev.spotrunner.webhook;

import static dev.spotrunner.common.log.Log.entry;

import dev.spotrunner.common.PermanentFailure;
import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.common.job.GitHubNames;
import dev.spotrunner.common.job.JobId;
import dev.spotrunner.common.job.JobMessage;
import dev.spotrunner.common.job.JobStart;
import dev.spotrunner.common.job.PoolDefinition;
import dev.spotrunner.common.log.Log;
import dev.spotrunner.common.queue.JobQueue;
import dev.spotrunner.webhook.PayloadReader.MalformedPayload;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The webhook's decisions, free of Lambda types: size, signature, event, repository, pool, queue.
 * Every outcome is a {@link Reply}; only a queue or SSM outage becomes a 5xx, so GitHub shows the
 * delivery as failed and it can be redelivered.
 */
public final class Webhook {
  public static final String EVENT_HEADER = "x-github-event";
  public static final String DELIVERY_HEADER = "x-github-delivery";
  static final String DELIVERY_ATTRIBUTE = "deliveryId";
  static final String JOB_ATTRIBUTE = "jobId";

  private static final Log log = Log.of(Webhook.class);
  private static final Pattern DELIVERY_ID = Pattern.compile("[A-Za-z0-9._-]{1,100}");

  private final Supplier<PoolRouter> pools;
  private final RepositoryPolicy repositories;
  private final boolean checkRunLegacy;
  private final int maxBodyBytes;
  private final SecretSource secrets;
  private final JobQueue queue;
  private final JobMetrics metrics;
  private final RecentDeliveries recent;
  private final Clock clock;

  Webhook(Supplier<PoolRouter> pools, RepositoryPolicy repositories, boolean checkRunLegacy,
      int maxBodyBytes, SecretSource secrets, JobQueue queue, JobMetrics metrics, Clock clock) {
    this.pools = pools;
    this.repositories = repositories;
    this.checkRunLegacy = checkRunLegacy;
    this.maxBodyBytes = maxBodyBytes;
    this.secrets = secrets;
    this.queue = queue;
    this.metrics = metrics;
    this.recent = new RecentDeliveries(RecentDeliveries.DEFAULT_CAPACITY);
    this.clock = clock;
  }

  /**
   * @param headers header names in lower case
   * @param body the body as API Gateway passes it
   * @param base64 whether API Gateway base64-encoded the body
   */
  public Reply handle(Map<String, String> headers, String body, boolean base64) {
    String text = body == null ? "" : body;
    // A UTF-8 byte is at most one char, and base64 packs 3 bytes in 4 chars: both checks are
    // exact-or-conservative before any copy of a huge body is made.
    if ((base64 ? (text.length() / 4) * 3L - 2 : text.length()) > maxBodyBytes) {
      return reject(headers, 413, "body larger than " + maxBodyBytes + " bytes");
    }
    byte[] bytes;
    if (base64) {
      try {
        bytes = Base64.getDecoder().decode(text);
      } catch (IllegalArgumentException e) {
        return reject(headers, 400, "body is not valid base64");
      }
    } else {
      bytes = text.getBytes(StandardCharsets.UTF_8);
    }
    return handle(headers, bytes);
  }

  /** Handles raw body bytes (already decoded). */
  public Reply handle(Map<String, String> headers, byte[] body) {
    if (body.length > maxBodyBytes) {
      return reject(headers, 413, "body larger than " + maxBodyBytes + " bytes");
    }
    Reply unauthenticated = checkSignature(headers, body);
    if (unauthenticated != null) {
      return unauthenticated;
    }
    String event = headers.get(EVENT_HEADER);
    if (event == null || event.isBlank()) {
      return reject(headers, 400, "missing X-GitHub-Event header");
    }
    try {
      return switch (event) {
        case "ping" -> Reply.of(200, "pong");
        case "workflow_job" -> workflowJob(headers, body);
        case "check_run" -> checkRunLegacy ? checkRun(headers, body) : ignored(headers, event);
        default -> ignored(headers, event);
      };
    } catch (TransientFailure e) {
      // pools from SSM could not be read: GitHub shows the delivery failed, it can be redelivered
      log.error("pools unavailable", delivery(headers), Log.error(e));
      return Reply.of(503, "pools unavailable, redeliver later");
    }
  }

  private Reply checkSignature(Map<String, String> headers, byte[] body) {
    String header = headers.get(Signature.HEADER);
    if (header == null) {
      return reject(headers, 401, "missing X-Hub-Signature-256 header");
    }
    Signature signature;
    try {
      signature = secrets.current();
    } catch (TransientFailure | PermanentFailure e) {
      log.error("webhook secrets unavailable", Log.error(e), delivery(headers));
      return Reply.of(503, "webhook secret unavailable, redeliver later");
    }
    if (signature.matches(body, header)) {
      return null;
    }
    Optional<Signature> rotated = secrets.recheck();
    if (rotated.isPresent() && rotated.get().matches(body, header)) {
      return null;
    }
    return reject(headers, 401, "signature does not match");
  }

  private Reply workflowJob(Map<String, String> headers, byte[] body) {
    GitHubPayload payload;
    try {
      payload = parse(body);
    } catch (MalformedPayload e) {
      return reject(headers, 400, e.getMessage());
    }
    GitHubPayload.WorkflowJob job = payload.workflowJob();
    if (job == null) {
      return reject(headers, 400, "payload has no workflow_job");
    }
    String action = payload.action() == null ? "" : payload.action();
    if (!action.equals("queued") && !action.equals("in_progress") && !action.equals("completed")) {
      return ignored(headers, "workflow_job " + action);
    }
    Reply refused = checkRepository(headers, payload);
    if (refused != null) {
      return refused;
    }
    if (job.id() == null || job.id() <= 0) {
      return reject(headers, 400, "workflow_job.id is missing or not positive");
    }
    List<String> labels;
    try {
      labels = labels(job.labels());
    } catch (MalformedPayload e) {
      return reject(headers, 400, e.getMessage());
    }
    Optional<PoolDefinition> pool = pools.get().route(labels);
    if (action.equals("queued")) {
      if (job.runId() == null || job.runId() < 0) {
        return reject(headers, 400, "workflow_job.run_id is missing or negative");
      }
      if (pool.isEmpty()) {
        log.info("job matches no pool", delivery(headers), entry("job_id", job.id()),
            entry("labels", String.join(",", labels)));
        return Reply.of(202, "no pool");
      }
      return enqueue(headers, payload, job.id(), job.runId(), labels, pool.get());
    }
    if (pool.isEmpty()) {
      return Reply.of(202, "no pool");
    }
    record(action, pool.get().name(), payload.repository().fullName(), job);
    if (action.equals("in_progress") && job.runnerName() != null && !job.runnerName().isBlank()) {
      return forwardStart(headers, payload.repository().fullName(), job, pool.get());
    }
    return new Reply(202, "recorded", pool.get().name(), job.id());
  }

  /**
   * Tells scale-up which runner took the job (docs/job-message.md, job start): GitHub gives a queued
   * job to any idle runner whose labels fit, and only this event says which. A queue outage is a 503,
   * so the delivery shows as failed and the sweeper redelivers it.
   */
  private Reply forwardStart(Map<String, String> headers, String repository,
      GitHubPayload.WorkflowJob job, PoolDefinition pool) {
    String deliveryId = headers.get(DELIVERY_HEADER);
    boolean knownDelivery = deliveryId != null && DELIVERY_ID.matcher(deliveryId).matches();
    Instant startedAt;
    try {
      startedAt = job.startedAt() == null ? clock.instant() : Instant.parse(job.startedAt());
    } catch (DateTimeParseException e) {
      startedAt = clock.instant();
    }
    JobStart start;
    try {
      start = new JobStart(JobId.of(job.id()), repository, job.runnerName(), pool.name(),
          knownDelivery ? deliveryId : null, startedAt);
    } catch (PermanentFailure | IllegalArgumentException e) {
      return reject(headers, 400, "workflow_job in_progress: " + e.getMessage());
    }
    Map<String, String> attributes = knownDelivery
        ? Map.of(JobStart.KIND_ATTRIBUTE, JobStart.KIND, DELIVERY_ATTRIBUTE, deliveryId,
            JOB_ATTRIBUTE, Long.toString(job.id()))
        : Map.of(JobStart.KIND_ATTRIBUTE, JobStart.KIND, JOB_ATTRIBUTE, Long.toString(job.id()));
    try {
      queue.send(pool.queueUrl(), start.toJson(), 0, attributes);
    } catch (TransientFailure | PermanentFailure e) {
      log.error("job start not forwarded", entry("delivery_id", deliveryId), entry("job_id", job.id()),
          entry("pool", pool.name()), Log.error(e));
      return Reply.of(503, "queue unavailable, redeliver later");
    }
    log.info("job start forwarded", entry("delivery_id", deliveryId), entry("job_id", job.id()),
        entry("pool", pool.name()), entry("runner_name", job.runnerName()));
    return new Reply(202, "started", pool.name(), job.id());
  }

  private Reply checkRun(Map<String, String> headers, byte[] body) {
    GitHubPayload payload;
    try {
      payload = parse(body);
    } catch (MalformedPayload e) {
      return reject(headers, 400, e.getMessage());
    }
    if (!"created".equals(payload.action())) {
      return ignored(headers, "check_run " + payload.action());
    }
    if (payload.checkRun() == null || payload.checkRun().id() == null || payload.checkRun().id() <= 0) {
      return reject(headers, 400, "check_run.id is missing or not positive");
    }
    Reply refused = checkRepository(headers, payload);
    if (refused != null) {
      return refused;
    }
    Optional<PoolDefinition> pool = pools.get().defaultPool();
    if (pool.isEmpty()) {
      return Reply.of(202, "no pool");
    }
    // A workflow job's check run shares its id; the run id is not in the event.
    return enqueue(headers, payload, payload.checkRun().id(), 0, pool.get().labels(), pool.get());
  }

  private Reply enqueue(Map<String, String> headers, GitHubPayload payload, long jobId, long runId,
      List<String> labels, PoolDefinition pool) {
    String deliveryId = headers.get(DELIVERY_HEADER);
    if (deliveryId == null || !DELIVERY_ID.matcher(deliveryId).matches()) {
      return reject(headers, 400, "missing or malformed X-GitHub-Delivery header");
    }
    if (recent.seen(deliveryId, jobId)) {
      log.info("duplicate delivery not queued", entry("delivery_id", deliveryId),
          entry("job_id", jobId), entry("pool", pool.name()));
      return new Reply(202, "duplicate", pool.name(), jobId);
    }
    String repository = payload.repository().fullName();
    GitHubPayload.Owner owner = payload.repository().owner();
    String ownerType = owner != null && "User".equals(owner.type()) ? "User" : "Organization";
    long installationId = payload.installation() == null || payload.installation().id() == null
        ? 0 : payload.installation().id();
    JobMessage message = new JobMessage(jobId, runId, repository,
        repository.substring(0, repository.indexOf('/')), ownerType, installationId, labels,
        pool.name(), deliveryId, clock.instant());
    String messageId;
    try {
      messageId = queue.send(pool.queueUrl(), message.toJson(), pool.delaySeconds(),
          Map.of(DELIVERY_ATTRIBUTE, deliveryId, JOB_ATTRIBUTE, Long.toString(jobId)));
    } catch (TransientFailure | PermanentFailure e) {
      log.error("job not queued", entry("delivery_id", deliveryId), entry("job_id", jobId),
          entry("pool", pool.name()), Log.error(e));
      return Reply.of(503, "queue unavailable, redeliver later");
    }
    recent.remember(deliveryId, jobId);
    log.info("job queued", entry("delivery_id", deliveryId), entry("job_id", jobId),
        entry("pool", pool.name()), entry("repository", repository),
        entry("delay_seconds", pool.delaySeconds()), entry("message_id", messageId));
    return Reply.queued(pool.name(), jobId);
  }

  private void record(String action, String pool, String repository, GitHubPayload.WorkflowJob job) {
    try {
      if (action.equals("in_progress") && job.createdAt() != null && job.startedAt() != null) {
        Duration delay = Duration.between(
            Instant.parse(job.createdAt()), Instant.parse(job.startedAt()));
        metrics.jobStarted(pool, repository, job.id(), delay.isNegative() ? Duration.ZERO : delay);
      } else if (action.equals("completed") && job.startedAt() != null && job.completedAt() != null) {
        Duration runTime = Duration.between(
            Instant.parse(job.startedAt()), Instant.parse(job.completedAt()));
        metrics.jobCompleted(pool, repository, job.id(), runTime.isNegative() ? Duration.ZERO : runTime);
      }
    } catch (DateTimeParseException e) {
      log.warn("job timestamps unreadable, no metric", entry("job_id", job.id()));
    }
  }

  private Reply checkRepository(Map<String, String> headers, GitHubPayload payload) {
    GitHubPayload.Repository repository = payload.repository();
    if (repository == null || repository.fullName() == null) {
      return reject(headers, 400, "repository.full_name is missing");
    }
    try {
      // GitHub's own naming rules: a crafted name never reaches a queue message or an API path
      GitHubNames.requireFullName(repository.fullName());
    } catch (IllegalArgumentException e) {
      return reject(headers, 400, "repository.full_name: " + e.getMessage());
    }
    return switch (repositories.check(repository.fullName(), repository.isPrivate())) {
      case ALLOWED -> null;
      case NOT_IN_ALLOW_LIST -> reject(headers, 403, "repository not in the allow-list");
      case PUBLIC -> reject(headers, 403, "public repositories are not allowed");
    };
  }

  /** The job's labels without duplicates, in order; null elements make the payload malformed. */
  private static List<String> labels(List<String> raw) {
    if (raw == null) {
      throw new MalformedPayload("workflow_job.labels is missing");
    }
    Set<String> unique = new LinkedHashSet<>();
    for (String label : raw) {
      if (label == null || label.isBlank()) {
        throw new MalformedPayload("workflow_job.labels holds an empty label");
      }
      unique.add(label);
    }
    return new ArrayList<>(unique);
  }

  private static GitHubPayload parse(byte[] body) {
    return PayloadReader.read(body);
  }

  private Reply ignored(Map<String, String> headers, String event) {
    log.debug("event ignored", delivery(headers), entry("event", event));
    return Reply.of(202, "ignored");
  }

  private static Reply reject(Map<String, String> headers, int status, String reason) {
    log.warn("webhook rejected", delivery(headers), entry("status", status), entry("reason", reason));
    return Reply.of(status, reason);
  }

  private static Log.Entry delivery(Map<String, String> headers) {
    String id = headers.get(DELIVERY_HEADER);
    if (id == null) {
      return entry("delivery_id", "none");
    }
    return entry("delivery_id", DELIVERY_ID.matcher(id).matches() ? id : "malformed");
  }
}
