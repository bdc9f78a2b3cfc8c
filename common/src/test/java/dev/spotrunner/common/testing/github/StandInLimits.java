package dev.spotrunner.common.testing.github;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counters, GitHub's secondary rate limit (points per window per caller, the window opening with
 * the caller's first request: GET 1, others 5)
 * and injected faults of the stand-in. A caller is {@code installation:<id>}, {@code app} or
 * {@code anonymous}.
 */
final class StandInLimits {
  /** What to answer instead of the real response, if anything. */
  record Verdict(int status, long retryAfterSeconds, String message) {}

  private final Clock clock;
  private final Map<String, Integer> endpointCalls = new TreeMap<>();
  private final Map<String, Integer> callerCalls = new TreeMap<>();
  private final Map<String, long[]> windows = new HashMap<>(); // caller -> {windowStart, points}
  private final Map<String, long[]> hours = new HashMap<>();   // caller -> {hourStart, requests}
  private final Deque<Integer> failNext = new ArrayDeque<>();
  private final Map<String, Deque<LostAnswer>> lost = new HashMap<>(); // endpoint -> answers to lose
  private int rateLimited;
  private int secondaryNext;
  private long secondaryRetryAfter = 1;
  private int pointsPerWindow = 900;
  private Duration window = Duration.ofMinutes(1);
  private Duration latency = Duration.ZERO;

  StandInLimits(Clock clock) {
    this.clock = clock;
  }

  synchronized void count(String endpoint, String caller) {
    endpointCalls.merge(endpoint, 1, Integer::sum);
    callerCalls.merge(caller, 1, Integer::sum);
    long hour = clock.millis() - Math.floorMod(clock.millis(), 3_600_000L);
    long[] used = hours.computeIfAbsent(caller, c -> new long[] {hour, 0});
    if (used[0] != hour) {
      used[0] = hour;
      used[1] = 0;
    }
    used[1]++;
  }

  /** Requests of this caller in the current clock hour: the primary limit's {@code used}. */
  synchronized int usedThisHour(String caller) {
    long hour = clock.millis() - Math.floorMod(clock.millis(), 3_600_000L);
    long[] used = hours.get(caller);
    return used == null || used[0] != hour ? 0 : (int) used[1];
  }

  /** Decides on one authenticated request: injected faults first, then the points budget. */
  synchronized Verdict admit(String caller, String method) {
    if (secondaryNext > 0) {
      secondaryNext--;
      rateLimited++;
      return new Verdict(403, secondaryRetryAfter, SECONDARY);
    }
    if (!failNext.isEmpty()) {
      return new Verdict(failNext.removeFirst(), 0, "Server Error");
    }
    long now = clock.millis();
    long length = window.toMillis();
    // a caller's window opens with its first request, so tests never straddle a clock boundary
    long[] used = windows.computeIfAbsent(caller, c -> new long[] {now, 0});
    if (now >= used[0] + length) {
      used[0] = now;
      used[1] = 0;
    }
    int cost = cost(method);
    if (used[1] + cost > pointsPerWindow) {
      rateLimited++;
      long retryAfter = Math.max(1, (used[0] + length - now + 999) / 1000);
      return new Verdict(403, retryAfter, SECONDARY);
    }
    used[1] += cost;
    return null;
  }

  static int cost(String method) {
    return switch (method) {
      case "GET", "HEAD", "OPTIONS" -> 1;
      default -> 5;
    };
  }

  synchronized int pointsUsed(String caller) {
    long[] used = windows.get(caller);
    return used == null || clock.millis() >= used[0] + window.toMillis() ? 0 : (int) used[1];
  }

  synchronized Duration latency() {
    return latency;
  }

  synchronized void latency(Duration value) {
    latency = value;
  }

  synchronized void failNext(int count, int status) {
    for (int i = 0; i < count; i++) {
      failNext.addLast(status);
    }
  }

  synchronized void loseNext(String endpoint, int count, LostAnswer how) {
    Deque<LostAnswer> queue = lost.computeIfAbsent(endpoint, e -> new ArrayDeque<>());
    for (int i = 0; i < count; i++) {
      queue.addLast(how);
    }
  }

  /** How to lose this endpoint's answer that was just worked out, or null to send it. */
  synchronized LostAnswer takeLost(String endpoint) {
    Deque<LostAnswer> queue = lost.get(endpoint);
    return queue == null ? null : queue.pollFirst();
  }

  synchronized void secondaryLimitNext(int count, long retryAfterSeconds) {
    secondaryNext = count;
    secondaryRetryAfter = retryAfterSeconds;
  }

  synchronized void budget(int points, Duration per) {
    pointsPerWindow = points;
    window = per;
    windows.clear();
  }

  synchronized int calls(String endpoint) {
    return endpointCalls.getOrDefault(endpoint, 0);
  }

  synchronized int callsBy(String caller) {
    return callerCalls.getOrDefault(caller, 0);
  }

  synchronized int rateLimited() {
    return rateLimited;
  }

  synchronized Map<String, Object> snapshot() {
    return Map.of("endpoints", new TreeMap<>(endpointCalls), "callers", new TreeMap<>(callerCalls),
        "rate_limited", rateLimited);
  }

  synchronized void reset() {
    endpointCalls.clear();
    callerCalls.clear();
    windows.clear();
    hours.clear();
    failNext.clear();
    lost.clear();
    rateLimited = 0;
    secondaryNext = 0;
    pointsPerWindow = 900;
    window = Duration.ofMinutes(1);
    latency = Duration.ZERO;
  }

  Instant now() {
    return clock.instant();
  }

  static final String SECONDARY = "You have exceeded a secondary rate limit. Please wait a few"
      + " minutes before you try again. If you reach out to GitHub Support for help, please"
      + " include the request ID.";
}
