package dev.spotrunner.runners.launch;

/**
 * One runner to launch: bound to a workflow job (scale-up) or not (a warm runner from scale-down).
 *
 * @param jobId the job the runner is launched for, or null for a warm runner
 */
public record RunnerSlot(Long jobId) {
  public RunnerSlot {
    if (jobId != null && jobId <= 0) {
      throw new IllegalArgumentException("jobId must be positive, got " + jobId);
    }
  }

  public static RunnerSlot forJob(long jobId) {
    return new RunnerSlot(jobId);
  }

  public static RunnerSlot warm() {
    return new RunnerSlot(null);
  }

  public boolean boundToJob() {
    return jobId != null;
  }
}
