package dev.spotrunner.runners.launch;

import dev.spotrunner.common.job.JobId;

/**
 * One runner to launch: bound to a workflow job (a job message, or a rescue of a job whose
 * instance spot took away) or not (a warm runner).
 *
 * @param jobId the job the runner is launched for, or null for a warm runner
 * @param repository the job's repository as {@code owner/name}, tagged so the job can be looked up
 *     later; null for a warm runner
 */
public record RunnerSlot(JobId jobId, String repository) {
  public static RunnerSlot forJob(JobId jobId, String repository) {
    return new RunnerSlot(java.util.Objects.requireNonNull(jobId, "jobId"), repository);
  }

  public static RunnerSlot forJob(JobId jobId) {
    return forJob(jobId, null);
  }

  public static RunnerSlot warm() {
    return new RunnerSlot(null, null);
  }

  public boolean boundToJob() {
    return jobId != null;
  }
}
