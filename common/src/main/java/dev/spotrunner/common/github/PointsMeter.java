package dev.spotrunner.common.github;

import dev.spotrunner.common.metrics.Metrics;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The metric {@value #METRIC}: points this container reserved per governor key (an installation,
 * or the App itself) and clock minute, one EMF document per key and minute, namespace
 * {@value #NAMESPACE}, dimension {@code github_key} (e.g. {@code installation:123}). A minute is
 * written when the key's first spend of a later minute arrives (a Lambda container is frozen
 * between invocations, so the last minute waits for the next call); CloudWatch's Sum over a minute
 * then adds every container's points for the installation.
 */
public final class PointsMeter {
  public static final String NAMESPACE = "spotrunner";
  public static final String METRIC = "GitHubPointsUsed";
  /** A meter that records nothing. */
  public static final PointsMeter NONE = new PointsMeter(null);

  private final Consumer<String> out;
  private final Map<String, long[]> minutes = new HashMap<>(); // key -> {minute start ms, points}

  public PointsMeter(Consumer<String> out) {
    this.out = out;
  }

  /** EMF lines on stdout, where the Lambda runtime hands them to CloudWatch Logs. */
  public static PointsMeter stdout() {
    return new PointsMeter(System.out::println);
  }

  /** Records points reserved under {@code key} at {@code at}. */
  public void spent(String key, Instant at, int points) {
    if (out == null) {
      return;
    }
    long minute = at.toEpochMilli() - Math.floorMod(at.toEpochMilli(), 60_000L);
    long[] finished = null;
    synchronized (this) {
      long[] current = minutes.get(key);
      if (current == null || current[0] != minute) {
        finished = current;
        current = new long[] {minute, 0};
        minutes.put(key, current);
      }
      current[1] += points;
    }
    if (finished != null) {
      write(key, finished);
    }
  }

  private void write(String key, long[] minute) {
    new Metrics(NAMESPACE, Clock.fixed(Instant.ofEpochMilli(minute[0]), ZoneOffset.UTC), out)
        .dimension("github_key", key)
        .count(METRIC, minute[1])
        .flush();
  }
}
