package dev.spotrunner.runners.scaledown;

import static dev.spotrunner.common.log.Log.entry;

import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.RunnerFleet;
import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.github.DeleteResult;
import dev.spotrunner.common.github.GitHubRunner;
import dev.spotrunner.common.github.GitHubRunners;
import dev.spotrunner.common.github.WorkflowJob;
import dev.spotrunner.common.job.JobId;
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
 * One scale-down cycle for one pool. The order of the listings is what makes the rules safe:
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
  private final WarmLauncher launcher;
  private final RescueLauncher rescuer;
  private final KnownOwners knownOwners;
  private final GhostSightings sightings;
  private final Emf emf;
  private final Clock clock;

  public ScaleDown(ScaleDownSettings settings, RunnerFleet fleet, GitHubRunners github,
      Parameters parameters, RequestBudget budget, WarmLauncher launcher, RescueLauncher rescuer,
      Emf emf, Clock clock) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.policy = new IdlePolicy(settings);
    this.fleet = fleet;
    this.github = github;
    this.parameters = parameters;
    this.budget = budget;
    this.launcher = launcher;
    this.rescuer = rescuer;
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
    Set<InstanceId> terminated = ConcurrentHashMap.newKeySet();
    inLanes(acting, owner -> act(removals.getOrDefault(owner, List.of()),
        ghosts.getOrDefault(owner, List.of()), terminated, tally));

    deleteStaleConfigs(configs, alive, tally);
    remember(remembered, owners, listed, unlisted, inPool(environment), tally);
    int poolSize = inPool(environment).size() - terminated.size();
    poolSize += rescue(environment, poolSize, tally);
    launchWarm(plan, poolSize, owners, tally);

    CycleReport report = tally.report();
    List<Log.Entry> fields = new ArrayList<>();
    fields.add(entry("pool", pool.poolName()));
    fields.add(entry("instances", inPool(environment).size()));
    fields.add(entry("warm_target", plan.warmTarget()));
    report.counts().entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> fields.add(entry(e.getKey().metric(), e.getValue())));
    log.info("scale-down cycle finished", fields.toArray(Log.Entry[]::new));
    emf.emit(pool.poolName(), now, report);
    return report;
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
  private void act(List<Decision> removals, List<Ghost> ghosts, Set<InstanceId> terminated,
      Tally tally) {
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
    terminate(toTerminate, terminated, tally);
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

  private void terminate(Map<InstanceId, Count> instances, Set<InstanceId> terminated,
      Tally tally) {
    if (instances.isEmpty()) {
      return;
    }
    try {
      fleet.terminate(List.copyOf(instances.keySet()));
      instances.forEach((id, rule) -> {
        tally.add(rule);
        terminated.add(id);
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
   * Jobs stranded by spot: scale-up deleted a job's message once its instance launched, so when EC2
   * takes that instance away before its runner took the job, nothing else would bring a runner.
   * Only interrupted instances cost a GitHub call; a job still queued gets one runner bound to it.
   * An interrupted instance stays listed for about an hour, so whatever is skipped here (pool
   * full, budget spent, GitHub failing) is tried again next cycle. Returns the runners launched.
   */
  private int rescue(List<RunnerInstance> environment, int poolSize, Tally tally) {
    PoolSettings pool = settings.pool();
    List<RunnerInstance> interrupted;
    try {
      interrupted = inPool(fleet.interrupted(Map.of(Tags.ENVIRONMENT, pool.environment())));
    } catch (RuntimeException e) {
      tally.add(Count.ERRORS);
      log.warn("interrupted instances not listed", entry("pool", pool.poolName()), failure(e));
      return 0;
    }
    // A live instance bound to the job means it was rescued already (or scale-up relaunched it).
    Set<JobId> covered = new HashSet<>();
    environment.stream().map(i -> JobId.parse(i.tag(Tags.JOB_ID))).filter(Objects::nonNull)
        .forEach(covered::add);
    int room = Math.max(0, pool.maxRunners() - poolSize);
    int rescued = 0;
    Set<JobId> displacedSeen = new HashSet<>();
    List<RunnerInstance> ordered = interrupted.stream()
        .sorted(Comparator.comparing(RunnerInstance::launchTime,
            Comparator.nullsLast(Comparator.naturalOrder())))
        .toList();
    for (RunnerInstance gone : ordered) {
      Stranded stranded = Stranded.of(gone);
      if (stranded == null || !covered.add(stranded.jobId())) {
        continue;
      }
      if (rescued >= room) {
        log.info("stranded job waits for room in the pool", entry("job_id", stranded.jobId().value()),
            entry("instance_id", gone.id()), entry("pool", pool.poolName()),
            entry("max", pool.maxRunners()));
        continue;
      }
      try {
        if (rescue(stranded, gone, environment, displacedSeen, tally)) {
          rescued++;
        }
      } catch (RuntimeException e) {
        tally.add(Count.ERRORS);
        log.warn("stranded job not rescued; next cycle retries", entry("job_id", stranded.jobId().value()),
            entry("instance_id", gone.id()), failure(e));
      }
    }
    return rescued;
  }

  private boolean rescue(Stranded stranded, RunnerInstance gone, List<RunnerInstance> environment,
      Set<JobId> displacedSeen, Tally tally) {
    if (!budget.tryReserve(stranded.repository(), RequestBudget.GET)) {
      tally.add(Count.DEFERRED);
      return false;
    }
    Optional<WorkflowJob> job = github.job(stranded.repository(), stranded.jobId());
    if (job.isEmpty() || !job.get().queued()) {
      log.info("interrupted instance's job no longer waits", entry("job_id", stranded.jobId().value()),
          entry("instance_id", gone.id()),
          entry("status", job.map(WorkflowJob::status).orElse("not found")));
      return job.isPresent() && followDisplaced(job.get(), stranded, gone, environment,
          displacedSeen, tally);
    }
    return launchFor(stranded, gone, tally);
  }

  /** How many runners a cycle follows from one interrupted instance (each costs a GET). */
  static final int MAX_DISPLACEMENT_HOPS = 6;

  /**
   * GitHub gives a queued job to any idle runner whose labels fit, so the runner launched for job
   * a may have taken the stranded job b, the runner launched for c may have taken a, and so on:
   * the job at the end of that chain lost its runner when b's instance was reclaimed. Follows the
   * chain from b's runner, one GET per hop, and launches for the first job in it that still waits.
   */
  private boolean followDisplaced(WorkflowJob taken, Stranded stranded, RunnerInstance gone,
      List<RunnerInstance> environment, Set<JobId> displacedSeen, Tally tally) {
    WorkflowJob current = taken;
    for (int hop = 0; hop < MAX_DISPLACEMENT_HOPS; hop++) {
      Stranded displaced = displaced(current, gone, environment);
      if (displaced == null || !displacedSeen.add(displaced.jobId())) {
        return false;
      }
      if (!budget.tryReserve(displaced.repository(), RequestBudget.GET)) {
        tally.add(Count.DEFERRED);
        return false;
      }
      Optional<WorkflowJob> job = github.job(displaced.repository(), displaced.jobId());
      if (job.isEmpty()) {
        return false;
      }
      if (job.get().queued()) {
        log.info("job displaced by a stranded job's runner", entry("job_id", displaced.jobId().value()),
            entry("stranded_job_id", stranded.jobId().value()), entry("instance_id", gone.id()),
            entry("hops", hop + 1));
        return launchFor(displaced, gone, tally);
      }
      current = job.get();
    }
    return false;
  }

  /**
   * The job whose runner took {@code taken}: the job the runner's instance was launched for, when
   * that is another job and has no other live instance; null otherwise.
   */
  private Stranded displaced(WorkflowJob taken, RunnerInstance gone,
      List<RunnerInstance> environment) {
    InstanceId runnerInstance = InstanceId.findIn(taken.runnerName());
    if (runnerInstance == null || runnerInstance.equals(gone.id())) {
      return null;
    }
    RunnerInstance host = environment.stream().filter(i -> i.id().equals(runnerInstance))
        .findFirst().orElse(null);
    Stranded displaced = host == null ? null : Stranded.of(host);
    if (displaced == null || displaced.jobId().value() == taken.id()) {
      return null;
    }
    boolean hasAnother = environment.stream().anyMatch(i -> !i.id().equals(runnerInstance)
        && displaced.jobId().equals(JobId.parse(i.tag(Tags.JOB_ID))));
    return hasAnother ? null : displaced;
  }

  private boolean launchFor(Stranded stranded, RunnerInstance gone, Tally tally) {
    if (!rescuer.launch(stranded.owner(), stranded.ownerType(), stranded.jobId(),
        stranded.repository().toString())) {
      log.warn("stranded job not rescued: no instance launched; next cycle retries",
          entry("job_id", stranded.jobId().value()), entry("instance_id", gone.id()));
      return false;
    }
    tally.add(Count.RESCUED);
    log.info("stranded job rescued", entry("job_id", stranded.jobId().value()),
        entry("instance_id", gone.id()), entry("owner", stranded.owner()),
        entry("repository", stranded.repository()));
    return true;
  }

  /** The job an interrupted instance was launched for, or null when its tags do not name one. */
  private record Stranded(JobId jobId, RunnerOwner repository, RunnerOwner owner, String ownerType) {
    static Stranded of(RunnerInstance instance) {
      JobId job = JobId.parse(instance.tag(Tags.JOB_ID));
      String repository = instance.tag(Tags.REPOSITORY);
      RunnerOwner owner = IdlePolicy.ownerOf(instance);
      if (job == null || repository == null || owner == null) {
        return null;
      }
      try {
        RunnerOwner repo = RunnerOwner.parse(repository.trim());
        return repo.isRepository()
            ? new Stranded(job, repo, owner, instance.tag(Tags.OWNER_TYPE)) : null;
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
  }

  private void launchWarm(Plan plan, int poolSize, Set<RunnerOwner> owners, Tally tally) {
    int room = Math.max(0, settings.pool().maxRunners() - poolSize);
    int count = Math.min(plan.warmMissing(), room);
    if (count <= 0) {
      return;
    }
    RunnerOwner owner = WarmWindow.ownerAt(settings.warmWindows(), clock.instant());
    if (owner == null && owners.size() == 1) {
      owner = owners.iterator().next();
    }
    if (owner == null) {
      log.warn("warm runners not launched: the window names no owner and the pool has "
          + owners.size() + " owners", entry("missing", count));
      return;
    }
    try {
      int launched = launcher.launch(owner, count);
      tally.add(Count.WARM_LAUNCHED, launched);
      log.info("warm runners launched", entry("owner", owner), entry("requested", count),
          entry("launched", launched));
    } catch (RuntimeException e) {
      tally.add(Count.ERRORS);
      log.warn("warm runners not launched", entry("owner", owner), failure(e));
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
    try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> futures = new ArrayList<>();
      for (RunnerOwner owner : ordered) {
        Semaphore permits = installations.computeIfAbsent(owner.login(),
            login -> new Semaphore(LANES_PER_INSTALLATION));
        futures.add(executor.submit(() -> {
          permits.acquireUninterruptibly();
          try {
            runLane(owner, work);
          } finally {
            permits.release();
          }
        }));
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
