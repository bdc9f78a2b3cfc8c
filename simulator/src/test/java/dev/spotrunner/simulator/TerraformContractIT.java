package dev.spotrunner.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.json.Json;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulator runs what Terraform deploys: for the shipped examples, every setting the
 * simulation holds (queue, mapping, concurrency, schedule, scale-up and scale-down variables) equals
 * the attribute of the resource Terraform applies, looked up here by its address in Terraform's
 * own JSON state, independently of {@link Deployment}'s reading. Needs Terraform and the AWS
 * provider in {@code $TF_PLUGIN_DIR} or /opt/tf-plugins (as terraform/test/run.sh does).
 */
class TerraformContractIT {
  private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  private static Map<String, TerraformReader.Result> read = new LinkedHashMap<>();

  @BeforeAll
  static void readExamples(@TempDir Path cache) throws Exception {
    TerraformReader reader = new TerraformReader("terraform",
        Path.of(System.getenv().getOrDefault("TF_PLUGIN_DIR", "/opt/tf-plugins")), cache);
    // two Terraform processes at once: the reads share nothing but the cache directory
    List<String> examples = List.of("examples/default", "examples/multi-pool");
    try (java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(examples.size())) {
      List<java.util.concurrent.Future<TerraformReader.Result>> reads = new ArrayList<>();
      for (String example : examples) {
        reads.add(pool.submit(() -> reader.read(REPO.resolve(example), null)));
      }
      for (int i = 0; i < examples.size(); i++) {
        read.put(examples.get(i), reads.get(i).get());
      }
    }
  }

  @Test
  void theSimulationRunsEachPoolWithTheSettingsTerraformApplies() {
    for (Map.Entry<String, TerraformReader.Result> example : read.entrySet()) {
      Deployment deployment = example.getValue().deployment();
      JsonNode state = example.getValue().state();
      assertThat(state).as("%s: a fresh read keeps Terraform's state", example.getKey()).isNotNull();
      Simulation simulation = new Simulation(deployment, Scenario.defaults(), 1, Instant.EPOCH);

      Map<String, Map<String, String>> effective = simulation.effectiveSettings();

      Map<String, Map<String, String>> applied = applied(state);
      assertThat(effective.keySet()).as(example.getKey()).isEqualTo(applied.keySet());
      for (String pool : applied.keySet()) {
        assertThat(effective.get(pool)).as("%s pool %s", example.getKey(), pool)
            .containsAllEntriesOf(applied.get(pool));
      }
    }
  }

  @Test
  void theSecondReadOfAnUnchangedConfigurationComesFromTheCache() throws Exception {
    TerraformReader.Result first = read.get("examples/default");
    TerraformReader.Result again = new TerraformReader("terraform", null,
        cacheOf(first)).read(REPO.resolve("examples/default"), null);
    assertThat(again.cached()).isTrue();
    assertThat(again.deployment()).isEqualTo(first.deployment());
  }

  private static Path cacheOf(TerraformReader.Result result) {
    return result.cacheFile().getParent();
  }

  /** What the applied resources say, per pool, by Terraform address. */
  private static Map<String, Map<String, String>> applied(JsonNode root) {
    List<JsonNode> resources = new ArrayList<>();
    collect(root, resources);
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    JsonNode webhook = resources.stream().filter(r -> r.path("address").asText()
        .endsWith("module.webhook.module.function.aws_lambda_function.this")).findFirst().orElseThrow();
    JsonNode routes = json(webhook.path("values").path("environment").get(0).path("variables")
        .path("POOLS").asText());
    for (JsonNode route : routes) {
      String pool = route.path("name").asText();
      String module = "module.spotrunner.module.runners[\"" + pool + "\"]";
      JsonNode queue = values(resources, module + ".aws_sqs_queue.jobs");
      JsonNode mapping = values(resources, module + ".aws_lambda_event_source_mapping.jobs");
      JsonNode up = values(resources, module + ".module.scale_up.aws_lambda_function.this");
      JsonNode down = values(resources, module + ".module.scale_down.aws_lambda_function.this");
      JsonNode rule = values(resources, module + ".module.scale_down.aws_cloudwatch_event_rule.schedule[0]");
      JsonNode upEnv = up.path("environment").get(0).path("variables");
      JsonNode downEnv = down.path("environment").get(0).path("variables");
      Map<String, String> s = new LinkedHashMap<>();
      s.put("delaySeconds", route.path("delaySeconds").asText());
      s.put("visibilityTimeoutSeconds", queue.path("visibility_timeout_seconds").asText());
      s.put("maxReceiveCount", json(queue.path("redrive_policy").asText()).path("maxReceiveCount").asText());
      s.put("batchSize", mapping.path("batch_size").asText());
      s.put("batchWindowSeconds", mapping.path("maximum_batching_window_in_seconds").asText());
      int reserved = up.path("reserved_concurrent_executions").asInt(-1);
      JsonNode scaling = mapping.path("scaling_config");
      int maximum = scaling.isArray() && !scaling.isEmpty()
          ? scaling.get(0).path("maximum_concurrency").asInt(0) : 0;
      int concurrency = reserved < 0 ? Integer.MAX_VALUE : reserved;
      if (maximum > 0) {
        concurrency = Math.min(concurrency, maximum);
      }
      s.put("scaleUpConcurrency", concurrency == Integer.MAX_VALUE ? "unreserved"
          : Integer.toString(concurrency));
      s.put("scaleDownEveryMinutes", rule.path("schedule_expression").asText()
          .replaceAll("rate\\((\\d+) minutes?\\)", "$1"));
      s.put("jobRecheckSeconds", upEnv.path("JOB_RECHECK_SECONDS").asText());
      s.put("jobQueuedCheck", upEnv.path("JOB_QUEUED_CHECK").asText());
      s.put("jobCheckFirstReceive", upEnv.path("JOB_CHECK_FIRST_RECEIVE").asText());
      s.put("backoffBaseSeconds", upEnv.path("QUEUE_BACKOFF_BASE_SECONDS").asText());
      s.put("backoffMaxSeconds", upEnv.path("QUEUE_BACKOFF_MAX_SECONDS").asText());
      s.put("launchLock", upEnv.path("LAUNCH_LOCK_PARAM").asText());
      s.put("launchLockLeaseSeconds", up.path("timeout").asText());
      s.put("queueUrl", queue.path("url").asText());
      s.put("deadLetterUrl", values(resources, module + ".aws_sqs_queue.dlq").path("url").asText());
      s.put("redriveMaxMessages", downEnv.path("REDRIVE_MAX_MESSAGES").asText());
      s.put("maxRunners", upEnv.path("MAX_RUNNERS").asText());
      s.put("instanceTypes", upEnv.path("INSTANCE_TYPES").asText());
      s.put("capacityType", upEnv.path("CAPACITY_TYPE").asText().toUpperCase().replace('-', '_'));
      s.put("onDemandFailover", upEnv.path("ON_DEMAND_FAILOVER").asText());
      s.put("ephemeral", upEnv.path("EPHEMERAL").asText());
      s.put("minimumRunningTimeMinutes", downEnv.path("MINIMUM_RUNNING_TIME_MINUTES").asText());
      s.put("bootGraceMinutes", downEnv.path("BOOT_GRACE_MINUTES").asText());
      s.put("warmWindows", Integer.toString(json(downEnv.path("WARM_WINDOWS").asText()).size()));
      s.put("githubApps", Integer.toString(upEnv.path("GITHUB_APP_ID_PARAM").asText()
          .split(",").length));
      String interruptions = "module.spotrunner.module.interruptions[0].module.function";
      JsonNode function = values(resources, interruptions + ".aws_lambda_function.this");
      JsonNode rules = json(function.path("environment").get(0).path("variables")
          .path("INTERRUPTION_POOLS").asText()).path(pool);
      s.put("rerun", rules.path("rerun").asText());
      s.put("maxReruns", rules.path("max_reruns").asText());
      s.put("breakerThreshold", rules.path("breaker_threshold").asText());
      s.put("breakerWindowMinutes", rules.path("breaker_window_minutes").asText());
      s.put("breakerCoolDownMinutes", rules.path("breaker_cooldown_minutes").asText());
      s.put("interruptionFollowUpMinutes", values(resources,
          interruptions + ".aws_cloudwatch_event_rule.schedule[0]").path("schedule_expression")
          .asText().replaceAll("rate\\((\\d+) minutes?\\)", "$1"));
      out.put(pool, s);
    }
    return out;
  }

  private static JsonNode values(List<JsonNode> resources, String address) {
    return resources.stream().filter(r -> r.path("address").asText().equals(address))
        .findFirst().orElseThrow(() -> new AssertionError("Terraform applied no " + address))
        .path("values");
  }

  private static JsonNode json(String text) {
    try {
      return Json.MAPPER.readTree(text);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static void collect(JsonNode module, List<JsonNode> into) {
    module.path("resources").forEach(into::add);
    module.path("child_modules").forEach(c -> collect(c, into));
  }
}
