package dev.spotrunner.local.agent;

import static dev.spotrunner.common.log.Log.entry;

import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.RunnerFleet;
import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.log.Log;
import dev.spotrunner.common.parameters.Parameters;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The simulated runner machines: watches the fleet for instances of this environment and, for each
 * new one, starts a {@link RunnerAgent} that boots, then does what the start script does. It reports
 * what EC2 reports to EventBridge about the machines ({@link #onInstanceEvent}): every termination,
 * and the interruption warnings of the machines spot reclaims ({@link #reclaim}).
 */
public final class RunnerAgents implements AutoCloseable {
  private static final Log log = Log.of(RunnerAgents.class);

  /**
   * @param configPathOf the pool's SSM_CONFIG_PATH (as its scale-up function has it)
   * @param bootTime how long an instance takes from launch to running its start script
   * @param configTimeout how long the start script waits for its config before shutting down
   * @param poll how often the fleet and GitHub are polled
   */
  public record Settings(String environment, Function<String, String> configPathOf, Duration bootTime,
      Duration configTimeout, Duration poll) {}

  private final RunnerFleet fleet;
  private final Parameters parameters;
  private final GitHubSide github;
  private final Settings settings;
  private final Clock clock;
  private final Map<InstanceId, RunnerAgent> agents = new ConcurrentHashMap<>();
  private final Map<InstanceId, Instant> goneAt = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> bootFailures = new ConcurrentHashMap<>();
  private volatile Set<InstanceId> alive = Set.of();
  /** Each instance as the last scan saw it: scale-up tags the job id only after the launch. */
  private volatile Map<InstanceId, RunnerInstance> latest = Map.of();
  private final Set<String> failingJobs = ConcurrentHashMap.newKeySet();
  private final Map<InstanceId, Reclaim> reclaims = new ConcurrentHashMap<>();
  private final AtomicInteger reclaimsLeft = new AtomicInteger();
  private volatile Duration reclaimNotice = Duration.ZERO;
  private volatile Consumer<InstanceEvent> instanceEvents = event -> { };
  private volatile int peak;
  private volatile boolean closed;
  private Thread watcher;

  public RunnerAgents(RunnerFleet fleet, Parameters parameters, GitHubSide github, Settings settings,
      Clock clock) {
    this.fleet = fleet;
    this.parameters = parameters;
    this.github = github;
    this.settings = settings;
    this.clock = clock;
  }

  public synchronized RunnerAgents start() {
    if (watcher == null) {
      watcher = Thread.ofVirtual().name("runner-agents").start(this::watch);
    }
    return this;
  }

  /** One look at the fleet: starts agents for new instances and notes which are still alive. */
  public void scan() {
    List<RunnerInstance> instances = fleet.list(Map.of(Tags.ENVIRONMENT, settings.environment()));
    Set<InstanceId> now = new HashSet<>();
    Map<InstanceId, RunnerInstance> seen = new HashMap<>();
    for (RunnerInstance instance : instances) {
      now.add(instance.id());
      seen.put(instance.id(), instance);
    }
    latest = Map.copyOf(seen);
    alive = Set.copyOf(now);
    peak = Math.max(peak, now.size());
    Instant at = clock.instant();
    for (InstanceId known : agents.keySet()) {
      if (!now.contains(known) && goneAt.putIfAbsent(known, at) == null) {
        // EC2's state-change notification: every termination, whoever asked for it
        instanceEvents.accept(new InstanceEvent(InstanceEvent.Kind.TERMINATED, known, at));
      }
    }
    for (RunnerInstance instance : instances) {
      agents.computeIfAbsent(instance.id(), id -> {
        RunnerAgent agent = new RunnerAgent(instance, this, clock.instant());
        log.info("instance seen", entry("instance", id), entry("pool", instance.tag(Tags.POOL)));
        Thread.ofVirtual().name("agent-" + id).start(agent::run);
        return agent;
      });
    }
    warnReclaimedMachines(at);
  }

  /** Tells EventBridge's side (the stack) of every instance event; set it before {@link #start}. */
  public RunnerAgents onInstanceEvent(Consumer<InstanceEvent> listener) {
    this.instanceEvents = listener;
    return this;
  }

  /**
   * Spot takes back the next {@code machines} busy machines whose job runs at least {@code notice}
   * longer: each gets EC2's interruption warning at once and is terminated {@code notice} later,
   * while its job still runs (AWS gives two minutes; the local stack takes the notice examples/local
   * sets). Machines of every pool qualify.
   */
  public void reclaim(int machines, Duration notice) {
    if (machines < 0 || notice.isNegative()) {
      throw new IllegalArgumentException("reclaim needs machines >= 0 and a notice >= 0");
    }
    reclaimNotice = notice;
    reclaimsLeft.addAndGet(machines);
  }

  private void warnReclaimedMachines(Instant at) {
    if (reclaimsLeft.get() <= 0) {
      return;
    }
    Duration notice = reclaimNotice;
    for (RunnerAgent agent : agents.values()) {
      Optional<GitHubSide.AssignedJob> job = agent.jobOutlasting(notice, at);
      if (job.isEmpty() || reclaimsLeft.getAndUpdate(n -> Math.max(0, n - 1)) <= 0) {
        continue;
      }
      reclaims.put(agent.instance(), new Reclaim(agent.instance(), agent.report().pool(), job.get().jobId(),
          agent.runnerId(), at, null));
      agent.warn(at.plus(notice));
      log.warn("spot interruption warning", entry("instance", agent.instance()), entry("job_id", job.get().jobId()),
          entry("notice_seconds", notice.toSeconds()));
      instanceEvents.accept(new InstanceEvent(InstanceEvent.Kind.SPOT_INTERRUPTION_WARNING, agent.instance(), at));
    }
  }

  void reclaimDone(InstanceId instance, Instant at) {
    reclaims.computeIfPresent(instance, (id, reclaim) -> reclaim.terminated(at));
  }

  /** The machines spot reclaimed so far, warned first. */
  public List<Reclaim> reclaims() {
    return reclaims.values().stream().sorted(java.util.Comparator.comparing(Reclaim::warnedAt)).toList();
  }

  /** The job's workflow fails on its own (a failing test): its runner reports conclusion failure. */
  public void failJob(long jobId) {
    failingJobs.add(Long.toString(jobId));
  }

  boolean failsOnItsOwn(long jobId) {
    return failingJobs.contains(Long.toString(jobId));
  }

  private void watch() {
    while (!closed) {
      try {
        scan();
      } catch (RuntimeException e) {
        log.warn("fleet scan failed", Log.error(e));
      }
      sleep(settings.poll());
    }
  }

  /**
   * The next {@code machines} instances launched for the job (tag {@code spotrunner:job-id}) to
   * finish booting fail to boot: their start script gives up before it registers a runner and shuts
   * the instance down, so EC2 records a normal termination, not a spot interruption. Set it before
   * the job's first instance has booted to fail that one.
   */
  public void failToBoot(long jobId, int machines) {
    if (machines < 0) {
      throw new IllegalArgumentException("machines must be >= 0, got " + machines);
    }
    bootFailures.put(Long.toString(jobId), new AtomicInteger(machines));
  }

  /**
   * Whether this instance's boot fails, by its tags at the last scan (a machine reads its tags
   * when it boots); each call for a failing job uses up one failure.
   */
  boolean bootFails(InstanceId id) {
    RunnerInstance instance = latest.get(id);
    String jobId = instance == null ? null : instance.tag(Tags.JOB_ID);
    AtomicInteger left = jobId == null ? null : bootFailures.get(jobId);
    return left != null && left.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
  }

  boolean alive(InstanceId id) {
    return !closed && alive.contains(id);
  }

  boolean closed() {
    return closed;
  }

  RunnerFleet fleet() {
    return fleet;
  }

  Parameters parameters() {
    return parameters;
  }

  GitHubSide github() {
    return github;
  }

  Settings settings() {
    return settings;
  }

  Clock clock() {
    return clock;
  }

  void sleep(Duration duration) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Every agent's report so far, oldest instance first. */
  public List<RunnerAgent.Report> reports() {
    List<RunnerAgent.Report> reports = new ArrayList<>();
    for (RunnerAgent agent : agents.values()) {
      reports.add(agent.report());
    }
    reports.sort((a, b) -> a.seenAt().compareTo(b.seenAt()));
    return reports;
  }

  /** Agents in each state, for the live view. */
  public Map<RunnerAgent.State, Long> states() {
    Map<RunnerAgent.State, Long> counts = new java.util.EnumMap<>(RunnerAgent.State.class);
    for (RunnerAgent agent : agents.values()) {
      counts.merge(agent.report().state(), 1L, Long::sum);
    }
    return counts;
  }

  /** Instance time of every instance seen, from first seen until it left the fleet (or now). */
  public Duration instanceTime(Instant now) {
    Duration total = Duration.ZERO;
    for (RunnerAgent agent : agents.values()) {
      Instant end = goneAt.getOrDefault(agent.report().instance(), now);
      total = total.plus(Duration.between(agent.report().seenAt(), end));
    }
    return total;
  }

  /** The most pending + running instances seen at once. */
  public int peakInstances() {
    return peak;
  }

  /** Instances pending or running at the last scan. */
  public int aliveCount() {
    return alive.size();
  }

  @Override
  public void close() {
    closed = true;
  }
}
