package dev.spotrunner.simulator;

import dev.spotrunner.common.fleet.CapacityType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a simulation found, per pool and overall. */
public record SimulationResult(
    Map<String, PoolResult> pools,
    PoolResult overall,
    int notOurs,
    long githubCalls,
    int peakGitHubPointsPerMinute,
    int busyRunnersTerminated,
    int interruptedJobs,
    int deadLettered,
    Instant start,
    Instant end,
    Duration wallTime,
    List<Simulation.Sample> timeline,
    Map<String, List<Long>> simulatedWaits) {

  /** One pool's figures. Costs in USD; {@code observed} is empty when the trace has no waits. */
  public record PoolResult(
      String pool,
      int jobs,
      int unserved,
      Waits simulated,
      Waits observed,
      double busyInstanceMinutes,
      double idleInstanceMinutes,
      int instancesLaunched,
      int peakInstances,
      double spotShare,
      double costUsd) {}

  static SimulationResult of(SimulationConfig config, List<Simulation.SimJob> jobs,
      Collection<Simulation.SimInstance> instances, List<Simulation.Sample> timeline,
      MeteredGitHub github, int notOurs, int busyRunnersTerminated, int interruptedJobs,
      int deadLettered, Instant start, Instant end, Duration wall) {
    Map<String, PoolResult> pools = new LinkedHashMap<>();
    Map<String, List<Long>> waits = new LinkedHashMap<>();
    List<String> names = config.pools().stream().map(SimulationConfig.SimPool::name).toList();
    for (String name : names) {
      pools.put(name, poolResult(name, config, jobs.stream().filter(j -> name.equals(j.pool)).toList(),
          instances.stream().filter(i -> name.equals(i.pool)).toList(), timeline, end));
      waits.put(name, jobs.stream().filter(j -> name.equals(j.pool) && j.startedAt != null)
          .map(Simulation.SimJob::waitSeconds).toList());
    }
    PoolResult overall = poolResult("all", config,
        jobs.stream().filter(j -> j.pool != null).toList(), List.copyOf(instances), timeline, end);
    return new SimulationResult(pools, overall, notOurs, github.calls(),
        github.peakPointsPerMinute(), busyRunnersTerminated, interruptedJobs, deadLettered, start,
        end, wall, timeline, waits);
  }

  private static PoolResult poolResult(String name, SimulationConfig config,
      List<Simulation.SimJob> jobs, List<Simulation.SimInstance> instances,
      List<Simulation.Sample> timeline, Instant end) {
    Waits simulated = new Waits();
    Waits observed = new Waits();
    int unserved = 0;
    for (Simulation.SimJob job : jobs) {
      if (job.startedAt == null) {
        unserved++;
      } else {
        simulated.record(job.waitSeconds());
      }
      if (job.trace.observedWaitSeconds() != null) {
        observed.record(job.trace.observedWaitSeconds());
      }
    }
    double busy = 0;
    double total = 0;
    double spot = 0;
    double cost = 0;
    for (Simulation.SimInstance instance : instances) {
      Instant stop = instance.terminatedAt == null ? end : instance.terminatedAt;
      double minutes = Duration.between(instance.launchedAt, stop).toSeconds() / 60.0;
      total += minutes;
      busy += instance.busySeconds / 60.0;
      if (instance.capacityType == CapacityType.SPOT) {
        spot += minutes;
      }
      String type = config.pools().stream().filter(p -> p.name().equals(instance.pool))
          .findFirst().map(SimulationConfig.SimPool::instanceType).orElse("");
      SimulationConfig.Price price = config.prices().get(type);
      if (price != null) {
        double perHour = instance.capacityType == CapacityType.SPOT ? price.spot() : price.onDemand();
        cost += minutes / 60.0 * perHour;
      }
    }
    int peak = 0;
    for (Simulation.Sample sample : timeline) {
      int n = "all".equals(name)
          ? sample.instances().values().stream().mapToInt(Integer::intValue).sum()
          : sample.instances().getOrDefault(name, 0);
      peak = Math.max(peak, n);
    }
    return new PoolResult(name, jobs.size(), unserved, simulated, observed, busy,
        Math.max(0, total - busy), instances.size(), peak, total == 0 ? 0 : spot / total, cost);
  }

  /** The terminal summary. */
  public String summary() {
    StringBuilder out = new StringBuilder();
    out.append(String.format("simulated %s → %s (%.1f days) in %.1f s wall time%n", start, end,
        Duration.between(start, end).toMinutes() / 1440.0, wallTime.toMillis() / 1000.0));
    out.append(String.format("%-14s %6s %6s %8s %8s %8s %10s %8s %8s %6s %6s %9s%n", "pool", "jobs",
        "unsrvd", "wait p50", "p90", "p99", "obs p50/90/99", "busy min", "idle min", "peak",
        "spot%", "cost $"));
    List<PoolResult> rows = new ArrayList<>(pools.values());
    rows.add(overall);
    for (PoolResult r : rows) {
      String observed = r.observed().count() == 0 ? "-"
          : r.observed().percentile(50) + "/" + r.observed().percentile(90) + "/"
              + r.observed().percentile(99);
      out.append(String.format("%-14s %6d %6d %7ds %7ds %7ds %13s %8.0f %8.0f %6d %5.0f%% %9.2f%n",
          r.pool(), r.jobs(), r.unserved(), r.simulated().percentile(50),
          r.simulated().percentile(90), r.simulated().percentile(99), observed,
          r.busyInstanceMinutes(), r.idleInstanceMinutes(), r.peakInstances(),
          r.spotShare() * 100, r.costUsd()));
    }
    out.append(String.format("jobs matching no pool (not ours): %d%n", notOurs));
    out.append(String.format("GitHub API calls: %d, peak %d points/minute (limit 900)%n",
        githubCalls, peakGitHubPointsPerMinute));
    out.append(String.format("busy runners terminated: %d, jobs lost to spot interruptions: %d, "
        + "messages dead-lettered: %d%n", busyRunnersTerminated, interruptedJobs, deadLettered));
    return out.toString();
  }
}
