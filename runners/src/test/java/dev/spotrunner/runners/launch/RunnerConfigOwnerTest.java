package dev.spotrunner.runners.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.Context;
import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.LaunchOutcome;
import dev.spotrunner.common.fleet.LaunchSpec;
import dev.spotrunner.common.fleet.RunnerFleet;
import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.common.parameters.ParameterOwner;
import dev.spotrunner.runners.pool.PoolSettings;
import dev.spotrunner.testkit.fakes.FakeGitHub;
import dev.spotrunner.testkit.fakes.InMemoryParameters;
import dev.spotrunner.testkit.fakes.InMemoryRunnerFleet;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RunnerConfigOwnerTest {
  private static final String FUNCTION =
      "arn:aws:lambda:eu-west-1:111122223333:function:dev-big-scale-up";
  private static final String KEY = "arn:aws:kms:eu-west-1:111122223333:key/k-1";

  private final Clock clock = Clock.fixed(Instant.parse("2026-12-06T01:00:00Z"), ZoneOffset.UTC);
  private final InMemoryRunnerFleet fleet = new InMemoryRunnerFleet(clock);
  private final FakeGitHub github = new FakeGitHub(clock);
  private final InMemoryParameters parameters = new InMemoryParameters();
  private final PoolSettings pool = PoolSettings.fromEnv(Map.of(
      "ENVIRONMENT", "dev", "POOL_NAME", "big", "POOL_LABELS", "self-hosted,big",
      "LAUNCH_TEMPLATE_NAME", "dev-big", "INSTANCE_TYPES", "c7a.2xlarge", "SUBNET_IDS", "subnet-a",
      "GITHUB_APP_ID_PARAM", "/a", "GITHUB_APP_KEY_PARAM", "/b"));

  @AfterEach
  void forgetTheFunction() {
    InvokedFunction.forget();
  }

  private LaunchResult launchTwo(RunnerFleet through, RunnerConfigs configs) {
    return new RunnerLauncher(pool, through, github, parameters, configs).launch(
        new LaunchRequest(RunnerOwner.org("acme"), "Organization",
            List.of(RunnerSlot.warm(), RunnerSlot.warm()), "1"));
  }

  @Test
  void storesEachConfigForItsOwnInstanceWithTheKey() {
    LaunchResult result = launchTwo(fleet,
        new RunnerConfigs(pool, github, clock, () -> Optional.of(FUNCTION), KEY));

    assertEquals(2, result.launched().size());
    for (RunnerInstance instance : fleet.all()) {
      assertEquals(Optional.of(new ParameterOwner("spotrunner:instance",
              "arn:aws:ec2:eu-west-1:111122223333:instance/" + instance.id(), KEY)),
          parameters.owner(pool.configParameter(instance.id().value())));
    }
  }

  /** Another instance's config under this instance's name (a forged or stale one) is not ours. */
  @Test
  void aConfigOwnedByAnotherInstanceFailsTheSlotForARetryAndTerminatesTheInstance() {
    InstanceId[] first = new InstanceId[1];
    RunnerFleet squatted = new RunnerFleet() {
      @Override
      public LaunchOutcome launch(LaunchSpec spec) {
        LaunchOutcome outcome = fleet.launch(spec);
        first[0] = outcome.launched().get(0);
        parameters.putSecure(pool.configParameter(first[0].value()), "theirs",
            new ParameterOwner("spotrunner:instance", "arn:aws:ec2:eu-west-1:111122223333:"
                + "instance/i-0other", null));
        return outcome;
      }

      @Override
      public List<RunnerInstance> list(Map<String, String> tags) {
        return fleet.list(tags);
      }

      @Override
      public void tag(InstanceId instance, Map<String, String> tags) {
        fleet.tag(instance, tags);
      }

      @Override
      public void terminate(Collection<InstanceId> instances) {
        fleet.terminate(instances);
      }
    };

    LaunchResult result = launchTwo(squatted,
        new RunnerConfigs(pool, github, clock, () -> Optional.of(FUNCTION), KEY));

    assertEquals(1, result.launched().size());
    LaunchResult.Failed failed = result.failed().get(0);
    assertTrue(failed.retryable(), "a refused write is a failed step, never the job's end");
    assertTrue(failed.reason().contains("exists with another owner"), failed.reason());
    assertEquals(List.of(first[0]), fleet.terminated(), "its instance is terminated");
    assertEquals(Optional.of("theirs"), parameters.get(pool.configParameter(first[0].value())),
        "the other owner's config is left as it was");
  }

  @Test
  void withoutAFunctionArnConfigsAreStoredWithoutAnOwner() {
    LaunchResult result = launchTwo(fleet, new RunnerConfigs(pool, github, clock));

    assertEquals(2, result.launched().size());
    for (RunnerInstance instance : fleet.all()) {
      assertEquals(Optional.empty(), parameters.owner(pool.configParameter(instance.id().value())));
    }
  }

  @Test
  void makesInstanceArnsInTheFunctionsPartitionRegionAndAccount() {
    InstanceId id = new InstanceId("i-0123456789abcdef0");

    assertEquals(Optional.of("arn:aws:ec2:eu-west-1:111122223333:instance/i-0123456789abcdef0"),
        InvokedFunction.instanceArn(FUNCTION, id));
    assertEquals(Optional.of("arn:aws-cn:ec2:cn-north-1:111122223333:instance/i-0123456789abcdef0"),
        InvokedFunction.instanceArn("arn:aws-cn:lambda:cn-north-1:111122223333:function:f:live", id));
    assertEquals(Optional.of("arn:aws-us-gov:ec2:us-gov-west-1:111122223333:instance/i-0123456789abcdef0"),
        InvokedFunction.instanceArn("arn:aws-us-gov:lambda:us-gov-west-1:111122223333:function:f", id));
    for (String notAFunction : new String[] {null, "", "f", "arn:aws:sqs:eu-west-1:111122223333:q",
        "arn:aws:lambda:eu-west-1:local:function:f", "arn:aws:lambda:eu-west-1:111122223333:layer:l"}) {
      assertEquals(Optional.empty(), InvokedFunction.instanceArn(notAFunction, id), notAFunction);
    }
  }

  @Test
  void theHandlerRecordsTheArnItWasInvokedAs() {
    assertEquals(Optional.empty(), InvokedFunction.arn());
    InvokedFunction.record(null);
    assertEquals(Optional.empty(), InvokedFunction.arn());

    InvokedFunction.record(context(FUNCTION));

    assertEquals(Optional.of(FUNCTION), InvokedFunction.arn());
  }

  private static Context context(String functionArn) {
    return (Context) Proxy.newProxyInstance(RunnerConfigOwnerTest.class.getClassLoader(),
        new Class<?>[] {Context.class},
        (proxy, method, args) -> "getInvokedFunctionArn".equals(method.getName()) ? functionArn : null);
  }
}
