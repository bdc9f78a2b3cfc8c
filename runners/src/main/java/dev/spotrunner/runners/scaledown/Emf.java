package dev.spotrunner.runners.scaledown;

import dev.spotrunner.common.json.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * CloudWatch embedded metric format: one JSON line on stdout per cycle, which CloudWatch Logs turns
 * into metrics in namespace {@value #NAMESPACE} with dimension {@code pool}.
 */
public final class Emf {
  public static final String NAMESPACE = "spotrunner";

  private final Consumer<String> out;

  public Emf(Consumer<String> out) {
    this.out = out;
  }

  /** Writes to stdout, where the Lambda runtime hands it to CloudWatch Logs. */
  public static Emf stdout() {
    return new Emf(System.out::println);
  }

  public void emit(String pool, Instant at, CycleReport report) {
    List<Map<String, String>> metrics = new ArrayList<>();
    Map<String, Object> document = new LinkedHashMap<>();
    for (CycleReport.Count count : CycleReport.Count.values()) {
      metrics.add(Map.of("Name", count.metric(), "Unit", "Count"));
    }
    document.put("_aws", Map.of(
        "Timestamp", at.toEpochMilli(),
        "CloudWatchMetrics", List.of(Map.of(
            "Namespace", NAMESPACE,
            "Dimensions", List.of(List.of("pool")),
            "Metrics", metrics))));
    document.put("pool", pool);
    document.put("function", "scale-down");
    for (CycleReport.Count count : CycleReport.Count.values()) {
      document.put(count.metric(), report.get(count));
    }
    out.accept(Json.write(document));
  }
}
