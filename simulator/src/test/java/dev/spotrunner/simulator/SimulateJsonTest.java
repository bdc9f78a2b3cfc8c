package dev.spotrunner.simulator;

import static dev.spotrunner.simulator.TestWorld.T0;
import static dev.spotrunner.simulator.TestWorld.job;
import static dev.spotrunner.simulator.TestWorld.pool;
import static dev.spotrunner.simulator.TestWorld.scenario;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code --json} writes exactly the keys docs/simulator.md lists, per pool and overall. */
class SimulateJsonTest {
  private static final Path DOC = Path.of("../docs/simulator.md");

  /** The keys of the table under "What the numbers mean {#json}": each backticked name of a row. */
  static Set<String> documentedKeys() throws IOException {
    List<String> lines = Files.readAllLines(DOC);
    int start = lines.indexOf("## What the numbers mean {#json}");
    assertThat(start).as("the #json section of " + DOC).isNotNegative();
    Set<String> keys = new LinkedHashSet<>();
    for (String line : lines.subList(start + 1, lines.size())) {
      if (line.startsWith("## ")) {
        break;
      }
      if (line.startsWith("| `")) {
        String[] parts = line.split("\\|")[1].split("`");
        for (int i = 1; i < parts.length; i += 2) {
          keys.add(parts[i]);
        }
      }
    }
    return keys;
  }

  private static List<SimulationResult> runs(int seeds) {
    List<TraceJob> jobs = List.of(job(1, T0, 600), job(2, T0.plusSeconds(5), 600),
        job(3, T0.plusSeconds(90), 300));
    List<SimulationResult> runs = new ArrayList<>();
    for (int seed = 1; seed <= seeds; seed++) {
      // a random boot, so the seeds differ
      Scenario scenario = scenario(60, "{\"boot\":{\"type\":\"uniform\",\"min\":30,\"max\":300}}");
      runs.add(new Simulation(pool().deployment(), scenario, seed,
          T0.minus(Duration.ofMinutes(10))).run(jobs));
    }
    return runs;
  }

  @Test
  void theDocumentListsTheTailsSpotShareCostAndGitHubPoints() throws IOException {
    assertThat(documentedKeys()).contains("jobs", "served", "unserved", "deadLettered", "waitP50",
        "waitP90", "waitP99", "waitP999", "waitMax", "waitingOver10Min", "waitingOver1H",
        "busyInstanceMinutes", "idleInstanceMinutes", "spotShare", "costUsd",
        "peakGitHubPointsPerMinute");
  }

  @Test
  void oneSeedWritesEveryDocumentedKeyAndNoOtherPerPoolAndOverall() throws IOException {
    JsonNode json = Json.MAPPER.readTree(SimulateCommand.json(runs(1)));

    assertThat(json.path("seeds").asInt()).isEqualTo(1);
    assertThat(names(json.path("overall"))).isEqualTo(documentedKeys());
    assertThat(names(json.path("pools"))).containsExactly("linux");
    assertThat(names(json.path("pools").path("linux"))).isEqualTo(documentedKeys());
    json.path("overall").forEach(value -> assertThat(value.isNumber()).isTrue());
    assertThat(json.path("overall").path("jobs").asInt()).isEqualTo(3);
    assertThat(json.path("overall").path("served").asInt()).isEqualTo(3);
  }

  @Test
  void severalSeedsWriteTheMinMedianAndMaxOfEveryDocumentedKey() throws IOException {
    List<SimulationResult> runs = runs(3);
    JsonNode json = Json.MAPPER.readTree(SimulateCommand.json(runs));

    assertThat(json.path("seeds").asInt()).isEqualTo(3);
    for (JsonNode metrics : List.of(json.path("overall"), json.path("pools").path("linux"))) {
      assertThat(names(metrics)).isEqualTo(documentedKeys());
      metrics.forEach(spread -> {
        assertThat(names(spread)).containsExactly("min", "median", "max");
        assertThat(spread.path("min").asDouble()).isLessThanOrEqualTo(spread.path("median").asDouble());
        assertThat(spread.path("median").asDouble()).isLessThanOrEqualTo(spread.path("max").asDouble());
      });
    }
    // the spread is over the seeds' own figures
    List<Double> p50s = runs.stream()
        .map(r -> r.overall().metrics().get("waitP50").doubleValue()).sorted().toList();
    JsonNode p50 = json.path("overall").path("waitP50");
    assertThat(p50.path("min").asDouble()).isEqualTo(p50s.get(0));
    assertThat(p50.path("median").asDouble()).isEqualTo(p50s.get(1));
    assertThat(p50.path("max").asDouble()).isEqualTo(p50s.get(2));
    assertThat(p50s.get(0)).as("the seeds differ").isLessThan(p50s.get(2));
  }

  private static Set<String> names(JsonNode node) {
    Set<String> names = new LinkedHashSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
