package dev.spotrunner.runners.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spotrunner.common.PermanentFailure;
import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.LaunchOutcome;
import dev.spotrunner.common.fleet.LaunchSpec;
import dev.spotrunner.common.fleet.RunnerFleet;
import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.github.GitHubRunner;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.common.parameters.Parameters;
import dev.spotrunner.runners.pool.PoolSettings;
import dev.spotrunner.testkit.fakes.FakeGitHub;
import dev.spotrunner.testkit.fakes.InMemoryParameters;
import dev.spotrunner.testkit.fakes.InMemoryRunnerFleet;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A step of a launch that fails for good (SSM refusing a write, EC2 refusing a tag, GitHub's 409)
 * is no verdict on the job: the slot comes back retryable, and nothing of the attempt is left.
 */
class FailedStepsTest {
  private static final RunnerOwner ACME = RunnerOwner.org("acme");
  private static final LaunchRequest JOB = new LaunchRequest(ACME, "Organization",
      List.of(RunnerSlot.forJob(dev.spotrunner.common.job.JobId.of(41L), "acme/api")), "1");

  private final Clock clock = Clock.fixed(Instant.parse("2026-12-05T12:00:00Z"), ZoneOffset.UTC);
  private final InMemoryRunnerFleet fleet = new InMemoryRunnerFleet(clock);
  private final FakeGitHub github = new FakeGitHub(clock);
  private final InMemoryParameters stored = new InMemoryParameters();
  private final Map<String, String> env = new HashMap<>(Map.of(
      "ENVIRONMENT", "dev", "POOL_NAME", "big", "POOL_LABELS", "self-hosted,big",
      "LAUNCH_TEMPLATE_NAME", "dev-big", "INSTANCE_TYPES", "c7a.2xlarge", "SUBNET_IDS", "subnet-a",
      "GITHUB_APP_ID_PARAM", "/a", "GITHUB_APP_KEY_PARAM", "/b"));

  private LaunchResult launch(RunnerFleet seen, Parameters parameters) {
    PoolSettings pool = PoolSettings.fromEnv(env);
    return new RunnerLauncher(pool, seen, github, parameters,
        new RunnerConfigs(pool, github, clock)).launch(JOB);
  }

  private static void assertRetried(LaunchResult result) {
    assertEquals(List.of(), result.launched());
    assertEquals(1, result.failed().size());
    assertTrue(result.failed().get(0).retryable(), result.failed().get(0).reason());
  }

  @Test
  void retriesAJobWhoseRunnerConfigSsmRefusesToStore() {
    LaunchResult result = launch(fleet, new StandardTierOnly(stored));

    assertRetried(result);
    assertTrue(result.failed().get(0).reason().contains("4096"), result.failed().get(0).reason());
    assertEquals(List.of(), fleet.all(), "its instance terminated");
    assertEquals(List.of(), List.copyOf(github.runners(ACME)), "its JIT runner deregistered");
    assertEquals(List.of(), stored.namesUnder("/dev/runners"));
  }

  @Test
  void retriesAJobWhoseInstanceEc2RefusesToTag() {
    RunnerFleet untaggable = new TagRefusing(fleet);

    LaunchResult result = launch(untaggable, stored);

    assertRetried(result);
    assertEquals(List.of(), fleet.all(), "its instance terminated");
    assertEquals(List.of(), stored.namesUnder("/dev/runners"), "its config deleted");
    assertEquals(List.of(), List.copyOf(github.runners(ACME)), "its JIT runner deregistered");
  }

  @Test
  void retriesAJobWhoseJitCallGitHubStillRefusesAfterTheKeyWasReadAgain() {
    github.refuseJitConfigs(new PermanentFailure("GitHub refused the App JWT (401) for POST"
        + " app/installations/1/access_tokens, also after reading the key again"));

    LaunchResult result = launch(fleet, stored);

    assertRetried(result);
    assertEquals(List.of(), fleet.all(), "its instance terminated");
  }

  @Test
  void retriesWithoutStartingAnInstanceWhenTheRunnerGroupIsMissing() {
    env.put("RUNNER_GROUP", "missing");

    LaunchResult result = launch(fleet, stored);

    assertRetried(result);
    assertTrue(result.failed().get(0).reason().contains("runner group 'missing' not found"));
    assertEquals(List.of(), fleet.launches(), "no instance for a runner without a config");
  }

  @Test
  void removesTheGhostOfAJitCallWhoseAnswerWasLostAndRegistersUnderAFreshName() {
    github.loseJitAnswers(1);

    LaunchResult result = launch(fleet, stored);

    assertEquals(1, result.launched().size(), result.failed().toString());
    InstanceId instance = result.launched().get(0).instance();
    String name = "dev-" + instance + "-2";
    assertEquals(name, result.launched().get(0).runnerName());
    assertEquals(name, fleet.all().get(0).tag(Tags.RUNNER_NAME));
    List<GitHubRunner> left = List.copyOf(github.runners(ACME));
    assertEquals(List.of(name), left.stream().map(GitHubRunner::name).toList(), "no ghost left");
    assertEquals(String.valueOf(left.get(0).id()), fleet.all().get(0).tag(Tags.RUNNER_ID));
    assertEquals(1, github.calls("delete-runner"));
    assertTrue(stored.get("/dev/runners/big/" + instance).orElseThrow().contains(name));
  }

  @Test
  void givesTheJobBackWhenEveryFreshNameIsTakenAndLeavesNoGhost() {
    github.loseJitAnswers(RunnerConfigs.MAX_JIT_ATTEMPTS);

    LaunchResult result = launch(fleet, stored);

    assertRetried(result);
    assertEquals(List.of(), List.copyOf(github.runners(ACME)));
    assertEquals(List.of(), fleet.all());
  }

  @Test
  void neverRemovesAnOnlineRunnerThatHoldsTheName() {
    // the instance id InMemoryRunnerFleet will give: learn it from a first launch
    InMemoryRunnerFleet probe = new InMemoryRunnerFleet(clock);
    InstanceId next = probe.launch(new LaunchSpec("t", List.of("m"), List.of("s"), 1,
        dev.spotrunner.common.fleet.CapacityType.SPOT, null, null, Map.of(), null))
        .launched().get(0);
    GitHubRunner live = github.addRunner(ACME, "dev-" + next, "online", false, List.of("x"));

    LaunchResult result = launch(fleet, stored);

    assertEquals(1, result.launched().size(), result.failed().toString());
    assertEquals("dev-" + next + "-2", result.launched().get(0).runnerName());
    assertTrue(github.runners(ACME).contains(live), "the live runner was kept");
    assertEquals(0, github.calls("delete-runner"));
  }

  /** SSM's Standard tier: a value over 4,096 characters is refused (ValidationException). */
  private record StandardTierOnly(InMemoryParameters delegate) implements Parameters {
    @Override
    public Optional<String> get(String name) {
      return delegate.get(name);
    }

    @Override
    public void putSecure(String name, String value) {
      if (value.length() > 4096) {
        throw new PermanentFailure("SSM refused PutParameter " + name + ": Standard tier values"
            + " are at most 4096 characters");
      }
      delegate.putSecure(name, value);
    }

    @Override
    public void delete(String name) {
      delegate.delete(name);
    }

    @Override
    public List<String> namesUnder(String path) {
      return delegate.namesUnder(path);
    }
  }

  /** EC2 answering CreateTags on a just-launched instance with a permanent refusal. */
  private record TagRefusing(InMemoryRunnerFleet delegate) implements RunnerFleet {
    @Override
    public LaunchOutcome launch(LaunchSpec spec) {
      return delegate.launch(spec);
    }

    @Override
    public List<RunnerInstance> list(Map<String, String> tags) {
      return delegate.list(tags);
    }

    @Override
    public List<RunnerInstance> interrupted(Map<String, String> tags) {
      return delegate.interrupted(tags);
    }

    @Override
    public Set<InstanceId> ended(Collection<InstanceId> instances) {
      return delegate.ended(instances);
    }

    @Override
    public void tag(InstanceId instance, Map<String, String> tags) {
      throw new PermanentFailure("EC2 answered InvalidInstanceID.NotFound for CreateTags "
          + instance);
    }

    @Override
    public void terminate(Collection<InstanceId> instances) {
      delegate.terminate(instances);
    }
  }
}
