package dev.spotrunner.runners.scaleup;

import static dev.spotrunner.common.log.Log.entry;

import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.RunnerFleet;
import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.github.GitHubLimited;
import dev.spotrunner.common.github.GitHubRunners;
import dev.spotrunner.common.github.RequestGovernor;
import dev.spotrunner.common.github.WorkflowJob;
import dev.spotrunner.common.job.GitHubNames;
import dev.spotrunner.common.job.JobId;
import dev.spotrunner.common.job.JobMessage;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.common.log.Log;
import dev.spotrunner.runners.launch.LaunchRequest;
import dev.spotrunner.runners.launch.LaunchResult;
import dev.spotrunner.runners.launch.RunnerLauncher;
import dev.spotrunner.runners.launch.RunnerSlot;
import dev.spotrunner.runners.pool.PoolSettings;
import dev.spotrunner.runners.scaleup.JobExits.Reason;
import dev.spotrunner.runners.scaleup.JobExits.Return;
import dev.spotrunner.runners.scaleup.JobExits.Wait;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Turns a batch of queued messages into runners for one pool, in named steps:
 * {@link #sort sort} (dead-letter what cannot be served, merge the messages of one job),
 * {@link #withinBudget keep what GitHub's budget pays for} (the rest waits, before the lock),
 * {@link #serve serve} under the pool's launch lock ({@link #countPool count} the pool,
 * {@link #choose choose} the jobs that launch now — a job that has an instance is done, one over the
 * maximum {@link #waitForRoom waits for room}, one GitHub no longer reports queued is done, a
 * {@link #rescue rescue} scale-down asked for launches for the stranded job or the job it
 * displaced —, {@link #launch launch} them with one CreateFleet per owner, then
 * {@link #launchWarm launch warm} runners scale-down asked for in the room left). The only
 * function that launches: scale-down asks through the pool's queue.
 */
public final class ScaleUp {
  private static final Log log = Log.of(ScaleUp.class);

  /**
   * How the delivery id of a rescue request starts (scaledown.QueuedLaunches): scale-down's ask for
   * a job whose instance died, not a GitHub delivery; it keys the launch's own ClientToken.
   */
  public static final String RESCUE_DELIVERY_ID = "rescue-";

  /** What a runner's config costs GitHub's secondary limit: a POST (JIT config or token). */
  private static final int CONFIG_POINTS = RequestGovernor.cost("POST");
  /** What a look at a job costs: a GET. */
  private static final int LOOK_POINTS = RequestGovernor.cost("GET");

  private final ScaleUpSettings settings;
  private final PoolSettings pool;
  private final RunnerFleet fleet;
  private final GitHubRunners github;
  private final RunnerLauncher launcher;
  private final JobRechecks rechecks;
  private final JobReturns returns;
  private final LaunchLock lock;
  private final Consumer<String> metrics;
  private final Displacement displacement;
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
    this.displacement = new Displacement(github, pool);
    this.clock = clock;
  }

  /**
   * One job and every message of it in this batch (SQS may hand a message out twice);
   * {@code recheck} > 0 when one of them is scale-up's own look again at the job; {@code waited} the
   * times it was refused at the maximum before; {@code rescue} the delivery id of scale-down's
   * rescue request among them, else null.
   */
  private record QueuedJob(JobMessage job, RunnerOwner owner, int attempt, String rescue,
      List<String> messageIds, List<String> receipts, int recheck, int waited) {
    static QueuedJob of(QueuedMessage message, RunnerOwner owner) {
      return new QueuedJob(message.job(), owner, message.attempt(), message.rescue(),
          List.of(message.messageId()),
          message.receiptHandle() == null ? List.of() : List.of(message.receiptHandle()),
          message.recheck(), message.waited());
    }

    QueuedJob and(QueuedJob other) {
      return new QueuedJob(job, owner, Math.max(attempt, other.attempt),
          rescue != null ? rescue : other.rescue,
          concat(messageIds, other.messageIds), concat(receipts, other.receipts),
          Math.max(recheck, other.recheck), Math.max(waited, other.waited));
    }

    JobId id() {
      return job.jobId();
    }

    /**
     * A first look whose job a runner launched for {@code displaced} took: launches for that job
     * instead, with the same messages, keyed apart from that job's own launch.
     */
    QueuedJob displacedBy(JobMessage displaced, RunnerOwner displacedOwner) {
      return new QueuedJob(displaced, displacedOwner, attempt, "displaced-" + job.jobId(), messageIds,
          receipts, 0, waited);
    }

    /** The rescue launches for {@code displaced} instead, with the same messages. */
    QueuedJob launchingFor(JobMessage displaced, RunnerOwner displacedOwner) {
      return new QueuedJob(displaced, displacedOwner, attempt, rescue, messageIds, receipts, 0,
          waited);
    }

    boolean isRecheck() {
      return recheck > 0;
    }

    /**
     * What makes this launch distinct for the ClientToken: the receive count, after the recheck
     * and wait numbers; a rescue launches for a job launched before, so it needs its own token, or
     * EC2 hands back the instance spot took.
     */
    String attemptKey() {
      return (isRecheck() ? "r" + recheck + "." : "") + (waited > 0 ? "w" + waited + "." : "")
          + (rescue != null ? rescue + "." : "") + attempt;
    }
  }

  /** The batch's messages sorted: jobs by id (oldest first by receivedAt), and warm requests. */
  private record Sorted(Map<JobId, QueuedJob> jobs, List<WarmRequest> warm) {
    boolean isEmpty() {
      return jobs.isEmpty() && warm.isEmpty();
    }

    /** Oldest first, by the webhook's receivedAt, which a job keeps across its waits. */
    List<QueuedJob> oldestFirst() {
      return jobs.values().stream()
          .sorted(Comparator.comparing((QueuedJob j) -> j.job().receivedAt())).toList();
    }
  }

  /**
   * The pool as counted under the lock: its instances, the launches EC2 does not list yet, the
   * free slots, and the jobs with an instance (all, and those launched within a recheck delay).
   */
  private record PoolCount(List<RunnerInstance> instances, UnlistedLaunches unlisted, int free,
      Set<JobId> withInstance, Set<JobId> withRecentInstance) {
    /**
     * A recheck comes a full delay after its launch: an instance bound to the job since then was
     * launched for it again (a recheck before, or a rescue) and covers it.
     */
    boolean covers(QueuedJob job) {
      return (job.isRecheck() ? withRecentInstance : withInstance).contains(job.id());
    }

    Optional<RunnerInstance> instanceOf(JobId job, Predicate<RunnerInstance> filter) {
      return instances.stream().filter(i -> job.equals(JobId.parse(i.tag(Tags.JOB_ID))))
          .filter(filter).findFirst();
    }
  }

  /** A message scale-up will not serve: why, for the metric and the DLQ. */
  private record Problem(Reason reason, String detail) {}

  /** Exceptions from EC2 listing propagate: the handler then returns the whole batch. */
  public BatchOutcome run(List<QueuedMessage> messages) {
    Batch batch = new Batch();
    Sorted sorted = withinBudget(sort(messages, batch), batch);
    if (!sorted.isEmpty()) {
      Optional<LaunchLock.Held> held = acquire();
      if (held.isEmpty()) {
        // Another scale-up of the pool counts and launches now: come back after the next step.
        sorted.oldestFirst().forEach(
            job -> waitForRoom(job, Wait.LOCK_HELD, batch));
        sorted.warm().forEach(w -> log.info("warm request skipped, the pool's launch lock is held",
            entry("pool", pool.poolName()), entry("owner", w.owner())));
      } else {
        try (LaunchLock.Held lease = held.get()) {
          serve(sorted, lease, batch);
        }
      }
    }
    return batch.finish(messages.size());
  }

  /** Dead-letters what cannot be served; merges the messages of one job; sets warm requests apart. */
  private Sorted sort(List<QueuedMessage> messages, Batch batch) {
    Map<JobId, QueuedJob> jobs = new LinkedHashMap<>();
    List<WarmRequest> warm = new ArrayList<>();
    for (QueuedMessage message : messages) {
      Optional<Problem> problem = message.warm() != null ? Optional.empty() : problem(message);
      if (message.warm() != null) {
        warm.add(message.warm());
      } else if (problem.isPresent()) {
        deadLetter(List.of(message.messageId()), message.body(), problem.get(), batch);
      } else {
        JobMessage job = message.job();
        RunnerOwner owner = pool.level().ownerFor(job.owner(), job.repositoryName());
        jobs.merge(job.jobId(), QueuedJob.of(message, owner), QueuedJob::and);
      }
    }
    return new Sorted(jobs, warm);
  }

  /**
   * What this container's share of GitHub's budget pays for now, decided before the launch lock is
   * taken: per owner, oldest first, each job costs its look at GitHub (when it asks) and its
   * runner's config; from the first job the points left do not cover on, the owner's jobs wait
   * with the pool's backoff, as at the maximum. Warm requests keep what is left. Scale-up thus
   * never holds the lock while its calls wait for budget: its governor does not wait, and a call
   * it refuses all the same ({@link GitHubLimited}) sends the job back the same way.
   */
  private Sorted withinBudget(Sorted sorted, Batch batch) {
    Map<RunnerOwner, Integer> left = new HashMap<>();
    Set<RunnerOwner> spent = new HashSet<>();
    Map<JobId, QueuedJob> paid = new LinkedHashMap<>();
    for (QueuedJob job : sorted.oldestFirst()) {
      int points = left.computeIfAbsent(job.owner(),
          owner -> pointsLeft(owner, job.job().installationId()));
      int cost = cost(job);
      if (!spent.contains(job.owner()) && cost <= points) {
        paid.put(job.id(), job);
        left.put(job.owner(), points - cost);
      } else {
        if (spent.add(job.owner())) {
          log.info("github budget spent, jobs wait", entry("pool", pool.poolName()),
              entry("owner", job.owner()), entry("points_left", points),
              entry("points_needed", cost));
        }
        waitForRoom(job, Wait.BUDGET, batch);
      }
    }
    List<WarmRequest> warm = new ArrayList<>();
    for (WarmRequest request : sorted.warm()) {
      RunnerOwner owner = request.runnerOwner();
      int points = left.computeIfAbsent(owner, o -> pointsLeft(o, 0));
      int count = spent.contains(owner) ? 0 : Math.min(request.count(), points / CONFIG_POINTS);
      if (count == 0) {
        log.info("warm request skipped, github budget spent", entry("pool", pool.poolName()),
            entry("owner", request.owner()), entry("requested", request.count()),
            entry("points_left", points));
        continue;
      }
      left.put(owner, points - count * CONFIG_POINTS);
      warm.add(count == request.count() ? request
          : new WarmRequest(request.owner(), request.ownerType(), count, request.tick()));
    }
    return new Sorted(paid, warm);
  }

  /** The owner's points left in this container's window; when unknown, as many as asked. */
  private int pointsLeft(RunnerOwner owner, long installationId) {
    try {
      if (installationId > 0) {
        github.knownInstallation(owner, installationId);
      }
      return github.pointsLeft(owner);
    } catch (RuntimeException e) {
      // The calls themselves meet the failure and send their jobs back: no guess here.
      log.warn("github points left unknown", entry("pool", pool.poolName()),
          entry("owner", owner), entry("failure", Log.error(e).value()));
      return Integer.MAX_VALUE;
    }
  }

  /** The points serving the job may cost at GitHub: its look, when it asks, and its config. */
  private int cost(QueuedJob job) {
    boolean looks = job.rescue() != null || job.isRecheck() || asksOnFirstLook(job);
    return (looks ? LOOK_POINTS : 0) + CONFIG_POINTS;
  }

  private boolean asksOnFirstLook(QueuedJob queued) {
    return settings.jobQueuedCheck()
        && (settings.checkFirstReceive() || queued.attempt() > 1 || queued.waited() > 0);
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

  /** Counts the pool, chooses and launches; called with the pool's launch lock held. */
  private void serve(Sorted sorted, LaunchLock.Held lease, Batch batch) {
    Optional<PoolCount> counted = countPool(lease);
    if (counted.isEmpty()) {
      // Without the record the count may miss launches of seconds ago: nothing is launched.
      sorted.oldestFirst().forEach(
          job -> waitForRoom(job, Wait.LAUNCHES_UNREADABLE, batch));
      return;
    }
    PoolCount count = counted.get();
    List<QueuedJob> chosen = choose(sorted.oldestFirst(), count, batch);
    Map<RunnerOwner, List<QueuedJob>> byOwner = new LinkedHashMap<>();
    chosen.forEach(j -> byOwner.computeIfAbsent(j.owner(), o -> new ArrayList<>()).add(j));
    byOwner.forEach((owner, jobs) -> count.unlisted().launched(launch(owner, jobs, batch)));
    // Slots whose launch failed stay counted: their instances may exist until terminated.
    int room = batch.githubLimited ? 0 : count.free() - chosen.size();
    for (WarmRequest request : sorted.warm()) {
      List<InstanceId> launched = launchWarm(request, room);
      count.unlisted().launched(launched);
      room -= launched.size();
    }
    count.unlisted().save(lease);
  }

  /** The pool's instances and recent launches; empty when the launch record cannot be read. */
  private Optional<PoolCount> countPool(LaunchLock.Held lease) {
    List<RunnerInstance> instances = fleet.list(pool.poolTags());
    UnlistedLaunches unlisted;
    try {
      unlisted = UnlistedLaunches.read(lease, instances, fleet, clock);
    } catch (RuntimeException e) {
      log.warn("recent launches not read", entry("pool", pool.poolName()),
          entry("failure", Log.error(e).value()));
      return Optional.empty();
    }
    Instant recent = clock.instant().minus(settings.recheckDelay());
    Set<JobId> withInstance = jobsOf(instances, ScaleUp::stillItsJobs);
    Set<JobId> withRecentInstance = jobsOf(instances, i -> stillItsJobs(i)
        && i.launchTime() != null && i.launchTime().isAfter(recent));
    int free = Math.max(0, pool.maxRunners() - instances.size() - unlisted.count());
    return Optional.of(new PoolCount(instances, unlisted, free, withInstance, withRecentInstance));
  }

  /**
   * Whether an instance still stands for the job it was launched for: not once its runner took
   * another job (the job start's {@link Tags#RUNNING_JOB} names another) — that job lost its runner
   * and is asked again ({@link JobStarts}), which must launch, not find "an instance".
   */
  private static boolean stillItsJobs(RunnerInstance instance) {
    String running = instance.tag(Tags.RUNNING_JOB);
    return running == null || running.equals(instance.tag(Tags.JOB_ID));
  }

  private static Set<JobId> jobsOf(List<RunnerInstance> instances,
      Predicate<RunnerInstance> filter) {
    return instances.stream().filter(filter).map(i -> JobId.parse(i.tag(Tags.JOB_ID)))
        .filter(Objects::nonNull).collect(Collectors.toSet());
  }

  /**
   * The jobs that launch now, oldest first, at most the free slots: a job with an instance is
   * done; one beyond the free slots waits for room; every other is looked at (a recheck and a
   * rescue always ask GitHub, a job's first look as the settings say) and launches when it still
   * waits — a rescue possibly for the job its runner displaced.
   */
  private List<QueuedJob> choose(List<QueuedJob> jobs, PoolCount count, Batch batch) {
    List<QueuedJob> chosen = new ArrayList<>();
    Set<RunnerOwner> announced = new HashSet<>();
    for (QueuedJob job : jobs) {
      if (count.covers(job)) {
        log.info("job already has an instance", entry("job_id", job.id().value()),
            entry("delivery_id", job.job().deliveryId()), entry("pool", pool.poolName()));
        batch.alreadyLaunched++;
      } else if (chosen.size() >= count.free()) {
        waitForRoom(job, Wait.AT_MAXIMUM, batch);
      } else if (batch.githubLimited) {
        waitForRoom(job, Wait.BUDGET, batch);
      } else {
        if (announced.add(job.owner()) && job.job().installationId() > 0) {
          github.knownInstallation(job.owner(), job.job().installationId());
        }
        if (job.rescue() != null) {
          rescue(job, count, batch).filter(r -> !ids(chosen).contains(r.id()))
              .ifPresent(chosen::add);
        } else if (job.isRecheck()) {
          if (recheckSaysLaunch(job, count, batch)) {
            chosen.add(job);
          }
        } else {
          firstLook(job, count, batch).filter(j -> !ids(chosen).contains(j.id()))
              .ifPresent(chosen::add);
        }
      }
    }
    if (batch.githubLimited) {
      // GitHub refused a look: the configs of the chosen jobs would be refused the same way,
      // after their instances started. They wait like the rest.
      chosen.forEach(job -> waitForRoom(job, Wait.BUDGET, batch));
      return List.of();
    }
    return chosen;
  }

  private static Set<JobId> ids(List<QueuedJob> jobs) {
    return jobs.stream().map(QueuedJob::id).collect(Collectors.toSet());
  }

  /**
   * A rescue always asks GitHub: the stranded job launches when it still waits; when a runner took
   * it, the job that runner was launched for may be the one left waiting ({@link Displacement}).
   * Otherwise the rescue is done; when GitHub fails it is left to scale-down, which asks again
   * every cycle while EC2 lists the interrupted instance.
   */
  private Optional<QueuedJob> rescue(QueuedJob rescue, PoolCount count, Batch batch) {
    JobMessage job = rescue.job();
    try {
      Optional<WorkflowJob> found = github.job(job.repositoryOwner(), job.jobId());
      if (found.isPresent() && found.get().queued()) {
        log.info("stranded job still waits, rescuing", entry("job_id", job.jobId().value()),
            entry("pool", pool.poolName()));
        return Optional.of(rescue);
      }
      Optional<JobMessage> displaced = found.isEmpty() ? Optional.empty()
          : displacement.follow(found.get(), job, count.instances());
      if (displaced.isPresent()) {
        JobMessage other = displaced.get();
        return Optional.of(rescue.launchingFor(other,
            pool.level().ownerFor(other.owner(), other.repositoryName())));
      }
      log.info("stranded job no longer waits, rescue done", entry("job_id", job.jobId().value()),
          entry("status", found.map(WorkflowJob::status).orElse("not found")));
      batch.notQueued++;
    } catch (RuntimeException e) {
      batch.githubLimited |= e instanceof GitHubLimited;
      log.warn("rescue not checked, left to scale-down's next ask",
          entry("job_id", job.jobId().value()), entry("failure", Log.error(e).value()));
    }
    return Optional.empty();
  }

  /**
   * A recheck launches again only when the job's machine is not still booting and GitHub says the
   * job still waits; otherwise it is done, looks again later, or goes back to the queue.
   */
  private boolean recheckSaysLaunch(QueuedJob job, PoolCount count, Batch batch) {
    Optional<RunnerInstance> booting =
        count.instanceOf(job.id(), i -> launcher.stillBooting(i.id()));
    if (booting.isPresent()) {
      // Its machine has not taken its config yet: the runner is still coming. Look again later
      // (scale-down removes a machine that never comes up, then this recheck goes on).
      if (lookAgainLater(job, booting.get())) {
        batch.alreadyLaunched++;
      } else {
        batch.retry(job, Return.RECHECK_NOT_SENT);
      }
      return false;
    }
    Look look = stillWaitsOnRecheck(job);
    switch (look) {
      case UNKNOWN -> batch.retry(job, Return.CHECK_FAILED);
      case LIMITED -> limited(job, batch);
      case GONE -> batch.notQueued++;
      case WAITS -> {
        return true;
      }
    }
    return false;
  }

  /**
   * A job's first look launches for it unless GitHub says it no longer waits or the check failed
   * here. When a runner of ours took it, that runner's instance was launched for another job, and
   * that job still waits with no other instance, the launch goes to that job instead
   * ({@link Displacement}): GitHub gave this job to the first idle runner that fit, and without
   * this the job left behind would wait for its recheck (minutes).
   */
  private Optional<QueuedJob> firstLook(QueuedJob job, PoolCount count, Batch batch) {
    Seen seen = stillWaits(job, batch);
    switch (seen.look()) {
      case UNKNOWN -> batch.retry(job, Return.CHECK_FAILED);
      case LIMITED -> limited(job, batch);
      case GONE -> {
        Optional<QueuedJob> displaced = displaced(job, seen.job(), count);
        if (displaced.isPresent()) {
          return displaced;
        }
        batch.notQueued++;
        batch.exits.dropped(Reason.NOT_QUEUED);
      }
      case WAITS -> {
        return Optional.of(job);
      }
    }
    return Optional.empty();
  }

  /**
   * The job {@code taken}'s runner was launched for, when it still waits, as a launch with this
   * message (its own ClientToken: the job's first one would hand back the instance that runner is
   * on). Costs a GET per hop; GitHub failing or the budget spent means no launch here: the job left
   * behind keeps its recheck.
   */
  private Optional<QueuedJob> displaced(QueuedJob job, Optional<WorkflowJob> taken, PoolCount count) {
    if (taken.isEmpty() || taken.get().runnerName() == null) {
      return Optional.empty();
    }
    try {
      return displacement.follow(taken.get(), job.job(), count.instances()).map(other ->
          job.displacedBy(other, pool.level().ownerFor(other.owner(), other.repositoryName())));
    } catch (RuntimeException e) {
      log.info("job taken by a runner launched for another job, not followed now",
          entry("job_id", job.id().value()), entry("failure", Log.error(e).value()));
      return Optional.empty();
    }
  }

  /** What a look at GitHub said about a job, and the job as GitHub answered (when it did). */
  private record Seen(Look look, Optional<WorkflowJob> job) {
    static Seen of(Look look) {
      return new Seen(look, Optional.empty());
    }
  }

  /**
   * GitHub's budget refused the look at the job (this container's share spent, or a block GitHub
   * named): no launch on a guess, the job waits with the pool's backoff, and so do the jobs after
   * it in this batch.
   */
  private void limited(QueuedJob job, Batch batch) {
    batch.githubLimited = true;
    waitForRoom(job, Wait.BUDGET, batch);
  }

  /** What a look at GitHub said about a job. */
  private enum Look {
    /** The job still waits for a runner. */
    WAITS,
    /** The job no longer waits (taken, finished, cancelled, unknown to GitHub). */
    GONE,
    /** No answer that says either, for a reason of ours: back to the queue by its visibility. */
    UNKNOWN,
    /** GitHub's budget refused the look: back to the queue after the pool's backoff. */
    LIMITED
  }

  /**
   * The job comes back after the pool's backoff as a new message carrying its wait count and its
   * first receivedAt; this message is deleted only because the new one was sent. When SQS refuses
   * the new message, this one stays, made visible again after the same backoff (its receive count
   * grows, and a job that reaches the DLQ that way is redriven while GitHub says it waits).
   */
  private void waitForRoom(QueuedJob queued, Wait reason, Batch batch) {
    String why = reason.why();
    JobMessage job = queued.job();
    if (queued.rescue() != null) {
      // Scale-down asks again every cycle while EC2 lists the interrupted instance: a rescue sent
      // back here as well would add one waiting copy per cycle while the pool stays full.
      log.info(why + ", rescue left to scale-down's next ask",
          entry("job_id", job.jobId().value()), entry("pool", pool.poolName()),
          entry("max", pool.maxRunners()));
      return;
    }
    int wait = queued.waited() + 1;
    Duration delay = settings.backoff().delay(wait, clock.instant(), pool.poolName());
    if (!queued.isRecheck()) {
      try {
        returns.later(job, wait, delay);
        log.info(why + ", job waits", entry("job_id", job.jobId().value()),
            entry("delivery_id", job.deliveryId()), entry("pool", pool.poolName()),
            entry("max", pool.maxRunners()), entry("wait", wait),
            entry("back_in_seconds", delay.toSeconds()));
        batch.waiting(reason);
        return;
      } catch (RuntimeException e) {
        log.warn(why + ", job not re-sent, back by its visibility",
            entry("job_id", job.jobId().value()), entry("failure", Log.error(e).value()));
      }
    } else {
      // A recheck waits as a new recheck message, like a job: holding its own message would count
      // receives until SQS dead-letters it after maxReceiveCount holds.
      try {
        rechecks.schedule(job, queued.recheck(), delay);
        log.info(why + ", recheck waits", entry("job_id", job.jobId().value()),
            entry("pool", pool.poolName()), entry("recheck", queued.recheck()),
            entry("back_in_seconds", delay.toSeconds()));
        batch.waiting(reason);
        return;
      } catch (RuntimeException e) {
        log.warn(why + ", recheck not re-sent, back by its visibility",
            entry("job_id", job.jobId().value()), entry("failure", Log.error(e).value()));
      }
    }
    // Only when SQS refused the new message: this one comes back after the backoff instead.
    for (String receipt : queued.receipts()) {
      try {
        returns.hold(receipt, delay);
      } catch (RuntimeException e) {
        log.warn("visibility not changed, back after the queue's timeout",
            entry("job_id", job.jobId().value()), entry("failure", Log.error(e).value()));
      }
    }
    batch.retry(queued, Return.RESEND_FAILED);
  }

  /** Warm runners in the room left; returns those launched. The request is consumed anyway. */
  private List<InstanceId> launchWarm(WarmRequest warm, int room) {
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

  /** Launches for one owner's jobs with one CreateFleet; returns the instances launched. */
  private List<InstanceId> launch(RunnerOwner owner, List<QueuedJob> jobs, Batch batch) {
    List<RunnerSlot> slots =
        jobs.stream().map(j -> RunnerSlot.forJob(j.id(), j.job().repository())).toList();
    String attempts = jobs.stream().map(QueuedJob::attemptKey).collect(Collectors.joining(","));
    Map<JobId, QueuedJob> byJob = new LinkedHashMap<>();
    jobs.forEach(j -> byJob.put(j.id(), j));

    LaunchResult result = launcher.launch(
        new LaunchRequest(owner, jobs.get(0).job().ownerType(), slots, attempts));
    for (LaunchResult.Launched launched : result.launched()) {
      QueuedJob job = byJob.get(launched.slot().jobId());
      log.info("runner launched", entry("job_id", job.id().value()),
          entry("delivery_id", job.job().deliveryId()), entry("instance_id", launched.instance()),
          entry("runner_name", launched.runnerName()),
          entry("capacity_type", launched.capacityType().ec2Value()),
          entry("recheck", job.recheck()), entry("wait", job.waited()));
      batch.launched++;
      batch.exits.launched(launched.capacityType().ec2Value(), launched.placement().instanceType(),
          launched.placement().zone());
      scheduleRecheck(job);
    }
    for (LaunchResult.Failed failed : result.failed()) {
      QueuedJob job = byJob.get(failed.slot().jobId());
      batch.exits.launchFailed(failed.errorCode());
      if (failed.retryable()) {
        // No capacity anywhere or a failed step: back after the same short, growing backoff as a
        // job at the maximum, as a new message — never after the queue's visibility timeout, and
        // never to the DLQ by receive count while GitHub says the job waits.
        log.warn("launch failed", entry("job_id", job.id().value()),
            entry("delivery_id", job.job().deliveryId()), entry("reason", failed.reason()),
            entry("error_code", failed.errorCode()));
        waitForRoom(job, Wait.LAUNCH_FAILED, batch);
      } else {
        // A permanent failure of a step is no verdict on the job: it goes to the DLQ with the
        // reason, where the redrive brings it back once the cause is fixed.
        deadLetter(job.messageIds(), job.job().toJson(),
            new Problem(Reason.LAUNCH_FAILED, failed.reason()), batch);
      }
    }
    return result.launched().stream().map(LaunchResult.Launched::instance).toList();
  }

  /** To the DLQ with the reason; when SQS refuses, the message stays in the batch failures. */
  private void deadLetter(List<String> messageIds, String body, Problem problem, Batch batch) {
    String reason = problem.reason().dimension() + ": " + problem.detail();
    try {
      returns.deadLetter(body, reason);
      log.error("message dead-lettered", entry("message_ids", messageIds),
          entry("reason", reason), entry("pool", pool.poolName()));
      batch.deadLettered++;
      batch.exits.dropped(problem.reason());
      batch.exits.deadLettered();
    } catch (RuntimeException e) {
      log.error("message not dead-lettered, back to the queue", entry("message_ids", messageIds),
          entry("reason", reason), entry("failure", Log.error(e).value()));
      batch.retry(messageIds, Return.DEAD_LETTER_FAILED);
    }
  }

  /**
   * Asks for another look at the job after the recheck delay: GitHub gives a queued job to any idle
   * runner whose labels fit, and an instance can die before its runner takes a job, so the runner
   * launched for this job may never run it. A failure to schedule is logged, never retried: the
   * job has its instance.
   */
  private void scheduleRecheck(QueuedJob job) {
    int next = job.recheck() + 1;
    if (!settings.rechecks()) {
      return;
    }
    // Bounded by the job's age, not by a count: the runners launched for a job can all be taken by
    // older jobs of its run, and it then needs another look for as long as it waits. Each recheck
    // costs one GET (1 point); one that finds the job still queued launches again (5 more).
    Instant giveUp = job.job().receivedAt().plus(settings.recheckMaxAge());
    if (!clock.instant().plus(settings.recheckDelay()).isBefore(giveUp)) {
      log.info("job too old for another recheck", entry("job_id", job.id().value()),
          entry("recheck", next), entry("received_at", job.job().receivedAt()),
          entry("max_age_minutes", settings.recheckMaxAge().toMinutes()));
      return;
    }
    try {
      rechecks.schedule(job.job(), next, settings.recheckDelay());
    } catch (RuntimeException e) {
      log.warn("recheck not scheduled", entry("job_id", job.id().value()),
          entry("recheck", next), entry("failure", Log.error(e).value()));
    }
  }

  /** The same recheck once more, a delay later; false when it could not be sent. */
  private boolean lookAgainLater(QueuedJob job, RunnerInstance booting) {
    try {
      rechecks.schedule(job.job(), job.recheck(), settings.recheckDelay());
      log.info("job's instance still boots, recheck later", entry("job_id", job.id().value()),
          entry("instance_id", booting.id()), entry("recheck", job.recheck()));
      return true;
    } catch (RuntimeException e) {
      log.warn("recheck not rescheduled, back to the queue", entry("job_id", job.id().value()),
          entry("failure", Log.error(e).value()));
      return false;
    }
  }

  /**
   * A recheck always asks GitHub: present and true when the job still waits; empty when GitHub
   * failed, so the recheck goes back to the queue rather than launch on a guess.
   */
  private Look stillWaitsOnRecheck(QueuedJob queued) {
    JobMessage job = queued.job();
    try {
      Optional<WorkflowJob> found = github.job(job.repositoryOwner(), job.jobId());
      boolean waits = found.isPresent() && found.get().queued();
      log.info(waits ? "job still waits on recheck, launching again" : "job taken, recheck done",
          entry("job_id", job.jobId().value()), entry("recheck", queued.recheck()),
          entry("status", found.map(WorkflowJob::status).orElse("not found")));
      return waits ? Look.WAITS : Look.GONE;
    } catch (GitHubLimited e) {
      log.warn("recheck limited by github's budget", entry("job_id", job.jobId().value()),
          entry("failure", Log.error(e).value()));
      return Look.LIMITED;
    } catch (RuntimeException e) {
      log.warn("recheck failed, back to the queue", entry("job_id", job.jobId().value()),
          entry("failure", Log.error(e).value()));
      return Look.UNKNOWN;
    }
  }

  /**
   * WAITS unless GitHub says the job no longer waits. GitHub's budget refusing the look
   * ({@link GitHubLimited}: this container's share spent, or a block GitHub named) is LIMITED: its
   * config would be refused the same way, so the job waits rather than launch. GitHub or the
   * network failing otherwise for now ({@link TransientFailure}) launches anyway; any other
   * failure is ours or permanent and no evidence that the job waits: UNKNOWN, the job goes back to
   * the queue.
   */
  private Seen stillWaits(QueuedJob queued, Batch batch) {
    JobMessage job = queued.job();
    // The per-pool switch: a job's first receive may skip the GET (5 points a JIT runner, not 6),
    // at the price of instances for jobs cancelled during the queue delay.
    if (!asksOnFirstLook(queued)) {
      return Seen.of(Look.WAITS);
    }
    try {
      Optional<WorkflowJob> found = github.job(job.repositoryOwner(), job.jobId());
      if (found.isPresent() && found.get().queued()) {
        return new Seen(Look.WAITS, found);
      }
      log.info("job no longer queued", entry("job_id", job.jobId().value()),
          entry("delivery_id", job.deliveryId()),
          entry("status", found.map(WorkflowJob::status).orElse("not found")),
          entry("runner_name", found.map(WorkflowJob::runnerName).orElse(null)));
      return new Seen(Look.GONE, found);
    } catch (GitHubLimited e) {
      log.warn("job check limited by github's budget", entry("job_id", job.jobId().value()),
          entry("delivery_id", job.deliveryId()), entry("failure", Log.error(e).value()));
      return Seen.of(Look.LIMITED);
    } catch (TransientFailure e) {
      log.warn("job check failed, launching anyway", entry("job_id", job.jobId().value()),
          entry("delivery_id", job.deliveryId()), entry("failure", Log.error(e).value()));
      batch.checkFailed++;
      return Seen.of(Look.WAITS);
    } catch (RuntimeException e) {
      log.error("job check failed here, not at GitHub: back to the queue",
          entry("job_id", job.jobId().value()), entry("delivery_id", job.deliveryId()),
          entry("failure", Log.error(e).value()));
      return Seen.of(Look.UNKNOWN);
    }
  }

  private Optional<Problem> problem(QueuedMessage message) {
    if (message.malformed() != null) {
      return Optional.of(new Problem(Reason.MALFORMED, message.malformed()));
    }
    JobMessage job = message.job();
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

  /** What the batch came to so far: the counts, the job exits, the messages to retry. */
  private final class Batch {
    final JobExits exits = new JobExits();
    final List<String> retry = new ArrayList<>();
    int launched;
    int alreadyLaunched;
    int notQueued;
    int deadLettered;
    int checkFailed;
    int retried;
    int waiting;
    /** GitHub's budget refused a call: nothing more is asked of GitHub in this batch. */
    boolean githubLimited;

    /** The job's messages stay in the batch failures: SQS hands them out again. */
    void retry(QueuedJob job, Return reason) {
      retry(job.messageIds(), reason);
    }

    void retry(List<String> messageIds, Return reason) {
      retry.addAll(messageIds);
      retried++;
      exits.returned(reason);
    }

    void waiting(Wait reason) {
      waiting++;
      exits.waiting(reason);
    }

    BatchOutcome finish(int received) {
      BatchOutcome outcome = new BatchOutcome(retry, launched, alreadyLaunched, notQueued,
          deadLettered, checkFailed, waiting);
      exits.received(received);
      exits.flush(pool.poolName(), clock, metrics);
      log.info("batch done", entry("pool", pool.poolName()), entry("messages", received),
          entry("launched", launched), entry("already_launched", alreadyLaunched),
          entry("not_queued", notQueued), entry("dead_lettered", deadLettered),
          entry("waiting", waiting), entry("retried", retry.size()),
          entry("job_check_failed", checkFailed));
      return outcome;
    }
  }
}
