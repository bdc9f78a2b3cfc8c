package dev.spotrunner.common.github;

import dev.spotrunner.common.PermanentFailure;
import dev.spotrunner.common.job.RunnerOwner;

/** GitHub answered 404 to the App's installation lookup: the App is not installed on the owner. */
public final class NotInstalled extends PermanentFailure {
  public NotInstalled(RunnerOwner owner) {
    super("the GitHub App is not installed on " + owner);
  }
}
