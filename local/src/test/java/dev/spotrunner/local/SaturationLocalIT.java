package dev.spotrunner.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.local.agent.RunnerAgent;
import dev.spotrunner.local.github.GitHubHost;
import dev.spotrunner.local.github.StandInGitHub;
import dev.spotrunner.local.stack.Deployment;
import dev.spotrunner.local.stack.LocalStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Issue 13's figure on the real local stack: a pool whose maximum is 1 (examples/local's {@code pools}
 * variable, applied by Terraform) gets 6 jobs at once. Every job is served, one instance at a time,
 * launched in the order the jobs arrived; nothing reaches the DLQ; and it prints, for each job after
 * the first, the time from the previous instance's end to the next waiting job's launch (scale-up's
 * {@code runner launched} line), which the pool's backoff bounds (docs/scale-up.md, "At the maximum").
 */
class SaturationLocalIT {
  static final String POOL = "linux-x64";
  static final List<String> LABELS = List.of("self-hosted", "linux", "x64");
  // examples/local's default pool with max_count 1 (job_recheck_seconds is its demo value)
  static final String POOLS = """
      [{ name = "%s", labels = ["self-hosted", "linux", "x64"], default = true,
         instance_types = ["m5.large", "m5a.large"], max_count = 1, ami_id = "ami-12c6146b",
         delay_seconds = 0, job_recheck_seconds = 60 }]""".formatted(POOL);
  static final int JOBS = 6;
  static final Duration RUN_TIME = Duration.ofSeconds(5);
  /** What the launch itself may take on a loaded 2-core machine (job check, CreateFleet, SSM, JIT, tags). */
  static final Duration LAUNCH_ALLOWANCE = Duration.ofSeconds(15);
  static LocalStack stack;
  static Deployment.Pool pool;

  @BeforeAll
  static void startStack() throws Exception {
    Path root = Path.of(System.getProperty("spotrunner.root", "..")).toAbsolutePath().normalize();
    Path workDir = Files.createTempDirectory("spotrunner-saturation-it-");
    stack = LocalStack.start(LocalStack.Options.defaults(root, workDir).withPrefix("saturation")
        .withTerraformVariables(Map.of("pools", POOLS)), StandInGitHub.start());
    pool = stack.deployment().pools().getFirst();
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  /** One {@code runner launched} line of scale-up. */
  record Launch(long jobId, String instance, Instant at, int waited) {}

  @Test
  void sixJobsThroughAPoolOfOneAreAllServedInArrivalOrderAndNoneIsDeadLettered() throws Exception {
    Map<String, String> env = pool.scaleUp().environment();
    assertThat(env).containsEntry("MAX_RUNNERS", "1");
    int backoffBase = Integer.parseInt(env.get("QUEUE_BACKOFF_BASE_SECONDS"));
    int backoffMax = Integer.parseInt(env.get("QUEUE_BACKOFF_MAX_SECONDS"));
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
    Instant queued = Instant.now();
    List<Long> jobs = new ArrayList<>();
    for (int i = 0; i < JOBS; i++) {
      jobs.add(stack.github().queueJob("acme/api", LABELS, RUN_TIME));
    }

    // each job after the first waits at most a capped step (+ jitter) after the previous instance ends
    Duration bound = Duration.ofSeconds(90).plus(Duration.ofSeconds(backoffMax + backoffBase)
        .plus(LAUNCH_ALLOWANCE).plus(RUN_TIME).multipliedBy(JOBS));
    StackChecks.eventually(bound, "all " + JOBS + " jobs completed",
        () -> jobs.stream().allMatch(j -> StackChecks.status(stack, j).equals("completed")));
    Duration took = Duration.between(queued, Instant.now());
    StackChecks.eventually(Duration.ofSeconds(30), "the fleet back at zero", () -> stack.agents().aliveCount() == 0);
    sampler.interrupt();
    sampler.join();

    List<Launch> launches = StackChecks.functionLog(stack, pool.scaleUp().name()).stream()
        .filter(l -> l.path("message").asText().equals("runner launched"))
        .map(l -> new Launch(l.path("job_id").asLong(), l.path("instance_id").asText(),
            Instant.parse(l.path("timestamp").asText()), l.path("wait").asInt()))
        .sorted(java.util.Comparator.comparing(Launch::at)).toList();
    List<RunnerAgent.Report> reports = stack.agents().reports();
    List<Duration> gaps = new ArrayList<>();
    System.out.println("job          queued→started  times waited  previous instance ended → this launch");
    for (int i = 0; i < launches.size(); i++) {
      Launch launch = launches.get(i);
      GitHubHost.JobView job = stack.github().job(launch.jobId()).orElseThrow();
      String gap = "-";
      if (i > 0) {
        String previous = launches.get(i - 1).instance();
        Instant ended = reports.stream().filter(r -> r.instance().value().equals(previous)).findFirst()
            .map(RunnerAgent.Report::endedAt).orElseThrow(() -> new AssertionError("no agent for " + previous));
        Duration between = Duration.between(ended, launch.at());
        gaps.add(between);
        gap = String.format(Locale.ROOT, "%.1f s", between.toMillis() / 1000.0);
      }
      System.out.printf(Locale.ROOT, "%-12d %10d s  %12d  %s%n", launch.jobId(),
          Duration.between(job.createdAt(), job.startedAt()).toSeconds(), launch.waited(), gap);
    }
    System.out.printf(Locale.ROOT, "instance end → next launch: %s, mean %.1f s, max %.1f s; all %d jobs in %d s;"
        + " peak instances %d%n", gaps.stream().map(g -> String.format(Locale.ROOT, "%.1f", g.toMillis() / 1000.0)).toList(),
        gaps.stream().mapToLong(Duration::toMillis).average().orElse(0) / 1000.0,
        gaps.stream().mapToLong(Duration::toMillis).max().orElse(0) / 1000.0, JOBS, took.toSeconds(), peak.get());

    // every job served, each by the one instance launched for it, and it succeeded
    assertThat(jobs).allSatisfy(j -> {
      assertThat(stack.github().job(j).orElseThrow().conclusion()).isEqualTo("success");
      assertThat(StackChecks.instancesForJob(stack, j)).hasSize(1);
    });
    // launched in the order the jobs arrived, never two at once
    assertThat(launches.stream().map(Launch::jobId).toList()).isEqualTo(jobs);
    assertThat(peak.get()).isEqualTo(1);
    assertThat(stack.agents().peakInstances()).isEqualTo(1);
    // each waiting job came back by the pool's backoff: a capped step plus the jitter (half a base)
    assertThat(gaps).hasSize(JOBS - 1).allSatisfy(g -> assertThat(g)
        .isPositive().isLessThanOrEqualTo(Duration.ofSeconds(backoffMax + backoffBase / 2).plus(LAUNCH_ALLOWANCE)));
    // nothing dead-lettered: the DLQ is empty, also of messages in flight
    String dlqArn = pool.queue().deadLetterQueueArn();
    String dlqUrl = stack.aws().sqs.getQueueUrl(r -> r.queueName(dlqArn.substring(dlqArn.lastIndexOf(':') + 1)))
        .queueUrl();
    Map<QueueAttributeName, String> dlq = stack.aws().sqs.getQueueAttributes(r -> r.queueUrl(dlqUrl).attributeNames(
        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
        .attributes();
    assertThat(dlq).containsEntry(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, "0")
        .containsEntry(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE, "0");
    List<JsonNode> deadLettered = StackChecks.functionLog(stack, pool.scaleUp().name()).stream()
        .filter(l -> l.path("message").asText().contains("dead-letter")).toList();
    assertThat(deadLettered).isEmpty();
  }
}
