package dev.spotrunner.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CalibrationTest {
  private static final Instant T0 = Instant.parse("2025-09-01T00:00:00Z");

  /** A trace whose observed waits come from a capped pool of 4 with a 20 s pickup. */
  private static List<TraceJob> recordedOnCappedPool(int cap, long overhead) {
    Random random = new Random(3);
    List<TraceJob> jobs = new ArrayList<>();
    long t = 0;
    for (int i = 0; i < 600; i++) {
      t += (long) (-Math.log(1 - random.nextDouble()) * 400);
      jobs.add(new TraceJob(i + 1, T0.plusSeconds(t), 300 + random.nextInt(1500),
          List.of("ci"), null));
    }
    List<Long> waits = Calibration.replay(jobs, cap, overhead);
    List<TraceJob> observed = new ArrayList<>();
    for (int i = 0; i < jobs.size(); i++) {
      TraceJob j = jobs.get(i);
      observed.add(new TraceJob(j.jobId(), j.queuedAt(), j.durationSeconds(), j.labels(),
          waits.get(i)));
    }
    return observed;
  }

  @Test
  void theFitOnTheFirstHalfFindsTheCapAndPredictsTheSecondHalf() {
    List<TraceJob> trace = recordedOnCappedPool(4, 20);

    Calibration.Outcome outcome = Calibration.run(trace, "ci", null);

    assertThat(outcome.fit().cap()).isEqualTo(4);
    assertThat(outcome.fit().overheadSeconds()).isEqualTo(20);
    assertThat(outcome.predicted()).containsExactly(outcome.observed());
    assertThat(outcome.errors()).containsOnly(0.0);
    assertThat(outcome.observed()[2]).as("the cap makes a tail").isGreaterThan(20);
  }

  @ParameterizedTest
  @CsvSource({"3, 44", "6, 10"})
  void theFitFindsWhicheverCapAndOverheadTheTraceWasRecordedWith(int cap, long overhead) {
    List<TraceJob> trace = recordedOnCappedPool(cap, overhead);

    Calibration.Fit fit = Calibration.run(trace, "ci", null).fit();

    assertThat(fit.cap()).isEqualTo(cap);
    assertThat(fit.overheadSeconds()).isEqualTo(overhead);
  }

  @Test
  void aCapTooSmallOrTooLargeShowsAsPredictionError() {
    List<TraceJob> trace = recordedOnCappedPool(4, 20);
    List<Long> tooSmall = Calibration.replay(trace, 2, 20);
    List<Long> right = Calibration.replay(trace, 4, 20);

    assertThat(Calibration.percentiles(tooSmall)[2]).isGreaterThan(Calibration.percentiles(right)[2]);
  }
}
