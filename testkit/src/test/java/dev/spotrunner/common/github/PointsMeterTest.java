package dev.spotrunner.common.github;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.json.Json;
import dev.spotrunner.testkit.fakes.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PointsMeterTest {
  private static final Instant START = Instant.parse("2026-03-01T10:00:10Z");
  private final ManualClock clock = new ManualClock(START);
  private final List<String> lines = new ArrayList<>();
  private final RequestGovernor governor = new RequestGovernor(clock, clock.sleeper(),
      GovernorLimits.GITHUB, new PointsMeter(lines::add), false);

  private record Ok(int status) implements RequestGovernor.Answer {
    @Override
    public Optional<String> header(String name) {
      return Optional.empty();
    }

    @Override
    public String body() {
      return "{}";
    }
  }

  private void call(String key, String method) {
    governor.execute(key, method, "test", () -> new Ok(200));
  }

  @Test
  void writesEachKeysPointsPerClockMinuteWhenTheNextMinuteStarts() throws Exception {
    call("installation:7", "GET");
    call("installation:7", "POST");
    call("installation:8", "POST");
    assertThat(lines).isEmpty();

    clock.advance(Duration.ofSeconds(50)); // 10:01:00, the next clock minute
    call("installation:7", "GET");

    assertThat(points()).hasSize(1);
    JsonNode line = Json.MAPPER.readTree(points().get(0));
    assertThat(line.path("github_key").asText()).isEqualTo("installation:7");
    assertThat(line.path(PointsMeter.METRIC).asLong()).isEqualTo(6);
    assertThat(line.path("_aws").path("Timestamp").asLong())
        .isEqualTo(Instant.parse("2026-03-01T10:00:00Z").toEpochMilli());
    assertThat(line.path("_aws").path("CloudWatchMetrics").get(0).path("Namespace").asText())
        .isEqualTo("spotrunner");
  }

  @Test
  void countsEveryAttemptsReservation() {
    governor.execute("installation:7", "POST", "retried", new RequestGovernor.Attempt<Ok>() {
      int sent;

      @Override
      public Ok send() {
        return new Ok(++sent == 1 ? 502 : 201);
      }
    });
    clock.advance(Duration.ofMinutes(1));
    call("installation:7", "GET");
    assertThat(points()).singleElement().asString().contains("\"" + PointsMeter.METRIC + "\":10");
  }

  @Test
  void countsGitHubsAnswersByStatusClassPerKeyAndMinute() throws Exception {
    governor.execute("installation:7", "POST", "retried", new RequestGovernor.Attempt<Ok>() {
      int sent;

      @Override
      public Ok send() {
        return new Ok(++sent == 1 ? 502 : 201);
      }
    });
    call("installation:7", "GET");
    governor.execute("installation:7", "GET", "missing", () -> new Ok(404));

    PointsMeter.flushStdout(); // another meter's flush writes nothing of this one
    assertThat(lines).isEmpty();
    governor.meter().flush();

    assertThat(answers("installation:7")).containsExactlyInAnyOrderEntriesOf(
        java.util.Map.of("2xx", 2L, "4xx", 1L, "5xx", 1L));
    assertThat(points()).singleElement().asString().contains("\"" + PointsMeter.METRIC + "\":12");
  }

  @Test
  void aFlushWritesTheOpenMinuteAtOnceAndALaterCallOfTheSameMinuteAgain() throws Exception {
    call("installation:7", "POST");
    governor.meter().flush();
    assertThat(points()).singleElement().asString().contains("\"" + PointsMeter.METRIC + "\":5");

    clock.advance(Duration.ofSeconds(5));
    call("installation:7", "GET");
    governor.meter().flush();
    governor.meter().flush(); // nothing new: nothing written

    assertThat(points()).hasSize(2);
    assertThat(Json.MAPPER.readTree(points().get(1)).path(PointsMeter.METRIC).asLong()).isEqualTo(1);
    assertThat(Json.MAPPER.readTree(points().get(1)).path("_aws").path("Timestamp").asLong())
        .isEqualTo(Instant.parse("2026-03-01T10:00:00Z").toEpochMilli());
  }

  private List<String> points() {
    return lines.stream().filter(l -> l.contains("\"" + PointsMeter.METRIC + "\"")).toList();
  }

  private java.util.Map<String, Long> answers(String key) throws Exception {
    java.util.Map<String, Long> byStatus = new java.util.TreeMap<>();
    for (String line : lines) {
      JsonNode document = Json.MAPPER.readTree(line);
      if (document.has(PointsMeter.ANSWERS) && document.path("github_key").asText().equals(key)) {
        byStatus.merge(document.path("status").asText(), document.path(PointsMeter.ANSWERS).asLong(), Long::sum);
      }
    }
    return byStatus;
  }
}
