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
