package dev.spotrunner.simulator;

import dev.spotrunner.common.fleet.CapacityType;
import dev.spotrunner.common.fleet.InMemoryRunnerFleet;
import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.common.github.FakeGitHub;
import dev.spotrunner.common.github.GitHubRunner;
import dev.spotrunner.common.github.WorkflowJob;
import dev.spotrunner.common.job.JobMessage;
import dev.spotrunner.common.job.PoolDefinition;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.common.json.Json;
import dev.spotrunner.common.parameters.InMemoryParameters;
import dev.spotrunner.runners.launch.LaunchRequest;
import dev.spotrunner.runners.launch.RunnerConfigs;
import dev.spotrunner.runners.launch.RunnerLauncher;
import dev.spotrunner.runners.launch.RunnerSlot;
import dev.spotrunner.runners.pool.PoolSettings;
import dev.spotrunner.runners.scaledown.Emf;
import dev.spotrunner.runners.scaledown.RequestBudget;
import dev.spotrunner.runners.scaledown.ScaleDown;
import dev.spotrunner.runners.scaledown.ScaleDownSettings;
import dev.spotrunner.runners.scaleup.BatchOutcome;
import dev.spotrunner.runners.scaleup.Delivery;
import dev.spotrunner.runners.scaleup.ScaleUp;
import dev.spotrunner.runners.scaleup.ScaleUpSettings;
import dev.spotrunner.webhook.PoolRouter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.commons.math3.distribution.ExponentialDistribution;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;

/**
 * Replays a job trace through spotrunner's real routing ({@link PoolRouter}), scale-up
 * ({@link ScaleUp}, {@link RunnerLauncher}) and scale-down ({@link ScaleDown}) classes, wired to
 * the in-memory fakes of the ports and a {@link VirtualClock}: events run in time order and nothing
 * sleeps. GitHub is modelled as it behaves: a queued job goes to an idle online runner whose labels
 * cover it, oldest job first; an ephemeral runner takes one job and its instance shuts down.
 */
public final class Simulation {
  static final String ENVIRONMENT = "sim";

  private final SimulationConfig config;
  private final RandomGenerator random;
  private final VirtualClock clock;
  private final FakeGitHub github;
  private final MeteredGitHub metered;
  private final InMemoryRunnerFleet fleet;
  private final InMemoryParameters parameters = new InMemoryParameters();
  private final PoolRouter router;
  private final RunnerOwner owner;
  private final Map<String, PoolRuntime> pools = new LinkedHashMap<>();

  private final PriorityQueue<Event> events = new PriorityQueue<>();
  private long sequence;

  private final LinkedHashMap<Long, SimJob> queued = new LinkedHashMap<>();
  private final Map<String, SimRunner> runners = new LinkedHashMap<>();
  private final Map<InstanceId, SimInstance> instances = new LinkedHashMap<>();
  private final List<SimJob> jobs = new ArrayList<>();
  private final List<Sample> timeline = new ArrayList<>();
  private int notOurs;
  private int busyRunnersTerminated;
  private int interruptedJobs;
  private int deadLettered;
  private int openJobs;
  private int arrivalsLeft;
  private Instant lastActivity;
  private Long interruptFirstAfterSeconds;

  public Simulation(SimulationConfig config, long seed, Instant start) {
    this.config = config;
    this.random = new Well19937c(seed);
    this.clock = new VirtualClock(start);
    this.github = new FakeGitHub(clock);
    this.metered = new MeteredGitHub(github, clock);
    this.fleet = new InMemoryRunnerFleet(clock);
    this.owner = RunnerOwner.org(config.owner());
    List<PoolDefinition> definitions = new ArrayList<>();
    for (SimulationConfig.SimPool pool : config.pools()) {
      definitions.add(new PoolDefinition(pool.name(), pool.labels(),
          pool.match() == null ? null : PoolDefinition.Match.parse(pool.match()),
          pool.priority(), "sim://" + pool.name(), pool.delaySeconds(), false));
      pools.put(pool.name(), new PoolRuntime(pool));
    }
    this.router = new PoolRouter(definitions);
  }

  /** Spot takes the first instance launched away this many seconds after launch (for tests). */
  Simulation interruptFirstInstanceAfter(long seconds) {
    this.interruptFirstAfterSeconds = seconds;
    return this;
  }

  /** Runs the trace to the end and returns what happened. */
  public SimulationResult run(List<TraceJob> trace) {
    long started = System.nanoTime();
    if (trace.isEmpty()) {
      throw new IllegalArgumentException("the trace has no jobs");
    }
    arrivalsLeft = trace.size();
    for (TraceJob job : trace) {
      at(job.queuedAt(), () -> jobQueued(job));
    }
    Instant first = trace.getFirst().queuedAt();
    Instant tick = clock.instant();
    Instant lastQueued = trace.getLast().queuedAt();
    Duration every = Duration.ofMinutes(config.scaleDownEveryMinutes());
    for (Instant t = tick; !t.isAfter(lastQueued.plus(Duration.ofDays(2))); t = t.plus(every)) {
      Instant when = t;
      at(when, this::scaleDownCycle);
    }
    for (Instant t = first; !t.isAfter(lastQueued.plus(Duration.ofDays(2))); t = t.plusSeconds(60)) {
      Instant when = t;
      at(when, () -> sample(when));
    }
    lastActivity = first;
    Duration settle = every.multipliedBy(3)
        .plus(Duration.ofMinutes(config.pools().stream()
            .mapToInt(p -> Math.max(p.minimumRunningTimeMinutes(), p.bootGraceMinutes())).max()
            .orElse(5)));
    // Jobs whose runner never came (an instance lost before it registered) would wait for ever;
    // the replay stops a day after the last arrival and counts them as unserved.
    Instant cap = lastQueued.plus(Duration.ofDays(1));
    while (!events.isEmpty()) {
      Event event = events.poll();
      if (event.at().isAfter(cap)
          || allDone() && event.at().isAfter(lastActivity.plus(settle)) && fleetEmptyOrWarm()) {
        break;
      }
      clock.advanceTo(event.at());
      event.action().run();
    }
    Instant end = clock.instant();
    return SimulationResult.of(config, jobs, instances.values(), timeline, metered, notOurs,
        busyRunnersTerminated, interruptedJobs, deadLettered, first, end,
        Duration.ofNanos(System.nanoTime() - started));
  }

  // ---- events -----------------------------------------------------------------------------

  private record Event(Instant at, long sequence, Runnable action) implements Comparable<Event> {
    @Override
    public int compareTo(Event other) {
      int byTime = at.compareTo(other.at);
      return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
    }
  }

  private void at(Instant when, Runnable action) {
    Instant at = when.isBefore(clock.instant()) ? clock.instant() : when;
    events.add(new Event(at, sequence++, action));
  }

  private boolean allDone() {
    return arrivalsLeft == 0 && openJobs == 0;
  }

  private boolean fleetEmptyOrWarm() {
    return fleet.all().stream().allMatch(i -> {
      SimRunner runner = runnerOf(i.id());
      return runner != null && runner.job == null;
    });
  }

  // ---- GitHub's side: jobs ------------------------------------------------------------------

  private void jobQueued(TraceJob trace) {
    Optional<PoolDefinition> pool = router.route(trace.labels());
    SimJob job = new SimJob(trace, pool.map(PoolDefinition::name).orElse(null), clock.instant());
    jobs.add(job);
    arrivalsLeft--;
    if (pool.isEmpty()) {
      notOurs++;
      return;
    }
    lastActivity = clock.instant();
    openJobs++;
    queued.put(trace.jobId(), job);
    github.job(new WorkflowJob(trace.jobId(), trace.jobId(), "queued", trace.labels(),
        clock.instant(), null));
    // GitHub first offers the job to an idle runner that is already online.
    Optional<SimRunner> idle = runners.values().stream()
        .filter(r -> r.online && r.job == null && covers(r, job)).findFirst();
    if (idle.isPresent()) {
      start(idle.get(), job);
    }
    // The webhook puts the message on the pool's queue with the pool's delay.
    PoolRuntime runtime = pools.get(job.pool);
    JobMessage message = new JobMessage(trace.jobId(), trace.jobId(), config.repository(),
        config.owner(), "Organization", 1L, trace.labels(), job.pool, "sim-" + trace.jobId(),
        clock.instant());
    int delay = pool.get().delaySeconds();
    runtime.enqueue(new Message("m-" + trace.jobId(), message, clock.instant().plusSeconds(delay)));
  }

  private boolean covers(SimRunner runner, SimJob job) {
    return runner.labels.containsAll(job.trace.labels().stream()
        .map(l -> l.toLowerCase(Locale.ROOT)).toList());
  }

  private void start(SimRunner runner, SimJob job) {
    queued.remove(job.trace.jobId());
    job.startedAt = clock.instant();
    job.runner = runner.name;
    runner.job = job;
    github.job(new WorkflowJob(job.trace.jobId(), job.trace.jobId(), "in_progress",
        job.trace.labels(), job.queuedAt, clock.instant(), runner.name));
    setBusy(runner, true);
    lastActivity = clock.instant();
    at(clock.instant().plusSeconds(job.trace.durationSeconds()), () -> complete(runner, job));
  }

  private void complete(SimRunner runner, SimJob job) {
    if (runner.job != job) {
      return; // the instance was interrupted first
    }
    job.completedAt = clock.instant();
    openJobs--;
    lastActivity = clock.instant();
    github.job(new WorkflowJob(job.trace.jobId(), job.trace.jobId(), "completed",
        job.trace.labels(), job.queuedAt, job.startedAt, runner.name));
    SimInstance instance = instances.get(runner.instance);
    instance.busySeconds += job.trace.durationSeconds();
    runner.job = null;
    if (runner.ephemeral) {
      // GitHub removes an ephemeral runner after its job; the start script shuts the instance down.
      setBusy(runner, false);
      github.deleteRunner(owner, runner.githubId);
      runners.remove(runner.name);
      fleet.terminate(List.of(runner.instance));
      instance.terminatedAt = clock.instant();
    } else {
      setBusy(runner, false);
      offerWork(runner);
    }
  }

  private void offerWork(SimRunner runner) {
    for (SimJob job : queued.values()) {
      if (covers(runner, job)) {
        start(runner, job);
        return;
      }
    }
  }

  private void setBusy(SimRunner runner, boolean busy) {
    github.runners(owner).stream().filter(r -> r.id() == runner.githubId).findFirst()
        .ifPresent(r -> github.setRunner(owner,
            new GitHubRunner(r.id(), r.name(), runner.online ? "online" : "offline", busy,
                r.labels())));
  }

  // ---- the runner machines ------------------------------------------------------------------

  private void boot(InstanceId id, int attempt) {
    SimInstance instance = instances.get(id);
    if (instance == null || instance.terminatedAt != null) {
      return;
    }
    PoolRuntime pool = pools.get(instance.pool);
    String name = pool.settings.configParameter(id.value());
    Optional<String> value = parameters.get(name);
    if (value.isEmpty()) {
      // the start script polls for its config, then gives up and shuts down
      if (attempt < 60) {
        at(clock.instant().plusSeconds(10), () -> boot(id, attempt + 1));
      } else {
        fleet.terminate(List.of(id));
        instance.terminatedAt = clock.instant();
      }
      return;
    }
    parameters.delete(name);
    instance.bootedAt = clock.instant();
    @SuppressWarnings("unchecked")
    Map<String, Object> runnerConfig = Json.read(value.get(), Map.class);
    String runnerName = String.valueOf(runnerConfig.get("runnerName"));
    Set<String> labels = pool.settings.labels().stream()
        .map(l -> l.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
    GitHubRunner registered;
    if ("jit".equals(runnerConfig.get("mode"))) {
      registered = github.runners(owner).stream().filter(r -> r.name().equals(runnerName))
          .findFirst().orElse(null);
      if (registered == null) {
        return; // scale-down removed the runner before the machine came up
      }
      registered = new GitHubRunner(registered.id(), registered.name(), "online", false,
          registered.labels());
      github.setRunner(owner, registered);
    } else {
      registered = github.addRunner(owner, runnerName, "online", false, pool.settings.labels());
    }
    SimRunner runner = new SimRunner(runnerName, id, instance.pool, labels, registered.id(),
        pool.settings.ephemeral());
    runner.online = true;
    runners.put(runnerName, runner);
    offerWork(runner);
  }

  private void interrupt(InstanceId id) {
    SimInstance instance = instances.get(id);
    if (instance == null || instance.terminatedAt != null) {
      return;
    }
    // EC2 takes it away: scale-down sees it among the interrupted instances for an hour.
    fleet.interrupt(id);
    instance.terminatedAt = clock.instant();
    instance.interrupted = true;
    SimRunner runner = runnerOf(id);
    if (runner != null) {
      runner.online = false;
      if (runner.job != null) {
        // GitHub fails the job when its runner disappears; it counts as interrupted.
        SimJob job = runner.job;
        instance.busySeconds += Duration.between(job.startedAt, clock.instant()).toSeconds();
        job.completedAt = clock.instant();
        job.interrupted = true;
        openJobs--;
        interruptedJobs++;
        runner.job = null;
      }
      setBusy(runner, false);
      runners.remove(runner.name);
    }
  }

  private SimRunner runnerOf(InstanceId id) {
    for (SimRunner runner : runners.values()) {
      if (runner.instance.equals(id)) {
        return runner;
      }
    }
    return null;
  }

  // ---- spotrunner's side: SQS → scale-up, schedule → scale-down -----------------------------

  private void poll(PoolRuntime pool) {
    List<Message> batch = pool.visible(clock.instant(), config.batchSize());
    if (batch.isEmpty()) {
      return;
    }
    List<Delivery> deliveries = new ArrayList<>();
    for (Message message : batch) {
      message.receiveCount++;
      deliveries.add(Delivery.of(message.id, message.receiveCount, message.job));
    }
    Set<String> retry;
    try {
      BatchOutcome outcome = pool.scaleUp.run(deliveries);
      retry = new HashSet<>(outcome.retry());
    } catch (RuntimeException e) {
      retry = batch.stream().map(m -> m.id).collect(Collectors.toSet());
    }
    for (Message message : batch) {
      if (!retry.contains(message.id)) {
        continue;
      }
      if (message.receiveCount >= config.maxReceiveCount()) {
        deadLettered++;
        continue;
      }
      message.visibleAt = clock.instant().plusSeconds(config.visibilityTimeoutSeconds());
      pool.enqueue(message);
    }
    syncFleet();
    if (!pool.visible(clock.instant(), Integer.MAX_VALUE).isEmpty()) {
      at(clock.instant(), () -> poll(pool));
    }
  }

  private void scaleDownCycle() {
    for (PoolRuntime pool : pools.values()) {
      try {
        pool.scaleDown.run();
      } catch (RuntimeException e) {
        // a failed cycle is retried by the next tick, as in production
      }
    }
    // runners scale-down deregistered are gone from GitHub
    Set<Long> registered = github.runners(owner).stream().map(GitHubRunner::id)
        .collect(Collectors.toSet());
    for (Iterator<SimRunner> it = runners.values().iterator(); it.hasNext(); ) {
      SimRunner runner = it.next();
      if (!registered.contains(runner.githubId)) {
        if (runner.job != null) {
          busyRunnersTerminated++;
        }
        it.remove();
      }
    }
    syncFleet();
  }

  /** Notices instances launched or terminated by spotrunner's code since the last look. */
  private void syncFleet() {
    Map<InstanceId, RunnerInstance> alive = new LinkedHashMap<>();
    fleet.all().forEach(i -> alive.put(i.id(), i));
    for (RunnerInstance instance : alive.values()) {
      if (!instances.containsKey(instance.id())) {
        String poolName = instance.tag(dev.spotrunner.common.fleet.Tags.POOL);
        SimInstance sim = new SimInstance(instance.id(), poolName, clock.instant(),
            instance.capacityType());
        instances.put(instance.id(), sim);
        PoolRuntime pool = pools.get(poolName);
        at(clock.instant().plusSeconds(pool.bootTime.sampleSeconds()), () -> boot(instance.id(), 0));
        if (interruptFirstAfterSeconds != null) {
          at(clock.instant().plusSeconds(interruptFirstAfterSeconds), () -> interrupt(instance.id()));
          interruptFirstAfterSeconds = null;
        }
        if (instance.capacityType() == CapacityType.SPOT && config.spotInterruptionsPerHour() > 0) {
          double hours = new ExponentialDistribution(random, 1.0 / config.spotInterruptionsPerHour())
              .sample();
          at(clock.instant().plusSeconds((long) (hours * 3600)), () -> interrupt(instance.id()));
        }
      }
    }
    List<InstanceId> gone = instances.values().stream()
        .filter(i -> i.terminatedAt == null && !alive.containsKey(i.id))
        .map(i -> i.id).sorted((a, b) -> a.value().compareTo(b.value())).toList();
    for (InstanceId id : gone) {
      SimInstance instance = instances.get(id);
      instance.terminatedAt = clock.instant();
      SimRunner runner = runnerOf(id);
      if (runner != null) {
        if (runner.job != null) {
          busyRunnersTerminated++;
        }
        runners.remove(runner.name);
      }
    }
  }

  private void sample(Instant when) {
    Map<String, Integer> running = new TreeMap<>();
    Map<String, Integer> waiting = new TreeMap<>();
    for (String name : pools.keySet()) {
      running.put(name, 0);
      waiting.put(name, 0);
    }
    for (SimInstance instance : instances.values()) {
      if (instance.terminatedAt == null) {
        running.merge(instance.pool, 1, Integer::sum);
      }
    }
    for (SimJob job : queued.values()) {
      waiting.merge(job.pool, 1, Integer::sum);
    }
    timeline.add(new Sample(when, running, waiting));
  }

  // ---- per-pool wiring of the real classes -------------------------------------------------

  private final class PoolRuntime {
    final PoolSettings settings;
    final ScaleUp scaleUp;
    final ScaleDown scaleDown;
    final BootTime bootTime;
    final PriorityQueue<Message> queue = new PriorityQueue<>(
        (a, b) -> a.visibleAt.equals(b.visibleAt) ? Long.compare(a.order, b.order)
            : a.visibleAt.compareTo(b.visibleAt));
    long order;

    PoolRuntime(SimulationConfig.SimPool pool) {
      Map<String, String> env = environment(pool);
      ScaleUpSettings upSettings = ScaleUpSettings.fromEnv(env);
      this.settings = upSettings.pool();
      RunnerConfigs configs = new RunnerConfigs(settings, metered, clock);
      RunnerLauncher launcher = new RunnerLauncher(settings, fleet, metered, parameters, configs,
          new DirectExecutorService());
      this.scaleUp = new ScaleUp(upSettings, fleet, metered, launcher, clock);
      RequestBudget budget = (o, points) ->
          metered.pointsThisMinute() + points <= RequestBudget.POINTS_PER_MINUTE;
      this.scaleDown = new ScaleDown(ScaleDownSettings.fromEnv(env), fleet, metered, parameters,
          budget, (o, count) -> launcher.launch(new LaunchRequest(o, "Organization",
              Collections.nCopies(count, RunnerSlot.warm()), "warm-" + clock.instant()))
              .launched().size(),
          (o, type, jobId, repository) -> !launcher.launch(new LaunchRequest(o, type,
              List.of(RunnerSlot.forJob(jobId, repository)), "rescue-" + clock.instant()))
              .launched().isEmpty(),
          new Emf(line -> {}), clock);
      this.bootTime = BootTime.of(pool, random);
    }

    void enqueue(Message message) {
      message.order = order++;
      queue.add(message);
      at(message.visibleAt.plusSeconds(config.batchWindowSeconds()), () -> poll(this));
    }

    List<Message> visible(Instant now, int max) {
      List<Message> batch = new ArrayList<>();
      if (max == Integer.MAX_VALUE) {
        for (Message m : queue) {
          if (!m.visibleAt.isAfter(now)) {
            batch.add(m);
          }
        }
        return batch;
      }
      while (batch.size() < max && !queue.isEmpty() && !queue.peek().visibleAt.isAfter(now)) {
        batch.add(queue.poll());
      }
      return batch;
    }
  }

  private Map<String, String> environment(SimulationConfig.SimPool pool) {
    Map<String, String> env = new HashMap<>();
    env.put("ENVIRONMENT", ENVIRONMENT);
    env.put("POOL_NAME", pool.name());
    env.put("POOL_LABELS", String.join(",", pool.labels()));
    env.put("RUNNER_LEVEL", "org");
    env.put("LAUNCH_TEMPLATE_NAME", "sim-" + pool.name());
    env.put("INSTANCE_TYPES", pool.instanceType());
    env.put("SUBNET_IDS", "subnet-00000000");
    env.put("MAX_RUNNERS", Integer.toString(pool.maxRunners()));
    env.put("CAPACITY_TYPE", pool.capacityType());
    env.put("ON_DEMAND_FAILOVER", Boolean.toString(pool.onDemandFailover()));
    env.put("EPHEMERAL", Boolean.toString(pool.ephemeral()));
    env.put("USE_JIT_CONFIG", Boolean.toString(pool.jit()));
    env.put("GITHUB_APP_ID_PARAM", "/sim/github/app-id");
    env.put("GITHUB_APP_KEY_PARAM", "/sim/github/app-key");
    env.put("JOB_QUEUED_CHECK", "true");
    env.put("MINIMUM_RUNNING_TIME_MINUTES", Integer.toString(pool.minimumRunningTimeMinutes()));
    env.put("BOOT_GRACE_MINUTES", Integer.toString(pool.bootGraceMinutes()));
    env.put("WARM_EVICTION", pool.warmEviction());
    if (pool.warmWindows() != null && !pool.warmWindows().isNull()) {
      env.put("WARM_WINDOWS", pool.warmWindows().toString());
    }
    return env;
  }

  // ---- state ------------------------------------------------------------------------------

  static final class Message {
    final String id;
    final JobMessage job;
    Instant visibleAt;
    int receiveCount;
    long order;

    Message(String id, JobMessage job, Instant visibleAt) {
      this.id = id;
      this.job = job;
      this.visibleAt = visibleAt;
    }
  }

  static final class SimJob {
    final TraceJob trace;
    final String pool;
    final Instant queuedAt;
    Instant startedAt;
    Instant completedAt;
    String runner;
    boolean interrupted;

    SimJob(TraceJob trace, String pool, Instant queuedAt) {
      this.trace = trace;
      this.pool = pool;
      this.queuedAt = queuedAt;
    }

    Long waitSeconds() {
      return startedAt == null ? null : Duration.between(queuedAt, startedAt).toSeconds();
    }
  }

  static final class SimRunner {
    final String name;
    final InstanceId instance;
    final String pool;
    final Set<String> labels;
    final long githubId;
    final boolean ephemeral;
    boolean online;
    SimJob job;

    SimRunner(String name, InstanceId instance, String pool, Set<String> labels, long githubId,
        boolean ephemeral) {
      this.name = name;
      this.instance = instance;
      this.pool = pool;
      this.labels = labels;
      this.githubId = githubId;
      this.ephemeral = ephemeral;
    }
  }

  static final class SimInstance {
    final InstanceId id;
    final String pool;
    final Instant launchedAt;
    final CapacityType capacityType;
    Instant bootedAt;
    Instant terminatedAt;
    long busySeconds;
    boolean interrupted;

    SimInstance(InstanceId id, String pool, Instant launchedAt, CapacityType capacityType) {
      this.id = id;
      this.pool = pool;
      this.launchedAt = launchedAt;
      this.capacityType = capacityType;
    }
  }

  /** Instances running and jobs waiting per pool at one minute. */
  public record Sample(Instant at, Map<String, Integer> instances, Map<String, Integer> waiting) {}
}
