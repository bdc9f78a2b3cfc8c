package dev.spotrunner.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.json.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Test inputs: a one-pool deployment with the variables the Terraform module sets (the values are
 * the test's choice; the contract test checks real configurations), and scenarios without
 * randomness unless a test asks for it.
 */
final class TestWorld {
  static final Instant T0 = Instant.parse("2025-09-01T10:00:00Z");

  private TestWorld() {}

  /** A builder of one pool's deployment. */
  static final class Pool {
    int delay = 30;
    int max = 10;
    boolean ephemeral = true;
    String instanceTypes = "m7i.large";
    String subnets = "subnet-a";
    String capacityType = "spot";
    int visibility = 60;
    int maxReceiveCount = 100;
    int batchSize = 10;
    Integer reserved = null;
    int recheck = 300;
    String warmWindows = "[]";
    int everyMinutes = 5;
    String bootPath = "install";
    Integer maxConcurrency = null;
    int backoffBaseSeconds = 10;
    int backoffMaxSeconds = 40;
    /** GitHub Apps named in GITHUB_APP_ID_PARAM (Terraform's github_apps list plus the first). */
    int apps = 1;
    /** The interruption function's INTERRUPTION_POOLS; null: not deployed. */
    String interruptionPools = null;

    Deployment deployment() {
      Map<String, String> common = new HashMap<>();
      common.put("ENVIRONMENT", "sim");
      common.put("POOL_NAME", "linux");
      common.put("POOL_LABELS", "linux-x64");
      common.put("RUNNER_LEVEL", "org");
      common.put("LAUNCH_TEMPLATE_NAME", "sim-linux");
      common.put("INSTANCE_TYPES", instanceTypes);
      common.put("SUBNET_IDS", subnets);
      common.put("MAX_RUNNERS", Integer.toString(max));
      common.put("CAPACITY_TYPE", capacityType);
      common.put("ON_DEMAND_FAILOVER", "true");
      common.put("EPHEMERAL", Boolean.toString(ephemeral));
      common.put("USE_JIT_CONFIG", Boolean.toString(ephemeral));
      common.put("GITHUB_APP_ID_PARAM", appParameters("/sim/app-id"));
      common.put("GITHUB_APP_KEY_PARAM", appParameters("/sim/app-key"));
      Map<String, String> up = new HashMap<>(common);
      up.put("JOB_QUEUED_CHECK", "true");
      up.put("JOB_RECHECK_SECONDS", Integer.toString(recheck));
      up.put("QUEUE_URL", "sim://linux");
      up.put("JOB_CHECK_FIRST_RECEIVE", "true");
      up.put("QUEUE_BACKOFF_BASE_SECONDS", Integer.toString(backoffBaseSeconds));
      up.put("QUEUE_BACKOFF_MAX_SECONDS", Integer.toString(backoffMaxSeconds));
      up.put("DLQ_URL", "sim://linux-dlq");
      up.put("LAUNCH_LOCK_PARAM", "/sim/launch-locks/linux");
      up.put("LAUNCH_LOCK_LEASE_SECONDS", "120");
      Map<String, String> down = new HashMap<>(common);
      down.put("MINIMUM_RUNNING_TIME_MINUTES", "5");
      down.put("BOOT_GRACE_MINUTES", "5");
      down.put("WARM_WINDOWS", warmWindows);
      down.put("WARM_EVICTION", "oldest");
      down.put("QUEUE_URL", "sim://linux");
      down.put("DLQ_URL", "sim://linux-dlq");
      down.put("REDRIVE_MAX_MESSAGES", "20");
      String pools = "[{\"name\":\"linux\",\"labels\":[\"linux-x64\"],\"match\":\"subset\","
          + "\"priority\":0,\"queueUrl\":\"sim://linux\",\"delaySeconds\":" + delay + "}]";
      Deployment.InterruptionFunction interruptions = null;
      if (interruptionPools != null) {
        // as modules/interruptions sets it: the first App only, the module's schedule
        interruptions = new Deployment.InterruptionFunction(Map.of("ENVIRONMENT", "sim",
            "GITHUB_APP_ID_PARAM", "/sim/app-id-1", "GITHUB_APP_KEY_PARAM", "/sim/app-key-1",
            "INTERRUPTION_POOLS", interruptionPools, "INTERRUPTION_MAX_POINTS", "100",
            "RERUN_WATCH_HOURS", "6"), "rate(1 minute)", Map.of());
      }
      return new Deployment("test", pools, "test", List.of(new Deployment.DeployedPool("linux", up,
          down, delay, visibility, maxReceiveCount, "dlq", batchSize, 0, maxConcurrency, reserved, 120,
          "rate(" + everyMinutes + " minutes)", Map.of(), bootPath)), interruptions);
    }

    private String appParameters(String prefix) {
      List<String> names = new java.util.ArrayList<>();
      for (int i = 1; i <= apps; i++) {
        names.add(prefix + "-" + i);
      }
      return String.join(",", names);
    }
  }

  static Pool pool() {
    return new Pool();
  }

  /**
   * A scenario without faults or latencies: fixed boot, no spot loss, unlimited GitHub; then the
   * given JSON fields on top.
   */
  static Scenario scenario(long bootSeconds, String extraJson) {
    String json = "{\"owner\":\"acme\",\"repository\":\"acme/app\","
        + "\"boot\":{\"type\":\"fixed\",\"seconds\":" + bootSeconds + "},"
        + "\"controlPlane\":{\"webhookToQueue\":{\"type\":\"fixed\",\"seconds\":0},"
        + "\"scaleUp\":{\"type\":\"fixed\",\"seconds\":0},\"assign\":{\"type\":\"fixed\",\"seconds\":0},"
        + "\"shutdown\":{\"type\":\"fixed\",\"seconds\":0}},"
        + "\"spot\":{\"interruptionsPerHour\":0,\"capacity\":{\"outagesPerDay\":0},"
        + "\"reclaimWaves\":{\"perWeek\":0}},"
        + "\"prices\":{\"m7i.large\":{\"onDemand\":0.1,\"spot\":0.04}}}";
    try {
      com.fasterxml.jackson.databind.node.ObjectNode base =
          (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(json);
      if (extraJson != null) {
        JsonNode extra = Json.MAPPER.readTree(extraJson);
        extra.fields().forEachRemaining(e -> base.set(e.getKey(), e.getValue()));
      }
      return Json.MAPPER.treeToValue(base, Scenario.class);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static TraceJob job(long id, Instant queued, long duration) {
    return new TraceJob(id, queued, duration, List.of("linux-x64"), null);
  }

  static SimulationResult simulate(Deployment deployment, Scenario scenario, List<TraceJob> jobs) {
    return new Simulation(deployment, scenario, 7,
        jobs.getFirst().queuedAt().minus(Duration.ofMinutes(10))).run(jobs);
  }
}
