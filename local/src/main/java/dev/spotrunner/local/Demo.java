package dev.spotrunner.local;

import dev.spotrunner.local.agent.RunnerAgent;
import dev.spotrunner.local.github.GitHubHost;
import dev.spotrunner.local.lambda.FunctionPool;
import dev.spotrunner.local.lambda.LambdaProcess;
import dev.spotrunner.local.stack.Deployment;
import dev.spotrunner.local.stack.LocalStack;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * A burst of jobs with mixed labels and run times through the running stack, a live view while
 * they run, and a summary: each job's wait, peak instances, instance-minutes, the fleet back at zero.
 */
public final class Demo {
  /** A job to queue: which repository, its runs-on labels, how long it runs. */
  public record Planned(String repository, List<String> labels, Duration runTime) {}

  /**
   * How the demo went; {@link #passed()} decides the exit code. {@code reclaimsAsked} machines spot
   * reclaimed mid-job ({@code --reclaim}): {@code reclaimed} happened, {@code rerun} of their jobs
   * were re-run and {@code rerunsSucceeded} of those completed; {@code failedUnrecovered} jobs ended
   * without success and without a successful re-run; {@code runnersLeft} runners are still
   * registered at GitHub with no instance (ghosts).
   */
  public record Summary(int jobs, int completed, List<Duration> waits, int peakInstances, double instanceMinutes,
      int instancesLeft, int interruptedJobs, Duration took, int reclaimsAsked, int reclaimed, int rerun,
      int rerunsSucceeded, int failedUnrecovered, int runnersLeft) {
    public boolean passed() {
      return completed == jobs && instancesLeft == 0 && interruptedJobs == 0 && reclaimed == reclaimsAsked
          && rerun == reclaimed && rerunsSucceeded == reclaimed && failedUnrecovered == 0 && runnersLeft == 0;
    }
  }

  private final LocalStack stack;
  private final PrintStream out;

  public Demo(LocalStack stack, PrintStream out) {
    this.stack = stack;
    this.out = out;
  }

  /** Jobs spread over the pools' label sets, run times between 5 and 20 s. */
  public static List<Planned> burst(Deployment deployment, int count, long seed) {
    Random random = new Random(seed);
    List<List<String>> labelSets = new ArrayList<>();
    for (Deployment.Pool pool : deployment.pools()) {
      labelSets.add(deployment.jobLabels(pool));
    }
    List<String> repositories = List.of("acme/api", "acme/web", "acme/infra");
    List<Planned> jobs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      jobs.add(new Planned(repositories.get(i % repositories.size()), labelSets.get(i % labelSets.size()),
          Duration.ofSeconds(5 + random.nextInt(16))));
    }
    return jobs;
  }

  public Summary run(List<Planned> planned, Duration limit) {
    return run(planned, limit, 0);
  }

  /** Spot first reclaims {@code reclaims} busy machines at once, then the jobs run. */
  public Summary run(List<Planned> planned, Duration limit, int reclaims) {
    Instant started = Instant.now();
    ReclaimWatch watch = new ReclaimWatch(stack, out, reclaims, started);
    GitHubHost github = stack.github();
    List<Long> ids = new ArrayList<>();
    if (reclaims > 0) {
      ids.addAll(watch.reclaimAtOnce(started.plus(limit)));
    }
    for (Planned job : planned) {
      ids.add(github.queueJob(job.repository(), job.labels(), job.runTime()));
    }
    out.printf(Locale.ROOT, "queued %d jobs through %s%n", ids.size(), stack.webhookUrl());
    Instant deadline = started.plus(limit);
    while (Instant.now().isBefore(deadline)) {
      sleep(Duration.ofSeconds(2));
      out.println(liveLine(ids, started));
      watch.report();
      if (completed(ids) == ids.size() && watch.settled() && instancesInAws() == 0 && runnersAtGitHub() == 0) {
        break;
      }
    }
    Summary summary = summarise(ids, started, watch);
    print(summary, ids);
    return summary;
  }

  private String liveLine(List<Long> ids, Instant started) {
    GitHubHost github = stack.github();
    long queued = 0;
    long running = 0;
    long done = 0;
    for (long id : ids) {
      String status = github.job(id).map(GitHubHost.JobView::status).orElse("?");
      switch (status) {
        case "queued" -> queued++;
        case "in_progress" -> running++;
        case "completed" -> done++;
        default -> { }
      }
    }
    Map<RunnerAgent.State, Long> states = stack.agents().states();
    long terminated = stack.agents().reports().size() - stack.agents().aliveCount();
    return String.format(Locale.ROOT,
        "%4ds | jobs queued %2d running %2d done %2d | instances booting %2d running %2d terminated %2d | runners idle %2d busy %2d",
        Duration.between(started, Instant.now()).toSeconds(), queued, running, done,
        states.getOrDefault(RunnerAgent.State.BOOTING, 0L) + states.getOrDefault(RunnerAgent.State.CONFIGURING, 0L),
        stack.agents().aliveCount(), Math.max(0, terminated),
        states.getOrDefault(RunnerAgent.State.IDLE, 0L), states.getOrDefault(RunnerAgent.State.BUSY, 0L));
  }

  private long completed(List<Long> ids) {
    return ids.stream().filter(id -> stack.github().job(id).map(j -> "completed".equals(j.status())).orElse(false))
        .count();
  }

  /** Runners still registered at GitHub (the stand-in); with the fleet at zero each is a ghost. */
  public int runnersAtGitHub() {
    return stack.github().runners().size();
  }

  /** Pending or running instances of this environment, asked of EC2 itself. */
  public int instancesInAws() {
    return stack.aws().ec2.describeInstancesPaginator(r -> r.filters(
            f -> f.name("instance-state-name").values("pending", "running"),
            f -> f.name("tag:spotrunner:environment").values(stack.options().prefix())))
        .reservations().stream().mapToInt(r -> r.instances().size()).sum();
  }

  private Summary summarise(List<Long> ids, Instant started, ReclaimWatch watch) {
    List<Duration> waits = new ArrayList<>();
    int completed = 0;
    for (long id : ids) {
      GitHubHost.JobView job = stack.github().job(id).orElseThrow();
      if (job.startedAt() != null) {
        waits.add(Duration.between(job.createdAt(), job.startedAt()));
      }
      if ("completed".equals(job.status())) {
        completed++;
      }
    }
    int interrupted = stack.agents().reports().stream().mapToInt(r -> r.interruptedJobs().size()).sum();
    java.util.Set<Long> reclaimed = watch.reclaimedJobs();
    int failedUnrecovered = (int) ids.stream().filter(id -> !reclaimed.contains(id))
        .filter(id -> stack.github().job(id).map(j -> !"success".equals(j.conclusion())).orElse(true)).count()
        + (reclaimed.size() - watch.rerunsCompleted());
    Instant now = Instant.now();
    return new Summary(ids.size(), completed, waits, stack.agents().peakInstances(),
        stack.agents().instanceTime(now).toMillis() / 60_000.0, instancesInAws(), interrupted,
        Duration.between(started, now), watch.machines(), watch.reclaimed(), watch.rerun(), watch.rerunsCompleted(),
        failedUnrecovered, runnersAtGitHub());
  }

  private void print(Summary summary, List<Long> ids) {
    out.println();
    out.println("job        wait   status");
    for (long id : ids) {
      GitHubHost.JobView job = stack.github().job(id).orElseThrow();
      String wait = job.startedAt() == null ? "-" : Duration.between(job.createdAt(), job.startedAt()).toSeconds() + " s";
      out.printf(Locale.ROOT, "%-10d %6s  %s %s%n", id, wait, job.status(), job.labels());
    }
    List<Duration> sorted = summary.waits().stream().sorted().toList();
    out.println();
    out.printf(Locale.ROOT, "jobs completed    %d / %d%n", summary.completed(), summary.jobs());
    if (!sorted.isEmpty()) {
      out.printf(Locale.ROOT, "wait (queued → in progress)  median %d s, max %d s%n",
          sorted.get(sorted.size() / 2).toSeconds(), sorted.getLast().toSeconds());
    }
    if (summary.reclaimsAsked() > 0) {
      out.printf(Locale.ROOT, "spot reclaims     %d of %d asked, jobs re-run %d, re-runs succeeded %d%n",
          summary.reclaimed(), summary.reclaimsAsked(), summary.rerun(), summary.rerunsSucceeded());
    }
    out.printf(Locale.ROOT, "jobs not recovered %d%n", summary.failedUnrecovered());
    out.printf(Locale.ROOT, "peak instances    %d%n", summary.peakInstances());
    out.printf(Locale.ROOT, "instance-minutes  %.1f%n", summary.instanceMinutes());
    out.printf(Locale.ROOT, "instances left    %d%s%n", summary.instancesLeft(),
        summary.instancesLeft() == 0 ? " (fleet back at zero)" : "");
    out.printf(Locale.ROOT, "runners left      %d at GitHub%s%n", summary.runnersLeft(),
        summary.runnersLeft() == 0 ? " (no ghost)" : " (ghosts: registered, no instance)");
    for (FunctionPool function : stack.functions()) {
      List<FunctionPool.Invocation> invocations = function.invocations();
      Duration longest = invocations.stream().map(i -> Duration.between(i.started(), i.ended()))
          .max(Duration::compareTo).orElse(Duration.ZERO);
      out.printf(Locale.ROOT, "invocations       %-32s %3d, longest %5d ms, at once max %d of %d, JVMs %d%n",
          function.spec().name(), invocations.size(), longest.toMillis(), function.peakConcurrency(),
          function.concurrency(), function.environments());
    }
    List<LambdaProcess.ColdStart> colds = stack.coldStarts();
    for (LambdaProcess.ColdStart cold : colds) {
      out.printf(Locale.ROOT, "cold start        %-32s init %5d ms, first invocation %5d ms%n", cold.function(),
          cold.init().toMillis(), cold.firstInvocation().toMillis());
    }
    if (!colds.isEmpty()) {
      // Honest context for the figures above: one JVM alone starts several times faster.
      out.printf(Locale.ROOT, "                  (all %d function JVMs started together on %d CPU cores;"
          + " the webhook's JVM alone: docs/webhook.md, Figures)%n", colds.size(),
          Runtime.getRuntime().availableProcessors());
    }
    out.printf(Locale.ROOT, "took              %d s%n", summary.took().toSeconds());
    out.println(summary.passed() ? "PASSED" : "FAILED");
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
