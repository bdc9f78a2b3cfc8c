package dev.spotrunner.runners.scaledown;

import dev.spotrunner.common.job.JobId;
import dev.spotrunner.common.job.RunnerOwner;

/** Asks that go nowhere: for tests and benchmarks of scale-down's removals alone. */
public final class NoAsks implements LaunchAsks {
  @Override
  public void warm(RunnerOwner owner, int count) {}

  @Override
  public void rescue(JobId jobId, RunnerOwner repository, String ownerType) {}
}
