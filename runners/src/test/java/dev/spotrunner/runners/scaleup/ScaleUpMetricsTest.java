package dev.spotrunner.runners.scaleup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.json.Json;
import java.io.UncheckedIOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a batch did, as the dashboard reads it: jobs received, runners launched by capacity type. */
class ScaleUpMetricsTest {
  private final Fixture fixture = new Fixture();

  @Test
  void countsTheJobsReceivedAndTheRunnersLaunchedByCapacityType() {
    fixture.scaleUp().run(List.of(QueuedMessage.of("m1", 1, Fixture.job(1)), QueuedMessage.of("m2", 1, Fixture.job(2))));

    assertEquals(2.0, sum("JobsReceived", null), String.join("\n", fixture.metrics));
    assertEquals(2.0, sum("RunnersLaunched", "spot"), String.join("\n", fixture.metrics));
    assertEquals(0.0, sum("LaunchFailures", null));
  }

  @Test
  void countsTheInstancesLaunchedByInstanceTypeAndZoneAsTheFleetReportedThem() {
    java.util.List<String> lines = new java.util.ArrayList<>();
    JobExits exits = new JobExits();
    exits.launched("spot", "m7i.large", "eu-west-1a");
    exits.launched("spot", "m7i.large", "eu-west-1a");
    exits.launched("on-demand", "m6a.large", "eu-west-1b");
    exits.flush("linux", java.time.Clock.systemUTC(), lines::add);

    java.util.Map<String, Double> placed = new java.util.TreeMap<>();
    double spot = 0;
    for (String line : lines) {
      JsonNode document = read(line);
      if (document.has("InstancesLaunched")) {
        assertEquals("linux", document.path("pool").asText());
        placed.merge(document.path("instanceType").asText() + " " + document.path("az").asText(),
            document.path("InstancesLaunched").asDouble(), Double::sum);
      }
      if (document.has("RunnersLaunched") && document.path("capacityType").asText().equals("spot")) {
        spot += document.path("RunnersLaunched").asDouble();
      }
    }
    assertEquals(java.util.Map.of("m6a.large eu-west-1b", 1.0, "m7i.large eu-west-1a", 2.0), placed);
    assertEquals(2.0, spot);
  }

  @Test
  void countsLaunchFailuresByTheErrorCodeEc2GaveAndByPoolForTheAlarm() {
    fixture.set("ON_DEMAND_FAILOVER", "false");
    fixture.fleet.failLaunchesWith(spec -> "UnfulfillableCapacity");

    fixture.scaleUp().run(List.of(QueuedMessage.of("m1", 1, Fixture.job(1)), QueuedMessage.of("m2", 1, Fixture.job(2))));

    assertEquals(java.util.Map.of("UnfulfillableCapacity", 2.0), byDimension("LaunchFailures", "errorCode"));
    JsonNode document = fixture.metrics.stream().map(ScaleUpMetricsTest::read)
        .filter(d -> d.has("LaunchFailures")).findFirst().orElseThrow();
    assertEquals("[[\"pool\",\"errorCode\"],[\"pool\"]]",
        document.path("_aws").path("CloudWatchMetrics").get(0).path("Dimensions").toString(),
        "by code for the dashboard, by pool alone for the alarm");
    assertEquals(java.util.Map.of("launch_failed", 2.0), byDimension("JobsWaiting", "reason"));
  }

  @Test
  void countsTheJobsThatWaitByReasonAndTheJobsReturnedByReason() {
    fixture.set("MAX_RUNNERS", "1");

    fixture.scaleUp().run(List.of(QueuedMessage.of("m1", 1, Fixture.job(1)), QueuedMessage.of("m2", 1, Fixture.job(2))));
    assertEquals(java.util.Map.of("at_maximum", 1.0), byDimension("JobsWaiting", "reason"));

    fixture.metrics.clear();
    fixture.returns.failing = true; // SQS refuses the new message and the visibility change
    fixture.scaleUp().run(List.of(QueuedMessage.of("m3", 1, Fixture.job(3))));
    assertEquals(java.util.Map.of("resend_failed", 1.0), byDimension("JobsReturned", "reason"));
    assertEquals(java.util.Map.of(), byDimension("JobsWaiting", "reason"));
  }

  /** A metric's sum over the batch's EMF lines by the value of one dimension. */
  private java.util.Map<String, Double> byDimension(String metric, String dimension) {
    java.util.Map<String, Double> values = new java.util.TreeMap<>();
    for (String line : fixture.metrics) {
      JsonNode document = read(line);
      if (document.has(metric)) {
        assertEquals(fixture.pool().poolName(), document.path("pool").asText());
        values.merge(document.path(dimension).asText(), document.path(metric).asDouble(), Double::sum);
      }
    }
    return values;
  }

  /** The sum of a metric over the batch's EMF lines, for one capacity type when given. */
  private double sum(String metric, String capacityType) {
    double total = 0;
    for (String line : fixture.metrics) {
      JsonNode document = read(line);
      if (document.has(metric) && (capacityType == null
          || capacityType.equals(document.path("capacityType").asText()))) {
        assertEquals(fixture.pool().poolName(), document.path("pool").asText());
        total += document.path(metric).asDouble();
      }
    }
    return total;
  }

  private static JsonNode read(String line) {
    try {
      return Json.MAPPER.readTree(line);
    } catch (java.io.IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
