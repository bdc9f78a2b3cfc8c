package dev.spotrunner.runners.scaledown;

import static dev.spotrunner.common.log.Log.entry;

import dev.spotrunner.common.fleet.CapacityType;
import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.RunnerFleet;
import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.github.DeleteResult;
import dev.spotrunner.common.github.GitHubRunner;
import dev.spotrunner.common.github.GitHubRunners;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.common.log.Log;
import dev.spotrunner.common.parameters.Parameters;
import dev.spotrunner.runners.pool.PoolSettings;
import dev.spotrunner.runners.scaledown.CycleReport.Count;
import dev.spotrunner.runners.scaledown.CycleReport.Tally;
import dev.spotrunner.runners.scaledown.IdlePolicy.Decision;
import dev.spotrunner.runners.scaledown.IdlePolicy.Ghost;
import dev.spotrunner.runners.scaledown.IdlePolicy.Plan;
import dev.spotrunner.runners.scaledown.IdlePolicy.Verdict;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * One scale-down cycle for one pool: removal only. Idle runners are deregistered and their
 * instances terminated, orphans and ghosts cleaned, stale configs deleted; what should be launched
 * (rescues of jobs stranded by spot, a warm window's missing runners) is asked of scale-up
 * ({@link ScaleUpAsks}), which alone launches.
 *
 * <p>The order of the listings is what makes the rules safe:
 * configs, then instances (to find owners), then each owner's runners, then the instances again.
 * Scale-up launches an instance before it registers the runner and writes the config, so anything
 * listed earlier belongs to an instance that the last listing would show if it still existed.
 *
 * <p>GitHub calls run in one lane per owner, lanes in parallel and calls within a lane one after
 * another; every step first reserves its points in the installation's budget.
 */
public final class ScaleDown {
  private static final Log log = Log.of(ScaleDown.class);
  static final int LANES_PER_INSTALLATION = 10;

  private final ScaleDownSettings settings;
  private final IdlePolicy policy;
  private final RunnerFleet fleet;
  private final GitHubRunners github;
  private final Parameters parameters;
  private final RequestBudget budget;
  private final ScaleUpAsks asks;
  private final KnownOwners knownOwners;
  private final GhostSightings sightings;
  private final Emf emf;
  private final Clock clock;

  public ScaleDown(ScaleDownSettings settings, RunnerFleet fleet, GitHubRunners github,
      Parameters parameters, RequestBudget budget, LaunchAsks asks, Emf emf, Clock clock) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.policy = new IdlePolicy(settings);
    this.fleet = fleet;
    this.github = github;
    this.parameters = parameters;
    this.budget = budget;
    this.asks = new ScaleUpAsks(settings, fleet, asks, clock);
    this.knownOwners = new KnownOwners(parameters, ownersParameter(settings.pool()));
    this.sightings = new GhostSightings(parameters, ghostsParameter(settings.pool()));
    this.emf = emf;
    this.clock = clock;
  }

  /** Where the owners seen by earlier cycles are kept: {@code <SSM_CONFIG_PATH>/<pool>/owners}. */
  public static String ownersParameter(PoolSettings pool) {
    return pool.ssmConfigPath() + "/" + pool.poolName() + "/owners";
  }

  /** When ghost candidates were first seen: {@code <SSM_CONFIG_PATH>/<pool>/ghosts}. */
  public static String ghostsParameter(PoolSettings pool) {
    return pool.ssmConfigPath() + "/" + pool.poolName() + "/ghosts";
  }

  /** A failure as a log field; Powertools drops fields named {@code error}. */
  static Log.Entry failure(Throwable e) {
    return entry("failure", Log.error(e).value());
  }

  public CycleReport run() {
    Tally tally = new Tally();
    Instant now = clock.instant();
    PoolSettings pool = settings.pool();
    Map<String, String> environmentTags = Map.of(Tags.ENVIRONMENT, pool.environment());

    List<String> configs = configNames(tally);
    List<RunnerInstance> first = fleet.list(environmentTags);
    Set<RunnerOwner> remembered = rememberedOwners(tally);
    Set<RunnerOwner> owners = new HashSet<>(remembered);
    inPool(first).stream().map(IdlePolicy::ownerOf).filter(Objects::nonNull).forEach(owners::add);

    Map<RunnerOwner, List<GitHubRunner>> listed = new ConcurrentHashMap<>();
    Set<RunnerOwner> unlisted = ConcurrentHashMap.newKeySet();
    inLanes(owners, owner -> listRunners(owner, listed, unlisted, tally));

    List<RunnerInstance> environment = fleet.list(environmentTags);
    Set<InstanceId> alive = environment.stream().map(RunnerInstance::id).collect(Collectors.toSet());
    Plan plan = policy.decide(now, inPool(environment), alive, listed, unlisted);
    countKept(plan, tally);

    Map<RunnerOwner, List<Decision>> removals = plan.decisions().stream()
        .filter(d -> d.verdict() == Verdict.IDLE || d.verdict() == Verdict.ORPHAN)
        .collect(Collectors.groupingBy(Decision::owner));
    Map<RunnerOwner, List<Ghost>> ghosts =
        confirmed(plan.ghosts(), now, tally).stream().collect(Collectors.groupingBy(Ghost::owner));
    Set<RunnerOwner> acting = new HashSet<>(removals.keySet());
    acting.addAll(ghosts.keySet());
    inLanes(acting, owner -> act(removals.getOrDefault(owner, List.of()),
        ghosts.getOrDefault(owner, List.of()), tally));

    deleteStaleConfigs(configs, alive, tally);
    remember(remembered, owners, listed, unlisted, inPool(environment), tally);
    asks.rescues(environment, tally);
    asks.warm(plan, owners, tally);

    CycleReport report = tally.report(gauges(inPool(environment), listed));
    List<Log.Entry> fields = new ArrayList<>();
    fields.add(entry("pool", pool.poolName()));
    fields.add(entry("instances", inPool(environment).size()));
    fields.add(entry("warm_target", plan.warmTarget()));
    fields.add(entry("runners_busy", report.gauges().runnersBusy()));
    fields.add(entry("runners_idle", report.gauges().runnersIdle()));
    report.counts().entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> fields.add(entry(e.getKey().metric(), e.getValue())));
    log.info("scale-down cycle finished", fields.toArray(Log.Entry[]::new));
    emf.emit(pool.poolName(), now, report);
    return report;
  }

  /**
   * The pool at the cycle's listing: its instances by capacity type, and its runners (a runner of
   * ours on one of the pool's instances) busy, or online and idle, as GitHub listed them.
   */
  private CycleReport.Gauges gauges(List<RunnerInstance> poolInstances,
      Map<RunnerOwner, List<GitHubRunner>> listed) {
    Map<CapacityType, Integer> running = new EnumMap<>(CapacityType.class);
    poolInstances.forEach(i -> running.merge(i.capacityType(), 1, Integer::sum));
    Set<InstanceId> ids = poolInstances.stream().map(RunnerInstance::id).collect(Collectors.toSet());
    String prefix = settings.pool().runnerNamePrefix();
    int busy = 0;
    int idle = 0;
    for (List<GitHubRunner> runners : listed.values()) {
      for (GitHubRunner runner : runners) {
        if (!policy.ours(runner)
            || !ids.contains(InstanceId.findIn(runner.name().substring(prefix.length())))) {
          continue;
        }
        if (runner.busy()) {
          busy++;
        } else if (runner.online()) {
          idle++;
        }
      }
    }
    return new CycleReport.Gauges(running, busy, idle);
  }

  private List<RunnerInstance> inPool(List<RunnerInstance> instances) {
    String pool = settings.pool().poolName();
    return instances.stream().filter(i -> pool.equals(i.tag(Tags.POOL))).toList();
  }

  private String configPath() {
    return settings.pool().ssmConfigPath() + "/" + settings.pool().poolName() + "/";
  }

  private List<String> configNames(Tally tally) {
    try {
      return parameters.namesUnder(configPath());
    } catch (RuntimeException e) {
      tally.add(Count.ERRORS);
      log.warn("runner configs not listed", entry("pool", settings.pool().poolName()), failure(e));
      return List.of();
    }
  }

  private Set<RunnerOwner> rememberedOwners(Tally tally) {
    try {
      return knownOwners.load();
    } catch (RuntimeException e) {
      tally.add(Count.ERRORS);
      log.warn("known owners not read", entry("pool", settings.pool().poolName()), failure(e));
      return Set.of();
    }
  }

  private void listRunners(RunnerOwner owner, Map<RunnerOwner, List<GitHubRunner>> listed,
      Set<RunnerOwner> unlisted, Tally tally) {
    if (!budget.tryReserve(owner, RequestBudget.GET)) {
      unlisted.add(owner);
      tally.add(Count.DEFERRED);
      return;
    }
    try {
      listed.put(owner, List.copyOf(github.listRunners(owner)));
      tally.add(Count.OWNERS_LISTED);
    } catch (RuntimeException e) {
      unlisted.add(owner);
      tally.add(Count.ERRORS);
      log.warn("runners not listed; the owner's instances are kept this cycle",
          entry("owner", owner), failure(e));
    }
  }

  private static void countKept(Plan plan, Tally tally) {
    for (Decision d : plan.decisions()) {
      switch (d.verdict()) {
        case YOUNG -> tally.add(Count.KEPT_YOUNG);
        case BUSY -> tally.add(Count.KEPT_BUSY);
        case BOOTING -> tally.add(Count.KEPT_BOOTING);
        case WARM -> tally.add(Count.KEPT_WARM);
        case UNLISTED -> tally.add(Count.KEPT_UNLISTED);
        case UNKNOWN_OWNER -> tally.add(Count.KEPT_UNKNOWN_OWNER);
        case IDLE, ORPHAN -> { }
      }
    }
  }

  /** One installation's removals, one call after another; terminations only after deregistration. */
  private void act(List<Decision> removals, List<Ghost> ghosts, Tally tally) {
    Map<InstanceId, Count> toTerminate = new LinkedHashMap<>();
    List<Decision> ordered = removals.stream()
        .sorted(Comparator.comparing((Decision d) -> d.verdict()).reversed()).toList();
    for (Decision d : ordered) {
      try {
        if (d.verdict() == Verdict.IDLE) {
          if (deregisterIdle(d.owner(), d.runner().id(), tally)) {
            toTerminate.put(d.instance().id(), Count.IDLE_TERMINATED);
          }
        } else if (orphanMayGo(d, tally)) {
          toTerminate.put(d.instance().id(), Count.ORPHAN_TERMINATED);
        }
      } catch (RuntimeException e) {
        tally.add(Count.ERRORS);
        log.warn("instance kept after an error", entry("instance_id", d.instance().id()),
            entry("owner", d.owner()), failure(e));
      }
    }
    terminate(toTerminate, tally);
    for (Ghost ghost : ghosts) {
      try {
        removeGhost(ghost, tally);
      } catch (RuntimeException e) {
        tally.add(Count.ERRORS);
        log.warn("ghost runner kept after an error", entry("runner_id", ghost.runner().id()),
            entry("owner", ghost.owner()), failure(e));
      }
    }
  }

  /**
   * Deregisters an idle runner; true only when GitHub confirmed the deletion, the one answer after
   * which its instance may go. The busy flag is read again first: the list may be minutes old.
   */
  private boolean deregisterIdle(RunnerOwner owner, long runnerId, Tally tally) {
    if (!budget.tryReserve(owner, RequestBudget.GET + RequestBudget.DELETE)) {
      tally.add(Count.DEFERRED);
      return false;
    }
    Optional<GitHubRunner> fresh = github.getRunner(owner, runnerId);
    if (fresh.isEmpty()) {
      // Gone already. The next cycle's list confirms it and the orphan rule takes the instance.
      tally.add(Count.RUNNER_GONE);
      return false;
    }
    if (fresh.get().busy()) {
      tally.add(Count.BUSY_AT_DELETE);
      log.info("runner took a job; kept", entry("owner", owner), entry("runner_id", runnerId));
      return false;
    }
    return deleted(owner, runnerId, github.deleteRunner(owner, runnerId), tally);
  }

  private boolean deleted(RunnerOwner owner, long runnerId, DeleteResult result, Tally tally) {
    switch (result) {
      case DELETED -> {
        log.info("runner deregistered", entry("owner", owner), entry("runner_id", runnerId));
        return true;
      }
      case BUSY -> {
        tally.add(Count.BUSY_AT_DELETE);
        log.info("runner took a job; kept", entry("owner", owner), entry("runner_id", runnerId));
      }
      case NOT_FOUND -> {
        // A 404 can also mean the App lost access; only a later successful list proves it gone.
        tally.add(Count.RUNNER_GONE);
      }
      case FAILED -> {
        tally.add(Count.DEREGISTER_FAILED);
        log.warn("runner not deregistered; instance kept", entry("owner", owner),
            entry("runner_id", runnerId));
      }
    }
    return false;
  }

  /** An orphan whose instance was tagged with a runner id gets a last look by that id. */
  private boolean orphanMayGo(Decision orphan, Tally tally) {
    String tag = orphan.instance().tag(Tags.RUNNER_ID);
    long runnerId;
    try {
      runnerId = tag == null ? -1 : Long.parseLong(tag.trim());
    } catch (NumberFormatException e) {
      runnerId = -1;
    }
    if (runnerId < 0) {
      return true;
    }
    if (!budget.tryReserve(orphan.owner(), RequestBudget.GET)) {
      tally.add(Count.DEFERRED);
      return false;
    }
    Optional<GitHubRunner> runner = github.getRunner(orphan.owner(), runnerId);
    if (runner.isEmpty()) {
      return true;
    }
    if (runner.get().busy()) {
      tally.add(Count.KEPT_BUSY);
      return false;
    }
    if (!budget.tryReserve(orphan.owner(), RequestBudget.DELETE)) {
      tally.add(Count.DEFERRED);
      return false;
    }
    return deleted(orphan.owner(), runnerId, github.deleteRunner(orphan.owner(), runnerId), tally);
  }

  private void terminate(Map<InstanceId, Count> instances, Tally tally) {
    if (instances.isEmpty()) {
      return;
    }
    try {
      fleet.terminate(List.copyOf(instances.keySet()));
      instances.forEach((id, rule) -> {
        tally.add(rule);
        log.info("instance terminated", entry("instance_id", id), entry("rule", rule.metric()));
      });
    } catch (RuntimeException e) {
      // Their runners are deregistered already; next cycle the orphan rule terminates them.
      tally.add(Count.TERMINATE_FAILED, instances.size());
      log.warn("instances not terminated", entry("count", instances.size()), failure(e));
    }
  }

  private void removeGhost(Ghost ghost, Tally tally) {
    if (!budget.tryReserve(ghost.owner(), RequestBudget.DELETE)) {
      tally.add(Count.DEFERRED);
      return;
    }
    DeleteResult result = github.deleteRunner(ghost.owner(), ghost.runner().id());
    if (result == DeleteResult.DELETED || result == DeleteResult.NOT_FOUND) {
      tally.add(Count.GHOST_REMOVED);
      log.info("ghost runner deregistered", entry("owner", ghost.owner()),
          entry("runner_id", ghost.runner().id()), entry("runner_name", ghost.runner().name()));
    } else {
      tally.add(Count.GHOST_KEPT);
    }
  }

  /**
   * The ghost candidates that may go now: those whose instance EC2 describes as ended, and those
   * seen as ghosts in an earlier cycle at least the boot grace time ago. The listing can leave out
   * an instance launched a moment ago (EC2's eventual consistency) while its JIT runner is already
   * registered and offline; such a runner is never removed before an instance that is listed would
   * be (an offline runner goes after the boot grace), and by then EC2 lists its instance. When the
   * sightings cannot be read, only known-ended ghosts go.
   */
  private List<Ghost> confirmed(List<Ghost> candidates, Instant now, Tally tally) {
    Map<String, Instant> before;
    try {
      before = sightings.load();
    } catch (RuntimeException e) {
      tally.add(Count.ERRORS);
      log.warn("ghost sightings not read; only ghosts of ended instances go",
          entry("pool", settings.pool().poolName()), failure(e));
      before = null;
    }
    Set<InstanceId> ended = candidates.isEmpty() ? Set.of() : endedInstances(candidates, tally);
    List<Ghost> confirmed = new ArrayList<>();
    Map<String, Instant> seen = new HashMap<>();
    for (Ghost ghost : candidates) {
      String key = GhostSightings.key(ghost.owner(), ghost.runner().id());
      Instant first = before == null ? null : before.get(key);
      seen.put(key, first == null ? now : first);
      boolean graceOver = first != null && first.isBefore(now)
          && !first.plus(settings.bootGrace()).isAfter(now);
      if (ended.contains(ghost.instance()) || graceOver) {
        confirmed.add(ghost);
      } else {
        tally.add(Count.GHOST_UNCONFIRMED);
        log.info("offline runner without a listed instance; kept until its instance is known "
            + "ended or the boot grace time passed", entry("owner", ghost.owner()),
            entry("runner_id", ghost.runner().id()), entry("runner_name", ghost.runner().name()),
            entry("first_seen", first == null ? now : first));
      }
    }
    if (before != null) {
      try {
        sightings.save(before, seen);
      } catch (RuntimeException e) {
        tally.add(Count.ERRORS);
        log.warn("ghost sightings not saved", entry("pool", settings.pool().poolName()),
            failure(e));
      }
    }
    return confirmed;
  }

  private Set<InstanceId> endedInstances(List<Ghost> ghosts, Tally tally) {
    try {
      return fleet.ended(ghosts.stream().map(Ghost::instance).filter(Objects::nonNull).toList());
    } catch (RuntimeException e) {
      tally.add(Count.ERRORS);
      log.warn("ghosts' instances not described; ended ones wait for the grace time",
          entry("pool", settings.pool().poolName()), failure(e));
      return Set.of();
    }
  }

  private void deleteStaleConfigs(List<String> names, Set<InstanceId> alive, Tally tally) {
    String path = configPath();
    for (String name : names) {
      String last = name.substring(name.lastIndexOf('/') + 1);
      InstanceId id;
      try {
        id = name.startsWith(path) && name.indexOf('/', path.length()) < 0 ? new InstanceId(last) : null;
      } catch (IllegalArgumentException e) {
        id = null;
      }
      if (id == null || alive.contains(id)) {
        continue;
      }
      try {
        parameters.delete(name);
        tally.add(Count.CONFIG_DELETED);
      } catch (RuntimeException e) {
        tally.add(Count.ERRORS);
        log.warn("runner config not deleted", entry("instance_id", id), failure(e));
      }
    }
  }

  /** Keeps owners that still have instances or runners of ours, and every unlisted one. */
  private void remember(Set<RunnerOwner> before, Set<RunnerOwner> owners,
      Map<RunnerOwner, List<GitHubRunner>> listed, Set<RunnerOwner> unlisted,
      List<RunnerInstance> poolInstances, Tally tally) {
    Set<RunnerOwner> keep = new HashSet<>(unlisted);
    poolInstances.stream().map(IdlePolicy::ownerOf).filter(Objects::nonNull).forEach(keep::add);
    listed.forEach((owner, runners) -> {
      if (runners.stream().anyMatch(policy::ours)) {
        keep.add(owner);
      }
    });
    keep.retainAll(owners);
    try {
      knownOwners.save(before, keep);
    } catch (RuntimeException e) {
      // SSM refusing the value (over 8 KB: ParameterRefused) or failing: the cycle goes on, and the
      // owners saved before stay; the next cycle finds the owners with instances again by their tags.
      tally.add(Count.ERRORS);
      log.warn("known owners not saved", entry("pool", settings.pool().poolName()),
          entry("owners", keep.size()), failure(e));
    }
  }

  /**
   * Runs one lane per owner on virtual threads and waits for all; a lane's failure stays its own.
   * Owners sharing an installation (repositories of one account) run at most
   * {@value #LANES_PER_INSTALLATION} at a time, far below GitHub's 100 concurrent requests.
   */
  private static void inLanes(Set<RunnerOwner> owners, Consumer<RunnerOwner> work) {
    List<RunnerOwner> ordered =
        owners.stream().sorted(Comparator.comparing(RunnerOwner::toString)).toList();
    if (ordered.size() == 1) {
      runLane(ordered.get(0), work);
      return;
    }
    Map<String, Semaphore> installations = new HashMap<>();
    // a lane's thread starts without the request id: each lane carries this thread's
    Log.Context context = Log.context();
    try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> futures = new ArrayList<>();
      for (RunnerOwner owner : ordered) {
        Semaphore permits = installations.computeIfAbsent(owner.login(),
            login -> new Semaphore(LANES_PER_INSTALLATION));
        futures.add(executor.submit(context.wrap(() -> {
          permits.acquireUninterruptibly();
          try {
            runLane(owner, work);
          } finally {
            permits.release();
          }
        })));
      }
      for (Future<?> future : futures) {
        try {
          future.get();
        } catch (Exception e) {
          log.warn("scale-down lane failed", failure(e));
        }
      }
    }
  }

  private static <T> void runLane(T lane, Consumer<T> work) {
    try {
      work.accept(lane);
    } catch (RuntimeException e) {
      log.warn("scale-down lane failed", failure(e));
    }
  }
}
