package dev.spotrunner.runners.scaledown.bench;

import dev.spotrunner.common.fleet.CapacityType;
import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.github.GitHubApp;
import dev.spotrunner.common.github.GitHubAppSettings;
import dev.spotrunner.common.github.GitHubRunners;
import dev.spotrunner.common.github.GovernorLimits;
import dev.spotrunner.common.github.Sleeper;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.runners.scaledown.CycleReport;
import dev.spotrunner.runners.scaledown.Emf;
import dev.spotrunner.runners.scaledown.NoAsks;
import dev.spotrunner.runners.scaledown.RequestBudget;
import dev.spotrunner.runners.scaledown.ScaleDown;
import dev.spotrunner.runners.scaledown.ScaleDownSettings;
import dev.spotrunner.testkit.fakes.InMemoryParameters;
import dev.spotrunner.testkit.fakes.InMemoryRunnerFleet;
import dev.spotrunner.testkit.github.GitHubStandIn;
import dev.spotrunner.testkit.github.StandInRunner;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The scale-down benchmark over HTTP: the real {@code HttpGitHubRunners} (App JWT, installation
 * tokens, request governor) against the GitHub stand-in with its latency injection, EC2 in memory.
 * 150 idle runners across 10 organisations (10 installations); the baseline replays the same
 * GitHub calls one after another through a second, identical set of organisations.
 */
public final class ScaleDownStandInBenchmark {
  private static final Instant LAUNCHED = Instant.now().minus(Duration.ofHours(1));
  private static int worlds;

  public static void main(String[] args) {
    dev.spotrunner.common.log.Log.setLevel(dev.spotrunner.common.log.Log.Level.ERROR);
    int runners = args.length > 0 ? Integer.parseInt(args[0]) : 150;
    int owners = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    Duration latency = Duration.ofMillis(args.length > 2 ? Long.parseLong(args[2]) : 20);
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    System.out.printf("scale-down benchmark over HTTP: %d idle runners, %d organisations, %d ms"
        + " stand-in latency per request, %d rounds%n", runners, owners, latency.toMillis(), rounds);
    try (GitHubStandIn standIn = GitHubStandIn.start()) {
      standIn.latency(latency);
      List<Double> ratios = new ArrayList<>();
      for (int round = 1; round <= rounds; round++) {
        World parallel = new World(standIn, runners, owners);
        long start = System.nanoTime();
        CycleReport report = parallel.scaleDown().run();
        long cycleNanos = System.nanoTime() - start;
        List<LatencyGitHub.Call> calls = parallel.recorder.calls();

        World serial = new World(standIn, runners, owners);
        long serialStart = System.nanoTime();
        serial.replay(parallel, calls);
        long serialNanos = System.nanoTime() - serialStart;

        double ratio = (double) cycleNanos / serialNanos;
        ratios.add(ratio);
        System.out.printf("round %d: cycle %6.0f ms, same %d calls one after another %6.0f ms,"
                + " ratio %.3f; removed %d, deferred %d, max points/min per installation %d,"
                + " rate limited %d%n",
            round, cycleNanos / 1e6, calls.size(), serialNanos / 1e6, ratio,
            report.get(CycleReport.Count.IDLE_TERMINATED), report.get(CycleReport.Count.DEFERRED),
            ScaleDownBenchmark.maxPointsPerMinute(calls), standIn.rateLimited());
      }
      List<Double> sorted = ratios.stream().sorted().toList();
      System.out.printf("median ratio %.3f, worst %.3f (target <= 0.25; round 1 includes JVM"
          + " warm-up)%n", sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1));
    }
  }

  /** Fresh organisations on the stand-in, each with its share of idle runners, and their instances. */
  private static final class World {
    final Clock clock = Clock.systemUTC();
    final InMemoryRunnerFleet fleet = new InMemoryRunnerFleet(clock);
    final LatencyGitHub recorder;
    final List<RunnerOwner> owners = new ArrayList<>();
    final List<Long> runnerIds = new ArrayList<>();
    final List<InstanceId> instances = new ArrayList<>();
    final String environment;

    World(GitHubStandIn standIn, int runners, int ownerCount) {
      int world = ++worlds;
      environment = "bench" + world;
      for (int o = 0; o < ownerCount; o++) {
        String login = "w" + world + "org" + o;
        standIn.install(login);
        owners.add(RunnerOwner.org(login));
      }
      for (int i = 0; i < runners; i++) {
        RunnerOwner owner = owners.get(i % ownerCount);
        InstanceId id = new InstanceId(String.format("i-%017x", 0x6000_0000L + world * 10_000L + i));
        fleet.add(new RunnerInstance(id, "running", LAUNCHED, CapacityType.SPOT, Map.of(
            Tags.ENVIRONMENT, environment, Tags.POOL, "linux", Tags.OWNER, owner.toString())));
        StandInRunner runner = standIn.addRunner("orgs/" + owner.login(), environment + "-" + id,
            "online", false, List.of("self-hosted", "linux"));
        runnerIds.add(runner.id());
        instances.add(id);
      }
      InMemoryParameters secrets = new InMemoryParameters()
          .with("/bench/app-id", String.valueOf(standIn.appId()))
          .with("/bench/app-key", standIn.appKeys().pkcs1Pem());
      GitHubRunners http = GitHubApp.create(
          new GitHubAppSettings(standIn.apiUrl(), "/bench/app-id", "/bench/app-key"), secrets,
          clock, GovernorLimits.GITHUB, Sleeper.REAL).runners();
      recorder = new LatencyGitHub(http, Duration.ZERO);
    }

    ScaleDown scaleDown() {
      Map<String, String> env = new HashMap<>();
      env.put("ENVIRONMENT", environment);
      env.put("POOL_NAME", "linux");
      env.put("POOL_LABELS", "self-hosted,linux");
      env.put("LAUNCH_TEMPLATE_NAME", "bench-linux");
      env.put("INSTANCE_TYPES", "m7a.large");
      env.put("SUBNET_IDS", "subnet-1");
      env.put("GITHUB_APP_ID_PARAM", "/bench/app-id");
      env.put("GITHUB_APP_KEY_PARAM", "/bench/app-key");
      return new ScaleDown(ScaleDownSettings.fromEnv(env), fleet, recorder,
          new InMemoryParameters(), RequestBudget.governedBy(recorder, clock),
          new NoAsks(), new Emf(line -> {}), clock);
    }

    /** The other world's calls, translated to this world's owners and runners, one at a time. */
    void replay(World other, List<LatencyGitHub.Call> calls) {
      Map<String, RunnerOwner> ownerByLogin = new HashMap<>();
      for (int o = 0; o < owners.size(); o++) {
        ownerByLogin.put(other.owners.get(o).login(), owners.get(o));
      }
      Map<Long, Integer> indexOf = new HashMap<>();
      for (int i = 0; i < other.runnerIds.size(); i++) {
        indexOf.put(other.runnerIds.get(i), i);
      }
      List<InstanceId> terminate = new ArrayList<>();
      for (LatencyGitHub.Call call : calls) {
        RunnerOwner owner = ownerByLogin.get(call.login());
        Integer index = indexOf.get(call.runnerId());
        switch (call.kind()) {
          case "list" -> recorder.listRunners(owner);
          case "get" -> recorder.getRunner(owner, runnerIds.get(index));
          case "delete" -> {
            recorder.deleteRunner(owner, runnerIds.get(index));
            terminate.add(instances.get(index));
          }
          default -> throw new IllegalStateException(call.kind());
        }
      }
      fleet.terminate(terminate);
    }
  }
}
