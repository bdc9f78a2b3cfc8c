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
