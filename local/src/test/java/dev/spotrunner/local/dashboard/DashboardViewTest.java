package dev.spotrunner.local.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.json.Json;
import dev.spotrunner.common.metrics.Metrics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DashboardViewTest {
  private static final Instant AT = Instant.parse("2026-12-06T10:00:03Z");
  private static final Clock CLOCK = Clock.fixed(AT, ZoneOffset.UTC);
  private final MetricStore store = new MetricStore();

  private static JsonNode body(String widgets) throws Exception {
    return Json.MAPPER.readTree("{\"widgets\": [" + widgets + "]}");
  }

  /** A job's start delay as the webhook writes it: per repository and rolled up per pool. */
  private void jobStarted(String pool, String repository, double seconds) {
    new Metrics("spotrunner", CLOCK, store::addEmf).dimension("environment", "local").dimension("pool", pool)
        .dimension("repository", repository).rollup("environment", "pool")
        .value("JobStartDelay", seconds, dev.spotrunner.common.metrics.Unit.SECONDS).flush();
  }

  @Test
  void drawsPercentilesPerPoolFromTheRolledUpDimensionSetOnly() throws Exception {
    jobStarted("linux", "acme/api", 4);
    jobStarted("linux", "acme/web", 10);
    jobStarted("linux", "acme/web", 30);
    jobStarted("arm", "acme/api", 99);
    JsonNode body = body("""
        {"type": "metric", "properties": {"title": "Pickup latency", "metrics": [
          ["spotrunner", "JobStartDelay", "environment", "local", "pool", "linux", {"stat": "p50", "label": "linux p50"}],
          ["spotrunner", "JobStartDelay", "environment", "local", "pool", "linux", {"stat": "p99", "label": "linux p99"}],
          ["spotrunner", "JobStartDelay", "environment", "local", "pool", "gone", {"stat": "p50", "label": "gone p50"}]
        ]}}""");

    List<DashboardView.Series> series = new DashboardView(body, store, 10_000).widgets().getFirst().series();

    assertThat(series).extracting(DashboardView.Series::label).containsExactly("linux p50", "linux p99", "gone p50");
    assertThat(series.get(0).samples()).isEqualTo(3);
    assertThat(series.get(0).overall()).isEqualTo(10);
    assertThat(series.get(1).overall()).isEqualTo(30);
    assertThat(series.get(0).values()).singleElement()
        .satisfies(v -> assertThat(v[0]).isEqualTo(Instant.parse("2026-12-06T10:00:00Z").toEpochMilli()));
    assertThat(series.get(2).samples()).isZero();
    assertThat(series.get(2).overall()).isNaN();
  }

  @Test
  void aSearchExpressionDrawsOneSeriesPerDimensionValueWithItsStatistic() throws Exception {
    for (String key : List.of("installation:7", "installation:7", "installation:8")) {
      new Metrics("spotrunner", CLOCK, store::addEmf).dimension("github_key", key).count("GitHubPointsUsed", 5).flush();
    }
    new Metrics("spotrunner", CLOCK, store::addEmf).dimension("github_key", "installation:7")
        .dimension("status", "2xx").count("GitHubPointsUsed", 100).flush();
    JsonNode body = body("""
        {"type": "metric", "properties": {"title": "GitHub points", "metrics": [
          [{"expression": "SEARCH('{spotrunner,github_key} MetricName=\\"GitHubPointsUsed\\"', 'Sum', 60)", "id": "p"}]
        ]}}""");

    List<DashboardView.Series> series = new DashboardView(body, store, 10_000).widgets().getFirst().series();

    assertThat(series).extracting(DashboardView.Series::label, DashboardView.Series::overall)
        .containsExactlyInAnyOrder(
            org.assertj.core.api.Assertions.tuple("installation:7 GitHubPointsUsed", 10.0),
            org.assertj.core.api.Assertions.tuple("installation:8 GitHubPointsUsed", 5.0));
  }

  @Test
  void sampledAwsMetricsAndTextAndAlarmWidgetsAreDrawnAsTheBodySays() throws Exception {
    store.add(new MetricStore.Point("AWS/SQS", "ApproximateNumberOfMessagesVisible", Map.of("QueueName", "q"),
        AT.toEpochMilli(), 3));
    store.add(new MetricStore.Point("AWS/SQS", "ApproximateNumberOfMessagesVisible", Map.of("QueueName", "q"),
        AT.plusSeconds(20).toEpochMilli(), 1));
    JsonNode body = body("""
        {"type": "text", "properties": {"markdown": "## hello"}},
        {"type": "metric", "properties": {"title": "Jobs waiting", "stat": "Maximum", "metrics": [
          ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "q", {"label": "pool"}]]}},
        {"type": "alarm", "properties": {"title": "Alarms", "alarms": ["arn:aws:cloudwatch:us-east-1:1:alarm:local-github-budget"]}}""");

    List<Map<String, Object>> json = new DashboardView(body, store, 10_000)
        .toJson(AT.toEpochMilli() - 10_000, AT.plusSeconds(30).toEpochMilli());

    assertThat(json).extracting(w -> w.get("type")).containsExactly("text", "metric", "alarm");
    assertThat(json.get(0).get("text")).isEqualTo("## hello");
    assertThat(json.get(2).get("text")).isEqualTo("local-github-budget");
    @SuppressWarnings("unchecked")
    Map<String, Object> queue = ((List<Map<String, Object>>) json.get(1).get("series")).getFirst();
    assertThat(queue).containsEntry("label", "pool").containsEntry("stat", "Maximum").containsEntry("samples", 2)
        .containsEntry("overall", 3.0);
    assertThat((String) json.get(1).get("svg")).startsWith("<svg").contains("<polyline").contains("<circle");
  }

  @Test
  void tailsTheFunctionLogsForEmfLinesAcrossWritesThatEndMidLine(@TempDir Path logs) throws Exception {
    Path log = logs.resolve("local-webhook.log");
    StringBuilder written = new StringBuilder("{\"level\":\"INFO\",\"message\":\"not a metric\"}\n");
    new Metrics("spotrunner", CLOCK, line -> written.append(line).append('\n')).dimension("pool", "linux")
        .count("JobsReceived", 2).flush();
    String text = written.toString();
    int cut = text.length() - 20;
    Files.writeString(log, text.substring(0, cut), StandardCharsets.UTF_8);
    store.tail(logs);
    assertThat(store.series("spotrunner", "JobsReceived", Map.of("pool", "linux"))).isEmpty();

    Files.writeString(log, text.substring(cut), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    store.tail(logs);
    store.tail(logs);

    assertThat(store.series("spotrunner", "JobsReceived", Map.of("pool", "linux")))
        .singleElement().satisfies(p -> assertThat(p.value()).isEqualTo(2));
  }
}
