package dev.spotrunner.runners.scaledown;

import dev.spotrunner.common.job.JobId;
import dev.spotrunner.common.job.RunnerOwner;

/**
 * What scale-down asks of scale-up, the one function that launches: it never launches itself, so
 * the pool's maximum, the launch lock, the ClientToken and the backoff hold for every runner. The
 * deployed asks go on the pool's queue ({@link QueuedLaunches}).
 */
public interface LaunchAsks {
  /** Up to {@code count} idle runners registering with {@code owner}, for a warm window. */
  void warm(RunnerOwner owner, int count);

  /**
   * One runner for {@code jobId} of {@code repository}, whose instance spot took away: scale-up
   * asks GitHub whether the job (or the job its runner displaced) still waits, and launches.
   */
  void rescue(JobId jobId, RunnerOwner repository, String ownerType);
}
