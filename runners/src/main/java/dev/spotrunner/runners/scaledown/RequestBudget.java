package dev.spotrunner.runners.scaledown;

import dev.spotrunner.common.github.GitHubRunners;
import dev.spotrunner.common.job.RunnerOwner;
import java.time.Clock;

/**
 * GitHub's secondary rate limit in points: a GET costs {@value #GET}, a DELETE {@value #DELETE},
 * and an installation may spend {@value #POINTS_PER_MINUTE} per minute. Scale-down reserves the
 * points of a whole step (read, then delete) before taking it; a step that does not fit waits for
 * the next cycle, so the budget is never exceeded.
 */
public interface RequestBudget {
  int GET = 1;
  int DELETE = 5;
  int POINTS_PER_MINUTE = 900;

  /** Reserves {@code points} for calls as the installation covering {@code owner}; false if over. */
  boolean tryReserve(RunnerOwner owner, int points);

  /** A budget without limit, for tests of everything else. */
  static RequestBudget unlimited() {
    return (owner, points) -> true;
  }

  /**
   * The production budget: what the GitHub adapter's request governor says the installation has
   * left this minute (it sees every call of this container, pages and lookups included), and
   * scale-down's own atomic window, so lanes of one installation never reserve the same points.
   */
  static RequestBudget governedBy(GitHubRunners github, Clock clock) {
    PointsPerMinute own = new PointsPerMinute(POINTS_PER_MINUTE, clock);
    return (owner, points) -> github.pointsLeft(owner) >= points && own.tryReserve(owner, points);
  }
}
