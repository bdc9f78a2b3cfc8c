package dev.spotrunner.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spotrunner.local.metrics.EmitterPaths;
import dev.spotrunner.local.metrics.MetricKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The dashboard module names its custom metrics only through its catalogue (metrics.json), and every
 * metric in the catalogue is written, same namespace, name and dimension set, by a function's metric
 * writer (driven by {@link EmitterPaths}). LocalStackIT checks the applied dashboard and alarms name
 * exactly the catalogue; {@link LocalMetricsCoverage}, after every local IT, that the local stacks'
 * functions really wrote each of them.
 */
class DashboardContractTest {
  static final Path ROOT = Path.of(System.getProperty("spotrunner.root", "..")).toAbsolutePath().normalize();
  private static final Path MODULE = ROOT.resolve("terraform/modules/dashboard");

  @Test
  void everyMetricTheDashboardAndAlarmsUseIsWrittenByAFunction() {
    Set<MetricKey> catalogue = MetricKey.catalogue(ROOT);
    Set<MetricKey> written = MetricKey.fromEmf(EmitterPaths.lines().stream());

    assertThat(catalogue).isNotEmpty();
    assertThat(written).as("metrics the functions write").containsAll(catalogue);
  }

  @Test
  void theModuleNamesNoCustomMetricByHand() throws IOException {
    Pattern namespace = Pattern.compile("namespace\\s*=\\s*\"([^\"]*)\"");
    Pattern customName = Pattern.compile("local\\.ns\\s*,\\s*\"");
    Pattern alarmName = Pattern.compile("namespace\\s*=\\s*local\\.ns\\s*\\n\\s*metric_name\\s*=\\s*(\\S+)");
    try (Stream<Path> files = Files.list(MODULE)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".tf")).toList()) {
        String text = Files.readString(file);
        Matcher literal = namespace.matcher(text);
        while (literal.find()) {
          assertThat(literal.group(1)).as("a namespace written in " + file.getFileName()).startsWith("AWS/");
        }
        Matcher alarm = alarmName.matcher(text);
        while (alarm.find()) {
          assertThat(alarm.group(1)).as("an alarm's custom metric in " + file.getFileName()).startsWith("local.m.");
        }
        assertThat(customName.matcher(text).find())
            .as(file.getFileName() + " names a custom metric outside metrics.json").isFalse();
        assertThat(text).as(file.getFileName() + " writes the custom namespace by hand")
            .doesNotContain("\"spotrunner\"");
      }
    }
  }
}
