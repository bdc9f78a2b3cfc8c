package dev.spotrunner.common.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MetricsTest {
  private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<String> lines = new ArrayList<>();
  private final Metrics metrics =
      new Metrics("spotrunner", Clock.fixed(NOW, ZoneOffset.UTC), lines::add);

  private JsonNode line(int index) throws Exception {
    return JSON.readTree(lines.get(index));
  }

  @Test
  void writesOneEmfDocumentWithDimensionsMetricsAndProperties() throws Exception {
    metrics.dimension("environment", "prod").dimension("pool", "linux-x64");
    metrics.count("RunnersLaunched", 2).value("LaunchLatency", 812.5, Unit.MILLISECONDS);
    metrics.property("jobId", 42);

    metrics.flush();

    assertEquals(1, lines.size());
    assertTrue(!lines.get(0).contains("\n"), "one document per line");
    JsonNode doc = line(0);
    JsonNode aws = doc.get("_aws");
    assertEquals(NOW.toEpochMilli(), aws.get("Timestamp").asLong());
    JsonNode directive = aws.get("CloudWatchMetrics").get(0);
    assertEquals("spotrunner", directive.get("Namespace").asText());
    assertEquals("[[\"environment\",\"pool\"]]", directive.get("Dimensions").toString());
    assertEquals("[{\"Name\":\"RunnersLaunched\",\"Unit\":\"Count\"},{\"Name\":\"LaunchLatency\",\"Unit\":\"Milliseconds\"}]",
        directive.get("Metrics").toString());
    assertEquals("prod", doc.get("environment").asText());
    assertEquals("linux-x64", doc.get("pool").asText());
    assertEquals(2.0, doc.get("RunnersLaunched").asDouble());
    assertEquals(812.5, doc.get("LaunchLatency").asDouble());
    assertEquals(42, doc.get("jobId").asInt());
  }

  @Test
  void keepsRepeatedValuesOfOneMetricAsAList() throws Exception {
    metrics.value("Latency", 1, Unit.MILLISECONDS).value("Latency", 2, Unit.MILLISECONDS);

    metrics.flush();

    assertEquals("[1.0,2.0]", line(0).get("Latency").toString());
  }

  @Test
  void flushStartsOverButKeepsDimensions() throws Exception {
    metrics.dimension("pool", "p").count("A", 1).property("jobId", 1);
    metrics.flush();
    metrics.flush();
    metrics.count("B", 1);
    metrics.flush();

    assertEquals(2, lines.size(), "an empty flush writes nothing");
    JsonNode second = line(1);
    assertEquals("p", second.get("pool").asText());
    assertTrue(second.get("A") == null && second.get("jobId") == null);
    assertEquals(1.0, second.get("B").asDouble());
  }

  @Test
  void splitsBatchesBeyondCloudWatchLimits() throws Exception {
    for (int i = 0; i < 150; i++) {
      metrics.count("M" + i, i);
    }
    for (int i = 0; i < 250; i++) {
      metrics.value("Many", i, Unit.NONE);
    }

    metrics.flush();

    Set<String> names = new HashSet<>();
    int manyValues = 0;
    for (int i = 0; i < lines.size(); i++) {
      JsonNode doc = line(i);
      JsonNode defined = doc.get("_aws").get("CloudWatchMetrics").get(0).get("Metrics");
      assertTrue(defined.size() <= Metrics.MAX_METRICS, "at most 100 metrics per document");
      for (JsonNode metric : defined) {
        String name = metric.get("Name").asText();
        JsonNode value = doc.get(name);
        assertTrue(value != null, name + " has a value in the document that defines it");
        if (name.equals("Many")) {
          assertTrue(value.size() <= Metrics.MAX_VALUES);
          manyValues += value.size();
        } else {
          assertTrue(names.add(name), name + " written once");
        }
      }
    }
    assertEquals(150, names.size());
    assertEquals(250, manyValues);
  }

  @Test
  void rejectsWhatCloudWatchWouldRejectOrMisread() {
    metrics.value("Latency", 1, Unit.MILLISECONDS);

    assertThrows(IllegalArgumentException.class, () -> metrics.value("Latency", 1, Unit.SECONDS));
    assertThrows(IllegalArgumentException.class, () -> metrics.value("Bad", Double.NaN, Unit.NONE));
    assertThrows(IllegalArgumentException.class, () -> metrics.count("a:b", 1));
    assertThrows(IllegalArgumentException.class, () -> metrics.property("Latency", "x"));
    assertThrows(IllegalArgumentException.class, () -> new Metrics("", Clock.systemUTC(), s -> {}));
  }

  @Test
  void aDocumentWithoutDimensionsHasAnEmptyDimensionSet() throws Exception {
    metrics.count("Invocations", 1);
    metrics.flush();

    assertEquals("[[]]", line(0).get("_aws").get("CloudWatchMetrics").get(0).get("Dimensions").toString());
  }

  @Test
  void writesTheSameLineTheObjectMapperWrote() throws Exception {
    metrics.dimension("environment", "prød \"1\"").dimension("pool", "linux-x64");
    metrics.property("job_id", Long.MAX_VALUE).property("function", "scale-up")
        .property("ratio", 0.25f).property("none", null).property("ids", List.of(1, 2L))
        .property("tags", map("k", true));
    metrics.count("RunnersLaunched", 2).value("JobStartDelay", 42.0, Unit.SECONDS)
        .value("JobStartDelay", 1e-7, Unit.SECONDS).value("Large", 123456789.123, Unit.NONE);

    metrics.flush();

    // the document as the ObjectMapper-based writer built and wrote it
    Object document = map(
        "_aws", map("Timestamp", NOW.toEpochMilli(), "CloudWatchMetrics", List.of(map(
            "Namespace", "spotrunner",
            "Dimensions", List.of(List.of("environment", "pool")),
            "Metrics", List.of(map("Name", "RunnersLaunched", "Unit", "Count"),
                map("Name", "JobStartDelay", "Unit", "Seconds"), map("Name", "Large", "Unit", "None"))))),
        "environment", "prød \"1\"", "pool", "linux-x64",
        "job_id", Long.MAX_VALUE, "function", "scale-up", "ratio", 0.25f, "none", null,
        "ids", List.of(1, 2L), "tags", map("k", true),
        "RunnersLaunched", 2.0, "JobStartDelay", List.of(42.0, 1e-7), "Large", 123456789.123);
    assertEquals(JSON.writeValueAsString(document), lines.get(0));
  }

  private static java.util.Map<String, Object> map(Object... keysAndValues) {
    java.util.Map<String, Object> map = new java.util.LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }

  @Test
  void refusesPropertiesItCannotWriteAsJson() {
    assertThrows(IllegalArgumentException.class, () -> metrics.property("when", NOW));
  }

  @Test
  void aRollupPublishesTheMetricUnderASubsetOfTheDimensionsToo() throws Exception {
    metrics.dimension("environment", "prod").dimension("pool", "linux").dimension("repository", "acme/api")
        .rollup("environment", "pool");
    metrics.value("JobStartDelay", 4.5, Unit.SECONDS).flush();

    JsonNode directive = line(0).get("_aws").get("CloudWatchMetrics").get(0);
    assertEquals("[[\"environment\",\"pool\",\"repository\"],[\"environment\",\"pool\"]]",
        directive.get("Dimensions").toString());
  }

  @Test
  void aRollupNamingADimensionNotSetIsRefusedAtFlush() {
    metrics.dimension("pool", "linux").rollup("environment");
    metrics.count("JobsReceived", 1);
    assertThrows(IllegalStateException.class, metrics::flush);
  }
}
