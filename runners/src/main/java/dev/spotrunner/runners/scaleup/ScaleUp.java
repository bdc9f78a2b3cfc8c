package dev.spotrunner.runners.scaleup;

import static dev.spotrunner.common.log.Log.entry;

import dev.spotrunner.common.fleet.RunnerFleet;
import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.github.GitHubRunners;
import dev.spotrunner.common.github.WorkflowJob;
import dev.spotrunner.common.job.JobMessage;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.common.log.Log;
import dev.spotrunner.runners.launch.LaunchRequest;
import dev.spotrunner.runners.launch.LaunchResult;
import dev.spotrunner.runners.launch.RunnerLauncher;
import dev.spotrunner.runners.launch.RunnerSlot;
import dev.spotrunner.runners.pool.PoolSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Turns a batch of job messages into runners for one pool: drops malformed messages, skips jobs
 * that already have an instance or no longer wait, launches up to the pool maximum with one
 * CreateFleet per owner, and sends everything else back to the queue.
 */
public final class ScaleUp {
  private static final Log log = Log.of(ScaleUp.class);

  /**
   * A first delivery younger than this is not checked with GitHub: the webhook delayed it only
   * seconds ago, so it almost surely still waits, and skipping the GET keeps a JIT runner at one
   * GitHub call (5 of the installation's 900 points a minute instead of 6). Redeliveries and old
   * messages are checked.
   */
  static final Duration FRESH = Duration.ofSeconds(90);

  private final ScaleUpSettings settings;
  private final PoolSettings pool;
  private final RunnerFleet fleet;
  private final GitHubRunners github;
  private final RunnerLauncher launcher;
  private final Clock clock;

  public ScaleUp(ScaleUpSettings settings, RunnerFleet fleet, GitHubRunners github,
      RunnerLauncher launcher, Clock clock) {
    this.settings = settings;
    this.pool = settings.pool();
    this.fleet = fleet;
    this.github = github;
    this.launcher = launcher;
    this.clock = clock;
  }

  /** One job and every delivery of it in this batch (SQS may deliver a message twice). */
  private record Pending(JobMessage job, RunnerOwner owner, int attempt, List<String> messageIds) {}

  /** Exceptions from EC2 listing propagate: the handler then returns the whole batch. */
  public BatchOutcome run(List<Delivery> deliveries) {
    Counts counts = new Counts();
    List<String> retry = new ArrayList<>();
    Map<Long, Pending> jobs = new LinkedHashMap<>();

    for (Delivery delivery : deliveries) {
      Optional<String> problem = problem(delivery);
      if (problem.isPresent()) {
        log.warn("message dropped", entry("message_id", delivery.messageId()),
            entry("reason", problem.get()), entry("pool", pool.poolName()));
        counts.dropped++;
        continue;
      }
      JobMessage job = delivery.job();
      RunnerOwner owner = pool.level().ownerFor(job.owner(), job.repositoryName());
      jobs.merge(job.jobId(),
          new Pending(job, owner, delivery.attempt(), List.of(delivery.messageId())),
          (a, b) -> new Pending(a.job(), a.owner(), Math.max(a.attempt(), b.attempt()),
              concat(a.messageIds(), b.messageIds())));
    }
    if (jobs.isEmpty()) {
      return counts.outcome(retry);
    }

    List<RunnerInstance> instances = fleet.list(pool.poolTags());
    Set<String> jobsWithInstance = instances.stream().map(i -> i.tag(Tags.JOB_ID))
        .filter(id -> id != null).collect(Collectors.toSet());
    int free = Math.max(0, pool.maxRunners() - instances.size());

    List<Pending> toLaunch = new ArrayList<>();
    Set<RunnerOwner> announced = new HashSet<>();
    List<Pending> ordered = jobs.values().stream()
        .sorted(Comparator.comparing((Pending p) -> p.job().receivedAt())).toList();
    for (Pending pending : ordered) {
      JobMessage job = pending.job();
      if (jobsWithInstance.contains(Long.toString(job.jobId()))) {
        log.info("job already has an instance", entry("job_id", job.jobId()),
            entry("delivery_id", job.deliveryId()), entry("pool", pool.poolName()));
        counts.alreadyLaunched++;
        continue;
      }
      if (toLaunch.size() >= free) {
        log.info("pool at maximum, job back to the queue", entry("job_id", job.jobId()),
            entry("delivery_id", job.deliveryId()), entry("pool", pool.poolName()),
            entry("max", pool.maxRunners()), entry("instances", instances.size()));
        retry.addAll(pending.messageIds());
        counts.retried++;
        continue;
      }
      if (announced.add(pending.owner()) && job.installationId() > 0) {
        github.knownInstallation(pending.owner(), job.installationId());
      }
      if (!stillWaits(pending, counts)) {
        counts.notQueued++;
        continue;
      }
      toLaunch.add(pending);
    }

    Map<RunnerOwner, List<Pending>> byOwner = new LinkedHashMap<>();
    toLaunch.forEach(p -> byOwner.computeIfAbsent(p.owner(), o -> new ArrayList<>()).add(p));
    for (Map.Entry<RunnerOwner, List<Pending>> group : byOwner.entrySet()) {
      launch(group.getKey(), group.getValue(), retry, counts);
    }

    BatchOutcome outcome = counts.outcome(retry);
    log.info("batch done", entry("pool", pool.poolName()), entry("messages", deliveries.size()),
        entry("launched", outcome.launched()), entry("already_launched", outcome.alreadyLaunched()),
        entry("not_queued", outcome.notQueued()), entry("dropped", outcome.dropped()),
        entry("retried", retry.size()), entry("job_check_failed", outcome.checkFailed()));
    return outcome;
  }

  private void launch(RunnerOwner owner, List<Pending> group, List<String> retry, Counts counts) {
    List<RunnerSlot> slots = group.stream().map(p -> RunnerSlot.forJob(p.job().jobId(),
        p.job().repository())).toList();
    String attempts = group.stream().map(p -> Integer.toString(p.attempt()))
        .collect(Collectors.joining(","));
    Map<Long, Pending> byJob = new LinkedHashMap<>();
    group.forEach(p -> byJob.put(p.job().jobId(), p));

    LaunchResult result = launcher.launch(
        new LaunchRequest(owner, group.get(0).job().ownerType(), slots, attempts));
    for (LaunchResult.Launched launched : result.launched()) {
      Pending pending = byJob.get(launched.slot().jobId());
      log.info("runner launched", entry("job_id", pending.job().jobId()),
          entry("delivery_id", pending.job().deliveryId()), entry("instance_id", launched.instance()),
          entry("runner_name", launched.runnerName()),
          entry("capacity_type", launched.capacityType().ec2Value()));
      counts.launched++;
    }
    for (LaunchResult.Failed failed : result.failed()) {
      Pending pending = byJob.get(failed.slot().jobId());
      if (failed.retryable()) {
        log.warn("job back to the queue", entry("job_id", pending.job().jobId()),
            entry("delivery_id", pending.job().deliveryId()), entry("reason", failed.reason()));
        retry.addAll(pending.messageIds());
        counts.retried++;
      } else {
        log.error("job dropped", entry("job_id", pending.job().jobId()),
            entry("delivery_id", pending.job().deliveryId()), entry("reason", failed.reason()));
        counts.dropped++;
      }
    }
  }

  /** True unless GitHub says the job no longer waits; GitHub errors count and launch anyway. */
  private boolean stillWaits(Pending pending, Counts counts) {
    JobMessage job = pending.job();
    if (!settings.jobQueuedCheck()) {
      return true;
    }
    boolean fresh = pending.attempt() == 1
        && job.receivedAt().plus(FRESH).isAfter(clock.instant());
    if (fresh) {
      return true;
    }
    try {
      Optional<WorkflowJob> found =
          github.job(RunnerOwner.repo(job.owner(), job.repositoryName()), job.jobId());
      if (found.isPresent() && found.get().queued()) {
        return true;
      }
      log.info("job no longer queued", entry("job_id", job.jobId()),
          entry("delivery_id", job.deliveryId()),
          entry("status", found.map(WorkflowJob::status).orElse("not found")));
      return false;
    } catch (RuntimeException e) {
      log.warn("job check failed, launching anyway", entry("job_id", job.jobId()),
          entry("delivery_id", job.deliveryId()), entry("failure", Log.error(e).value()));
      counts.checkFailed++;
      return true;
    }
  }

  private Optional<String> problem(Delivery delivery) {
    if (delivery.malformed() != null) {
      return Optional.of(delivery.malformed());
    }
    JobMessage job = delivery.job();
    if (!pool.poolName().equals(job.pool())) {
      return Optional.of("routed to pool '" + job.pool() + "', this function serves '"
          + pool.poolName() + "'");
    }
    try {
      pool.level().ownerFor(job.owner(), job.repositoryName());
      return Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    }
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static final class Counts {
    int launched;
    int alreadyLaunched;
    int notQueued;
    int dropped;
    int checkFailed;
    int retried;

    BatchOutcome outcome(List<String> retry) {
      return new BatchOutcome(retry, launched, alreadyLaunched, notQueued, dropped, checkFailed);
    }
  }
}
