package dev.spotrunner.runners.interruption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.github.GitHubRunners;
import dev.spotrunner.common.github.GitHubRunners.RerunAnswer;
import dev.spotrunner.common.github.Sleeper;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.runners.interruption.Interruptions.Outcome;
import dev.spotrunner.testkit.fakes.InMemoryParameters;
import dev.spotrunner.testkit.github.GitHubStandIn;
import dev.spotrunner.testkit.github.StandInApp;
import dev.spotrunner.testkit.github.StandInJob;
import dev.spotrunner.testkit.github.StandInReruns;
import dev.spotrunner.testkit.github.StandInRunner;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The interruption function's GitHub side as its wiring builds it, against the stand-in over HTTP
 * (EC2 and SSM in memory): every App of the environment, a fallback to the second App when the
 * first one's key is revoked, and every call held to the points Terraform set aside for the
 * function ({@code GITHUB_POINTS_PER_MINUTE}). Time is a clock the governor's waits advance, shared
 * with the stand-in, so a minute's budget takes no real minute.
 */
class InterruptionAppsIT {
  private final StepClock clock = new StepClock(Instant.parse("2026-12-05T10:00:00Z"));
  private final GitHubStandIn github = GitHubStandIn.start(clock, 0);
  private final InMemoryParameters parameters = new InMemoryParameters();
  private final FakeInstances instances = new FakeInstances();
  private final List<String> emf = new ArrayList<>();
  private int next;

  @AfterEach
  void stop() {
    github.close();
  }

  /** The environment Terraform gives the function, with these Apps and this set-aside. */
  private InterruptionSettings settings(List<StandInApp> apps, int pointsPerMinute) {
    List<String> ids = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < apps.size(); i++) {
      parameters.with("/dev/app" + i + "-id", String.valueOf(apps.get(i).appId()))
          .with("/dev/app" + i + "-key", apps.get(i).appKeys().pkcs1Pem());
      ids.add("/dev/app" + i + "-id");
      keys.add("/dev/app" + i + "-key");
    }
    return InterruptionSettings.fromEnv(Map.of("ENVIRONMENT", "dev",
        "GITHUB_API_URL", github.apiUrl().toString(),
        "GITHUB_APP_ID_PARAM", String.join(",", ids),
        "GITHUB_APP_KEY_PARAM", String.join(",", keys),
        "GITHUB_POINTS_PER_MINUTE", String.valueOf(pointsPerMinute),
        "INTERRUPTION_POOLS", World.POOLS));
  }

  private Interruptions interruptions(InterruptionSettings settings) {
    GitHubRunners ports = InterruptionWiring.github(settings, parameters, clock, clock.sleeper());
    return InterruptionWiring.create(settings, instances, ports, parameters, emf::add, clock);
  }

  /** A running instance of pool "linux" whose runner is {@code runner}, launched for a job. */
  private InstanceId instance(StandInRunner runner) {
    InstanceId id = new InstanceId(String.format("i-%017x", 0xdef000 + next));
    Map<String, String> tags = new HashMap<>(Map.of(Tags.ENVIRONMENT, "dev",
        Tags.APPLICATION, "spotrunner", Tags.POOL, "linux", Tags.OWNER, "acme",
        Tags.OWNER_TYPE, "Organization", Tags.RUNNER_NAME, runner.name(),
        Tags.RUNNER_ID, Long.toString(runner.id()), Tags.JOB_ID, Long.toString(5000 + next),
        Tags.REPOSITORY, "acme/api"));
    next++;
    instances.add(new InstanceFacts(id, "running", "m5.large", "eu-west-1a", "subnet-a", true,
        tags));
    return id;
  }

  @Test
  void aWarningDeregistersTheIdleRunnerThroughTheSecondAppWhenTheFirstAppsKeyIsRevoked() {
    StandInApp first = github.app();
    StandInApp second = github.addApp();
    long firstInstallation = first.install("acme");
    long secondInstallation = second.install("acme");
    InterruptionSettings settings = settings(List.of(first, second), 100);
    first.revokeKey(first.appKeys());
    StandInRunner idle = github.addRunner("orgs/acme", "dev-idle", "online", false,
        List.of("linux"));

    Outcome outcome = interruptions(settings).handle(World.warning(instance(idle), clock.instant()));

    assertEquals(Outcome.IDLE_DEREGISTERED, outcome);
    assertTrue(github.runner(idle.id()).isEmpty(), "deregistered through the second App");
    assertEquals(0, github.callsByInstallation(firstInstallation));
    assertTrue(github.callsByInstallation(secondInstallation) >= 2, "GET and DELETE runner");
  }

  @Test
  void anInterruptedJobIsReRunThroughTheSecondAppWhenTheFirstAppsKeyIsRevoked() {
    StandInApp first = github.app();
    StandInApp second = github.addApp();
    first.install("acme");
    second.install("acme");
    InterruptionSettings settings = settings(List.of(first, second), 100);
    first.revokeKey(first.appKeys());
    StandInJob job = github.addJob("acme", "api", 9001, List.of("linux"));
    github.updateJob(job.id(), "completed", "failure");
    GitHubRunners ports = InterruptionWiring.github(settings, parameters, clock, clock.sleeper());
    RunnerOwner repository = RunnerOwner.parse("acme/api");

    assertEquals("failure", ports.jobOutcome(repository, job.id()).orElseThrow().conclusion());
    assertEquals(RerunAnswer.ACCEPTED, ports.rerunJob(repository, job.id()));
    assertEquals(List.of(job.id()), StandInReruns.of(github).rerunJobs());
  }

  @Test
  void warningsAreHeldToThePointsTerraformSetAsideForTheFunction() {
    long installation = github.install("acme");
    InterruptionSettings settings = settings(List.of(github.app()), 12);
    Interruptions interruptions = interruptions(settings);
    List<InstanceId> busy = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      busy.add(instance(github.addRunner("orgs/acme", "dev-busy-" + i, "online", true,
          List.of("linux"))));
    }
    Instant start = clock.instant();

    // each busy runner's warning costs one GET of the runner: 20 points against a share of 12
    for (InstanceId id : busy) {
      assertEquals(Outcome.BUSY_RECORDED, interruptions.handle(World.warning(id, clock.instant())));
    }

    assertEquals(12, github.peakPoints(installation), "never more than the set-aside a minute");
    assertEquals(0, github.rateLimited());
    assertTrue(Duration.between(start, clock.instant()).toSeconds() >= 50,
        "the governor waited for the window: " + Duration.between(start, clock.instant()));
  }

  /** A clock that moves only when the governor sleeps (and a little per read, like time). */
  static final class StepClock extends Clock {
    private final AtomicReference<Instant> now;

    StepClock(Instant start) {
      this.now = new AtomicReference<>(start);
    }

    Sleeper sleeper() {
      return duration -> now.updateAndGet(t -> t.plus(duration));
    }

    @Override
    public Instant instant() {
      return now.updateAndGet(t -> t.plusMillis(1));
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
