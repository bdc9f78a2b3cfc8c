package dev.spotrunner.simulator;

import static dev.spotrunner.simulator.TestWorld.T0;
import static dev.spotrunner.simulator.TestWorld.job;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimulateCommandTest {
  private static final List<TraceJob> DAYS = List.of(job(1, T0, 60),
      job(2, T0.plusSeconds(86_400), 60), job(3, T0.plusSeconds(2 * 86_400), 60));

  @Test
  void fromAndToOnTheCommandLineReplayALaterStretchOfTheTrace() {
    Scenario file = Scenario.defaults().window(T0, null);

    Scenario later = file.window(SimulateCommand.instant("2025-09-02", "--from"), null);

    assertThat(later.from()).isEqualTo(Instant.parse("2025-09-02T00:00:00Z"));
    assertThat(SimulateCommand.window(DAYS, later)).extracting(TraceJob::jobId)
        .containsExactly(2L, 3L);
    Scenario middle = later.window(null,
        SimulateCommand.instant("2025-09-02T12:00:00Z", "--to"));
    assertThat(SimulateCommand.window(DAYS, middle)).extracting(TraceJob::jobId)
        .containsExactly(2L);
  }

  @Test
  void theReportSaysTheWindowCameFromTheCommandLine() {
    Scenario later = Scenario.defaults().window(T0, null);

    assertThat(later.settings(null, java.util.Set.of("from")))
        .filteredOn(s -> s.name().equals("from"))
        .singleElement().extracting(Deployment.Setting::source).isEqualTo("command line");
  }

  @Test
  void aTraceWhoseLabelsNoPoolTakesRoutesNothingAndTheErrorNamesTheLabelsToMap() {
    List<TraceJob> cirrus = List.of(new TraceJob(1, T0, 60, List.of("cirrus-linux-x64"), 5L),
        new TraceJob(2, T0, 60, List.of("macos-14"), 5L));
    Deployment deployment = TestWorld.pool().deployment();

    assertThat(Simulation.routed(deployment, Scenario.defaults(), cirrus)).isEmpty();
    assertThat(SimulateCommand.noJobRouted(cirrus, deployment, null))
        .contains("cirrus-linux-x64=1", "macos-14=1", "without --scenario", "\"labels\"");

    Scenario mapped = TestWorld.scenario(60,
        "{\"labels\":{\"cirrus-linux-x64\":[\"linux-x64\"]}}");
    assertThat(Simulation.routed(deployment, mapped, cirrus)).containsExactly(
        java.util.Map.entry("linux", 1));
  }
}
