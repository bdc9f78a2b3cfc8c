package dev.spotrunner.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.json.Json;
import dev.spotrunner.local.agent.Reclaim;
import dev.spotrunner.local.github.GitHubHost;
import dev.spotrunner.local.stack.Deployment;
import dev.spotrunner.local.stack.LocalStack;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The demo's spot reclaims ({@code ./spotrunner demo --reclaim N}): has the runner agents reclaim N
 * busy machines with examples/local's notice and prints what happened to each — the machine
 * reclaimed, its job re-run by the interruption function, the new attempt completed.
 */
final class ReclaimWatch {
  private final LocalStack stack;
  private final PrintStream out;
  private final int machines;
  private final Instant started;
  private static final List<String> REPOSITORIES = List.of("acme/api", "acme/web", "acme/infra");
  private final Set<String> printed = new HashSet<>();

  ReclaimWatch(LocalStack stack, PrintStream out, int machines, Instant started) {
    this.stack = stack;
    this.out = out;
    this.machines = machines;
    this.started = started;
  }

  /**
   * The pools whose interrupted jobs the deployed interruption function re-runs (its
   * {@code INTERRUPTION_POOLS}); empty when the deployment has no interruption function.
   */
  static Set<String> rerunPools(Deployment deployment) {
    Set<String> pools = new HashSet<>();
    deployment.interruptions().ifPresent(function -> {
      try {
        JsonNode rules = Json.MAPPER.readTree(function.environment().getOrDefault("INTERRUPTION_POOLS", "{}"));
        rules.properties().forEach(e -> {
          if (e.getValue().path("rerun").asBoolean(false)) {
            pools.add(e.getKey());
          }
        });
      } catch (IOException e) {
        throw new IllegalStateException("INTERRUPTION_POOLS of " + function.name() + " is not JSON", e);
      }
    });
    return pools;
  }

  /**
   * Spot's reclaims, all at once: N jobs of the re-run pools that run the notice longer are queued
   * together and spot takes the first N machines that run one, mid-job. GitHub gives each queued job
   * to whichever fitting runner is idle first, so a machine's runner often runs another job than the
   * one it was launched for; the webhook's job start tells the interruption function which
   * (docs/interruptions.md, "Which job the machine ran"). Waits until every reclaimed job's re-run
   * completed; returns the jobs queued.
   */
  List<Long> reclaimAtOnce(Instant deadline) {
    Set<String> rerun = rerunPools(stack.deployment());
    List<List<String>> labels = stack.deployment().pools().stream().filter(p -> rerun.contains(p.name()))
        .map(stack.deployment()::jobLabels).toList();
    if (labels.isEmpty()) {
      throw new IllegalStateException("no pool of this deployment re-runs interrupted jobs"
          + " (spot_interruptions.pools.<pool>.rerun): a reclaimed job would stay failed");
    }
    Duration notice = stack.spotInterruptionNotice();
    out.printf(Locale.ROOT, "spot reclaims %d busy machines at once, each %d s after its interruption"
        + " warning (examples/local spot_interruption_notice_seconds; AWS gives 120 s)%n", machines, notice.toSeconds());
    stack.agents().reclaim(machines, notice);
    List<Long> jobs = new ArrayList<>();
    for (int i = 0; i < machines; i++) {
      long job = stack.github().queueJob(REPOSITORIES.get(i % REPOSITORIES.size()), labels.get(i % labels.size()),
          notice.plusSeconds(10));
      jobs.add(job);
      out.printf(Locale.ROOT, "%4ds | queued     job %d, %d s long%n", seconds(Instant.now()), job,
          notice.plusSeconds(10).toSeconds());
    }
    while (Instant.now().isBefore(deadline) && !settled()) {
      sleep(Duration.ofSeconds(2));
      report();
    }
    return jobs;
  }

  private boolean rerunCompleted(long job) {
    Long attempt = stack.github().reruns().get(job);
    return attempt != null && stack.github().job(attempt).map(j -> "completed".equals(j.status())).orElse(false);
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Prints what happened since the last call: reclaims, re-runs, re-runs completed. */
  void report() {
    GitHubHost github = stack.github();
    Map<Long, Long> reruns = github.reruns();
    for (Reclaim reclaim : stack.agents().reclaims()) {
      if (reclaim.terminatedAt() != null && printed.add("reclaimed " + reclaim.jobId())) {
        out.printf(Locale.ROOT, "%4ds | reclaimed  %s (%s, launched for job %s): job %d failed, warning at %d s,"
            + " terminated at %d s%n", seconds(Instant.now()), reclaim.instance().value(), reclaim.pool(),
            launchedFor(reclaim), reclaim.jobId(), seconds(reclaim.warnedAt()), seconds(reclaim.terminatedAt()));
      }
      Long attempt = reruns.get(reclaim.jobId());
      if (attempt != null && printed.add("rerun " + reclaim.jobId())) {
        out.printf(Locale.ROOT, "%4ds | re-run     job %d as job %d (interruption function, Actions API re-run)%n",
            seconds(Instant.now()), reclaim.jobId(), attempt);
      }
      if (attempt != null && github.job(attempt).map(j -> "completed".equals(j.status())).orElse(false)
          && printed.add("completed " + attempt)) {
        out.printf(Locale.ROOT, "%4ds | completed  job %d (re-run of %d): %s%n", seconds(Instant.now()), attempt,
            reclaim.jobId(), github.job(attempt).orElseThrow().conclusion());
      }
    }
  }

  /** The job-id tag of the reclaimed instance as EC2 (moto) describes it: the job it was launched for. */
  private String launchedFor(Reclaim reclaim) {
    return stack.aws().ec2.describeInstances(r -> r.instanceIds(reclaim.instance().value())).reservations()
        .stream().flatMap(r -> r.instances().stream()).flatMap(i -> i.tags().stream())
        .filter(t -> t.key().equals(dev.spotrunner.common.fleet.Tags.JOB_ID))
        .map(software.amazon.awssdk.services.ec2.model.Tag::value).findFirst().orElse("?");
  }

  int machines() {
    return machines;
  }

  /** Every reclaim happened and each reclaimed job's re-run completed. */
  boolean settled() {
    return stack.agents().reclaims().size() >= machines && rerunsCompleted() == stack.agents().reclaims().size();
  }

  int reclaimed() {
    return (int) stack.agents().reclaims().stream().filter(r -> r.terminatedAt() != null).count();
  }

  int rerun() {
    Map<Long, Long> reruns = stack.github().reruns();
    return (int) stack.agents().reclaims().stream().filter(r -> reruns.containsKey(r.jobId())).count();
  }

  /** Reclaimed jobs whose re-run completed successfully. */
  int rerunsCompleted() {
    Map<Long, Long> reruns = stack.github().reruns();
    return (int) stack.agents().reclaims().stream().map(r -> reruns.get(r.jobId()))
        .filter(id -> id != null && stack.github().job(id)
            .map(j -> "completed".equals(j.status()) && "success".equals(j.conclusion())).orElse(false))
        .count();
  }

  /** Jobs the machines were reclaimed from. */
  Set<Long> reclaimedJobs() {
    Set<Long> jobs = new HashSet<>();
    stack.agents().reclaims().forEach(r -> jobs.add(r.jobId()));
    return jobs;
  }

  private long seconds(Instant at) {
    return Duration.between(started, at).toSeconds();
  }
}
