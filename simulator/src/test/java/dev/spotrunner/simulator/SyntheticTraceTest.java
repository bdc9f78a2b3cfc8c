package dev.spotrunner.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticTraceTest {
  /** The shipped trace, from the module's directory (where the tests run). */
  private static final Path SHIPPED = Path.of("traces/bitcoin-core-ci-2025-09.csv");

  @TempDir
  Path dir;

  private static SyntheticTrace fromShipped() throws Exception {
    return new SyntheticTrace(Trace.read(SHIPPED));
  }

  @Test
  void hasTheShippedColumnsAndParsesWithTheTraceReader() throws Exception {
    Path out = dir.resolve("synthetic.csv");
    int written = fromShipped().write(out, 3, 120, 24, 7);

    String shippedHeader = Files.readAllLines(SHIPPED).getFirst();
    String header = Files.readAllLines(out).getFirst();
    assertEquals(shippedHeader + ",repository", header);
    List<TraceJob> jobs = Trace.read(out);
    assertEquals(written, jobs.size());
    assertTrue(jobs.stream().allMatch(j -> j.observedWaitSeconds() == null));
  }

  @Test
  void arrivalsComeAtTheRateAskedWithADailyCycle() throws Exception {
    Path out = dir.resolve("synthetic.csv");
    fromShipped().write(out, 4, 600, 48, 11);
    List<TraceJob> jobs = Trace.read(out);

    // 600 an hour over 48 hours: 28,800 expected, a Poisson count's deviation is about 170
    assertEquals(28_800, jobs.size(), 28_800 * 0.03);
    Map<Integer, Long> byHour = jobs.stream().collect(Collectors.groupingBy(
        j -> j.queuedAt().atZone(ZoneOffset.UTC).getHour(), Collectors.counting()));
    // the peak hour carries 1.5× the mean, the trough 0.5× (two days each)
    double peak = byHour.get(SyntheticTrace.PEAK_HOUR_UTC) / 2.0;
    double trough = byHour.get((SyntheticTrace.PEAK_HOUR_UTC + 12) % 24) / 2.0;
    assertEquals(900, peak, 900 * 0.15);
    assertEquals(300, trough, 300 * 0.2);
  }

  @Test
  void runTimesAndLabelsComeFromTheSampleAndJobsSpreadOverTheOrgs() throws Exception {
    List<TraceJob> sample = Trace.read(SHIPPED);
    Set<Long> durations = sample.stream().map(TraceJob::durationSeconds)
        .collect(Collectors.toSet());
    Set<List<String>> labels = sample.stream().map(TraceJob::labels).collect(Collectors.toSet());
    Path out = dir.resolve("synthetic.csv");
    int written = new SyntheticTrace(sample).write(out, 5, 500, 24, 3);

    List<TraceJob> jobs = Trace.read(out);
    assertTrue(jobs.stream().allMatch(j -> durations.contains(j.durationSeconds())));
    assertTrue(jobs.stream().allMatch(j -> labels.contains(j.labels())));
    double sampleMean = sample.stream().mapToLong(TraceJob::durationSeconds).average().orElse(0);
    double mean = jobs.stream().mapToLong(TraceJob::durationSeconds).average().orElse(0);
    assertEquals(sampleMean, mean, sampleMean * 0.1);

    Map<String, Integer> byRepo = new HashMap<>();
    for (String line : Files.readAllLines(out).subList(1, written + 1)) {
      String repo = line.substring(line.lastIndexOf(',') + 1);
      byRepo.merge(repo, 1, Integer::sum);
    }
    assertEquals(Set.of("org-1/repo-1", "org-2/repo-2", "org-3/repo-3", "org-4/repo-4",
        "org-5/repo-5"), byRepo.keySet());
    byRepo.values().forEach(n -> assertEquals(written / 5.0, n, written / 5.0 * 0.1));
  }

  @Test
  void theSameSeedGivesTheSameFileAndAnotherSeedAnother() throws Exception {
    SyntheticTrace trace = fromShipped();
    Path a = dir.resolve("a.csv");
    Path b = dir.resolve("b.csv");
    Path c = dir.resolve("c.csv");
    trace.write(a, 2, 200, 6, 42);
    trace.write(b, 2, 200, 6, 42);
    trace.write(c, 2, 200, 6, 43);

    assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
    assertFalse(Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(c)));
  }
}
