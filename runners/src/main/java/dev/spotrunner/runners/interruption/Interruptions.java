package dev.spotrunner.runners.interruption;

import static dev.spotrunner.common.log.Log.entry;

import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.github.DeleteResult;
import dev.spotrunner.common.github.GitHubRunner;
import dev.spotrunner.common.github.GitHubRunners;
import dev.spotrunner.common.github.Sleeper;
import dev.spotrunner.common.job.JobId;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.common.log.Log;
import dev.spotrunner.common.parameters.Parameters;
import dev.spotrunner.runners.breaker.BreakerKeys;
import dev.spotrunner.runners.breaker.BreakerState;
import dev.spotrunner.runners.breaker.BreakerStore;
import dev.spotrunner.runners.breaker.SpotBreaker;
import dev.spotrunner.runners.interruption.InterruptionMetrics.Count;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What the interruption function does with one EC2 event about one of our instances (docs/
 * interruptions.md). A spot warning: the pool's breakers count it, an idle runner is deregistered at
 * once so GitHub gives it no job in its last two minutes, a busy one is left alone (GitHub refuses to
 * delete it, and the job must finish or fail on its own) and its job recorded as interrupted. A
 * rebalance recommendation: an idle runner is deregistered and its instance terminated. A
 * termination: the runner left behind is removed in seconds instead of at the next scale-down, and
 * interrupted jobs are followed up. Instances of another environment or application are never touched.
 */
public final class Interruptions {
  private static final Log log = Log.of(Interruptions.class);
  /** Tag put on an instance whose runner was busy when spot took it: the warning's time. */
  public static final String INTERRUPTED_TAG = "spotrunner:interrupted";
  static final String APPLICATION = "spotrunner";

  /** What became of one event. */
  public enum Outcome {
    NOT_OURS, NO_RUNNER, IDLE_DEREGISTERED, BUSY_RECORDED, BUSY_LEFT, GHOST_REMOVED,
    DEREGISTRATION_FAILED, FOLLOWED_UP, IGNORED
  }

  private final InterruptionSettings settings;
  private final Instances instances;
  private final GitHubRunners github;
  private final Parameters parameters;
  private final BreakerStore breakers;
  private final Reruns reruns;
  private final InterruptionMetrics metrics;
  private final Clock clock;
  private final Sleeper sleeper;
  /**
   * How often, and how far apart, a busy runner's instance without any job tag is described again
   * at the warning: scale-up writes the job-id tag last, after the config a machine may already have
   * read, and the job start comes a moment after the job started.
   */
  static final int UNTAGGED_LOOKS = 10;
  static final Duration UNTAGGED_PAUSE = Duration.ofMillis(500);

  public Interruptions(InterruptionSettings settings, Instances instances, GitHubRunners github,
      Parameters parameters, Reruns reruns, InterruptionMetrics metrics, Clock clock) {
    this(settings, instances, github, parameters, reruns, metrics, clock, Sleeper.REAL);
  }

  public Interruptions(InterruptionSettings settings, Instances instances, GitHubRunners github,
      Parameters parameters, Reruns reruns, InterruptionMetrics metrics, Clock clock,
      Sleeper sleeper) {
    this.sleeper = sleeper;
    this.settings = settings;
    this.instances = instances;
    this.github = github;
    this.parameters = parameters;
    this.breakers = new BreakerStore(parameters);
    this.reruns = reruns;
    this.metrics = metrics;
    this.clock = clock;
  }

  public Outcome handle(Ec2Event event) {
    return switch (event.kind()) {
      case SCHEDULE -> followUp();
      case OTHER -> Outcome.IGNORED;
      case STATE_CHANGE -> event.terminated() ? onInstance(event) : Outcome.IGNORED;
      case SPOT_WARNING, REBALANCE -> onInstance(event);
    };
  }

  private Outcome onInstance(Ec2Event event) {
    Optional<InstanceFacts> found = instances.describe(event.instance());
    if (found.isEmpty() || !ours(found.get())) {
      // EventBridge cannot filter by tag: every instance of the account and region arrives here
      log.debug("event about an instance that is not ours", entry("instance_id", event.instance()),
          entry("event", event.kind()));
      return Outcome.NOT_OURS;
    }
    InstanceFacts instance = found.get();
    return switch (event.kind()) {
      case SPOT_WARNING -> warning(instance, event);
      case REBALANCE -> rebalance(instance);
      default -> terminated(instance);
    };
  }

  private boolean ours(InstanceFacts instance) {
    return settings.environment().equals(instance.tag(Tags.ENVIRONMENT))
        && APPLICATION.equals(instance.tag(Tags.APPLICATION))
        && instance.tag(Tags.POOL) != null && instance.tag(Tags.OWNER) != null;
  }

  private Outcome warning(InstanceFacts instance, Ec2Event event) {
    String pool = instance.tag(Tags.POOL);
    log.warn("spot interruption warning", entry("pool", pool), entry("instance_id", instance.id()),
        entry("instance_type", instance.instanceType()), entry("az", instance.availabilityZone()),
        entry("job_id", Optional.ofNullable(JobId.parse(instance.tag(Tags.JOB_ID)))
            .map(JobId::value).orElse(null)));
    // the runner first: its two minutes run; the count after, so a retried event counts once
    Outcome outcome = runnerAtWarning(lookAgainWhile(instance, Interruptions::noRunnerTag), event);
    metrics.spotInterruption(pool, instance.instanceType(), instance.availabilityZone());
    countInBreakers(pool, instance, event);
    return outcome;
  }

  private Outcome runnerAtWarning(InstanceFacts instance, Ec2Event event) {
    String pool = instance.tag(Tags.POOL);
    RunnerOwner owner = RunnerOwner.parse(instance.tag(Tags.OWNER));
    Optional<GitHubRunner> runner = runner(owner, instance);
    if (runner.isEmpty()) {
      // not registered yet (still booting) or gone already: GitHub can give it no job
      return Outcome.NO_RUNNER;
    }
    if (!runner.get().busy()) {
      DeleteResult result = github.deleteRunner(owner, runner.get().id());
      switch (result) {
        case DELETED, NOT_FOUND -> {
          metrics.count(Count.IDLE_RUNNERS_DEREGISTERED, pool, instance.id().value());
          log.info("idle runner deregistered before spot takes its instance", entry("pool", pool),
              entry("instance_id", instance.id()), entry("runner_id", runner.get().id()));
          return Outcome.IDLE_DEREGISTERED;
        }
        case BUSY -> { } // it took a job since we looked: a busy runner, below
        case FAILED -> {
          log.warn("idle runner not deregistered, scale-down will", entry("pool", pool),
              entry("instance_id", instance.id()), entry("runner_id", runner.get().id()));
          return Outcome.DEREGISTRATION_FAILED;
        }
      }
    }
    return busy(instance, runner.get(), event);
  }

  /** Never deregistered: the job keeps running to the end it gets; it may be re-run afterwards. */
  private Outcome busy(InstanceFacts instance, GitHubRunner runner, Ec2Event event) {
    String pool = instance.tag(Tags.POOL);
    instances.tag(instance.id(), Map.of(INTERRUPTED_TAG, event.time().toString()));
    metrics.count(Count.INTERRUPTED_JOBS, pool, instance.id().value());
    // the job its runner took (the webhook's job start, tagged by scale-up), else the job it was
    // launched for; when the start is tagged after this, the follow-up corrects the record (Reruns)
    boolean rerun = settings.rules(pool).rerun();
    InstanceFacts tagged = rerun ? lookAgainWhile(instance, i -> jobOf(i) == null) : instance;
    JobId running = JobId.parse(tagged.tag(Tags.RUNNING_JOB));
    JobId job = jobOf(tagged);
    String repository = running != null ? tagged.tag(Tags.RUNNING_REPOSITORY)
        : tagged.tag(Tags.REPOSITORY);
    boolean follow = rerun && job != null && repository != null;
    if (follow) {
      InterruptedJob interrupted = new InterruptedJob(pool, repository, job,
          runner.name(), instance.id(), event.time());
      parameters.putSecure(InterruptedJob.parameter(settings.environment(), pool,
          interrupted.jobId()), interrupted.toJson());
    }
    log.warn("busy runner's instance is being taken by spot", entry("pool", pool),
        entry("instance_id", instance.id()), entry("runner_id", runner.id()),
        entry("job_id", job), entry("rerun_followed", follow));
    return follow ? Outcome.BUSY_RECORDED : Outcome.BUSY_LEFT;
  }

  /**
   * The instance as EC2 describes it once {@code untagged} no longer holds, looked at again up to
   * {@link #UNTAGGED_LOOKS} times {@link #UNTAGGED_PAUSE} apart: scale-up tags a new instance in
   * the second after CreateFleet (runner name and id, then the job last), and a machine may have
   * booted and taken a job by then (the local stack boots at once).
   */
  private InstanceFacts lookAgainWhile(InstanceFacts instance, Predicate<InstanceFacts> untagged) {
    InstanceFacts current = instance;
    for (int look = 1; untagged.test(current) && look <= UNTAGGED_LOOKS; look++) {
      try {
        sleeper.sleep(UNTAGGED_PAUSE);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      current = instances.describe(instance.id()).orElse(current);
    }
    return current;
  }

  private static boolean noRunnerTag(InstanceFacts instance) {
    return instance.tag(Tags.RUNNER_ID) == null && instance.tag(Tags.RUNNER_NAME) == null;
  }

  /** The job the runner took when its start is tagged, else the job the instance was launched for. */
  private static JobId jobOf(InstanceFacts instance) {
    JobId running = JobId.parse(instance.tag(Tags.RUNNING_JOB));
    return running != null ? running : JobId.parse(instance.tag(Tags.JOB_ID));
  }

  private Outcome rebalance(InstanceFacts instance) {
    String pool = instance.tag(Tags.POOL);
    RunnerOwner owner = RunnerOwner.parse(instance.tag(Tags.OWNER));
    Optional<GitHubRunner> runner = runner(owner, instance);
    if (runner.isEmpty() || runner.get().busy()) {
      log.info("rebalance recommendation, runner kept", entry("pool", pool),
          entry("instance_id", instance.id()), entry("busy", runner.map(GitHubRunner::busy)));
      return runner.isEmpty() ? Outcome.NO_RUNNER : Outcome.BUSY_LEFT;
    }
    DeleteResult result = github.deleteRunner(owner, runner.get().id());
    if (result != DeleteResult.DELETED && result != DeleteResult.NOT_FOUND) {
      return result == DeleteResult.BUSY ? Outcome.BUSY_LEFT : Outcome.DEREGISTRATION_FAILED;
    }
    // deregistered first, terminated second (invariant 4); scale-up launches a fresh one on demand
    instances.terminate(instance.id());
    metrics.count(Count.IDLE_RUNNERS_DEREGISTERED, pool, instance.id().value());
    log.info("idle runner at risk retired", entry("pool", pool),
        entry("instance_id", instance.id()), entry("runner_id", runner.get().id()));
    return Outcome.IDLE_DEREGISTERED;
  }

  private Outcome terminated(InstanceFacts instance) {
    String pool = instance.tag(Tags.POOL);
    RunnerOwner owner = RunnerOwner.parse(instance.tag(Tags.OWNER));
    Outcome outcome = Outcome.NO_RUNNER;
    Optional<GitHubRunner> runner = runner(owner, instance);
    if (runner.isPresent()) {
      DeleteResult result = github.deleteRunner(owner, runner.get().id());
      if (result == DeleteResult.DELETED || result == DeleteResult.NOT_FOUND) {
        metrics.count(Count.GHOSTS_REMOVED, pool, instance.id().value());
        log.info("runner of a terminated instance removed", entry("pool", pool),
            entry("instance_id", instance.id()), entry("runner_id", runner.get().id()));
        outcome = Outcome.GHOST_REMOVED;
      } else {
        // GitHub still has it busy until it notices the machine is gone: scale-down retries
        log.info("runner of a terminated instance kept for now", entry("pool", pool),
            entry("instance_id", instance.id()), entry("result", result));
        outcome = Outcome.DEREGISTRATION_FAILED;
      }
    }
    if (instance.tag(INTERRUPTED_TAG) != null) {
      reruns.run();
    }
    return outcome;
  }

  private Outcome followUp() {
    for (String pool : settings.pools().keySet()) {
      settleBreakers(pool);
    }
    reruns.run();
    return Outcome.FOLLOWED_UP;
  }

  /** By runner id when the instance was tagged with one (JIT), else by name (1 GET either way). */
  private Optional<GitHubRunner> runner(RunnerOwner owner, InstanceFacts instance) {
    String id = instance.tag(Tags.RUNNER_ID);
    if (id != null) {
      return github.getRunner(owner, Long.parseLong(id));
    }
    String name = instance.tag(Tags.RUNNER_NAME);
    return name == null ? Optional.empty() : github.runnerNamed(owner, name);
  }

  private void countInBreakers(String pool, InstanceFacts instance, Ec2Event event) {
    SpotBreaker breaker = new SpotBreaker(settings.rules(pool).breaker());
    BreakerState state = breakers.readForUpdate(settings.environment(), pool);
    SpotBreaker.Result result = breaker.record(state,
        BreakerKeys.instanceType(instance.instanceType()), event.time());
    if (instance.subnetId() != null) {
      SpotBreaker.Result bySubnet = breaker.record(result.state(),
          BreakerKeys.subnet(instance.subnetId()), event.time());
      List<SpotBreaker.Change> changes = new ArrayList<>(result.changes());
      changes.addAll(bySubnet.changes());
      result = new SpotBreaker.Result(bySubnet.state(), changes);
    }
    save(pool, state, result);
  }

  private void settleBreakers(String pool) {
    BreakerState state = breakers.readForUpdate(settings.environment(), pool);
    SpotBreaker.Result result = new SpotBreaker(settings.rules(pool).breaker())
        .settle(state, clock.instant());
    save(pool, state, result);
  }

  private void save(String pool, BreakerState before, SpotBreaker.Result result) {
    if (!result.state().equals(before)) {
      breakers.write(settings.environment(), pool, result.state());
    }
    for (SpotBreaker.Change change : result.changes()) {
      metrics.breaker(pool, change);
      log.warn(switch (change.to()) {
        case OPEN -> "spot breaker opened, market left out";
        case HALF_OPEN -> "spot breaker half-open, probing the market";
        case CLOSED -> "spot breaker closed";
      }, entry("pool", pool), entry("breaker", change.key()), entry("from", change.from()),
          entry("interruptions", change.interruptions()));
    }
  }
}
