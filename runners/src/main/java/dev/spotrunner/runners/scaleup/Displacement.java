package dev.spotrunner.runners.scaleup;

import static dev.spotrunner.common.log.Log.entry;

import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.github.GitHubRunners;
import dev.spotrunner.common.github.WorkflowJob;
import dev.spotrunner.common.job.JobId;
import dev.spotrunner.common.job.JobMessage;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.common.log.Log;
import dev.spotrunner.runners.pool.PoolSettings;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * GitHub gives a queued job to any idle runner whose labels fit, so the runner launched for job a
 * may have taken the stranded job b, the runner launched for c may have taken a, and so on: the job
 * at the end of that chain lost its runner when b's instance was reclaimed. Follows the chain from
 * the runner that took the stranded job, one GET per hop, to the first job in it that still waits.
 */
final class Displacement {
  private static final Log log = Log.of(Displacement.class);
  /** How many runners one rescue follows (each costs a GET). */
  static final int MAX_HOPS = 6;

  private final GitHubRunners github;
  private final PoolSettings pool;

  Displacement(GitHubRunners github, PoolSettings pool) {
    this.github = github;
    this.pool = pool;
  }

  /**
   * The job displaced by {@code taken}'s runner, as the message to launch for (the rescue's
   * delivery id and receivedAt); empty when the chain ends without a waiting job. GitHub's
   * failures propagate.
   */
  Optional<JobMessage> follow(WorkflowJob taken, JobMessage rescue,
      List<RunnerInstance> instances) {
    Set<JobId> seen = new HashSet<>();
    seen.add(rescue.jobId());
    WorkflowJob current = taken;
    for (int hop = 0; hop < MAX_HOPS; hop++) {
      Optional<Host> host = host(current, instances);
      if (host.isEmpty() || !seen.add(host.get().job())) {
        return Optional.empty();
      }
      Optional<WorkflowJob> job = github.job(host.get().repository(), host.get().job());
      if (job.isEmpty()) {
        return Optional.empty();
      }
      if (job.get().queued()) {
        log.info("job displaced by a stranded job's runner",
            entry("job_id", host.get().job().value()),
            entry("stranded_job_id", rescue.jobId().value()), entry("hops", hop + 1));
        RunnerOwner repository = host.get().repository();
        return Optional.of(new JobMessage(host.get().job(), 0, repository.toString(),
            repository.login(), host.get().ownerType(), 0, pool.labels(), pool.poolName(),
            rescue.deliveryId(), rescue.receivedAt()));
      }
      current = job.get();
    }
    return Optional.empty();
  }

  /** The live instance whose runner took a job, and the job it was launched for. */
  private record Host(JobId job, RunnerOwner repository, String ownerType) {}

  /**
   * The instance of the runner that took {@code taken}, when it is live, was launched for another
   * job of a repository, and is that job's only live instance; empty otherwise.
   */
  private static Optional<Host> host(WorkflowJob taken, List<RunnerInstance> instances) {
    InstanceId runnerInstance = InstanceId.findIn(taken.runnerName());
    RunnerInstance host = runnerInstance == null ? null : instances.stream()
        .filter(i -> i.id().equals(runnerInstance)).findFirst().orElse(null);
    JobId job = host == null ? null : JobId.parse(host.tag(Tags.JOB_ID));
    if (job == null || job.value() == taken.id()) {
      return Optional.empty();
    }
    boolean hasAnother = instances.stream().anyMatch(
        i -> !i.id().equals(runnerInstance) && job.equals(JobId.parse(i.tag(Tags.JOB_ID))));
    String repository = host.tag(Tags.REPOSITORY);
    if (hasAnother || repository == null) {
      return Optional.empty();
    }
    try {
      RunnerOwner repo = RunnerOwner.parse(repository.trim());
      return repo.isRepository()
          ? Optional.of(new Host(job, repo, host.tag(Tags.OWNER_TYPE))) : Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
