package dev.spotrunner.runners.scaledown;

import dev.spotrunner.common.job.JobId;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.runners.launch.LaunchRequest;
import dev.spotrunner.runners.launch.LaunchResult;
import dev.spotrunner.runners.launch.RunnerLauncher;
import dev.spotrunner.runners.launch.RunnerSlot;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.List;

/**
 * Warm runners and rescued jobs launched directly through {@link RunnerLauncher}: warm slots are
 * bound to no job, rescue slots to the stranded job; both are keyed on the schedule tick (the
 * minute), so a retried invocation of the same tick never launches twice. The deployed scale-down
 * does not use it — only scale-up launches, scale-down asks through {@link QueuedLaunches} — it
 * remains for the simulator and for tests that drive scale-down alone.
 */
public final class LaunchedWarmRunners implements WarmLauncher, RescueLauncher {
  private final RunnerLauncher launcher;
  private final Clock clock;

  public LaunchedWarmRunners(RunnerLauncher launcher, Clock clock) {
    this.launcher = launcher;
    this.clock = clock;
  }

  @Override
  public int launch(RunnerOwner owner, int count) {
    String tick = "warm-" + clock.instant().truncatedTo(ChronoUnit.MINUTES).getEpochSecond();
    LaunchResult result = launcher.launch(new LaunchRequest(owner, null,
        Collections.nCopies(count, RunnerSlot.warm()), tick));
    return result.launched().size();
  }

  @Override
  public boolean launch(RunnerOwner owner, String ownerType, JobId jobId, String repository) {
    String tick = "rescue-" + clock.instant().truncatedTo(ChronoUnit.MINUTES).getEpochSecond();
    LaunchResult result = launcher.launch(new LaunchRequest(owner, ownerType,
        List.of(RunnerSlot.forJob(jobId, repository)), tick));
    return !result.launched().isEmpty();
  }
}
