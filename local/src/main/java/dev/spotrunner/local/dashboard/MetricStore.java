package dev.spotrunner.local.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.json.Json;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The metric data points of a local run, as CloudWatch would hold them: what the function processes
 * wrote as EMF (each value under each of its document's dimension sets) and what the stack samples of
 * AWS's own metrics. Thread-safe.
 */
public final class MetricStore {
  /** One value of one metric, under one exact set of dimensions, at a time in epoch milliseconds. */
  public record Point(String namespace, String name, Map<String, String> dimensions, long at, double value) {
    public Point {
      dimensions = Map.copyOf(dimensions);
    }
  }

  private final List<Point> points = new ArrayList<>();
  private final Map<Path, Long> offsets = new HashMap<>();
  private final Map<Path, String> partial = new HashMap<>();

  public synchronized void add(Point point) {
    points.add(Objects.requireNonNull(point));
  }

  /** Adds every metric value of an EMF document; any other line is ignored. */
  public void addEmf(String line) {
    int start = line.indexOf('{');
    if (start < 0 || !line.contains("\"_aws\"")) {
      return;
    }
    JsonNode document;
    try {
      document = Json.MAPPER.readTree(line.substring(start));
    } catch (IOException e) {
      return; // a log line that mentions _aws but is no EMF document
    }
    long at = document.path("_aws").path("Timestamp").asLong();
    List<Point> found = new ArrayList<>();
    for (JsonNode directive : document.path("_aws").path("CloudWatchMetrics")) {
      String namespace = directive.path("Namespace").asText();
      for (JsonNode set : directive.path("Dimensions")) {
        Map<String, String> dimensions = new TreeMap<>();
        set.forEach(d -> dimensions.put(d.asText(), document.path(d.asText()).asText()));
        for (JsonNode metric : directive.path("Metrics")) {
          JsonNode values = document.path(metric.path("Name").asText());
          List<JsonNode> each = new ArrayList<>();
          if (values.isArray()) {
            values.forEach(each::add);
          } else if (values.isNumber()) {
            each.add(values);
          }
          for (JsonNode value : each) {
            found.add(new Point(namespace, metric.path("Name").asText(), dimensions, at, value.asDouble()));
          }
        }
      }
    }
    synchronized (this) {
      points.addAll(found);
    }
  }

  /** Reads what was appended to the log files of a directory since the last call. */
  public void tail(Path directory) {
    if (!Files.isDirectory(directory)) {
      return;
    }
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
        tailFile(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void tailFile(Path file) throws IOException {
    long offset = offsets.getOrDefault(file, 0L);
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      long length = in.length();
      if (length <= offset) {
        return;
      }
      byte[] bytes = new byte[(int) Math.min(length - offset, 16 << 20)];
      in.seek(offset);
      in.readFully(bytes);
      offsets.put(file, offset + bytes.length);
      String text = partial.getOrDefault(file, "") + new String(bytes, StandardCharsets.UTF_8);
      int end = text.lastIndexOf('\n');
      partial.put(file, text.substring(end + 1));
      if (end >= 0) {
        text.substring(0, end).lines().forEach(this::addEmf);
      }
    }
  }

  /** The points of a metric under exactly these dimensions (CloudWatch matches the whole set). */
  public synchronized List<Point> series(String namespace, String name, Map<String, String> dimensions) {
    return points.stream().filter(p -> p.namespace().equals(namespace) && p.name().equals(name)
        && p.dimensions().equals(dimensions)).toList();
  }

  /** Every series of a metric whose dimension names are exactly these, by dimension values. */
  public synchronized Map<Map<String, String>, List<Point>> search(String namespace, String name,
      List<String> dimensionNames) {
    Map<Map<String, String>, List<Point>> found = new LinkedHashMap<>();
    for (Point p : points) {
      if (p.namespace().equals(namespace) && p.name().equals(name)
          && p.dimensions().keySet().equals(java.util.Set.copyOf(dimensionNames))) {
        found.computeIfAbsent(p.dimensions(), d -> new ArrayList<>()).add(p);
      }
    }
    return found;
  }
}
