package dev.spotrunner.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a simulation runs: the pools (as a platform team would configure them in Terraform), the
 * queue and schedule behaviour, spot interruptions and prices. Read from the {@code --pools} JSON
 * file; {@code docs/simulator.md} documents every field.
 */
public record SimulationConfig(
    List<SimPool> pools,
    String owner,
    String repository,
    Integer scaleDownEveryMinutes,
    Integer batchSize,
    Integer batchWindowSeconds,
    Integer visibilityTimeoutSeconds,
    Integer maxReceiveCount,
    Double spotInterruptionsPerHour,
    Map<String, Price> prices) {

  public SimulationConfig {
    if (pools == null || pools.isEmpty()) {
      throw new IllegalArgumentException("at least one pool is required");
    }
    pools = List.copyOf(pools);
    owner = owner == null ? "acme" : owner;
    repository = repository == null ? owner + "/ci" : repository;
    if (!repository.startsWith(owner + "/")) {
      throw new IllegalArgumentException("repository must belong to owner " + owner);
    }
    scaleDownEveryMinutes = orDefault(scaleDownEveryMinutes, 5, 1, 60, "scaleDownEveryMinutes");
    batchSize = orDefault(batchSize, 10, 1, 10, "batchSize");
    batchWindowSeconds = orDefault(batchWindowSeconds, 0, 0, 300, "batchWindowSeconds");
    visibilityTimeoutSeconds =
        orDefault(visibilityTimeoutSeconds, 60, 1, 43_200, "visibilityTimeoutSeconds");
    maxReceiveCount = orDefault(maxReceiveCount, 100, 1, 1000, "maxReceiveCount");
    spotInterruptionsPerHour = spotInterruptionsPerHour == null ? 0.0 : spotInterruptionsPerHour;
    if (spotInterruptionsPerHour < 0) {
      throw new IllegalArgumentException("spotInterruptionsPerHour must not be negative");
    }
    prices = prices == null ? Map.of() : Map.copyOf(prices);
  }

  private static int orDefault(Integer value, int fallback, int min, int max, String field) {
    int v = value == null ? fallback : value;
    if (v < min || v > max) {
      throw new IllegalArgumentException(field + " must be " + min + "-" + max + ", got " + v);
    }
    return v;
  }

  /** USD per instance-hour. */
  public record Price(double onDemand, double spot) {}

  /**
   * One pool.
   *
   * @param boot boot time distribution: {@code {"type":"fixed","seconds":45}},
   *     {@code {"type":"uniform","min":120,"max":240}} or {@code {"type":"normal","mean":45,"sd":8}};
   *     or {@code image}: {@code prebuilt} (≈ 45 s) / {@code stock} (2–4 min, the default)
   * @param warmWindows the scale-down {@code WARM_WINDOWS} JSON list, as Terraform would set it
   */
  public record SimPool(
      String name,
      List<String> labels,
      String match,
      Integer priority,
      Integer delaySeconds,
      Integer maxRunners,
      Boolean ephemeral,
      Boolean jit,
      String instanceType,
      String capacityType,
      Boolean onDemandFailover,
      String image,
      JsonNode boot,
      JsonNode warmWindows,
      String warmEviction,
      Integer minimumRunningTimeMinutes,
      Integer bootGraceMinutes,
      Integer jobRecheckSeconds) {

    public SimPool {
      if (name == null || labels == null || labels.isEmpty()) {
        throw new IllegalArgumentException("a pool needs a name and labels");
      }
      labels = List.copyOf(labels);
      priority = priority == null ? 1 : priority;
      maxRunners = maxRunners == null ? 10 : maxRunners;
      ephemeral = ephemeral == null || ephemeral;
      jit = jit == null || jit;
      instanceType = instanceType == null ? "m7i.large" : instanceType;
      capacityType = capacityType == null ? "spot" : capacityType;
      onDemandFailover = onDemandFailover == null || onDemandFailover;
      image = image == null ? "stock" : image;
      warmEviction = warmEviction == null ? "oldest" : warmEviction;
      minimumRunningTimeMinutes = minimumRunningTimeMinutes == null ? 5 : minimumRunningTimeMinutes;
      bootGraceMinutes = bootGraceMinutes == null ? 5 : bootGraceMinutes;
      jobRecheckSeconds = jobRecheckSeconds == null ? 0 : jobRecheckSeconds;
    }
  }

  public static SimulationConfig read(Path file) throws IOException {
    return Json.read(Files.readString(file), SimulationConfig.class);
  }
}
