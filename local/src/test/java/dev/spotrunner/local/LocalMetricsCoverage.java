package dev.spotrunner.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.spotrunner.common.json.Json;
import dev.spotrunner.local.metrics.MetricKey;
import dev.spotrunner.local.stack.LocalStack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Every metric the applied dashboard and alarms name is written by a function of the local stack:
 * run by local's failsafe execution {@code metrics-coverage} after every local IT, over the union of
 * the EMF lines each stack's functions wrote ({@link LocalStack#COLLECT_EMF}, one file per stack),
 * against the metrics LocalStackIT read from its applied dashboard and alarms. What no local IT can
 * trigger is on {@link #NOT_TRIGGERED}, with the reason (docs/metrics.md lists it too).
 */
class LocalMetricsCoverage {
  /** Metrics the dashboard or alarms name that no local stack writes, and why. */
  static final Map<MetricKey, String> NOT_TRIGGERED = Map.of(
      new MetricKey("spotrunner", "SweeperPointsSpent", Set.of("function")),
      "the local stack runs no sweeper: Terraform applies it, but Deployment starts no function for it and"
          + " the GitHub stand-in serves no webhook-deliveries API to sweep");

  private static final String APPLIED = "applied-metrics.json";

  /** Where the stacks of this build leave their EMF lines; null outside the failsafe run. */
  static Path collected() {
    String directory = System.getProperty(LocalStack.COLLECT_EMF, "");
    return directory.isBlank() ? null : Path.of(directory);
  }

  /** LocalStackIT's custom metrics of its applied dashboard and alarms, for the check below. */
  static void saveApplied(Set<MetricKey> named) throws IOException {
    Path directory = collected();
    if (directory != null) {
      Files.createDirectories(directory);
      Json.MAPPER.writeValue(directory.resolve(APPLIED).toFile(), List.copyOf(named));
    }
  }

  @Test
  void everyMetricTheAppliedDashboardAndAlarmsNameIsWrittenInALocalStackRun() throws IOException {
    String only = System.getProperty("it.test", "");
    Assumptions.assumeTrue(only.isBlank() || only.startsWith("${"),
        "only some local ITs ran (-Dit.test=" + only + "): the coverage check needs them all");
    Path directory = collected();
    assertThat(directory).as("system property " + LocalStack.COLLECT_EMF).isNotNull();
    assertThat(directory.resolve(APPLIED)).as("LocalStackIT's applied dashboard and alarms").exists();
    Set<MetricKey> named = new LinkedHashSet<>(Json.MAPPER.readValue(directory.resolve(APPLIED).toFile(),
        new TypeReference<List<MetricKey>>() {}));

    Set<MetricKey> written = new LinkedHashSet<>();
    Set<String> stacks = new TreeSet<>();
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".emf")).toList()) {
        stacks.add(file.getFileName().toString());
        try (Stream<String> lines = Files.lines(file)) {
          written.addAll(MetricKey.fromEmf(lines));
        }
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }

    assertThat(named).as("metrics the applied dashboard and alarms name").isNotEmpty();
    Set<MetricKey> missing = new TreeSet<>(java.util.Comparator.comparing(MetricKey::toString));
    named.stream().filter(k -> !written.contains(k) && !NOT_TRIGGERED.containsKey(k)).forEach(missing::add);
    assertThat(missing).as("named by the dashboard or alarms, written by no function in the local stacks "
        + stacks).isEmpty();
    // the list stays honest: each entry is named, and still written by no local stack
    assertThat(named).as("metrics the dashboard and alarms name").containsAll(NOT_TRIGGERED.keySet());
    assertThat(written).as("written after all: take it off NOT_TRIGGERED")
        .doesNotContainAnyElementsOf(NOT_TRIGGERED.keySet());
  }
}
