package dev.spotrunner.runners.interruption;

import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.github.GitHubRunner;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.testkit.fakes.FakeGitHub;
import dev.spotrunner.testkit.fakes.InMemoryParameters;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** One environment "dev" with pool "linux" (re-runs on, N = 2, breaker K = 2) in memory. */
final class World {
  static final Instant NOW = Instant.parse("2026-12-05T10:00:00Z");
  static final RunnerOwner ACME = RunnerOwner.org("acme");
  static final String POOLS = """
      {"linux":{"rerun":true,"max_reruns":2,"breaker_threshold":2,"breaker_window_minutes":10,
       "breaker_cooldown_minutes":30},
       "persistent":{"rerun":false}}""";

  Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
  final FakeGitHub runners = new FakeGitHub(clock);
  final RerunGitHub github = new RerunGitHub(runners);
  final FakeInstances instances = new FakeInstances();
  final InMemoryParameters parameters = new InMemoryParameters();
  final List<String> emf = new ArrayList<>();
  final Map<String, String> env = new HashMap<>(Map.of("ENVIRONMENT", "dev",
      "GITHUB_APP_ID_PARAM", "/dev/app-id", "GITHUB_APP_KEY_PARAM", "/dev/app-key",
      "INTERRUPTION_POOLS", POOLS));
  private int next;

  InterruptionSettings settings() {
    return InterruptionSettings.fromEnv(env);
  }

  Interruptions interruptions() {
    return InterruptionWiring.create(settings(), instances, github, parameters, emf::add, clock);
  }

  Reruns reruns() {
    InterruptionSettings settings = settings();
    return new Reruns(settings, github, parameters, instances, new InterruptionMetrics(clock, emf::add),
        clock);
  }

  void at(Instant now) {
    clock = Clock.fixed(now, ZoneOffset.UTC);
  }

  /** A runner instance of pool "linux" in "dev" with its runner at GitHub, launched for job 42+. */
  Runner runner(boolean busy) {
    return runner("dev", "linux", "m5.large", busy);
  }

  Runner runner(String environment, String pool, String type, boolean busy) {
    int n = next++;
    InstanceId id = new InstanceId(String.format("i-%017x", 0xabc000 + n));
    GitHubRunner runner = runners.addRunner(ACME, "dev-" + id, "online", busy, List.of("linux"));
    Map<String, String> tags = new HashMap<>(Map.of(Tags.ENVIRONMENT, environment,
        Tags.APPLICATION, "spotrunner", Tags.POOL, pool, Tags.OWNER, "acme",
        Tags.OWNER_TYPE, "Organization", Tags.RUNNER_NAME, runner.name(),
        Tags.RUNNER_ID, Long.toString(runner.id()), Tags.JOB_ID, Long.toString(42 + n),
        Tags.REPOSITORY, "acme/api"));
    instances.add(new InstanceFacts(id, "running", type, "eu-west-1a", "subnet-a", true, tags));
    return new Runner(id, runner, 42 + n);
  }

  record Runner(InstanceId instance, GitHubRunner runner, long jobId) {}

  boolean registered(GitHubRunner runner) {
    return runners.runners(ACME).stream().anyMatch(r -> r.id() == runner.id());
  }

  static Ec2Event warning(InstanceId id, Instant at) {
    return new Ec2Event(Ec2Event.Kind.SPOT_WARNING, id, at, null);
  }

  static Ec2Event terminated(InstanceId id, Instant at) {
    return new Ec2Event(Ec2Event.Kind.STATE_CHANGE, id, at, "terminated");
  }

  List<String> metricLines(String metric) {
    return emf.stream().filter(line -> line.contains("\"" + metric + "\"")).toList();
  }
}
