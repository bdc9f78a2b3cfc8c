package dev.spotrunner.simulator;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A synthetic job trace for load far beyond a real repository's: Poisson arrivals at a mean rate
 * with a daily cycle (the rate swings by {@link #DAILY_SWING} around the mean, highest at
 * {@link #PEAK_HOUR_UTC}:00 UTC, lowest twelve hours later; over whole days the mean is the rate
 * asked for), each job's run time and labels drawn together from a real trace's jobs (the empirical
 * distribution), and each job given to one of N organisations uniformly, one repository each
 * ({@code org-K/repo-K}). The CSV has the shipped trace's columns plus {@code repository}, which
 * {@link Trace} ignores; there is no observed wait, so {@code wait_s}, {@code started_at} and
 * {@code completed_at} stay empty. The same arguments and seed give the same file.
 */
public final class SyntheticTrace {
  /** The shipped trace's columns, then the job's repository. */
  static final String HEADER = "job_id,run_id,name,status,queued_at,started_at,completed_at,"
      + "wait_s,duration_s,labels,queued_at_source,repository";
  static final double DAILY_SWING = 0.5;
  static final int PEAK_HOUR_UTC = 15;
  /** Where a synthetic trace starts: a Monday, midnight UTC. */
  static final Instant START = Instant.parse("2026-01-05T00:00:00Z");

  private final List<TraceJob> sample;

  /** @param sample the real jobs whose run times and labels are drawn from; not empty */
  public SyntheticTrace(List<TraceJob> sample) {
    if (sample.isEmpty()) {
      throw new IllegalArgumentException("the run-time sample holds no job");
    }
    this.sample = List.copyOf(sample);
  }

  /** The arrival rate at {@code secondsIn} seconds after {@link #START}, relative to the mean. */
  static double cycle(double secondsIn) {
    double hour = secondsIn / 3600.0;
    return 1 + DAILY_SWING * Math.cos(2 * Math.PI * (hour - PEAK_HOUR_UTC) / 24.0);
  }

  /** Writes the trace; returns how many jobs it holds. */
  public int write(Path out, int orgs, double jobsPerHour, double hours, long seed)
      throws IOException {
    if (orgs < 1 || jobsPerHour <= 0 || hours <= 0) {
      throw new IllegalArgumentException("orgs, jobs per hour and hours must be positive");
    }
    SplittableRandom random = new SplittableRandom(seed);
    double peakPerSecond = jobsPerHour * (1 + DAILY_SWING) / 3600.0;
    double end = hours * 3600.0;
    int jobs = 0;
    try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      w.write(HEADER);
      w.write('\n');
      // thinning: candidates at the peak rate, each kept with the cycle's share of the peak
      double t = -Math.log(1 - random.nextDouble()) / peakPerSecond;
      while (t < end) {
        if (random.nextDouble() * (1 + DAILY_SWING) < cycle(t)) {
          TraceJob like = sample.get(random.nextInt(sample.size()));
          int org = 1 + random.nextInt(orgs);
          long id = 1_000_000L + jobs;
          w.write(id + "," + id + ",synthetic,COMPLETED,"
              + START.plusSeconds((long) t) + ",,,," + like.durationSeconds() + ","
              + csv(String.join(";", like.labels())) + ",synthetic,org-" + org + "/repo-" + org
              + "\n");
          jobs++;
        }
        t += -Math.log(1 - random.nextDouble()) / peakPerSecond;
      }
    }
    return jobs;
  }

  private static String csv(String value) {
    return value.contains(",") || value.contains("\"")
        ? "\"" + value.replace("\"", "\"\"") + "\"" : value;
  }
}
