package dev.spotrunner.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import dev.spotrunner.common.log.Log;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SimulationTest {
  private static final Instant T0 = Instant.parse("2025-09-01T10:00:00Z");

  @BeforeAll
  static void quiet() {
    // the scaling code logs each decision; the assertions say what matters here
    Log.setLevel(Log.Level.ERROR);
  }

  private static JsonNode fixedBoot(long seconds) {
    return JsonNodeFactory.instance.objectNode().put("type", "fixed").put("seconds", seconds);
  }

  private static SimulationConfig.SimPool pool(int delay, int max, long boot, boolean ephemeral,
      JsonNode warm) {
    return new SimulationConfig.SimPool("linux", List.of("linux-x64"), null, 1, delay, max,
        ephemeral, true, "m7i.large", "spot", true, null, fixedBoot(boot), warm, null, 5, 5, null);
  }

  private static SimulationConfig config(SimulationConfig.SimPool pool) {
    return new SimulationConfig(List.of(pool), "acme", "acme/app", 5, 10, 0, 60, 100, 0.0,
        Map.of("m7i.large", new SimulationConfig.Price(0.1, 0.04)));
  }

  private static TraceJob job(long id, Instant queued, long duration) {
    return new TraceJob(id, queued, duration, List.of("linux-x64"), null);
  }

  private static SimulationResult simulate(SimulationConfig config, List<TraceJob> jobs) {
    return new Simulation(config, 7, jobs.getFirst().queuedAt().minus(Duration.ofMinutes(10)))
        .run(jobs);
  }

  @Test
  void oneJobWaitsTheQueueDelayPlusTheBootTime() {
    SimulationResult result = simulate(config(pool(30, 10, 90, true, null)),
        List.of(job(1, T0, 300)));

    assertThat(result.simulatedWaits().get("linux")).containsExactly(30L + 90L);
    assertThat(result.overall().instancesLaunched()).isEqualTo(1);
    assertThat(result.overall().unserved()).isZero();
  }

  @Test
  void aJobWhoseInstanceSpotTookDuringBootIsServedAfterTheNextScaleDownCycle() {
    long boot = 90;
    int delay = 30;
    // Scale-down runs every 5 minutes from ten minutes before the job: at T0, T0+300 s, ...
    // The job's instance launches at T0+30 s and is interrupted 20 s later, while booting.
    SimulationResult result = new Simulation(config(pool(delay, 10, boot, true, null)), 7,
        T0.minus(Duration.ofMinutes(10)))
        .interruptFirstInstanceAfter(20)
        .run(List.of(job(1, T0, 300)));

    // delay + 20 s of the first boot, then the wait for the cycle at T0+300 s, then a whole boot
    long nextCycle = 300;
    assertThat(result.simulatedWaits().get("linux")).containsExactly(nextCycle + boot);
    assertThat(result.overall().instancesLaunched()).isEqualTo(2);
    assertThat(result.overall().unserved()).isZero();
    assertThat(result.interruptedJobs()).isZero();
  }

  @Test
  void theSameTraceConfigurationAndSeedGiveTheSameOutput() {
    SimulationConfig config = new SimulationConfig(List.of(new SimulationConfig.SimPool("linux",
        List.of("linux-x64"), null, 1, 30, 5, true, true, "m7i.large", "spot", true, "stock", null,
        null, null, 5, 5, null)), "acme", "acme/app", 5, 10, 0, 60, 100, 0.5, Map.of());
    List<TraceJob> jobs = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      jobs.add(job(i + 1, T0.plusSeconds(i * 37L % 600), 120 + i * 13L % 400));
    }
    jobs.sort((a, b) -> a.queuedAt().compareTo(b.queuedAt()));

    SimulationResult first = simulate(config, jobs);
    SimulationResult second = simulate(config, jobs);

    assertThat(second.simulatedWaits()).isEqualTo(first.simulatedWaits());
    assertThat(second.overall().busyInstanceMinutes()).isEqualTo(first.overall().busyInstanceMinutes());
    assertThat(second.overall().idleInstanceMinutes()).isEqualTo(first.overall().idleInstanceMinutes());
    assertThat(second.interruptedJobs()).isEqualTo(first.interruptedJobs());
    assertThat(second.githubCalls()).isEqualTo(first.githubCalls());
    assertThat(second.timeline()).isEqualTo(first.timeline());
  }

  @Test
  void aWarmPoolServesItsFirstJobsWithoutBootWait() {
    JsonNode warm = JsonNodeFactory.instance.arrayNode().add(JsonNodeFactory.instance.objectNode()
        .put("cron", "* * * * *").put("timeZone", "UTC").put("idle", 3).put("owner", "acme"));
    // Jobs arrive an hour in, long after the warm runners booted.
    Instant later = T0.plus(Duration.ofHours(1));
    List<TraceJob> jobs = List.of(job(1, later, 600), job(2, later, 600), job(3, later, 600),
        job(4, later, 600));

    SimulationResult result = simulate(config(pool(30, 10, 180, true, warm)), jobs);

    List<Long> waits = result.simulatedWaits().get("linux");
    assertThat(waits).hasSize(4);
    assertThat(waits.stream().filter(w -> w == 0).count()).isEqualTo(3);
    // the fourth waits for a booting instance: a refilled warm runner or its own (delay + boot)
    assertThat(waits.stream().filter(w -> w > 0).findFirst().orElseThrow())
        .as("waits %s", waits).isBetween(1L, 30L + 180L);
  }

  @Test
  void withMaximumOneTheThirdOfThreeJobsWaitsTwoJobLengthsPlusBoots() {
    long boot = 60;
    long length = 600;
    int delay = 30;
    List<TraceJob> jobs = List.of(job(1, T0, length), job(2, T0, length), job(3, T0, length));

    SimulationResult result = simulate(config(pool(delay, 1, boot, true, null)), jobs);

    List<Long> waits = result.simulatedWaits().get("linux").stream().sorted().toList();
    assertThat(waits).hasSize(3);
    long visibility = 60;
    assertThat(waits.get(0)).isEqualTo(delay + boot);
    long third = waits.get(2);
    assertThat(third).isBetween(delay + 3 * boot + 2 * length,
        delay + 3 * boot + 2 * length + 2 * visibility);
    assertThat(result.overall().peakInstances()).isEqualTo(1);
  }

  @Test
  void aBusyRunnerIsNeverScaledDownMidJob() {
    // persistent runners, jobs far longer than the minimum running time and many scale-down cycles
    List<TraceJob> jobs = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      jobs.add(job(i + 1, T0.plus(Duration.ofMinutes(i * 7L)), 3_600 + i * 300L));
    }

    SimulationResult result = simulate(config(pool(0, 4, 120, false, null)), jobs);

    assertThat(result.busyRunnersTerminated()).isZero();
    assertThat(result.overall().unserved()).isZero();
    assertThat(result.simulatedWaits().get("linux")).hasSize(12);
    // once the work is done scale-down brings the idle persistent fleet back to zero
    Simulation.Sample last = result.timeline().getLast();
    assertThat(last.instances().get("linux")).isZero();
  }
}
