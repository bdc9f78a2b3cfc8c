package dev.spotrunner.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.fleet.RunnerFleet;
import dev.spotrunner.local.agent.RunnerAgent;
import dev.spotrunner.local.github.StandInGitHub;
import dev.spotrunner.local.stack.Deployment;
import dev.spotrunner.local.stack.LocalStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * Scale-up's recheck end to end, on its own stack: one ephemeral JIT pool whose rechecks come
 * {@value #RECHECK_SECONDS} s after a launch. The first machine launched for one job fails to boot
 * and terminates itself — a normal termination, which scale-down's rescue of spot-interrupted
 * instances does not cover — so only the recheck can get that job a runner. A second job, whose
 * machine boots, shows the recheck of a served job launching nothing.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RecheckIT {
  static final int RECHECK_SECONDS = 15;
  static final String POOL = "linux-x64";
  static final List<String> LABELS = List.of("self-hosted", "linux", "x64");
  static final String POOLS = """
      [{ name = "%s", labels = ["self-hosted", "linux", "x64"], default = true,
         instance_types = ["m5.large", "m5a.large"], max_count = 3, ami_id = "ami-12c6146b",
         delay_seconds = 0, job_recheck_seconds = %d }]""".formatted(POOL, RECHECK_SECONDS);
  static LocalStack stack;
  static Deployment.Pool pool;
  static long served;
  static long failing;

  @BeforeAll
  static void startStackAndQueueBothJobs() throws Exception {
    Path root = Path.of(System.getProperty("spotrunner.root", "..")).toAbsolutePath().normalize();
    Path workDir = Files.createTempDirectory("spotrunner-recheck-it-");
    stack = LocalStack.start(LocalStack.Options.defaults(root, workDir).withPrefix("recheck")
        .withBootTime(Duration.ofSeconds(6), Duration.ofMillis(200)).withTerraformVariables(Map.of("pools", POOLS)),
        StandInGitHub.start());
    pool = stack.deployment().pools().stream().filter(p -> p.name().endsWith(POOL)).findFirst().orElseThrow();
    assertThat(pool.scaleUp().environment()).containsEntry("JOB_RECHECK_SECONDS", Integer.toString(RECHECK_SECONDS));

    // GitHub gives the oldest queued job to an idle runner: the served job goes first, so its
    // runner takes it rather than the job whose runner never comes.
    served = stack.github().queueJob("acme/api", LABELS, Duration.ofSeconds(2));
    // The second job only once the first has its instance: two scale-ups of the pool run at once,
    // and the one the launch lock turns away would send its job back for a backoff step, letting
    // the first job's runner take it instead.
    StackChecks.eventually(Duration.ofSeconds(60), "the served job's instance",
        () -> !StackChecks.instancesForJob(stack, served).isEmpty());
    failing = stack.github().queueJob("acme/api", LABELS, Duration.ofSeconds(2));
    // Machines decide at the end of their boot (6 s after launch), well after this line and after
    // scale-up's job-id tag, which EC2's eventual consistency (the proxy's 2 s window) can delay
    // by a few seconds: a machine that boots before its tag does not know its job.
    stack.agents().failToBoot(failing, 1);
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  static void eventually(Duration limit, String what, BooleanSupplier condition) {
    StackChecks.eventually(limit, what, condition);
  }

  static String status(long jobId) {
    return StackChecks.status(stack, jobId);
  }

  static List<Instance> instancesForJob(long jobId) {
    return StackChecks.instancesForJob(stack, jobId);
  }

  static Optional<RunnerAgent.Report> report(Instance instance) {
    return stack.agents().reports().stream()
        .filter(r -> r.instance().value().equals(instance.instanceId())).findFirst();
  }

  /** Scale-up's JSON log lines (the function's stdout, as CloudWatch would get it). */
  static List<JsonNode> scaleUpLog() {
    return StackChecks.functionLog(stack, pool.scaleUp().name());
  }

  static List<JsonNode> scaleUpLog(String message, long jobId) {
    return scaleUpLog().stream()
        .filter(l -> l.path("message").asText().equals(message) && l.path("job_id").asLong() == jobId)
        .toList();
  }

  static List<Integer> rechecks(String message, long jobId) {
    return scaleUpLog(message, jobId).stream().map(l -> l.path("recheck").asInt(-1)).toList();
  }

  @Test
  @Order(0)
  void aJobWhoseFirstMachineFailsToBootIsRunByTheInstanceItsRecheckLaunches() {
    eventually(Duration.ofSeconds(RECHECK_SECONDS + 45L), "job completed", () -> status(failing).equals("completed"));

    List<Instance> instances = instancesForJob(failing);
    assertThat(instances).hasSize(2);
    Instance first = instances.get(0);
    Instance second = instances.get(1);
    assertThat(first.state().nameAsString()).isIn("shutting-down", "terminated");
    // Shut down by itself: not an interruption, so scale-down's rescue does not look at it.
    assertThat(first.stateReason().code()).isEqualTo("Client.UserInitiatedShutdown")
        .isNotIn(RunnerFleet.INTERRUPTION_CODES);
    assertThat(report(first)).hasValueSatisfying(r -> {
      assertThat(r.outcome()).isEqualTo("failed to boot");
      assertThat(r.runnerId()).isNull();
      assertThat(r.jobsDone()).isEmpty();
    });
    // Launched for the recheck, a full delay after the first (EC2 launch times are whole seconds).
    assertThat(second.launchTime()).isAfterOrEqualTo(first.launchTime().plusSeconds(RECHECK_SECONDS - 1));
    assertThat(rechecks("job still waits on recheck, launching again", failing)).containsExactly(1);
    assertThat(scaleUpLog("runner launched", failing))
        .extracting(l -> l.path("instance_id").asText(), l -> l.path("recheck").asInt())
        .containsExactly(tuple(first.instanceId(), 0),
            tuple(second.instanceId(), 1));
    eventually(Duration.ofSeconds(10), "the second instance's runner recorded its end",
        () -> report(second).map(r -> !r.outcome().isEmpty()).orElse(false));
    assertThat(report(second)).hasValueSatisfying(r -> assertThat(r.jobsDone()).containsExactly(failing));
  }

  @Test
  @Order(1)
  void aJobWhoseMachineBootsGetsOneInstanceAndItsRecheckFindsItTaken() {
    eventually(Duration.ofSeconds(30), "the served job's recheck done",
        () -> !scaleUpLog("job taken, recheck done", served).isEmpty());

    assertThat(status(served)).isEqualTo("completed");
    assertThat(instancesForJob(served)).singleElement()
        .satisfies(i -> assertThat(report(i)).hasValueSatisfying(r -> assertThat(r.jobsDone()).containsExactly(served)));
    assertThat(rechecks("job taken, recheck done", served)).containsExactly(1);
    assertThat(scaleUpLog("job still waits on recheck, launching again", served)).isEmpty();
  }

  @Test
  @Order(2)
  void theSecondRecheckOfTheRescuedJobFindsItTakenAndLaunchesNothing() {
    eventually(Duration.ofSeconds(RECHECK_SECONDS + 20L), "the rescued job's second recheck done",
        () -> !scaleUpLog("job taken, recheck done", failing).isEmpty());

    assertThat(rechecks("job taken, recheck done", failing)).containsExactly(2);
    assertThat(instancesForJob(failing)).hasSize(2);
    assertThat(scaleUpLog()).noneMatch(l -> l.path("message").asText().equals("recheck not scheduled")
        || l.path("message").asText().equals("recheck failed, back to the queue"));
  }
}
