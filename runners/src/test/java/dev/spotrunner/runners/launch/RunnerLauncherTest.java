package dev.spotrunner.runners.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.common.fleet.CapacityType;
import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.LaunchOutcome;
import dev.spotrunner.common.fleet.LaunchSpec;
import dev.spotrunner.common.fleet.RunnerFleet;
import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.job.JobId;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.common.json.Json;
import dev.spotrunner.runners.pool.PoolSettings;
import dev.spotrunner.testkit.fakes.FakeGitHub;
import dev.spotrunner.testkit.fakes.InMemoryParameters;
import dev.spotrunner.testkit.fakes.InMemoryRunnerFleet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunnerLauncherTest {
  private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
  private static final RunnerOwner ACME = RunnerOwner.org("acme");

  private Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
  private final InMemoryRunnerFleet fleet = new InMemoryRunnerFleet(clock);
  private final FakeGitHub github = new FakeGitHub(clock);
  private final InMemoryParameters parameters = new InMemoryParameters();
  private final Map<String, String> env = new HashMap<>(Map.of(
      "ENVIRONMENT", "dev", "POOL_NAME", "big", "POOL_LABELS", "self-hosted,big",
      "LAUNCH_TEMPLATE_NAME", "dev-big", "INSTANCE_TYPES", "c7a.2xlarge", "SUBNET_IDS", "subnet-a",
      "GITHUB_APP_ID_PARAM", "/a", "GITHUB_APP_KEY_PARAM", "/b"));

  private RunnerLauncher launcher(RunnerFleet seen) {
    PoolSettings pool = PoolSettings.fromEnv(env);
    return new RunnerLauncher(pool, seen, github, parameters, new RunnerConfigs(pool, github, clock));
  }

  private static LaunchRequest warm(int count, String attempt) {
    return new LaunchRequest(ACME, "Organization",
        java.util.Collections.nCopies(count, RunnerSlot.warm()), attempt);
  }

  @Test
  void launchesWarmRunnersWithoutAJobTag() {
    LaunchResult result = launcher(fleet).launch(warm(2, "tick-1"));

    assertEquals(2, result.launched().size());
    for (RunnerInstance instance : fleet.all()) {
      assertNull(instance.tag(Tags.JOB_ID));
      assertEquals("dev-" + instance.id(), instance.tag(Tags.RUNNER_NAME));
      assertEquals("spotrunner", instance.tag(Tags.APPLICATION));
    }
  }

  @Test
  void givesPersistentRunnersOneCachedRegistrationTokenAndTheConfigArguments() {
    env.put("EPHEMERAL", "false");
    RunnerLauncher launcher = launcher(fleet);

    launcher.launch(warm(5, "1"));
    launcher.launch(warm(5, "2"));

    assertEquals(1, github.calls("registration-token"), "10 runners, one token");
    assertEquals(0, github.calls("generate-jitconfig"));
    InstanceId any = fleet.all().get(0).id();
    Map<?, ?> config = Json.read(parameters.get("/dev/runners/big/" + any).orElseThrow(), Map.class);
    assertEquals("registration", config.get("mode"));
    assertEquals("https://github.com/acme", config.get("url"));
    assertEquals("self-hosted,big", config.get("labels"));
    assertEquals("Default", config.get("runnerGroup"));
    assertEquals(false, config.get("ephemeral"));
    assertTrue(((String) config.get("token")).startsWith("REGacme"));
  }

  @Test
  void replacesTheRegistrationTokenShortlyBeforeItExpires() {
    env.put("USE_JIT_CONFIG", "false");
    PoolSettings pool = PoolSettings.fromEnv(env);
    Instant[] now = {NOW};
    Clock moving = new Clock() {
      public java.time.ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      public Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      public Instant instant() {
        return now[0];
      }
    };
    RunnerConfigs configs = new RunnerConfigs(pool, github, moving);

    configs.issue(ACME, "a");
    now[0] = NOW.plus(Duration.ofMinutes(44)); // 16 minutes left: kept
    configs.issue(ACME, "b");
    assertEquals(1, github.calls("registration-token"));
    now[0] = NOW.plus(Duration.ofMinutes(46)); // 14 left: under RegistrationToken.RENEW_BEFORE_EXPIRY
    RunnerConfigs.Issued late = configs.issue(ACME, "c");

    assertEquals(2, github.calls("registration-token"));
    assertTrue(late.config().ephemeral(), "ephemeral without JIT (GHES)");
  }

  @Test
  void retriesASlotWhoseRepeatedLaunchReturnsAnInstanceThatHasEnded() {
    RunnerSlot job = RunnerSlot.forJob(JobId.of(7L), "acme/app");
    LaunchRequest request = new LaunchRequest(ACME, "Organization", List.of(job), "1");
    LaunchResult first = launcher(fleet).launch(request);
    InstanceId instance = first.launched().get(0).instance();
    // Gone since, as when its config could not be stored: no instance, config or runner is left.
    fleet.terminate(List.of(instance));
    parameters.delete("/dev/runners/big/" + instance);
    github.runners(ACME).forEach(r -> github.deleteRunner(ACME, r.id()));

    LaunchResult again = launcher(fleet).launch(request);

    assertEquals(2, fleet.launches().size());
    assertEquals(fleet.launches().get(0).clientToken(), fleet.launches().get(1).clientToken(),
        "the second launch repeated the first one's token");
    assertEquals(List.of(), again.launched());
    assertEquals(1, again.failed().size());
    assertTrue(again.failed().get(0).retryable(), again.failed().get(0).reason());
    assertTrue(again.failed().get(0).reason().contains("has ended"), again.failed().get(0).reason());
    assertTrue(parameters.get("/dev/runners/big/" + instance).isEmpty(), "no config for it");
    assertEquals(List.of(), List.copyOf(github.runners(ACME)), "its JIT runner deregistered again");
  }

  @Test
  void launchesOnDemandFirstForAnOnDemandPool() {
    env.put("CAPACITY_TYPE", "on-demand");

    launcher(fleet).launch(warm(3, "1"));

    assertEquals(List.of(CapacityType.ON_DEMAND),
        fleet.launches().stream().map(LaunchSpec::capacityType).toList());
  }

  @Test
  void passesTheSpotPriceAndStrategy() {
    env.put("SPOT_MAX_PRICE", "0.12");
    env.put("SPOT_ALLOCATION_STRATEGY", "lowest-price");

    launcher(fleet).launch(warm(1, "1"));

    LaunchSpec spec = fleet.launches().get(0);
    assertEquals("0.12", spec.maxSpotPrice());
    assertEquals("lowest-price", spec.spotAllocationStrategy());
  }

  @Test
  void keepsTheSpotInstancesWhenTheOnDemandLaunchFails() {
    fleet.spotCapacity(2);
    RunnerFleet onDemandDown = new Delegating(fleet) {
      @Override
      public LaunchOutcome launch(LaunchSpec spec) {
        if (spec.capacityType() == CapacityType.ON_DEMAND) {
          throw new TransientFailure("RequestLimitExceeded");
        }
        return super.launch(spec);
      }
    };

    LaunchResult result = launcher(onDemandDown).launch(warm(5, "1"));

    assertEquals(2, result.launched().size());
    assertEquals(3, result.failed().size());
    assertTrue(result.failed().stream().allMatch(LaunchResult.Failed::retryable));
    assertEquals(2, fleet.all().size());
  }

  @Test
  void namesTheErrorCodeEc2GaveForEverySlotLeftWithoutAnInstance() {
    fleet.failLaunchesWith(spec -> spec.capacityType() == CapacityType.SPOT ? "InsufficientInstanceCapacity"
        : "UnfulfillableCapacity");

    LaunchResult result = launcher(fleet).launch(warm(2, "1"));

    assertEquals(2, result.failed().size());
    // on-demand was tried after spot's shortfall: its answer decided
    assertEquals(List.of("UnfulfillableCapacity", "UnfulfillableCapacity"),
        result.failed().stream().map(LaunchResult.Failed::errorCode).toList());
  }

  @Test
  void namesAWSsErrorCodeOrTheFailuresTypeWhenTheLaunchThrows() {
    software.amazon.awssdk.awscore.exception.AwsServiceException aws =
        software.amazon.awssdk.awscore.exception.AwsServiceException.builder().statusCode(503)
            .awsErrorDetails(software.amazon.awssdk.awscore.exception.AwsErrorDetails.builder()
                .errorCode("RequestLimitExceeded").build()).build();
    RunnerFleet throttled = new Delegating(fleet) {
      @Override
      public LaunchOutcome launch(LaunchSpec spec) {
        throw dev.spotrunner.common.aws.AwsFailures.translate("EC2", "CreateFleet", aws);
      }
    };
    RunnerFleet down = new Delegating(fleet) {
      @Override
      public LaunchOutcome launch(LaunchSpec spec) {
        throw new TransientFailure("connection reset");
      }
    };

    assertEquals("RequestLimitExceeded", launcher(throttled).launch(warm(1, "1")).failed().get(0).errorCode());
    assertEquals("TransientFailure", launcher(down).launch(warm(1, "2")).failed().get(0).errorCode());
  }

  @Test
  void writesTheRequestIdAndJobIdOnTheLinesOfItsWorkerThreads() {
    // prepare() runs on the launcher's virtual threads, which start without the request's context
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    dev.spotrunner.common.log.Log.setOutput(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
    dev.spotrunner.common.log.Log.requestId("req-launch-1");
    dev.spotrunner.common.log.Log.setLevel(dev.spotrunner.common.log.Log.Level.INFO); // the module's tests run at LOG_LEVEL=ERROR
    RunnerFleet untaggable = new Delegating(fleet) {
      @Override
      public void tag(InstanceId instance, Map<String, String> tags) {
        throw new TransientFailure("CreateTags failed");
      }
    };
    try {
      launcher(untaggable).launch(new LaunchRequest(ACME, "Organization",
          List.of(RunnerSlot.forJob(JobId.of(31L), "acme/app")), "1"));
    } finally {
      dev.spotrunner.common.log.Log.setOutput(System.out);
      dev.spotrunner.common.log.Log.setLevel(dev.spotrunner.common.log.Log.parseLevel(System.getenv("LOG_LEVEL")));
      dev.spotrunner.common.log.Log.requestId(null);
    }

    String line = captured.toString(java.nio.charset.StandardCharsets.UTF_8).lines()
        .filter(l -> l.contains("runner not prepared")).findFirst().orElseThrow(() -> new AssertionError(captured));
    Map<?, ?> fields = Json.read(line, Map.class);
    assertEquals("req-launch-1", fields.get("function_request_id"), line);
    assertEquals(31, ((Number) fields.get("job_id")).intValue(), line);
  }

  @Test
  void terminatesInstancesBeyondTheSlots() {
    RunnerFleet generous = new Delegating(fleet) {
      @Override
      public LaunchOutcome launch(LaunchSpec spec) {
        return super.launch(spec.withCount(spec.count() + 2, spec.capacityType(), null));
      }
    };

    LaunchResult result = launcher(generous).launch(warm(1, "1"));

    assertEquals(1, result.launched().size());
    assertEquals(2, fleet.terminated().size());
    assertEquals(1, fleet.all().size());
  }

  @Test
  void usesTheSameClientTokenForTheSameAttemptOnly() {
    List<RunnerSlot> slots = List.of(RunnerSlot.forJob(JobId.of(1)), RunnerSlot.forJob(JobId.of(2)));
    String a = ClientTokens.of("big", "acme", slots, "1,1", CapacityType.SPOT);

    assertEquals(a, ClientTokens.of("big", "acme", slots, "1,1", CapacityType.SPOT));
    assertFalse(a.equals(ClientTokens.of("big", "acme", slots, "2,1", CapacityType.SPOT)));
    assertFalse(a.equals(ClientTokens.of("big", "acme", slots, "1,1", CapacityType.ON_DEMAND)));
    assertFalse(a.equals(ClientTokens.of("big", "acme", slots.subList(0, 1), "1", CapacityType.SPOT)));
    assertNull(ClientTokens.of("big", "acme", slots, null, CapacityType.SPOT));
  }

  @Test
  void neverShowsTheSecretInAConfigsText() {
    RunnerConfig config = RunnerConfig.jit("dev-i-1", "c2VjcmV0");
    assertFalse(config.toString().contains("c2VjcmV0"));
  }

  private static class Delegating implements RunnerFleet {
    private final RunnerFleet delegate;

    Delegating(RunnerFleet delegate) {
      this.delegate = delegate;
    }

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
    public java.util.Set<InstanceId> ended(Collection<InstanceId> instances) {
      return delegate.ended(instances);
    }

    @Override
    public void tag(InstanceId instance, Map<String, String> tags) {
      delegate.tag(instance, tags);
    }

    @Override
    public void terminate(Collection<InstanceId> instances) {
      delegate.terminate(instances);
    }
  }
}
