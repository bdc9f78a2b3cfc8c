package dev.spotrunner.runners.scaleup;

import static dev.spotrunner.common.log.Log.entry;

import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.RunnerFleet;
import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.github.GitHubRunners;
import dev.spotrunner.common.github.WorkflowJob;
import dev.spotrunner.common.job.GitHubNames;
import dev.spotrunner.common.job.JobMessage;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.common.log.Log;
import dev.spotrunner.runners.launch.LaunchRequest;
import dev.spotrunner.runners.launch.LaunchResult;
import dev.spotrunner.runners.launch.RunnerLauncher;
import dev.spotrunner.runners.launch.RunnerSlot;
import dev.spotrunner.runners.pool.PoolSettings;
import dev.spotrunner.runners.scaleup.JobExits.Reason;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Turns a batch of job messages into runners for one pool: dead-letters malformed messages with
 * their reason, skips jobs that already have an instance or no longer wait, launches up to the pool
 * maximum with one CreateFleet per owner under the pool's launch lock, sends jobs over the maximum
 * back with a short backoff as new messages, and launches warm runners scale-down asked for with
 * whatever room is left.
 */
public final class ScaleUp {
  private static final Log log = Log.of(ScaleUp.class);

  private final ScaleUpSettings settings;
  private final PoolSettings pool;
  private final RunnerFleet fleet;
  private final GitHubRunners github;
  private final RunnerLauncher launcher;
  /** Delivery ids of scale-down's rescue requests start so (scaledown.QueuedLaunches). */
  public static final String RESCUE_DELIVERY = "rescue-";

  private final JobRechecks rechecks;
  private final JobReturns returns;
  private final LaunchLock lock;
  private final Consumer<String> metrics;
  private final Clock clock;

  /** A scale-up that never schedules rechecks (its settings must have them off). */
  public ScaleUp(ScaleUpSettings settings, RunnerFleet fleet, GitHubRunners github,
      RunnerLauncher launcher, Clock clock) {
    this(settings, fleet, github, launcher, JobRechecks.NONE, clock);
  }

  /**
   * A scale-up alone on its pool with no queue to return messages to: every message it does not
   * launch for stays in the batch failures.
   */
  public ScaleUp(ScaleUpSettings settings, RunnerFleet fleet, GitHubRunners github,
      RunnerLauncher launcher, JobRechecks rechecks, Clock clock) {
    this(settings, fleet, github, launcher, rechecks, JobReturns.NONE, LaunchLock.NONE,
        line -> {}, clock);
  }

  /** {@code metrics} receives the EMF lines of {@link JobExits}. */
  public ScaleUp(ScaleUpSettings settings, RunnerFleet fleet, GitHubRunners github,
      RunnerLauncher launcher, JobRechecks rechecks, JobReturns returns, LaunchLock lock,
      Consumer<String> metrics, Clock clock) {
    this.settings = settings;
    this.pool = settings.pool();
    this.fleet = fleet;
    this.github = github;
    this.launcher = launcher;
    this.rechecks = rechecks;
    this.returns = returns;
    this.lock = lock;
    this.metrics = metrics;
    this.clock = clock;
  }

  /**
   * One job and every delivery of it in this batch (SQS may deliver a message twice);
   * {@code recheck} > 0 when one of them is scale-up's own look again at the job; {@code waited} the
   * times it was refused at the maximum before.
   */
  private record Pending(JobMessage job, RunnerOwner owner, int attempt, List<String> messageIds,
      List<String> receipts, int recheck, int waited) {}

  /** A message scale-up will not serve: why, for the metric and the DLQ. */
  private record Problem(Reason reason, String detail) {}

  /** Exceptions from EC2 listing propagate: the handler then returns the whole batch. */
  public BatchOutcome run(List<Delivery> deliveries) {
    Counts counts = new Counts();
    JobExits exits = new JobExits();
    List<String> retry = new ArrayList<>();
    Map<Long, Pending> jobs = new LinkedHashMap<>();
    List<Delivery> warm = new ArrayList<>();

    for (Delivery delivery : deliveries) {
      if (delivery.warm() != null) {
        warm.add(delivery);
        continue;
      }
      Optional<Problem> problem = problem(delivery);
      if (problem.isPresent()) {
        deadLetter(List.of(delivery.messageId()), delivery.body(), problem.get(), retry, counts,
            exits);
        continue;
      }
      JobMessage job = delivery.job();
      RunnerOwner owner = pool.level().ownerFor(job.owner(), job.repositoryName());
      jobs.merge(job.jobId(),
          new Pending(job, owner, delivery.attempt(), List.of(delivery.messageId()),
              delivery.receiptHandle() == null ? List.of() : List.of(delivery.receiptHandle()),
              delivery.recheck(), delivery.waited()),
          (a, b) -> new Pending(a.job(), a.owner(), Math.max(a.attempt(), b.attempt()),
              concat(a.messageIds(), b.messageIds()), concat(a.receipts(), b.receipts()),
              Math.max(a.recheck(), b.recheck()), Math.max(a.waited(), b.waited())));
    }
    if (!jobs.isEmpty() || !warm.isEmpty()) {
      Optional<LaunchLock.Held> held = acquire();
      if (held.isEmpty()) {
        // Another scale-up of the pool counts and launches now: come back after the next step.
        for (Pending pending : ordered(jobs)) {
          waitForRoom(pending, "another scale-up of the pool is launching", retry, counts, exits);
        }
        warm.forEach(w -> log.info("warm request skipped, the pool's launch lock is held",
            entry("message_id", w.messageId()), entry("pool", pool.poolName())));
      } else {
        try (LaunchLock.Held lease = held.get()) {
          serve(jobs, warm, lease, retry, counts, exits);
        }
      }
    }

    BatchOutcome outcome = counts.outcome(retry);
    exits.received(deliveries.size());
    exits.flush(pool.poolName(), clock, metrics);
    log.info("batch done", entry("pool", pool.poolName()), entry("messages", deliveries.size()),
        entry("launched", outcome.launched()), entry("already_launched", outcome.alreadyLaunched()),
        entry("not_queued", outcome.notQueued()), entry("dead_lettered", outcome.deadLettered()),
        entry("waiting", outcome.waiting()), entry("retried", retry.size()),
        entry("job_check_failed", outcome.checkFailed()));
    return outcome;
  }

  private Optional<LaunchLock.Held> acquire() {
    try {
      return lock.tryAcquire();
    } catch (RuntimeException e) {
      log.warn("launch lock not taken", entry("pool", pool.poolName()),
          entry("failure", Log.error(e).value()));
      return Optional.empty();
    }
  }

  private static List<Pending> ordered(Map<Long, Pending> jobs) {
    return jobs.values().stream()
        .sorted(Comparator.comparing((Pending p) -> p.job().receivedAt())).toList();
  }

  /** Counts the pool and launches; called with the pool's launch lock held. */
  private void serve(Map<Long, Pending> jobs, List<Delivery> warm, LaunchLock.Held lease,
      List<String> retry, Counts counts, JobExits exits) {
    List<RunnerInstance> instances = fleet.list(pool.poolTags());
    UnlistedLaunches unlisted;
    try {
      unlisted = UnlistedLaunches.read(lease, instances, fleet, clock);
    } catch (RuntimeException e) {
      // Without the record the count may miss launches of seconds ago: nothing is launched.
      log.warn("recent launches not read", entry("pool", pool.poolName()),
          entry("failure", Log.error(e).value()));
      for (Pending pending : ordered(jobs)) {
        waitForRoom(pending, "the pool's recent launches could not be read", retry, counts, exits);
      }
      return;
    }
    Set<String> jobsWithInstance = instances.stream().map(i -> i.tag(Tags.JOB_ID))
        .filter(id -> id != null).collect(Collectors.toSet());
    // A recheck comes a full delay after its launch: an instance bound to the job since then was
    // launched for it again (a recheck before, or scale-down's rescue) and covers it.
    Instant recent = clock.instant().minus(settings.recheckDelay());
    Set<String> jobsWithRecentInstance = instances.stream()
        .filter(i -> i.launchTime() != null && i.launchTime().isAfter(recent))
        .map(i -> i.tag(Tags.JOB_ID)).filter(id -> id != null).collect(Collectors.toSet());
    int free = Math.max(0, pool.maxRunners() - instances.size() - unlisted.count());

    List<Pending> toLaunch = new ArrayList<>();
    Set<RunnerOwner> announced = new HashSet<>();
    // Oldest first, by the webhook's receivedAt, which a job keeps across its waits.
    for (Pending pending : ordered(jobs)) {
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
        waitForRoom(pending, "pool at maximum", retry, counts, exits);
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
      } else {
        Optional<Boolean> waits = stillWaits(pending, counts);
        if (waits.isEmpty()) {
          retry.addAll(pending.messageIds());
          counts.retried++;
          continue;
        }
        if (!waits.get()) {
          counts.notQueued++;
          exits.dropped(Reason.NOT_QUEUED);
          continue;
        }
      }
      toLaunch.add(pending);
    }

    Map<RunnerOwner, List<Pending>> byOwner = new LinkedHashMap<>();
    toLaunch.forEach(p -> byOwner.computeIfAbsent(p.owner(), o -> new ArrayList<>()).add(p));
    for (Map.Entry<RunnerOwner, List<Pending>> group : byOwner.entrySet()) {
      unlisted.launched(launch(group.getKey(), group.getValue(), retry, counts, exits));
    }
    // Slots whose launch failed stay counted: their instances may exist until terminated.
    int room = free - toLaunch.size();
    for (Delivery request : warm) {
      List<InstanceId> launched = launchWarm(request, room);
      unlisted.launched(launched);
      room -= launched.size();
    }
    unlisted.save(lease);
  }

  /**
   * The job comes back after the pool's backoff as a new message carrying its wait count and its
   * first receivedAt; this message is deleted only because the new one was sent. When SQS refuses
   * the new message, this one stays, made visible again after the same backoff (its receive count
   * grows, and a job that reaches the DLQ that way is redriven while GitHub says it waits).
   */
  private void waitForRoom(Pending pending, String why, List<String> retry, Counts counts,
      JobExits exits) {
    JobMessage job = pending.job();
    int wait = pending.waited() + 1;
    Duration delay = settings.backoff().delay(wait, clock.instant(), pool.poolName());
    if (pending.recheck() == 0) {
      try {
        returns.later(job, wait, delay);
        log.info(why + ", job waits", entry("job_id", job.jobId()),
            entry("delivery_id", job.deliveryId()), entry("pool", pool.poolName()),
            entry("max", pool.maxRunners()), entry("wait", wait),
            entry("back_in_seconds", delay.toSeconds()));
        counts.waiting++;
        exits.waiting();
        return;
      } catch (RuntimeException e) {
        log.warn(why + ", job not re-sent, back by its visibility", entry("job_id", job.jobId()),
            entry("failure", Log.error(e).value()));
      }
    }
    if (pending.recheck() > 0) {
      // A recheck waits as a new recheck message, like a job: holding its own message would count
      // receives until SQS dead-letters it after maxReceiveCount holds.
      try {
        rechecks.schedule(job, pending.recheck(), delay);
        log.info(why + ", recheck waits", entry("job_id", job.jobId()),
            entry("pool", pool.poolName()), entry("recheck", pending.recheck()),
            entry("back_in_seconds", delay.toSeconds()));
        counts.waiting++;
        exits.waiting();
        return;
      } catch (RuntimeException e) {
        log.warn(why + ", recheck not re-sent, back by its visibility",
            entry("job_id", job.jobId()), entry("failure", Log.error(e).value()));
      }
    }
    // Only when SQS refused the new message: this one comes back after the backoff instead.
    for (String receipt : pending.receipts()) {
      try {
        returns.hold(receipt, delay);
      } catch (RuntimeException e) {
        log.warn("visibility not changed, back after the queue's timeout",
            entry("job_id", job.jobId()), entry("failure", Log.error(e).value()));
      }
    }
    retry.addAll(pending.messageIds());
    counts.retried++;
  }

  /** Warm runners in the room left; returns those launched. The request is consumed anyway. */
  private List<InstanceId> launchWarm(Delivery request, int room) {
    WarmRequest warm = request.warm();
    int count = Math.min(warm.count(), Math.max(0, room));
    if (count == 0) {
      log.info("warm request skipped, pool at maximum", entry("pool", pool.poolName()),
          entry("owner", warm.owner()), entry("requested", warm.count()));
      return List.of();
    }
    LaunchResult result = launcher.launch(new LaunchRequest(warm.runnerOwner(), warm.ownerType(),
        Collections.nCopies(count, RunnerSlot.warm()), "warm-" + warm.tick()));
    log.info("warm runners launched", entry("pool", pool.poolName()), entry("owner", warm.owner()),
        entry("requested", warm.count()), entry("launched", result.launched().size()));
    return result.launched().stream().map(LaunchResult.Launched::instance).toList();
  }

  /** Launches for the group; returns the instances launched. */
  private List<InstanceId> launch(RunnerOwner owner, List<Pending> group, List<String> retry,
      Counts counts, JobExits exits) {
    List<RunnerSlot> slots = group.stream().map(p -> RunnerSlot.forJob(p.job().jobId(),
        p.job().repository())).toList();
    String attempts = group.stream()
        .map(p -> (p.recheck() > 0 ? "r" + p.recheck() + "." : "")
            + (p.waited() > 0 ? "w" + p.waited() + "." : "")
            // a rescue launches for a job launched before: its own token, or EC2 hands back the
            // instance spot took
            + (p.job().deliveryId().startsWith(RESCUE_DELIVERY) ? p.job().deliveryId() + "." : "")
            + p.attempt())
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
          entry("recheck", pending.recheck()), entry("wait", pending.waited()));
      counts.launched++;
      exits.launched(launched.capacityType().ec2Value(), launched.placement().instanceType(),
          launched.placement().zone());
      scheduleRecheck(pending);
    }
    for (LaunchResult.Failed failed : result.failed()) {
      Pending pending = byJob.get(failed.slot().jobId());
      exits.launchFailed();
      if (failed.retryable()) {
        // No capacity anywhere or a failed step: back after the same short, growing backoff as a
        // job at the maximum, as a new message — never after the queue's visibility timeout, and
        // never to the DLQ by receive count while GitHub says the job waits.
        log.warn("launch failed", entry("job_id", pending.job().jobId()),
            entry("delivery_id", pending.job().deliveryId()), entry("reason", failed.reason()));
        waitForRoom(pending, "launch failed", retry, counts, exits);
      } else {
        // A permanent failure of a step is no verdict on the job: it goes to the DLQ with the
        // reason, where the redrive brings it back once the cause is fixed.
        deadLetter(pending.messageIds(), pending.job().toJson(),
            new Problem(Reason.LAUNCH_FAILED, failed.reason()), retry, counts, exits);
      }
    }
    return result.launched().stream().map(LaunchResult.Launched::instance).toList();
  }

  /** To the DLQ with the reason; when SQS refuses, the message stays in the batch failures. */
  private void deadLetter(List<String> messageIds, String body, Problem problem,
      List<String> retry, Counts counts, JobExits exits) {
    String reason = problem.reason().dimension() + ": " + problem.detail();
    try {
      returns.deadLetter(body, reason);
      log.error("message dead-lettered", entry("message_ids", messageIds),
          entry("reason", reason), entry("pool", pool.poolName()));
      counts.deadLettered++;
      exits.dropped(problem.reason());
      exits.deadLettered();
    } catch (RuntimeException e) {
      log.error("message not dead-lettered, back to the queue", entry("message_ids", messageIds),
          entry("reason", reason), entry("failure", Log.error(e).value()));
      retry.addAll(messageIds);
      counts.retried++;
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
    if (!settings.rechecks()) {
      return;
    }
    // Bounded by the job's age, not by a count: the runners launched for a job can all be taken by
    // older jobs of its run, and it then needs another look for as long as it waits. Each recheck
    // costs one GET (1 point); one that finds the job still queued launches again (5 more).
    Instant giveUp = pending.job().receivedAt().plus(settings.recheckMaxAge());
    if (!clock.instant().plus(settings.recheckDelay()).isBefore(giveUp)) {
      log.info("job too old for another recheck", entry("job_id", pending.job().jobId()),
          entry("recheck", next), entry("received_at", pending.job().receivedAt()),
          entry("max_age_minutes", settings.recheckMaxAge().toMinutes()));
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

  /**
   * True unless GitHub says the job no longer waits. Only GitHub or the network failing for now
   * ({@link TransientFailure}) launches anyway; any other failure is ours or permanent and no
   * evidence that the job waits: empty, the job goes back to the queue.
   */
  private Optional<Boolean> stillWaits(Pending pending, Counts counts) {
    JobMessage job = pending.job();
    if (!settings.jobQueuedCheck()) {
      return Optional.of(true);
    }
    // The per-pool switch: a first delivery may skip the GET (5 points a JIT runner, not 6), at the
    // price of instances for jobs cancelled during the queue delay.
    if (!settings.checkFirstDelivery() && pending.attempt() == 1 && pending.waited() == 0) {
      return Optional.of(true);
    }
    try {
      Optional<WorkflowJob> found =
          github.job(RunnerOwner.repo(job.owner(), job.repositoryName()), job.jobId());
      if (found.isPresent() && found.get().queued()) {
        return Optional.of(true);
      }
      log.info("job no longer queued", entry("job_id", job.jobId()),
          entry("delivery_id", job.deliveryId()),
          entry("status", found.map(WorkflowJob::status).orElse("not found")));
      return Optional.of(false);
    } catch (TransientFailure e) {
      log.warn("job check failed, launching anyway", entry("job_id", job.jobId()),
          entry("delivery_id", job.deliveryId()), entry("failure", Log.error(e).value()));
      counts.checkFailed++;
      return Optional.of(true);
    } catch (RuntimeException e) {
      log.error("job check failed here, not at GitHub: back to the queue",
          entry("job_id", job.jobId()), entry("delivery_id", job.deliveryId()),
          entry("failure", Log.error(e).value()));
      return Optional.empty();
    }
  }

  private Optional<Problem> problem(Delivery delivery) {
    if (delivery.malformed() != null) {
      return Optional.of(new Problem(Reason.MALFORMED, delivery.malformed()));
    }
    JobMessage job = delivery.job();
    try {
      GitHubNames.requireLogin(job.owner());
      GitHubNames.requireFullName(job.repository());
      if (!job.repository().startsWith(job.owner() + "/")) {
        throw new IllegalArgumentException("repository '" + job.repository()
            + "' is not owned by '" + job.owner() + "'");
      }
    } catch (IllegalArgumentException e) {
      // Our webhook never queues such a name: the message was not written for a real job.
      return Optional.of(new Problem(Reason.INVALID_NAME, e.getMessage()));
    }
    if (!pool.poolName().equals(job.pool())) {
      return Optional.of(new Problem(Reason.WRONG_POOL, "routed to pool '" + job.pool()
          + "', this function serves '" + pool.poolName() + "'"));
    }
    try {
      pool.level().ownerFor(job.owner(), job.repositoryName());
      return Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.of(new Problem(Reason.INVALID_NAME, e.getMessage()));
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
    int deadLettered;
    int checkFailed;
    int retried;
    int waiting;

    BatchOutcome outcome(List<String> retry) {
      return new BatchOutcome(retry, launched, alreadyLaunched, notQueued, deadLettered,
          checkFailed, waiting);
    }
  }
}
