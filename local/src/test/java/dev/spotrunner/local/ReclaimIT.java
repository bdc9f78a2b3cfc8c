package dev.spotrunner.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.local.agent.Reclaim;
import dev.spotrunner.local.github.GitHubHost;
import dev.spotrunner.local.github.StandInGitHub;
import dev.spotrunner.local.stack.LocalStack;
import dev.spotrunner.testkit.github.StandInReruns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Four jobs at once; spot takes back two of the busy machines mid-job, the way AWS does it, on a
 * stack of its own: EC2's interruption warning goes through the EventBridge rule Terraform applied
 * to the interruption function, the machine is terminated examples/local's notice later (a
 * Terraform variable), its runner's job fails as on GitHub, and the state-change notification of
 * the termination reaches the function, which removes the runner left behind and re-runs the job
 * through the Actions API; the new attempt runs on a new instance. The job re-run is the one the
 * machine's runner ran, which GitHub may have given it instead of the one its instance was launched
 * for. Then a job fails on its own on a healthy machine and another succeeds: neither is re-run.
 */
class ReclaimIT {
  static final int NOTICE_SECONDS = 8;
  static final String POOL = "linux-x64";
  static final List<String> LABELS = List.of("self-hosted", "linux", "x64");
  /** job_recheck_seconds: examples/local's demo value (a re-run's instance may take an older queued job). */
  static final String POOLS = """
      [{ name = "%s", labels = ["self-hosted", "linux", "x64"], default = true,
         instance_types = ["m5.large", "m5a.large"], max_count = 4, ami_id = "ami-12c6146b",
         delay_seconds = 0, job_recheck_seconds = 60 }]""".formatted(POOL);
  static LocalStack stack;
  static GitHubHost github;
  static List<Long> reclaimed;
  static long failsOnItsOwn;
  static long succeeds;
  /** When each reclaimed machine's runner was first seen gone from GitHub. */
  static final Map<Long, Instant> runnerGoneAt = new ConcurrentHashMap<>();
  static Thread sampler;
  /** Reclaimed machines whose runner ran another job than the one the instance was launched for. */
  static long swapped;

  /** The instance's tag as EC2 (moto) describes it now, terminated or not; null when absent. */
  static String tag(dev.spotrunner.common.fleet.InstanceId instance, String key) {
    return stack.aws().ec2.describeInstances(r -> r.instanceIds(instance.value())).reservations().stream()
        .flatMap(r -> r.instances().stream()).flatMap(i -> i.tags().stream())
        .filter(t -> t.key().equals(key)).map(software.amazon.awssdk.services.ec2.model.Tag::value)
        .findFirst().orElse(null);
  }

  @BeforeAll
  static void reclaimTwoBusyMachines() throws Exception {
    Path root = Path.of(System.getProperty("spotrunner.root", "..")).toAbsolutePath().normalize();
    Path workDir = Files.createTempDirectory("spotrunner-reclaim-it-");
    stack = LocalStack.start(LocalStack.Options.defaults(root, workDir).withPrefix("reclaim")
        .withTerraformVariables(Map.of("pools", POOLS,
            "spot_interruption_notice_seconds", Integer.toString(NOTICE_SECONDS))),
        StandInGitHub.start());
    github = stack.github();
    Duration notice = stack.spotInterruptionNotice();
    assertThat(notice).isEqualTo(Duration.ofSeconds(NOTICE_SECONDS));
    sampler = Thread.ofVirtual().start(ReclaimIT::watchRunners);

    // Four jobs at once, two machines reclaimed: GitHub gives each queued job to whichever fitting
    // runner is idle first, so a reclaimed machine's runner often runs another job than the one its
    // instance was launched for. The webhook's job start tags the instance with the job it took
    // (docs/interruptions.md), and that job is the one re-run.
    Duration outlasting = notice.plusSeconds(12);
    stack.agents().reclaim(2, notice);
    List<Long> queued = new ArrayList<>();
    for (String repository : List.of("acme/api", "acme/web", "acme/api", "acme/web")) {
      queued.add(github.queueJob(repository, LABELS, outlasting));
    }
    StackChecks.eventually(Duration.ofSeconds(120), "two busy machines reclaimed",
        () -> stack.agents().reclaims().stream().filter(r -> r.terminatedAt() != null).count() == 2);
    List<Long> jobs = stack.agents().reclaims().stream().map(Reclaim::jobId).toList();
    StackChecks.eventually(Duration.ofSeconds(210), "jobs " + jobs + " re-run, their new attempts completed",
        () -> jobs.stream().allMatch(job -> {
          Long attempt = github.reruns().get(job);
          return attempt != null && "completed".equals(StackChecks.status(stack, attempt));
        }));
    StackChecks.eventually(Duration.ofSeconds(60), "the two jobs spot did not take completed",
        () -> queued.stream().allMatch(j -> "completed".equals(StackChecks.status(stack, j))));
    swapped = stack.agents().reclaims().stream().filter(r -> !Long.toString(r.jobId())
        .equals(tag(r.instance(), "spotrunner:job-id"))).count();
    System.out.printf("ReclaimIT: %d of %d reclaimed machines ran another job than the one their instance "
        + "was launched for%n", swapped, jobs.size());
    reclaimed = List.copyOf(jobs);
    failsOnItsOwn = github.queueJob("acme/api", LABELS, Duration.ofSeconds(3));
    stack.agents().failJob(failsOnItsOwn);
    succeeds = github.queueJob("acme/infra", LABELS, Duration.ofSeconds(3));

    StackChecks.eventually(Duration.ofSeconds(30), "the other jobs completed",
        () -> List.of(failsOnItsOwn, succeeds).stream().allMatch(j -> "completed".equals(StackChecks.status(stack, j))));
  }

  /** Notes when each reclaimed machine's runner disappears from GitHub. */
  static void watchRunners() {
    while (!Thread.currentThread().isInterrupted()) {
      List<Long> known = github.runners().stream().map(GitHubHost.RunnerView::id).toList();
      for (Reclaim reclaim : stack.agents().reclaims()) {
        if (reclaim.terminatedAt() != null && !known.contains(reclaim.runnerId())) {
          runnerGoneAt.putIfAbsent(reclaim.runnerId(), Instant.now());
        }
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  @AfterAll
  static void stopStack() {
    if (sampler != null) {
      sampler.interrupt();
    }
    if (stack != null) {
      stack.close();
    }
  }

  static String interruptionFunction() {
    return stack.deployment().interruptions().orElseThrow().name();
  }

  static List<JsonNode> interruptionLog(String message) {
    return StackChecks.functionLog(stack, interruptionFunction()).stream()
        .filter(l -> l.path("message").asText().equals(message)).toList();
  }

  @Test
  void everyReclaimedJobFailedThenWasReRunOnceAndItsNewAttemptCompletedOnAnotherInstance() {
    assertThat(stack.agents().reclaims()).extracting(Reclaim::jobId).containsExactlyInAnyOrderElementsOf(reclaimed);
    for (Reclaim reclaim : stack.agents().reclaims()) {
      // terminated the notice after the warning, while its job still ran
      assertThat(Duration.between(reclaim.warnedAt(), reclaim.terminatedAt()))
          .isGreaterThanOrEqualTo(Duration.ofSeconds(NOTICE_SECONDS));
      assertThat(github.job(reclaim.jobId()).orElseThrow())
          .satisfies(j -> assertThat(j.conclusion()).isEqualTo("failure"));
      long attempt = github.reruns().get(reclaim.jobId());
      assertThat(github.job(attempt).orElseThrow()).satisfies(j -> {
        assertThat(j.status()).isEqualTo("completed");
        assertThat(j.conclusion()).isEqualTo("success");
      });
      assertThat(stack.agents().reports()).filteredOn(r -> r.jobsDone().contains(attempt)).singleElement()
          .satisfies(r -> assertThat(r.instance()).isNotEqualTo(reclaim.instance()));
    }
    // the Actions API re-run, once per reclaimed job, and for nothing else
    assertThat(StandInReruns.of(((StandInGitHub) github).standIn()).rerunJobs())
        .containsExactlyInAnyOrderElementsOf(reclaimed);
    assertThat(interruptionLog("interrupted job re-run")).extracting(l -> l.path("job_id").asLong())
        .containsExactlyInAnyOrderElementsOf(reclaimed);
    assertThat(github.jobs()).allSatisfy(j -> assertThat(j.status()).isEqualTo("completed"));
    assertThat(stack.agents().reports()).allSatisfy(r -> assertThat(r.interruptedJobs()).isEmpty());
  }

  @Test
  void eachReclaimedInstanceCarriesTheJobItsRunnerTookFromTheWebhooksJobStart() {
    for (Reclaim reclaim : stack.agents().reclaims()) {
      assertThat(tag(reclaim.instance(), "spotrunner:running-job")).isEqualTo(Long.toString(reclaim.jobId()));
      assertThat(tag(reclaim.instance(), "spotrunner:running-repository"))
          .isEqualTo(github.job(reclaim.jobId()).orElseThrow().repository());
    }
  }

  @Test
  void aJobThatFailedOnItsOwnAndAJobThatSucceededAreNotReRun() {
    assertThat(github.job(failsOnItsOwn).orElseThrow().conclusion()).isEqualTo("failure");
    assertThat(github.job(succeeds).orElseThrow().conclusion()).isEqualTo("success");
    assertThat(github.reruns()).doesNotContainKeys(failsOnItsOwn, succeeds);
    // their instances' terminations reached the function too, and re-ran nothing
    assertThat(interruptionLog("busy runner's instance is being taken by spot"))
        .extracting(l -> l.path("instance_id").asText())
        .containsExactlyInAnyOrderElementsOf(stack.agents().reclaims().stream()
            .map(r -> r.instance().value()).toList());
  }

  @Test
  void theRunnerLeftBehindByEachReclaimIsRemovedWithinSecondsOfTheTermination() {
    StackChecks.eventually(Duration.ofSeconds(10), "runners of the reclaimed machines gone",
        () -> stack.agents().reclaims().stream().allMatch(r -> runnerGoneAt.containsKey(r.runnerId())));
    for (Reclaim reclaim : stack.agents().reclaims()) {
      // scale-down runs once a minute: seconds means the state-change notification did it
      assertThat(Duration.between(reclaim.terminatedAt(), runnerGoneAt.get(reclaim.runnerId())))
          .isLessThan(Duration.ofSeconds(10));
    }
    assertThat(interruptionLog("runner of a terminated instance removed"))
        .extracting(l -> l.path("instance_id").asText())
        .containsAll(stack.agents().reclaims().stream().map(r -> r.instance().value()).toList());
  }

  @Test
  void eachReclaimIsCountedAsASpotInterruptionOfItsPoolInstanceTypeAndZone() {
    List<JsonNode> metrics = StackChecks.functionLog(stack, interruptionFunction()).stream()
        .filter(l -> l.has("_aws") && l.has("SpotInterruptions")).toList();
    assertThat(metrics).hasSize(reclaimed.size()).allSatisfy(m -> {
      assertThat(m.path("pool").asText()).isEqualTo(POOL);
      assertThat(m.path("instanceType").asText()).isIn("m5.large", "m5a.large");
      assertThat(m.path("az").asText()).startsWith(LocalStack.REGION);
      assertThat(m.path("SpotInterruptions").asDouble()).isEqualTo(1.0);
    });
  }
}
