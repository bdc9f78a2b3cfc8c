package dev.spotrunner.simulator;

import dev.spotrunner.common.fleet.CapacityType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** What a simulation found, per pool and overall, tails included. */
public record SimulationResult(
    Map<String, PoolResult> pools,
    PoolResult overall,
    int notOurs,
    long githubCalls,
    long githubCallsRefused,
    long githubCallsFailedInOutage,
    int busyRunnersTerminated,
    int interruptedJobs,
    int reclaimWaves,
    int reclaimedInWaves,
    int capacityErrors,
    Map<String, Integer> peakScaleUpInvocations,
    Map<String, QueueFigures> queues,
    List<String> unpricedTypes,
    Instant start,
    Instant end,
    Duration wallTime,
    List<Simulation.Sample> timeline,
    Map<String, List<Long>> simulatedWaits,
    Resilience resilience) {

  /**
   * Spot interruptions and GitHub Apps: re-runs the interruption function asked for, breakers it
   * opened (its {@code SpotBreakerOpened} metric), instances a bad market reclaimed, the Apps
   * scale-up and scale-down spread their calls over and the most points one App spent on one
   * installation in a minute.
   */
  public record Resilience(int reruns, int breakersOpened, int badMarketReclaims, int githubApps,
      int peakPointsPerApp, Map<String, Integer> interruptionOutcomes) {
    public Resilience {
      interruptionOutcomes = Map.copyOf(interruptionOutcomes);
    }
  }

  /**
   * What went through a pool's queue: jobs sent again to wait for room, batches that found the
   * launch lock held, scale-down's warm and rescue requests, dead letters by reason, and what was
   * left in the DLQ at the end (the redrive takes back jobs still queued).
   */
  public record QueueFigures(int waits, int lockRefused, Map<String, Integer> asked,
      Map<String, Integer> deadLetteredByReason, int deadLetterDepth) {
    public QueueFigures {
      asked = Map.copyOf(asked);
      deadLetteredByReason = Map.copyOf(deadLetteredByReason);
    }
  }

  /** Jobs that waited longer than these count in {@code waitingOver10Min} / {@code waitingOver1H}. */
  static final long TEN_MINUTES = 600;
  static final long ONE_HOUR = 3600;

  /**
   * One pool's figures (or all pools', as {@code all}). Waits are queued → started in seconds;
   * unserved jobs count as waiting over 10 min / 1 h when the replay ran that long past their
   * arrival. Costs in USD.
   */
  public record PoolResult(
      String pool,
      int jobs,
      int served,
      int unserved,
      int deadLettered,
      Waits simulated,
      Waits observed,
      int waitingOver10Min,
      int waitingOver1H,
      double busyInstanceMinutes,
      double idleInstanceMinutes,
      int instancesLaunched,
      int onDemandInstances,
      int peakInstances,
      double spotShare,
      double costUsd,
      int peakGitHubPointsPerMinute,
      int interruptedJobs,
      int reruns,
      double jobMinutesLost,
      int peakLaunchesPerMinute) {

    /** Exactly the keys {@code --json} writes (docs/simulator.md#json). */
    public Map<String, Number> metrics() {
      Map<String, Number> m = new LinkedHashMap<>();
      m.put("jobs", jobs);
      m.put("served", served);
      m.put("unserved", unserved);
      m.put("deadLettered", deadLettered);
      m.put("waitP50", simulated.percentile(50));
      m.put("waitP90", simulated.percentile(90));
      m.put("waitP99", simulated.percentile(99));
      m.put("waitP999", simulated.percentile(99.9));
      m.put("waitMax", simulated.max());
      m.put("waitingOver10Min", waitingOver10Min);
      m.put("waitingOver1H", waitingOver1H);
      m.put("busyInstanceMinutes", Math.round(busyInstanceMinutes));
      m.put("idleInstanceMinutes", Math.round(idleInstanceMinutes));
      m.put("spotShare", Math.round(spotShare * 1000) / 1000.0);
      m.put("costUsd", Math.round(costUsd * 100) / 100.0);
      m.put("peakGitHubPointsPerMinute", peakGitHubPointsPerMinute);
      m.put("interruptedJobs", interruptedJobs);
      m.put("reruns", reruns);
      m.put("jobMinutesLost", Math.round(jobMinutesLost));
      m.put("onDemandShare", Math.round((1 - spotShare) * 1000) / 1000.0);
      m.put("peakLaunchesPerMinute", peakLaunchesPerMinute);
      return m;
    }
  }

  static SimulationResult of(Simulation sim, Duration wall, Instant start, Instant end) {
    Map<String, PoolResult> pools = new LinkedHashMap<>();
    Map<String, List<Long>> waits = new LinkedHashMap<>();
    Map<String, Integer> invocations = new LinkedHashMap<>();
    Map<String, QueueFigures> queues = new LinkedHashMap<>();
    TreeSet<String> unpriced = new TreeSet<>();
    int deadLetteredAll = 0;
    for (Simulation.PoolRuntime runtime : sim.pools().values()) {
      String name = runtime.deployed.name();
      int deadLettered = runtime.queue.deadLettered();
      deadLetteredAll += deadLettered;
      queues.put(name, new QueueFigures(runtime.queue.waits(), runtime.lock.refused,
          runtime.queue.asked(), runtime.queue.deadLetteredByReason(),
          runtime.queue.deadLetterDepth()));
      pools.put(name, poolResult(name, sim, sim.jobs().stream().filter(j -> name.equals(j.pool)).toList(),
          sim.instances().stream().filter(i -> name.equals(i.pool)).toList(), end,
          deadLettered, sim.github().peakPointsPerMinute(name), unpriced));
      waits.put(name, sim.jobs().stream().filter(j -> name.equals(j.pool) && j.startedAt != null)
          .map(Simulation.SimJob::waitSeconds).toList());
      invocations.put(name, runtime.peakRunning);
    }
    PoolResult overall = poolResult("all", sim, sim.jobs().stream().filter(j -> j.pool != null).toList(),
        List.copyOf(sim.instances()), end, deadLetteredAll, sim.github().peakPointsPerMinute(),
        unpriced);
    SimGitHub github = sim.github();
    return new SimulationResult(pools, overall, sim.notOurs(), github.calls(), github.refused(),
        github.failedInOutage(), sim.busyRunnersTerminated(), sim.interruptedJobs(),
        sim.reclaimWaves(), sim.reclaimedInWaves(), sim.capacityErrors(), invocations, queues,
        List.copyOf(unpriced), start, end, wall, sim.timeline(), waits,
        new Resilience(sim.reruns(), sim.breakersOpened(), sim.badMarketReclaims(),
            github.apps(), github.peakPointsPerApp(), sim.interruptionOutcomes()));
  }

  private static PoolResult poolResult(String name, Simulation sim, List<Simulation.SimJob> jobs,
      List<Simulation.SimInstance> instances, Instant end, int deadLettered, int peakPoints,
      TreeSet<String> unpriced) {
    Waits simulated = new Waits();
    Waits observed = new Waits();
    int unserved = 0;
    int over10 = 0;
    int over1h = 0;
    int interrupted = 0;
    int reruns = 0;
    double lostMinutes = 0;
    for (Simulation.SimJob job : jobs) {
      reruns += job.attempt > 0 ? 1 : 0;
      if (job.interrupted) {
        interrupted++;
        // the run time spot took: the job starts again from the beginning
        lostMinutes += Duration.between(job.startedAt, job.completedAt).toSeconds() / 60.0;
      }
      long waited;
      if (job.startedAt == null) {
        unserved++;
        waited = Duration.between(job.queuedAt, end).toSeconds();
      } else {
        waited = job.waitSeconds();
        simulated.record(waited);
      }
      over10 += waited > TEN_MINUTES ? 1 : 0;
      over1h += waited > ONE_HOUR ? 1 : 0;
      if (job.trace.observedWaitSeconds() != null) {
        observed.record(job.trace.observedWaitSeconds());
      }
    }
    double busy = 0;
    double total = 0;
    double spot = 0;
    double cost = 0;
    int onDemand = 0;
    for (Simulation.SimInstance instance : instances) {
      Instant stop = instance.terminatedAt == null ? end : instance.terminatedAt;
      double minutes = Duration.between(instance.launchedAt, stop).toSeconds() / 60.0;
      total += minutes;
      busy += instance.busySeconds / 60.0;
      boolean isSpot = instance.capacityType == CapacityType.SPOT;
      if (isSpot) {
        spot += minutes;
      } else {
        onDemand++;
      }
      Scenario.Price price = sim.scenario().prices().get(instance.instanceType);
      if (price == null) {
        unpriced.add(String.valueOf(instance.instanceType));
      } else {
        cost += minutes / 60.0 * (isSpot ? price.spot() : price.onDemand());
      }
    }
    java.util.Map<Long, Integer> launchesByMinute = new java.util.HashMap<>();
    instances.forEach(i -> launchesByMinute.merge(i.launchedAt.getEpochSecond() / 60, 1,
        Integer::sum));
    int peakLaunches = launchesByMinute.values().stream().mapToInt(Integer::intValue).max()
        .orElse(0);
    int peak = 0;
    for (Simulation.Sample sample : sim.timeline()) {
      int n = "all".equals(name)
          ? sample.instances().values().stream().mapToInt(Integer::intValue).sum()
          : sample.instances().getOrDefault(name, 0);
      peak = Math.max(peak, n);
    }
    return new PoolResult(name, jobs.size(), jobs.size() - unserved, unserved, deadLettered,
        simulated, observed, over10, over1h, busy, Math.max(0, total - busy), instances.size(),
        onDemand, peak, total == 0 ? 0 : spot / total, cost, peakPoints, interrupted, reruns,
        lostMinutes, peakLaunches);
  }

  /** The terminal summary of one run. */
  public String summary() {
    StringBuilder out = new StringBuilder();
    out.append(String.format("simulated %s → %s (%.1f days) in %.1f s wall time%n", start, end,
        Duration.between(start, end).toMinutes() / 1440.0, wallTime.toMillis() / 1000.0));
    out.append(String.format("%-10s %5s %5s %4s %4s %6s %6s %6s %7s %7s %5s %4s %14s %8s %8s %5s %5s %8s %5s%n",
        "pool", "jobs", "srvd", "unsv", "dlq", "p50", "p90", "p99", "p99.9", "max", ">10m", ">1h",
        "obs p50/90/99", "busy min", "idle min", "peak", "spot%", "cost $", "pts/m"));
    List<PoolResult> rows = new ArrayList<>(pools.values());
    rows.add(overall);
    for (PoolResult r : rows) {
      String observed = r.observed().count() == 0 ? "-"
          : r.observed().percentile(50) + "/" + r.observed().percentile(90) + "/"
              + r.observed().percentile(99);
      out.append(String.format(
          "%-10s %5d %5d %4d %4d %5ds %5ds %5ds %6ds %6ds %5d %4d %14s %8.0f %8.0f %5d %4.0f%% %8.2f %5d%n",
          r.pool(), r.jobs(), r.served(), r.unserved(), r.deadLettered(),
          r.simulated().percentile(50), r.simulated().percentile(90), r.simulated().percentile(99),
          r.simulated().percentile(99.9), r.simulated().max(), r.waitingOver10Min(),
          r.waitingOver1H(), observed, r.busyInstanceMinutes(), r.idleInstanceMinutes(),
          r.peakInstances(), r.spotShare() * 100, r.costUsd(), r.peakGitHubPointsPerMinute()));
    }
    out.append(String.format("jobs matching no pool (not ours): %d%n", notOurs));
    out.append(String.format("GitHub API calls: %d (refused by the points budget: %d, failed in "
        + "outages: %d)%n", githubCalls, githubCallsRefused, githubCallsFailedInOutage));
    out.append(String.format("spot: %d capacity errors (on-demand instances: %d), %d reclaim waves "
        + "took %d instances, jobs lost to reclaims: %d%n", capacityErrors,
        overall.onDemandInstances(), reclaimWaves, reclaimedInWaves, interruptedJobs));
    out.append(String.format("interruptions: %d jobs interrupted, %d re-runs, %.0f job-minutes "
        + "lost, %d instances reclaimed by bad markets, %d spot breakers opened; on-demand "
        + "share %.1f %%%n", overall.interruptedJobs(), resilience.reruns(),
        overall.jobMinutesLost(), resilience.badMarketReclaims(), resilience.breakersOpened(),
        (1 - overall.spotShare()) * 100));
    if (!resilience.interruptionOutcomes().isEmpty()) {
      out.append("interruption function: " + new java.util.TreeMap<>(
          resilience.interruptionOutcomes()) + "\n");
    }
    out.append(String.format("GitHub Apps: %d (most points one App spent on one installation in "
        + "a minute: %d); most runners launched in one minute: %d%n", resilience.githubApps(),
        resilience.peakPointsPerApp(), overall.peakLaunchesPerMinute()));
    out.append(String.format("busy runners terminated by scale-down: %d; most scale-up invocations "
        + "at once: %s%n", busyRunnersTerminated, peakScaleUpInvocations));
    queues.forEach((pool, q) -> out.append(String.format("queue %s: %d jobs sent again to wait, "
        + "%d batches found the launch lock held, asked by scale-down %s, dead-lettered %s, "
        + "left in the DLQ %d%n", pool, q.waits(), q.lockRefused(), q.asked(),
        q.deadLetteredByReason(), q.deadLetterDepth())));
    if (!unpricedTypes.isEmpty()) {
      out.append("no price in the scenario for " + unpricedTypes + ": their cost counts as 0\n");
    }
    return out.toString();
  }
}
