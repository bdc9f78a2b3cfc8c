package dev.spotrunner.common.testing.github;

/**
 * Reaches the stand-in's package-private runner removal, which GitHub does itself when an
 * ephemeral runner finishes its job. Lives in the local module until the stand-in offers it
 * publicly (named in the local stack's report).
 */
public final class StandInAccess {
  private StandInAccess() {}

  public static boolean removeRunner(GitHubStandIn standIn, long runnerId) {
    return standIn.removeRunner(runnerId);
  }
}
