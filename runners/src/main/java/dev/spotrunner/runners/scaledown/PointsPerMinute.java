package dev.spotrunner.runners.scaledown;

import dev.spotrunner.common.job.RunnerOwner;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * A sliding one-minute window of points per installation. One installation covers one account, so
 * the window is keyed by the owner's login ({@code acme} and {@code acme/api} share one).
 */
public final class PointsPerMinute implements RequestBudget {
  private static final Duration WINDOW = Duration.ofMinutes(1);

  private record Spent(Instant at, int points) {}

  private final int limit;
  private final Clock clock;
  private final Map<String, Deque<Spent>> spent = new HashMap<>();

  public PointsPerMinute(int limit, Clock clock) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive, got " + limit);
    }
    this.limit = limit;
    this.clock = clock;
  }

  @Override
  public synchronized boolean tryReserve(RunnerOwner owner, int points) {
    Instant now = clock.instant();
    Deque<Spent> window = spent.computeIfAbsent(owner.login(), k -> new ArrayDeque<>());
    while (!window.isEmpty() && !window.peekFirst().at().isAfter(now.minus(WINDOW))) {
      window.removeFirst();
    }
    int used = window.stream().mapToInt(Spent::points).sum();
    if (used + points > limit) {
      return false;
    }
    window.addLast(new Spent(now, points));
    return true;
  }

  /** Points spent in the last minute for the owner's installation. */
  public synchronized int spent(RunnerOwner owner) {
    Instant now = clock.instant();
    return spent.getOrDefault(owner.login(), new ArrayDeque<>()).stream()
        .filter(s -> s.at().isAfter(now.minus(WINDOW))).mapToInt(Spent::points).sum();
  }
}
