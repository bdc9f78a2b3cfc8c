package dev.spotrunner.common.github;

import static dev.spotrunner.common.log.Log.entry;

import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.common.log.Log;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * Keeps each installation inside GitHub's secondary rate limits and retries what GitHub asks to be
 * retried. Every attempt first reserves its points in a sliding 60-second window (reservation is
 * atomic, so concurrent callers never exceed the budget together) and a concurrency permit; then
 * the answer decides: {@code retry-after}, {@code x-ratelimit-remaining: 0} with
 * {@code x-ratelimit-reset}, or a 403/429 secondary-limit answer block the whole installation until
 * the time GitHub named; 5xx and network errors back off exponentially. When the attempts or the
 * wait budget run out the call fails with {@link TransientFailure}.
 */
public final class RequestGovernor {
  private static final Log LOG = Log.of(RequestGovernor.class);
  private static final Duration WINDOW = Duration.ofMinutes(1);
  // GitHub: "If you receive a secondary rate limit error without retry-after, wait at least a minute."
  private static final Duration SECONDARY_DEFAULT_WAIT = Duration.ofMinutes(1);

  /** What the governor needs to see of an HTTP answer. */
  public interface Answer {
    int status();

    Optional<String> header(String name);

    String body();
  }

  /** One HTTP attempt; may be repeated. */
  @FunctionalInterface
  public interface Attempt<A extends Answer> {
    A send() throws IOException, InterruptedException;
  }

  private final Clock clock;
  private final Sleeper sleeper;
  private final GovernorLimits limits;
  private final PointsMeter meter;
  private final boolean yieldOnLimit;
  private final Map<String, Budget> budgets = new ConcurrentHashMap<>();

  public RequestGovernor(Clock clock, Sleeper sleeper, GovernorLimits limits) {
    this(clock, sleeper, limits, PointsMeter.NONE, false);
  }

  /**
   * A governor that also reports the points it reserves, per key and minute. With
   * {@code yieldOnLimit} a rate-limit answer fails the call at once with {@link GitHubLimited}
   * (the key stays blocked until the time GitHub named) instead of waiting to repeat it: another
   * App may make the call now.
   */
  public RequestGovernor(Clock clock, Sleeper sleeper, GovernorLimits limits, PointsMeter meter,
      boolean yieldOnLimit) {
    this.clock = clock;
    this.sleeper = sleeper;
    this.limits = limits;
    this.meter = meter;
    this.yieldOnLimit = yieldOnLimit;
  }

  public GovernorLimits limits() {
    return limits;
  }

  /** Where the points and answers of this governor's calls are counted. */
  public PointsMeter meter() {
    return meter;
  }

  /** 1 point for GET, HEAD and OPTIONS; 5 for everything that changes state. */
  public static int cost(String method) {
    return switch (method.toUpperCase(Locale.ROOT)) {
      case "GET", "HEAD", "OPTIONS" -> 1;
      default -> 5;
    };
  }

  /** Points this key may still spend in the current 60-second window (0 while blocked). */
  public int pointsLeft(String key) {
    Budget budget = budgets.get(key);
    return budget == null ? limits.pointsPerMinute() : budget.pointsLeft(clock.instant());
  }

  /**
   * Runs an attempt within the key's budget, retrying rate-limit answers, 5xx and I/O errors.
   * Returns the first answer that is neither; throws {@link TransientFailure} when retries or the
   * wait budget are exhausted.
   */
  public <A extends Answer> A execute(String key, String method, String what, Attempt<A> attempt) {
    Budget budget = budgets.computeIfAbsent(key, k -> new Budget());
    int cost = cost(method);
    Instant start = clock.instant();
    Instant deadline = start.plus(limits.maxWait());
    Instant budgetDeadline = start.plus(limits.maxBudgetWait());
    Duration backoff = limits.firstBackoff();
    try {
      for (int attemptNo = 1; ; attemptNo++) {
        long[] spend = reserve(key, budget, cost, budgetDeadline, what);
        A answer;
        budget.concurrency.acquire();
        try {
          answer = attempt.send();
        } catch (IOException e) {
          budget.settle(spend, clock.instant());
          meter.answered(key, clock.instant(), "network");
          String reason = "network error: " + e.getClass().getSimpleName();
          waitBeforeRetry(key, attemptNo, backoff, deadline, what, reason, e);
          backoff = backoff.multipliedBy(2);
          continue;
        } finally {
          budget.concurrency.release();
        }
        budget.settle(spend, clock.instant());
        meter.answered(key, clock.instant(), isRateLimitAnswer(answer) ? "limited"
            : PointsMeter.statusClass(answer.status()));
        Optional<Instant> blockedUntil = rateLimitedUntil(answer);
        if (blockedUntil.isPresent()) {
          budget.blockUntil(blockedUntil.get());
          if (isRateLimitAnswer(answer)) {
            LOG.warn("github rate limited", entry("key", key), entry("request", what),
                entry("status", answer.status()), entry("until", blockedUntil.get()),
                entry("attempt", attemptNo));
            if (yieldOnLimit) {
              throw new GitHubLimited(what + " rate limited by GitHub until " + blockedUntil.get());
            }
            requireRetry(attemptNo, blockedUntil.get(), budgetDeadline, what, "rate limited");
            continue;
          }
        }
        if (answer.status() >= 500) {
          waitBeforeRetry(key, attemptNo, backoff, deadline, what, "GitHub answered " + answer.status(),
              null);
          backoff = backoff.multipliedBy(2);
          continue;
        }
        return answer;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransientFailure("interrupted while calling GitHub: " + what, e);
    }
  }

  /** Reserves the points and returns the window entry that holds them. */
  private long[] reserve(String key, Budget budget, int cost, Instant deadline, String what)
      throws InterruptedException {
    while (true) {
      Instant now = clock.instant();
      long[] spend = new long[] {now.toEpochMilli(), cost};
      Instant readyAt = budget.tryReserve(now, spend, limits.pointsPerMinute());
      if (readyAt == null) {
        meter.spent(key, now, cost);
        return spend;
      }
      if (readyAt.isAfter(deadline)) {
        throw new GitHubLimited("GitHub request budget of this installation is spent until "
            + readyAt + "; " + what + " must wait for a later attempt");
      }
      sleeper.sleep(Duration.between(now, readyAt));
    }
  }

  /** Logged on the caller's thread: a task on another thread carries its request id (Log.Context). */
  private void waitBeforeRetry(String key, int attemptNo, Duration backoff, Instant deadline, String what,
      String reason, Exception cause) throws InterruptedException {
    Instant retryAt = clock.instant().plus(backoff);
    if (attemptNo >= limits.maxAttempts() || retryAt.isAfter(deadline)) {
      LOG.warn("github call failed, giving up", entry("key", key), entry("request", what), entry("reason", reason),
          entry("attempt", attemptNo));
      throw new TransientFailure(what + " failed after " + attemptNo + " attempts: " + reason,
          cause);
    }
    LOG.warn("github call failed, retrying", entry("key", key), entry("request", what), entry("reason", reason),
        entry("attempt", attemptNo), entry("backoff_ms", backoff.toMillis()));
    sleeper.sleep(backoff);
  }

  private void requireRetry(int attemptNo, Instant retryAt, Instant deadline, String what,
      String reason) {
    if (attemptNo >= limits.maxAttempts() || retryAt.isAfter(deadline)) {
      throw new GitHubLimited(what + " " + reason + " by GitHub until " + retryAt
          + " after " + attemptNo + " attempts");
    }
    // the wait itself happens in reserve(), which honours the block for every caller of the key
  }

  /** When GitHub asked us to stop, if it did. */
  private Optional<Instant> rateLimitedUntil(Answer answer) {
    Instant now = clock.instant();
    Optional<Long> retryAfter = answer.header("retry-after").flatMap(RequestGovernor::number);
    if (retryAfter.isPresent() && (answer.status() == 403 || answer.status() == 429
        || answer.status() >= 500)) {
      return Optional.of(now.plusSeconds(Math.max(retryAfter.get(), 1)));
    }
    boolean exhausted = answer.header("x-ratelimit-remaining").flatMap(RequestGovernor::number)
        .map(remaining -> remaining == 0).orElse(false);
    if (exhausted) {
      Optional<Long> reset = answer.header("x-ratelimit-reset").flatMap(RequestGovernor::number);
      Instant until = reset.map(Instant::ofEpochSecond).orElse(now.plus(SECONDARY_DEFAULT_WAIT));
      return Optional.of(until.isAfter(now) ? until : now.plusSeconds(1));
    }
    if (isSecondaryLimitBody(answer)) {
      return Optional.of(now.plus(SECONDARY_DEFAULT_WAIT));
    }
    return Optional.empty();
  }

  private static boolean isRateLimitAnswer(Answer answer) {
    if (answer.status() == 429) {
      return true;
    }
    if (answer.status() != 403) {
      return false;
    }
    return answer.header("retry-after").isPresent()
        || answer.header("x-ratelimit-remaining").map("0"::equals).orElse(false)
        || isSecondaryLimitBody(answer);
  }

  private static boolean isSecondaryLimitBody(Answer answer) {
    if (answer.status() != 403 && answer.status() != 429) {
      return false;
    }
    String body = answer.body() == null ? "" : answer.body().toLowerCase(Locale.ROOT);
    return body.contains("secondary rate limit") || body.contains("rate limit exceeded");
  }

  private static Optional<Long> number(String text) {
    try {
      return Optional.of(Long.parseLong(text.trim()));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * One key's sliding window of spent points, its block, and its concurrency permits. A spend is
   * dated when its answer arrived (GitHub may count a request at any time until then, so a call
   * reserved at second 0 and answered at second 59 still counts at second 61), and it leaves the
   * window only when it is more than 60 seconds old: a call at second 0 still counts at second 60.
   */
  private final class Budget {
    private final List<long[]> spent = new ArrayList<>(); // {epochMillis, points}
    private final Semaphore concurrency = new Semaphore(limits.maxConcurrent(), true);
    private int used;
    private Instant blockedUntil = Instant.MIN;

    /** Reserves {@code spend} and returns null, or returns when to try again. */
    synchronized Instant tryReserve(Instant now, long[] spend, int perMinute) {
      if (now.isBefore(blockedUntil)) {
        return blockedUntil;
      }
      expire(now);
      int cost = (int) spend[1];
      if (used + cost <= perMinute) {
        spent.add(spend);
        used += cost;
        return null;
      }
      List<long[]> oldestFirst = new ArrayList<>(spent);
      oldestFirst.sort(Comparator.comparingLong(entry -> entry[0]));
      int toFree = used + cost - perMinute;
      for (long[] entry : oldestFirst) {
        toFree -= (int) entry[1];
        if (toFree <= 0) {
          return leavesWindowAt(entry[0]);
        }
      }
      throw new IllegalStateException("unreachable: cost exceeds the whole budget");
    }

    /** Dates a reserved spend at the moment its answer arrived. */
    synchronized void settle(long[] spend, Instant answeredAt) {
      spend[0] = Math.max(spend[0], answeredAt.toEpochMilli());
    }

    synchronized int pointsLeft(Instant now) {
      if (now.isBefore(blockedUntil)) {
        return 0;
      }
      expire(now);
      return limits.pointsPerMinute() - used;
    }

    synchronized void blockUntil(Instant until) {
      if (until.isAfter(blockedUntil)) {
        blockedUntil = until;
      }
    }

    private void expire(Instant now) {
      long cutoff = now.minus(WINDOW).toEpochMilli();
      spent.removeIf(entry -> {
        boolean old = entry[0] < cutoff;
        if (old) {
          used -= (int) entry[1];
        }
        return old;
      });
    }
  }

  /** The first instant at which a spend dated {@code epochMillis} no longer counts. */
  private static Instant leavesWindowAt(long epochMillis) {
    return Instant.ofEpochMilli(epochMillis).plus(WINDOW).plusMillis(1);
  }
}
