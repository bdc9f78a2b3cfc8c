package dev.spotrunner.simulator;

import dev.spotrunner.common.fleet.CapacityType;
import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.github.GitHubRunner;
import dev.spotrunner.common.github.GitHubRunners;
import dev.spotrunner.common.github.WorkflowJob;
import dev.spotrunner.common.job.JobId;
import dev.spotrunner.common.job.JobMessage;
import dev.spotrunner.common.job.JobStart;
import dev.spotrunner.common.job.PoolDefinition;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.common.json.Json;
import dev.spotrunner.runners.interruption.Ec2Event;
import dev.spotrunner.runners.interruption.InstanceFacts;
import dev.spotrunner.runners.interruption.Instances;
import dev.spotrunner.runners.interruption.InterruptionMetrics;
import dev.spotrunner.runners.interruption.InterruptionSettings;
import dev.spotrunner.runners.interruption.Interruptions;
import dev.spotrunner.runners.interruption.Reruns;
import dev.spotrunner.runners.launch.RunnerConfigs;
import dev.spotrunner.runners.launch.RunnerLauncher;
import dev.spotrunner.runners.pool.PoolQueues;
import dev.spotrunner.runners.pool.PoolSettings;
import dev.spotrunner.runners.redrive.Redrive;
import dev.spotrunner.runners.scaledown.Emf;
import dev.spotrunner.runners.scaledown.QueuedLaunches;
import dev.spotrunner.runners.scaledown.RequestBudget;
import dev.spotrunner.runners.scaledown.ScaleDown;
import dev.spotrunner.runners.scaledown.ScaleDownSettings;
import dev.spotrunner.runners.scaleup.BatchOutcome;
import dev.spotrunner.runners.scaleup.JobRechecks;
import dev.spotrunner.runners.scaleup.JobReturns;
import dev.spotrunner.runners.scaleup.JobStarts;
import dev.spotrunner.runners.scaleup.Rescues;
import dev.spotrunner.runners.scaleup.LaunchLock;
import dev.spotrunner.runners.scaleup.QueuedMessage;
import dev.spotrunner.runners.scaleup.ScaleUp;
import dev.spotrunner.runners.scaleup.ScaleUpSettings;
import dev.spotrunner.runners.scaleup.WarmRequest;
import dev.spotrunner.testkit.fakes.FakeGitHub;
import dev.spotrunner.testkit.fakes.InMemoryParameters;
import dev.spotrunner.webhook.PoolRouter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
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
 * ({@link ScaleUp}, {@link RunnerLauncher}) and scale-down ({@link ScaleDown}) classes, configured
 * with the environment Terraform gives each function ({@link Deployment}) and wired to in-memory
 * fakes of the ports and a {@link VirtualClock}: events run in time order and nothing sleeps. Each
 * pool's queue is a {@link SimQueue} with the deployed delay, visibility timeout and receives before
 * the DLQ, behind the port through which scale-up returns and rechecks jobs and scale-down asks for
 * warm and rescue runners and redrives the DLQ, wired as in production; scale-up runs at most its
 * deployed concurrency of invocations at once, each taking the scenario's time, under the pool's
 * launch lock. GitHub
 * is modelled as it behaves: a queued job goes to an idle online runner whose labels cover it,
 * oldest job first; an ephemeral runner takes one job and its instance shuts down. The world's
 * faults ({@link Scenario}): long-tailed boots, control-plane latencies, spot capacity outages per
 * instance type and subnet, independent and correlated reclaims, GitHub's points budget and outages.
 */
public final class Simulation {
  private final Deployment deployment;
  private final Scenario scenario;
  private final RandomGenerator random;
  private final VirtualClock clock;
  private final FakeGitHub github;
  private final SimGitHub apps;
  private final GitHubRunners metered;
  private final SimFleet fleet;
  private final InMemoryParameters parameters = new InMemoryParameters();
  private final PoolRouter router;
  private final Map<String, PoolRuntime> pools = new LinkedHashMap<>();
  private final Distribution webhookToQueue;
  private final Distribution scaleUpDuration;
  private final Distribution assignLatency;
  private final Distribution shutdown;
  private final Map<SimFleet.Placement, List<Instant[]>> capacityOutages = new HashMap<>();

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
  private int reclaimWaves;
  private int reclaimedInWaves;
  private int openJobs;
  private int arrivalsLeft;
  private Instant lastActivity;
  private Long interruptFirstAfterSeconds;
  /** The interruption function when Terraform deploys it: warnings, re-runs, breakers. */
  private final Interruptions interruptions;
  private InterruptionSettings interruptionSettings;
  private final Map<Long, SimJob> byGitHubId = new HashMap<>();
  private long nextRerunId = RERUN_IDS;
  private int reruns;
  private int breakersOpened;
  private int badMarketReclaims;
  private final Map<String, Integer> interruptionOutcomes = new TreeMap<>();

  /** Spot's notice before it takes an instance (EC2: the two-minute interruption warning). */
  static final Duration SPOT_WARNING = Duration.ofMinutes(2);
  /** Job ids GitHub gives re-run attempts in the simulation: above any real trace's. */
  private static final long RERUN_IDS = 9_000_000_000_000L;

  public Simulation(Deployment deployment, Scenario scenario, long seed, Instant start) {
    this.deployment = deployment;
    this.scenario = scenario;
    this.random = new Well19937c(seed);
    this.clock = new VirtualClock(start);
    this.github = new FakeGitHub(clock);
    // one budget per App and installation; the real GitHubApps picks the App per call
    this.apps = new SimGitHub(github, clock, deployment.githubApps(), scenario.github(),
        new GitHubJobs());
    this.metered = apps.selection();
    this.fleet = new SimFleet(clock, this::spotAvailable, scenario.prices(),
        scenario.ec2().listingLagSeconds());
    this.router = PoolRouter.parse(deployment.webhookPools());
    this.webhookToQueue = Distribution.of(scenario.controlPlane().webhookToQueue(), random,
        "controlPlane.webhookToQueue");
    this.scaleUpDuration = Distribution.of(scenario.controlPlane().scaleUp(), random,
        "controlPlane.scaleUp");
    this.assignLatency = Distribution.of(scenario.controlPlane().assign(), random,
        "controlPlane.assign");
    this.shutdown = Distribution.of(scenario.controlPlane().shutdown(), random,
        "controlPlane.shutdown");
    for (Deployment.DeployedPool pool : deployment.pools()) {
      pools.put(pool.name(), new PoolRuntime(pool));
    }
    this.interruptions = deployment.interruptions() == null ? null : interruptionFunction();
    for (PoolDefinition definition : router.pools()) {
      if (!pools.containsKey(definition.name())) {
        throw new IllegalArgumentException("the webhook routes to pool " + definition.name()
            + ", which has no scale-up function");
      }
    }
  }

  /**
   * The interruption function as runners/interruption/InterruptionWiring builds it, over the
   * simulated EC2 and the first App (Terraform gives it that one), with the deployed settings.
   */
  private Interruptions interruptionFunction() {
    InterruptionSettings settings = InterruptionSettings.fromEnv(deployment.interruptions().env());
    this.interruptionSettings = settings;
    InterruptionMetrics metrics = new InterruptionMetrics(clock, line -> {
      // the EMF document CloudWatch would count as SpotBreakerOpened
      if (line.contains("\"SpotBreakerOpened\"")) {
        breakersOpened++;
      }
      for (InterruptionMetrics.Count count : InterruptionMetrics.Count.values()) {
        if (line.contains("\"" + count.metric() + "\"")) {
          interruptionOutcomes.merge("metric " + count.metric(), 1, Integer::sum);
        }
      }
    });
    SimInstances simInstances = new SimInstances();
    Reruns followUp = new Reruns(settings, apps.firstApp(), parameters, simInstances, metrics, clock);
    // no pause when an instance is not tagged yet: simulated time does not pass inside a call
    return new Interruptions(settings, simInstances, apps.firstApp(), parameters, followUp,
        metrics, clock, pause -> { });
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
    Instant horizon = lastQueued.plus(Duration.ofDays(2));
    for (PoolRuntime pool : pools.values()) {
      Duration every = Duration.ofMinutes(pool.deployed.scaleDownEveryMinutes());
      for (Instant t = tick; !t.isAfter(horizon); t = t.plus(every)) {
        at(t, () -> scaleDownCycle(pool));
      }
    }
    for (Instant t = first; !t.isAfter(horizon); t = t.plusSeconds(60)) {
      Instant when = t;
      at(when, () -> sample(when));
    }
    if (interruptions != null) {
      Duration every = Duration.ofMinutes(deployment.interruptions().followUpEveryMinutes());
      for (Instant t = tick; !t.isAfter(horizon); t = t.plus(every)) {
        at(t, () -> interruptionEvent(new Ec2Event(Ec2Event.Kind.SCHEDULE, null, clock.instant(),
            null)));
      }
    }
    planCapacityOutages(tick, horizon);
    planReclaimWaves(tick, horizon);
    lastActivity = first;
    Duration settle = pools.values().stream()
        .map(p -> Duration.ofMinutes(3L * p.deployed.scaleDownEveryMinutes())
            .plus(max(p.downSettings.minimumRunningTime(), p.downSettings.bootGrace())))
        .max(Duration::compareTo).orElseThrow();
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
    return SimulationResult.of(this, Duration.ofNanos(System.nanoTime() - started), first, end);
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  // ---- world faults planned ahead -----------------------------------------------------------

  /** Each (instance type, subnet) pair of every pool is out of spot capacity now and then. */
  private void planCapacityOutages(Instant from, Instant to) {
    Scenario.Capacity capacity = scenario.spot().capacity();
    for (PoolRuntime pool : pools.values()) {
      for (String type : pool.settings.instanceTypes()) {
        for (String subnet : pool.settings.subnetIds().isEmpty() ? List.of("default")
            : pool.settings.subnetIds()) {
          SimFleet.Placement pair = new SimFleet.Placement(type, subnet);
          if (capacityOutages.containsKey(pair)) {
            continue;
          }
          List<Instant[]> outages = new ArrayList<>();
          for (Scenario.CapacityOutage known : capacity.outages()) {
            if (known.instanceType().equals(type)
                && (known.subnet() == null || known.subnet().equals(subnet))) {
              outages.add(new Instant[] {known.start(),
                  known.start().plusSeconds(60L * known.minutes())});
            }
          }
          capacityOutages.put(pair, outages);
          if (capacity.outagesPerDay() <= 0) {
            continue;
          }
          ExponentialDistribution gap = new ExponentialDistribution(random,
              86_400.0 / capacity.outagesPerDay());
          ExponentialDistribution length = new ExponentialDistribution(random,
              capacity.meanOutageMinutes() * 60);
          for (Instant t = from.plusSeconds((long) gap.sample()); t.isBefore(to);
              t = t.plusSeconds((long) gap.sample())) {
            Instant end = t.plusSeconds((long) length.sample());
            outages.add(new Instant[] {t, end});
            t = end;
          }
        }
      }
    }
  }

  private boolean spotAvailable(SimFleet.Placement pair, Instant now) {
    for (Instant[] outage : capacityOutages.getOrDefault(pair, List.of())) {
      if (!now.isBefore(outage[0]) && now.isBefore(outage[1])) {
        return false;
      }
    }
    return true;
  }

  /** Correlated reclaims: a wave takes a share of the running spot instances of one type. */
  private void planReclaimWaves(Instant from, Instant to) {
    Scenario.Waves waves = scenario.spot().reclaimWaves();
    List<String> types = pools.values().stream().flatMap(p -> p.settings.instanceTypes().stream())
        .distinct().toList();
    for (Instant known : waves.at()) {
      String type = waves.instanceType() != null ? waves.instanceType()
          : types.get(random.nextInt(types.size()));
      at(known, () -> reclaimWave(type, waves.fraction()));
    }
    if (waves.perWeek() <= 0 || waves.fraction() <= 0) {
      return;
    }
    ExponentialDistribution gap = new ExponentialDistribution(random, 7 * 86_400.0 / waves.perWeek());
    for (Instant t = from.plusSeconds((long) gap.sample()); t.isBefore(to);
        t = t.plusSeconds((long) gap.sample())) {
      String type = types.get(random.nextInt(types.size()));
      at(t, () -> reclaimWave(type, waves.fraction()));
    }
  }

  /** A wave now: each running spot instance of this type is reclaimed with this probability. */
  private void reclaimWave(String type, double fraction) {
    reclaimWaves++;
    for (RunnerInstance instance : List.copyOf(fleet.all())) {
      SimFleet.Placement where = fleet.placement(instance.id());
      if (instance.capacityType() == CapacityType.SPOT && where != null
          && where.instanceType().equals(type) && random.nextDouble() < fraction) {
        reclaimedInWaves++;
        interrupt(instance.id());
      }
    }
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
    arrivalsLeft--;
    queue(trace, trace.jobId(), 0);
  }

  /** GitHub queues a job (or a re-run attempt of one: a new job id in the same run). */
  private void queue(TraceJob trace, long runId, int attempt) {
    List<String> labels = labelsOf(trace);
    Optional<PoolDefinition> pool = router.route(labels);
    SimJob job = new SimJob(trace, labels, pool.map(PoolDefinition::name).orElse(null),
        clock.instant());
    job.runId = runId;
    job.attempt = attempt;
    jobs.add(job);
    byGitHubId.put(trace.jobId(), job);
    if (pool.isEmpty()) {
      notOurs++;
      return;
    }
    lastActivity = clock.instant();
    openJobs++;
    queued.put(trace.jobId(), job);
    github.job(new WorkflowJob(trace.jobId(), trace.jobId(), "queued", labels,
        clock.instant(), null));
    // GitHub first offers the job to an idle runner that is already online.
    Optional<SimRunner> idle = runners.values().stream()
        .filter(r -> r.online && r.job == null && covers(r, job)).findFirst();
    if (idle.isPresent()) {
      start(idle.get(), job);
    }
    // The webhook puts the message on the pool's queue with the pool's delay, as Webhook does.
    PoolRuntime runtime = pools.get(job.pool);
    JobMessage message = new JobMessage(trace.jobId(), trace.jobId(), scenario.repository(),
        scenario.owner(), "Organization", 1L, labels, job.pool, "sim-" + trace.jobId(),
        clock.instant());
    long delay = webhookToQueue.sampleSeconds() + pool.get().delaySeconds();
    runtime.queue.send(pool.get().queueUrl(), message.toJson(), (int) delay,
        Map.of("deliveryId", message.deliveryId(), "jobId", Long.toString(trace.jobId())));
  }

  /** The trace's labels, translated to the deployment's where the scenario maps them. */
  private List<String> labelsOf(TraceJob trace) {
    return labelsOf(trace, scenario);
  }

  /**
   * How many of the trace's jobs the deployment's webhook routes to each pool, with the
   * scenario's label map: what {@code simulate} checks before it replays anything.
   */
  static Map<String, Integer> routed(Deployment deployment, Scenario scenario,
      List<TraceJob> trace) {
    PoolRouter router = PoolRouter.parse(deployment.webhookPools());
    Map<String, Integer> counts = new java.util.TreeMap<>();
    for (TraceJob job : trace) {
      router.route(labelsOf(job, scenario))
          .ifPresent(pool -> counts.merge(pool.name(), 1, Integer::sum));
    }
    return counts;
  }

  private static List<String> labelsOf(TraceJob trace, Scenario scenario) {
    List<String> labels = new ArrayList<>();
    for (String label : trace.labels()) {
      List<String> mapped = scenario.labels().get(label);
      if (mapped == null) {
        labels.add(label);
      } else {
        mapped.stream().filter(l -> !labels.contains(l)).forEach(labels::add);
      }
    }
    return labels;
  }

  private boolean covers(SimRunner runner, SimJob job) {
    return runner.labels.containsAll(job.labels.stream()
        .map(l -> l.toLowerCase(Locale.ROOT)).toList());
  }

  /** GitHub assigns the job to the runner; it starts after the assignment latency. */
  private void start(SimRunner runner, SimJob job) {
    queued.remove(job.trace.jobId());
    job.startedAt = clock.instant().plusSeconds(assignLatency.sampleSeconds());
    job.runner = runner.name;
    runner.job = job;
    github.job(new WorkflowJob(job.trace.jobId(), job.trace.jobId(), "in_progress",
        job.labels, job.queuedAt, job.startedAt, runner.name));
    setBusy(runner, true);
    lastActivity = clock.instant();
    at(job.startedAt.plusSeconds(job.trace.durationSeconds()), () -> complete(runner, job));
    // GitHub's in_progress webhook names the runner: on the pool's queue (no delay) to scale-up,
    // which tags the runner's instance with the job (runners/scaleup/JobStarts)
    at(job.startedAt.plusSeconds(webhookToQueue.sampleSeconds()), () -> jobStartTagged(runner, job));
  }

  private void jobStartTagged(SimRunner runner, SimJob job) {
    PoolRuntime pool = pools.get(runner.pool);
    long id = job.trace.jobId();
    JobStart start = new JobStart(JobId.of(id), scenario.repository(), runner.name, job.pool,
        "sim-start-" + id, job.startedAt);
    pool.jobStarts.handle(
        List.of(new JobStarts.Received("start-" + id, start.toJson(), 1)));
    SimInstance instance = instances.get(runner.instance);
    if (instance != null) {
      fleet.all().stream().filter(i -> i.id().equals(runner.instance)).findFirst()
          .ifPresent(live -> instance.tags.putAll(live.tags()));
    }
  }

  private void complete(SimRunner runner, SimJob job) {
    if (runner.job != job) {
      return; // the instance was interrupted first
    }
    job.completedAt = clock.instant();
    openJobs--;
    lastActivity = clock.instant();
    github.job(new WorkflowJob(job.trace.jobId(), job.trace.jobId(), "completed",
        job.labels, job.queuedAt, job.startedAt, runner.name));
    SimInstance instance = instances.get(runner.instance);
    instance.busySeconds += job.trace.durationSeconds();
    runner.job = null;
    if (runner.ephemeral) {
      // GitHub removes an ephemeral runner after its job; the start script shuts the instance
      // down, which takes a while and is billed (as idle).
      setBusy(runner, false);
      github.deleteRunner(owner(runner.pool), runner.githubId);
      runners.remove(runner.name);
      at(clock.instant().plusSeconds(shutdown.sampleSeconds()), () -> {
        if (instance.terminatedAt == null) {
          fleet.terminate(List.of(runner.instance));
          instance.terminatedAt = clock.instant();
        }
      });
    } else {
      setBusy(runner, false);
      offerWork(runner);
    }
  }

  private RunnerOwner owner(String pool) {
    return pools.get(pool).owner;
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
    RunnerOwner owner = owner(runner.pool);
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
    RunnerOwner owner = pool.owner;
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

  /**
   * Spot reclaims the instance. With the interruption function deployed, EC2's two-minute warning
   * goes to it first (an idle runner is deregistered, a busy one's job recorded, the breakers
   * count it) and the instance goes two minutes later, followed by its state-change event.
   */
  private void interrupt(InstanceId id) {
    SimInstance instance = instances.get(id);
    if (instance == null || instance.terminatedAt != null || instance.warned) {
      return;
    }
    if (interruptions == null) {
      reclaim(id);
      return;
    }
    instance.warned = true;
    interruptionEvent(new Ec2Event(Ec2Event.Kind.SPOT_WARNING, id, clock.instant(), null));
    at(clock.instant().plus(SPOT_WARNING), () -> {
      reclaim(id);
      interruptionEvent(new Ec2Event(Ec2Event.Kind.STATE_CHANGE, id, clock.instant(),
          "terminated"));
    });
  }

  /** One invocation of the interruption function; a failed one is dropped (EventBridge retries). */
  private void interruptionEvent(Ec2Event event) {
    apps.actingFor("interruptions");
    try {
      Interruptions.Outcome outcome = interruptions.handle(event);
      if (event.kind() != Ec2Event.Kind.SCHEDULE) {
        interruptionOutcomes.merge(event.kind() + " " + outcome, 1, Integer::sum);
      }
    } catch (RuntimeException e) {
      // a refused or failed call: the schedule's follow-up picks the re-runs up
    } finally {
      apps.actingFor(null);
    }
    for (PoolRuntime pool : pools.values()) {
      forgetDeregistered(pool);
    }
  }

  private void reclaim(InstanceId id) {
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
        instance.busySeconds += Math.max(0,
            Duration.between(job.startedAt, clock.instant()).toSeconds());
        job.completedAt = clock.instant();
        job.interrupted = true;
        openJobs--;
        interruptedJobs++;
        // its re-run, if the interruption function asks for one, follows: the replay goes on
        lastActivity = clock.instant();
        runner.job = null;
        github.job(new WorkflowJob(job.trace.jobId(), job.trace.jobId(), "completed",
            job.labels, job.queuedAt, job.startedAt, runner.name));
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

  /**
   * The event source mapping: while the pool has fewer scale-up invocations running than its
   * concurrency allows and messages are visible, it receives a batch (hidden for the visibility
   * timeout) and invokes scale-up, which takes the scenario's time and decides at its end. The
   * launch lock is taken when the invocation starts and held until it ends: an invocation that
   * starts while another holds it finds it held, as its {@code PutParameter} would.
   */
  private void poll(PoolRuntime pool) {
    while (pool.running < pool.concurrency) {
      List<SimQueue.Message> batch = pool.queue.receiveBatch(pool.deployed.batchSize(),
          pool.deployed.visibilityTimeoutSeconds());
      if (batch.isEmpty()) {
        return;
      }
      pool.running++;
      pool.invocations++;
      pool.peakRunning = Math.max(pool.peakRunning, pool.running);
      Instant end = clock.instant().plusSeconds(scaleUpDuration.sampleSeconds());
      boolean locked = pool.lock.begin(clock.instant(), end);
      at(end, () -> invoke(pool, batch, locked));
    }
  }

  /**
   * One invocation, as the handler does it: each message parsed with its attributes and receive
   * count, the batch run, every message not in the batch failures deleted; the failures wait out
   * their visibility (the timeout from their receipt, or what scale-up set with
   * ChangeMessageVisibility).
   */
  private void invoke(PoolRuntime pool, List<SimQueue.Message> batch, boolean locked) {
    List<QueuedMessage> deliveries = new ArrayList<>();
    for (SimQueue.Message m : batch) {
      deliveries.add(QueuedMessage.parse(m.id, m.body, Integer.toString(m.receiveCount),
          m.attributes.get(JobRechecks.ATTRIBUTE), m.attributes.get(JobReturns.WAIT_ATTRIBUTE),
          m.attributes.get(WarmRequest.KIND_ATTRIBUTE), m.receipt));
    }
    Set<String> retry;
    apps.actingFor(pool.deployed.name());
    pool.lock.enter(locked);
    try {
      BatchOutcome outcome = pool.scaleUp.run(deliveries);
      retry = new HashSet<>(outcome.retry());
    } catch (RuntimeException e) {
      retry = batch.stream().map(m -> m.id).collect(Collectors.toSet());
    } finally {
      pool.lock.enter(false);
      apps.actingFor(null);
    }
    List<String> back = new ArrayList<>();
    for (SimQueue.Message message : batch) {
      if (retry.contains(message.id)) {
        back.add(message.receipt);
      } else {
        pool.queue.delete(pool.queue.queueUrl(), message.receipt);
      }
    }
    pool.queue.release(back);
    pool.running--;
    syncFleet();
    at(clock.instant(), () -> poll(pool));
  }

  private void scaleDownCycle(PoolRuntime pool) {
    apps.actingFor(pool.deployed.name());
    try {
      pool.scaleDown.run();
    } catch (RuntimeException e) {
      // a failed cycle is retried by the next tick, as in production
    }
    try {
      // the DLQ redrive follows each cycle, as ScaleDownHandler runs it
      if (pool.redrive != null) {
        pool.redrive.run();
        pool.queue.releaseDeadLetters();
      }
    } finally {
      apps.actingFor(null);
    }
    forgetDeregistered(pool);
    syncFleet();
  }

  /** Runners spotrunner deregistered are gone from GitHub: GitHub gives them no job. */
  private void forgetDeregistered(PoolRuntime pool) {
    Set<Long> registered = github.runners(pool.owner).stream().map(GitHubRunner::id)
        .collect(Collectors.toSet());
    for (Iterator<SimRunner> it = runners.values().iterator(); it.hasNext(); ) {
      SimRunner runner = it.next();
      if (runner.pool.equals(pool.deployed.name()) && !registered.contains(runner.githubId)) {
        if (runner.job != null) {
          busyRunnersTerminated++;
        }
        it.remove();
      }
    }
  }

  /** Notices instances launched or terminated by spotrunner's code since the last look. */
  private void syncFleet() {
    Map<InstanceId, RunnerInstance> alive = new LinkedHashMap<>();
    fleet.all().forEach(i -> alive.put(i.id(), i));
    for (RunnerInstance instance : alive.values()) {
      if (!instances.containsKey(instance.id())) {
        String poolName = instance.tag(Tags.POOL);
        SimFleet.Placement where = fleet.placement(instance.id());
        SimInstance sim = new SimInstance(instance.id(), poolName, clock.instant(),
            instance.capacityType(), where == null ? null : where.instanceType());
        sim.subnet = where == null ? null : where.subnet();
        sim.tags.putAll(instance.tags());
        instances.put(instance.id(), sim);
        if (instance.capacityType() == CapacityType.SPOT) {
          planBadMarketReclaim(sim);
        }
        PoolRuntime pool = pools.get(poolName);
        at(clock.instant().plusSeconds(pool.bootTime.sampleSeconds()), () -> boot(instance.id(), 0));
        if (interruptFirstAfterSeconds != null) {
          at(clock.instant().plusSeconds(interruptFirstAfterSeconds), () -> interrupt(instance.id()));
          interruptFirstAfterSeconds = null;
        }
        double rate = scenario.spot().interruptionsPerHour();
        if (instance.capacityType() == CapacityType.SPOT && rate > 0) {
          double hours = new ExponentialDistribution(random, 1.0 / rate).sample();
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

  /**
   * A spot instance in a bad market is reclaimed at the market's rate while the stretch lasts
   * (memoryless: drawn from its launch or the stretch's start, whichever is later).
   */
  private void planBadMarketReclaim(SimInstance instance) {
    for (Scenario.BadMarket market : scenario.spot().badMarkets()) {
      if (!market.instanceType().equals(instance.instanceType)
          || market.subnet() != null && !market.subnet().equals(instance.subnet)) {
        continue;
      }
      Instant from = clock.instant().isAfter(market.start()) ? clock.instant() : market.start();
      Instant end = market.start().plusSeconds(60L * market.minutes());
      double hours = new ExponentialDistribution(random, 1.0 / market.interruptionsPerHour())
          .sample();
      Instant when = from.plusSeconds((long) (hours * 3600));
      if (when.isBefore(end)) {
        at(when, () -> {
          SimInstance now = instances.get(instance.id);
          if (now.terminatedAt == null && !now.warned) {
            badMarketReclaims++;
          }
          interrupt(instance.id);
        });
      }
    }
  }

  // ---- GitHub's side of the interruption function: outcomes and re-runs, EC2's describe -------

  /** What GitHub answers about a job's outcome and to a re-run (the Actions API). */
  private final class GitHubJobs implements MeteredGitHub.Jobs {
    @Override
    public Optional<GitHubRunners.JobOutcome> outcome(long jobId) {
      SimJob job = byGitHubId.get(jobId);
      if (job == null) {
        return Optional.empty();
      }
      boolean completed = job.completedAt != null && !job.completedAt.isAfter(clock.instant());
      String status = completed ? "completed" : job.startedAt != null ? "in_progress" : "queued";
      return Optional.of(new GitHubRunners.JobOutcome(jobId, job.runId, status,
          completed ? (job.interrupted ? "failure" : "success") : null, job.runner, "job"));
    }

    /** A completed job's re-run: a new job (new id, same run) queued now, as GitHub does. */
    @Override
    public GitHubRunners.RerunAnswer rerun(long jobId) {
      SimJob job = byGitHubId.get(jobId);
      if (job == null || job.completedAt == null || job.rerunAs != null) {
        return GitHubRunners.RerunAnswer.REFUSED;
      }
      long id = nextRerunId++;
      job.rerunAs = id;
      reruns++;
      TraceJob attempt = new TraceJob(id, clock.instant(), job.trace.durationSeconds(),
          job.trace.labels(), null);
      at(clock.instant(), () -> queue(attempt, job.runId, job.attempt + 1));
      return GitHubRunners.RerunAnswer.ACCEPTED;
    }
  }

  /** EC2 as the interruption function describes and tags instances (terminated ones for a while). */
  private final class SimInstances implements Instances {
    @Override
    public Optional<InstanceFacts> describe(InstanceId id) {
      SimInstance instance = instances.get(id);
      if (instance == null) {
        return Optional.empty();
      }
      fleet.all().stream().filter(i -> i.id().equals(id)).findFirst()
          .ifPresent(live -> instance.tags.putAll(live.tags()));
      String subnet = "default".equals(instance.subnet) ? null : instance.subnet;
      return Optional.of(new InstanceFacts(id,
          instance.terminatedAt == null ? "running" : "terminated", instance.instanceType,
          subnet, subnet, instance.capacityType == CapacityType.SPOT, instance.tags));
    }

    @Override
    public void tag(InstanceId id, Map<String, String> tags) {
      SimInstance instance = instances.get(id);
      if (instance != null) {
        instance.tags.putAll(tags);
        if (instance.terminatedAt == null) {
          fleet.tag(id, tags);
        }
      }
    }

    @Override
    public void terminate(InstanceId id) {
      SimInstance instance = instances.get(id);
      if (instance != null && instance.terminatedAt == null) {
        fleet.terminate(List.of(id));
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

  final class PoolRuntime {
    final Deployment.DeployedPool deployed;
    final ScaleUpSettings upSettings;
    final PoolSettings settings;
    final ScaleDownSettings downSettings;
    final RunnerOwner owner;
    final ScaleUp scaleUp;
    final ScaleDown scaleDown;
    final Distribution bootTime;
    final int concurrency;
    final SimQueue queue;
    final SimLaunchLock lock = new SimLaunchLock();
    final Redrive redrive;
    final int redriveMax;
    final JobStarts jobStarts;
    int running;
    int peakRunning;
    long invocations;

    PoolRuntime(Deployment.DeployedPool pool) {
      this.deployed = pool;
      this.upSettings = ScaleUpSettings.fromEnv(pool.scaleUpEnv());
      this.settings = upSettings.pool();
      this.downSettings = ScaleDownSettings.fromEnv(pool.scaleDownEnv());
      String repository = scenario.repository().substring(scenario.owner().length() + 1);
      this.owner = settings.level().ownerFor(scenario.owner(), repository);
      this.concurrency = pool.scaleUpConcurrency();
      PoolQueues queues = PoolQueues.fromEnv(pool.scaleDownEnv());
      this.queue = new SimQueue(queues.queueUrl(), queues.deadLetterUrl(),
          pool.maxReceiveCount(), clock,
          visible -> at(visible.plusSeconds(deployed.batchWindowSeconds()), () -> poll(this)));
      // As runners/scaleup/Wiring builds scale-up: rechecks and returns through the pool's queue,
      // the launch lock when Terraform names one.
      RunnerConfigs configs = new RunnerConfigs(settings, metered, clock);
      // the virtual clock dates the spot breakers' phases, as the real one does in production
      RunnerLauncher launcher = new RunnerLauncher(settings, fleet, metered, parameters, configs,
          new DirectExecutorService(), clock);
      JobRechecks rechecks = upSettings.rechecks()
          ? JobRechecks.on(queue, upSettings.queueUrl()) : JobRechecks.NONE;
      JobReturns returns = JobReturns.on(queue, upSettings.queueUrl(), upSettings.deadLetterUrl());
      this.scaleUp = new ScaleUp(upSettings, fleet, metered, launcher, rechecks, returns,
          upSettings.launchLock() == null ? LaunchLock.NONE : lock, line -> {}, clock);
      // As runners/scaledown/ScaleDownWiring: warm and rescue runners asked on the pool's queue
      // (only scale-up launches), and the DLQ redrive after each cycle.
      QueuedLaunches launches = new QueuedLaunches(downSettings.pool(), queue, queues.queueUrl(),
          clock);
      this.scaleDown = new ScaleDown(downSettings, fleet, metered, parameters,
          RequestBudget.governedBy(metered, clock), launches, new Emf(line -> {}),
          clock);
      this.redriveMax = queues.redriveMax();
      // As runners/scaleup/ScaleUpHandler: a job start whose instance was launched for another job
      // asks that job again as a rescue on the pool's queue.
      this.jobStarts = new JobStarts(settings, fleet,
          new Rescues(settings, queue, upSettings.queueUrl(), clock)::ask);
      this.redrive = queues.deadLetterUrl() == null || queues.redriveMax() == 0 ? null
          : new Redrive(settings.poolName(), queue, queues.queueUrl(), queues.deadLetterUrl(),
              queues.redriveMax(), metered, line -> {}, clock);
      // the pool's own, else its boot path's (from the launch template), else the scenario's
      this.bootTime = Distribution.of(scenario.bootFor(pool.name(), pool.bootPath()), random,
          "boot of pool " + pool.name() + " (" + pool.bootPath() + ")");
    }

  }

  /**
   * The pool's launch lock (the SSM parameter in production): one holder at a time. An invocation
   * takes it when it starts if no running invocation holds it, and holds it until it ends; the
   * real {@link ScaleUp} asks for it inside its run, and gets what was decided at the start.
   */
  static final class SimLaunchLock implements LaunchLock {
    private Instant heldUntil = Instant.MIN;
    private boolean current;
    int refused;

    /** An invocation running from {@code start} to {@code end}: whether it holds the lock. */
    boolean begin(Instant start, Instant end) {
      if (start.isBefore(heldUntil)) {
        return false;
      }
      heldUntil = end;
      return true;
    }

    void enter(boolean held) {
      current = held;
    }

    @Override
    public Optional<Held> tryAcquire() {
      if (!current) {
        refused++;
        return Optional.empty();
      }
      return Optional.of(() -> {});
    }
  }

  /**
   * The settings this simulation runs each pool with, as its parts hold them (the router, the
   * queue model, the real settings objects): for the contract test against Terraform.
   */
  public Map<String, Map<String, String>> effectiveSettings() {
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    for (PoolRuntime pool : pools.values()) {
      Map<String, String> s = new LinkedHashMap<>();
      PoolDefinition route = router.pools().stream()
          .filter(p -> p.name().equals(pool.deployed.name())).findFirst().orElseThrow();
      s.put("delaySeconds", Integer.toString(route.delaySeconds()));
      s.put("labels", String.join(",", route.labels()));
      s.put("visibilityTimeoutSeconds", Integer.toString(pool.deployed.visibilityTimeoutSeconds()));
      s.put("maxReceiveCount", Integer.toString(pool.deployed.maxReceiveCount()));
      s.put("batchSize", Integer.toString(pool.deployed.batchSize()));
      s.put("batchWindowSeconds", Integer.toString(pool.deployed.batchWindowSeconds()));
      s.put("scaleUpConcurrency", pool.concurrency == Integer.MAX_VALUE ? "unreserved"
          : Integer.toString(pool.concurrency));
      s.put("scaleDownEveryMinutes", Integer.toString(pool.deployed.scaleDownEveryMinutes()));
      s.put("jobRecheckSeconds", Long.toString(pool.upSettings.recheckDelay().toSeconds()));
      s.put("jobQueuedCheck", Boolean.toString(pool.upSettings.jobQueuedCheck()));
      s.put("jobCheckFirstReceive", Boolean.toString(pool.upSettings.checkFirstReceive()));
      s.put("backoffBaseSeconds", Long.toString(pool.upSettings.backoff().base().toSeconds()));
      s.put("backoffMaxSeconds", Long.toString(pool.upSettings.backoff().cap().toSeconds()));
      s.put("launchLock", String.valueOf(pool.upSettings.launchLock()));
      s.put("launchLockLeaseSeconds",
          Long.toString(pool.upSettings.launchLockLease().toSeconds()));
      s.put("queueUrl", pool.queue.queueUrl());
      s.put("deadLetterUrl", String.valueOf(pool.upSettings.deadLetterUrl()));
      s.put("redriveMaxMessages", Integer.toString(pool.redriveMax));
      s.put("maxRunners", Integer.toString(pool.settings.maxRunners()));
      s.put("instanceTypes", String.join(",", pool.settings.instanceTypes()));
      s.put("capacityType", pool.settings.capacityType().name());
      s.put("onDemandFailover", Boolean.toString(pool.settings.onDemandFailover()));
      s.put("ephemeral", Boolean.toString(pool.settings.ephemeral()));
      s.put("minimumRunningTimeMinutes",
          Long.toString(pool.downSettings.minimumRunningTime().toMinutes()));
      s.put("bootGraceMinutes", Long.toString(pool.downSettings.bootGrace().toMinutes()));
      s.put("warmWindows", Integer.toString(pool.downSettings.warmWindows().size()));
      s.put("githubApps", Integer.toString(apps.apps()));
      if (interruptionSettings != null) {
        var rules = interruptionSettings.rules(pool.deployed.name());
        s.put("rerun", Boolean.toString(rules.rerun()));
        s.put("maxReruns", Integer.toString(rules.maxReruns()));
        s.put("breakerThreshold", Integer.toString(rules.breaker().threshold()));
        s.put("breakerWindowMinutes", Long.toString(rules.breaker().window().toMinutes()));
        s.put("breakerCoolDownMinutes", Long.toString(rules.breaker().coolDown().toMinutes()));
        s.put("interruptionFollowUpMinutes",
            Integer.toString(deployment.interruptions().followUpEveryMinutes()));
      }
      out.put(pool.deployed.name(), s);
    }
    return out;
  }

  // ---- what the result reads --------------------------------------------------------------

  Deployment deployment() {
    return deployment;
  }

  Scenario scenario() {
    return scenario;
  }

  List<SimJob> jobs() {
    return jobs;
  }

  Collection<SimInstance> instances() {
    return instances.values();
  }

  List<Sample> timeline() {
    return timeline;
  }

  SimGitHub github() {
    return apps;
  }

  Map<String, PoolRuntime> pools() {
    return pools;
  }

  int notOurs() {
    return notOurs;
  }

  int busyRunnersTerminated() {
    return busyRunnersTerminated;
  }

  int interruptedJobs() {
    return interruptedJobs;
  }

  int reruns() {
    return reruns;
  }

  int breakersOpened() {
    return breakersOpened;
  }

  /** What the interruption function made of each warning and termination, by outcome. */
  Map<String, Integer> interruptionOutcomes() {
    return Map.copyOf(interruptionOutcomes);
  }

  int badMarketReclaims() {
    return badMarketReclaims;
  }

  int githubApps() {
    return apps.apps();
  }

  int reclaimWaves() {
    return reclaimWaves;
  }

  int reclaimedInWaves() {
    return reclaimedInWaves;
  }

  int capacityErrors() {
    return fleet.capacityErrors();
  }

  // ---- state ------------------------------------------------------------------------------

  static final class SimJob {
    final TraceJob trace;
    final List<String> labels;
    final String pool;
    final Instant queuedAt;
    Instant startedAt;
    Instant completedAt;
    String runner;
    boolean interrupted;
    long runId;
    int attempt;
    Long rerunAs;

    SimJob(TraceJob trace, List<String> labels, String pool, Instant queuedAt) {
      this.trace = trace;
      this.labels = List.copyOf(labels);
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
    final String instanceType;
    Instant bootedAt;
    Instant terminatedAt;
    long busySeconds;
    boolean interrupted;
    boolean warned;
    String subnet;
    final Map<String, String> tags = new HashMap<>();

    SimInstance(InstanceId id, String pool, Instant launchedAt, CapacityType capacityType,
        String instanceType) {
      this.id = id;
      this.pool = pool;
      this.launchedAt = launchedAt;
      this.capacityType = capacityType;
      this.instanceType = instanceType;
    }
  }

  /** Instances running and jobs waiting per pool at one minute. */
  public record Sample(Instant at, Map<String, Integer> instances, Map<String, Integer> waiting) {}
}
