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
 * variable, applied by Terraform) gets 6 jobs at once. Every job is served and succeeds, one instance
 * at a time; nothing reaches the DLQ; each waiting job comes back by the pool's backoff. It prints, per
 * launch, the time from the previous instance's end (scale-up's {@code runner launched} line), and how
 * many launches passed over an older waiting job: scale-up's two pollers can split one boundary's
 * returning messages, and the one holding the launch lock then launches for the younger job. GitHub's
 * runner takes the older job all the same, and the younger one is served by its recheck
 * (docs/scale-up.md, "At the maximum").
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
  record Launch(long jobId, String instance, Instant at, int waited, int recheck) {}

  private static RunnerAgent.Report report(List<RunnerAgent.Report> reports, String instance) {
    return reports.stream().filter(r -> r.instance().value().equals(instance)).findFirst()
        .orElseThrow(() -> new AssertionError("no agent for " + instance));
  }

  /** Whether the job was launched for before {@code at} or started at GitHub by then (taken by another runner). */
  private static boolean launched(List<Launch> launches, long job, Instant at) {
    GitHubHost.JobView view = stack.github().job(job).orElseThrow();
    return launches.stream().anyMatch(l -> l.jobId() == job && l.at().isBefore(at))
        || (view.startedAt() != null && view.startedAt().isBefore(at));
  }

  private static String seconds(Duration duration) {
    return String.format(Locale.ROOT, "%.1f", duration.toMillis() / 1000.0);
  }

  private static Duration mean(List<Duration> durations) {
    return Duration.ofMillis((long) durations.stream().mapToLong(Duration::toMillis).average().orElse(0));
  }

  @Test
  void sixJobsThroughAPoolOfOneAreAllServedOneInstanceAtATimeAndNoneIsDeadLettered() throws Exception {
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
            Instant.parse(l.path("timestamp").asText()), l.path("wait").asInt(), l.path("recheck").asInt()))
        .sorted(java.util.Comparator.comparing(Launch::at)).toList();
    List<RunnerAgent.Report> reports = stack.agents().reports();
    List<Duration> backoffGaps = new ArrayList<>();
    List<Duration> recheckGaps = new ArrayList<>();
    int outOfOrder = 0;
    System.out.println("launched for  ran job     queued→started  waits  recheck  previous instance ended → this launch");
    for (int i = 0; i < launches.size(); i++) {
      Launch launch = launches.get(i);
      RunnerAgent.Report report = report(reports, launch.instance());
      long ran = report.jobsDone().isEmpty() ? -1 : report.jobsDone().getFirst();
      String gap = "-";
      if (i > 0) {
        Duration between = Duration.between(report(reports, launches.get(i - 1).instance()).endedAt(), launch.at());
        (launch.recheck() > 0 ? recheckGaps : backoffGaps).add(between);
        gap = seconds(between) + " s";
      }
      // a launch for a job younger than one still waiting: the oldest waiting job was passed over
      if (launch.recheck() == 0 && jobs.stream().anyMatch(j -> j < launch.jobId() && !launched(launches, j, launch.at()))) {
        outOfOrder++;
      }
      GitHubHost.JobView job = stack.github().job(ran).orElseThrow();
      System.out.printf(Locale.ROOT, "%-12d  %-10d  %12d s  %5d  %7d  %s%n", launch.jobId(), ran,
          Duration.between(job.createdAt(), job.startedAt()).toSeconds(), launch.waited(), launch.recheck(), gap);
    }
    System.out.printf(Locale.ROOT, "instance end → next launch, after a backoff: %s s (mean %s s, max %s s);"
        + " by a recheck: %s s; launches out of arrival order %d; all %d jobs in %d s; peak instances %d%n",
        backoffGaps.stream().map(SaturationLocalIT::seconds).toList(), seconds(mean(backoffGaps)),
        seconds(backoffGaps.stream().max(Duration::compareTo).orElse(Duration.ZERO)),
        recheckGaps.stream().map(SaturationLocalIT::seconds).toList(), outOfOrder, JOBS, took.toSeconds(), peak.get());

    // every job served, and it succeeded
    assertThat(jobs).allSatisfy(j -> assertThat(stack.github().job(j).orElseThrow().conclusion()).isEqualTo("success"));
    // never two instances at once
    assertThat(peak.get()).isEqualTo(1);
    assertThat(stack.agents().peakInstances()).isEqualTo(1);
    // every instance ran one job; an instance is launched for a job at most twice (its recheck), and a
    // second one only when the first instance's runner took an older waiting job
    assertThat(reports).hasSize(launches.size()).allSatisfy(r -> assertThat(r.jobsDone()).hasSize(1));
    for (long j : jobs) {
      List<Launch> own = launches.stream().filter(l -> l.jobId() == j).toList();
      assertThat(own).as("launches for job " + j).hasSizeBetween(0, 2);
      if (own.size() == 2) {
        assertThat(own.get(1).recheck()).as("job " + j + "'s second launch is its recheck").isPositive();
        assertThat(report(reports, own.get(0).instance()).jobsDone().getFirst()).isLessThan(j);
      }
    }
    // a waiting job came back by the pool's backoff: a capped step plus the jitter (half a base)
    assertThat(backoffGaps).isNotEmpty().allSatisfy(g -> assertThat(g)
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
