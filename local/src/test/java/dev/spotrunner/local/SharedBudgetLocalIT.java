package dev.spotrunner.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spotrunner.common.testing.github.GitHubStandIn;
import dev.spotrunner.local.github.StandInGitHub;
import dev.spotrunner.local.lambda.FunctionPool;
import dev.spotrunner.local.stack.Deployment;
import dev.spotrunner.local.stack.LocalStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One installation's GitHub budget shared by separate function JVMs: two pools whose scale-up runs
 * as many JVMs at once as Terraform allows it ({@code scale_up_max_concurrency}, set here through
 * the pools variable), beside each pool's scale-down, all spending the same installation's points
 * against the stand-in, which enforces GitHub's 900 points a minute. More jobs arrive at once than
 * 900 points a minute serve (a JIT runner costs 6: the job check and the JIT config), so containers
 * that each assumed the whole budget would together draw secondary-limit refusals; with the share
 * Terraform computes for each ({@code GITHUB_POINTS_PER_MINUTE}) none come, and every job still
 * gets its runner.
 */
class SharedBudgetLocalIT {
  static final String POOLS = """
      [{ name = "linux-x64", labels = ["self-hosted", "linux", "x64"], default = true,
         instance_types = ["m5.large", "m5a.large"], max_count = 200, ami_id = "ami-12c6146b",
         delay_seconds = 0, job_recheck_seconds = 30, scale_up_max_concurrency = 4,
         scale_up_reserved_concurrency = 4 },
       { name = "linux-arm64", labels = ["self-hosted", "linux", "arm64"], architecture = "arm64",
         instance_types = ["m6g.large"], max_count = 200, ami_id = "ami-12c6146b",
         delay_seconds = 0, job_recheck_seconds = 30, scale_up_max_concurrency = 2,
         scale_up_reserved_concurrency = 2 }]""";
  /** GitHub's secondary limit per installation, which the stand-in enforces. */
  static final int GITHUB_POINTS = 900;
  /** What one JIT runner costs GitHub's secondary limit: GET the job (1) and POST its JIT config (5). */
  static final int POINTS_PER_RUNNER = 6;
  static LocalStack stack;
  static GitHubStandIn standIn;
  static long installation;
  static final List<Long> jobs = new ArrayList<>();
  static Duration served;

  @BeforeAll
  static void moreJobsThanOneMinuteOfTheInstallationsBudgetServes() throws Exception {
    Path root = Path.of(System.getProperty("spotrunner.root", "..")).toAbsolutePath().normalize();
    Path workDir = Files.createTempDirectory("spotrunner-budget-it-");
    // machines poll once a second: a couple of hundred of them share two cores with the functions
    stack = LocalStack.start(LocalStack.Options.defaults(root, workDir).withPrefix("budget")
        .withBootTime(Duration.ofSeconds(3), Duration.ofSeconds(1))
        // the module's scale-up timeout, not the demo's 10 s: a container whose share is spent waits up
        // to the governor's 60 s for points inside its invocation
        .withTerraformVariables(Map.of("pools", POOLS, "scale_up_timeout_seconds", "120")), StandInGitHub.start());
    standIn = ((StandInGitHub) stack.github()).standIn();
    installation = standIn.installation(LocalStack.ORGANISATION).orElseThrow();
    standIn.rateBudget(GITHUB_POINTS, Duration.ofMinutes(1));

    // a fifth more runners than a minute of the whole budget pays for, all queued at once
    int count = GITHUB_POINTS / POINTS_PER_RUNNER * 6 / 5;
    Instant start = Instant.now();
    for (int i = 0; i < count; i++) {
      Deployment.Pool pool = stack.deployment().pools().get(i % stack.deployment().pools().size());
      jobs.add(stack.github().queueJob("acme/api", stack.deployment().jobLabels(pool), Duration.ofSeconds(2)));
    }
    // Each pool launches through one lock (one launcher at a time), whose holder spends its own share,
    // and a machine's runner may take an older job than the one it was launched for: the job left
    // over is served by its recheck (30 s here, the module's 300 s would add minutes), so this takes
    // minutes.
    StackChecks.eventually(Duration.ofMinutes(12), "every job completed",
        () -> jobs.stream().allMatch(j -> "completed".equals(StackChecks.status(stack, j))));
    served = Duration.between(start, Instant.now());
    System.out.printf("%d jobs served in %d s; installation peak %d points in a minute, %d secondary-limit"
        + " refusals%n", jobs.size(), served.toSeconds(), standIn.peakPoints(installation), standIn.rateLimited());
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void eachContainerSpendsTheShareTerraformComputedForEveryContainerTheStackRuns() {
    int containers = 0;
    for (Deployment.Pool pool : stack.deployment().pools()) {
      containers += stack.function(pool.scaleUp().name()).concurrency() + 1; // + its scale-down
    }
    int setAside = Integer.parseInt(stack.deployment().interruptions().orElseThrow().environment()
        .get("INTERRUPTION_MAX_POINTS"));
    String share = Integer.toString((GITHUB_POINTS - setAside) / containers);
    for (Deployment.Pool pool : stack.deployment().pools()) {
      assertThat(pool.scaleUp().environment()).containsEntry("GITHUB_POINTS_PER_MINUTE", share);
      assertThat(pool.scaleDown().environment()).containsEntry("GITHUB_POINTS_PER_MINUTE", share);
    }
    assertThat(stack.function(stack.deployment().pool("linux-x64").orElseThrow().scaleUp().name()).concurrency())
        .isEqualTo(4);
  }

  @Test
  void theLoadAskedMoreThanOneMinuteOfTheBudgetFromSeveralScaleUpJvmsAtOnce() {
    assertThat(jobs.size() * POINTS_PER_RUNNER).isGreaterThan(GITHUB_POINTS);
    FunctionPool x64 = stack.function(stack.deployment().pool("linux-x64").orElseThrow().scaleUp().name());
    assertThat(x64.peakConcurrency()).as("scale-up invocations at once, each its own JVM").isGreaterThan(1);
    assertThat(x64.environments()).isGreaterThan(1);
  }

  @Test
  void theInstallationNeverGetsASecondaryLimitRefusal() {
    assertThat(standIn.rateLimited()).isZero();
    assertThat(standIn.peakPoints(installation)).isLessThanOrEqualTo(GITHUB_POINTS);
  }

  @Test
  void noJobIsLost() {
    assertThat(jobs).allSatisfy(j -> {
      assertThat(StackChecks.status(stack, j)).isEqualTo("completed");
      assertThat(StackChecks.instancesForJob(stack, j)).isNotEmpty();
    });
    for (Deployment.Pool pool : stack.deployment().pools()) {
      String dlq = pool.queue().deadLetterQueueArn();
      String url = stack.aws().sqs.getQueueUrl(r -> r.queueName(dlq.substring(dlq.lastIndexOf(':') + 1))).queueUrl();
      assertThat(stack.aws().sqs.getQueueAttributes(r -> r.queueUrl(url).attributeNamesWithStrings(
          "ApproximateNumberOfMessages")).attributesAsStrings()).containsEntry("ApproximateNumberOfMessages", "0");
    }
  }
}
