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
import java.time.Instant;
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
  private final JobRechecks rechecks;
  private final Clock clock;

  /** A scale-up that never schedules rechecks (its settings must have them off). */
  public ScaleUp(ScaleUpSettings settings, RunnerFleet fleet, GitHubRunners github,
      RunnerLauncher launcher, Clock clock) {
    this(settings, fleet, github, launcher, JobRechecks.NONE, clock);
  }

  public ScaleUp(ScaleUpSettings settings, RunnerFleet fleet, GitHubRunners github,
      RunnerLauncher launcher, JobRechecks rechecks, Clock clock) {
    this.settings = settings;
    this.pool = settings.pool();
    this.fleet = fleet;
    this.github = github;
    this.launcher = launcher;
    this.rechecks = rechecks;
    this.clock = clock;
  }

  /**
   * One job and every delivery of it in this batch (SQS may deliver a message twice);
   * {@code recheck} > 0 when one of them is scale-up's own look again at the job.
   */
  private record Pending(JobMessage job, RunnerOwner owner, int attempt, List<String> messageIds,
      int recheck) {}

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
          new Pending(job, owner, delivery.attempt(), List.of(delivery.messageId()),
              delivery.recheck()),
          (a, b) -> new Pending(a.job(), a.owner(), Math.max(a.attempt(), b.attempt()),
              concat(a.messageIds(), b.messageIds()), Math.max(a.recheck(), b.recheck())));
    }
    if (jobs.isEmpty()) {
      return counts.outcome(retry);
    }

    List<RunnerInstance> instances = fleet.list(pool.poolTags());
    Set<String> jobsWithInstance = instances.stream().map(i -> i.tag(Tags.JOB_ID))
        .filter(id -> id != null).collect(Collectors.toSet());
    // A recheck comes a full delay after its launch: an instance bound to the job since then was
    // launched for it again (a recheck before, or scale-down's rescue) and covers it.
    Instant recent = clock.instant().minus(settings.recheckDelay());
    Set<String> jobsWithRecentInstance = instances.stream()
        .filter(i -> i.launchTime() != null && i.launchTime().isAfter(recent))
        .map(i -> i.tag(Tags.JOB_ID)).filter(id -> id != null).collect(Collectors.toSet());
    int free = Math.max(0, pool.maxRunners() - instances.size());

    List<Pending> toLaunch = new ArrayList<>();
    Set<RunnerOwner> announced = new HashSet<>();
    List<Pending> ordered = jobs.values().stream()
        .sorted(Comparator.comparing((Pending p) -> p.job().receivedAt())).toList();
    for (Pending pending : ordered) {
      JobMessage job = pending.job();
      if (pending.recheck() > 0
          ? jobsWithRecentInstance.contains(Long.toString(job.jobId()))
          : jobsWithInstance.contains(Long.toString(job.jobId()))) {
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
      if (pending.recheck() > 0) {
        RunnerInstance booting = instances.stream()
            .filter(i -> Long.toString(job.jobId()).equals(i.tag(Tags.JOB_ID)))
            .filter(i -> launcher.stillBooting(i.id())).findFirst().orElse(null);
        if (booting != null) {
          // Its machine has not taken its config yet: the runner is still coming. Look again
          // later (scale-down removes a machine that never comes up, then this recheck goes on).
          if (lookAgainLater(pending, booting)) {
            counts.alreadyLaunched++;
          } else {
            retry.addAll(pending.messageIds());
            counts.retried++;
          }
          continue;
        }
        Optional<Boolean> waits = stillWaitsOnRecheck(pending);
        if (waits.isEmpty()) {
          retry.addAll(pending.messageIds());
          counts.retried++;
          continue;
        }
        if (!waits.get()) {
          counts.notQueued++;
          continue;
        }
      } else if (!stillWaits(pending, counts)) {
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
    String attempts = group.stream()
        .map(p -> (p.recheck() > 0 ? "r" + p.recheck() + "." : "") + p.attempt())
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
          entry("capacity_type", launched.capacityType().ec2Value()),
          entry("recheck", pending.recheck()));
      counts.launched++;
      scheduleRecheck(pending);
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

  /**
   * Asks for another look at the job after the recheck delay: GitHub gives a queued job to any idle
   * runner whose labels fit, and an instance can die before its runner takes a job, so the runner
   * launched for this job may never run it. A failure to schedule is logged, never retried: the
   * job has its instance.
   */
  private void scheduleRecheck(Pending pending) {
    int next = pending.recheck() + 1;
    if (!settings.rechecks() || next > ScaleUpSettings.MAX_RECHECKS) {
      return;
    }
    try {
      rechecks.schedule(pending.job(), next, settings.recheckDelay());
    } catch (RuntimeException e) {
      log.warn("recheck not scheduled", entry("job_id", pending.job().jobId()),
          entry("recheck", next), entry("failure", Log.error(e).value()));
    }
  }

  /** The same recheck once more, a delay later; false when it could not be sent. */
  private boolean lookAgainLater(Pending pending, RunnerInstance booting) {
    try {
      rechecks.schedule(pending.job(), pending.recheck(), settings.recheckDelay());
      log.info("job's instance still boots, recheck later", entry("job_id", pending.job().jobId()),
          entry("instance_id", booting.id()), entry("recheck", pending.recheck()));
      return true;
    } catch (RuntimeException e) {
      log.warn("recheck not rescheduled, back to the queue", entry("job_id", pending.job().jobId()),
          entry("failure", Log.error(e).value()));
      return false;
    }
  }

  /**
   * A recheck always asks GitHub: present and true when the job still waits; empty when GitHub
   * failed, so the recheck goes back to the queue rather than launch on a guess.
   */
  private Optional<Boolean> stillWaitsOnRecheck(Pending pending) {
    JobMessage job = pending.job();
    try {
      Optional<WorkflowJob> found =
          github.job(RunnerOwner.repo(job.owner(), job.repositoryName()), job.jobId());
      boolean waits = found.isPresent() && found.get().queued();
      log.info(waits ? "job still waits on recheck, launching again" : "job taken, recheck done",
          entry("job_id", job.jobId()), entry("recheck", pending.recheck()),
          entry("status", found.map(WorkflowJob::status).orElse("not found")));
      return Optional.of(waits);
    } catch (RuntimeException e) {
      log.warn("recheck failed, back to the queue", entry("job_id", job.jobId()),
          entry("failure", Log.error(e).value()));
      return Optional.empty();
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
