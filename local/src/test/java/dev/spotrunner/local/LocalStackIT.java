package dev.spotrunner.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.json.Json;
import dev.spotrunner.common.log.Secret;
import dev.spotrunner.local.driver.SqsEventSource;
import dev.spotrunner.local.github.JobEvent;
import dev.spotrunner.local.github.StandInGitHub;
import dev.spotrunner.local.github.WebhookSender;
import dev.spotrunner.local.metrics.MetricKey;
import dev.spotrunner.local.stack.Deployment;
import dev.spotrunner.local.stack.LocalStack;
import dev.spotrunner.testkit.aws.Fault;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
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
 * The whole path on one machine, one stack for every scenario (Terraform applies examples/local
 * once): signed webhooks in, instances and runners out, jobs done, scale-down back to zero. The
 * first pool of examples/local is ephemeral with JIT configs; the second is persistent with
 * registration tokens, and hosts the long job that must survive scale-down.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalStackIT {
  /**
   * Longer than the example's minimum running time (1 min) and than one period of its scale-down
   * schedule, so scale-down does consider the instance while it is busy.
   */
  static final Duration LONG_JOB = Duration.ofSeconds(75);
  static LocalStack stack;
  static Demo demo;
  static Deployment.Pool ephemeral;
  static Deployment.Pool persistent;
  static long longJob;
  static long scaleDownRunsAtStart;

  @BeforeAll
  static void startStack() throws Exception {
    Path root = Path.of(System.getProperty("spotrunner.root", "..")).toAbsolutePath().normalize();
    Path workDir = Files.createTempDirectory("spotrunner-it-");
    stack = LocalStack.start(LocalStack.Options.defaults(root, workDir).withPrefix("e2e")
        .withBootTime(Duration.ofSeconds(2), Duration.ofMillis(200)), StandInGitHub.start());
    demo = new Demo(stack, System.out);
    ephemeral = stack.deployment().pools().stream()
        .filter(p -> !"false".equals(p.scaleUp().environment().get("EPHEMERAL"))).findFirst().orElseThrow();
    persistent = stack.deployment().pools().stream()
        .filter(p -> "false".equals(p.scaleUp().environment().get("EPHEMERAL"))).findFirst().orElseThrow();
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

  static int aliveInPool(Deployment.Pool pool) {
    return stack.aws().ec2.describeInstancesPaginator(r -> r.filters(
            f -> f.name("instance-state-name").values("pending", "running"),
            f -> f.name("tag:spotrunner:pool").values(pool.name()),
            f -> f.name("tag:spotrunner:environment").values(stack.options().prefix())))
        .reservations().stream().mapToInt(r -> r.instances().size()).sum();
  }

  static List<String> labels(Deployment.Pool pool) {
    return stack.deployment().jobLabels(pool);
  }

  static int maxRunners(Deployment.Pool pool) {
    return Integer.parseInt(pool.scaleUp().environment().getOrDefault("MAX_RUNNERS", "10"));
  }

  @Test
  @Order(-1)
  void everyTimingAndLimitTheStackRunsWithIsWhatTerraformApplied() throws Exception {
    AppliedState applied = new AppliedState(stack.terraformState(), stack.options().unreservedConcurrency());
    stack.settings().print(System.out);
    for (Deployment.Pool pool : stack.deployment().pools()) {
      String queueName = pool.queueUrl().substring(pool.queueUrl().lastIndexOf('/') + 1);
      JsonNode queue = applied.one("aws_sqs_queue", v -> v.path("name").asText().equals(queueName));
      JsonNode redrive = Json.MAPPER.readTree(queue.path("redrive_policy").asText());
      JsonNode mapping = applied.one("aws_lambda_event_source_mapping",
          v -> v.path("event_source_arn").asText().equals(queue.path("arn").asText()));
      JsonNode scaleUp = applied.function(pool.scaleUp().name());
      JsonNode scaleDown = applied.function(pool.scaleDown().name());
      JsonNode scalingConfig = mapping.path("scaling_config").path(0).path("maximum_concurrency");
      Integer mappingMaximum = scalingConfig.isMissingNode() || scalingConfig.isNull() || scalingConfig.asInt() == 0
          ? null : scalingConfig.asInt();

      Map<String, String> expected = new LinkedHashMap<>();
      expected.put("queue delay", queue.path("delay_seconds").asText());
      expected.put("visibility timeout", queue.path("visibility_timeout_seconds").asText());
      expected.put("receives before DLQ", redrive.path("maxReceiveCount").asText());
      expected.put("batch size", mapping.path("batch_size").asText());
      expected.put("batching window", mapping.path("maximum_batching_window_in_seconds").asText());
      expected.put("scale-up timeout", scaleUp.path("timeout").asText());
      expected.put("job recheck", scaleUp.path("environment").path(0).path("variables").path("JOB_RECHECK_SECONDS")
          .asText());
      expected.put("scale-down schedule", applied.scheduleOf(scaleDown));
      expected.forEach((name, value) -> assertThat(stack.settings().value(pool.name(), name))
          .as(pool.name() + " " + name).hasValue(value));
      // The running pieces use exactly these values.
      SqsEventSource.Settings source = stack.eventSources().get(pool.name()).settings();
      assertThat(source.batchSize()).isEqualTo(mapping.path("batch_size").asInt());
      assertConcurrency(pool.name(), "scale-up concurrency", scaleUp, mappingMaximum);
      assertConcurrency(pool.name(), "scale-down concurrency", scaleDown, null);
      assertThat(source.concurrency()).isEqualTo(stack.function(pool.scaleUp().name()).concurrency())
          .isEqualTo(Integer.parseInt(stack.settings().value(pool.name(), "scale-up concurrency").orElseThrow()));
      terraformLimit(scaleUp, mappingMaximum).ifPresent(limit -> assertThat(source.concurrency()).isEqualTo(limit));
      assertThat(stack.scaleDowns().get(pool.name()).expression()).hasToString(applied.scheduleOf(scaleDown));
      assertThat(pool.queue().deadLetterQueueArn()).isEqualTo(redrive.path("deadLetterTargetArn").asText());
    }
    JsonNode webhook = applied.function(stack.deployment().webhook().name());
    assertConcurrency("stack", "webhook concurrency", webhook, null);
    JsonNode syncer = applied.function(stack.deployment().syncer().orElseThrow().name());
    assertThat(stack.settings().value("stack", "syncer schedule")).hasValue(applied.scheduleOf(syncer));
    assertConcurrency("stack", "syncer concurrency", syncer, null);
  }

  /**
   * Lambda's limit as Terraform set it: the function's reserved concurrency, lowered to the event
   * source mapping's maximum; none when neither is set (Lambda then shares the account's unreserved
   * concurrency, 1,000 by default).
   */
  static java.util.OptionalInt terraformLimit(JsonNode function, Integer mappingMaximum) {
    int reserved = function.path("reserved_concurrent_executions").asInt(-1);
    if (reserved >= 0) {
      return java.util.OptionalInt.of(mappingMaximum == null ? reserved : Math.min(reserved, mappingMaximum));
    }
    return mappingMaximum == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(mappingMaximum);
  }

  /**
   * A concurrency setting is Terraform's limit where Terraform set one. Where it set none, the stack's
   * number is its own cap for this machine (not an AWS value, so nothing to compare it with): the
   * applied state must say unreserved and the settings table must name the number as the local cap.
   */
  static void assertConcurrency(String scope, String name, JsonNode function, Integer mappingMaximum) {
    dev.spotrunner.local.stack.EffectiveSettings.Setting row = stack.settings().settings().stream()
        .filter(s -> s.scope().equals(scope) && s.name().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no setting " + scope + " " + name));
    java.util.OptionalInt limit = terraformLimit(function, mappingMaximum);
    if (limit.isPresent()) {
      assertThat(row.value()).as(scope + " " + name).isEqualTo(Integer.toString(limit.getAsInt()));
      assertThat(row.source()).as(scope + " " + name + " source").doesNotContain("local cap");
    } else {
      assertThat(function.path("reserved_concurrent_executions").asInt()).as(scope + " " + name + " reserved")
          .isEqualTo(-1);
      assertThat(row.source()).as(scope + " " + name + " source").startsWith("unreserved: local cap");
    }
  }

  @Test
  @Order(0)
  void aLongJobStartsOnAPersistentRunnerRegisteredWithAToken() {
    longJob = stack.github().queueJob("acme/infra", labels(persistent), LONG_JOB);

    eventually(Duration.ofSeconds(90), "long job running", () -> status(longJob).equals("in_progress"));
    scaleDownRunsAtStart = stack.scaleDowns().get(persistent.name()).runs();
    // The job-id tag comes after the launch (and after EC2's eventual consistency lets CreateTags
    // see the new instance): a runner can take the job a moment before it.
    eventually(Duration.ofSeconds(15), "the long job's instance tagged",
        () -> instancesForJob(longJob).size() == 1);
    assertThat(instancesForJob(longJob)).hasSize(1);
  }

  @Test
  @Order(1)
  void aSignedQueuedWebhookGetsAnInstanceWhoseRunnerRunsTheJobThenThePoolIsBackAtZero() {
    long job = stack.github().queueJob("acme/api", labels(ephemeral), Duration.ofSeconds(3));

    eventually(Duration.ofSeconds(90), "job completed", () -> status(job).equals("completed"));
    eventually(Duration.ofSeconds(60), "no instance left in the pool", () -> aliveInPool(ephemeral) == 0);

    assertThat(instancesForJob(job)).hasSize(1);
    assertThat(stack.sender().deliveries()).filteredOn(d -> d.jobId() == job)
        .allSatisfy(d -> assertThat(d.status()).isBetween(200, 299))
        .extracting(WebhookSender.Delivery::action).contains("queued", "in_progress", "completed");
  }

  @Test
  @Order(2)
  void aWebhookWithAWrongSignatureLaunchesNothing() throws Exception {
    long jobId = 990_000_001L;
    JobEvent event = new JobEvent("queued", jobId, 1, "acme", "Organization", "api", true, 1, "queued", null,
        labels(ephemeral), Instant.now(), null, null, null, null);

    WebhookSender.Delivery delivery = stack.sender().send(event, "wrong-signature-1", new Secret("not-the-secret"));
    Thread.sleep(8_000);

    assertThat(delivery.status()).isEqualTo(401);
    assertThat(instancesForJob(jobId)).isEmpty();
  }

  @Test
  @Order(3)
  void theSameDeliveryTwiceLaunchesOneInstance() {
    long job = stack.github().queueJob("acme/web", labels(ephemeral), Duration.ofSeconds(3));
    eventually(Duration.ofSeconds(10), "queued webhook delivered", () -> stack.sender().deliveries().stream()
        .anyMatch(d -> d.jobId() == job && d.action().equals("queued")));
    WebhookSender.Delivery first = stack.sender().deliveries().stream()
        .filter(d -> d.jobId() == job && d.action().equals("queued")).findFirst().orElseThrow();
    JobEvent again = new JobEvent("queued", job, stack.github().job(job).orElseThrow().id() + 1_000_000, "acme",
        "Organization", "web", true, stack.github().install("acme"), "queued", null, labels(ephemeral),
        stack.github().job(job).orElseThrow().createdAt(), null, null, null, null);

    WebhookSender.Delivery second = stack.sender().send(again, first.id(), stack.webhookSecret());

    eventually(Duration.ofSeconds(90), "job completed", () -> status(job).equals("completed"));
    assertThat(second.status()).isBetween(200, 299);
    assertThat(instancesForJob(job)).hasSize(1);
  }

  @Test
  @Order(4)
  void whenSpotHasNoCapacityAnOnDemandInstanceServesTheJob() {
    List<String> capacityTypes = new CopyOnWriteArrayList<>();
    // Never fires: records the capacity type of every CreateFleet the functions send.
    stack.ec2Proxy().failNext(Integer.MAX_VALUE, call -> {
      if ("CreateFleet".equals(call.action())) {
        capacityTypes.add(call.param("TargetCapacitySpecification.DefaultTargetCapacityType"));
      }
      return false;
    }, Fault.throttle());
    stack.ec2Proxy().noSpotCapacity(1);

    long job = stack.github().queueJob("acme/api", labels(ephemeral), Duration.ofSeconds(2));

    eventually(Duration.ofSeconds(90), "job completed", () -> status(job).equals("completed"));
    assertThat(capacityTypes).containsSubsequence("spot", "on-demand");
    assertThat(instancesForJob(job)).singleElement()
        .satisfies(i -> assertThat(i.instanceLifecycle()).isNotEqualTo(InstanceLifecycleType.SPOT));
  }

  @Test
  @Order(5)
  void moreJobsThanThePoolMaximumNeverExceedItAndAllAreServed() throws Exception {
    int max = maxRunners(ephemeral);
    AtomicInteger peak = new AtomicInteger();
    Thread sampler = Thread.ofVirtual().start(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        peak.accumulateAndGet(aliveInPool(ephemeral), Math::max);
        try {
          Thread.sleep(300);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    List<Long> jobs = new ArrayList<>();
    for (int i = 0; i < max * 2 + 1; i++) {
      jobs.add(stack.github().queueJob("acme/infra", labels(ephemeral), Duration.ofSeconds(4)));
    }

    // Held-back jobs come back after the pool's short backoff (10-40 s). GitHub gives a queued job
    // to any idle runner, so a job whose runner an older job took is served by its recheck, the
    // deployed JOB_RECHECK_SECONDS after its launch.
    long recheck = Long.parseLong(stack.settings().value(ephemeral.name(), "job recheck")
        .orElseThrow().replace(" s", ""));
    eventually(Duration.ofSeconds(240 + recheck), "all jobs completed",
        () -> jobs.stream().allMatch(j -> status(j).equals("completed")));
    sampler.interrupt();
    sampler.join();

    assertThat(peak.get()).isBetween(1, max);
    // At most one instance per job, and a second only when its recheck found it still waiting. A job
    // may have none of its own: an idle runner launched for a younger job took it while it waited.
    assertThat(jobs).allSatisfy(j -> assertThat(instancesForJob(j)).hasSizeLessThanOrEqualTo(2));
    // Every ephemeral runner runs one job, so the jobs together had at least one instance each.
    assertThat(jobs.stream().mapToInt(j -> instancesForJob(j).size()).sum()).isGreaterThanOrEqualTo(jobs.size());
  }

  @Test
  @Order(6)
  void theBusyRunnerSurvivedEveryScaleDownCycleUntilItsJobCompletedThenTheFleetIsBackAtZero() {
    eventually(LONG_JOB.plusSeconds(60), "long job completed", () -> status(longJob).equals("completed"));
    long cyclesWhileBusy = stack.scaleDowns().get(persistent.name()).runs() - scaleDownRunsAtStart;

    eventually(Duration.ofSeconds(90), "no instance left", () -> demo.instancesInAws() == 0);

    // The agent notices its instance is gone on its next poll; wait for it to say how it ended.
    eventually(Duration.ofSeconds(30), "the long job's runner recorded its end",
        () -> stack.agents().reports().stream()
            .anyMatch(r -> r.jobsDone().contains(longJob) && !r.outcome().isEmpty()));

    // The long job outlasts one period of scale-down's schedule (examples/local: rate(1 minute)).
    assertThat(cyclesWhileBusy).isGreaterThanOrEqualTo(1);
    assertThat(stack.agents().reports()).allSatisfy(r -> assertThat(r.interruptedJobs()).isEmpty());
    assertThat(stack.agents().reports()).filteredOn(r -> r.jobsDone().contains(longJob)).singleElement()
        .satisfies(r -> assertThat(r.outcome()).isIn("deregistered", "terminated while idle"));
  }

  @Test
  @Order(7)
  void theAppliedDashboardAndAlarmsNameOnlyCatalogueMetricsAndThisStacksFunctionsWriteTheirShare() throws Exception {
    AppliedState applied = new AppliedState(stack.terraformState(), stack.options().unreservedConcurrency());
    JsonNode dashboard = applied.one("aws_cloudwatch_dashboard", v -> true);
    java.util.Set<MetricKey> named = new java.util.LinkedHashSet<>(
        MetricKey.fromDashboard(Json.MAPPER.readTree(dashboard.path("dashboard_body").asText())));
    applied.resources().stream().filter(r -> r.path("type").asText().equals("aws_cloudwatch_metric_alarm"))
        .map(r -> MetricKey.fromAlarm(r.path("values"))).forEach(named::add);
    java.util.Set<MetricKey> custom = new java.util.LinkedHashSet<>(
        named.stream().filter(k -> !k.namespace().startsWith("AWS/")).toList());
    // jobs-dead-lettered is modules/runners' alarm, on a metric the catalogue holds too
    assertThat(custom).as("custom metrics of the applied dashboard and alarms")
        .isEqualTo(MetricKey.catalogue(stack.options().root()));
    // the check after all local ITs compares every stack's EMF lines with these (LocalMetricsCoverage)
    LocalMetricsCoverage.saveApplied(custom);

    // Cheap triggers of what no other step does: a launch EC2 can serve in neither capacity type
    // (LaunchFailures by error code), and a message that is not a job (dead-lettered).
    java.util.concurrent.atomic.AtomicBoolean failing = new java.util.concurrent.atomic.AtomicBoolean(true);
    stack.ec2Proxy().failNext(Integer.MAX_VALUE, call -> failing.get() && "CreateFleet".equals(call.action()),
        Fault.capacity("UnfulfillableCapacity"));
    stack.github().queueJob("acme/api", labels(ephemeral), Duration.ofSeconds(1));
    stack.aws().sqs.sendMessage(r -> r.queueUrl(ephemeral.queueUrl()).messageBody("{\"not\":\"a job\"}"));
    Path logs = stack.options().workDir().resolve("logs");
    MetricKey failures = new MetricKey("spotrunner", "LaunchFailures", java.util.Set.of("pool", "errorCode"));
    MetricKey deadLettered = new MetricKey("spotrunner", "JobsDeadLettered", java.util.Set.of("pool"));
    eventually(Duration.ofSeconds(60), "a launch failure and a dead letter in scale-up's EMF",
        () -> MetricKey.fromEmfFiles(logs).containsAll(java.util.Set.of(failures, deadLettered)));
    failing.set(false);

    // what this run exercised is in the function processes' own output, not in the writers' paths
    assertThat(MetricKey.fromEmfFiles(logs)).as("EMF the local stack's functions wrote").contains(
        new MetricKey("spotrunner", "JobStartDelay", java.util.Set.of("environment", "pool")),
        new MetricKey("spotrunner", "JobsReceived", java.util.Set.of("pool")),
        new MetricKey("spotrunner", "RunnersLaunched", java.util.Set.of("pool", "capacityType")),
        new MetricKey("spotrunner", "InstancesRunning", java.util.Set.of("pool", "capacityType")),
        new MetricKey("spotrunner", "RunnersBusy", java.util.Set.of("pool")),
        new MetricKey("spotrunner", "LaunchFailures", java.util.Set.of("pool")),
        failures, deadLettered);
  }
}
