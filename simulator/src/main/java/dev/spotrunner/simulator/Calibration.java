package dev.spotrunner.simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Calibration against the service a trace was recorded on: a capped-pool model (at most
 * {@code cap} jobs run at once, each becomes runnable {@code overhead} seconds after it is queued,
 * first come first served) is fitted on the jobs queued before {@code split} by a grid search that
 * minimises the log error of the observed p50, p90 and p99 wait; the fitted model then replays the
 * whole trace and its waits of the jobs after {@code split} are compared with theirs.
 */
public final class Calibration {
  static final double[] PERCENTILES = {50, 90, 99};
  static final int MAX_CAP = 150;
  static final int MAX_OVERHEAD = 240;
  static final int OVERHEAD_STEP = 2;

  private Calibration() {}

  /** The fitted model: concurrency cap and pickup overhead in seconds. */
  public record Fit(int cap, long overheadSeconds) {}

  /** Observed and predicted p50/p90/p99 of the held-out window, in seconds. */
  public record Outcome(String label, Instant split, int fitJobs, int testJobs, Fit fit,
      long[] fitObserved, long[] fitPredicted, long[] observed, long[] predicted) {

    /** Relative error of the prediction at each of p50, p90, p99 (predicted/observed − 1). */
    public double[] errors() {
      double[] e = new double[PERCENTILES.length];
      for (int i = 0; i < e.length; i++) {
        e[i] = observed[i] == 0 ? (predicted[i] == 0 ? 0 : Double.POSITIVE_INFINITY)
            : (double) predicted[i] / observed[i] - 1;
      }
      return e;
    }

    public String text() {
      StringBuilder out = new StringBuilder();
      out.append(String.format("calibration of a capped pool on label %s: fitted on %d jobs before "
          + "%s, tested on the %d after%n", label, fitJobs, split, testJobs));
      out.append(String.format("fit: at most %d jobs at once, %d s from queued to runnable%n",
          fit.cap(), fit.overheadSeconds()));
      out.append(String.format("%-28s %8s %8s %8s%n", "", "p50", "p90", "p99"));
      out.append(row("fit window observed", fitObserved));
      out.append(row("fit window model", fitPredicted));
      out.append(row("test window observed", observed));
      out.append(row("test window predicted", predicted));
      double[] e = errors();
      out.append(String.format("%-28s %7.0f%% %7.0f%% %7.0f%%%n", "prediction error", e[0] * 100,
          e[1] * 100, e[2] * 100));
      return out.toString();
    }

    private static String row(String name, long[] v) {
      return String.format("%-28s %7ds %7ds %7ds%n", name, v[0], v[1], v[2]);
    }
  }

  public static Outcome run(List<TraceJob> trace, String label, Instant split) {
    List<TraceJob> jobs = trace.stream().filter(j -> j.labels().contains(label))
        .filter(j -> j.observedWaitSeconds() != null).toList();
    if (jobs.size() < 20) {
      throw new IllegalArgumentException("the trace has " + jobs.size() + " jobs labelled " + label
          + " with an observed wait; calibration needs at least 20");
    }
    Instant at = split != null ? split : jobs.getFirst().queuedAt().plus(
        Duration.between(jobs.getFirst().queuedAt(), jobs.getLast().queuedAt()).dividedBy(2));
    List<TraceJob> fitJobs = jobs.stream().filter(j -> j.queuedAt().isBefore(at)).toList();
    int testCount = jobs.size() - fitJobs.size();
    if (fitJobs.isEmpty() || testCount == 0) {
      throw new IllegalArgumentException("the split " + at + " leaves a window without jobs");
    }
    long[] fitObserved = percentiles(fitJobs.stream().map(TraceJob::observedWaitSeconds).toList());
    Fit best = null;
    double bestLoss = Double.MAX_VALUE;
    for (int cap = 1; cap <= MAX_CAP; cap++) {
      for (long overhead = 0; overhead <= MAX_OVERHEAD; overhead += OVERHEAD_STEP) {
        double loss = loss(fitObserved, percentiles(replay(fitJobs, cap, overhead)));
        if (loss < bestLoss - 1e-9) {
          bestLoss = loss;
          best = new Fit(cap, overhead);
        }
      }
    }
    List<Long> all = replay(jobs, best.cap(), best.overheadSeconds());
    List<Long> testPredicted = new ArrayList<>();
    List<Long> testObserved = new ArrayList<>();
    for (int i = 0; i < jobs.size(); i++) {
      if (!jobs.get(i).queuedAt().isBefore(at)) {
        testPredicted.add(all.get(i));
        testObserved.add(jobs.get(i).observedWaitSeconds());
      }
    }
    return new Outcome(label, at, fitJobs.size(), testCount, best, fitObserved,
        percentiles(replay(fitJobs, best.cap(), best.overheadSeconds())),
        percentiles(testObserved), percentiles(testPredicted));
  }

  /** The model's wait of each job (in the given order, which is queue order). */
  static List<Long> replay(List<TraceJob> jobs, int cap, long overhead) {
    PriorityQueue<Long> free = new PriorityQueue<>();
    List<Long> waits = new ArrayList<>(jobs.size());
    for (TraceJob job : jobs) {
      long queued = job.queuedAt().getEpochSecond();
      long runnable = queued + overhead;
      long start = free.size() < cap ? runnable : Math.max(runnable, free.poll());
      free.add(start + job.durationSeconds());
      waits.add(start - queued);
    }
    return waits;
  }

  private static double loss(long[] observed, long[] predicted) {
    double loss = 0;
    for (int i = 0; i < observed.length; i++) {
      loss += Math.abs(Math.log((predicted[i] + 1.0) / (observed[i] + 1.0)));
    }
    return loss;
  }

  static long[] percentiles(List<Long> values) {
    Waits waits = new Waits();
    values.forEach(waits::record);
    long[] out = new long[PERCENTILES.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = waits.percentile(PERCENTILES[i]);
    }
    return out;
  }
}
