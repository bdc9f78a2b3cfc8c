package dev.spotrunner.testkit.github;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counters, GitHub's secondary rate limit (points per caller in any sliding window: a request
 * admitted at {@code t} counts until {@code t + window}; GET 1, others 5) and injected faults of
 * the stand-in. A caller is {@code installation:<id>}, {@code app} (the first App),
 * {@code app:<id>} (another App) or {@code anonymous}. Every installation's budget is shared by
 * all clients that use its tokens, however many there are.
 */
final class StandInLimits {
  /** What to answer instead of the real response, if anything. */
  record Verdict(int status, long retryAfterSeconds, String message) {}

  private final Clock clock;
  private final Map<String, Integer> endpointCalls = new TreeMap<>();
  private final Map<String, Integer> callerCalls = new TreeMap<>();
  private final Map<String, Deque<long[]>> windows = new HashMap<>(); // caller -> {ms, points}
  private final Map<String, Integer> peaks = new HashMap<>(); // caller -> most points in a window
  private final Map<String, long[]> hours = new HashMap<>();   // caller -> {hourStart, requests}
  private final Deque<Integer> failNext = new ArrayDeque<>();
  private final Map<String, Deque<LostAnswer>> lost = new HashMap<>(); // endpoint -> answers to lose
  private final List<StandInSpend> spends = new ArrayList<>();
  private int rateLimited;
  private int secondaryNext;
  private long secondaryRetryAfter = 1;
  private int pointsPerWindow = 900;
  private int primaryPerHour = 5000;
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

  /** {@link #admit(String, String, String, String)} for the caller itself, endpoint unnamed. */
  synchronized Verdict admit(String caller, String method) {
    return admit(caller, caller, "", method);
  }

  /**
   * Decides on one authenticated request of {@code client} against {@code caller}'s budget:
   * injected faults first, then the points budget; the decision is kept ({@link #spends()}).
   */
  synchronized Verdict admit(String caller, String client, String endpoint, String method) {
    Verdict verdict = decide(caller, method);
    if (verdict == null || verdict.message().equals(SECONDARY)) {
      spends.add(new StandInSpend(clock.instant(), caller, client, endpoint, cost(method),
          verdict != null));
    }
    return verdict;
  }

  private Verdict decide(String caller, String method) {
    if (usedThisHour(caller) > primaryPerHour) {
      // the primary limit: this request (counted already) is over the hour's allowance
      return new Verdict(403, 0, "API rate limit exceeded for " + caller.replace(':', ' ')
          + ". If you reach out to GitHub Support for help, please include the request ID.");
    }
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
    Deque<long[]> spent = windows.computeIfAbsent(caller, c -> new ArrayDeque<>());
    int used = spentIn(spent, now);
    int cost = cost(method);
    if (used + cost > pointsPerWindow) {
      rateLimited++;
      int toFree = used + cost - pointsPerWindow;
      long freeAt = now;
      for (long[] entry : spent) {
        toFree -= (int) entry[1];
        if (toFree <= 0) {
          freeAt = entry[0] + length;
          break;
        }
      }
      long retryAfter = Math.max(1, (freeAt - now + 999) / 1000);
      return new Verdict(403, retryAfter, SECONDARY);
    }
    spent.addLast(new long[] {now, cost});
    peaks.merge(caller, used + cost, Math::max);
    return null;
  }

  static int cost(String method) {
    return switch (method) {
      case "GET", "HEAD", "OPTIONS" -> 1;
      default -> 5;
    };
  }

  /** Drops what left the window ending now and returns the points still in it. */
  private int spentIn(Deque<long[]> spent, long now) {
    long cutoff = now - window.toMillis();
    while (!spent.isEmpty() && spent.peekFirst()[0] <= cutoff) {
      spent.removeFirst();
    }
    int used = 0;
    for (long[] entry : spent) {
      used += (int) entry[1];
    }
    return used;
  }

  synchronized int pointsUsed(String caller) {
    Deque<long[]> spent = windows.get(caller);
    return spent == null ? 0 : spentIn(spent, clock.millis());
  }

  /** The most points this caller had in any one window since the last reset or budget change. */
  synchronized int peakPoints(String caller) {
    return peaks.getOrDefault(caller, 0);
  }

  /** The primary limit: requests per caller and clock hour (GitHub: 5,000 for an installation). */
  synchronized int primaryPerHour() {
    return primaryPerHour;
  }

  synchronized void primaryPerHour(int requests) {
    primaryPerHour = requests;
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
    peaks.clear();
    spends.clear();
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

  synchronized List<StandInSpend> spends() {
    return List.copyOf(spends);
  }

  synchronized Map<String, Object> snapshot() {
    return Map.of("endpoints", new TreeMap<>(endpointCalls), "callers", new TreeMap<>(callerCalls),
        "rate_limited", rateLimited);
  }

  synchronized void reset() {
    endpointCalls.clear();
    callerCalls.clear();
    windows.clear();
    peaks.clear();
    hours.clear();
    failNext.clear();
    lost.clear();
    spends.clear();
    rateLimited = 0;
    secondaryNext = 0;
    pointsPerWindow = 900;
    primaryPerHour = 5000;
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
