package dev.spotrunner.runners.interruption;

import static dev.spotrunner.common.log.Log.entry;

import dev.spotrunner.common.PermanentFailure;
import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.github.GitHubRunners;
import dev.spotrunner.common.github.GitHubRunners.JobOutcome;
import dev.spotrunner.common.github.GitHubRunners.RerunAnswer;
import dev.spotrunner.common.job.JobId;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.common.log.Log;
import dev.spotrunner.common.parameters.Parameters;
import dev.spotrunner.runners.interruption.InterruptionMetrics.Count;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Follows the recorded interrupted jobs (SSM, {@link InterruptedJob}) and re-runs each once GitHub
 * reports it completed with conclusion {@code failure} — only when the runner GitHub gave it is the
 * one whose instance spot took, so a job that failed on its own, or ran elsewhere, is never re-run.
 * A job gets at most the pool's {@code max_reruns} re-runs (counted in SSM at
 * {@code .../<pool>/runs/<run-id>-<name hash>}: re-runs get new job ids, never a new run or name). Every invocation spends at most the configured points (a job
 * check 1, a re-run 5) and never more than the installation has left; the rest waits for the next.
 */
public final class Reruns {
  private static final Log log = Log.of(Reruns.class);

  private final InterruptionSettings settings;
  private final GitHubRunners github;
  private final Parameters parameters;
  private final Instances instances;
  private final InterruptionMetrics metrics;
  private final Clock clock;

  public Reruns(InterruptionSettings settings, GitHubRunners github, Parameters parameters,
      Instances instances, InterruptionMetrics metrics, Clock clock) {
    this.settings = settings;
    this.github = github;
    this.instances = instances;
    this.parameters = parameters;
    this.metrics = metrics;
    this.clock = clock;
  }

  /** One pass over the followed jobs, oldest interruption first; returns the jobs re-run. */
  public int run() {
    List<InterruptedJob> followed = new ArrayList<>();
    Instant now = clock.instant();
    for (String name : parameters.namesUnder(InterruptedJob.root(settings.environment()))) {
      if (name.contains("/runs/")) {
        forgetOldRun(name, now);
        continue;
      }
      if (!name.contains("/jobs/")) {
        continue;
      }
      parameters.getFresh(name).ifPresent(json -> {
        try {
          followed.add(InterruptedJob.parse(json));
        } catch (IllegalArgumentException e) {
          log.warn("interrupted job record malformed, removed", entry("parameter", name),
              entry("failure", e.getMessage()));
          parameters.delete(name);
        }
      });
    }
    followed.sort(Comparator.comparing(InterruptedJob::interruptedAt));
    int points = settings.maxPoints();
    int rerun = 0;
    for (InterruptedJob recorded : followed) {
      if (recorded.interruptedAt().plus(settings.watch()).isBefore(now)) {
        forget(recorded, Count.RERUNS_EXPIRED, "not completed within the watch");
        continue;
      }
      InterruptedJob job;
      try {
        job = theJobItsRunnerTook(recorded);
      } catch (TransientFailure e) {
        log.warn("interrupted job not checked now", entry("job_id", recorded.jobId().value()),
            Log.error(e));
        break;
      }
      RunnerOwner repository = RunnerOwner.parse(job.repository());
      int cost = InterruptionSettings.GET_POINTS + InterruptionSettings.POST_POINTS;
      if (points < cost || github.pointsLeft(repository) < cost) {
        log.info("re-run checks deferred to the next invocation", entry("points_left", points),
            entry("job_id", job.jobId().value()));
        break;
      }
      points -= InterruptionSettings.GET_POINTS;
      try {
        Optional<JobOutcome> outcome = github.jobOutcome(repository, job.jobId().value());
        if (outcome.isEmpty()) {
          forget(job, Count.RERUNS_NOT_NEEDED, "GitHub does not know the job");
        } else if (outcome.get().completed()) {
          if (decide(job, repository, outcome.get())) {
            points -= InterruptionSettings.POST_POINTS;
            rerun++;
          }
        }
      } catch (TransientFailure e) {
        log.warn("interrupted job not checked now", entry("job_id", job.jobId().value()), Log.error(e));
        break;
      } catch (PermanentFailure e) {
        // 403/404 on the repository: the App lost access, the job cannot be re-run by us
        forget(job, Count.RERUNS_NOT_NEEDED, "GitHub refused: " + e.getMessage());
      }
    }
    return rerun;
  }

  /**
   * The record as the instance's tags tell it now: GitHub gives a runner any queued job whose labels
   * fit, and the webhook's job start (tagged by scale-up as {@link Tags#RUNNING_JOB}) may arrive
   * after the warning recorded the job the instance was launched for. A record naming another job
   * than the tag is moved to the tagged one (its SSM parameter renamed). EC2 describes a terminated
   * instance for about an hour; after that, or without the tag, the record stays as it is.
   */
  private InterruptedJob theJobItsRunnerTook(InterruptedJob job) {
    Optional<InstanceFacts> instance = instances.describe(job.instance());
    JobId running = instance.map(i -> JobId.parse(i.tag(Tags.RUNNING_JOB))).orElse(null);
    String repository = instance.map(i -> i.tag(Tags.RUNNING_REPOSITORY)).orElse(null);
    if (running == null || repository == null || running.equals(job.jobId())) {
      return job;
    }
    InterruptedJob moved = new InterruptedJob(job.pool(), repository, running, job.runnerName(),
        job.instance(), job.interruptedAt());
    parameters.putSecure(InterruptedJob.parameter(settings.environment(), moved.pool(),
        moved.jobId()), moved.toJson());
    parameters.delete(InterruptedJob.parameter(settings.environment(), job.pool(), job.jobId()));
    log.info("interrupted job is the one its runner took", entry("pool", job.pool()),
        entry("job_id", running.value()), entry("launched_for", job.jobId().value()),
        entry("instance_id", job.instance()), entry("repository", repository));
    return moved;
  }

  /** Re-runs a completed job when it failed because spot took its runner; true when asked. */
  private boolean decide(InterruptedJob job, RunnerOwner repository, JobOutcome outcome) {
    if (!job.runnerName().equals(outcome.runnerName())) {
      forget(job, Count.RERUNS_NOT_NEEDED, "the job ran on another runner");
      return false;
    }
    if (!"failure".equals(outcome.conclusion())) {
      // it finished inside the two minutes, or was cancelled: nothing spot broke
      forget(job, Count.RERUNS_NOT_NEEDED, "conclusion " + outcome.conclusion());
      return false;
    }
    PoolRules rules = settings.rules(job.pool());
    String runParameter = InterruptedJob.runParameter(settings.environment(), job.pool(),
        outcome.runId(), outcome.name());
    int done = parameters.getFresh(runParameter).map(Reruns::count).orElse(0);
    if (done >= rules.maxReruns()) {
      forget(job, Count.RERUNS_AT_LIMIT, "job re-run " + done + " times already");
      return false;
    }
    RerunAnswer answer = github.rerunJob(repository, job.jobId().value());
    if (answer == RerunAnswer.REFUSED) {
      // GitHub re-runs a job only once its whole run completed: asked again next time
      log.info("re-run refused for now", entry("job_id", job.jobId().value()),
          entry("run_id", outcome.runId()));
      return true;
    }
    parameters.putSecure(runParameter, (done + 1) + " " + clock.instant());
    parameters.delete(InterruptedJob.parameter(settings.environment(), job.pool(), job.jobId()));
    metrics.count(Count.JOBS_RERUN, job.pool(), job.jobId().toString());
    log.info("interrupted job re-run", entry("pool", job.pool()), entry("job_id", job.jobId().value()),
        entry("run_id", outcome.runId()), entry("repository", job.repository()),
        entry("rerun", done + 1), entry("max_reruns", rules.maxReruns()));
    return true;
  }

  /** A run counter is {@code "<re-runs> <time of the last>"}. */
  private static int count(String value) {
    return Integer.parseInt(value.split(" ")[0]);
  }

  /**
   * A run's counter outlives its jobs by the watch: a re-run interrupted again is recorded within
   * it. Older counters are deleted so the account's parameters do not pile up.
   */
  private void forgetOldRun(String name, Instant now) {
    parameters.getFresh(name).ifPresent(value -> {
      String[] parts = value.split(" ");
      Instant last;
      try {
        last = Instant.parse(parts[1]);
      } catch (RuntimeException e) {
        last = Instant.EPOCH; // unreadable: nothing to keep it for
      }
      if (last.plus(settings.watch()).isBefore(now)) {
        parameters.delete(name);
      }
    });
  }

  private void forget(InterruptedJob job, Count count, String why) {
    parameters.delete(InterruptedJob.parameter(settings.environment(), job.pool(), job.jobId()));
    metrics.count(count, job.pool(), job.jobId().toString());
    log.info("interrupted job no longer followed", entry("pool", job.pool()),
        entry("job_id", job.jobId().value()), entry("reason", why));
  }
}
