package dev.spotrunner.local.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A CloudWatch dashboard body drawn from a {@link MetricStore}: every metric widget's lines (a metric
 * with its dimensions and statistic, or a {@code SEARCH} expression, one line per series found) as
 * values per period, the text and alarm widgets as they are. Only what the body says is drawn: a
 * widget on a metric nobody wrote stays empty, as it would in CloudWatch.
 */
public final class DashboardView {
  private static final Pattern SEARCH = Pattern.compile(
      "SEARCH\\('\\{([^}]*)\\}\\s+MetricName=\"([^\"]+)\"'\\s*,\\s*'(\\w+)'");

  /** One line of a graph: its label and statistic, each period's value, and over the whole run. */
  public record Series(String label, String stat, int samples, double overall, List<double[]> values) {}

  /** One widget as drawn: metric widgets have series, text widgets text, alarm widgets alarm names. */
  public record Widget(String type, String title, String text, List<Series> series) {}

  private final JsonNode body;
  private final MetricStore store;
  private final long periodMillis;

  /** @param periodMillis the local graphs' period (a local run lasts minutes, not the dashboard's hours) */
  public DashboardView(JsonNode body, MetricStore store, long periodMillis) {
    this.body = body;
    this.store = store;
    this.periodMillis = periodMillis;
  }

  public List<Widget> widgets() {
    List<Widget> widgets = new ArrayList<>();
    for (JsonNode widget : body.path("widgets")) {
      JsonNode properties = widget.path("properties");
      switch (widget.path("type").asText()) {
        case "text" -> widgets.add(new Widget("text", "", properties.path("markdown").asText(), List.of()));
        case "alarm" -> {
          List<String> names = new ArrayList<>();
          properties.path("alarms").forEach(arn -> names.add(arn.asText().substring(arn.asText().lastIndexOf(':') + 1)));
          widgets.add(new Widget("alarm", properties.path("title").asText("Alarms"), String.join("\n", names), List.of()));
        }
        case "metric" -> widgets.add(new Widget("metric", properties.path("title").asText(), "", series(properties)));
        default -> { }
      }
    }
    return widgets;
  }

  private List<Series> series(JsonNode properties) {
    String widgetStat = properties.path("stat").asText("Average");
    List<Series> series = new ArrayList<>();
    for (JsonNode line : properties.path("metrics")) {
      List<String> texts = new ArrayList<>();
      JsonNode options = null;
      for (JsonNode part : line) {
        if (part.isTextual()) {
          texts.add(part.asText());
        } else if (part.isObject()) {
          options = part;
        }
      }
      if (texts.size() >= 2) {
        Map<String, String> dimensions = new TreeMap<>();
        for (int i = 2; i + 1 < texts.size(); i += 2) {
          dimensions.put(texts.get(i), texts.get(i + 1));
        }
        String stat = options == null ? widgetStat : options.path("stat").asText(widgetStat);
        String label = options == null ? texts.get(1) : options.path("label").asText(texts.get(1));
        series.add(draw(label, stat, store.series(texts.get(0), texts.get(1), dimensions)));
      } else if (options != null) {
        Matcher search = SEARCH.matcher(options.path("expression").asText(""));
        if (search.find()) {
          String[] schema = search.group(1).split(",");
          List<String> names = new ArrayList<>();
          for (int i = 1; i < schema.length; i++) {
            names.add(schema[i].trim());
          }
          store.search(schema[0].trim(), search.group(2), names).forEach((dimensions, points) ->
              // labelled by the dimension values in the schema's order, as CloudWatch labels a search
              series.add(draw(String.join(" ", names.stream().map(dimensions::get).toList()) + " "
                  + search.group(2), search.group(3), points)));
        }
      }
    }
    return series;
  }

  private Series draw(String label, String stat, List<MetricStore.Point> points) {
    Statistic statistic = new Statistic(stat);
    Map<Long, List<Double>> buckets = new TreeMap<>();
    List<Double> all = new ArrayList<>();
    for (MetricStore.Point point : points) {
      buckets.computeIfAbsent(Math.floorDiv(point.at(), periodMillis) * periodMillis, b -> new ArrayList<>())
          .add(point.value());
      all.add(point.value());
    }
    List<double[]> values = new ArrayList<>();
    buckets.forEach((start, bucket) -> values.add(new double[] {start, statistic.of(bucket)}));
    return new Series(label, stat, all.size(), statistic.of(all), values);
  }

  /** The widgets as the page's JSON: title, type, text, and per series its figures and SVG-ready values. */
  public List<Map<String, Object>> toJson(long from, long to) {
    List<Map<String, Object>> json = new ArrayList<>();
    for (Widget widget : widgets()) {
      Map<String, Object> w = new LinkedHashMap<>();
      w.put("type", widget.type());
      w.put("title", widget.title());
      w.put("text", widget.text());
      List<Map<String, Object>> lines = new ArrayList<>();
      for (int i = 0; i < widget.series().size(); i++) {
        Series s = widget.series().get(i);
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("colour", SvgChart.colour(i));
        line.put("label", s.label());
        line.put("stat", s.stat());
        line.put("samples", s.samples());
        line.put("overall", Double.isNaN(s.overall()) ? null : s.overall());
        lines.add(line);
      }
      w.put("series", lines);
      if ("metric".equals(widget.type())) {
        w.put("svg", SvgChart.render(widget.series(), from, to, periodMillis));
      }
      json.add(w);
    }
    return json;
  }
}
