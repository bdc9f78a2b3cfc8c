package dev.spotrunner.runners.scaledown;

import static dev.spotrunner.runners.scaledown.Fixture.ACME;
import static dev.spotrunner.runners.scaledown.Fixture.GLOBEX;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.fleet.CapacityType;
import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.json.Json;
import dev.spotrunner.common.log.Log;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** What a cycle tells the dashboard about the pool, and that its log lines name the request. */
class ScaleDownMetricsTest {
  private final Fixture f = new Fixture();

  @Test
  void writesTheInstancesAliveByCapacityTypeAndTheRunnersBusyAndIdle() {
    f.runner(ACME, f.instance(ACME, 3), "online", true);
    f.runner(GLOBEX, f.instance(GLOBEX, 3), "online", false);
    f.runner(GLOBEX, f.instance(GLOBEX, 3), "offline", false);
    RunnerInstance onDemand = f.fleet.add(new RunnerInstance(new InstanceId("i-00000000000abcdef"), "running",
        f.clock.instant().minus(Duration.ofMinutes(2)), CapacityType.ON_DEMAND,
        new HashMap<>(Map.of(Tags.ENVIRONMENT, "prod", Tags.POOL, "linux", Tags.OWNER, ACME.toString()))));
    f.runner(ACME, onDemand, "online", true);
    f.instance(ACME, 3, "windows", Map.of()); // another pool's: not this pool's gauge

    CycleReport report = f.cycle();

    assertEquals(Map.of(CapacityType.SPOT, 3, CapacityType.ON_DEMAND, 1), report.gauges().instancesRunning());
    assertEquals(Map.of("spot", 3.0, "on-demand", 1.0), byCapacityType("InstancesRunning"));
    JsonNode pool = document("RunnersBusy");
    assertEquals("linux", pool.path("pool").asText());
    assertEquals(2.0, pool.path("RunnersBusy").asDouble());
    assertEquals(1.0, pool.path("RunnersIdle").asDouble(), "the offline runner is neither");
  }

  @Test
  void writesZeroInstancesForEachCapacityTypeOfAnEmptyPool() {
    f.cycle();

    assertEquals(Map.of("spot", 0.0, "on-demand", 0.0), byCapacityType("InstancesRunning"));
    assertEquals(0.0, document("RunnersBusy").path("RunnersIdle").asDouble());
  }

  @Test
  void everyLineOfTheCycleCarriesTheRequestIdAlsoOnTheOwnersLanes() {
    // two owners: their lanes run on virtual threads of their own
    f.idleRunner(ACME, 30);
    f.idleRunner(GLOBEX, 30);
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    Log.setOutput(new PrintStream(captured, true, StandardCharsets.UTF_8));
    Log.requestId("req-scale-down-1");
    Log.setLevel(Log.Level.INFO); // the module's tests run at LOG_LEVEL=ERROR
    try {
      f.cycle();
    } finally {
      Log.setOutput(System.out);
      Log.setLevel(Log.parseLevel(System.getenv("LOG_LEVEL")));
      Log.requestId(null);
    }

    List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("{")).toList();
    assertTrue(lines.stream().anyMatch(l -> l.contains("\"owner\":\"globex\"")),
        "a lane's own line is among them: " + lines);
    for (String line : lines) {
      assertEquals("req-scale-down-1", read(line).path("function_request_id").asText(), line);
    }
    assertFalse(lines.isEmpty());
  }

  private Map<String, Double> byCapacityType(String metric) {
    Map<String, Double> values = new TreeMap<>();
    for (String line : f.emfLines) {
      JsonNode document = read(line);
      if (document.has(metric)) {
        assertEquals("linux", document.path("pool").asText());
        values.merge(document.path("capacityType").asText(), document.path(metric).asDouble(), Double::sum);
      }
    }
    return values;
  }

  private JsonNode document(String metric) {
    return f.emfLines.stream().map(ScaleDownMetricsTest::read).filter(d -> d.has(metric)).findFirst()
        .orElseThrow(() -> new AssertionError(metric + " not written: " + f.emfLines));
  }

  private static JsonNode read(String line) {
    try {
      return Json.MAPPER.readTree(line);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
