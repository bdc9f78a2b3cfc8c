package dev.spotrunner.runners.launch;

import static dev.spotrunner.common.log.Log.entry;

import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.common.aws.AwsFailures;
import dev.spotrunner.common.fleet.CapacityType;
import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.LaunchOutcome;
import dev.spotrunner.common.fleet.LaunchSpec;
import dev.spotrunner.common.fleet.RunnerFleet;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.github.GitHubRunners;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.common.log.Log;
import dev.spotrunner.common.parameters.Parameters;
import dev.spotrunner.common.parameters.SsmParameters;
import dev.spotrunner.runners.breaker.BreakerState;
import dev.spotrunner.runners.breaker.BreakerStore;
import dev.spotrunner.runners.breaker.SpotChoice;
import dev.spotrunner.runners.launch.LaunchResult.Failed;
import dev.spotrunner.runners.launch.LaunchResult.Launched;
import dev.spotrunner.runners.pool.PoolSettings;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Launches runners for one pool and owner: one CreateFleet for every slot (spot by default, the
 * shortfall at once on-demand when spot has no capacity), then per instance a runner config stored
 * in SSM and the instance's tags. An instance whose config could not be made or stored is
 * terminated and its slot reported as failed: no instance runs without a config. Shared by
 * scale-up (slots bound to jobs) and scale-down (warm runners).
 *
 * <p>A failed slot is always retryable: every failure here is a failed step (GitHub, EC2 or SSM
 * refusing or failing one request), never news that the job cannot be served. Only GitHub saying
 * the job no longer waits ends a job without an instance, and that is the caller's check. A step
 * that keeps failing brings the message to its DLQ with the reason, where it can be redriven.
 */
public final class RunnerLauncher {
  private static final Log log = Log.of(RunnerLauncher.class);
  static final String APPLICATION = "spotrunner";
  /** The error code of a fleet that launched fewer instances than asked and named no error. */
  static final String FEWER_INSTANCES = "FleetLaunchedFewer";

  private final PoolSettings pool;
  private final RunnerFleet fleet;
  private final GitHubRunners github;
  private final Parameters parameters;
  private final RunnerConfigs configs;
  private final ExecutorService executor;
  private final Clock clock;
  private final BreakerStore breakers;
  private volatile CachedBreakers cachedBreakers;

  public RunnerLauncher(PoolSettings pool, RunnerFleet fleet, GitHubRunners github,
      Parameters parameters, RunnerConfigs configs) {
    this(pool, fleet, github, parameters, configs, Executors.newVirtualThreadPerTaskExecutor());
  }

  /** {@code executor} prepares instances in parallel (config, tags, SSM); it is never shut down. */
  public RunnerLauncher(PoolSettings pool, RunnerFleet fleet, GitHubRunners github,
      Parameters parameters, RunnerConfigs configs, ExecutorService executor) {
    this(pool, fleet, github, parameters, configs, executor, Clock.systemUTC());
  }

  /** {@code clock} dates the spot breakers' phases (docs/interruptions.md). */
  public RunnerLauncher(PoolSettings pool, RunnerFleet fleet, GitHubRunners github,
      Parameters parameters, RunnerConfigs configs, ExecutorService executor, Clock clock) {
    this.clock = clock;
    this.breakers = new BreakerStore(parameters);
    this.pool = pool;
    this.fleet = fleet;
    this.github = github;
    this.parameters = parameters;
    this.configs = configs;
    this.executor = executor;
  }

  public PoolSettings pool() {
    return pool;
  }

  /**
   * Whether the instance's runner config still waits in SSM: the start script reads and deletes it
   * when the machine comes up, so an instance whose config is there has not booted yet. SSM failing
   * counts as "no" (the caller then asks GitHub).
   */
  public boolean stillBooting(InstanceId instance) {
    try {
      return parameters.get(pool.configParameter(instance.value())).isPresent();
    } catch (RuntimeException e) {
      log.warn("runner config not read", entry("instance_id", instance),
          entry("failure", Log.error(e).value()));
      return false;
    }
  }

  /** Never throws for a failed launch or runner: every slot ends up launched or failed. */
  public LaunchResult launch(LaunchRequest request) {
    List<RunnerSlot> slots = request.slots();
    // the executor's threads start without the request id: each task gets this thread's
    Log.Context context = Log.context();
    try {
      configs.prepareOwner(request.owner());
    } catch (RuntimeException e) {
      // Retryable even when permanent (no such runner group, App not installed): an operator can
      // fix either, and no instance is started for runners that could not get a config.
      log.warn("runner configs unavailable, nothing launched", entry("pool", pool.poolName()),
          entry("owner", request.owner()), entry("failure", Log.error(e).value()));
      return LaunchResult.allFailed(slots,
          "runner configs unavailable: " + Log.error(e).value(), true, errorCode(e));
    }
    List<Started> started = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    String transientError = null;
    String transientCode = null;

    SpotChoice choice = spotChoice();
    CapacityType first = choice.capacityType();
    try {
      LaunchOutcome outcome = fleet.launch(spec(request, slots.size(), first,
          choice.instanceTypes(), choice.subnetIds()));
      outcome.launched().forEach(id -> started.add(new Started(id, first, outcome.placement(id))));
      errors.addAll(outcome.errors());
      int shortfall = slots.size() - outcome.launched().size();
      if (shortfall > 0 && first == CapacityType.SPOT && pool.onDemandFailover()
          && outcome.capacityShortfall()) {
        log.warn("spot capacity short, launching on-demand", entry("pool", pool.poolName()),
            entry("owner", request.owner()), entry("shortfall", shortfall),
            entry("errors", outcome.errors()));
        LaunchOutcome onDemand = fleet.launch(spec(request, shortfall, CapacityType.ON_DEMAND,
            pool.instanceTypes(), pool.subnetIds()));
        onDemand.launched().forEach(id -> started.add(
            new Started(id, CapacityType.ON_DEMAND, onDemand.placement(id))));
        errors.addAll(onDemand.errors());
      }
    } catch (RuntimeException e) {
      // Instances launched before the failure are kept and used; the rest of the slots retry.
      transientError = Log.error(e).value().toString();
      transientCode = errorCode(e);
      log.warn("launch failed", entry("pool", pool.poolName()), entry("owner", request.owner()),
          entry("failure", Log.error(e).value()));
    }

    // A repeated ClientToken (another receive of the same jobs) gets the first launch's
    // instances back, even those terminated since because their runner could not be prepared.
    // Asked while the runners are prepared, so a fresh launch pays no extra latency.
    List<InstanceId> startedIds = started.stream().map(Started::id).toList();
    CompletableFuture<Set<InstanceId>> ended = startedIds.isEmpty()
        ? CompletableFuture.completedFuture(Set.of())
        : CompletableFuture.supplyAsync(context.wrap(() -> endedAmong(startedIds)), executor);

    List<Launched> launched = new ArrayList<>();
    List<Failed> failed = new ArrayList<>();
    List<InstanceId> extra = new ArrayList<>();
    List<CompletableFuture<Prepared>> preparing = new ArrayList<>();
    for (int i = 0; i < started.size(); i++) {
      if (i >= slots.size()) {
        extra.add(started.get(i).id());
        continue;
      }
      RunnerSlot slot = slots.get(i);
      Started instance = started.get(i);
      preparing.add(CompletableFuture.supplyAsync(
          context.wrap(() -> prepare(request, slot, instance, ended)), executor));
    }
    for (int i = started.size(); i < slots.size(); i++) {
      // Retryable: capacity comes back and EC2's failures are failed requests, not the job's.
      String reason = transientError != null ? "launch failed: " + transientError
          : "no capacity: " + (errors.isEmpty() ? "fleet launched fewer instances" : errors);
      // the last code EC2 gave: on-demand's after a spot shortfall, the one that decided
      String code = transientCode != null ? transientCode
          : errors.isEmpty() ? FEWER_INSTANCES : errors.getLast();
      failed.add(new Failed(slots.get(i), reason, true, code));
    }

    List<InstanceId> terminate = new ArrayList<>(extra);
    for (CompletableFuture<Prepared> future : preparing) {
      Prepared prepared = future.join();
      if (prepared.launched() != null) {
        launched.add(prepared.launched());
      } else {
        failed.add(prepared.failed());
        terminate.add(prepared.instance());
      }
    }
    terminate(terminate);

    log.info("runners launched", entry("pool", pool.poolName()), entry("owner", request.owner()),
        entry("requested", slots.size()), entry("launched", launched.size()),
        entry("on_demand", launched.stream()
            .filter(l -> l.capacityType() == CapacityType.ON_DEMAND).count()),
        entry("failed", failed.size()), entry("terminated", terminate.size()));
    return new LaunchResult(launched, failed);
  }

  private record Started(InstanceId id, CapacityType type, LaunchOutcome.Placement placement) {}

  private record Prepared(InstanceId instance, Launched launched, Failed failed) {}

  /**
   * Config from GitHub, then SSM, then the tags. The job-id tag comes last: an instance that carries
   * it is one scale-up will never launch again for, so it must already hold its config.
   */
  private Prepared prepare(LaunchRequest request, RunnerSlot slot, Started instance,
      CompletableFuture<Set<InstanceId>> ended) {
    if (slot.boundToJob()) {
      Log.field("job_id", slot.jobId().value()); // on this task's lines only: the context is restored after
    }
    String runnerName = pool.runnerNamePrefix() + instance.id();
    String parameter = pool.configParameter(instance.id().value());
    Long runnerId = null;
    boolean stored = false;
    try {
      RunnerConfigs.Issued issued = configs.issue(request.owner(), runnerName);
      runnerId = issued.runnerId();
      runnerName = issued.runnerName();
      if (ended.join().contains(instance.id())) {
        throw new TransientFailure("instance " + instance.id()
            + " has ended: the launch request repeated an earlier one");
      }
      configs.store(parameters, parameter, instance.id(), issued.config());
      stored = true;
      Map<String, String> tags = new HashMap<>();
      tags.put(Tags.RUNNER_NAME, runnerName);
      if (slot.boundToJob()) {
        tags.put(Tags.JOB_ID, slot.jobId().toString());
      }
      if (slot.repository() != null) {
        tags.put(Tags.REPOSITORY, slot.repository());
      }
      if (runnerId != null) {
        tags.put(Tags.RUNNER_ID, runnerId.toString());
      }
      fleet.tag(instance.id(), tags);
      return new Prepared(instance.id(),
          new Launched(slot, instance.id(), runnerName, instance.type(), instance.placement()), null);
    } catch (RuntimeException e) {
      log.warn("runner not prepared, terminating its instance", entry("pool", pool.poolName()),
          entry("owner", request.owner()),
          entry("job_id", slot.boundToJob() ? slot.jobId().value() : null),
          entry("instance_id", instance.id()), entry("failure", Log.error(e).value()));
      if (stored) {
        forgetConfig(parameter);
      }
      forgetRunner(request.owner(), runnerId);
      // Retryable whatever failed: a refused SSM write (a tier or size rule), CreateTags' NotFound
      // on a new instance, GitHub's 401/409 after our own retries are about this step and this
      // instance; the next receive starts over with a new instance.
      return new Prepared(instance.id(), null, new Failed(slot,
          "runner not prepared: " + Log.error(e).value(), true, errorCode(e)));
    }
  }

  /**
   * A failure's code for the {@code LaunchFailures} metric: AWS's error code when an AWS call failed
   * (somewhere in the causes), else the failure's type ({@code GitHubLimited}, {@code TransientFailure}).
   */
  static String errorCode(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof SdkException sdk && !AwsFailures.code(sdk).isEmpty()) {
        return AwsFailures.code(sdk);
      }
    }
    return failure.getClass().getSimpleName();
  }

  /** When EC2 cannot say, the instances count as alive: a replay of an ended one is rare. */
  private Set<InstanceId> endedAmong(List<InstanceId> ids) {
    try {
      return fleet.ended(ids);
    } catch (RuntimeException e) {
      log.warn("could not check launched instances are alive", entry("pool", pool.poolName()),
          entry("instances", ids), entry("failure", Log.error(e).value()));
      return Set.of();
    }
  }

  private void forgetConfig(String parameter) {
    try {
      parameters.delete(parameter);
    } catch (RuntimeException e) {
      log.warn("runner config not deleted, scale-down will", entry("parameter", parameter),
          entry("failure", Log.error(e).value()));
    }
  }

  /** A JIT runner whose instance goes away would linger offline at GitHub until scale-down. */
  private void forgetRunner(RunnerOwner owner, Long runnerId) {
    if (runnerId == null) {
      return;
    }
    try {
      github.deleteRunner(owner, runnerId);
    } catch (RuntimeException e) {
      log.warn("runner not deregistered, scale-down will", entry("owner", owner),
          entry("runner_id", runnerId), entry("failure", Log.error(e).value()));
    }
  }

  private void terminate(List<InstanceId> instances) {
    if (instances.isEmpty()) {
      return;
    }
    try {
      fleet.terminate(instances);
    } catch (RuntimeException e) {
      // The start script gives up without a config and shuts the instance down; scale-down
      // terminates it as an orphan. The jobs are retried either way.
      log.error("instances not terminated", entry("pool", pool.poolName()),
          entry("instances", instances), entry("failure", Log.error(e).value()));
    }
  }

  /**
   * The pool's capacity type, narrowed by the spot breakers: open markets are left out, and with
   * none left the pool goes on-demand when it may. Read at most once per SSM cache period: the
   * breakers change in minutes, a launch happens in milliseconds.
   */
  private SpotChoice spotChoice() {
    if (pool.capacityType() != CapacityType.SPOT) {
      return new SpotChoice(pool.capacityType(), pool.instanceTypes(), pool.subnetIds(), List.of());
    }
    Instant now = clock.instant();
    CachedBreakers cached = cachedBreakers;
    if (cached == null || !now.isBefore(cached.until())) {
      cached = new CachedBreakers(breakers.read(pool.environment(), pool.poolName()),
          now.plus(SsmParameters.DEFAULT_TTL));
      cachedBreakers = cached;
    }
    SpotChoice choice = SpotChoice.of(pool.instanceTypes(), pool.subnetIds(), cached.state(), now,
        pool.onDemandFailover());
    if (!choice.openBreakers().isEmpty()) {
      log.info("spot breakers open, markets left out", entry("pool", pool.poolName()),
          entry("open", choice.openBreakers()), entry("capacity_type", choice.capacityType()),
          entry("instance_types", choice.instanceTypes()), entry("subnets", choice.subnetIds()));
    }
    return choice;
  }

  private record CachedBreakers(BreakerState state, Instant until) {}

  private LaunchSpec spec(LaunchRequest request, int count, CapacityType type,
      List<String> instanceTypes, List<String> subnetIds) {
    Map<String, String> tags = new HashMap<>(pool.poolTags());
    tags.put(Tags.OWNER, request.owner().toString());
    tags.put(Tags.OWNER_TYPE, request.ownerType());
    tags.put(Tags.APPLICATION, APPLICATION);
    return new LaunchSpec(pool.launchTemplateName(), instanceTypes, subnetIds, count,
        type, pool.spotAllocationStrategy(), pool.spotMaxPrice(), tags,
        ClientTokens.of(pool.poolName(), request.owner().toString(), request.slots(),
            request.attemptKey(), type));
  }
}
