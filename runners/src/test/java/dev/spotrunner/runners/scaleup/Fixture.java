package dev.spotrunner.runners.scaleup;

import dev.spotrunner.common.github.ManualClock;
import dev.spotrunner.common.fleet.InMemoryRunnerFleet;
import dev.spotrunner.common.fleet.RunnerFleet;
import dev.spotrunner.common.github.FakeGitHub;
import dev.spotrunner.common.github.GitHubRunners;
import dev.spotrunner.common.job.JobMessage;
import dev.spotrunner.common.parameters.InMemoryParameters;
import dev.spotrunner.runners.launch.RunnerConfigs;
import dev.spotrunner.runners.launch.RunnerLauncher;
import dev.spotrunner.runners.pool.PoolSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Scale-up over the in-memory fakes, with a clock tests can move. */
final class Fixture {
  static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

  final ManualClock clock = new ManualClock(NOW);
  final InMemoryRunnerFleet fleet = new InMemoryRunnerFleet(clock);
  final FakeGitHub github = new FakeGitHub(clock);
  final InMemoryParameters parameters = new InMemoryParameters();
  final Map<String, String> env = new HashMap<>();
  /** Every recheck scale-up scheduled, in order. */
  final List<Recheck> rechecks = new ArrayList<>();
  private RunnerFleet fleetSeen = fleet;
  private GitHubRunners githubSeen = github;

  Fixture() {
    env.put("ENVIRONMENT", "prod");
    env.put("POOL_NAME", "linux");
    env.put("POOL_LABELS", "self-hosted,linux");
    env.put("LAUNCH_TEMPLATE_NAME", "prod-linux");
    env.put("INSTANCE_TYPES", "m7a.large,m6i.large");
    env.put("SUBNET_IDS", "subnet-a,subnet-b");
    env.put("MAX_RUNNERS", "50");
    env.put("GITHUB_APP_ID_PARAM", "/prod/app/id");
    env.put("GITHUB_APP_KEY_PARAM", "/prod/app/key");
  }

  Fixture set(String name, String value) {
    env.put(name, value);
    return this;
  }

  /** Scale-up sees this fleet instead of the fake directly (to inject failures). */
  Fixture fleetSeen(RunnerFleet fleet) {
    this.fleetSeen = fleet;
    return this;
  }

  Fixture githubSeen(GitHubRunners github) {
    this.githubSeen = github;
    return this;
  }

  ScaleUpSettings settings() {
    return ScaleUpSettings.fromEnv(env);
  }

  PoolSettings pool() {
    return settings().pool();
  }

  ScaleUp scaleUp() {
    ScaleUpSettings settings = settings();
    RunnerLauncher launcher = new RunnerLauncher(settings.pool(), fleetSeen, githubSeen, parameters,
        new RunnerConfigs(settings.pool(), githubSeen, clock));
    JobRechecks recorded = (job, recheck, delay) -> rechecks.add(new Recheck(job, recheck, delay));
    return new ScaleUp(settings, fleetSeen, githubSeen, launcher, recorded, clock);
  }

  record Recheck(JobMessage job, int recheck, Duration delay) {}

  static JobMessage job(long id) {
    return job(id, "acme/api", NOW.minusSeconds(30));
  }

  static JobMessage job(long id, String repository, Instant receivedAt) {
    String owner = repository.substring(0, repository.indexOf('/'));
    return new JobMessage(id, 9000 + id, repository, owner, "Organization", 42L,
        List.of("self-hosted", "linux"), "linux", "delivery-" + id, receivedAt);
  }

  static List<Delivery> deliveries(int count) {
    List<Delivery> deliveries = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      deliveries.add(Delivery.of("m" + i, 1, job(i)));
    }
    return deliveries;
  }
}
