package dev.spotrunner.runners.scaledown.bench;

import dev.spotrunner.common.fleet.CapacityType;
import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.github.GitHubRunner;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.runners.scaledown.CycleReport;
import dev.spotrunner.runners.scaledown.Emf;
import dev.spotrunner.runners.scaledown.NoAsks;
import dev.spotrunner.runners.scaledown.PointsPerMinute;
import dev.spotrunner.runners.scaledown.RequestBudget;
import dev.spotrunner.runners.scaledown.ScaleDown;
import dev.spotrunner.runners.scaledown.ScaleDownSettings;
import dev.spotrunner.testkit.fakes.FakeGitHub;
import dev.spotrunner.testkit.fakes.InMemoryParameters;
import dev.spotrunner.testkit.fakes.InMemoryRunnerFleet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Scale-down of 150 idle runners across 10 owners with 20 ms per GitHub request: one cycle's wall
 * time and calls, against the same calls made one after another, and the most points any
 * installation spent in a minute. A second scenario puts all 150 under one installation, where the
 * 900-points budget must defer what does not fit. How to run: {@code docs/scale-down.md}.
 */
public final class ScaleDownBenchmark {
  private static final Instant LAUNCHED = Instant.now().minus(Duration.ofHours(1));

  public static void main(String[] args) {
    dev.spotrunner.common.log.Log.setLevel(dev.spotrunner.common.log.Log.Level.ERROR);
    int runners = args.length > 0 ? Integer.parseInt(args[0]) : 150;
    int owners = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    Duration latency = Duration.ofMillis(args.length > 2 ? Long.parseLong(args[2]) : 20);
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 5;

    System.out.printf("scale-down benchmark: %d idle runners, %d owners, %d ms per GitHub request,"
        + " latency-adding fake, %d rounds%n", runners, owners, latency.toMillis(), rounds);
    scenario("one installation per owner", runners, ownersOf(owners, false), latency, rounds);
    scenario("one installation, " + owners + " repositories", runners, ownersOf(owners, true),
        latency, rounds);
  }

  private static List<RunnerOwner> ownersOf(int count, boolean oneInstallation) {
    List<RunnerOwner> owners = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      owners.add(oneInstallation ? RunnerOwner.repo("acme", "repo" + i) : RunnerOwner.org("org" + i));
    }
    return owners;
  }

  private static void scenario(String name, int runners, List<RunnerOwner> owners,
      Duration latency, int rounds) {
    System.out.printf("%n== %s%n", name);
    List<Double> ratios = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      World parallel = new World(runners, owners, latency);
      long start = System.nanoTime();
      CycleReport report = parallel.scaleDown().run();
      long cycleNanos = System.nanoTime() - start;
      List<LatencyGitHub.Call> calls = parallel.github.calls();

      World serial = new World(runners, owners, latency);
      long serialStart = System.nanoTime();
      replayOneAfterAnother(serial, calls);
      long serialNanos = System.nanoTime() - serialStart;

      double ratio = (double) cycleNanos / serialNanos;
      ratios.add(ratio);
      System.out.printf("round %d: cycle %6.0f ms, same %d calls one after another %6.0f ms,"
              + " ratio %.3f; removed %d, deferred %d, max points/min per installation %d%n",
          round, cycleNanos / 1e6, calls.size(), serialNanos / 1e6, ratio,
          report.get(CycleReport.Count.IDLE_TERMINATED), report.get(CycleReport.Count.DEFERRED),
          maxPointsPerMinute(calls));
    }
    List<Double> sorted = ratios.stream().sorted().toList();
    System.out.printf("median ratio %.3f, worst %.3f (target <= 0.25; round 1 includes JVM warm-up)%n",
        sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1));
  }

  /** The same GitHub calls, in the same order, each waiting for the one before. */
  private static void replayOneAfterAnother(World world, List<LatencyGitHub.Call> calls) {
    Map<String, RunnerOwner> byLogin = new HashMap<>();
    for (RunnerOwner owner : world.owners) {
      byLogin.putIfAbsent(owner.login(), owner);
    }
    List<InstanceId> terminate = new ArrayList<>();
    for (LatencyGitHub.Call call : calls) {
      RunnerOwner owner = world.ownerOfRunner.getOrDefault(call.runnerId(), byLogin.get(call.login()));
      switch (call.kind()) {
        case "list" -> world.github.listRunners(owner);
        case "get" -> world.github.getRunner(owner, call.runnerId());
        case "delete" -> {
          world.github.deleteRunner(owner, call.runnerId());
          terminate.add(world.instanceOfRunner.get(call.runnerId()));
        }
        default -> throw new IllegalStateException(call.kind());
      }
    }
    world.fleet.terminate(terminate);
  }

  /** Largest number of points one installation spent within any 60 seconds. */
  static int maxPointsPerMinute(List<LatencyGitHub.Call> calls) {
    Map<String, List<LatencyGitHub.Call>> byLogin = new TreeMap<>();
    calls.forEach(c -> byLogin.computeIfAbsent(c.login(), k -> new ArrayList<>()).add(c));
    int max = 0;
    for (List<LatencyGitHub.Call> list : byLogin.values()) {
      for (int i = 0; i < list.size(); i++) {
        int sum = 0;
        for (int j = i; j < list.size()
            && list.get(j).nanos() - list.get(i).nanos() < 60_000_000_000L; j++) {
          sum += list.get(j).points();
        }
        max = Math.max(max, sum);
      }
    }
    return max;
  }

  /** A pool of idle runners, spread round-robin over the owners, on fakes. */
  private static final class World {
    final Clock clock = Clock.systemUTC();
    final InMemoryRunnerFleet fleet = new InMemoryRunnerFleet(clock);
    final FakeGitHub fake = new FakeGitHub(clock);
    final LatencyGitHub github;
    final List<RunnerOwner> owners;
    final Map<Long, RunnerOwner> ownerOfRunner = new HashMap<>();
    final Map<Long, InstanceId> instanceOfRunner = new HashMap<>();

    World(int runners, List<RunnerOwner> owners, Duration latency) {
      this.owners = owners;
      this.github = new LatencyGitHub(fake, latency);
      for (int i = 0; i < runners; i++) {
        RunnerOwner owner = owners.get(i % owners.size());
        InstanceId id = new InstanceId(String.format("i-%017x", 0x5000_0000L + i));
        fleet.add(new RunnerInstance(id, "running", LAUNCHED, CapacityType.SPOT, Map.of(
            Tags.ENVIRONMENT, "bench", Tags.POOL, "linux", Tags.OWNER, owner.toString())));
        GitHubRunner runner = fake.addRunner(owner, "bench-" + id, "online", false, List.of());
        ownerOfRunner.put(runner.id(), owner);
        instanceOfRunner.put(runner.id(), id);
      }
    }

    ScaleDown scaleDown() {
      Map<String, String> env = new HashMap<>();
      env.put("ENVIRONMENT", "bench");
      env.put("POOL_NAME", "linux");
      env.put("POOL_LABELS", "self-hosted,linux");
      env.put("LAUNCH_TEMPLATE_NAME", "bench-linux");
      env.put("INSTANCE_TYPES", "m7a.large");
      env.put("SUBNET_IDS", "subnet-1");
      env.put("GITHUB_APP_ID_PARAM", "/bench/app/id");
      env.put("GITHUB_APP_KEY_PARAM", "/bench/app/key");
      return new ScaleDown(ScaleDownSettings.fromEnv(env), fleet, github, new InMemoryParameters(),
          new PointsPerMinute(RequestBudget.POINTS_PER_MINUTE, clock),
          new NoAsks(), new Emf(line -> {}), clock);
    }
  }
}
