package dev.spotrunner.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spotrunner.local.github.StandInGitHub;
import dev.spotrunner.local.lambda.FunctionPool;
import dev.spotrunner.local.stack.Deployment;
import dev.spotrunner.local.stack.LocalStack;
import dev.spotrunner.testkit.aws.FaultProxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Lambda's concurrency on the local stack: a pool whose scale-up has reserved concurrency 2 and a
 * batch size of 1 (set through examples/local's pools) gets two jobs at once; both scale-up
 * invocations run at the same time, each in its own execution environment (JVM), as Lambda runs
 * them. The times come from the Runtime API: the runtime took the event, the runtime answered.
 */
class ConcurrencyIT {
  static final String POOL = "linux-x64";
  static final List<String> LABELS = List.of("self-hosted", "linux", "x64");
  static final String POOLS = """
      [{ name = "%s", labels = ["self-hosted", "linux", "x64"], default = true,
         instance_types = ["m5.large", "m5a.large"], max_count = 4, ami_id = "ami-12c6146b",
         delay_seconds = 0, job_recheck_seconds = 0,
         scale_up_reserved_concurrency = 2, scale_up_batch_size = 1 }]""".formatted(POOL);
  static LocalStack stack;
  static Deployment.Pool pool;

  @BeforeAll
  static void startStack() throws Exception {
    Path root = Path.of(System.getProperty("spotrunner.root", "..")).toAbsolutePath().normalize();
    Path workDir = Files.createTempDirectory("spotrunner-concurrency-it-");
    stack = LocalStack.start(LocalStack.Options.defaults(root, workDir).withPrefix("concurrency")
        .withBootTime(Duration.ofSeconds(2), Duration.ofMillis(200)).withTerraformVariables(Map.of("pools", POOLS)),
        StandInGitHub.start());
    pool = stack.deployment().pools().getFirst();
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void twoScaleUpInvocationsOfOnePoolOverlapInTimeEachInItsOwnJvm() {
    assertThat(stack.settings().value(POOL, "scale-up concurrency")).hasValue("2");
    assertThat(stack.settings().value(POOL, "batch size")).hasValue("1");
    // Each launch takes at least 5 s at EC2, so the second job arrives while the first is launching.
    stack.ec2Proxy().delayNext(2, FaultProxy.action("CreateFleet"), Duration.ofSeconds(5));

    long first = stack.github().queueJob("acme/api", LABELS, Duration.ofSeconds(2));
    long second = stack.github().queueJob("acme/web", LABELS, Duration.ofSeconds(2));

    StackChecks.eventually(Duration.ofSeconds(90), "both jobs completed",
        () -> StackChecks.status(stack, first).equals("completed")
            && StackChecks.status(stack, second).equals("completed"));
    FunctionPool scaleUp = stack.function(pool.scaleUp().name());
    List<FunctionPool.Invocation> invocations = scaleUp.invocations();
    invocations.forEach(i -> System.out.printf("scale-up invocation env %d pid %d %s → %s%n", i.environment(),
        i.pid(), i.started(), i.ended()));
    assertThat(invocations).hasSizeGreaterThanOrEqualTo(2).noneMatch(FunctionPool.Invocation::failed);
    assertThat(scaleUp.peakConcurrency()).as("two invocations at once, never more than reserved").isEqualTo(2);
    FunctionPool.Invocation a = invocations.get(0);
    FunctionPool.Invocation b = invocations.get(1);
    assertThat(b.started()).isBefore(a.ended());
    assertThat(a.pid()).isNotEqualTo(b.pid());
    assertThat(scaleUp.environments()).isEqualTo(2);
    assertThat(StackChecks.instancesForJob(stack, first)).hasSize(1);
    assertThat(StackChecks.instancesForJob(stack, second)).hasSize(1);
  }
}
