package dev.spotrunner.runners.scaledown;

import dev.spotrunner.common.job.RunnerOwner;

/** Launches idle runners for a warm window through scale-up's launch code. */
@FunctionalInterface
public interface WarmLauncher {
  /** Launches up to {@code count} runners registering with {@code owner}; returns how many started. */
  int launch(RunnerOwner owner, int count);
}
