package dev.spotrunner.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spotrunner.common.log.Secret;
import dev.spotrunner.local.github.JobEvent;
import dev.spotrunner.local.github.StandInGitHub;
import dev.spotrunner.local.github.WebhookSender;
import dev.spotrunner.local.stack.LocalStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import dev.spotrunner.common.testing.aws.Fault;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceLifecycleType;

/**
 * The whole path on one machine, one stack for every scenario (Terraform applies once): signed
 * webhooks in, instances and runners out, jobs done, scale-down back to zero.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalStackIT {
  static LocalStack stack;
  static Demo demo;

  @BeforeAll
  static void startStack() throws Exception {
    Path root = Path.of(System.getProperty("spotrunner.root", "..")).toAbsolutePath().normalize();
    LocalStack.Options options = LocalStack.Options.defaults(root, Files.createTempDirectory("spotrunner-it-"))
        .withPrefix("e2e");
    options = new LocalStack.Options(options.root(), options.workDir(), options.prefix(), Duration.ofSeconds(2),
        Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofMillis(200), 0, Map.of());
    stack = LocalStack.start(options, StandInGitHub.start());
    demo = new Demo(stack, System.out);
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  static void eventually(Duration limit, String what, BooleanSupplier condition) {
    Instant deadline = Instant.now().plus(limit);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("not within " + limit.toSeconds() + " s: " + what);
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  static String status(long jobId) {
    return stack.github().job(jobId).orElseThrow().status();
  }

  /** Every instance ever launched for a job, terminated ones included. */
  static List<Instance> instancesForJob(long jobId) {
    return stack.aws().ec2.describeInstancesPaginator(r -> r.filters(
            f -> f.name("tag:spotrunner:job-id").values(Long.toString(jobId))))
        .reservations().stream().flatMap(r -> r.instances().stream()).toList();
  }

  static int aliveInPool(String pool) {
    return stack.aws().ec2.describeInstancesPaginator(r -> r.filters(
            f -> f.name("instance-state-name").values("pending", "running"),
            f -> f.name("tag:spotrunner:pool").values(pool),
            f -> f.name("tag:spotrunner:environment").values(stack.options().prefix())))
        .reservations().stream().mapToInt(r -> r.instances().size()).sum();
  }

  static String linuxPool() {
    return stack.deployment().pools().getFirst().name();
  }

  /** The labels that route a job to the first pool, as Terraform configured the webhook. */
  static List<String> labels() {
    return stack.deployment().jobLabels(stack.deployment().pools().getFirst());
  }

  static int maxRunners() {
    return Integer.parseInt(stack.deployment().pools().getFirst().scaleUp().environment().getOrDefault("MAX_RUNNERS", "10"));
  }

  @Test
  @Order(1)
  void aSignedQueuedWebhookGetsAnInstanceWhoseRunnerRunsTheJobThenTheFleetIsBackAtZero() {
    long job = stack.github().queueJob("acme/api", labels(), Duration.ofSeconds(3));

    eventually(Duration.ofSeconds(90), "job completed", () -> status(job).equals("completed"));
    eventually(Duration.ofSeconds(60), "no instance left", () -> demo.instancesInAws() == 0);

    assertThat(instancesForJob(job)).hasSize(1);
    assertThat(stack.sender().deliveries()).filteredOn(d -> d.jobId() == job)
        .extracting(WebhookSender.Delivery::action).contains("queued", "in_progress", "completed");
  }

  @Test
  @Order(2)
  void aWebhookWithAWrongSignatureLaunchesNothing() throws Exception {
    long jobId = 990_000_001L;
    JobEvent event = new JobEvent("queued", jobId, 1, "acme", "Organization", "api", true, 1, "queued", null,
        labels(), Instant.now(), null, null, null, null);

    WebhookSender.Delivery delivery = stack.sender().send(event, "wrong-signature-1", new Secret("not-the-secret"));
    Thread.sleep(8_000);

    assertThat(delivery.status()).isEqualTo(401);
    assertThat(instancesForJob(jobId)).isEmpty();
  }

  @Test
  @Order(3)
  void theSameDeliveryTwiceLaunchesOneInstance() {
    long job = stack.github().queueJob("acme/web", labels(), Duration.ofSeconds(3));
    eventually(Duration.ofSeconds(10), "queued webhook delivered", () -> stack.sender().deliveries().stream()
        .anyMatch(d -> d.jobId() == job && d.action().equals("queued")));
    WebhookSender.Delivery first = stack.sender().deliveries().stream()
        .filter(d -> d.jobId() == job && d.action().equals("queued")).findFirst().orElseThrow();
    JobEvent again = new JobEvent("queued", job, job + 1_000_000, "acme", "Organization", "web", true,
        stack.github().install("acme"), "queued", null, labels(),
        stack.github().job(job).orElseThrow().createdAt(), null, null, null, null);

    stack.sender().send(again, first.id(), stack.webhookSecret());

    eventually(Duration.ofSeconds(90), "job completed", () -> status(job).equals("completed"));
    assertThat(instancesForJob(job)).hasSize(1);
  }

  @Test
  @Order(4)
  void whenSpotHasNoCapacityAnOnDemandInstanceServesTheJob() {
    List<String> capacityTypes = new CopyOnWriteArrayList<>();
    // Never fires: records the capacity type of every CreateFleet scale-up sends.
    stack.ec2Proxy().failNext(Integer.MAX_VALUE, call -> {
      if ("CreateFleet".equals(call.action())) {
        capacityTypes.add(call.param("TargetCapacitySpecification.DefaultTargetCapacityType"));
      }
      return false;
    }, Fault.throttle());
    stack.ec2Proxy().noSpotCapacity(1);

    long job = stack.github().queueJob("acme/api", labels(), Duration.ofSeconds(2));

    eventually(Duration.ofSeconds(90), "job completed", () -> status(job).equals("completed"));
    assertThat(capacityTypes).containsSubsequence("spot", "on-demand");
    assertThat(instancesForJob(job)).singleElement()
        .satisfies(i -> assertThat(i.instanceLifecycle()).isNotEqualTo(InstanceLifecycleType.SPOT));
  }

  @Test
  @Order(5)
  void moreJobsThanThePoolMaximumNeverExceedItAndAllAreServed() throws Exception {
    String pool = linuxPool();
    AtomicInteger peak = new AtomicInteger();
    Thread sampler = Thread.ofVirtual().start(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        peak.accumulateAndGet(aliveInPool(pool), Math::max);
        try {
          Thread.sleep(300);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    List<Long> jobs = new java.util.ArrayList<>();
    for (int i = 0; i < maxRunners() * 2 + 1; i++) {
      jobs.add(stack.github().queueJob("acme/infra", labels(), Duration.ofSeconds(4)));
    }

    eventually(Duration.ofSeconds(150), "all jobs completed",
        () -> jobs.stream().allMatch(j -> status(j).equals("completed")));
    sampler.interrupt();
    sampler.join();

    assertThat(peak.get()).isBetween(1, maxRunners());
  }

  @Test
  @Order(6)
  void aBusyRunnerSurvivesEveryScaleDownCycleUntilItsJobCompletes() {
    long runsBefore = stack.scaleDowns().get(linuxPool()).runs();
    long job = stack.github().queueJob("acme/api", labels(), Duration.ofSeconds(20));
    eventually(Duration.ofSeconds(60), "job running", () -> status(job).equals("in_progress"));

    eventually(Duration.ofSeconds(60), "job completed", () -> status(job).equals("completed"));

    assertThat(stack.scaleDowns().get(linuxPool()).runs() - runsBefore).isGreaterThanOrEqualTo(3);
    assertThat(stack.agents().reports()).allSatisfy(r -> assertThat(r.interruptedJobs()).isEmpty());
    eventually(Duration.ofSeconds(60), "no instance left", () -> demo.instancesInAws() == 0);
  }
}
