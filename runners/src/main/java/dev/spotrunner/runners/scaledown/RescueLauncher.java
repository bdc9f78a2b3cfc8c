package dev.spotrunner.runners.scaledown;

import dev.spotrunner.common.job.JobId;
import dev.spotrunner.common.job.RunnerOwner;

/** Launches one runner bound to a job whose instance spot took away, through scale-up's launch code. */
@FunctionalInterface
public interface RescueLauncher {
  /**
   * Launches one runner registering with {@code owner} for {@code jobId} of {@code repository}
   * ({@code owner/name}); true when its instance started with a config.
   */
  boolean launch(RunnerOwner owner, String ownerType, JobId jobId, String repository);
}
