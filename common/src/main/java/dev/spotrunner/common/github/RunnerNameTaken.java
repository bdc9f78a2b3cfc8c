package dev.spotrunner.common.github;

import dev.spotrunner.common.PermanentFailure;
import dev.spotrunner.common.job.RunnerOwner;

/**
 * GitHub answered 409 to generate-jitconfig: a runner of that name exists. Sending the same
 * request again cannot work; the caller decides whether the runner is a ghost of its own (a JIT
 * call whose answer was lost after GitHub registered it) to remove, or picks another name.
 */
public final class RunnerNameTaken extends PermanentFailure {
  private final RunnerOwner owner;
  private final String runnerName;

  public RunnerNameTaken(RunnerOwner owner, String runnerName) {
    super("a runner named " + runnerName + " already exists on " + owner + " (409)");
    this.owner = owner;
    this.runnerName = runnerName;
  }

  public RunnerOwner owner() {
    return owner;
  }

  public String runnerName() {
    return runnerName;
  }
}
