package dev.spotrunner.runners.scaledown;

import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.runners.launch.LaunchRequest;
import dev.spotrunner.runners.launch.LaunchResult;
import dev.spotrunner.runners.launch.RunnerLauncher;
import dev.spotrunner.runners.launch.RunnerSlot;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Collections;

/**
 * Warm runners through scale-up's {@link RunnerLauncher}: slots bound to no job, keyed on the
 * schedule tick (the minute), so a retried invocation of the same tick never launches twice.
 */
public final class LaunchedWarmRunners implements WarmLauncher {
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
}
