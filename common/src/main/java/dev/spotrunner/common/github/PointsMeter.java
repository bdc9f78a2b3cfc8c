package dev.spotrunner.common.github;

import dev.spotrunner.common.metrics.Metrics;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * What a container spent at GitHub, per governor key (an installation, or the App itself) and clock
 * minute, as EMF (namespace {@value #NAMESPACE}): {@value #METRIC}, the points reserved, dimension
 * {@code github_key} (e.g. {@code installation:123}); {@value #ANSWERS}, GitHub's answers, dimensions
 * {@code github_key} and {@code status} ({@code 2xx}, {@code 3xx}, {@code 4xx}, {@code 5xx},
 * {@code limited} for a rate-limit answer, {@code network} for no answer). A minute is written when
 * the key's first spend of a later minute arrives, and whatever is open when the function's
 * invocation ends ({@link #flush()}): a Lambda container is frozen between invocations, so nothing
 * may wait for a later one. CloudWatch's Sum over a minute adds every container's documents.
 */
public final class PointsMeter {
  public static final String NAMESPACE = "spotrunner";
  public static final String METRIC = "GitHubPointsUsed";
  public static final String ANSWERS = "GitHubAnswers";
  /** A meter that records nothing. */
  public static final PointsMeter NONE = new PointsMeter(null);
  // one per container: every GitHubApp of the process reports here, the handler flushes it
  private static final PointsMeter STDOUT = new PointsMeter(line -> System.out.println(line));

  /** One key's open minute. */
  private static final class Minute {
    final long start;
    long points;
    final Map<String, Long> answers = new TreeMap<>();

    Minute(long start) {
      this.start = start;
    }
  }

  private final Consumer<String> out;
  private final Map<String, Minute> minutes = new HashMap<>();

  public PointsMeter(Consumer<String> out) {
    this.out = out;
  }

  /** The container's meter: EMF lines on stdout, where the Lambda runtime hands them to CloudWatch Logs. */
  public static PointsMeter stdout() {
    return STDOUT;
  }

  /** Writes what the container's meter holds; every function that calls GitHub does at the end of an invocation. */
  public static void flushStdout() {
    STDOUT.flush();
  }

  /** Records points reserved under {@code key} at {@code at}. */
  public void spent(String key, Instant at, int points) {
    record(key, at, minute -> minute.points += points);
  }

  /** Records GitHub's answer to one attempt: its status, {@code limited} or {@code network}. */
  public void answered(String key, Instant at, String status) {
    record(key, at, minute -> minute.answers.merge(status, 1L, Long::sum));
  }

  /** The {@code status} dimension of an HTTP answer: its class ({@code 2xx} … {@code 5xx}). */
  public static String statusClass(int status) {
    return (status / 100) + "xx";
  }

  /** Writes every open minute now and starts over (a later call in the same minute writes again). */
  public void flush() {
    if (out == null) {
      return;
    }
    List<Map.Entry<String, Minute>> open;
    synchronized (this) {
      open = new ArrayList<>(minutes.entrySet());
      minutes.clear();
    }
    open.forEach(entry -> write(entry.getKey(), entry.getValue()));
  }

  private void record(String key, Instant at, Consumer<Minute> change) {
    if (out == null) {
      return;
    }
    long start = at.toEpochMilli() - Math.floorMod(at.toEpochMilli(), 60_000L);
    Minute finished = null;
    synchronized (this) {
      Minute current = minutes.get(key);
      if (current == null || current.start != start) {
        finished = current;
        current = new Minute(start);
        minutes.put(key, current);
      }
      change.accept(current);
    }
    if (finished != null) {
      write(key, finished);
    }
  }

  private void write(String key, Minute minute) {
    Clock at = Clock.fixed(Instant.ofEpochMilli(minute.start), ZoneOffset.UTC);
    if (minute.points > 0) {
      new Metrics(NAMESPACE, at, out).dimension("github_key", key).count(METRIC, minute.points).flush();
    }
    minute.answers.forEach((status, count) -> new Metrics(NAMESPACE, at, out)
        .dimension("github_key", key).dimension("status", status).count(ANSWERS, count).flush());
  }
}
