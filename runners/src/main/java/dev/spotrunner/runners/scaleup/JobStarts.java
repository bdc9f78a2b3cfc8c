package dev.spotrunner.runners.scaleup;

import static dev.spotrunner.common.log.Log.entry;

import dev.spotrunner.common.PermanentFailure;
import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.RunnerFleet;
import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.job.JobId;
import dev.spotrunner.common.job.JobStart;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.common.log.Log;
import dev.spotrunner.runners.pool.PoolSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The webhook's job starts ({@link JobStart}, docs/job-message.md): which runner took which job. The
 * runner's instance is tagged {@link Tags#RUNNING_JOB} and {@link Tags#RUNNING_REPOSITORY}, so the
 * interruption function re-runs the job the machine really ran when spot takes it — GitHub gives a
 * queued job to any idle runner whose labels fit, so the job-id tag (the job the instance was
 * launched for) is often another. A start of a runner that is not this pool's (another prefix,
 * another pool's instance) is dropped: nothing to tag.
 *
 * <p>When the instance's first job is not the job it was launched for, that job lost its runner to
 * this one and would wait for its recheck (minutes): it is asked again at once as a rescue
 * ({@link Rescues}), which scale-up launches for while GitHub says it waits — after the backoff when
 * the pool is at its maximum. One DescribeInstances and one CreateTags per start (plus one
 * SendMessage for a displaced job); no GitHub call here.
 */
public final class JobStarts {
  private static final Log log = Log.of(JobStarts.class);
  /** Receives of one start before it is given up (the tag is a hint; the job never depends on it). */
  static final int MAX_RECEIVES = 3;
  private static final Pattern JIT_RETRY_SUFFIX = Pattern.compile("-[0-9]");

  /** One received start: SQS's message id, its body and how many times SQS handed it out. */
  public record Received(String messageId, String body, int receiveCount) {}

  /** Where a displaced job is asked again ({@link Rescues#ask}). */
  @FunctionalInterface
  public interface Displaced {
    void ask(JobId job, RunnerOwner repository, String ownerType);

    /** Nobody asks: the displaced job waits for its recheck. */
    Displaced NONE = (job, repository, ownerType) -> { };
  }

  private final PoolSettings pool;
  private final RunnerFleet fleet;
  private final Displaced displaced;

  public JobStarts(PoolSettings pool, RunnerFleet fleet, Displaced displaced) {
    this.pool = pool;
    this.fleet = fleet;
    this.displaced = displaced;
  }

  /** Tags the instances; returns the ids of the messages to receive again (EC2 failed for now). */
  public List<String> handle(List<Received> starts) {
    List<String> retry = new ArrayList<>();
    for (Received received : starts) {
      if (!handle(received)) {
        retry.add(received.messageId());
      }
    }
    return retry;
  }

  private boolean handle(Received received) {
    JobStart start;
    try {
      start = JobStart.fromJson(received.body());
    } catch (PermanentFailure e) {
      log.warn("job start malformed, dropped", entry("message_id", received.messageId()),
          entry("failure", e.getMessage()));
      return true;
    }
    InstanceId instance = instanceOf(start.runnerName());
    if (instance == null) {
      log.debug("job start of a runner not of this pool's naming, dropped",
          entry("job_id", start.jobId().value()), entry("runner_name", start.runnerName()));
      return true;
    }
    Optional<RunnerInstance> before = describe(instance);
    try {
      fleet.tag(instance, Map.of(Tags.RUNNING_JOB, start.jobId().toString(),
          Tags.RUNNING_REPOSITORY, start.repository()));
    } catch (TransientFailure e) {
      if (received.receiveCount() < MAX_RECEIVES) {
        log.info("job start not tagged yet, received again", entry("job_id", start.jobId().value()),
            entry("instance_id", instance), entry("failure", e.getMessage()));
        return false;
      }
      log.warn("job start not tagged, given up", entry("job_id", start.jobId().value()),
          entry("instance_id", instance), entry("failure", e.getMessage()));
      return true;
    } catch (PermanentFailure e) {
      // gone long ago, or another pool's instance (IAM allows tags on this pool's only)
      log.info("job start not tagged, instance not taggable", entry("job_id", start.jobId().value()),
          entry("instance_id", instance), entry("failure", e.getMessage()));
      return true;
    }
    log.info("job start tagged on its runner's instance", entry("job_id", start.jobId().value()),
        entry("instance_id", instance), entry("repository", start.repository()),
        entry("delivery_id", start.deliveryId()));
    before.ifPresent(i -> askForDisplaced(start, i));
    return true;
  }

  /** The instance as EC2 lists it before this start is tagged; empty when not listed or EC2 fails. */
  private Optional<RunnerInstance> describe(InstanceId instance) {
    try {
      return fleet.list(pool.poolTags()).stream().filter(i -> i.id().equals(instance)).findFirst();
    } catch (RuntimeException e) {
      log.info("job start's instance not described, a displaced job keeps its recheck",
          entry("instance_id", instance), entry("failure", Log.error(e).value()));
      return Optional.empty();
    }
  }

  /**
   * The instance's first job is not the one it was launched for: that job is asked again. Not for
   * a later job of a persistent runner (the instance ran a job before), nor for an org-level launch
   * tag (no repository to ask GitHub about).
   */
  private void askForDisplaced(JobStart start, RunnerInstance instance) {
    JobId launchedFor = JobId.parse(instance.tag(Tags.JOB_ID));
    String repository = instance.tag(Tags.REPOSITORY);
    if (launchedFor == null || launchedFor.equals(start.jobId())
        || instance.tag(Tags.RUNNING_JOB) != null || repository == null) {
      return;
    }
    try {
      RunnerOwner owner = RunnerOwner.parse(repository.trim());
      if (!owner.isRepository()) {
        return;
      }
      displaced.ask(launchedFor, owner, instance.tag(Tags.OWNER_TYPE));
      log.info("job displaced by a job start, asked again", entry("job_id", launchedFor.value()),
          entry("started_job_id", start.jobId().value()), entry("instance_id", instance.id()));
    } catch (RuntimeException e) {
      log.warn("displaced job not asked again, it keeps its recheck",
          entry("job_id", launchedFor.value()), entry("failure", Log.error(e).value()));
    }
  }

  /**
   * The instance of a runner named {@code <prefix><instance id>}, or with the {@code -2}/{@code -3}
   * a JIT name gets after a 409 (docs/runner-config.md); else null.
   */
  InstanceId instanceOf(String runnerName) {
    String prefix = pool.runnerNamePrefix();
    if (runnerName == null || !runnerName.startsWith(prefix)) {
      return null;
    }
    String rest = runnerName.substring(prefix.length());
    InstanceId id = InstanceId.findIn(rest);
    if (id == null || !rest.startsWith(id.value())) {
      return null;
    }
    String suffix = rest.substring(id.value().length());
    return suffix.isEmpty() || JIT_RETRY_SUFFIX.matcher(suffix).matches() ? id : null;
  }
}
