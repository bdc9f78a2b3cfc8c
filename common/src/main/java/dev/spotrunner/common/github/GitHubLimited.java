package dev.spotrunner.common.github;

import dev.spotrunner.common.TransientFailure;

/**
 * A call that did not reach GitHub, or was refused by it, because the installation's budget is
 * spent or GitHub rate limited it ({@code retry-after}, a secondary-limit 403/429, nothing
 * remaining) for longer than the call may wait. Another App's installation may still have points.
 */
public final class GitHubLimited extends TransientFailure {
  public GitHubLimited(String message) {
    super(message);
  }
}
