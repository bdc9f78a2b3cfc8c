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
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * Lambda's concurrency on the local stack: a pool whose scale-up has reserved concurrency 2 and a
 * batch size of 1 (set through examples/local's pools) gets two jobs at once; both scale-up
 * invocations run at the same time, each in its own execution environment (JVM), as Lambda runs
 * them. The times come from the Runtime API: the runtime took the event, the runtime answered.
 * The pool's maximum is 1, so the overlap is also a race for the last slot: the maximum holds (one
 * instance at a time, the second job launched only after the first job's instance ended), which
 * two scale-ups counting the pool at once without the pool's launch lock would break.
 */
class ConcurrencyIT {
  static final String POOL = "linux-x64";
  static final List<String> LABELS = List.of("self-hosted", "linux", "x64");
  static final String POOLS = """
      [{ name = "%s", labels = ["self-hosted", "linux", "x64"], default = true,
         instance_types = ["m5.large", "m5a.large"], max_count = 1, ami_id = "ami-12c6146b",
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
  void twoScaleUpInvocationsOfOnePoolOverlapInTimeEachInItsOwnJvmAndThePoolMaximumHolds() throws Exception {
    assertThat(stack.settings().value(POOL, "scale-up concurrency")).hasValue("2");
    assertThat(stack.settings().value(POOL, "batch size")).hasValue("1");
    assertThat(pool.scaleUp().environment()).containsEntry("MAX_RUNNERS", "1");
    AtomicInteger peak = new AtomicInteger();
    Thread sampler = Thread.ofVirtual().start(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        peak.accumulateAndGet(stack.agents().aliveCount(), Math::max);
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    // Each launch takes at least 5 s at EC2, so the second job arrives while the first is launching.
    stack.ec2Proxy().delayNext(2, FaultProxy.action("CreateFleet"), Duration.ofSeconds(5));

    long first = stack.github().queueJob("acme/api", LABELS, Duration.ofSeconds(2));
    long second = stack.github().queueJob("acme/web", LABELS, Duration.ofSeconds(2));

    // the job refused at the maximum comes back after the pool's backoff (at most 40 s + jitter)
    StackChecks.eventually(Duration.ofSeconds(180), "both jobs completed",
        () -> StackChecks.status(stack, first).equals("completed")
            && StackChecks.status(stack, second).equals("completed"));
    StackChecks.eventually(Duration.ofSeconds(30), "the fleet back at zero", () -> stack.agents().aliveCount() == 0);
    sampler.interrupt();
    sampler.join();
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

    // the maximum held: one instance per job, never two alive, the second after the first ended
    List<Instance> firstInstances = StackChecks.instancesForJob(stack, first);
    List<Instance> secondInstances = StackChecks.instancesForJob(stack, second);
    assertThat(firstInstances).hasSize(1);
    assertThat(secondInstances).hasSize(1);
    assertThat(peak.get()).isEqualTo(1);
    assertThat(stack.agents().peakInstances()).isEqualTo(1);
    Instant firstEnded = stack.agents().reports().stream()
        .filter(r -> r.instance().value().equals(firstInstances.getFirst().instanceId())).findFirst()
        .orElseThrow().endedAt();
    Instant secondLaunched = StackChecks.functionLog(stack, pool.scaleUp().name()).stream()
        .filter(l -> l.path("message").asText().equals("runner launched") && l.path("job_id").asLong() == second)
        .map(l -> Instant.parse(l.path("timestamp").asText())).findFirst().orElseThrow();
    assertThat(secondLaunched).isAfter(firstEnded);
    assertThat(StackChecks.functionLog(stack, pool.scaleUp().name()))
        .as("the second job waited: refused at the maximum or while the first held the launch lock")
        .anyMatch(l -> l.path("job_id").asLong() == second && l.path("message").asText().endsWith(", job waits"));
  }
}
