package dev.spotrunner.local.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A CloudWatch metric as a dashboard, an alarm or an EMF line names it: namespace, name and the set
 * of dimension names (values vary; the set is what must match for CloudWatch to find the data).
 */
public record MetricKey(String namespace, String name, Set<String> dimensions) {
  private static final Pattern SEARCH = Pattern.compile("SEARCH\\('\\{([^}]*)\\}\\s+MetricName=\"([^\"]+)\"");
  /** A Metrics Insights query: {@code SELECT SUM(name) FROM SCHEMA("ns", dim, ...)}. */
  private static final Pattern INSIGHTS = Pattern.compile(
      "SELECT\\s+\\w+\\((\\w+)\\)\\s+FROM\\s+SCHEMA\\(\"?([^\",]+)\"?((?:\\s*,\\s*\\w+)*)\\)", Pattern.CASE_INSENSITIVE);

  public MetricKey {
    dimensions = Set.copyOf(new TreeSet<>(dimensions));
  }

  @Override
  public String toString() {
    return namespace + "/" + name + new TreeSet<>(dimensions);
  }

  /** Every metric of every EMF document among the lines (other lines, plain log lines, are skipped). */
  public static Set<MetricKey> fromEmf(Stream<String> lines) {
    Set<MetricKey> keys = new LinkedHashSet<>();
    lines.filter(line -> line.contains("\"_aws\"")).forEach(line -> {
      JsonNode document;
      try {
        document = Json.MAPPER.readTree(line.substring(line.indexOf('{')));
      } catch (IOException e) {
        return; // not JSON: a line that merely mentions _aws
      }
      for (JsonNode directive : document.path("_aws").path("CloudWatchMetrics")) {
        for (JsonNode set : directive.path("Dimensions")) {
          Set<String> dimensions = new TreeSet<>();
          set.forEach(d -> dimensions.add(d.asText()));
          for (JsonNode metric : directive.path("Metrics")) {
            keys.add(new MetricKey(directive.path("Namespace").asText(), metric.path("Name").asText(), dimensions));
          }
        }
      }
    });
    return keys;
  }

  /** The EMF metrics in every file of a directory (the local stack's function logs). */
  public static Set<MetricKey> fromEmfFiles(Path directory) {
    Set<MetricKey> keys = new LinkedHashSet<>();
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        try (Stream<String> lines = Files.lines(file)) {
          keys.addAll(fromEmf(lines));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return keys;
  }

  /**
   * The metrics a dashboard body's widgets name: metric lines ({@code [ns, name, dim, value, ..., {options}]},
   * where {@code "."} repeats the line before's entry) and {@code SEARCH('{ns,dim,...} MetricName="name"')}.
   */
  public static Set<MetricKey> fromDashboard(JsonNode body) {
    Set<MetricKey> keys = new LinkedHashSet<>();
    for (JsonNode widget : body.path("widgets")) {
      List<String> previous = List.of();
      for (JsonNode line : widget.path("properties").path("metrics")) {
        if (!line.isArray()) {
          throw new IllegalArgumentException("a metrics entry is not a list (a flattened widget?): " + line);
        }
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < line.size() && line.get(i).isTextual(); i++) {
          String text = line.get(i).asText();
          texts.add(".".equals(text) && i < previous.size() ? previous.get(i) : text);
        }
        if (texts.size() >= 2) {
          Set<String> dimensions = new TreeSet<>();
          for (int i = 2; i + 1 < texts.size(); i += 2) {
            dimensions.add(texts.get(i));
          }
          keys.add(new MetricKey(texts.get(0), texts.get(1), dimensions));
        }
        previous = texts;
        for (JsonNode part : line) {
          Matcher search = SEARCH.matcher(part.path("expression").asText(""));
          while (search.find()) {
            String[] schema = search.group(1).split(",");
            Set<String> dimensions = new TreeSet<>();
            for (int i = 1; i < schema.length; i++) {
              dimensions.add(schema[i].trim());
            }
            keys.add(new MetricKey(schema[0].trim(), search.group(2), dimensions));
          }
        }
      }
    }
    return keys;
  }

  /**
   * The metric of an {@code aws_cloudwatch_metric_alarm}'s values (from Terraform state): its
   * namespace, name and dimensions, or the one its Metrics Insights query selects.
   */
  public static MetricKey fromAlarm(JsonNode alarm) {
    for (JsonNode query : alarm.path("metric_query")) {
      Matcher insights = INSIGHTS.matcher(query.path("expression").asText(""));
      if (insights.find()) {
        Set<String> dimensions = new TreeSet<>();
        for (String dimension : insights.group(3).split(",")) {
          if (!dimension.isBlank()) {
            dimensions.add(dimension.trim());
          }
        }
        return new MetricKey(insights.group(2).trim(), insights.group(1), dimensions);
      }
    }
    Set<String> dimensions = new TreeSet<>();
    Iterator<String> names = alarm.path("dimensions").fieldNames();
    names.forEachRemaining(dimensions::add);
    return new MetricKey(alarm.path("namespace").asText(), alarm.path("metric_name").asText(), dimensions);
  }

  /** The catalogue terraform/modules/dashboard/metrics.json: every custom metric the dashboard and alarms use. */
  public static Set<MetricKey> catalogue(Path root) {
    try {
      JsonNode catalogue = Json.MAPPER.readTree(root.resolve("terraform/modules/dashboard/metrics.json").toFile());
      Set<MetricKey> keys = new LinkedHashSet<>();
      for (JsonNode metric : catalogue.path("metrics")) {
        Set<String> dimensions = new TreeSet<>();
        metric.path("dimensions").forEach(d -> dimensions.add(d.asText()));
        keys.add(new MetricKey(catalogue.path("namespace").asText(), metric.path("name").asText(), dimensions));
      }
      return keys;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
