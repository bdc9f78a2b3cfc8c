package dev.spotrunner.common.metrics;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Metrics as CloudWatch embedded metric format (EMF) lines: each {@link #flush()} writes one JSON
 * document per line to stdout, which the Lambda service ships to CloudWatch Logs, where CloudWatch
 * extracts the metrics. No PutMetricData call, no extra latency, nothing to mock.
 *
 * <pre>{@code
 * Metrics metrics = Metrics.toStdout("spotrunner", clock).dimension("pool", "linux-x64");
 * metrics.count("RunnersLaunched", 2);
 * metrics.value("LaunchLatency", 812, Unit.MILLISECONDS);
 * metrics.flush();
 * }</pre>
 *
 * <p>One document holds at most {@value #MAX_METRICS} metric names and {@value #MAX_VALUES} values
 * per name (CloudWatch's limits); larger batches are split across lines. Thread-safe.
 */
public final class Metrics {
  public static final int MAX_METRICS = 100;
  public static final int MAX_VALUES = 100;
  public static final int MAX_DIMENSIONS = 30;

  private static final Pattern NAME = Pattern.compile("[^\\s:][^:]{0,254}");
  // jackson-core only: the webhook writes EMF lines and must not load jackson-databind
  private static final JsonFactory JSON = new JsonFactory();

  private record Metric(Unit unit, List<Double> values) {}

  private final String namespace;
  private final Clock clock;
  private final Consumer<String> sink;
  private final Map<String, String> dimensions = new LinkedHashMap<>();
  private final Map<String, Object> properties = new LinkedHashMap<>();
  private final Map<String, Metric> metrics = new LinkedHashMap<>();
  private final List<List<String>> rollups = new ArrayList<>();

  public Metrics(String namespace, Clock clock, Consumer<String> sink) {
    this.namespace = requireName(namespace, "namespace");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.sink = Objects.requireNonNull(sink, "sink");
  }

  /** Metrics written to {@code System.out}, where Lambda picks EMF lines up. */
  public static Metrics toStdout(String namespace, Clock clock) {
    PrintStream out = System.out;
    return new Metrics(namespace, clock, out::println);
  }

  /** Adds a dimension to every metric of this instance (kept across flushes). */
  public synchronized Metrics dimension(String name, String value) {
    requireName(name, "dimension name");
    Objects.requireNonNull(value, "dimension value");
    if (!dimensions.containsKey(name) && dimensions.size() == MAX_DIMENSIONS) {
      throw new IllegalArgumentException("at most " + MAX_DIMENSIONS + " dimensions");
    }
    dimensions.put(name, value);
    return this;
  }

  /**
   * Also publishes every metric under a subset of the dimensions (an EMF dimension set), so a
   * statistic that cannot be summed across dimensions, a percentile, exists at that level too:
   * {@code rollup("environment", "pool")} beside {@code [environment, pool, repository]}. Each name
   * must be a dimension of this instance by the time of {@link #flush()}; kept across flushes.
   */
  public synchronized Metrics rollup(String... names) {
    List<String> set = List.of(names);
    if (set.isEmpty() || set.size() > MAX_DIMENSIONS) {
      throw new IllegalArgumentException("a dimension set holds 1 to " + MAX_DIMENSIONS + " names");
    }
    set.forEach(name -> requireName(name, "dimension name"));
    rollups.add(set);
    return this;
  }

  /**
   * Adds a searchable field to the next document that is not a metric (a job id, a request id).
   * Cleared by {@link #flush()}.
   *
   * @param value text, a number, a boolean, null, or a list or map of those
   */
  public synchronized Metrics property(String name, Object value) {
    requireName(name, "property name");
    if (!writable(value)) {
      throw new IllegalArgumentException("property '" + name + "' must be text, a number, a boolean,"
          + " null, or a list or map of those, not " + value.getClass().getSimpleName());
    }
    if ("_aws".equals(name) || dimensions.containsKey(name) || metrics.containsKey(name)) {
      throw new IllegalArgumentException("property '" + name + "' clashes with a metric or dimension");
    }
    properties.put(name, value);
    return this;
  }

  public Metrics count(String name, long count) {
    return value(name, count, Unit.COUNT);
  }

  /** Records one value; several values of one name are kept as a list, as EMF allows. */
  public synchronized Metrics value(String name, double value, Unit unit) {
    requireName(name, "metric name");
    Objects.requireNonNull(unit, "unit");
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      throw new IllegalArgumentException("metric '" + name + "' must be a finite number");
    }
    if (dimensions.containsKey(name) || properties.containsKey(name)) {
      throw new IllegalArgumentException("metric '" + name + "' clashes with a dimension or property");
    }
    Metric metric = metrics.computeIfAbsent(name, n -> new Metric(unit, new ArrayList<>()));
    if (metric.unit() != unit) {
      throw new IllegalArgumentException("metric '" + name + "' already has unit " + metric.unit());
    }
    metric.values().add(value);
    return this;
  }

  /** Writes what was recorded since the last flush (nothing when nothing was) and starts over. */
  public synchronized void flush() {
    if (metrics.isEmpty()) {
      properties.clear();
      return;
    }
    for (List<String> set : rollups) {
      if (!dimensions.keySet().containsAll(set)) {
        throw new IllegalStateException("rollup " + set + " names a dimension not set: " + dimensions.keySet());
      }
    }
    long timestamp = clock.millis();
    // Split into documents of ≤ 100 names and ≤ 100 values per name.
    List<Map<String, List<Double>>> documents = new ArrayList<>();
    for (Map.Entry<String, Metric> entry : metrics.entrySet()) {
      List<Double> values = entry.getValue().values();
      int index = -1;
      for (int from = 0; from < values.size(); from += MAX_VALUES) {
        List<Double> slice = values.subList(from, Math.min(values.size(), from + MAX_VALUES));
        // Each slice of one name goes to a later document than the slice before it.
        index++;
        while (index < documents.size() && documents.get(index).size() == MAX_METRICS) {
          index++;
        }
        if (index == documents.size()) {
          documents.add(new LinkedHashMap<>());
        }
        documents.get(index).put(entry.getKey(), slice);
      }
    }
    for (Map<String, List<Double>> document : documents) {
      sink.accept(render(timestamp, document));
    }
    metrics.clear();
    properties.clear();
  }

  private String render(long timestamp, Map<String, List<Double>> values) {
    StringWriter out = new StringWriter(512);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeObjectFieldStart("_aws");
      json.writeNumberField("Timestamp", timestamp);
      json.writeArrayFieldStart("CloudWatchMetrics");
      json.writeStartObject();
      json.writeStringField("Namespace", namespace);
      json.writeArrayFieldStart("Dimensions");
      json.writeStartArray();
      for (String dimension : dimensions.keySet()) {
        json.writeString(dimension);
      }
      json.writeEndArray();
      for (List<String> set : rollups) {
        json.writeStartArray();
        for (String dimension : set) {
          json.writeString(dimension);
        }
        json.writeEndArray();
      }
      json.writeEndArray();
      json.writeArrayFieldStart("Metrics");
      for (String name : values.keySet()) {
        json.writeStartObject();
        json.writeStringField("Name", name);
        json.writeStringField("Unit", metrics.get(name).unit().emfName());
        json.writeEndObject();
      }
      json.writeEndArray();
      json.writeEndObject();
      json.writeEndArray();
      json.writeEndObject();
      // as one map, like the ObjectMapper this replaced: a later key takes an earlier one's place
      Map<String, Object> fields = new LinkedHashMap<>(dimensions);
      fields.putAll(properties);
      values.forEach((name, list) -> fields.put(name, list.size() == 1 ? list.get(0) : list));
      for (Map.Entry<String, Object> field : fields.entrySet()) {
        json.writeFieldName(field.getKey());
        write(json, field.getValue());
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write EMF document", e); // a StringWriter does not fail
    }
    return out.toString();
  }

  private static boolean writable(Object value) {
    if (value == null || value instanceof CharSequence || value instanceof Boolean
        || value instanceof Integer || value instanceof Long || value instanceof Short
        || value instanceof Byte || value instanceof Double || value instanceof Float
        || value instanceof BigInteger || value instanceof BigDecimal) {
      return true;
    }
    if (value instanceof Iterable<?> list) {
      for (Object element : list) {
        if (!writable(element)) {
          return false;
        }
      }
      return true;
    }
    if (value instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        if (!(entry.getKey() instanceof String) || !writable(entry.getValue())) {
          return false;
        }
      }
      return true;
    }
    return false;
  }

  /** Writes a value {@link #writable} accepted, as an ObjectMapper would have. */
  private static void write(JsonGenerator json, Object value) throws IOException {
    switch (value) {
      case null -> json.writeNull();
      case CharSequence text -> json.writeString(text.toString());
      case Boolean bool -> json.writeBoolean(bool);
      case Integer number -> json.writeNumber(number);
      case Long number -> json.writeNumber(number);
      case Short number -> json.writeNumber(number);
      case Byte number -> json.writeNumber(number.intValue());
      case Double number -> json.writeNumber(number);
      case Float number -> json.writeNumber(number);
      case BigInteger number -> json.writeNumber(number);
      case BigDecimal number -> json.writeNumber(number);
      case Iterable<?> list -> {
        json.writeStartArray();
        for (Object element : list) {
          write(json, element);
        }
        json.writeEndArray();
      }
      case Map<?, ?> map -> {
        json.writeStartObject();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
          json.writeFieldName((String) entry.getKey());
          write(json, entry.getValue());
        }
        json.writeEndObject();
      }
      default -> throw new IllegalArgumentException("cannot write " + value.getClass().getSimpleName());
    }
  }

  private static String requireName(String name, String what) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(what + " must be 1-255 characters without ':' and not start with a space: '" + name + "'");
    }
    return name;
  }
}
