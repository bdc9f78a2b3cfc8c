package dev.spotrunner.runners.launch;

/**
 * One runner to launch: bound to a workflow job (scale-up, or scale-down rescuing a job whose
 * instance spot took away) or not (a warm runner from scale-down).
 *
 * @param jobId the job the runner is launched for, or null for a warm runner
 * @param repository the job's repository as {@code owner/name}, tagged so the job can be looked up
 *     later; null for a warm runner
 */
public record RunnerSlot(Long jobId, String repository) {
  public RunnerSlot {
    if (jobId != null && jobId <= 0) {
      throw new IllegalArgumentException("jobId must be positive, got " + jobId);
    }
  }

  public RunnerSlot(Long jobId) {
    this(jobId, null);
  }

  public static RunnerSlot forJob(long jobId) {
    return new RunnerSlot(jobId, null);
  }

  public static RunnerSlot forJob(long jobId, String repository) {
    return new RunnerSlot(jobId, repository);
  }

  public static RunnerSlot warm() {
    return new RunnerSlot(null, null);
  }

  public boolean boundToJob() {
    return jobId != null;
  }
}
